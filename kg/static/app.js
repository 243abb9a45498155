// The query page. YASGUI's editor (YASQE: SPARQL highlighting, completion) and results viewer
// (YASR: a sortable, paged table) come from kg/static/vendor/, built from npm by `make install`;
// this file wires them to this server only: no CDN, no prefix.cc, no LOV. Prefixes complete from
// /prefixes, classes and properties from /ontology.json, saved queries run through /queries/NAME.
// Without the vendor files (no Node.js when installing) the page falls back to a plain textarea
// and a plain table, with everything else here the same.
"use strict";
const $ = (id) => document.getElementById(id);
const HISTORY_KEY = "bkg-query-history";
const HISTORY_MAX = 30;
const page = { saved: [], prefixes: {}, ontology: { classes: [], properties: [] }, labels: new Map(),
               yasqe: null, yasr: null, lastHash: null };

// ---------------------------------------------------------------- the editor (YASQE or textarea)

function getQuery() {
  return page.yasqe ? page.yasqe.getValue() : $("query").value;
}

function setQuery(text) {
  if (page.yasqe) page.yasqe.setValue(text);
  else $("query").value = text;
  changed();
}

// Only http(s) IRIs become links: an IRI from a document could be javascript:… or data:….
function isWebLink(iri) {
  try {
    const url = new URL(iri);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch (err) {
    return false;
  }
}

function shorten(iri) {
  let best = null;
  for (const [prefix, ns] of Object.entries(page.prefixes)) {
    if (iri.startsWith(ns) && iri.length > ns.length && (!best || ns.length > best[1].length)) best = [prefix, ns];
  }
  if (!best) return iri;
  let local = iri.slice(best[1].length);
  try { local = decodeURIComponent(local); } catch (err) { /* keep it as it is */ }
  return best[0] + ":" + local;
}

// ---------------------------------------------------------------- completion from this server

function termMatches(terms, token) {
  const typed = ((token && token.autocompletionString) || "").trim();
  const full = /^https?:\/\//i.test(typed);
  const lower = typed.toLowerCase();
  const out = [];
  for (const t of terms) {
    if (full) {
      if (t.iri.startsWith(typed)) out.push(t.iri);
      continue;
    }
    const local = t.curie.slice(t.curie.indexOf(":") + 1).toLowerCase();
    const labels = Object.values(t.label || {}).map((l) => l.toLowerCase());
    if (t.curie.toLowerCase().startsWith(lower) || local.startsWith(lower) || labels.some((l) => l.startsWith(lower))) {
      out.push(t.curie);
    }
  }
  return out.slice(0, 100);
}

function withLabels(yasqe, hints) {
  const declared = { ...page.prefixes, ...yasqe.getPrefixesFromQuery() };
  return hints.map((hint) => {
    let iri = hint.text;
    if (iri.startsWith("<")) iri = iri.slice(1, -1);
    else if (iri.includes(":")) {
      const prefix = iri.slice(0, iri.indexOf(":"));
      if (declared[prefix]) iri = declared[prefix] + iri.slice(prefix.length + 1);
    }
    const label = page.labels.get(iri);
    return label ? { ...hint, displayText: hint.text + "  — " + label } : hint;
  });
}

function registerCompleters(Yasqe) {
  const base = Yasqe.Autocompleters;
  const prefixList = Object.entries(page.prefixes).map(([p, ns]) => `${p}: <${ns}>`).sort();
  // PREFIX completion (and the automatic PREFIX line when a known prefix is typed) from /prefixes
  // instead of the list bundled in YASQE; its own storage key, or it would overwrite the query's.
  Yasqe.registerAutocompleter({ ...base.prefixes, get: prefixList, persistenceId: "bkg_prefixes" });
  for (const [name, terms] of [["class", page.ontology.classes], ["property", page.ontology.properties]]) {
    const fork = base[name];
    Yasqe.registerAutocompleter({
      ...fork,
      bulk: false,
      get: (yasqe, token) => termMatches(terms, token),
      // a CURIE with a prefix the server predeclares is fine as it is; full IRIs as YASQE does it
      postProcessSuggestion: (yasqe, token, s) =>
        /^https?:\/\//i.test(s) ? fork.postProcessSuggestion(yasqe, token, s) : s,
      postprocessHints: withLabels,
    });
  }
  // Only these, all local: no LOV look-ups for classes and properties.
  Yasqe.defaults.autocompleters = ["variables", "prefixes", "property", "class"];
}

// ---------------------------------------------------------------- saved queries and their forms

function savedQuery() {
  return page.saved.find((s) => s.name === $("saved").value);
}

function currentParams() {
  const out = {};
  for (const input of $("params").querySelectorAll("input")) {
    if (input.value.trim() !== "") out[input.name] = input.value.trim();
  }
  return out;
}

// What the page would run now: a saved query (its text unchanged) with its parameters, or a query.
function currentState() {
  const q = savedQuery();
  if (q && getQuery() === q.sparql) return { saved: q.name, params: currentParams() };
  return { query: getQuery() };
}

function drawParams(q, values) {
  const form = $("params");
  form.textContent = "";
  $("saved-description").textContent = q ? q.description : "";
  if (!q) return;
  for (const p of q.params) {
    const label = document.createElement("label");
    label.textContent = p.name + (p.optional ? "" : " *");
    label.title = p.meaning + " (" + p.type + ")";
    const input = document.createElement("input");
    input.name = p.name;
    input.value = (values && values[p.name]) || "";
    input.placeholder = { iso3: "KGZ", year: "2023", iri: "https://…", entity: "KGZ / JICA / IRI", literal: "name" }[p.type] || "";
    input.title = label.title;
    label.htmlFor = input.id = "param-" + p.name;
    input.addEventListener("input", changed);
    form.append(label, input);
  }
}

function pick() {
  const q = savedQuery();
  drawParams(q, {});
  if (q) setQuery(q.sparql);
  changed();
}

function request(state, format) {
  if (state.saved) {
    const params = new URLSearchParams(state.params);
    if (format) params.set("format", format);
    return { url: "/queries/" + encodeURIComponent(state.saved) + "?" + params.toString(), init: {} };
  }
  const body = new URLSearchParams({ query: state.query });
  if (format) body.set("format", format);
  return { url: "/sparql", init: { method: "POST", body: body } };
}

// ---------------------------------------------------------------- permalink and history

function stateToHash(state) {
  const h = new URLSearchParams();
  if (state.saved) {
    h.set("saved", state.saved);
    for (const [k, v] of Object.entries(state.params || {})) h.set(k, v);
  } else {
    h.set("query", state.query);
  }
  return "#" + h.toString();
}

function hashToState(hash) {
  const h = new URLSearchParams(hash.replace(/^#/, ""));
  if (h.has("saved")) {
    const params = {};
    for (const [k, v] of h) if (k !== "saved" && k !== "query") params[k] = v;
    return { saved: h.get("saved"), params };
  }
  if (h.has("query")) return { query: h.get("query") };
  return null;
}

function permalink(state) {
  return location.origin + location.pathname + stateToHash(state || currentState());
}

// Put a state in the page: the saved query and its form, or the query text.
function applyState(state) {
  const q = state.saved && page.saved.find((s) => s.name === state.saved);
  if (q) {
    $("saved").value = q.name;
    drawParams(q, state.params);
    setQuery(q.sparql);
  } else {
    $("saved").value = "";
    drawParams(null);
    setQuery(state.query || "");
  }
}

function readHistory() {
  try {
    const list = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
    return Array.isArray(list) ? list : [];
  } catch (err) {
    return [];
  }
}

function remember(state) {
  const hash = stateToHash(state);
  const list = readHistory().filter((e) => e.hash !== hash);
  list.unshift({ hash, at: new Date().toISOString() });
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(list.slice(0, HISTORY_MAX)));
  } catch (err) { /* storage full or off: no history */ }
  drawHistory();
}

function describe(state) {
  if (state.saved) {
    const q = page.saved.find((s) => s.name === state.saved);
    const params = Object.entries(state.params || {}).map(([k, v]) => k + "=" + v).join(", ");
    return (q ? q.title : state.saved) + (params ? " (" + params + ")" : "");
  }
  const line = (state.query || "").split("\n").map((l) => l.trim())
    .find((l) => l && !/^(PREFIX|BASE)\b/i.test(l)) || "(empty)";
  return line.length > 90 ? line.slice(0, 89) + "…" : line;
}

function drawHistory() {
  const select = $("history");
  while (select.options.length > 1) select.remove(1);
  for (const entry of readHistory()) {
    const state = hashToState(entry.hash);
    if (!state) continue;
    const opt = document.createElement("option");
    opt.value = entry.hash;
    opt.textContent = entry.at.slice(0, 16).replace("T", " ") + "  " + describe(state);
    select.appendChild(opt);
  }
}

// ---------------------------------------------------------------- running

function setStatus(text, error) {
  $("status").className = error ? "error" : "";
  $("status").textContent = text;
}

function isGraphQuery(state) {
  if (state.saved) return false;  // the saved queries are SELECTs
  if (page.yasqe) return ["CONSTRUCT", "DESCRIBE"].includes(page.yasqe.getQueryType());
  const body = state.query.replace(/#[^\n]*/g, "").replace(/(PREFIX|BASE)\s+\S*\s*<[^>]*>/gi, "");
  return /^\s*(CONSTRUCT|DESCRIBE)\b/i.test(body);
}

async function run(options) {
  const push = options && options.push;
  const state = currentState();
  const hash = stateToHash(state);
  page.lastHash = hash;
  if (location.hash !== hash) history[push ? "pushState" : "replaceState"](null, "", hash);
  remember(state);
  setStatus("running…");
  const { url, init } = request(state, null);
  init.headers = { Accept: "application/sparql-results+json, text/turtle;q=0.9" };
  const started = performance.now();
  let resp, text;
  try {
    resp = await fetch(url, init);
    text = await resp.text();
  } catch (err) {
    setStatus(String(err), true);
    return;
  }
  const duration = Math.round(performance.now() - started);
  if (!resp.ok) {
    setStatus(resp.status + ": " + text, true);
    if (page.yasr) page.yasr.setResponse({ error: { status: resp.status, statusText: resp.statusText, text } }, duration);
    else $("results").textContent = "";
    return;
  }
  const ctype = resp.headers.get("Content-Type") || "";
  const truncated = resp.headers.get("X-BKG-Truncated") === "true" ? " (truncated at the server's row limit)" : "";
  let summary;
  if (ctype.includes("json")) {
    const json = JSON.parse(text);
    if ("boolean" in json) summary = json.boolean ? "true" : "false";
    else {
      const n = json.results.bindings.length;
      summary = n + " row" + (n === 1 ? "" : "s");
    }
    if (!page.yasr) showTable(json);
  } else {
    summary = (resp.headers.get("X-BKG-Rows") || "?") + " triples";
    if (!page.yasr) showText(text);
  }
  if (page.yasr) {
    page.yasr.setResponse({ ok: true, status: resp.status, statusText: resp.statusText,
                            headers: resp.headers, type: resp.type, content: text || "\n" }, duration);
  }
  setStatus(summary + truncated + " in " + duration + " ms");
}

// The facts of an entity, in the page: w3id IRIs do not resolve, and this is where they live.
const SAFE_IRI = /^[^\s<>"{}|^`\\]+$/;

function showFacts(iri) {
  if (!isWebLink(iri) || !SAFE_IRI.test(iri)) return;
  $("saved").value = "";
  drawParams(null);
  setQuery(
    `# The facts about ${shorten(iri)}\n` +
    `SELECT ?property ?value WHERE {\n  <${iri}> ?property ?value .\n} ORDER BY ?property ?value`
  );
  run({ push: true });
}

function onResultsClick(event) {
  const a = event.target.closest("a");
  if (!a || !a.closest("td")) return;  // not a result cell (YASR's own controls)
  if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  event.stopPropagation();
  showFacts(a.getAttribute("href"));
}

// The IRI a YASR cell shows: as it is, or prefix:local with a prefix of the table's.
function shownIri(text) {
  const m = /^([A-Za-z][\w.-]*|):(.*)$/.exec(text);
  const prefixes = page.yasr ? page.yasr.getPrefixes() : page.prefixes;
  if (m && !text.includes("://") && Object.prototype.hasOwnProperty.call(prefixes, m[1])) return prefixes[m[1]] + m[2];
  return text;
}

// YASR writes <a href='IRI'> for every IRI; DOMPurify drops a javascript: href but leaves the <a>,
// and an IRI with a quote (legal in an IRI) loses what follows it. So the href is set again from
// the IRI shown, and anything that is not an http(s) link becomes plain text, whatever page of
// the table is drawn.
function unlinkOthers() {
  for (const a of $("results").querySelectorAll("td a")) {
    if (a.classList.contains("iri")) {
      const iri = shownIri(a.textContent);
      if (a.getAttribute("href") !== iri) {
        if (isWebLink(iri)) a.setAttribute("href", iri);
        else a.removeAttribute("href");
      }
    }
    const href = a.getAttribute("href");
    if (href && isWebLink(href)) {
      if (!a.title) a.title = href + " — click: its facts here; Ctrl+click: open the IRI";
      continue;
    }
    const span = document.createElement("span");
    span.className = "iri-text";
    span.textContent = a.textContent;
    a.replaceWith(span);
  }
}

// ---------------------------------------------------------------- the plain fallback

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri" && isWebLink(term.value)) {
    const a = document.createElement("a");
    a.href = term.value;
    a.rel = "noopener noreferrer";
    a.textContent = shorten(term.value);
    a.title = term.value;
    td.appendChild(a);
  } else if (term.type === "uri") {
    td.textContent = shorten(term.value);  // urn:, mailto:, javascript:… shown, never a link
    td.title = term.value;
  } else {
    td.textContent = term.value;
    if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
    else if (term.datatype) td.title = shorten(term.datatype);
  }
  return td;
}

function showTable(json) {
  const box = $("results");
  box.textContent = "";
  if ("boolean" in json) {
    box.textContent = json.boolean ? "true" : "false";
    return;
  }
  const vars = json.head.vars;
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = v;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const b of json.results.bindings) {
    const tr = body.insertRow();
    for (const v of vars) tr.appendChild(cell(b[v]));
  }
  box.appendChild(table);
}

