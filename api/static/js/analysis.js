// The /analysis page: heatmap tabs, sorting and cell details; sortable ranking; the path finder.
// Data comes from /api/analysis/... and /api/search; every string is inserted as text (never as HTML).
(function () {
  "use strict";
  var root = document.getElementById("analysis");
  if (!root) return;
  var ID = "https://w3id.org/qkg/id/";
  var LANG = window.qkgLang === "en" ? "en" : "fr";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function href(iri) { return iri.indexOf(ID) === 0 ? "/id/" + encodeURIComponent(iri.slice(ID.length)) : null; }
  function link(iri, text) {
    var h = href(iri);
    if (!h) return el("span", null, text);
    var a = el("a", null, text);
    a.href = h;
    return a;
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error((body && body.error) || ("HTTP " + r.status));
        return body;
      });
    });
  }
  function sources(fact) {
    if (fact.contributed) {  // an activity from a member's own sheet, not from the report
      return gettext("contributed by") + " " + fact.contributed.member_label + " (" + fact.contributed.sheet_label + ")";
    }
    var parts = (fact.sections || []).map(function (s) { return s.label; });
    var text = parts.join(" ; ") || gettext("unknown source");
    if (fact.annexItem) text += ", " + gettext("item ") + fact.annexItem;
    return text;
  }

  // ---- heatmap: tabs -----------------------------------------------------------------------------------
  var tabs = root.querySelectorAll(".dimension-tabs [role=tab]");
  tabs.forEach(function (tab) {
    tab.addEventListener("click", function () {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
      });
    });
  });

  // ---- many actors: "show N more" buttons toggle the columns or rows past the first ones ----------------
  root.querySelectorAll("button.show-more").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-target"));
      if (!target) return;
      var open = target.classList.toggle("show-all");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = button.getAttribute(open ? "data-less" : "data-more");
    });
  });

  // ---- heatmap: sorting rows by a column ---------------------------------------------------------------
  root.querySelectorAll("table.heatmap").forEach(function (table) {
    var body = table.tBodies[0];
    var state = { key: null, desc: true };
    table.querySelectorAll("thead button.sort").forEach(function (button) {
      button.addEventListener("click", function () {
        var kind = button.getAttribute("data-sort");
        var idx = parseInt(button.getAttribute("data-index") || "0", 10);
        var key = kind + idx;
        state.desc = state.key === key ? !state.desc : kind !== "label";
        state.key = key;
        var rows = Array.prototype.slice.call(body.rows);
        function value(row) {
          if (kind === "label") return row.getAttribute("data-label").toLowerCase();
          if (kind === "covered") return parseInt(row.getAttribute("data-covered"), 10);
          return parseInt(row.querySelectorAll("td.cell")[idx].getAttribute("data-count"), 10);
        }
        rows.sort(function (a, b) {
          var va = value(a), vb = value(b);
          var c = va < vb ? -1 : va > vb ? 1 : 0;
          if (c === 0) c = a.getAttribute("data-label").localeCompare(b.getAttribute("data-label"));
          return state.desc && kind !== "label" ? -c : (state.desc ? -c : c);
        });
        rows.forEach(function (r) { body.appendChild(r); });
        table.querySelectorAll("thead th").forEach(function (th) { th.removeAttribute("aria-sort"); });
        button.parentNode.setAttribute("aria-sort", state.desc ? "descending" : "ascending");
      });
    });
  });

  // ---- heatmap: a cell's facts -------------------------------------------------------------------------
  var panel = document.getElementById("cell-facts");
  function showCell(td) {
    var table = td.closest("table");
    var row = td.closest("tr");
    var params = new URLSearchParams({
      dimension: table.getAttribute("data-dimension"), actor: td.getAttribute("data-actor"),
      column: row.getAttribute("data-column"), actors: root.getAttribute("data-actors"),
      theme_level: root.getAttribute("data-theme-level")
    });
    if (root.getAttribute("data-year")) params.set("year", root.getAttribute("data-year"));
    root.querySelectorAll("td.cell.selected").forEach(function (c) { c.classList.remove("selected"); });
    td.classList.add("selected");
    panel.textContent = "";
    panel.appendChild(el("h3", null, gettext("Facts")));
    var status = el("p", "hint", "…");
    panel.appendChild(status);
    var list = el("ul", "fact-list");
    var more = el("button", "show-more-facts");
    more.type = "button";
    more.hidden = true;
    // the cell's facts come a page at a time (/cell's limit, offset, next_offset): "show more" fetches the next
    function page(offset) {
      params.set("limit", "50");
      params.set("offset", String(offset));
      more.disabled = true;
      return getJSON("/api/analysis/complementarity/cell?" + params.toString()).then(function (data) {
        if (!td.classList.contains("selected")) return;  // another cell was chosen meanwhile
        status.textContent = data.actor.label + " — " + data.column.label + (LANG === "fr" ? " : " : ": ") + format(ngettext("{n} fact", "{n} facts", data.total), { n: data.total });
        data.facts.forEach(function (f) {
          var li = el("li", "fact");
          li.setAttribute("data-fact", f.iri);
          li.appendChild(link(f.iri, f.label));
          li.appendChild(el("span", "kind", " " + (f.kind || f.type || "")));
          li.appendChild(el("div", "provenance", gettext("Source: ") + sources(f)));
          list.appendChild(li);
        });
        var left = data.next_offset === null || data.next_offset === undefined ? 0 : data.total - data.next_offset;
        more.hidden = left <= 0;
        more.disabled = false;
        more.textContent = format(ngettext("Show {n} more fact", "Show {n} more facts", left), { n: left });
        more.onclick = function () { page(data.next_offset); };
      }).catch(function (err) { status.textContent = gettext("Error: ") + err.message; });
    }
    panel.appendChild(list);
    panel.appendChild(more);
    page(0);
  }
  // Escape clears the chosen cell and its facts (the panel goes back to its hint)
  var hint = panel ? Array.prototype.map.call(panel.childNodes, function (n) { return n.cloneNode(true); }) : [];
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" || ev.defaultPrevented || !panel) return;
    var chosen = root.querySelector("td.cell.selected");
    if (!chosen || document.querySelector("[role=listbox]:not([hidden]) li")) return;
    ev.preventDefault();
    chosen.classList.remove("selected");
    panel.textContent = "";  // the hint the page came with, restored
    hint.forEach(function (n) { panel.appendChild(n.cloneNode(true)); });
    chosen.focus();
  });
  root.querySelectorAll("td.cell[tabindex]").forEach(function (td) {
    td.addEventListener("click", function () { showCell(td); });
    td.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); showCell(td); }
    });
  });

  // ---- ranking table -----------------------------------------------------------------------------------
  var ranking = document.getElementById("ranking-table");
  if (ranking) {
    var order = { key: "rank", desc: false };
    ranking.querySelectorAll("button.sort").forEach(function (button) {
      button.addEventListener("click", function () {
        var key = button.getAttribute("data-key");
        order.desc = order.key === key ? !order.desc : (key !== "label" && key !== "rank");
        order.key = key;
        var body = ranking.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var va = a.getAttribute("data-" + key), vb = b.getAttribute("data-" + key);
          var c = key === "label" ? va.localeCompare(vb) : parseFloat(va) - parseFloat(vb);
          return order.desc ? -c : c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  // ---- path finder: pickers with suggestions from /api/search -------------------------------------------
  function picker(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var timer = null, seq = 0;
    function close() { list.hidden = true; list.textContent = ""; input.setAttribute("aria-expanded", "false"); }
    function choose(hit) { input.value = hit.label; input.setAttribute("data-iri", hit.iri); close(); }
    input.addEventListener("input", function () {
      input.removeAttribute("data-iri");
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) { close(); return; }
        var mine = ++seq;
        getJSON("/api/search?limit=8&q=" + encodeURIComponent(q)).then(function (data) {
          if (mine !== seq) return;
          list.textContent = "";
          (data.hits || []).forEach(function (hit) {
            var li = el("li", null, hit.label);
            li.setAttribute("role", "option");
            li.setAttribute("data-iri", hit.iri);
            li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(hit); });
            list.appendChild(li);
          });
          list.hidden = !list.children.length;
          input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
        }).catch(close);
      }, 150);
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }
  var from = document.getElementById("path-from"), to = document.getElementById("path-to");
  if (from && to) { picker(from); picker(to); }

  // ---- path finder: query and draw -----------------------------------------------------------------------
  var NODE_WIDTH = 170;  // a node's box wraps its label at this width; the levels leave room for the edge labels
  var COLORS = ["#c0392b", "#2471a3", "#1e8449", "#7d3c98", "#b9770e"];
  // Kinds of shared fact (actors projection), as people say them.
  var KIND_NAMES = { mission: gettext("mission"), event: gettext("event"), reception: gettext("reception"),
    project: gettext("project"), agreement: gettext("agreement"), membership: gettext("membership"),
    contributed: gettext("contributed activity"), partner: gettext("partner list") };
  // A step's relations in the page's language: its properties' labels (the CURIE in `title`), or its kinds.
  function stepNames(s) {
    return (s.links || []).map(function (l) { return l.label || l.property; })
      .concat((s.kinds || []).map(function (k) { return KIND_NAMES[k] || k; }));
  }
  function draw(data) {
    var box = document.getElementById("path-graph");
    var list = document.getElementById("path-list");
    list.textContent = "";
    var nodes = {}, edges = [], longest = 0;
    data.paths.forEach(function (p, i) {
      p.nodes.forEach(function (n, step) {
        // a node's column is its nearest step from the source (the target last): no edge runs back under a node
        if (nodes[n.iri]) nodes[n.iri].level = Math.min(nodes[n.iri].level, step);
        if (!nodes[n.iri]) nodes[n.iri] = { id: n.iri, label: n.label.length > 40 ? n.label.slice(0, 38) + "…" : n.label,
          title: n.label + " (" + n.type + ")", group: n.type, shape: "box", font: { size: 13 },
          widthConstraint: { maximum: NODE_WIDTH }, level: step };
      });
      p.steps.forEach(function (s) {
        var names = stepNames(s), label = names.length > 2 ? names.slice(0, 2).join(", ") + " +" + (names.length - 2) : names.join(", ");
        longest = Math.max(longest, label.length);
        edges.push({ id: i + ":" + s.from.iri + ">" + s.to.iri, from: s.from.iri, to: s.to.iri, label: label,
          title: (s.links || []).map(function (l) { return l.property; }).join(", ") || undefined,
          color: { color: COLORS[i % COLORS.length] }, width: i === 0 ? 3 : 1.5,
          // on a white band, between the nodes (the levels are set apart by the longest label)
          font: { size: 12, align: "horizontal", background: "rgba(255,255,255,0.92)", strokeWidth: 0, color: "#1d2733" } });
      });
      var li = el("li", "path");
      li.appendChild(el("strong", null, format(ngettext("{n} step", "{n} steps", p.length), { n: p.length })));
      var steps = el("ol", "steps");
      p.steps.forEach(function (s) {
        var st = el("li", "step");
        st.appendChild(link(s.from.iri, s.from.label));
        var via = (s.links || []).map(function (l) { return (l.direction === "forward" ? "→ " : "← ") + (l.label || l.property); })
          .concat((s.kinds || []).map(function (k) { return KIND_NAMES[k] || k; }));
        var viaEl = el("span", "via", " " + (via.join(", ") || "—") + " ");
        if ((s.links || []).length) viaEl.setAttribute("title", s.links.map(function (l) { return l.property; }).join(", "));
        st.appendChild(viaEl);
        st.appendChild(link(s.to.iri, s.to.label));
        (s.facts || []).forEach(function (f) {
          var fl = el("div", "provenance");
          fl.setAttribute("data-fact", f.iri);
          fl.appendChild(link(f.iri, f.label));
          fl.appendChild(el("span", null, " — " + sources(f)));
          st.appendChild(fl);
        });
        steps.appendChild(st);
      });
      li.appendChild(steps);
      list.appendChild(li);
    });
    if (window.qkgAnalysisNetwork) { window.qkgAnalysisNetwork.destroy(); window.qkgAnalysisNetwork = null; }
    if (!window.vis || !data.paths.length) return;
    var ids = Object.keys(nodes);
    var last = 0;
    data.paths.forEach(function (p) { last = Math.max(last, p.nodes.length - 1); });
    ids.forEach(function (id) {
      if (id === data.source.iri || id === data.target.iri) nodes[id].color = { background: "#f9e79f", border: "#7d6608" };
      if (id === data.target.iri) nodes[id].level = last;
    });
    window.qkgAnalysisNetwork = new vis.Network(box, {
      nodes: new vis.DataSet(ids.map(function (k) { return nodes[k]; })), edges: new vis.DataSet(edges)
    }, {
      layout: { hierarchical: { enabled: true, direction: "LR",
        levelSeparation: NODE_WIDTH + 40 + 7 * longest, nodeSpacing: 90 } },
      physics: false, edges: { arrows: { to: { enabled: false } }, smooth: false },
      interaction: { hover: true }
    });
    window.qkgAnalysisNetwork.once("afterDrawing", function () { box.setAttribute("data-drawn", String(data.paths.length)); });
  }
  var form = document.getElementById("path-form");
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var status = document.getElementById("path-status");
      var a = from.getAttribute("data-iri") || from.value.trim(), b = to.getAttribute("data-iri") || to.value.trim();
      if (!a || !b) { status.textContent = gettext("Pick two entities."); return; }
      status.textContent = "…";
      var params = new URLSearchParams({ from: a, to: b, k: document.getElementById("path-k").value, lang: LANG });
      var year = document.getElementById("path-year");
      if (year && year.value) params.set("year", year.value);
      getJSON("/api/analysis/paths?" + params.toString()).then(function (data) {
        status.textContent = format(data.paths.length ? ngettext("{n} path from {a} to {b}", "{n} paths from {a} to {b}", data.paths.length)
          : gettext("No path between {a} and {b}"), { n: data.paths.length, a: data.source.label, b: data.target.label });
        draw(data);
      }).catch(function (err) { status.textContent = gettext("Error: ") + err.message; });
    });
  }
})();
