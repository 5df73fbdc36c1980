// The map: Leaflet with no tile server. Country shapes come from the vendored world-atlas TopoJSON (Natural
// Earth), converted with topojson-client; cities, mission routes and reception origins from /api/viz/map.
// Popups and tooltips receive DOM elements built with textContent, never HTML strings. Choosing a mission (in
// the list or on its route) fits the map to its route, highlights it and describes it in the side panel (no
// popup over the route); the permanent labels are placed greedily so that none overlaps another.
(function () {
  "use strict";
  var C = window.qkgVizCommon, h = C.h, t = C.t;
  var root = document.getElementById("qkg-map");
  var side = document.getElementById("qkg-map-side");
  if (!root || typeof L === "undefined") return;

  var ROUTE_COLOURS = ["#332288", "#117733", "#882255", "#AA4499", "#0072B2", "#D55E00", "#009E73", "#CC6677",
    "#44AA99", "#999933"];
  var ROLE_COLOURS = { mission: "#332288", reception: "#D55E00", partner: "#0072B2" };
  var state = { cityMarkers: {}, missionLines: {}, layers: {}, labels: [], selected: null };
  window.qkgMap = state;

  function link(text, href) { return href ? h("a", { href: href, text: text }) : h("span", { text: text }); }

  function receptionList(list) {
    return h("ul", {}, list.map(function (r) {
      return h("li", {}, [link(r.label, r.href), r.category_label ? h("small", { text: " · " + r.category_label }) : null]);
    }));
  }

  function cityPopup(c, recs) {
    var roles = { mission: gettext("mission stop"), reception: gettext("reception origin"),
      partner: gettext("partner city") };
    return h("div", { className: "viz-popup" }, [
      h("strong", {}, [link(c.label, c.href)]),
      c.country ? h("span", { text: " (" + c.country + ")" }) : null,
      h("p", { text: c.roles.map(function (r) { return roles[r] || r; }).join(", ") }),
      recs && recs.length ? receptionList(recs) : null,
    ]);
  }

  function draw(data, topo) {
    var map = state.map = L.map(root, { worldCopyJump: false, minZoom: 1, maxZoom: 9, zoomSnap: 0.25,
      attributionControl: true, preferCanvas: false, zoomControl: false });
    // Leaflet's own controls say English: their titles and labels in the page's language
    L.control.zoom({ zoomInTitle: gettext("Zoom in"), zoomOutTitle: gettext("Zoom out") }).addTo(map);
    map.on("popupopen", function (e) {
      var close = e.popup.getElement() && e.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", gettext("Close"));
    });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth · world-atlas · Leaflet");
    var byCountry = {};
    data.origins.countries.forEach(function (c) { if (c.atlas) byCountry[C.fold(c.atlas)] = c; });
    var maxCount = Math.max.apply(null, [1].concat(data.origins.countries.map(function (c) { return c.count; })));
    var shapes = topo ? topojson.feature(topo, topo.objects.countries) : { type: "FeatureCollection", features: [] };
    var base = L.geoJSON(shapes, { interactive: false, style: function () {
      return { fillColor: "#f3f1ea", fillOpacity: 1, color: "#9aa5b1", weight: 0.6 }; } }).addTo(map);
    var shaded = L.geoJSON({ type: "FeatureCollection", features: shapes.features.filter(function (f) {
      return byCountry[C.fold(f.properties && f.properties.name)]; }) }, {
      style: function (f) {
        var c = byCountry[C.fold(f.properties.name)], k = c.count / maxCount;
        return { fillColor: "#D55E00", fillOpacity: 0.15 + 0.55 * k, color: "#8a3c00", weight: 0.8, className: "viz-origin-country" };
      },
      onEachFeature: function (f, layer) {
        var c = byCountry[C.fold(f.properties.name)];
        layer.bindPopup(h("div", {}, [h("strong", {}, [link(c.label, c.href)]),
          h("p", { text: c.count + " " + gettext("reception(s) from this country") }), receptionList(c.receptions)]));
      },
    });
    var cities = L.layerGroup(), routes = L.layerGroup(), origins = L.layerGroup();
    var recsByCity = {}, visits = {};
    data.missions.forEach(function (m) { m.stops.forEach(function (st) { visits[st.id] = (visits[st.id] || 0) + (m.count || 1); }); });
    data.origins.cities.forEach(function (c) { recsByCity[c.id] = c.receptions; });
    data.cities.forEach(function (c) {
      var role = c.roles.indexOf("mission") >= 0 ? "mission" : (c.roles.indexOf("reception") >= 0 ? "reception" : "partner");
      var classes = "viz-city " + c.roles.map(function (r) { return "viz-city-" + r; }).join(" ");
      var marker = L.circleMarker([c.lat, c.lon], { radius: role === "partner" ? 4 : 6, color: "#1d2733", weight: 1,
        fillColor: ROLE_COLOURS[role], fillOpacity: 0.9, className: classes });
      marker.bindPopup(cityPopup(c, recsByCity[c.id]));
      marker.bindTooltip(h("span", { text: c.label }), { direction: "right", offset: [6, 0], className: "viz-city-label",
        permanent: role === "mission" });
      marker.addTo(cities);
      if (role === "mission") state.labels.push({ id: c.id, marker: marker, weight: visits[c.id] || 1 });
      state.cityMarkers[c.id] = marker;
    });
    data.missions.forEach(function (m, i) {
      if (m.path.length < 2) return;
      var line = L.polyline(m.path, { color: ROUTE_COLOURS[i % ROUTE_COLOURS.length], weight: 2.5, opacity: 0.85,
        className: "viz-route" });
      line.on("click", function () { selectMission(m.id); });
      line.addTo(routes);
      state.missionLines[m.id] = line;
      line.qkgColour = ROUTE_COLOURS[i % ROUTE_COLOURS.length];
    });
    data.origins.cities.forEach(function (c) {
      var cats = {};
      c.receptions.forEach(function (r) { cats[r.category] = true; });
      var keys = Object.keys(cats), colour = keys.length === 1 && data.categories[keys[0]] ? data.categories[keys[0]].colour : "#666666";
      L.circleMarker([c.lat, c.lon], { radius: Math.min(30, 7 + 3 * (c.count || c.receptions.length)), color: colour, weight: 2, fill: false,
        className: "viz-origin-city" }).bindPopup(cityPopup(c, c.receptions)).addTo(origins);
    });
    if (data.home) {
      var home = L.circleMarker([data.home.lat, data.home.lon], { radius: 8, color: "#000", weight: 2, fillColor: "#f2a900",
        fillOpacity: 1, className: "viz-home" }).bindTooltip(h("strong", { text: data.home.label }), { permanent: true,
        direction: "left", offset: [-8, 0], className: "viz-city-label" }).addTo(routes);
      state.labels.unshift({ marker: home, weight: Infinity });
    }
    shaded.addTo(map); origins.addTo(map); routes.addTo(map); cities.addTo(map);
    state.layers = { base: base, cities: cities, routes: routes, origins: origins, countries: shaded };
    var overlays = {};
    overlays[gettext("Missions (routes)")] = routes;
    overlays[gettext("Cities")] = cities;
    overlays[gettext("Receptions: origin cities")] = origins;
    overlays[gettext("Receptions: origin countries")] = shaded;
    var layers = L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    var toggle = layers.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle) { toggle.title = gettext("Layers"); toggle.setAttribute("aria-label", gettext("Layers")); }
    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var box = h("div", { className: "viz-map-legend", id: "viz-map-legend" });
      function row(swatch, text) { box.appendChild(h("div", {}, [swatch, h("span", { text: text })])); }
      var home = h("span", { className: "viz-swatch viz-shape-dot" });
      home.style.backgroundColor = "#f2a900";
      row(home, gettext("Québec (missions leave from here)"));
      [["mission", gettext("Mission stop")], ["reception", gettext("Reception origin")],
        ["partner", gettext("Other city")]].forEach(function (r) {
        var sw = h("span", { className: "viz-swatch viz-shape-dot" });
        sw.style.backgroundColor = ROLE_COLOURS[r[0]];
        row(sw, r[1]);
      });
      row(h("span", { className: "viz-swatch viz-legend-route" }), gettext("Mission route (one colour per mission)"));
      row(h("span", { className: "viz-swatch viz-shape-dot viz-legend-ring" }),
        gettext("Ring: receptions from that city (size: how many)"));
      row(h("span", { className: "viz-swatch viz-legend-country" }), gettext("Shaded country: receptions from it"));
      return box;
    };
    legend.addTo(map);
    var points = data.cities.map(function (c) { return [c.lat, c.lon]; });
    if (data.home) points.push([data.home.lat, data.home.lon]);
    if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.08)); else map.setView([30, 0], 2);
    state.labels.sort(function (a, b) { return b.weight - a.weight; });
    map.on("zoomend moveend", placeLabels);
    placeLabels();
    drawSide(data);
    root.setAttribute("data-drawn", "1");
  }

  // Greedy label placement: by decreasing weight (Québec, then the most visited cities), each permanent label
  // takes the first side (right, left, above, below) where it overlaps no label already placed; a label with
  // no free side (or only under a control) is hidden until a zoom makes room (the side panel lists every city).
  var SIDES = [["right", [6, 0]], ["left", [-6, 0]], ["top", [0, -6]], ["bottom", [0, 6]]];
  // Placing a label measures it (a layout each time): past this many, the least visited cities' labels stay
  // hidden (an aggregated map of a large graph has up to 1,000 cities; the side panel lists them).
  var LABELS_MAX = 150;
  function overlaps(a, b) { return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; }
  function placeLabels() {
    // the map's controls (zoom, layers, legend) are obstacles too
    var placed = Array.prototype.map.call(root.querySelectorAll(".leaflet-control"), function (c) {
      return c.getBoundingClientRect(); });
    var tried = 0;
    // the selected mission's stops first, then by weight
    var stops = {};
    if (state.selected) state.data.missions.forEach(function (m) {
      if (m.id === state.selected) m.stops.forEach(function (st) { stops[st.id] = true; }); });
    state.labels.slice().sort(function (a, b) { return (stops[b.id] ? 1 : 0) - (stops[a.id] ? 1 : 0); }).forEach(function (entry) {
      var tip = entry.marker.getTooltip();
      if (!tip || !state.map.hasLayer(entry.marker) || !tip.getElement()) return;
      var el = tip.getElement(), found = false;
      if (tried >= LABELS_MAX) { el.classList.add("viz-label-hidden"); entry.side = null; return; }
      tried += 1;
      for (var i = 0; i < SIDES.length && !found; i += 1) {
        tip.options.direction = SIDES[i][0];
        tip.options.offset = L.point(SIDES[i][1]);
        tip.update();
        var r = el.getBoundingClientRect();
        found = !placed.some(function (p) { return overlaps(r, p); });
        if (found) placed.push(r);
      }
      el.classList.toggle("viz-label-hidden", !found);
      entry.side = found ? tip.options.direction : null;
    });
  }

  function selectMission(id) {
    var m = (state.data.missions || []).filter(function (x) { return x.id === id; })[0];
    var line = state.missionLines[id];
    if (!m || !line) return;
    state.selected = id;
    Object.keys(state.missionLines).forEach(function (key) {
      var l = state.missionLines[key], on = key === id;
      l.setStyle({ weight: on ? 5 : 2, opacity: on ? 1 : 0.18 });
      var el = l.getElement();
      if (el) el.classList.toggle("viz-route-selected", on);
    });
    line.bringToFront();
    // fit the route in the part of the map the side panel and the controls leave free
    state.map.fitBounds(line.getBounds(), { paddingTopLeft: [40, 40], paddingBottomRight: [40, 40], maxZoom: 7 });
    var box = document.getElementById("viz-mission-selected");
    box.textContent = "";
    box.hidden = false;
    box.appendChild(h("h2", {}, [link(m.label, m.href)]));
    if (m.leader) box.appendChild(h("p", { text: m.leader }));
    box.appendChild(h("ol", {}, m.stops.map(function (st) { return h("li", { text: st.label }); })));
    box.appendChild(h("button", { type: "button", className: "viz-link-button", text: gettext("Show every mission"),
      onclick: clearMission }));
    Array.prototype.forEach.call(side.querySelectorAll("[data-mission]"), function (b) {
      if (b.getAttribute("data-mission") === id) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
  }

  function clearMission() {
    if (!state.selected) return false;
    state.selected = null;
    Object.keys(state.missionLines).forEach(function (key) {
      state.missionLines[key].setStyle({ weight: 2.5, opacity: 0.85 });
      var el = state.missionLines[key].getElement();
      if (el) el.classList.remove("viz-route-selected");
    });
    var box = document.getElementById("viz-mission-selected");
    box.hidden = true;
    box.textContent = "";
    Array.prototype.forEach.call(side.querySelectorAll("[aria-current]"), function (b) { b.removeAttribute("aria-current"); });
    return true;
  }
  state.selectMission = selectMission;
  state.clearMission = clearMission;

  // Escape closes an open popup, else the selected mission.
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" || !state.map) return;
    if (document.querySelector(".leaflet-popup")) { ev.preventDefault(); state.map.closePopup(); }
    else if (clearMission()) ev.preventDefault();
  });

  function drawSide(data) {
    side.textContent = "";
    side.appendChild(h("section", { id: "viz-mission-selected", className: "viz-mission-selected", hidden: "hidden",
      "aria-live": "polite" }));
    side.appendChild(h("h2", { text: gettext("Missions") + " (" + formatNumber(data.missions.length) + ")" }));
    var ol = h("ol", {});
    data.missions.forEach(function (m) {
      ol.appendChild(h("li", {}, [h("button", { type: "button", className: "viz-link-button", text: m.label,
        "data-mission": m.id, onclick: function () { selectMission(m.id); } }),
        h("small", { text: " " + m.stops.map(function (s) { return s.label; }).join(" → ") })]));
    });
    side.appendChild(ol);
    var missionCities = data.cities.filter(function (c) { return c.roles.indexOf("mission") >= 0; });
    side.appendChild(h("h2", { text: gettext("Mission cities") + " (" + formatNumber(missionCities.length) + ")" }));
    side.appendChild(h("ul", { id: "viz-mission-cities" }, missionCities.map(function (c) {
      return h("li", {}, [link(c.label, c.href), c.country ? h("small", { text: " " + c.country }) : null]); })));
    if (data.unplaced && data.unplaced.length) {
      side.appendChild(h("p", { className: "viz-count", text: gettext("No coordinates: ") + formatNumber(data.unplaced.length) }));
    }
  }

  var api = root.getAttribute("data-api") || "/api/viz/map";
  var countries = root.getAttribute("data-countries");
  Promise.all([C.getJSON(api + "?lang=" + C.LANG + (root.getAttribute("data-year") ? "&year=" + encodeURIComponent(root.getAttribute("data-year")) : "")), countries ? fetch(countries).then(function (r) { return r.json(); }) : null])
    .then(function (res) { state.data = res[0]; draw(res[0], res[1]); })
    .catch(function (err) { C.showError(root, err); });
})();
