// Timeline (vis-timeline) and charts (Chart.js) from /api/viz/stats. A date known to the month or the year
// is drawn as the whole month or year (dashed border), never as an invented day. Item and group contents
// are DOM elements built with textContent; chart labels are drawn on the canvas.
(function () {
  "use strict";
  var C = window.qkgVizCommon, h = C.h, t = C.t;
  var root = document.getElementById("qkg-stats");
  if (!root) return;
  var state = { charts: {} };
  window.qkgStats = state;
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#332288", "#44AA99",
    "#882255", "#999933", "#AA4499"];

  function drawTimeline(box, tl, done) {
    var groups = new vis.DataSet(tl.groups.map(function (g) { return { id: g.id, content: h("span", { text: g.label }) }; }));
    var items = new vis.DataSet(tl.items.map(function (it) {
      // A known single day is a box at that day; a span (or a month or year) is a range over all of it.
      var oneDay = it.precision === "day" && Date.parse(it.end) - Date.parse(it.start) <= 864e5;
      return { id: it.id, group: it.group, start: it.start, end: oneDay ? undefined : it.end, type: oneDay ? "box" : "range", content: "",
        className: "viz-p-" + it.precision, label: it.label, when: it.when, href: it.href };
    }));
    var timeline = new vis.Timeline(box, items, groups, {
      start: "2023-12-01", end: "2025-02-01", zoomMin: 1000 * 60 * 60 * 24 * 7, stack: true, orientation: "top",
      margin: { item: 4 }, maxHeight: 460, locale: C.LANG === "en" ? "en" : "fr", showCurrentTime: false,
      onInitialDrawComplete: done,  // the timeline stays hidden until its items are laid out
      template: function (item) {
        return h("span", { className: "viz-item" }, [h("span", { text: item.label }), h("span", { className: "viz-item-when", text: item.when })]);
      },
    });
    timeline.on("select", function (props) {
      var item = props.items.length ? items.get(props.items[0]) : null;
      if (item && item.href && C.safeHref(item.href)) window.location.assign(item.href);
    });
    state.timeline = timeline;
    state.items = items;
  }

  function tableOf(series, caption) {
    return h("details", { className: "viz-table-fallback" }, [h("summary", { text: gettext("Table") }),
      h("table", {}, [h("caption", { text: caption }), h("tbody", {}, series.labels.map(function (label, i) {
        return h("tr", {}, [h("th", { scope: "row", text: label }), h("td", { text: String(series.values[i]) })]);
      }))])]);
  }

  function chart(key, series, title, kind) {
    var canvas = h("canvas", { id: "viz-chart-" + key, role: "img", "aria-label": title });
    var card = h("section", { className: "viz-card" }, [h("h2", { text: title }), h("div", { className: "viz-chart" }, [canvas]),
      tableOf(series, title)]);
    var colours = series.labels.map(function (_, i) { return series.colours[i] || PALETTE[i % PALETTE.length]; });
    state.charts[key] = new Chart(canvas, {
      type: kind,
      data: { labels: series.labels, datasets: [{ label: title, data: series.values, backgroundColor: colours, borderWidth: 1 }] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: kind === "bar" && series.labels.length > 5 ? "y" : "x",
        plugins: { legend: { display: kind !== "bar" } },
        scales: kind === "bar" ? { x: { ticks: { precision: 0 } }, y: { ticks: { precision: 0 } } } : {},
      },
    });
    return card;
  }

  function draw(data) {
    root.textContent = "";
    var totals = data.totals;
    root.appendChild(h("ul", { className: "viz-totals" }, [
      [totals.receptions, gettext("receptions")], [totals.missions, gettext("missions")],
      [totals.agreements, gettext("agreements")], [totals.dated, gettext("dated facts")],
    ].map(function (row) { return h("li", {}, [h("strong", { text: String(row[0]) }), h("span", { text: row[1] })]); })));
    var grid = h("div", { className: "viz-stats-grid" });
    root.appendChild(grid);
    root.appendChild(h("h2", { text: gettext("Timeline") }));
    var box = h("div", { id: "viz-timeline", className: "viz-timeline" });
    root.appendChild(box);
    if (data.timeline.skipped.length) {
      root.appendChild(h("p", { className: "viz-count", text: gettext("Unreadable dates: ") + data.timeline.skipped.join(", ") }));
    }
    var c = data.charts;
    grid.appendChild(chart("receptions-category", c.receptions_by_category, gettext("Receptions by category"), "doughnut"));
    grid.appendChild(chart("receptions-country", c.receptions_by_country, gettext("Receptions by origin country"), "bar"));
    grid.appendChild(chart("missions-country", c.missions_by_country, gettext("Missions by country visited"), "bar"));
    grid.appendChild(chart("agreements-type", c.agreements_by_type, gettext("Agreements by type"), "bar"));
    drawTimeline(box, data.timeline, function () { root.setAttribute("data-drawn", "1"); });

  }

  C.getJSON((root.getAttribute("data-api") || "/api/viz/stats") + "?lang=" + C.LANG)
    .then(function (data) { state.data = data; draw(data); })
    .catch(function (err) { C.showError(root, err); });
})();
