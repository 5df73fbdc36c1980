// The neighbourhood of an entity page: a small vis-network graph and a plain list (fetches the REST API).
(function () {
  "use strict";
  var box = document.getElementById("neighbourhood");
  var list = document.getElementById("neighbour-list");
  if (!box) return;
  fetch(box.getAttribute("data-src"), { headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : { nodes: [], edges: [] }; })
    .then(draw)
    .catch(function () { box.hidden = true; });

  function draw(data) {
    var nodes = data.nodes || [], edges = data.edges || [];
    if (nodes.length <= 1) { box.hidden = true; return; }
    nodes.forEach(function (n) {
      if (n.depth === 0) return;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "/id/" + encodeURIComponent(n.id);
      a.textContent = n.label;
      li.appendChild(a);
      list.appendChild(li);
    });
    if (typeof vis === "undefined") { box.hidden = true; return; }
    var byIri = {};
    var visNodes = nodes.map(function (n, i) {
      byIri[n.iri] = i;
      return { id: i, label: n.label.length > 28 ? n.label.slice(0, 27) + "…" : n.label, title: n.label,
               group: (n.types[0] || "other"), shape: n.depth === 0 ? "box" : "dot", size: 10,
               font: { size: 13, color: "#1d2733" }, entity: n.id };
    });
    var visEdges = edges.map(function (e) {
      return { from: byIri[e.source], to: byIri[e.target], label: e.property, arrows: "to",
               font: { size: 10, color: "#55606e", strokeWidth: 0 }, color: { color: "#9aa7b5" } };
    });
    var network = new vis.Network(box, { nodes: new vis.DataSet(visNodes), edges: new vis.DataSet(visEdges) }, {
      physics: { stabilization: { iterations: 150 }, barnesHut: { springLength: 120 } },
      interaction: { hover: true }, layout: { randomSeed: 7 }
    });
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); });
    network.on("doubleClick", function (params) {
      if (params.nodes.length) window.location.href = "/id/" + encodeURIComponent(visNodes[params.nodes[0]].entity);
    });
    window.qkgNetwork = network;
  }
})();
