// The pages' messages in the page's language: the JSON catalogue that base.html embeds (the same as
// /i18n/<lang>.json, made from api/locale/<lang>/LC_MESSAGES/messages.po); a standalone page made by
// `qkg viz` sets window.qkgMessages instead. Source strings are English:
// gettext(s) returns the translation, or s itself; ngettext(one, many, n) picks the plural form;
// format("{n} nodes", {n: 3}) fills named placeholders.
(function () {
  "use strict";
  var el = document.getElementById("qkg-i18n");
  var messages = {};
  try { messages = window.qkgMessages || (el ? JSON.parse(el.textContent) : {}); } catch (e) { messages = {}; }
  var lang = (document.documentElement.lang || "fr").slice(0, 2);
  // The plural rules of the catalogues' Plural-Forms headers (French: the singular for 0 and 1).
  var RULES = {
    fr: function (n) { return n > 1 ? 1 : 0; },
    en: function (n) { return n === 1 ? 0 : 1; }
  };
  function has(s) { return Object.prototype.hasOwnProperty.call(messages, s); }
  window.qkgLang = lang;
  window.gettext = function (s) { return has(s) && typeof messages[s] === "string" ? messages[s] : s; };
  window.ngettext = function (one, many, n) {
    var forms = has(one) ? messages[one] : null;
    if (Array.isArray(forms)) {
      var form = forms[(RULES[lang] || RULES.en)(Math.abs(n))];
      if (form) return form;
    }
    return n === 1 ? one : many;
  };
  window.format = function (s, values) {
    return s.replace(/\{(\w+)\}/g, function (m, k) { return values && k in values ? values[k] : m; });
  };
}());
