// Live suggestions for the search box in the header of every page (fetches /api/search).
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  var list = document.getElementById("site-search-list");
  if (!input || !list) return;
  var timer = null, active = -1, items = [], seq = 0;

  function hrefFor(hit) { return "/id/" + encodeURIComponent(hit.id); }

  function close() {
    list.hidden = true; list.textContent = ""; items = []; active = -1;
    input.setAttribute("aria-expanded", "false");
  }

  function render(hits) {
    list.textContent = "";
    items = hits;
    active = -1;
    hits.forEach(function (hit, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "site-search-opt-" + i;
      var a = document.createElement("a");
      a.href = hrefFor(hit);
      a.textContent = hit.label;
      li.appendChild(a);
      if (hit.matched && hit.matched !== hit.label) {
        var m = document.createElement("small");
        m.textContent = " (" + hit.matched + ")";
        li.appendChild(m);
      }
      var t = (hit.types || []).filter(function (x) { return x.indexOf("qkg:") === 0; })[0];
      if (t) {
        var s = document.createElement("span");
        s.className = "type";
        s.textContent = t.slice(4);
        li.appendChild(s);
      }
      list.appendChild(li);
    });
    list.hidden = hits.length === 0;
    input.setAttribute("aria-expanded", hits.length ? "true" : "false");
  }

  function suggest() {
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    var mine = ++seq;
    fetch("/api/search?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
      .then(function (data) { if (mine === seq) render(data.hits || []); })
      .catch(function () { close(); });
  }

  function highlight(i) {
    var nodes = list.querySelectorAll("li");
    nodes.forEach(function (n) { n.classList.remove("active"); n.setAttribute("aria-selected", "false"); });
    if (i >= 0 && nodes[i]) {
      nodes[i].classList.add("active");
      nodes[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", nodes[i].id);
    }
    active = i;
  }

  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(suggest, 120); });
  input.addEventListener("keydown", function (ev) {
    if (list.hidden) return;
    if (ev.key === "ArrowDown") { ev.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (ev.key === "Escape") { close(); }
    else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); window.location.href = hrefFor(items[active]); }
  });
  document.addEventListener("click", function (ev) { if (!list.contains(ev.target) && ev.target !== input) close(); });
})();
