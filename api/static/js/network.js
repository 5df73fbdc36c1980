// The network view: vis-network with positions computed on the server (physics off, straight edges).
// Data: /api/viz/network (served page) or the <script type="application/json"> block of a standalone file.
// Filters run here with the same rules as viz/filters.py (a browser test checks they agree with the API).
// No string from the data is ever parsed as HTML: labels go to the canvas, everything else via textContent.
(function () {
  "use strict";
  var C = window.qkgVizCommon, h = C.h, t = C.t;
  var root = document.getElementById("qkg-network");
  if (!root || typeof vis === "undefined") return;

  var standalone = root.getAttribute("data-mode") === "standalone";
  var api = root.getAttribute("data-api") || "/api/viz/network";
  var entityApi = root.getAttribute("data-entity-api") || "/api/viz/entity";
  var params = new URLSearchParams(window.location.search);
  var SIZE = ["degree", "pagerank", "betweenness"];
  var state = { data: null, network: null, nodes: null, edges: null, byId: {}, adjacency: null,
    selected: null, visible: { nodes: new Set(), edges: new Set() }, entityBase: "/id/" };
  var ui = {};
  window.qkgViz = state;
  // the provenance kinds the side panel names, as the entity page does (api/templates/_prov.html)
  var SOURCE_NAMES = { background: gettext("background, outside the report"), inferred: gettext("inferred"),
    ontology: gettext("ontology") };

  // ---- filters (the rules of viz/filters.py) --------------------------------------------------------
  function readFilters() {
    function values(select) {
      return new Set(Array.prototype.filter.call(select.options, function (o) { return o.selected && o.value; })
        .map(function (o) { return o.value; }));
    }
    var types = new Set();
    ui.kinds.forEach(function (box) { if (box.checked) types.add(box.value); });
    if (types.size === ui.kinds.length) types = new Set();
    var years = new Set(Array.from(values(ui.year)).map(Number));
    return { types: types, themes: values(ui.theme), years: years, categories: values(ui.category),
      relations: values(ui.relation) };
  }

  function adjacency() {
    if (state.adjacency) return state.adjacency;
    var adj = {};
    state.data.edges.forEach(function (e) {
      (adj[e.from] = adj[e.from] || []).push(e.to);
      (adj[e.to] = adj[e.to] || []).push(e.from);
    });
    return (state.adjacency = adj);
  }

  function nodePasses(n, f) {
    if (n._out) return false;  // outside the ego network (standalone file: ego computed here)
    if (f.types.size && !f.types.has(n.group)) return false;
    if (f.years.size && n.yr && n.yr.length && !n.yr.some(function (y) { return f.years.has(y); })) return false;
    if (f.categories.size && n.group === "reception" && !f.categories.has(n.cat)) return false;
    return true;
  }

  function visibleIds(f) {
    var nodes = new Set();
    state.data.nodes.forEach(function (n) { if (nodePasses(n, f)) nodes.add(n.id); });
    if (f.themes.size) {
      var near = new Set(), adj = adjacency();
      state.data.nodes.forEach(function (n) {
        if (n.th && n.th.some(function (x) { return f.themes.has(x); })) {
          near.add(n.id);
          (adj[n.id] || []).forEach(function (m) { near.add(m); });
        }
      });
      nodes = new Set(Array.from(nodes).filter(function (id) { return near.has(id); }));
    }
    var edges = new Set();
    state.data.edges.forEach(function (e) {
      if (nodes.has(e.from) && nodes.has(e.to) && (!f.relations.size || f.relations.has(e.rel))) edges.add(e.id);
    });
    if (f.relations.size) {
      nodes = new Set();
      state.data.edges.forEach(function (e) { if (edges.has(e.id)) { nodes.add(e.from); nodes.add(e.to); } });
    }
    return { nodes: nodes, edges: edges };
  }

  function applyFilters(updateUrl) {
    var f = readFilters();
    var vis_ = visibleIds(f);
    var nodeChanges = [], edgeChanges = [];
    state.data.nodes.forEach(function (n) {  // only what changes: a DataSet update redraws
      var hidden = !vis_.nodes.has(n.id);
      if (!!n._hidden !== hidden) { n._hidden = hidden; nodeChanges.push({ id: n.id, hidden: hidden }); }
    });
    state.data.edges.forEach(function (e) {
      var hidden = !vis_.edges.has(e.id);
      if (!!e._hidden !== hidden) { e._hidden = hidden; edgeChanges.push({ id: e.id, hidden: hidden }); }
    });
    if (nodeChanges.length) state.nodes.update(nodeChanges);
    if (edgeChanges.length && !state.canvasEdges) state.edges.update(edgeChanges);
    if (state.canvasEdges && state.network && (nodeChanges.length || edgeChanges.length)) state.network.redraw();
    state.visible = vis_;
    if (updateUrl && state.network && vis_.nodes.size) {  // re-centre on what the filter left
      state.network.fit({ nodes: Array.from(vis_.nodes), animation: false });
    }
    if (updateUrl && state.network && vis_.nodes.size) rankLabels();
    var shownNodes = vis_.nodes.size, shownLinks = vis_.edges.size;  // each noun in the form its count takes
    ui.count.textContent = format(gettext("{nodes}, {links} shown"), {
      nodes: format(ngettext("{n} node", "{n} nodes", shownNodes), { n: shownNodes }),
      links: format(ngettext("{n} link", "{n} links", shownLinks), { n: shownLinks }) });
    if (updateUrl && !standalone) {
      var q = new URLSearchParams();
      ["focus", "depth", "lang", "report_year"].forEach(function (k) { if (params.get(k)) q.set(k, params.get(k)); });
      f.types.forEach(function (v) { q.append("type", v); });
      f.themes.forEach(function (v) { q.append("theme", v); });
      f.years.forEach(function (v) { q.append("year", v); });
      f.categories.forEach(function (v) { q.append("category", v); });
      f.relations.forEach(function (v) { q.append("relation", v); });
      if (ui.size.value !== "degree") q.set("size", ui.size.value);
      window.history.replaceState(null, "", window.location.pathname + (q.toString() ? "?" + q : ""));
    }
  }

  // ---- labels by importance -------------------------------------------------------------------------
  // At most about one label per 50,000 px² of canvas is on screen at once: the largest nodes in view first,
  // and a label that would overlap one already placed waits. Zooming in leaves fewer nodes in view, so
  // smaller ones get their labels. vis-network draws a label only when its size on screen reaches
  // scaling.label.drawThreshold: a label shown gets LABEL_PX on screen, one held back a size under the
  // threshold. Placed again after every zoom, pan, resize or filter. (A large network adds its labels
  // lazily instead: labelsInView.)
  var LABEL_PX = 12, TOP_LABEL_PX = 15, TOP_LABELS = 3, HIDDEN = 0.01;
  var measure = document.createElement("canvas").getContext("2d");
  function rankLabels() {
    if (state.lazyLabels || !state.network || !state.visible) return;
    var i = SIZE.indexOf(ui.size.value);
    state.labelOrder = state.data.nodes.filter(function (n) { return state.visible.nodes.has(n.id); })
      .sort(function (a, b) { return ((b.m ? b.m[i] : b.value) - (a.m ? a.m[i] : a.value)) || (a.id < b.id ? -1 : 1); });
    placeLabels();
  }
  function placeLabels() {
    var net = state.network, canvas = root.querySelector("canvas");
    if (state.lazyLabels || !net || !canvas || !state.labelOrder) return;
    var scale = net.getScale(), W = canvas.clientWidth, H = canvas.clientHeight;
    var room = Math.max(6, Math.round(W * H / 50000)), placed = [], changes = [], shown = [];
    var bodyNodes = net.body.nodes;
    state.labelOrder.forEach(function (n, r) {
      var px = r < TOP_LABELS ? TOP_LABEL_PX : LABEL_PX, show = false, b = bodyNodes[n.id];
      if (b && shown.length < room) {
        var p = net.canvasToDOM({ x: b.x, y: b.y }), size = (b.options.size || 10) * scale;
        measure.font = px + "px system-ui, sans-serif";
        var w = measure.measureText(n.label).width, top = p.y + size + 1;
        var box = { left: p.x - w / 2 - 3, right: p.x + w / 2 + 3, top: top - 1, bottom: top + px * 1.3 };
        var inView = p.x >= 0 && p.x <= W && p.y >= 0 && p.y <= H;
        show = inView && !placed.some(function (o) {
          return box.left < o.right && o.left < box.right && box.top < o.bottom && o.top < box.bottom; });
        if (show) { placed.push(box); shown.push(n.id); }
      }
      var font = show ? px / scale : HIDDEN;
      if (n._font !== font) { n._font = font; changes.push({ id: n.id, font: { size: font } }); }
    });
    state.labelsShown = shown;
    state.labelBoxes = placed;
    if (changes.length) state.nodes.update(changes);
  }
  state.rankLabels = rankLabels;

  // ---- highlight, search, panel ----------------------------------------------------------------------
  function highlight(id) {
    var keep = new Set(id ? [id].concat(adjacency()[id] || []) : []);
    var nodeChanges = [], edgeChanges = [];
    state.data.nodes.forEach(function (n) {
      var opacity = !id || keep.has(n.id) ? 1 : 0.15;
      if ((n._opacity || 1) !== opacity) { n._opacity = opacity; nodeChanges.push({ id: n.id, opacity: opacity }); }
    });
    state.data.edges.forEach(function (e) {
      var opacity = !id || e.from === id || e.to === id ? 0.8 : 0.08;
      if ((e._opacity || 0.8) !== opacity) { e._opacity = opacity; edgeChanges.push({ id: e.id, color: { opacity: opacity } }); }
    });
    state.nodes.update(nodeChanges);
    if (state.canvasEdges) state.network.redraw(); else state.edges.update(edgeChanges);
  }

  function select(id, zoom) {
    if (!state.byId[id]) return;
    state.selected = id;
    state.network.selectNodes([id]);
    if (zoom) state.network.focus(id, { scale: Math.max(state.network.getScale(), 1.0), animation: false });
    if (zoom && state.lazyLabels) labelsInView();
    highlight(id);
    openPanel(id);
  }

  function toggleDrawer(open) {
    if (!ui.controls) return;
    ui.controls.classList.toggle("open", open);
    ui.drawer.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { var first = ui.controls.querySelector("input, select, button"); if (first) first.focus(); } else ui.drawer.focus();
  }

  // Escape closes the filters' drawer (phone), else the side panel (and the selection's highlight).
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") return;
    if (ui.controls && ui.controls.classList.contains("open")) { ev.preventDefault(); toggleDrawer(false); return; }
    if (ui.panel && !ui.panel.hidden && state.network) { ev.preventDefault(); clearSelection(); }
  });

  function clearSelection() {
    state.selected = null;
    state.network.unselectAll();
    highlight(null);
    ui.panel.hidden = true;
  }

  function search() {
    var q = C.fold(ui.search.value);
    ui.results.textContent = "";
    if (q.length < 2) { ui.results.hidden = true; return; }
    var hits = [];
    state.data.nodes.forEach(function (n) {
      if (!state.visible.nodes.has(n.id)) return;
      var label = C.fold(n.full || n.label), at = label.indexOf(q);
      if (at >= 0) hits.push({ n: n, rank: at === 0 ? 0 : (label.indexOf(" " + q) >= 0 ? 1 : 2) });
    });
    hits.sort(function (a, b) { return a.rank - b.rank || a.n.full.localeCompare(b.n.full); });
    hits.slice(0, 12).forEach(function (hit) {
      var kind = (state.kinds[hit.n.group] || {}).label || hit.n.group;
      ui.results.appendChild(h("li", {}, [h("button", { type: "button", className: "viz-hit", "data-id": hit.n.id,
        onclick: function () { ui.results.hidden = true; select(hit.n.id, true); } },
        [h("span", { text: hit.n.full }), h("small", { text: " · " + kind })])]));
    });
    if (!hits.length) ui.results.appendChild(h("li", { className: "viz-none", text: gettext("No visible node") }));
    ui.results.hidden = false;
  }

  function renderPanel(info) {
    var panel = ui.panel;
    panel.textContent = "";
    var href = C.entityHref(info.id, state.entityBase);
    var kind = state.kinds[info.kind] || {};
    panel.appendChild(h("div", { className: "viz-panel-head" }, [
      h("h2", { text: info.label }),
      h("button", { type: "button", className: "viz-close", "aria-label": gettext("Close"), text: "×",
        onclick: clearSelection }),
    ]));
    panel.appendChild(h("p", { className: "viz-kind" }, [h("span", { className: "viz-badge", text: kind.label || info.kind }),
      info.types && info.types.length ? h("small", { text: " " + info.types.join(" · ") }) : null]));
    if (info.desc) panel.appendChild(h("p", { className: "viz-desc", text: info.desc }));
    var actions = h("p", { className: "viz-panel-actions" }, [
      href ? h("a", { href: href, className: "viz-entity-link", text: gettext("Entity page →") }) : null,
      " ",
      h("button", { type: "button", className: "viz-ego-btn", text: gettext("Ego network"),
        onclick: function () { setFocus(state.selected); } }),
    ]);
    panel.appendChild(actions);
    // the ego panel: the focused actor's partners, ranked by shared facts
    var meta = state.data.meta || {};
    if (meta.focus && meta.focus === state.selected && meta.partners) panel.appendChild(partnerList(meta.partners));
    if (info.missing) {
      panel.appendChild(h("p", { className: "viz-count", text: gettext("This file does not carry the entity's facts (qkg viz --facts).") }));
      panel.hidden = false;
      return;
    }
    var sources = info.sources || [];
    panel.appendChild(h("h3", { text: gettext("Provenance") }));
    var prov = h("ul", { className: "viz-prov" });
    sources.forEach(function (s) {
      var bits = [];
      if (s.annex_item) bits.push(gettext("item ") + s.annex_item);
      if (s.page) bits.push("p. " + s.page);
      prov.appendChild(h("li", {}, [h("span", { text: s.text }), bits.length ? h("small", { text: " (" + bits.join(", ") + ")" }) : null]));
    });
    if (!sources.length) prov.appendChild(h("li", { text: gettext("Background fact (not from the report)") }));
    panel.appendChild(prov);
    if (info.facts && info.facts.length) {
      panel.appendChild(h("h3", { text: gettext("Facts") }));
      var dl = h("dl", { className: "viz-facts" });
      info.facts.forEach(function (fact) {
        dl.appendChild(h("dt", { text: fact.property }));
        fact.values.forEach(function (v) {
          var link = v.id ? C.entityHref(v.id, state.entityBase) : null;
          dl.appendChild(h("dd", {}, [link ? h("a", { href: link, text: v.text }) : h("span", { text: v.text }),
            v.source && v.source !== "report" ? h("small", { className: "viz-src", text: " [" + (SOURCE_NAMES[v.source] || v.source) + "]" }) : null]));
        });
      });
      panel.appendChild(dl);
    }
    if (info.incoming && info.incoming.length) {
      panel.appendChild(h("h3", { text: gettext("Incoming links") }));
      var ul = h("ul", { className: "viz-incoming" });
      info.incoming.forEach(function (row) {
        var link = row.id ? C.entityHref(row.id, state.entityBase) : null;
        ul.appendChild(h("li", {}, [link ? h("a", { href: link, text: row.text }) : h("span", { text: row.text }),
          h("small", { text: " — " + row.property })]));
      });
      panel.appendChild(ul);
    }
    panel.hidden = false;
  }

  function openPanel(id) {
    var node = state.byId[id];
    ui.panel.hidden = false;
    ui.panel.textContent = "";
    ui.panel.appendChild(h("p", { className: "viz-loading", text: (node && node.full) || id }));
    if (standalone) {
      var facts = (state.data.facts || {})[id];
      renderPanel(facts || { id: id, label: node.full, kind: node.group, facts: [], incoming: [], missing: true });
      return;
    }
    var url = entityApi + "?id=" + encodeURIComponent(id) + "&lang=" + C.LANG;
    C.getJSON(url).then(function (info) { if (state.selected === id) renderPanel(info); })
      .catch(function (err) { C.showError(ui.panel, err); });
  }

  function drawEdges(ctx) {
    var bodyNodes = state.network.body.nodes, scale = state.network.getScale();
    var sel = state.selected, strokes = [[], []];
    state.data.edges.forEach(function (e) {
      if (e._hidden) return;
      var a = bodyNodes[e.from], b = bodyNodes[e.to];
      if (!a || !b) return;
      strokes[sel && (e.from === sel || e.to === sel) ? 1 : 0].push(a.x, a.y, b.x, b.y);
    });
    ctx.save();
    ctx.lineWidth = Math.max(1, 0.3 / scale);
    [["rgba(140,140,140," + (sel ? 0.08 : 0.45) + ")", strokes[0]], ["rgba(40,40,40,0.9)", strokes[1]]].forEach(function (pass) {
      var xy = pass[1];
      if (!xy.length) return;
      ctx.strokeStyle = pass[0];
      ctx.beginPath();
      for (var i = 0; i < xy.length; i += 4) { ctx.moveTo(xy[i], xy[i + 1]); ctx.lineTo(xy[i + 2], xy[i + 3]); }
      ctx.stroke();
    });
    ctx.restore();
  }

  function labelsInView() {
    var net = state.network, scale = net.getScale();
    if (scale * 14 < 7) return;  // labels would be under vis-network's drawThreshold anyway
    var centre = net.getViewPosition(), box = net.canvas.frame.canvas;
    var halfW = box.clientWidth / 2 / scale, halfH = box.clientHeight / 2 / scale, bodyNodes = net.body.nodes, add = [];
    state.data.nodes.forEach(function (n) {
      var b = bodyNodes[n.id];
      if (n._labelled || !b || Math.abs(b.x - centre.x) > halfW || Math.abs(b.y - centre.y) > halfH) return;
      n._labelled = true;
      add.push({ id: n.id, label: n.label });
    });
    if (add.length) state.nodes.update(add.slice(0, 3000));
  }

  // ---- ego network -----------------------------------------------------------------------------------
  function egoIds(focus, depth) {
    var seen = new Set([focus]), frontier = [focus], adj = adjacency();
    for (var d = 0; d < depth; d++) {
      var next = [];
      frontier.forEach(function (n) { (adj[n] || []).forEach(function (m) { if (!seen.has(m)) { seen.add(m); next.push(m); } }); });
      frontier = next;
    }
    return seen;
  }

  function setFocus(id) {
    var depth = Math.max(0, Math.min(4, parseInt(ui.depth.value, 10) || 1));
    if (standalone) {
      var keep = id ? egoIds(id, depth) : null;
      state.data.nodes.forEach(function (n) { n._out = keep ? !keep.has(n.id) : false; });
      applyFilters(false);
      state.network.fit();
      return;
    }
    if (id) { params.set("focus", id); params.set("depth", String(depth)); } else { params.delete("focus"); params.delete("depth"); }
    window.history.pushState(null, "", window.location.pathname + "?" + params.toString());
    load();
  }

  // ---- building the page -----------------------------------------------------------------------------
  function options(list, selected, multiple) {
    return list.map(function (item) {
      return h("option", { value: item.id, text: item.label + (item.count ? " (" + formatNumber(item.count) + ")" : ""),
        selected: selected.indexOf(String(item.id)) >= 0 });
    });
  }

  function buildControls(data) {
    var f = data.facets;
    var controls = h("aside", { className: "viz-controls", "aria-label": gettext("Network controls") });
    ui.search = h("input", { type: "search", id: "viz-search", placeholder: gettext("Node name…"),
      autocomplete: "off", maxlength: "120", oninput: search,
      onkeydown: function (ev) { if (ev.key === "Enter") { var b = ui.results.querySelector("button"); if (b) b.click(); } } });
    ui.results = h("ul", { id: "viz-search-results", className: "viz-results", hidden: "" });
    ui.results.hidden = true;
    controls.appendChild(h("div", { className: "viz-search" }, [h("label", { for: "viz-search", text: gettext("Search") }), ui.search, ui.results]));
    ui.size = h("select", { id: "viz-size", onchange: resize }, [
      h("option", { value: "degree", text: gettext("Degree") }), h("option", { value: "pagerank", text: "PageRank" }),
      h("option", { value: "betweenness", text: gettext("Betweenness") })]);
    ui.size.value = SIZE.indexOf(params.get("size")) >= 0 ? params.get("size") : "degree";
    controls.appendChild(h("label", { for: "viz-size", text: gettext("Size by") }));
    controls.appendChild(ui.size);
    var chosenTypes = params.getAll("type");
    ui.kinds = [];
    var legend = h("fieldset", { className: "viz-legend" }, [h("legend", { text: gettext("Types (legend)") })]);
    state.kinds = {};
    f.kinds.forEach(function (k) {
      state.kinds[k.kind] = k;
      var box = h("input", { type: "checkbox", value: k.kind, checked: !chosenTypes.length || chosenTypes.indexOf(k.kind) >= 0,
        onchange: function () { applyFilters(true); } });
      var swatch = h("span", { className: "viz-swatch viz-shape-" + k.shape, "aria-hidden": "true" });
      swatch.style.backgroundColor = k.colour;
      ui.kinds.push(box);
      var only = h("button", { type: "button", className: "viz-only", "data-kind": k.kind, text: gettext("only"),
        title: format(gettext("Show only: {type}"), { type: k.label }),
        onclick: function () { ui.kinds.forEach(function (b) { b.checked = b.value === k.kind; }); applyFilters(true); } });
      legend.appendChild(h("div", { className: "viz-kind-line" }, [
        h("label", { className: "viz-kind-row", "data-kind": k.kind }, [box, swatch, h("span", { text: k.label }), h("small", { text: " " + formatNumber(k.count) })]),
        only]));
    });
    controls.appendChild(legend);
    function multi(id, label, list, key, multiple) {
      var sel = h("select", { id: id, multiple: multiple, onchange: function () { applyFilters(true); } },
        (multiple ? [] : [h("option", { value: "", text: gettext("(all)") })]).concat(options(list, params.getAll(key))));
      if (multiple) sel.size = Math.min(6, Math.max(2, list.length));
      controls.appendChild(h("label", { for: id, text: label }));
      controls.appendChild(sel);
      return sel;
    }
    ui.theme = multi("viz-theme", gettext("Themes"), f.themes, "theme", true);
    ui.year = multi("viz-year", gettext("Year"), f.years.map(function (y) { return { id: y, label: String(y) }; }), "year", false);
    ui.category = multi("viz-category", gettext("Reception category"), f.categories, "category", false);
    ui.relation = multi("viz-relation", gettext("Relations"), f.relations, "relation", true);
    ui.depth = h("input", { type: "number", id: "viz-depth", min: "0", max: "4", value: params.get("depth") || "1" });
    var focus = data.meta.focus;
    if (data.meta.overview || data.meta.hidden) {
      controls.appendChild(h("p", { className: "viz-overview", id: "viz-overview", text: data.meta.overview
        ? format(gettext("Overview of {n} nodes: the City and its strongest partners. Double-click a node to expand it."), { n: data.meta.total })
        : format(ngettext("{n} node not shown (the farthest and least linked).", "{n} nodes not shown (the farthest and least linked).",
          data.meta.hidden), { n: data.meta.hidden }) }));
    }
    controls.appendChild(h("fieldset", { className: "viz-ego" }, [
      h("legend", { text: gettext("Ego network") }),
      focus ? h("p", {}, [h("span", { text: gettext("Focused on ") }), h("strong", { text: (state.byId[focus] || {}).full || focus })]) : null,
      h("label", { for: "viz-depth", text: gettext("Depth") }), ui.depth,
      h("button", { type: "button", id: "viz-ego-apply", text: gettext("Focus on selection"),
        onclick: function () { if (state.selected) setFocus(state.selected); } }),
      h("button", { type: "button", id: "viz-ego-clear", text: gettext("Whole network"), onclick: function () { setFocus(null); } }),
    ]));
    controls.appendChild(h("div", { className: "viz-actions" }, [
      h("button", { type: "button", id: "viz-png", text: gettext("Export PNG"), onclick: exportPng }),
      h("button", { type: "button", id: "viz-reset", text: gettext("Reset"), onclick: reset }),
    ]));
    ui.count = h("p", { className: "viz-count", id: "viz-count", "aria-live": "polite" });
    controls.appendChild(ui.count);
    return controls;
  }

  // The focused actor's partners, ranked by the number of facts they share with it (computed by the server,
  // qkg.viz.partners): each links to its page and re-centres the network on it.
  function partnerList(info) {
    if (!info || !info.partners || !info.partners.length) return null;
    var ol = h("ol", { className: "viz-partners", id: "viz-partners" });
    info.partners.forEach(function (p) {
      var facts = p.facts.map(function (f) { return f.label; }).join(" · ");
      ol.appendChild(h("li", { "data-id": p.id }, [
        h("a", { href: p.href, text: p.label }),
        h("small", { className: "viz-shared", text: " · " + format(ngettext("{n} shared fact", "{n} shared facts", p.shared), { n: p.shared }) }),
        " ",
        h("a", { href: p.network, className: "viz-partner-focus", text: gettext("centre"),
          title: format(gettext("Network centred on {name}"), { name: p.label }),
          onclick: function (ev) { ev.preventDefault(); setFocus(p.id); } }),
        facts ? h("small", { className: "viz-partner-facts", text: facts, title: facts }) : null,
      ]));
    });
    var more = info.total > info.partners.length
      ? h("p", { className: "viz-count", text: format(gettext("{shown} of {total} partners, by shared facts"),
        { shown: info.partners.length, total: info.total }) }) : null;
    return h("section", { className: "viz-partners-box", "aria-labelledby": "viz-partners-title" }, [
      h("h3", { id: "viz-partners-title", text: gettext("Main partners (shared facts)") }), ol, more]);
  }

  function resize() {
    var i = SIZE.indexOf(ui.size.value);
    state.nodes.update(state.data.nodes.map(function (n) { return { id: n.id, value: n.m[i] }; }));
    applyFilters(true);
  }

  function reset() {
    ui.kinds.forEach(function (b) { b.checked = true; });
    [ui.theme, ui.year, ui.category, ui.relation].forEach(function (s) { Array.prototype.forEach.call(s.options, function (o) { o.selected = false; }); });
    ui.search.value = "";
    clearSelection();
    applyFilters(true);
    state.network.fit();
  }

  // The PNG: the graph redrawn at twice the screen's pixel density (never the faded highlight state), with a
  // title, the legend of the types shown and the date.
  function exportPng() {
    var canvas = root.querySelector("canvas");
    if (!canvas || !state.network) return;
    var selected = state.selected;
    if (selected) clearSelection();
    var ratio = window.devicePixelRatio || 1, scale = 2;
    var net = state.network;
    var cssW = canvas.clientWidth, cssH = canvas.clientHeight;
    var big = document.createElement("canvas");
    big.width = Math.round(cssW * ratio * scale);
    big.height = Math.round(cssH * ratio * scale);
    var g = big.getContext("2d");
    g.fillStyle = "#ffffff";
    g.fillRect(0, 0, big.width, big.height);
    // vis-network draws on its canvas at its pixel ratio: redraw once at twice that, copy, and restore
    var c = net.canvas, frame = c && c.frame && c.frame.canvas;
    var oldRatio = c && c.pixelRatio, oldW = frame && frame.width, oldH = frame && frame.height;
    try {
      c.pixelRatio = ratio * scale;
      frame.width = big.width;
      frame.height = big.height;
      net.renderer._redraw();
      g.drawImage(frame, 0, 0);
    } catch (e) {
      g.drawImage(canvas, 0, 0, big.width, big.height);  // the screen's pixels, enlarged
    } finally {
      if (c && frame) { c.pixelRatio = oldRatio; frame.width = oldW; frame.height = oldH; net.redraw(); }
    }
    var k = ratio * scale, pad = 12 * k, y = pad + 18 * k;
    g.fillStyle = "rgba(255,255,255,0.92)";
    var legendRows = Object.keys(state.kinds || {}).map(function (key) { return state.kinds[key]; }).filter(function (kk) {
      return ui.kinds.some(function (b) { return b.checked && b.value === kk.kind; });
    });
    g.fillRect(0, 0, big.width, pad * 2 + 30 * k);
    g.fillStyle = "#1d2733";
    g.font = "bold " + Math.round(18 * k) + "px system-ui, sans-serif";
    g.fillText(gettext("Network of international relations") + " — qkg", pad, y);
    g.font = Math.round(12 * k) + "px system-ui, sans-serif";
    g.fillText(new Date().toISOString().slice(0, 10) + " · " + ui.count.textContent, pad, y + 18 * k);
    var lx = pad, ly = big.height - pad - legendRows.length * 18 * k;
    g.fillStyle = "rgba(255,255,255,0.92)";
    g.fillRect(0, ly - 12 * k, 260 * k, legendRows.length * 18 * k + pad + 12 * k);
    legendRows.forEach(function (kk, i) {
      g.fillStyle = kk.colour || "#888";
      g.fillRect(lx, ly + i * 18 * k - 9 * k, 12 * k, 12 * k);
      g.fillStyle = "#1d2733";
      g.fillText(kk.label + " (" + formatNumber(kk.count) + ")", lx + 18 * k, ly + i * 18 * k + 2 * k);
    });
    var url = big.toDataURL("image/png");
    window.qkgLastPng = { width: big.width, height: big.height, screen: [canvas.width, canvas.height], url: url.length };
    var a = h("a", { download: "qkg-reseau.png" });
    a.href = url;
    document.body.appendChild(a);
    a.click();
    a.remove();
    if (selected) select(selected, false);
  }

  function draw(data) {
    if (state.network) { state.network.destroy(); state.network = null; }
    state.selected = null;
    state.data = data;
    state.adjacency = null;
    state.byId = {};
    state.entityBase = standalone ? (data.meta.entity_base || "https://w3id.org/qkg/id/") : "/id/";
    data.nodes.forEach(function (n) { state.byId[n.id] = n; });
    root.textContent = "";
    var stage = h("div", { className: "viz-stage" });
    var canvas = h("div", { id: "viz-canvas", className: "viz-canvas", role: "img",
      "aria-label": gettext("Network of international relations") });
    ui.tip = h("div", { className: "viz-tip", role: "tooltip" });
    ui.tip.hidden = true;
    ui.panel = h("aside", { id: "viz-panel", className: "viz-panel", "aria-live": "polite" });
    ui.panel.hidden = true;
    var controls = buildControls(data);
    controls.id = "viz-controls";
    // on a phone the filters live in a drawer, the graph comes first (viz.css)
    ui.drawer = h("button", { type: "button", className: "viz-drawer-toggle", id: "viz-drawer-toggle",
      "aria-controls": "viz-controls", "aria-expanded": "false", text: gettext("Filters"),
      onclick: function () { toggleDrawer(!controls.classList.contains("open")); } });
    ui.controls = controls;
    var layout = h("div", { className: "viz-layout" }, [controls, stage, ui.panel]);
    stage.appendChild(ui.drawer);
    stage.appendChild(canvas);
    stage.appendChild(ui.tip);
    root.appendChild(layout);
    var sizeIndex = SIZE.indexOf(ui.size.value);
    performance.mark("qkg:ui");
    // Large graphs: labels cannot be read at the zoom that shows everything, and measuring 20,000 of them costs
    // vis-network about half a second: they are added for the nodes in view once the view is close enough.
    state.lazyLabels = !!data.meta.large;
    state.nodes = new vis.DataSet(data.nodes.map(function (n) {
      n.full = n.full || n.label;
      var item = { id: n.id, group: n.group, x: n.x, y: n.y, value: n.m ? n.m[sizeIndex] : n.value };
      if (!state.lazyLabels) item.label = n.label;
      return item;
    }));
    // Large graphs: vis-network builds an object per edge (about 3 s for 60,000 edges on 2 cores), so the edges
    // are drawn here instead, as one canvas path per frame; they are hidden while the view moves, like vis does.
    state.canvasEdges = !!data.meta.large;
    state.edges = new vis.DataSet(state.canvasEdges ? [] : data.edges.map(function (e) { return { id: e.id, from: e.from, to: e.to }; }));
    performance.mark("qkg:datasets");
    var network = state.network = window.network = new vis.Network(canvas, { nodes: state.nodes, edges: state.edges }, data.options);
    performance.mark("qkg:network");
    network.once("afterDrawing", function () {
      state.firstFrameAt = performance.now();
      rankLabels();
      root.setAttribute("data-drawn", "1");
    });
    if (!state.lazyLabels) {
      var replacing = null;
      var replace = function () { clearTimeout(replacing); replacing = setTimeout(placeLabels, 120); };
      network.on("zoom", replace);
      network.on("dragEnd", replace);
      network.on("animationFinished", replace);
      network.on("resize", replace);
    }
    network.on("beforeDrawing", function (ctx) {
      ctx.save(); ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height); ctx.restore();
      if (state.canvasEdges && !state.moving) drawEdges(ctx);
    });
    if (state.canvasEdges) {
      var settle = null;
      var moving = function () {
        state.moving = true;
        clearTimeout(settle);
        settle = setTimeout(function () { state.moving = false; network.redraw(); }, 150);
      };
      network.on("dragging", moving);
      network.on("zoom", moving);
    }
    if (state.lazyLabels) {
      var labelling = null;
      var later = function () { clearTimeout(labelling); labelling = setTimeout(labelsInView, 200); };
      network.on("zoom", later);
      network.on("dragEnd", later);
      network.on("animationFinished", later);
    }
    network.on("click", function (p) { if (p.nodes.length) select(p.nodes[0], false); else if (!p.edges.length) clearSelection(); });
    // A large network opens on an overview (or a bounded ego network): a double click expands a node (its ego network, fetched on demand).
    var bounded = !!(data.meta.overview || data.meta.hidden);
    network.on("doubleClick", function (p) { if (bounded && p.nodes.length && !standalone) setFocus(p.nodes[0]); });
    network.on("hoverNode", function (p) {
      var n = state.byId[p.node];
      ui.tip.textContent = "";
      ui.tip.appendChild(h("strong", { text: n.full }));
      ui.tip.appendChild(h("span", { text: " · " + ((state.kinds[n.group] || {}).label || n.group) }));
      ui.tip.style.left = (p.pointer.DOM.x + 12) + "px";
      ui.tip.style.top = (p.pointer.DOM.y + 12) + "px";
      ui.tip.hidden = false;
    });
    network.on("hoverEdge", function (p) {
      var e = state.edges.get(p.edge), raw = state.data.edges[p.edge] || {};
      if (!e) return;
      ui.tip.textContent = (state.byId[e.from] || {}).full + " — " + (state.data.vocab[raw.rel] || raw.rel) + " → " + (state.byId[e.to] || {}).full;
      ui.tip.style.left = (p.pointer.DOM.x + 12) + "px";
      ui.tip.style.top = (p.pointer.DOM.y + 12) + "px";
      ui.tip.hidden = false;
    });
    network.on("blurNode", function () { ui.tip.hidden = true; });
    network.on("blurEdge", function () { ui.tip.hidden = true; });
    network.on("dragStart", function () { ui.tip.hidden = true; });
    applyFilters(false);
    performance.mark("qkg:filters");
    if (data.meta.focus && state.byId[data.meta.focus]) select(data.meta.focus, false);
  }

  function load() {
    if (standalone) {
      var block = document.getElementById(root.getAttribute("data-source") || "qkg-data");
      var parsed = JSON.parse(block.textContent);
      performance.mark("qkg:data");
      draw(parsed);
      return;
    }
    var q = new URLSearchParams();
    ["focus", "depth", "lang", "report_year"].forEach(function (k) { if (params.get(k)) q.set(k, params.get(k)); });
    if (!q.get("lang")) q.set("lang", C.LANG);
    root.setAttribute("aria-busy", "true");
    C.getJSON(api + "?" + q.toString()).then(function (data) {
      root.removeAttribute("aria-busy");
      draw(data);
    }).catch(function (err) { root.removeAttribute("aria-busy"); C.showError(root, err); });
  }

  window.addEventListener("popstate", function () { params = new URLSearchParams(window.location.search); load(); });
  state.visibleIds = function (f) { return visibleIds(f); };
  state.select = select;
  load();
})();
