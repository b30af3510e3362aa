// The blind review page. Everything shown comes from GET /api/review/RUN/REVIEW (as the
// reviewer whose link opened the page, or ?reviewer=NAME on the localhost app) and is written with textContent (never as HTML); arm names are never sent to the page.
// Keys: the scale's keys rate the outlined answer (then the next unrated one is outlined);
// n / p move to the next / previous item. Each rating is saved as it is given, so a reload
// resumes at the first item with an unrated answer.
"use strict";

const parts = location.pathname.split("/").filter(Boolean); // ["review", run, review]
const RUN = decodeURIComponent(parts[1] || "");
const REVIEW = decodeURIComponent(parts[2] || "");
const REVIEWER = (new URLSearchParams(location.search).get("reviewer") || "").trim();
const API = `/api/review/${encodeURIComponent(RUN)}/${encodeURIComponent(REVIEW)}`;

let data = null;
let index = 0; // current item
let current = 0; // current answer within the item (pointwise)

const $ = (id) => document.getElementById(id);

function setState(state) {
  document.body.dataset.state = state;
}

function showError(text) {
  $("error").textContent = text;
  $("error").hidden = false;
  setState("error");
}

function detail(body) {
  if (!body || body.detail === undefined) return "the server refused the request";
  if (typeof body.detail === "string") return body.detail;
  return body.detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
}

function firstUnrated(from) {
  const items = data.items;
  for (let k = 0; k < items.length; k++) {
    const i = (from + k) % items.length;
    const j = items[i].rated.indexOf(null);
    if (j >= 0) return [i, j];
  }
  return null;
}

function element(tag, text, cls) {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

function scaleButtons(chosen, onRate) {
  const box = element("div", undefined, "scale");
  for (const s of data.scale) {
    const b = element("button", `${s.label} (${s.key})`);
    b.type = "button";
    b.dataset.value = s.value;
    if (chosen === s.value) b.classList.add("chosen");
    b.addEventListener("click", () => onRate(s.value));
    box.appendChild(b);
  }
  return box;
}

function render() {
  const item = data.items[index];
  document.body.dataset.item = item.id;
  document.body.dataset.index = String(index);
  document.body.dataset.answer = String(current);
  document.body.dataset.rated = String(data.rated);
  $("progress").textContent =
    `${data.rated} / ${data.total} rated · item ${index + 1} of ${data.items.length}` +
    ` · reviewer ${data.reviewer}`;
  $("input").textContent = item.input;
  $("reference-box").hidden = item.reference === null;
  $("reference").textContent = item.reference === null ? "" : item.reference;
  const answers = $("answers");
  answers.replaceChildren();
  item.answers.forEach((a, i) => {
    const card = element("div", undefined, "answer");
    card.dataset.position = String(i);
    if (data.mode === "pointwise" && i === current) card.classList.add("current");
    if (data.mode === "pointwise" && item.rated[i] !== null) card.classList.add("rated");
    card.appendChild(element("h3", `Answer ${i + 1}`));
    card.appendChild(element("pre", a.text));
    if (data.mode === "pointwise") {
      card.appendChild(scaleButtons(item.rated[i], (v) => rate(i, v)));
      card.addEventListener("click", (e) => {
        if (e.target.tagName !== "BUTTON") {
          current = i;
          render();
        }
      });
    }
    answers.appendChild(card);
  });
  const pair = $("pair-buttons");
  pair.hidden = data.mode !== "pairwise";
  pair.replaceChildren();
  if (data.mode === "pairwise") pair.appendChild(scaleButtons(item.rated[0], (v) => rate(0, v)));
  const keys = data.scale.map((s) => `${s.key}: ${s.label.toLowerCase()}`).join(" · ");
  $("help").textContent =
    data.mode === "pairwise"
      ? `Which answer is better? Keys: ${keys}. Answers are shown in a random order.`
      : `Rate the outlined answer. Keys: ${keys}. Answers are shown in a random order.`;
}

async function rate(position, value) {
  if (document.body.dataset.state === "saving") return;
  setState("saving");
  const item = data.items[index];
  let response;
  try {
    response = await fetch(`${API}/ratings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reviewer: data.reviewer, item_id: item.id, answer: position, value }),
    });
  } catch (err) {
    showError(`could not save the rating: ${err}`);
    return;
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    showError(`rating not saved: ${detail(body)}`);
    return;
  }
  item.rated[position] = value;
  data.rated = body.rated;
  const next = item.rated.indexOf(null);
  if (next >= 0) {
    current = next;
  } else {
    const after = firstUnrated(index + 1);
    if (after === null) {
      finish();
      return;
    }
    [index, current] = after;
  }
  setState("ready");
  render();
}

function finish() {
  document.body.dataset.rated = String(data.rated);
  $("progress").textContent = `${data.rated} / ${data.total} rated`;
  $("board").hidden = true;
  $("done").hidden = false;
  setState("done");
}

function move(step) {
  index = (index + step + data.items.length) % data.items.length;
  const j = data.items[index].rated.indexOf(null);
  current = j >= 0 ? j : 0;
  render();
}

document.addEventListener("keydown", (e) => {
  if (!data || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.target instanceof HTMLInputElement) return;
  const state = document.body.dataset.state;
  if (state !== "ready") return;
  if (e.key === "n") return move(1);
  if (e.key === "p") return move(-1);
  const hit = data.scale.find((s) => s.key === e.key.toLowerCase());
  if (hit) {
    e.preventDefault();
    rate(data.mode === "pairwise" ? 0 : current, hit.value);
  }
});

function asksForName(response, body) {
  // No reviewer's link (token) and no ?reviewer=: the server wants a name.
  return (
    response.status === 422 &&
    Array.isArray(body && body.detail) &&
    body.detail.some((d) => (d.loc || []).includes("reviewer"))
  );
}

async function load() {
  // With a reviewer's link the server knows who this is (its cookie); else ?reviewer=NAME.
  const query = REVIEWER ? `?reviewer=${encodeURIComponent(REVIEWER)}` : "";
  const response = await fetch(`${API}${query}`);
  const body = await response.json().catch(() => null);
  if (!REVIEWER && asksForName(response, body)) {
    $("who").hidden = false;
    setState("name");
    return;
  }
  if (!response.ok) {
    showError(`cannot load the review: ${detail(body)}`);
    return;
  }
  data = body;
  // a judged run: how far the judge + people estimate is (no arm named; text, never HTML)
  const note = $("judge-people");
  note.textContent = data.judge_people ? data.judge_people.text : "";
  note.hidden = !data.judge_people;
  $("prev").addEventListener("click", () => move(-1));
  $("next").addEventListener("click", () => move(1));
  const start = firstUnrated(0);
  if (data.items.length === 0 || start === null) {
    finish();
    return;
  }
  [index, current] = start;
  $("board").hidden = false;
  setState("ready");
  render();
}

load();
