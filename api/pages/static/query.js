// The query page: YASGUI (editor and result table) against this service's /sparql, our example
// queries, a share link (/query?query=...), readable errors, downloads and a graph view.
// Nothing here contacts another host: the editor's defaults that would are switched off below.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("query-config").textContent);
  const endpoint = window.location.origin + "/sparql";

  // YASGUI merges arrays index by index, so the defaults themselves are narrowed first: only the local
  // prefix and variable completion (no LOV look-ups), only our endpoint in the catalogue.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasgui.defaults.yasqe.autocompleters = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  Yasgui.defaults.endpointCatalogueOptions.getData = function () { return [{ endpoint: endpoint }]; };
  Yasgui.defaults.requestConfig.endpoint = endpoint;
  Yasgui.Yasqe.defaults.requestConfig.endpoint = endpoint;

  const shared = new URLSearchParams(window.location.search).get("query");

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
      acceptHeaderUpdate: "text/plain",
    },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    tabName: "Abfrage",
    yasqe: { value: config.defaultQuery, editorHeight: "330px", showQueryButton: true },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table", pluginOrder: ["table", "response"] },
  });

  function tab() { return yasgui.getTab(); }

  function setQuery(text, run) {
    tab().setQuery(text);
    // A failed query is shown by the response handler below; the promise's rejection is expected.
    if (run) { Promise.resolve(tab().query()).catch(function () {}); }
  }

  // Example queries
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      const example = config.examples[button.dataset.example];
      document.querySelectorAll("button.example").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
      button.setAttribute("aria-pressed", "true");
      setQuery(example.query, true);
    });
  });

  // Share link: the query travels in the address, /query?query=...
  const shareInput = document.getElementById("share-link");
  function shareLink() {
    return window.location.origin + "/query?query=" + encodeURIComponent(tab().getQuery());
  }
  document.getElementById("share").addEventListener("click", function () {
    shareInput.value = shareLink();
    shareInput.hidden = false;
    shareInput.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(shareInput.value).catch(function () {}); }
  });

  // Downloads: the same query through the endpoint's format parameter.
  function updateDownloads(isGraph) {
    const query = encodeURIComponent(tab().getQuery());
    const links = { csv: "download-csv", tsv: "download-tsv", json: "download-json", ttl: "download-ttl" };
    Object.keys(links).forEach(function (format) {
      const a = document.getElementById(links[format]);
      a.href = "/sparql?query=" + query + "&format=" + format;
      a.hidden = isGraph ? format !== "ttl" : format === "ttl";
    });
    document.getElementById("downloads").hidden = false;
  }

  // Readable errors: the endpoint's problem document names line and column.
  const errorBox = document.getElementById("query-error");
  function showError(error) {
    let text = (error && (error.text || error.statusText)) || String(error || "");
    let title = "Die Abfrage ist fehlgeschlagen.";
    let detail = text;
    let where = "";
    try {
      const problem = JSON.parse(text);
      title = problem.title || title;
      detail = problem.detail || detail;
      if (problem.line) { where = "Zeile " + problem.line + (problem.column ? ", Spalte " + problem.column : ""); }
    } catch (ignored) { /* not a problem document: show the text as it is */ }
    errorBox.textContent = "";
    const strong = document.createElement("strong");
    strong.textContent = title + (where ? " (" + where + ")" : "");
    errorBox.appendChild(strong);
    errorBox.appendChild(document.createTextNode(detail));
    errorBox.hidden = false;
  }

  // Graph view for results that are edges: CONSTRUCT/DESCRIBE results, or SELECT with ?s ?p ?o
  // (or ?subject ?predicate ?object) or ?source ?target columns.
  const graphSection = document.getElementById("graph-view");
  let network = null;
  function shortName(iri) {
    for (const prefix in config.prefixes) {
      const ns = config.prefixes[prefix];
      if (iri.startsWith(ns) && iri.length > ns.length) { return prefix + ":" + iri.slice(ns.length); }
    }
    return iri;
  }
  function edgesOf(results) {
    const vars = results.getVariables ? results.getVariables() : [];
    const bindings = results.getBindings ? results.getBindings() : null;
    if (!bindings || !bindings.length) { return null; }
    const pick = [["s", "p", "o"], ["subject", "predicate", "object"], ["source", null, "target"]]
      .find(function (names) { return vars.indexOf(names[0]) >= 0 && vars.indexOf(names[2]) >= 0; });
    if (!pick) { return null; }
    return bindings.filter(function (b) { return b[pick[0]] && b[pick[2]]; }).slice(0, 500).map(function (b) {
      return { from: b[pick[0]], label: pick[1] && b[pick[1]] ? shortName(b[pick[1]].value) : "", to: b[pick[2]] };
    });
  }
  function drawGraph(results) {
    const edges = edgesOf(results);
    if (!edges || typeof vis === "undefined") { graphSection.hidden = true; return; }
    const nodes = new Map();
    function node(term) {
      const id = term.type + " " + term.value;
      if (!nodes.has(id)) {
        const literal = term.type === "literal" || term.type === "typed-literal";
        nodes.set(id, { id: id, label: literal ? term.value.slice(0, 40) : shortName(term.value).replace(/^.*\/id\//, ""),
          title: term.value, iri: literal ? null : term.value, shape: literal ? "box" : "dot",
          color: literal ? "#f1f3f5" : "#0b5cad", font: { size: 12 } });
      }
      return id;
    }
    const visEdges = edges.map(function (e, i) {
      return { id: i, from: node(e.from), to: node(e.to), label: e.label, arrows: "to", font: { size: 10, align: "middle" } };
    });
    graphSection.hidden = false;
    if (network) { network.destroy(); }
    network = new vis.Network(document.getElementById("graph"),
      { nodes: new vis.DataSet(Array.from(nodes.values())), edges: new vis.DataSet(visEdges) },
      { physics: { stabilization: { iterations: 150 } }, interaction: { hover: true } });
    network.on("doubleClick", function (params) {
      const n = params.nodes.length ? nodes.get(params.nodes[0]) : null;
      if (n && n.iri && n.iri.startsWith("https://w3id.org/synergraph/")) {
        window.location.href = "/" + n.iri.slice("https://w3id.org/synergraph/".length);
      }
    });
  }

  yasgui.on("query", function () { errorBox.hidden = true; });
  // The event comes before the result table has the response, so the page looks after it has drawn.
  yasgui.on("queryResponse", function (instance, currentTab) {
    window.setTimeout(function () { afterResponse(currentTab); }, 0);
  });
  function afterResponse(currentTab) {
    const yasr = currentTab.getYasr();
    const results = yasr.results;
    const error = results && results.getError ? results.getError() : null;
    if (error) {
      showError(error);
      graphSection.hidden = true;
      document.getElementById("downloads").hidden = true;
      return;
    }
    errorBox.hidden = true;
    const isGraph = results && results.getType && results.getType() === "ttl";
    updateDownloads(isGraph);
    drawGraph(results);
  }

  if (shared) { setQuery(shared, true); }
  window.synergraphQueryPage = { yasgui: yasgui, shareLink: shareLink };
})();
