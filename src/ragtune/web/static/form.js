// The scenario form: renders inputs for a scenario object (the same shape as a `ragtune cost`
// YAML file) and edits that object in place. No cost logic here: values are parsed into numbers,
// [low, high] ranges or {dist} mappings and sent to the server, which validates and prices them.

const NUM = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
const RANGE = new RegExp(`^(${NUM})\\s*(?:\\.\\.|–|—|to)\\s*(${NUM})$`);
const IS_NUM = new RegExp(`^${NUM}$`);

export const SCENARIO_FIELDS = [
  ["name", "Name", "text"],
  ["description", "Description", "text"],
  ["volume.requests_per_month", "Requests / month", "q"],
  ["volume.growth_per_month", "Growth / month (0.05 = 5%)", "q", "0"],
  ["horizon_months", "Horizon (months)", "int", "12"],
  ["hours_per_month", "GPU hours / month", "q", "720"],
  ["hourly_rate", "Engineering $/hour", "q", "150"],
  ["samples", "Monte Carlo samples", "int", "10000"],
  ["seed", "Random seed", "int", "0"],
];

const TRAINING = (at) => [
  [`${at}.amount`, "Training: known total $", "q"],
  [`${at}.tokens`, "Training: tokens", "q"],
  [`${at}.epochs`, "Training: epochs", "q", "1"],
  [`${at}.model`, "Training: hosted model", "models?"],
  [`${at}.price_per_m`, "Training: $/M tokens", "q"],
  [`${at}.gpu`, "Training: GPU", "gpus?"],
  [`${at}.hours`, "Training: GPU hours", "q"],
  [`${at}.gpus`, "Training: GPUs", "q", "1"],
];

// Sections of an option; `init` is what ticking the box adds (the schema's required fields).
export const SECTIONS = [
  { key: "api", label: "API model (tokens per request)", init: (c) => ({ model: c.models[0] }),
    fields: [
      ["model", "Model", "models"],
      ["input_tokens", "Input tokens", "q", "0"],
      ["output_tokens", "Output tokens", "q", "0"],
      ["context_tokens", "Retrieved / KB tokens", "q", "0"],
      ["cached_prefix_tokens", "Cached prefix tokens", "q", "0"],
      ["cache_hit_rate", "Cache hit rate (0-1)", "q", "0"],
      ["distinct_prefixes", "Or: distinct prefixes (hit rate from volume and TTL)", "q", "none"],
      ["cache_ttl", "Cache TTL (5m, or 1h at a dearer write)", "text", "5m"],
      ["inference_premium", "Fine-tuned price multiplier", "q", "1"],
      ["input_per_m", "Input $/M (override)", "q", "catalog"],
      ["output_per_m", "Output $/M (override)", "q", "catalog"],
      ["batch", "Batch API (batch prices, answers within 24 h)", "bool"],
    ] },
  { key: "serving", label: "GPU hosting",
    init: (c) => ({ gpu: c.gpus[0], tokens_per_second: 30, tokens_per_request: 1000 }),
    fields: [
      ["gpu", "GPU", "gpus"],
      ["gpu_hourly", "$/GPU-hour (override)", "q", "catalog"],
      ["tokens_per_second", "Tokens/s per stream", "q"],
      ["concurrency", "Concurrent streams", "q", "1"],
      ["tokens_per_request", "Tokens per request", "q"],
      ["peak_to_average", "Peak / average load", "q", "1"],
      ["max_utilisation", "Max utilisation (0-1)", "q", "1"],
      ["min_gpus", "Minimum GPUs", "q", "1"],
      ["hours_per_month", "Hours / month", "q", "scenario's"],
    ] },
  { key: "one_time", label: "One-time costs (data, fine-tune, set-up)", init: () => ({}),
    fields: [
      ["curation.hours", "Curation hours", "q"],
      ["curation.examples", "Examples to label", "q"],
      ["curation.examples_per_hour", "Examples / hour", "q"],
      ["curation.hourly_rate", "Curation $/hour", "q", "scenario's"],
      ...TRAINING("training"),
      ["eval_setup_hours", "Evaluation set-up hours", "q", "0"],
      ["pipeline_hours", "Pipeline hours", "q", "0"],
    ] },
  { key: "retrain", label: "Retraining", init: () => ({ every_months: 3 }),
    fields: [
      ["every_months", "Every (months)", "q"],
      ["data_hours", "Data hours", "q", "0"],
      ...TRAINING("training"),
      ["eval_cost", "Evaluation $", "q", "0"],
      ["deploy_hours", "Deploy hours", "q", "0"],
    ] },
  { key: "embedding", label: "Embeddings (re-embedded documents)",
    init: (c) => ({ model: c.embeddings[0], docs_per_month: 1000, tokens_per_doc: 500 }),
    fields: [
      ["model", "Embedding model", "embeddings"],
      ["docs_per_month", "Documents / month", "q"],
      ["tokens_per_doc", "Tokens / document", "q"],
    ] },
];