function showText(text) {
  const pre = document.createElement("pre");
  pre.textContent = text;
  $("results").textContent = "";
  $("results").appendChild(pre);
}

// ---------------------------------------------------------------- downloads

const DOWNLOADS = {
  results: { csv: ["CSV", "csv", "csv"], tsv: ["TSV", "tsv", "tsv"], json: ["JSON", "json", "json"] },
  graph: { csv: ["Turtle", "turtle", "ttl"], tsv: ["N-Triples", "nt", "nt"], json: ["JSON-LD", "jsonld", "jsonld"] },
};

function changed() {
  const state = currentState();
  // a saved query whose text was edited runs as a plain query: its form no longer applies
  const stale = Boolean(savedQuery()) && !state.saved;
  $("params").classList.toggle("stale", stale);
  $("params").title = stale ? "The query was edited: it runs as written, without these parameters." : "";
  const kind = isGraphQuery(state) ? "graph" : "results";
  for (const button of document.querySelectorAll("button.download")) {
    button.textContent = DOWNLOADS[kind][button.dataset.format][0];
  }
  $("permalink").href = permalink(state);
}

async function download(event) {
  const state = currentState();
  const [, format, ext] = DOWNLOADS[isGraphQuery(state) ? "graph" : "results"][event.currentTarget.dataset.format];
  const { url, init } = request(state, format);
  setStatus("downloading…");
  try {
    const resp = await fetch(url, init);
    if (!resp.ok) {
      setStatus(resp.status + ": " + (await resp.text()), true);
      return;
    }
    const blob = new Blob([await resp.arrayBuffer()], { type: resp.headers.get("Content-Type") || "" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = (state.saved || "query") + "." + ext;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    setStatus("downloaded " + a.download);
  } catch (err) {
    setStatus(String(err), true);
  }
}

// ---------------------------------------------------------------- start

async function getJson(url, fallback) {
  try {
    const resp = await fetch(url);
    return resp.ok ? await resp.json() : fallback;
  } catch (err) {
    return fallback;
  }
}

function startYasgui() {
  const { Yasqe, Yasr } = window.Yasgui;
  registerCompleters(Yasqe);
  const yasqe = new Yasqe($("editor"), {
    value: $("query").value,
    persistenceId: "bkg_query",  // the last query is kept (localStorage) across visits
    consumeShareLink: null,  // the page reads its own permalinks (below)
    createShareableLink: () => permalink(),
    requestConfig: { endpoint: location.origin + "/sparql", method: "POST" },  // for its cURL line
    extraKeys: { "Ctrl-Enter": () => run(), "Cmd-Enter": () => run() },
    editorHeight: "280px",
  });
  yasqe.query = () => run();  // YASQE's ▶ button
  yasqe.on("change", changed);
  const yasr = new Yasr($("results"), {
    persistenceId: "bkg_results",  // table settings (page size…) kept; results are not
    maxPersistentResponseSize: 0,
    prefixes: () => ({ ...page.prefixes, ...yasqe.getPrefixesFromQuery() }),
    getDownloadFileName: () => currentState().saved || "query",
  });
  $("query").hidden = true;
  document.body.classList.add("yasgui");
  page.yasqe = yasqe;
  page.yasr = yasr;
  new MutationObserver(unlinkOthers).observe($("results"), { childList: true, subtree: true });
}

async function init() {
  $("endpoint").textContent = location.origin + "/sparql";
  const [saved, prefixes, ontology] = await Promise.all([
    getJson("/queries", []), getJson("/prefixes", {}), getJson("/ontology.json", { classes: [], properties: [] }),
  ]);
  page.saved = saved;
  page.prefixes = prefixes;
  page.ontology = ontology;
  for (const t of [...ontology.classes, ...ontology.properties]) {
    const label = [t.label && t.label.ja, t.label && t.label.en].filter(Boolean).join(" / ");
    if (label) page.labels.set(t.iri, label);
  }
  for (const q of saved) {
    const opt = document.createElement("option");
    opt.value = q.name;
    opt.textContent = q.title;
    $("saved").appendChild(opt);
  }
  if (window.Yasgui && window.Yasgui.Yasqe) startYasgui();
  else document.body.classList.add("plain");
  $("saved").addEventListener("change", pick);
  $("run").addEventListener("click", () => run());
  $("query").addEventListener("input", changed);
  $("query").addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") run();
  });
  for (const button of document.querySelectorAll("button.download")) button.addEventListener("click", download);
  $("results").addEventListener("click", onResultsClick, true);
  $("history").addEventListener("change", () => {
    const state = hashToState($("history").value);
    $("history").value = "";
    if (state) applyState(state);
  });
  $("permalink").addEventListener("click", (e) => {
    // a plain click copies the link too; the address bar shows it
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    const link = permalink();
    history.replaceState(null, "", link);
    if (navigator.clipboard) navigator.clipboard.writeText(link).then(() => setStatus("permalink copied"), () => {});
  });
  // A permalink (#query=… or #saved=NAME&param=…) restores its query and runs it; so do Back and
  // Forward between the entities opened from the results.
  const restore = () => {
    if (location.hash === page.lastHash) return;
    const state = hashToState(location.hash);
    page.lastHash = location.hash;
    if (!state) return;
    applyState(state);
    run();
  };
  window.addEventListener("popstate", restore);
  window.addEventListener("hashchange", restore);
  drawHistory();
  changed();
  restore();
  window.bkg = { run, getQuery, setQuery, permalink, showFacts, page };
  window.bkgReady = true;
}
init();
