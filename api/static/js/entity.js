// The neighbourhood of an entity page: a small vis-network graph and a plain list (fetches the REST API).
(function () {
  "use strict";
  var box = document.getElementById("neighbourhood");
  var list = document.getElementById("neighbour-list");
  var more = document.getElementById("neighbour-more");
  if (!box) return;
  // The neighbours come a page at a time; "more" fetches the next page and redraws with all pages so far.
  var all = { nodes: [], edges: [], seen: {} };
  function fetchPage(offset) {
    var src = box.getAttribute("data-src") + (offset ? "&offset=" + offset : "");
    return fetch(src, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { nodes: [], edges: [] }; })
      .then(function (data) {
        (data.nodes || []).forEach(function (n) {
          if (all.seen[n.iri]) return;
          all.seen[n.iri] = true;
          all.nodes.push(n);
          if (n.depth !== 0) addItem(n);
        });
        all.edges = all.edges.concat(data.edges || []);
        if (more) {
          more.hidden = data.next === null || data.next === undefined;
          more.onclick = function () { more.disabled = true; fetchPage(data.next).then(function () { more.disabled = false; }); };
        }
        draw(all);
      })
      .catch(function () { box.hidden = true; });
  }
  fetchPage(0);

  function addItem(n) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = "/id/" + encodeURIComponent(n.id);
    a.textContent = n.label;
    li.appendChild(a);
    list.appendChild(li);
  }

  function draw(data) {
    var nodes = data.nodes || [], edges = data.edges || [];
    if (nodes.length <= 1) { box.hidden = true; return; }
    if (window.qkgNetwork) { window.qkgNetwork.destroy(); window.qkgNetwork = null; }
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
