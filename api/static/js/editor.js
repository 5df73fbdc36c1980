// The SPARQL editor: CodeMirror 5 (vendored), example queries, Run (POST /sparql), results table, downloads.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var textarea = document.getElementById("query");
  var status = document.getElementById("status");
  var errorBox = document.getElementById("error");
  var results = document.getElementById("results");
  var downloads = document.getElementById("downloads");
  var examples = JSON.parse(document.getElementById("qkg-examples").textContent);
  var prefixes = JSON.parse(document.getElementById("qkg-prefixes").textContent);
  var ENTITY = prefixes.qkgd, TERM = prefixes.qkg;
  var marked = null;

  var editor = window.CodeMirror ? CodeMirror.fromTextArea(textarea, {
    mode: "application/sparql-query", lineNumbers: true, matchBrackets: true, indentUnit: 2,
    extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run }
  }) : null;
  if (!editor) {
    textarea.addEventListener("keydown", function (ev) { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); } });
  }
  window.qkgEditor = editor;

  function text() { return editor ? editor.getValue() : textarea.value; }
  function setText(value) { if (editor) editor.setValue(value); else textarea.value = value; }

  document.getElementById("examples").addEventListener("change", function (ev) {
    var ex = examples.filter(function (e) { return e.name === ev.target.value; })[0];
    if (ex) setText(ex.sparql);
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });

  // The endpoint pre-declares the project's prefixes (its service description lists them), so the text is
  // sent as written and the lines of an error are the editor's own.
  function withPrefixes(query) { return { text: query, offset: 0 }; }

  // The address carries the query: a permalink opens the editor with it and runs it; Back and Forward
  // bring earlier queries back.
  function urlQuery() { return new URLSearchParams(window.location.search).get("query"); }
  function remember(query) {
    if (urlQuery() === query) return;
    var params = new URLSearchParams(window.location.search);
    params.set("query", query);
    params.delete("format");
    window.history.pushState({ query: query }, "", window.location.pathname + "?" + params.toString());
  }
  window.addEventListener("popstate", function () {
    var q = urlQuery();
    if (q !== null) { setText(q); run(true); }
  });

  function short(iri) {
    var best = null;
    Object.keys(prefixes).forEach(function (p) {
      var ns = prefixes[p];
      if (iri.indexOf(ns) === 0 && iri.slice(ns.length).indexOf("/") < 0 && (!best || ns.length > prefixes[best].length)) best = p;
    });
    return best ? best + ":" + iri.slice(prefixes[best].length) : "<" + iri + ">";
  }

  function hrefFor(iri) {
    if (iri.indexOf(ENTITY) === 0 && iri.slice(ENTITY.length).indexOf("/") < 0) return "/id/" + iri.slice(ENTITY.length);
    if (iri.indexOf(TERM) === 0) return "/def/" + iri.slice(TERM.length);
    return /^https?:\/\//.test(iri) ? iri : null;
  }

  // A term as text: its CURIE for an IRI, its value otherwise (chart labels, graph nodes).
  function label(term) {
    if (!term) return "";
    if (term.type === "uri") return short(term.value);
    if (term.type === "bnode") return "_:" + term.value;
    return term.value;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      var href = hrefFor(term.value);
      var node = document.createElement(href ? "a" : "span");
      if (href) node.href = href;
      node.textContent = short(term.value);
      node.title = term.value;
      td.appendChild(node);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      var span = document.createElement("span");
      span.textContent = term.value;
      if (term["xml:lang"]) span.lang = term["xml:lang"];
      td.appendChild(span);
      if (term["xml:lang"] || term.datatype) {
        var small = document.createElement("small");
        small.className = "lang";
        small.textContent = term["xml:lang"] ? " @" + term["xml:lang"] : " " + short(term.datatype);
        td.appendChild(small);
      }
    }
    return td;
  }

  function table(vars, rows) {
    var wrap = document.createElement("div");
    wrap.className = "table-wrap";
    var t = document.createElement("table");
    t.className = "results-table";
    var head = t.createTHead().insertRow();
    vars.forEach(function (v) { var th = document.createElement("th"); th.scope = "col"; th.textContent = v; head.appendChild(th); });
    var body = t.createTBody();
    rows.forEach(function (r) { var tr = body.insertRow(); vars.forEach(function (v) { tr.appendChild(cell(r[v])); }); });
    wrap.appendChild(t);
    return wrap;
  }

  // N-Triples (CONSTRUCT/DESCRIBE answers) -> rows of s, p, o.
  function parseNTriples(body) {
    var term = /^\s*(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?)/;
    return body.split("\n").filter(function (l) { return l.trim() && l.trim()[0] !== "#"; }).map(function (line) {
      var out = [], rest = line;
      for (var i = 0; i < 3; i++) {
        var m = term.exec(rest);
        if (!m) break;
        out.push(toTerm(m[1]));
        rest = rest.slice(m[0].length);
      }
      return { subject: out[0], predicate: out[1], object: out[2] };
    });
  }
  function toTerm(tok) {
    if (tok[0] === "<") return { type: "uri", value: tok.slice(1, -1) };
    if (tok[0] === "_") return { type: "bnode", value: tok.slice(2) };
    var m = /^"((?:[^"\\]|\\.)*)"(?:@([\w-]+)|\^\^<([^>]*)>)?$/.exec(tok);
    var value = JSON.parse('"' + m[1].replace(/\\U([0-9A-Fa-f]{8})/g, function (_, h) {
      return String.fromCodePoint(parseInt(h, 16)).split("").map(function (c) { return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4); }).join("");
    }) + '"');
    return { type: "literal", value: value, "xml:lang": m[2], datatype: m[3] };
  }

  function showError(err, offset) {
    var msg = err.error || gettext("error");
    var line = err.line ? err.line - offset : null;
    // one place, in plain words: the server's own "at line L, column C" (in English or French, as the page
    // asked) is dropped, the editor's line shown
    var lines = msg.split("\n");
    var first = lines[0]
      .replace(/^(?:syntax error at line|erreur de syntaxe à la ligne) \d+, (?:column|colonne) \d+ ?: */i, "")
      .replace(/ (?:at line|à la ligne) \d+(, (?:column|colonne) \d+)?/i, "");
    errorBox.textContent = "";
    var p = document.createElement("p");
    p.className = "error-message";
    p.textContent = (line && line > 0 ? format(err.column ? gettext("Syntax error on line {line}, column {column}: ") : gettext("Error on line {line}: "),
      { line: line, column: err.column }) : "") + first;
    errorBox.appendChild(p);
    if (lines.length > 1) {
      var pre = document.createElement("pre"); pre.className = "error-context"; pre.textContent = lines.slice(1).join("\n");
      errorBox.appendChild(pre);
    }
    if (err.hint) { var h = document.createElement("p"); h.className = "hint"; h.textContent = err.hint; errorBox.appendChild(h); }
    errorBox.hidden = false;
    if (editor && line && line > 0) {
      marked = editor.addLineClass(line - 1, "background", "cm-error-line");
      editor.setCursor({ line: line - 1, ch: Math.max(0, (err.column || 1) - 1) });
      editor.focus();
    }
  }

  function setDownloads(query, isGraph) {
    function url(fmt) { return "/sparql?" + new URLSearchParams({ query: query, format: fmt }).toString(); }
    ["json", "csv", "tsv"].forEach(function (f) {
      var a = document.getElementById("dl-" + f);
      a.href = url(isGraph && f === "json" ? "jsonld" : f);
      a.hidden = isGraph && f !== "json";
    });
    var ttl = document.getElementById("dl-turtle");
    ttl.href = url("turtle");
    ttl.hidden = !isGraph;
    downloads.hidden = false;
  }

  function run(fromHistory) {
    var prepared = withPrefixes(text());
    if (fromHistory !== true) remember(prepared.text);
    if (marked !== null && editor) { editor.removeLineClass(marked, "background", "cm-error-line"); marked = null; }
    errorBox.hidden = true;
    status.textContent = gettext("Running…");
    var started = performance.now();
    fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json, application/n-triples;q=0.9" },
      body: new URLSearchParams({ query: prepared.text }).toString()
    }).then(function (r) {
      var type = (r.headers.get("Content-Type") || "").split(";")[0];
      var rows = r.headers.get("X-QKG-Rows"), truncated = r.headers.get("X-QKG-Truncated") === "true";
      var ms = Math.round(performance.now() - started);
      if (!r.ok) {
        return r.json().catch(function () { return { error: "HTTP " + r.status }; }).then(function (err) {
          status.textContent = format(gettext("Error {status}"), { status: r.status });
          results.textContent = "";
          showError(err, prepared.offset);
        });
      }
      return r.text().then(function (body) {
        results.textContent = "";
        var isGraph = type === "application/n-triples";
        if (isGraph) {
          window.qkgResultViews.show(results, ["subject", "predicate", "object"], parseNTriples(body), table, label);
        } else {
          var data = JSON.parse(body);
          if ("boolean" in data) {
            var p = document.createElement("p"); p.className = "boolean"; p.textContent = String(data.boolean); results.appendChild(p);
          } else {
            window.qkgResultViews.show(results, data.head.vars, data.results.bindings, table, label);
          }
        }
        status.textContent = format(ngettext("{n} row", "{n} rows", Number(rows || 0)), { n: Number(rows || 0) }) + " · " + formatNumber(ms) + " ms" + (truncated ? " · " + gettext("truncated") : "");
        setDownloads(prepared.text, isGraph);
      });
    }).catch(function (e) { status.textContent = gettext("Network error"); showError({ error: String(e) }, 0); });
  }
  if (urlQuery()) run(true);  // a permalink: show its answer at once
})();
