// The pages' messages in the page's language: the JSON catalogue that base.html embeds (the same as
// /i18n/<lang>.json, made from api/locale/<lang>/LC_MESSAGES/messages.po); a standalone page made by
// `qkg viz` sets window.qkgMessages instead. Source strings are English:
// gettext(s) returns the translation, or s itself; ngettext(one, many, n) picks the plural form;
// format("{n} nodes", {n: 3}) fills named placeholders, a number as the page's language writes it (1 234 and 0,5 in
// French; English as the script writes it, 1234), but a field that names something (a year, a line: the
// identifiers of graph/errors.py, given by the page) in bare digits; formatNumber(n) writes one number so.
(function () {
  "use strict";
  var el = document.getElementById("qkg-i18n");
  var messages = {};
  try { messages = window.qkgMessages || (el ? JSON.parse(el.textContent) : {}); } catch (e) { messages = {}; }
  var lang = (document.documentElement.lang || "fr").slice(0, 2);
  var identifiers = window.qkgIdentifiers || ((el && el.getAttribute("data-identifiers")) || "").split(" ");
  var numbers = null;
  if (lang !== "en" && window.Intl) {
    try { numbers = new Intl.NumberFormat(document.documentElement.lang || lang, { maximumFractionDigits: 20 }); } catch (e) { numbers = null; }
  }
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
  window.formatNumber = function (n) {
    return numbers && typeof n === "number" && isFinite(n) ? numbers.format(n) : String(n);
  };
  window.format = function (s, values) {
    return s.replace(/\{(\w+)\}/g, function (m, k) {
      if (!values || !(k in values)) return m;
      return identifiers.indexOf(k) < 0 ? window.formatNumber(values[k]) : String(values[k]);
    });
  };
}());
