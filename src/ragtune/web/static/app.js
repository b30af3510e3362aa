// The calculator page: holds the scenario, re-prices it through POST /api/analyse on every edit
// (debounced), renders tables and the chart, keeps the scenario in the URL (#s=base64url(JSON))
// and imports / exports YAML through the API. Every number shown comes from the server.

import { renderChart } from "./chart.js";
import { addOption, renderForm } from "./form.js";

const DEBOUNCE_MS = 250;
const DEFAULT_EXAMPLE = "projects_vs_local";
const $ = (sel) => document.querySelector(sel);

let state = null; // the scenario, in YAML-file form
let catalog = { models: [], gpus: [], embeddings: [], infra: [] };
let timer = null;
let sent = 0; // sequence number of the latest request; older answers are dropped
let lastHash = "";

// --- formatting (display only; the raw number stays in data-value) ---
const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const cents = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export function usd(v) {
  if (v === null || v === undefined) return "–";
  return Math.abs(v) >= 100 ? `$${grouped.format(v)}` : `$${cents.format(v)}`;
}
const vol = (v) => (v === null || v === undefined ? "never" : grouped.format(v));
const pct = (v) => (v === null || v === undefined ? "–" : `${Math.round(v * 100)}%`);

function cell(text, key, value) {
  const td = document.createElement("td");
  td.textContent = text;
  if (key) {
    td.dataset.key = key;
    td.dataset.value = value === null || value === undefined ? "" : String(value);
  }
  return td;
}

