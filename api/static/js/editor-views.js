// Result views of the SPARQL editor, all offline (vendored npm packages): a table always; a bar chart when
// the answer has two columns, a label and a number; a map when it has latitude and longitude columns; a
// graph for CONSTRUCT/DESCRIBE answers or subject/predicate/object columns.
// window.qkgResultViews.show(container, vars, rows, makeTable, label) draws the tabs and the table; the other
// views are drawn when their tab is first chosen.
(function () {
  "use strict";
  var LAT = /^(lat|latitude)$/i, LON = /^(long|lon|lng|longitude)$/i;

  function num(term) {
    if (!term || term.type === "uri" || term.type === "bnode") return null;
    var v = parseFloat(term.value);
    return isFinite(v) && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(term.value) ? v : null;
  }
  function numeric(rows, v) { return rows.length > 0 && rows.every(function (r) { return num(r[v]) !== null; }); }

  function kinds(vars, rows) {
    var out = ["table"];
    if (vars.length === 2 && rows.length > 0 && (numeric(rows, vars[1]) !== numeric(rows, vars[0]))) out.push("bar");
    var lat = vars.filter(function (v) { return LAT.test(v); })[0], lon = vars.filter(function (v) { return LON.test(v); })[0];
    if (lat && lon && rows.some(function (r) { return num(r[lat]) !== null && num(r[lon]) !== null; })) out.push("map");
    var spo = ["subject", "predicate", "object"], short = ["s", "p", "o"];
    if ([spo, short].some(function (names) { return names.every(function (n) { return vars.indexOf(n) >= 0; }); })) out.push("graph");
    return out;
  }

  var NAMES = { table: gettext("Table"), bar: gettext("Bar chart"), map: gettext("Map"), graph: gettext("Graph") };

  function bar(panel, vars, rows, label) {
    var n = numeric(rows, vars[1]) ? vars[1] : vars[0], l = n === vars[1] ? vars[0] : vars[1];
    var shown = rows.slice(0, 60);
    var box = document.createElement("div");
    box.className = "view-chart";
    box.style.height = Math.max(240, 22 * shown.length + 60) + "px";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", format(gettext("{value} by {label}"), { value: n, label: l }));
    box.appendChild(canvas);
    panel.appendChild(box);
    window.qkgEditorChart = new Chart(canvas, {
      type: "bar",
      data: { labels: shown.map(function (r) { return label(r[l]); }),
              datasets: [{ label: n, data: shown.map(function (r) { return num(r[n]); }), backgroundColor: "#0b5394" }] },
      options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { display: false } }, scales: { y: { ticks: { autoSkip: false } } } }
    });
  }

  function map(panel, vars, rows, label) {
    var lat = vars.filter(function (v) { return LAT.test(v); })[0], lon = vars.filter(function (v) { return LON.test(v); })[0];
    var name = vars.filter(function (v) { return v !== lat && v !== lon; })[0];
    var box = document.createElement("div");
    box.className = "view-map";
    panel.appendChild(box);
    var m = window.qkgEditorMap = L.map(box, { worldCopyJump: false, minZoom: 1, maxZoom: 9 });
    var points = [];
    fetch("/static/vendor/countries-110m.json").then(function (r) { return r.json(); }).then(function (topo) {
      L.geoJSON(topojson.feature(topo, topo.objects.countries), { interactive: false,
        style: function () { return { fillColor: "#f3f1ea", fillOpacity: 1, color: "#9aa5b1", weight: 0.6 }; } }).addTo(m).bringToBack();
    }).catch(function () { /* the points still show without the base map */ });
    rows.forEach(function (r) {
      var y = num(r[lat]), x = num(r[lon]);
      if (y === null || x === null) return;
      points.push([y, x]);
      var marker = L.circleMarker([y, x], { radius: 6, color: "#1d2733", weight: 1, fillColor: "#D55E00", fillOpacity: 0.9 }).addTo(m);
      if (name && r[name]) marker.bindTooltip(label(r[name]));
    });
    if (points.length) m.fitBounds(points, { padding: [30, 30], maxZoom: 6 }); else m.setView([20, 0], 1);
    box.setAttribute("data-points", String(points.length));
  }

  function graph(panel, vars, rows, label) {
    var s = vars.indexOf("subject") >= 0 ? "subject" : "s", p = vars.indexOf("predicate") >= 0 ? "predicate" : "p",
        o = vars.indexOf("object") >= 0 ? "object" : "o";
    var nodes = {}, edges = [];
    function node(term) {
      var id = term.type + ":" + term.value;
      if (!nodes[id]) nodes[id] = { id: id, label: label(term).slice(0, 40), title: term.value,
        shape: term.type === "literal" ? "box" : "dot", size: 10,
        color: term.type === "literal" ? { background: "#f4f6f9", border: "#9aa7b5" } : undefined };
      return id;
    }
    rows.slice(0, 500).forEach(function (r) {
      if (!r[s] || !r[p] || !r[o]) return;
      edges.push({ from: node(r[s]), to: node(r[o]), label: label(r[p]), arrows: "to", font: { size: 10, color: "#55606e" } });
    });
    var box = document.createElement("div");
    box.className = "view-graph";
    panel.appendChild(box);
    window.qkgEditorGraph = new vis.Network(box, { nodes: new vis.DataSet(Object.values(nodes)), edges: new vis.DataSet(edges) },
      { physics: { stabilization: { iterations: 150 } }, interaction: { hover: true } });
    window.qkgEditorGraph.once("stabilizationIterationsDone", function () { window.qkgEditorGraph.fit(); });
    box.setAttribute("data-nodes", String(Object.keys(nodes).length));
  }

  var DRAW = { bar: bar, map: map, graph: graph };

  function show(container, vars, rows, makeTable, label) {
    var available = kinds(vars, rows);
    var tabs = document.createElement("div");
    tabs.className = "view-tabs";
    tabs.setAttribute("role", "tablist");
    tabs.setAttribute("aria-label", gettext("Result views"));
    var panels = {};
    available.forEach(function (kind, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.id = "view-" + kind;
      b.setAttribute("role", "tab");
      b.setAttribute("aria-selected", i === 0 ? "true" : "false");
      b.textContent = NAMES[kind];
      tabs.appendChild(b);
      var panel = document.createElement("div");
      panel.className = "view-panel panel-" + kind;
      panel.setAttribute("role", "tabpanel");
      panel.hidden = i !== 0;
      panels[kind] = panel;
      b.addEventListener("click", function () {
        Array.prototype.forEach.call(tabs.children, function (x) { x.setAttribute("aria-selected", x === b ? "true" : "false"); });
        Object.keys(panels).forEach(function (k) { panels[k].hidden = k !== kind; });
        if (!panel.firstChild && DRAW[kind]) DRAW[kind](panel, vars, rows, label);
      });
    });
    if (available.length > 1) container.appendChild(tabs);
    available.forEach(function (kind) { container.appendChild(panels[kind]); });
    panels.table.appendChild(makeTable(vars, rows));
  }

  window.qkgResultViews = { show: show, kinds: kinds };
}());