export function parseValue(text, kind) {
  const t = text.trim();
  if (t === "") return undefined;
  if (kind === "text" || kind.startsWith("models") || kind.startsWith("gpus")
      || kind.startsWith("embeddings") || kind === "infra" || kind === "options") return t;
  if (kind === "int") return IS_NUM.test(t) && Number.isInteger(Number(t)) ? Number(t) : t;
  const range = t.match(RANGE);
  if (range) return [Number(range[1]), Number(range[2])];
  if (IS_NUM.test(t)) return Number(t);
  if (t.startsWith("{") || t.startsWith("[")) {
    try { return JSON.parse(t); } catch { return t; }
  }
  return t; // the server answers with what is wrong
}

export function showValue(value) {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "number")) {
    return `${value[0]}..${value[1]}`;
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function getPath(obj, path) {
  return path.reduce((o, k) => (o && typeof o === "object" ? o[k] : undefined), obj);
}

// Set (or, with undefined, delete) a value, creating parents; empty parents below `keep` levels
// are removed so that e.g. an emptied `training: {}` does not linger.
export function setPath(obj, path, value, keep) {
  const parents = [obj];
  let o = obj;
  for (const k of path.slice(0, -1)) {
    if (o[k] === undefined || typeof o[k] !== "object" || o[k] === null) o[k] = {};
    o = o[k];
    parents.push(o);
  }
  const last = path[path.length - 1];
  if (value === undefined) delete o[last]; else o[last] = value;
  for (let i = path.length - 1; i >= keep; i--) {
    const parent = parents[i - 1];
    const child = parents[i];
    if (value === undefined && child && Object.keys(child).length === 0) delete parent[path[i - 1]];
  }
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

let uid = 0;

function field(state, path, label, kind, placeholder, catalog, onChange, keep) {
  const id = `f${++uid}`;
  const value = getPath(state, path);
  let input;
  const choices = kind.replace("?", "");
  if (["models", "gpus", "embeddings", "infra", "options"].includes(choices)) {
    input = el("select", { id });
    if (kind.endsWith("?") || choices === "infra") input.append(el("option", { value: "" }, "—"));
    const names = [...catalog[choices]];
    if (value !== undefined && !names.includes(value)) names.unshift(String(value));
    for (const name of names) input.append(el("option", { value: name }, name));
    input.value = value === undefined ? "" : String(value);
  } else if (kind === "bool") {
    input = el("input", { id, type: "checkbox" });
    input.checked = value === true;
  } else {
    input = el("input", { id, type: "text", placeholder: placeholder ?? "", inputmode: "decimal" });
    input.value = showValue(value);
  }
  input.dataset.field = path.join(".");
  input.addEventListener(input.tagName === "SELECT" || kind === "bool" ? "change" : "input", () => {
    const parsed = kind === "bool" ? (input.checked ? true : undefined) : parseValue(input.value, kind);
    setPath(state, path, parsed, keep);
    onChange();
  });
  return el("div", { class: "row" }, el("label", { for: id }, label), input);
}

export function renderForm(root, state, catalog, onChange, onStructure) {
  const scenarioBox = root.querySelector("#scenario-fields");
  scenarioBox.replaceChildren(el("legend", {}, "Scenario"));
  for (const [path, label, kind, ph] of SCENARIO_FIELDS) {
    scenarioBox.append(field(state, path.split("."), label, kind, ph, catalog, onChange, 1));
  }
  const box = root.querySelector("#options");
  box.replaceChildren();
  for (const name of Object.keys(state.options || {})) {
    box.append(optionBox(state, name, catalog, onChange, onStructure));
  }
  box.append(compareBox(state, catalog, onChange, onStructure));
}

// Break-even pairs (`compare:`); none listed means every pair of options.
function compareBox(state, catalog, onChange, onStructure) {
  const names = Object.keys(state.options || {});
  const choices = { ...catalog, options: names };
  const box = el("fieldset", { class: "compare" }, el("legend", {}, "Break-even pairs"),
    el("p", { class: "hint" }, "None listed: every pair of options is compared."));
  (state.compare || []).forEach((pair, i) => {
    const row = el("div", { class: "list-item cols-2" });
    for (const side of [0, 1]) {
      const cell = field(state, ["compare", i, side], side ? "with" : "compare", "options",
        "", choices, onChange, 99);
      row.append(cell.lastChild);
    }
    const remove = el("button", { type: "button", title: "Remove" }, "×");
    remove.addEventListener("click", () => {
      state.compare.splice(i, 1);
      if (state.compare.length === 0) delete state.compare;
      onStructure();
    });
    row.append(remove);
    box.append(row);
  });
  const add = el("button", { type: "button", id: "add-pair" }, "Add pair");
  add.addEventListener("click", () => {
    (state.compare ||= []).push([names[0] ?? "", names[1] ?? names[0] ?? ""]);
    onStructure();
  });
  box.append(add);
  return box;
}

function optionBox(state, name, catalog, onChange, onStructure) {
  const spec = state.options[name];
  const at = ["options", name];
  const nameInput = el("input", { type: "text", "aria-label": "Option name" });
  nameInput.value = name;
  nameInput.dataset.option = name;
  nameInput.addEventListener("change", () => {
    const next = nameInput.value.trim();
    if (next && next !== name && !(next in state.options)) renameOption(state, name, next);
    onStructure();
  });
  const remove = el("button", { type: "button", title: "Remove this option" }, "Remove");
  remove.addEventListener("click", () => { removeOption(state, name); onStructure(); });
  const box = el("fieldset", { class: "option", dataset: { option: name } },
    el("legend", {}, "Option"), el("div", { class: "option-head" }, nameInput, remove));
  box.append(field(state, [...at, "description"], "Description", "text", "", catalog, onChange, 3));
  for (const section of SECTIONS) {
    const present = spec[section.key] !== undefined;
    const toggle = el("input", { type: "checkbox", dataset: { section: `${name}.${section.key}` } });
    toggle.checked = present;
    toggle.addEventListener("change", () => {
      if (toggle.checked) spec[section.key] = section.init(catalog); else delete spec[section.key];
      onStructure();
    });
    const part = el("div", { class: "section" }, el("label", { class: "toggle" }, toggle, ` ${section.label}`));
    if (present) {
      for (const [path, label, kind, ph] of section.fields) {
        part.append(field(state, [...at, section.key, ...path.split(".")], label, kind, ph,
          catalog, onChange, 4));
      }
    }
    box.append(part);
  }
  box.append(field(state, [...at, "maintenance_hours_per_month"], "Maintenance hours / month",
    "q", "0", catalog, onChange, 3));
  box.append(listEditor(state, name, "fixed_monthly", "Fixed monthly items",
    [["name", "name", "text"], ["amount", "$ / month", "q"], ["infra", "or catalog item", "infra"]],
    () => ({ name: "item", amount: 0 }), catalog, onChange, onStructure));
  box.append(listEditor(state, name, "route", "Route shares of the volume to other options",
    [["option", "option", "text"], ["share", "share (0-1)", "q"]],
    () => ({ option: Object.keys(state.options).find((o) => o !== name) ?? "", share: 1 }),
    catalog, onChange, onStructure));
  return box;
}

function listEditor(state, name, key, label, columns, fresh, catalog, onChange, onStructure) {
  const spec = state.options[name];
  const part = el("div", { class: "section" }, el("div", { class: "toggle" }, label));
  (spec[key] || []).forEach((item, i) => {
    const row = el("div", { class: `list-item cols-${columns.length}` });
    for (const [col, ph, kind] of columns) {
      const cell = field(state, ["options", name, key, i, col], ph, kind, ph, catalog, onChange, 5);
      row.append(cell.lastChild);
    }
    const remove = el("button", { type: "button", title: "Remove" }, "×");
    remove.addEventListener("click", () => {
      spec[key].splice(i, 1);
      if (spec[key].length === 0) delete spec[key];
      onStructure();
    });
    row.append(remove);
    part.append(row);
  });
  const add = el("button", { type: "button" }, "Add");
  add.addEventListener("click", () => { (spec[key] ||= []).push(fresh()); onStructure(); });
  part.append(add);
  return part;
}

function renameOption(state, from, to) {
  const options = {};
  for (const [k, v] of Object.entries(state.options)) options[k === from ? to : k] = v;
  state.options = options;
  for (const spec of Object.values(options)) {
    for (const r of spec.route || []) if (r.option === from) r.option = to;
  }
  state.compare = (state.compare || []).map((pair) => pair.map((s) => (s === from ? to : s)));
}

function removeOption(state, name) {
  delete state.options[name];
  state.compare = (state.compare || []).filter((pair) => !pair.includes(name));
  if (state.compare.length === 0) delete state.compare;
}

export function addOption(state, catalog) {
  let i = Object.keys(state.options).length + 1;
  while (`option-${i}` in state.options) i++;
  state.options[`option-${i}`] = { api: { model: catalog.models[0], input_tokens: 500, output_tokens: 200 } };
}