// --- URL <-> scenario ---
function encode(obj) {
  const bytes = new TextEncoder().encode(JSON.stringify(obj));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function decode(text) {
  let s = text.replace(/-/g, "+").replace(/_/g, "/");
  while (s.length % 4) s += "=";
  const bytes = Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}
function fromHash() {
  const m = location.hash.match(/^#s=([A-Za-z0-9_-]+)$/);
  if (!m) return null;
  try { return decode(m[1]); } catch { return null; }
}
function saveHash() {
  lastHash = `#s=${encode(state)}`;
  history.replaceState(null, "", lastHash);
  $("#share-url").value = location.href;
}

// --- status and errors ---
function setStatus(kind, text) {
  document.body.dataset.state = kind;
  $("#status").textContent = text;
}
function clearErrors() {
  $("#errors").replaceChildren();
  for (const n of document.querySelectorAll(".invalid")) n.classList.remove("invalid");
  for (const n of document.querySelectorAll(".field-error")) n.remove();
}
function showErrors(detail) {
  clearErrors();
  const list = Array.isArray(detail) ? detail : [{ msg: String(detail), field: "" }];
  for (const d of list) {
    const field = d.field ?? (d.loc || []).slice(1).join(".");
    const input = field ? document.querySelector(`[data-field="${CSS.escape(field)}"]`) : null;
    const given = d.input === undefined || d.input === null ? "" : String(d.input);
    const text = given && !d.msg.includes(given) ? `${d.msg} (given: ${given})` : d.msg;
    if (input) {
      input.classList.add("invalid");
      const note = document.createElement("div");
      note.className = "field-error";
      note.textContent = text;
      input.closest(".row")?.append(note);
    }
    const li = document.createElement("li");
    li.textContent = field ? `${field}: ${text}` : text;
    $("#errors").append(li);
  }
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({ detail: response.statusText }));
  return { ok: response.ok, status: response.status, data };
}

// --- recompute ---
function edited() {
  saveHash();
  clearTimeout(timer);
  setStatus("busy", "computing…");
  timer = setTimeout(recompute, DEBOUNCE_MS);
}
function structureChanged() {
  renderForm($("#form"), state, catalog, edited, structureChanged);
  edited();
}

async function recompute() {
  const seq = ++sent;
  setStatus("busy", "computing…");
  let answer;
  try {
    answer = await api("/api/analyse", { scenario: state });
  } catch (err) {
    if (seq === sent) setStatus("error", `server unreachable: ${err}`);
    return;
  }
  if (seq !== sent) return;
  if (!answer.ok) {
    showErrors(answer.data.detail);
    setStatus(answer.status === 422 ? "invalid" : "error",
      answer.status === 422 ? "fix the highlighted inputs" : `error ${answer.status}`);
    return;
  }
  clearErrors();
  await renderResults(answer.data);
  if (seq !== sent) return; // a newer answer is being drawn
  document.body.dataset.revision = String(Number(document.body.dataset.revision) + 1);
  setStatus("ready", `up to date · ${answer.data.elapsed_ms.toFixed(0)} ms on the server`);
}

async function renderResults(data) {
  const a = data.analysis;
  $("#title").textContent = data.scenario;
  const growth = a.growth ? `, growing ${(a.growth * 100).toFixed(1)}%/month` : "";
  const mc = a.samples ? ` · ${grouped.format(a.samples)} Monte Carlo samples` : "";
  $("#summary").textContent = `${vol(a.volume)} requests/month${growth}, ${a.horizon}-month horizon${mc}`;
  $("#summary").dataset.volume = String(a.volume);
  $("#tco-head").textContent = `TCO ${a.horizon} mo`;
  $("#horizon-head").textContent = `TCO break-even over ${a.horizon} months`;
  const rows = a.options.map((o) => {
    const tr = document.createElement("tr");
    tr.dataset.option = o.name;
    const mb = o.monthly_band, tb = o.tco_band;
    tr.append(cell(o.name), cell(`$${(o.request_cost ?? 0).toFixed(6)}`, "request_cost", o.request_cost),
      cell(usd(o.monthly), "monthly", o.monthly), cell(usd(o.tco), "tco", o.tco),
      cell(usd(o.upfront), "upfront", o.upfront),
      cell(mb ? `${usd(mb.p10)} – ${usd(mb.p90)}` : "–", "monthly_band", mb ? [mb.p10, mb.p90].map((v) => v ?? "").join(",") : ""),
      cell(tb ? `${usd(tb.p10)} – ${usd(tb.p90)}` : "–", "tco_band", tb ? [tb.p10, tb.p90].map((v) => v ?? "").join(",") : ""),
      cell(o.gpus === null ? "–" : `${o.gpus} (${pct(o.utilisation)} used)`, "gpus", o.gpus));
    tr.firstChild.className = "name";
    return tr;
  });
  $("#options-table tbody").replaceChildren(...rows);
  const pairs = a.pairs.map((p) => {
    const tr = document.createElement("tr");
    tr.dataset.pair = `${p.a}|${p.b}`;
    const first = p.crossing.volumes.length ? p.crossing.volumes[0] : null;
    const more = p.crossing.volumes.length > 1 ? ` (+${p.crossing.volumes.length - 1} more)` : "";
    const payback = p.payback_option === null ? "–"
      : p.payback_months === null ? `${p.payback_option}: never`
        : `${p.payback_option}: ${p.payback_months.toFixed(1)} months`;
    const b = p.breakeven_band;
    // The horizon crossing counts upfront and retraining: run-rate alone never says "every volume".
    const h = p.horizon_crossing;
    const hFirst = h.volumes.length ? h.volumes[0] : null;
    const horizon = hFirst !== null
      ? (h.cheaper_below === null
        ? `equal below ${vol(hFirst)}; ${h.cheaper_after[0] ?? "equal"} cheaper above`
        : `${h.cheaper_below} cheaper below ${vol(hFirst)}`)
      : h.cheaper_below === null ? "same cost" : `never within ${h.horizon} months (${h.cheaper_below} cheaper)`;
    tr.append(cell(`${p.a} vs ${p.b}`), cell(vol(first) + more, "breakeven", first),
      cell(p.crossing.cheaper_below ?? "same", "cheaper_below", p.crossing.cheaper_below),
      cell(horizon, "horizon_breakeven", hFirst),
      cell(payback, "payback_months", p.payback_months),
      cell(b ? `${vol(b.p10)} / ${vol(b.p50)} / ${vol(b.p90)}` : "–", "breakeven_band",
        b ? [b.p10, b.p50, b.p90].map((v) => v ?? "").join(",") : ""),
      cell(pct(p.p_a_cheaper), "p_a_cheaper", p.p_a_cheaper));
    return tr;
  });
  $("#pairs-table tbody").replaceChildren(...pairs);
  renderBreakdowns(a.options);
  const c = data.chart;
  $("#chart-caption").textContent = "Dotted rules: break-even volumes (each labelled below the plot). "
    + "Solid rule: the scenario volume. Hover for exact values; click a legend entry to hide an "
    + "option, a line to focus on it (double-click clears)."
    + (c.samples ? ` Shaded: P10–P90 of ${grouped.format(c.samples)} Monte Carlo draws at each volume.` : "");
  await renderChart($("#chart"), data.chart_spec);
}

function renderBreakdowns(options) {
  const box = $("#breakdowns div");
  box.replaceChildren();
  for (const o of options) {
    const table = document.createElement("table");
    const head = document.createElement("tr");
    head.append(cell(o.name), cell(usd(o.monthly)), cell(""));
    table.append(head);
    for (const item of o.breakdown) {
      const tr = document.createElement("tr");
      tr.append(cell(`  ${item.name}`), cell(usd(item.amount)), cell(item.note));
      table.append(tr);
    }
    box.append(table);
  }
}

// --- loading, import, export, share ---
function load(scenario) {
  state = scenario;
  renderForm($("#form"), state, catalog, edited, structureChanged);
  edited();
}

async function loadExample(name) {
  const answer = await api(`/api/examples/${encodeURIComponent(name)}`);
  if (answer.ok) load(answer.data.scenario);
}

async function importFile(file) {
  const text = await file.text();
  const answer = await api("/api/scenario/import", { yaml: text });
  if (!answer.ok) {
    showErrors(answer.data.detail);
    setStatus("invalid", `could not import ${file.name}`);
    return;
  }
  load(answer.data.scenario);
}

async function exportFile() {
  const answer = await api("/api/scenario/export", { scenario: state });
  if (!answer.ok) {
    showErrors(answer.data.detail);
    setStatus("invalid", "fix the highlighted inputs before exporting");
    return;
  }
  const blob = new Blob([answer.data.yaml], { type: "text/yaml" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `${(state.name || "scenario").toLowerCase().replace(/[^a-z0-9]+/g, "-")}.yaml`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

async function start() {
  $("#form").addEventListener("submit", (e) => e.preventDefault());
  const [cat, examples] = await Promise.all([api("/api/catalog"), api("/api/examples")]);
  for (const section of Object.keys(catalog)) catalog[section] = cat.data[section].map((e) => e.name);
  for (const ex of examples.data) {
    const opt = document.createElement("option");
    opt.value = ex.name;
    opt.textContent = ex.title;
    $("#example").append(opt);
  }
  $("#example").addEventListener("change", (e) => e.target.value && loadExample(e.target.value));
  $("#import").addEventListener("change", (e) => e.target.files[0] && importFile(e.target.files[0]));
  $("#export").addEventListener("click", exportFile);
  $("#add-option").addEventListener("click", () => { addOption(state, catalog); structureChanged(); });
  $("#share").addEventListener("click", async () => {
    $("#share-url").select();
    try { await navigator.clipboard.writeText(location.href); setStatus(document.body.dataset.state, "link copied"); } catch { /* selected for manual copy */ }
  });
  window.addEventListener("hashchange", () => {
    if (location.hash === lastHash) return;
    const shared = fromHash();
    if (shared) load(shared);
  });
  const shared = fromHash();
  if (shared) load(shared); else await loadExample(DEFAULT_EXAMPLE);
}

start().catch((err) => setStatus("error", `failed to start: ${err}`));
