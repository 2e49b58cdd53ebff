// The responsibility map (/map): draws /api/map with vis-network, keeps the whole state in the URL,
// shows details, a list view, search and exports. Every text from the data is inserted as text
// (textContent, DOM nodes), never as HTML: vis-network gets no titles at all, the page shows its own
// tooltip, built from text nodes when the pointer rests on a node or a line.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const params = new URLSearchParams(window.location.search);
  const FILTERS = ["topic", "territory", "body", "role", "status", "as_of", "only", "focus", "expand"];
  const statusLine = document.getElementById("status");
  const errorBox = document.getElementById("map-error");
  const container = document.getElementById("map");
  let data = { nodes: [], edges: [] };
  let network = null;
  let byId = new Map();
  let findingsAt = new Map();

  function el(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.entries(attributes || {}).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  }
  function slug(iri) { return iri.replace(/\/+$/, "").split("/").pop(); }
  function localLink(path) { return typeof path === "string" && path.startsWith("/") && !path.startsWith("//") ? path : null; }

  // -- URL state ----------------------------------------------------------------------------------
  function setParam(name, value) {
    if (value === null || value === undefined || value === "") params.delete(name); else params.set(name, value);
  }
  function writeUrl() {
    const query = params.toString();
    window.history.replaceState(null, "", "/map" + (query ? "?" + query : ""));
    document.getElementById("share-link").value = window.location.href;
  }
  function navigate(changes) {
    Object.entries(changes).forEach(([k, v]) => setParam(k, v));
    ["select", "zoom", "x", "y"].forEach((k) => { if (!(k in changes)) params.delete(k); });
    window.location.assign("/map?" + params.toString());
  }

  function fillForms() {
    const fields = { "f-topic": "topic", "f-territory": "territory", "f-body": "body", "f-role": "role",
      "f-status": "status", "f-as-of": "as_of", "c-gemeinde": "gemeinde", "c-topic": "chain_topic" };
    Object.entries(fields).forEach(([id, name]) => { if (params.get(name)) document.getElementById(id).value = params.get(name); });
    document.getElementById("f-only").checked = params.get("only") === "findings";
    // Carry focus and the view through a new filter choice; empty fields stay out of the URL.
    const form = document.getElementById("filters");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const changes = {};
      new FormData(form).forEach((v, k) => { changes[k] = v; });
      ["topic", "territory", "body", "role", "status", "as_of", "only"].forEach((k) => { if (!(k in changes)) changes[k] = null; });
      changes.gemeinde = null; changes.chain_topic = null; changes.expand = null;
      navigate(changes);
    });
    const chain = document.getElementById("chain-form");
    chain.addEventListener("submit", (event) => {
      event.preventDefault();
      navigate({ gemeinde: document.getElementById("c-gemeinde").value.trim(),
        chain_topic: document.getElementById("c-topic").value, focus: null, expand: null });
    });
  }

  // -- legend -------------------------------------------------------------------------------------
  function legendSwatch(item, line) {
    const swatch = el("span", null, { class: line ? "swatch line" : "swatch " + (item.shape || "dot"), "aria-hidden": "true" });
    if (line) swatch.style.borderTop = "3px " + (item.dashes ? "dashed " : "solid ") + item.color;
    else swatch.style.background = item.color;
    return swatch;
  }
  function renderLegend() {
    const list = document.getElementById("legend");
    const legend = config.legend;
    // Findings first: they are what the map is for, and the list is longer than the panel.
    const groups = [["Befunde", legend.findings, true], ["Knoten", legend.nodes, false],
      ["Stellen nach Ebene", legend.bodies, false], ["Zuständigkeit nach Rolle", legend.roles, true],
      ["Weitere Beziehungen", legend.edges, true]];
    groups.forEach(([title, items, line], index) => {
      const li = el("li"); li.appendChild(el("strong", title));
      const inner = el("ul");
      if (index === 0) {
        const flagged = el("li");
        flagged.appendChild(el("span", null, { class: "swatch dot flagged", "aria-hidden": "true" }));
        flagged.appendChild(document.createTextNode(" rot umrandeter Knoten: gehört zu einem Befund"));
        inner.appendChild(flagged);
      }
      items.forEach((item) => {
        const entry = el("li"); entry.appendChild(legendSwatch(item, line));
        entry.appendChild(document.createTextNode(" " + item.label)); inner.appendChild(entry);
      });
      li.appendChild(inner); list.appendChild(li);
    });
  }

  // -- tooltips and details -----------------------------------------------------------------------
  function findingEdges(id) { return findingsAt.get(id) || []; }
  function indexFindings() {
    findingsAt = new Map();
    data.edges.forEach((e) => {
      if (!e.finding) return;
      [e.from, e.to].forEach((id) => { if (!findingsAt.has(id)) findingsAt.set(id, []); findingsAt.get(id).push(e); });
    });
  }
  const tooltip = el("div", null, { class: "map-tooltip", role: "tooltip", hidden: "" });
  function showTooltip(box, pointer) {
    tooltip.replaceChildren(box);
    tooltip.hidden = false;
    const width = container.clientWidth;
    tooltip.style.left = Math.max(0, Math.min(pointer.x + 14, width - tooltip.offsetWidth - 4)) + "px";
    tooltip.style.top = (pointer.y + 14) + "px";
  }
  function hideTooltip() { tooltip.hidden = true; }
  function nodeTooltip(node) {
    const box = el("div", null, { class: "map-tip" });
    box.appendChild(el("strong", node.label));
    box.appendChild(el("div", node.type_label + (node.detail ? " · " + node.detail : "")));
    if (node.period) box.appendChild(el("div", node.period));
    findingEdges(node.id).slice(0, 3).forEach((e) => box.appendChild(el("div", "Befund: " + e.text, { class: "tip-finding" })));
    return box;
  }
  function edgeTooltip(edge) {
    const box = el("div", null, { class: "map-tip" });
    if (edge.finding_title) box.appendChild(el("strong", edge.finding_title));
    box.appendChild(el("div", edge.text));
    return box;
  }

  function section(parent, title) { parent.appendChild(el("h3", title)); }
  async function showDetails(id) {
    const node = byId.get(id);
    if (!node) return;
    setParam("select", id); writeUrl();
    const body = document.getElementById("details-body");
    document.getElementById("details-empty").hidden = true;
    body.replaceChildren(el("p", node.label, { class: "details-title" }), el("p", node.type_label + (node.detail ? " · " + node.detail : ""), { class: "hint" }));
    const actions = el("p", null, { class: "details-actions" });
    if (node.kind === "body") actions.appendChild(button("Umgebung dieser Stelle zeigen", () => navigate({ focus: "body:" + slug(node.id), select: node.id, gemeinde: null, chain_topic: null })));
    if (node.kind === "initiative") actions.appendChild(button("Dubletten und Parallelinitiativen zeigen", () => navigate({ focus: "initiative:" + slug(node.id), select: node.id, gemeinde: null, chain_topic: null })));
    if (node.kind === "cluster") actions.appendChild(button("Gemeinden einzeln zeigen", () => expand(node)));
    const page = localLink(node.page);
    if (page) actions.appendChild(el("a", "Linked-Data-Seite öffnen", { href: page }));
    body.appendChild(actions);
    const edges = findingEdges(id);
    if (node.kind === "cluster") {
      body.appendChild(el("p", "Diese Gemeinden von " + node.detail + " sind zu einem Knoten zusammengefasst, damit die Karte übersichtlich bleibt. „Gemeinden einzeln zeigen“, Doppelklick oder Hineinzoomen zeigt sie einzeln.", { class: "hint" }));
      section(body, "Gemeinden");
      const list = el("ul");
      (node.members || []).forEach((m) => list.appendChild(el("li", m.label)));
      body.appendChild(list);
      if ((node.inner || []).length) {
        section(body, "Außerdem darin");
        const more = el("ul");
        node.inner.forEach((m) => more.appendChild(el("li", m.label + " (" + m.type_label + ")")));
        body.appendChild(more);
      }
      if (edges.length) body.appendChild(el("p", edges.length + " Befundlinien führen zu Knoten darin; einzeln gezeigt werden sie erklärt.", { class: "hint" }));
      return;
    }
    if (edges.length) {
      section(body, "Befunde");
      const list = el("ul", null, { class: "findings" });
      edges.forEach((e) => { const li = el("li"); li.appendChild(el("strong", e.finding_title || e.kind)); li.appendChild(el("div", e.text)); list.appendChild(li); });
      body.appendChild(list);
    }
    try {
      const response = await fetch("/api/map/node?iri=" + encodeURIComponent(id), { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error((await response.json()).detail || response.statusText);
      const details = await response.json();
      if (params.get("select") !== id) return;
      section(body, "Angaben");
      const table = el("table", null, { class: "facts" });
      details.facts.forEach((fact) => {
        const row = el("tr"); row.appendChild(el("th", fact.property, { scope: "row" }));
        const cell = el("td");
        const link = localLink(fact.page);
        cell.appendChild(link ? el("a", fact.value, { href: link }) : document.createTextNode(fact.value));
        row.appendChild(cell); table.appendChild(row);
      });
      body.appendChild(table);
      if (details.sources.length) {
        section(body, "Quellen");
        const list = el("ul");
        details.sources.forEach((s) => { const li = el("li"); const link = localLink(s.page); li.appendChild(link ? el("a", s.title, { href: link }) : document.createTextNode(s.title)); list.appendChild(li); });
        body.appendChild(list);
      }
      if (details.history.length) {
        section(body, "Geschichte");
        const list = el("ul");
        // "Zugehörigkeit 2020-12-31 – offen: gehört zu Uckermark", the territory linked to its page.
        details.history.forEach((h) => {
          const li = el("li", h.kind + " " + h.when + ": " + h.what + (h.label ? " " : ""));
          const link = localLink(h.page);
          if (h.label) li.appendChild(link ? el("a", h.label, { href: link }) : document.createTextNode(h.label));
          list.appendChild(li);
        });
        body.appendChild(list);
      }
    } catch (error) {
      body.appendChild(el("p", "Die Angaben ließen sich nicht laden: " + error.message, { class: "error" }));
    }
  }
  function button(text, action) { const b = el("button", text, { type: "button" }); b.addEventListener("click", action); return b; }
  function expand(cluster) {
    // The cluster disappears: its Kreis becomes the selection, unless a search picked a node inside.
    if (params.get("select") === cluster.id) setParam("select", cluster.id.slice("cluster:".length));
    const keys = (params.get("expand") || "").split(",").filter(Boolean);
    if (!keys.includes(cluster.key)) keys.push(cluster.key);
    setParam("expand", keys.join(",")); writeUrl();
    load();
  }

  // What a cluster holds, in words (list view and CSV): its Kreis, Gemeinden and what else is inside.
  function clusterContents(node) {
    const inner = (node.inner || []).map((m) => m.label + " (" + m.type_label + ")");
    return node.detail + ": " + (node.members || []).map((m) => m.label).join(", ") + (inner.length ? "; außerdem " + inner.join(", ") : "");
  }

  // -- list view ----------------------------------------------------------------------------------
  function renderList() {
    const tbody = document.querySelector("#node-table tbody");
    const sentences = new Map();
    // A responsibility draws two lines (to its topic and to its territory) with one sentence: list it once.
    data.edges.forEach((e) => { [e.from, e.to].forEach((id) => { if (!sentences.has(id)) sentences.set(id, new Set()); sentences.get(id).add(e.text); }); });
    const rows = data.nodes.slice().sort((a, b) => a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label, "de"));
    const fragment = document.createDocumentFragment();
    rows.forEach((node) => {
      const row = el("tr", null, { "data-id": node.id });
      const name = el("td");
      name.appendChild(button("Details", () => { showDetails(node.id); document.getElementById("details").focus(); }));
      name.appendChild(document.createTextNode(" " + node.label));
      row.appendChild(name);
      row.appendChild(el("td", node.type_label));
      row.appendChild(el("td", node.kind === "cluster" ? clusterContents(node) : (node.detail || "")));
      const related = el("td"); const list = el("ul");
      Array.from(sentences.get(node.id) || []).slice(0, 12).forEach((s) => list.appendChild(el("li", s)));
      related.appendChild(list); row.appendChild(related);
      const count = node.findings.length;
      row.appendChild(el("td", count === 1 ? "1 Befund" : count ? count + " Befunde" : "keine"));
      fragment.appendChild(row);
    });
    tbody.replaceChildren(fragment);
  }
  function setView(view) {
    const list = view === "list";
    document.getElementById("list").hidden = !list;
    container.hidden = list;
    document.getElementById("view-list").setAttribute("aria-pressed", String(list));
    document.getElementById("view-map").setAttribute("aria-pressed", String(!list));
    setParam("view", list ? "list" : null); writeUrl();
    if (list) renderList();
  }

  // -- chain --------------------------------------------------------------------------------------
  function renderChain(levels) {
    const box = document.getElementById("chain");
    const list = document.getElementById("chain-levels");
    box.hidden = false;
    list.replaceChildren();
    const topic = document.getElementById("c-topic");
    const topicName = topic.selectedIndex >= 0 ? topic.options[topic.selectedIndex].textContent.trim() : "";
    document.getElementById("chain-result-heading").textContent =
      "Wer ist zuständig für „" + topicName + "“ in " + (levels.length ? levels[0].label : "") + "?";
    levels.forEach((level) => {
      const li = el("li", null, { class: "chain-level" });
      li.appendChild(el("strong", level.type_label + ": " + level.label));
      const entries = el("ul");
      if (!level.entries.length) entries.appendChild(el("li", "keine erfasste Zuständigkeit für dieses Thema", { class: "hint" }));
      level.entries.forEach((e) => {
        const item = el("li");
        const page = localLink(e.body_page);
        item.appendChild(page ? el("a", e.body_label, { href: page }) : document.createTextNode(e.body_label));
        item.appendChild(document.createTextNode(" – " + e.role_label + " für „" + e.topic_label + "“ (" + e.relation + ")"));
        entries.appendChild(item);
      });
      li.appendChild(entries);
      if (level.administrations.length) li.appendChild(el("p", "Stellen mit diesem Gebiet: " + level.administrations.map((a) => a.label).join(", "), { class: "hint" }));
      list.appendChild(li);
    });
  }

  // -- drawing ------------------------------------------------------------------------------------
  function visNode(node) {
    return { id: node.id, label: node.label, x: node.x, y: node.y, shape: node.shape, size: node.size,
      color: node.color, borderWidth: node.borderWidth };
  }
  function visEdge(edge) {
    return { id: edge.id, from: edge.from, to: edge.to, color: { color: edge.color }, dashes: edge.dashes,
      width: edge.width, arrows: edge.arrows };
  }
  function viewport() {
    const rect = container.getBoundingClientRect();
    const a = network.DOMtoCanvas({ x: 0, y: 0 }); const b = network.DOMtoCanvas({ x: rect.width, y: rect.height });
    return { left: a.x, top: a.y, right: b.x, bottom: b.y };
  }
  let zoomTimer = null;
  function rememberView() {
    clearTimeout(zoomTimer);
    zoomTimer = setTimeout(() => {
      const position = network.getViewPosition();
      setParam("zoom", network.getScale().toFixed(3)); setParam("x", position.x.toFixed(0)); setParam("y", position.y.toFixed(0));
      writeUrl();
      if (network.getScale() > 1.4) {
        const box = viewport();
        const visible = data.nodes.filter((n) => n.kind === "cluster" && n.x > box.left && n.x < box.right && n.y > box.top && n.y < box.bottom);
        if (visible.length && visible.length <= 3) {
          const keys = (params.get("expand") || "").split(",").filter(Boolean);
          visible.forEach((n) => { if (!keys.includes(n.key)) keys.push(n.key); });
          setParam("expand", keys.join(",")); writeUrl(); load();
        }
      }
    }, 300);
  }
  function draw() {
    const options = {
      physics: false,
      layout: { improvedLayout: false },
      interaction: { hover: true, keyboard: { enabled: true, bindToWindow: false }, hideEdgesOnDrag: data.nodes.length > 1500, hideEdgesOnZoom: data.nodes.length > 1500 },
      nodes: { font: { size: 13, face: "system-ui, DejaVu Sans, sans-serif" }, scaling: { label: { drawThreshold: data.nodes.length > 1500 ? 8 : 4 } } },
      edges: { smooth: false, arrowStrikethrough: false, arrows: { to: { scaleFactor: 0.5 } } },
    };
    const nodes = new vis.DataSet(data.nodes.map(visNode));
    const edges = new vis.DataSet(data.edges.map(visEdge));
    if (network) network.destroy();
    network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    container.appendChild(tooltip);
    network.on("click", (event) => { if (event.nodes.length) showDetails(event.nodes[0]); });
    network.on("doubleClick", (event) => {
      const node = event.nodes.length ? byId.get(event.nodes[0]) : null;
      if (!node) return;
      if (node.kind === "cluster") expand(node);
      else if (node.kind === "body") navigate({ focus: "body:" + slug(node.id), select: node.id, gemeinde: null, chain_topic: null });
      else if (node.kind === "initiative") navigate({ focus: "initiative:" + slug(node.id), select: node.id, gemeinde: null, chain_topic: null });
    });
    const edgeById = new Map(data.edges.map((e) => [e.id, e]));
    network.on("hoverNode", (event) => showTooltip(nodeTooltip(byId.get(event.node)), event.pointer.DOM));
    network.on("hoverEdge", (event) => showTooltip(edgeTooltip(edgeById.get(event.edge)), event.pointer.DOM));
    ["blurNode", "blurEdge", "dragStart", "zoom"].forEach((name) => network.on(name, hideTooltip));
    network.on("zoom", rememberView);
    network.on("dragEnd", rememberView);
    const zoom = parseFloat(params.get("zoom"));
    if (zoom > 0) network.moveTo({ position: { x: parseFloat(params.get("x")) || 0, y: parseFloat(params.get("y")) || 0 }, scale: zoom });
    else {
      // fit() frames the nodes, not their labels: a little room keeps the outer names whole.
      network.fit({ animation: false });
      network.moveTo({ scale: network.getScale() * 0.9, animation: false });
    }
    window.synergraphMap.network = network;
  }

  async function load() {
    errorBox.hidden = true;
    const query = new URLSearchParams();
    let url = "/api/map";
    if (params.get("gemeinde") && params.get("chain_topic")) {
      url = "/api/map/chain";
      query.set("gemeinde", params.get("gemeinde")); query.set("topic", params.get("chain_topic"));
      if (params.get("as_of")) query.set("as_of", params.get("as_of"));
    } else {
      FILTERS.forEach((k) => { if (params.get(k)) query.set(k, params.get(k)); });
    }
    const started = performance.now();
    try {
      const response = await fetch(url + "?" + query.toString(), { headers: { Accept: "application/json" } });
      const body = await response.json();
      if (!response.ok) throw new Error(body.detail || response.statusText);
      data = body;
    } catch (error) {
      errorBox.replaceChildren(el("strong", "Die Karte ließ sich nicht laden."), el("span", error.message));
      errorBox.hidden = false;
      statusLine.textContent = "";
      return;
    }
    byId = new Map(data.nodes.map((n) => [n.id, n]));
    indexFindings();
    const names = document.getElementById("node-list");
    const options = document.createDocumentFragment();
    data.nodes.forEach((n) => options.appendChild(el("option", null, { value: n.label })));
    names.replaceChildren(options);
    if (data.chain) renderChain(data.chain);
    if (typeof vis !== "undefined") draw();
    setView(params.get("view") === "list" ? "list" : "map");
    statusLine.textContent = data.chain
      ? "Kette von der Gemeinde bis zum Bund: " + data.chain.length + " Ebenen, " + data.nodes.length + " Knoten. Rot umrandete Stellen gehören zu Befunden (Details per Klick)."
      : describeView() + ": " + data.nodes.length + " Knoten, " + data.edges.length + (data.edges.length === 1 ? " Beziehung, " : " Beziehungen, ") +
        data.findings + (data.findings === 1 ? " Befund" : " Befunde") + " im Bild.";
    if (params.get("select") && byId.has(params.get("select"))) {
      if (network) {
        network.selectNodes([params.get("select")]);
        if (!params.get("zoom")) network.focus(params.get("select"), { scale: Math.max(network.getScale(), 0.8), animation: false });
      }
      showDetails(params.get("select"));
    }
    window.synergraphMap.ready = true;
    window.synergraphMap.loadMs = performance.now() - started;
    document.body.dataset.mapReady = "true";
  }

  // What the current view shows, in words, so that a narrowed map is never mistaken for the whole one.
  function describeView() {
    const parts = [];
    const chosen = (id) => { const field = document.getElementById(id); return field.selectedIndex > 0 ? field.options[field.selectedIndex].textContent.trim() : null; };
    const named = (items, value) => { const found = items.find((o) => o.value === value); return found ? found.name : value; };
    const focus = params.get("focus");
    if (focus) {
      const [kind, value] = [focus.slice(0, focus.indexOf(":")), focus.slice(focus.indexOf(":") + 1)];
      const node = data.nodes.find((n) => n.kind === kind && slug(n.id) === value);
      const label = node ? node.label : value;
      parts.push(kind === "body" ? "Umgebung von " + label : "„" + label + "“ mit Dubletten und Parallelinitiativen");
    }
    if (chosen("f-topic")) parts.push("Thema " + chosen("f-topic"));
    if (params.get("territory")) parts.push("Gebiet " + named(config.options.territories, params.get("territory")));
    if (params.get("body")) parts.push("Stelle " + named(config.options.bodies, params.get("body")));
    if (chosen("f-role")) parts.push("Rolle " + chosen("f-role"));
    if (chosen("f-status")) parts.push("Status " + chosen("f-status"));
    if (params.get("as_of")) parts.push("Stichtag " + params.get("as_of"));
    if (params.get("only") === "findings") parts.push("nur Überschneidungen und Dubletten");
    return parts.length ? "Ansicht: " + parts.join(" · ") : "Ansicht: die ganze Karte";
  }

  // -- search and export --------------------------------------------------------------------------
  function search(event) {
    event.preventDefault();
    const needle = document.getElementById("search").value.trim().toLocaleLowerCase("de");
    if (!needle) return;
    const exact = data.nodes.find((n) => n.label.toLocaleLowerCase("de") === needle);
    const found = exact || data.nodes.find((n) => n.label.toLocaleLowerCase("de").includes(needle));
    if (found) {
      if (network && !container.hidden) { network.selectNodes([found.id]); network.focus(found.id, { scale: 1.2, animation: false }); }
      showDetails(found.id);
      statusLine.textContent = "Gefunden: " + found.label;
      return;
    }
    const inside = (n) => (n.members || []).concat(n.inner || []);
    const cluster = data.nodes.find((n) => n.kind === "cluster" && inside(n).some((m) => m.label.toLocaleLowerCase("de").includes(needle)));
    if (cluster) {
      const member = inside(cluster).find((m) => m.label.toLocaleLowerCase("de").includes(needle));
      setParam("select", member.iri); expand(cluster);
      return;
    }
    // Not in this view: any body, territory or topic of the whole map opens the view that shows it.
    const options = config.options;
    const match = (items) => items.find((o) => o.name.toLocaleLowerCase("de") === needle) ||
      items.find((o) => o.name.toLocaleLowerCase("de").includes(needle));
    // The other filters would hide what was found; the day stays.
    const fresh = { topic: null, territory: null, body: null, role: null, status: null, only: null, focus: null,
      expand: null, gemeinde: null, chain_topic: null };
    const body = match(options.bodies);
    if (body) { navigate(Object.assign(fresh, { focus: "body:" + body.value, select: body.iri })); return; }
    const place = match(options.territories);
    if (place) { navigate(Object.assign(fresh, { territory: place.value, select: place.iri })); return; }
    const topic = match(options.topics);
    if (topic) { navigate(Object.assign(fresh, { topic: topic.value, select: topic.iri })); return; }
    statusLine.textContent = "Nichts heißt so: weder ein Knoten dieser Ansicht noch eine Stelle, ein Gebiet oder ein Thema.";
  }
  function download(name, href) {
    const link = el("a", null, { href: href, download: name });
    document.body.appendChild(link); link.click(); link.remove();
  }
  function csvCell(value) {
    let text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text; // never a formula in a spreadsheet
    return '"' + text.replace(/"/g, '""') + '"';
  }
  function exportCsv() {
    const lines = [["Name", "Art", "Ebene, Schlüssel oder Status", "Befunde", "IRI", "Linked-Data-Seite"].map(csvCell).join(",")];
    data.nodes.forEach((n) => lines.push([n.label, n.type_label, n.kind === "cluster" ? clusterContents(n) : n.detail, n.findings.length, n.id, n.page ? window.location.origin + n.page : ""].map(csvCell).join(",")));
    lines.push("");
    lines.push(["Von", "Beziehung", "Nach", "Bedeutung"].map(csvCell).join(","));
    data.edges.forEach((e) => lines.push([(byId.get(e.from) || {}).label, e.kind, (byId.get(e.to) || {}).label, e.text].map(csvCell).join(",")));
    const blob = new Blob(["\ufeff" + lines.join("\r\n")], { type: "text/csv;charset=utf-8" });
    download("zustaendigkeitskarte.csv", URL.createObjectURL(blob));
  }
  function exportPng() {
    const source = container.querySelector("canvas");
    if (!source) return;
    const canvas = document.createElement("canvas");
    canvas.width = source.width; canvas.height = source.height;
    const context = canvas.getContext("2d");
    context.fillStyle = "#ffffff"; context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(source, 0, 0);
    download("zustaendigkeitskarte.png", canvas.toDataURL("image/png"));
  }

  window.synergraphMap = { ready: false, network: null, data: () => data };
  fillForms();
  renderLegend();
  document.getElementById("view-map").addEventListener("click", () => { setView("map"); if (network) network.redraw(); });
  document.getElementById("view-list").addEventListener("click", () => setView("list"));
  document.getElementById("search-form").addEventListener("submit", search);
  document.getElementById("export-csv").addEventListener("click", exportCsv);
  document.getElementById("export-png").addEventListener("click", exportPng);
  document.getElementById("chain-close").addEventListener("click", () => navigate({ gemeinde: null, chain_topic: null }));
  writeUrl();
  if (typeof vis === "undefined") {
    errorBox.replaceChildren(el("strong", "Die Kartenbibliothek fehlt."), el("span", "Die Liste und die Filter funktionieren trotzdem."));
    errorBox.hidden = false;
  }
  load();
})();
