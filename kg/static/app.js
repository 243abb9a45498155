// The query page: plain JavaScript, no library, no CDN.
"use strict";
const $ = (id) => document.getElementById(id);
let saved = [];

function shorten(iri) {
  const prefixes = [
    ["https://w3id.org/bilateral-kg/id/", "id:"],
    ["https://w3id.org/bilateral-kg/ontology#", "bkg:"],
    ["http://www.w3.org/2001/XMLSchema#", "xsd:"],
    ["http://www.wikidata.org/entity/", "wd:"],
  ];
  for (const [long, short] of prefixes) {
    if (iri.startsWith(long)) return short + decodeURIComponent(iri.slice(long.length));
  }
  return iri;
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

function showTable(json, truncated) {
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
  const n = json.results.bindings.length;
  $("status").textContent = n + " row" + (n === 1 ? "" : "s") + (truncated ? " (truncated at the server's row limit)" : "");
}

function currentParams() {
  const out = new URLSearchParams();
  for (const input of $("params").querySelectorAll("input")) {
    if (input.value.trim() !== "") out.set(input.name, input.value.trim());
  }
  return out;
}

function request(format) {
  const name = $("saved").value;
  const q = saved.find((s) => s.name === name);
  if (q && $("query").value === q.sparql) {
    const params = currentParams();
    if (format) params.set("format", format);
    return { url: "/queries/" + encodeURIComponent(name) + "?" + params.toString(), init: {} };
  }
  const body = new URLSearchParams({ query: $("query").value });
  if (format) body.set("format", format);
  return { url: "/sparql", init: { method: "POST", body: body } };
}

async function run() {
  const status = $("status");
  status.className = "";
  status.textContent = "running…";
  $("results").textContent = "";
  const { url, init } = request(null);
  init.headers = { Accept: "application/sparql-results+json, text/turtle;q=0.9" };
  try {
    const resp = await fetch(url, init);
    const ctype = resp.headers.get("Content-Type") || "";
    if (!resp.ok) {
      status.className = "error";
      status.textContent = resp.status + ": " + (await resp.text());
      return;
    }
    const truncated = resp.headers.get("X-BKG-Truncated") === "true";
    if (ctype.includes("json")) {
      showTable(await resp.json(), truncated);
    } else {
      const pre = document.createElement("pre");
      pre.textContent = await resp.text();
      $("results").appendChild(pre);
      status.textContent = (resp.headers.get("X-BKG-Rows") || "?") + " triples" + (truncated ? " (truncated)" : "");
    }
  } catch (err) {
    status.className = "error";
    status.textContent = String(err);
  }
}

function pick() {
  const q = saved.find((s) => s.name === $("saved").value);
  const form = $("params");
  form.textContent = "";
  $("saved-description").textContent = q ? q.description : "";
  if (!q) return;
  $("query").value = q.sparql;
  for (const p of q.params) {
    const label = document.createElement("label");
    label.textContent = p.name + (p.optional ? "" : " *");
    label.title = p.meaning + " (" + p.type + ")";
    const input = document.createElement("input");
    input.name = p.name;
    input.placeholder = { iso3: "KGZ", year: "2023", iri: "https://…", entity: "KGZ / JICA / IRI", literal: "name" }[p.type] || "";
    input.title = label.title;
    label.htmlFor = input.id = "param-" + p.name;
    form.append(label, input);
  }
}

async function init() {
  $("endpoint").textContent = location.origin + "/sparql";
  try {
    saved = await (await fetch("/queries")).json();
  } catch (err) {
    saved = [];
  }
  for (const q of saved) {
    const opt = document.createElement("option");
    opt.value = q.name;
    opt.textContent = q.title;
    $("saved").appendChild(opt);
  }
  $("saved").addEventListener("change", pick);
  $("run").addEventListener("click", run);
  $("query").addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") run();
  });
  $("csv").addEventListener("click", async (e) => {
    e.preventDefault();
    const { url, init } = request("csv");
    const resp = await fetch(url, init);
    const blob = new Blob([await resp.text()], { type: "text/csv" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = ($("saved").value || "query") + ".csv";
    a.click();
  });
}
init();
