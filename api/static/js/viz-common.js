// Helpers shared by the views (network.js, map.js, stats.js). Every string from the data reaches the page
// through textContent or a canvas: never innerHTML. Links to entity pages are built here and only here.
(function () {
  "use strict";

  var LANG = (document.documentElement.getAttribute("lang") || "fr").slice(0, 2) === "en" ? "en" : "fr";

  // h("li", {className: "x", text: label}, [children]) -> an element; `text` is set with textContent.
  function h(tag, props, children) {
    var el = document.createElement(tag);
    var p = props || {};
    Object.keys(p).forEach(function (key) {
      var value = p[key];
      if (value === undefined || value === null || value === false) return;
      if (key === "text") el.textContent = String(value);
      else if (key === "className") el.className = value;
      else if (key === "href") { if (safeHref(value)) el.setAttribute("href", value); }
      else if (key.slice(0, 2) === "on" && typeof value === "function") el.addEventListener(key.slice(2), value);
      else if (key === "checked" || key === "selected" || key === "disabled" || key === "multiple") el[key] = true;
      else el.setAttribute(key, String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  }

  // Only same-site paths (/id/..., /network?...), and http(s) URLs: never javascript:, data: or vbscript:.
  function safeHref(value) {
    var s = String(value);
    if (/^\/(?!\/)/.test(s)) return true;
    return /^https?:\/\/[^\s"'<>]+$/i.test(s);
  }

  // Accent- and case-insensitive form of a string, for search ("Genève", "geneve" and "GENEVE" match).
  function fold(s) {
    return String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/œ/g, "oe").replace(/Œ/g, "oe").replace(/æ/g, "ae").replace(/Æ/g, "ae").toLowerCase().trim();
  }

  // Link to an entity page from its CURIE (qkgd:x) or local name; null for anything else.
  function entityHref(id, base) {
    if (!id) return null;
    var local = String(id);
    if (local.indexOf("qkgd:") === 0) local = local.slice(5);
    else if (local.indexOf(":") >= 0 || local.indexOf("/") >= 0) return null;
    var prefix = base || "/id/";
    if (!safeHref(prefix)) return null;
    // encodeURIComponent leaves ' ( ) * ! as they are: encode them too, so the link is inert anywhere.
    return prefix + encodeURIComponent(local).replace(/['()*!]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) {
          var err = new Error((body && body.error) || ("HTTP " + r.status));
          err.hint = body && body.hint;
          throw err;
        }
        return body;
      });
    });
  }

  function showError(container, err) {
    container.textContent = "";
    container.appendChild(h("div", { className: "viz-error", role: "alert" }, [
      h("strong", { text: gettext("Could not load the data: ") }),
      h("span", { text: err && err.message ? err.message : String(err) }),
      err && err.hint ? h("p", { text: err.hint }) : null,
    ]));
  }

  function t(fr, en) { return LANG === "en" ? en : fr; }

  window.qkgVizCommon = { h: h, fold: fold, entityHref: entityHref, safeHref: safeHref, getJSON: getJSON,
    showError: showError, t: t, LANG: LANG };
})();
