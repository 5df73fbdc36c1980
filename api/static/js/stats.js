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
      // A known single day is a point at that day; a span (or a month or year) is a range over all of it.
      var oneDay = it.precision === "day" && Date.parse(it.end) - Date.parse(it.start) <= 864e5;
      return { id: it.id, group: it.group, start: it.start, end: oneDay ? undefined : it.end, type: oneDay ? "point" : "range", content: "",
        className: "viz-p-" + it.precision, label: it.label, when: it.when, href: it.href };
    }));
    var timeline = new vis.Timeline(box, items, groups, {
      // the window leaves room on the right for December's labels
      start: "2023-12-01", end: "2025-05-01", zoomMin: 1000 * 60 * 60 * 24 * 7, stack: true, orientation: "top",
      // no maxHeight: every row shows (no inner scroll); a label wider than its range overflows it, and the
      // stacking counts the label's width (viz.css lets .vis-item-overflow overflow), so labels never overlap
      margin: { item: 4 }, locale: C.LANG === "en" ? "en" : "fr", showCurrentTime: false,
      onInitialDrawComplete: function () { settle(box, timeline, done); },  // hidden until laid out
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

  // While a label that starts inside the window runs past its right edge, widen the window to show it whole
  // (a few rounds: a wider window can bring a later item in); then `done`.
  function settle(box, timeline, done) {
    var rounds = 0;
    function step() {
      var panel = box.querySelector(".vis-panel.vis-center");
      var edge = panel ? panel.getBoundingClientRect() : null, over = 0;
      if (edge) Array.prototype.forEach.call(box.querySelectorAll(".viz-item"), function (el) {
        var r = el.getBoundingClientRect();
        if (r.left < edge.right && r.left >= edge.left) over = Math.max(over, r.right - edge.right);
      });
      if (over <= 0 || rounds >= 4) { timeline.off("changed", step); done(); return; }
      rounds += 1;
      var w = timeline.getWindow(), span = w.end - w.start;
      var extra = span * (over + 24) / Math.max(1, edge.width - over - 24);
      timeline.setWindow(w.start, new Date(w.end.valueOf() + extra), { animation: false });
    }
    timeline.on("changed", step);
    step();
  }

  function tableOf(series, caption) {
    return h("details", { className: "viz-table-fallback" }, [h("summary", { text: gettext("Table") }),
      h("table", {}, [h("caption", { text: caption }), h("tbody", {}, series.labels.map(function (label, i) {
        return h("tr", {}, [h("th", { scope: "row", text: label }), h("td", { text: String(series.values[i]) })]);
      }))])]);
  }

  // A long label on several lines of at most `width` characters (Chart.js draws an array as lines).
  function wrap(label, width) {
    var lines = [], line = "";
    String(label).split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else line = line ? line + " " + word : word;
    });
    if (line) lines.push(line);
    return lines.length > 1 ? lines : lines[0] || "";
  }

  function chart(key, series, title, kind) {
    var canvas = h("canvas", { id: "viz-chart-" + key, role: "img", "aria-label": title });
    var horizontal = kind === "bar" && series.labels.length > 5;
    var box = h("div", { className: "viz-chart" }, [canvas]);
    // every bar gets its label (no skipping): a horizontal chart grows with its bars
    var labels = kind === "bar" ? series.labels.map(function (l) { return wrap(l, 18); }) : series.labels;
    var lines = labels.reduce(function (n, l) { return n + (Array.isArray(l) ? l.length : 1); }, 0);
    if (horizontal) box.style.height = Math.max(15, 3 + 0.9 * series.labels.length + 0.95 * lines) + "rem";
    var card = h("section", { className: "viz-card" }, [h("h2", { text: title }), box, tableOf(series, title)]);
    var colours = series.labels.map(function (_, i) { return series.colours[i] || PALETTE[i % PALETTE.length]; });
    state.charts[key] = new Chart(canvas, {
      type: kind,
      data: { labels: labels,
        datasets: [{ label: title, data: series.values, backgroundColor: colours, borderWidth: 1 }] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: kind !== "bar" } },
        scales: kind === "bar" ? { x: { ticks: { precision: 0, autoSkip: horizontal } },
          y: { ticks: { precision: 0, autoSkip: !horizontal } } } : {},
      },
    });
    return card;
  }

  // Which activities are not on the timeline, and why: the report's annexes list receptions and missions in
  // order (an annex rank) with no date, and some events and agreements are given no date at all.
  function undatedNote(rows) {
    return h("section", { className: "viz-undated", id: "viz-undated" }, [
      h("h3", { text: gettext("Not on the timeline") }),
      h("ul", {}, rows.map(function (r) {
        var why = r.ranked === r.count ? gettext("listed in a report annex, in order (an annex rank), with no date")
          : r.ranked === 0 ? gettext("the report gives no date")
            : format(gettext("{ranked} listed in a report annex with no date, the others with no date in the report"),
              { ranked: r.ranked });
        return h("li", { "data-kind": r.kind }, [h("strong", { text: format(gettext("{label}: {n}"), { label: r.label, n: r.count }) }), h("span", { text: " — " + why })]);
      })),
      h("p", { text: gettext("A date is never made up: these stay in the counts and the charts above, and on the map.") }),
    ]);
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
    if (data.undated && data.undated.length) root.appendChild(undatedNote(data.undated));
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

  C.getJSON((root.getAttribute("data-api") || "/api/viz/stats") + "?lang=" + C.LANG +
    (root.getAttribute("data-year") ? "&year=" + encodeURIComponent(root.getAttribute("data-year")) : ""))
    .then(function (data) { state.data = data; draw(data); })
    .catch(function (err) { C.showError(root, err); });
})();
