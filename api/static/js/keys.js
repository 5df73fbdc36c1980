// Escape on every page (base.html loads this): it closes what is open, the innermost first. Pages with panels
// of their own (network.js, map.js, analysis.js, search.js) close those and call preventDefault(); here:
// an open suggestion list, then the open <details> holding the focus (or the last one opened), then any
// element marked data-escape-close that is shown.
(function () {
  "use strict";
  var opened = [];
  document.addEventListener("toggle", function (ev) {
    var d = ev.target;
    if (d.tagName !== "DETAILS") return;
    opened = opened.filter(function (x) { return x !== d && x.open; });
    if (d.open) opened.push(d);
  }, true);
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" || ev.defaultPrevented) return;
    var lists = Array.prototype.filter.call(document.querySelectorAll("[role=listbox]"), function (l) { return !l.hidden && l.children.length; });
    if (lists.length) {
      lists.forEach(function (l) {
        l.hidden = true;
        var owner = document.querySelector("[aria-controls='" + l.id + "']");
        if (owner) owner.setAttribute("aria-expanded", "false");
      });
      return;
    }
    var focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest("details[open]") : null;
    opened = opened.filter(function (x) { return x.open; });
    var details = focused || opened[opened.length - 1];
    if (details) {
      details.open = false;
      var summary = details.querySelector("summary");
      if (summary) summary.focus();
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-escape-close]:not([hidden])"), function (el) { el.hidden = true; });
  });
}());
