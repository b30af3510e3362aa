// Hand-written SVG chart of monthly cost against monthly volume (log-log), drawn from the
// `chart` object of POST /api/analyse: one line per option, a P10-P90 band when the scenario is
// uncertain, a circle at each break-even, and the scenario volume as a dashed line. No maths here
// beyond mapping numbers to pixels.

const NS = "http://www.w3.org/2000/svg";
export const COLOURS = ["#2859c5", "#d0632a", "#2e8b57", "#9b3fb5", "#b8860b", "#c2185b",
  "#00838f", "#5d4037"];
const W = 720, H = 420, M = { left: 64, right: 16, top: 14, bottom: 72 };

function node(tag, attrs = {}, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
}

function short(v, money) {
  const units = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]];
  for (const [size, suffix] of units) {
    if (Math.abs(v) >= size) return `${money ? "$" : ""}${+(v / size).toPrecision(3)}${suffix}`;
  }
  return `${money ? "$" : ""}${+v.toPrecision(3)}`;
}

function decades(lo, hi) {
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    const v = 10 ** e;
    if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
  }
  return out;
}

export function renderChart(svg, chart) {
  svg.replaceChildren();
  const xs = chart.volumes;
  const values = [];
  for (const s of chart.series) {
    for (const arr of [s.monthly, s.p10, s.p90]) {
      if (arr) for (const v of arr) if (v !== null && v > 0) values.push(v);
    }
  }
  if (!xs.length || !values.length) return;
  const yHi = Math.max(...values) * 1.15;
  const yLo = Math.max(Math.min(...values) / 1.15, yHi / 1e7);
  const x0 = Math.log10(xs[0]), x1 = Math.log10(xs[xs.length - 1]);
  const y0 = Math.log10(yLo), y1 = Math.log10(yHi);
  const px = (v) => M.left + ((Math.log10(v) - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (v) => {
    const c = Math.min(Math.max(v ?? yLo, yLo), yHi);
    return H - M.bottom - ((Math.log10(c) - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
  };
  const grid = node("g", { class: "grid" });
  const axis = node("g", { class: "axis" });
  for (const v of decades(xs[0], xs[xs.length - 1])) {
    grid.append(node("line", { x1: px(v), x2: px(v), y1: M.top, y2: H - M.bottom }));
    axis.append(node("text", { x: px(v), y: H - M.bottom + 16, "text-anchor": "middle" }, short(v)));
  }
  for (const v of decades(yLo, yHi)) {
    grid.append(node("line", { x1: M.left, x2: W - M.right, y1: py(v), y2: py(v) }));
    axis.append(node("text", { x: M.left - 6, y: py(v) + 4, "text-anchor": "end" }, short(v, true)));
  }
  axis.append(node("text", { x: (M.left + W - M.right) / 2, y: H - M.bottom + 32, "text-anchor": "middle" },
    "requests per month (log scale)"));
  axis.append(node("text", { x: 14, y: (M.top + H - M.bottom) / 2, "text-anchor": "middle",
    transform: `rotate(-90 14 ${(M.top + H - M.bottom) / 2})` }, "monthly cost (log scale)"));
  svg.append(grid, axis);

  const at = xs.findIndex((v) => v === chart.volume);
  chart.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    if (s.p10 && s.p90) {
      const upper = xs.map((v, j) => `${px(v).toFixed(1)},${py(s.p90[j]).toFixed(1)}`);
      const lower = xs.map((v, j) => `${px(v).toFixed(1)},${py(s.p10[j]).toFixed(1)}`).reverse();
      svg.append(node("path", { class: "band", fill: colour, "data-option": s.option,
        d: `M${upper.join("L")}L${lower.join("L")}Z` }));
    }
    const d = xs.map((v, j) => `${j ? "L" : "M"}${px(v).toFixed(1)},${py(s.monthly[j]).toFixed(1)}`);
    svg.append(node("path", { class: "line", stroke: colour, "data-option": s.option, d: d.join("") }));
    if (at >= 0) {
      const dot = node("circle", { class: "at-volume", r: 3.5, fill: colour, "data-option": s.option,
        "data-monthly": String(s.monthly[at]), cx: px(xs[at]), cy: py(s.monthly[at]) });
      dot.append(node("title", {}, `${s.option}: ${short(s.monthly[at], true)}/month`));
      svg.append(dot);
    }
  });
  if (chart.volume > 0) {
    svg.append(node("line", { class: "current", "data-volume": String(chart.volume),
      x1: px(chart.volume), x2: px(chart.volume), y1: M.top, y2: H - M.bottom }));
  }
  for (const m of chart.markers) {
    if (m.volume === null || m.monthly === null) continue;
    const c = node("circle", { class: "marker", r: 5, cx: px(m.volume), cy: py(m.monthly),
      "data-a": m.a, "data-b": m.b, "data-volume": String(m.volume) });
    c.append(node("title", {}, `${m.a} = ${m.b} at ${short(m.volume)} requests/month`));
    svg.append(c);
  }
  const legend = node("g", { class: "legend" });
  const per = Math.max(4, Math.ceil(chart.series.length / 2)); // two rows at most
  const step = (W - M.left - M.right) / per;
  chart.series.forEach((s, i) => {
    const x = M.left + (i % per) * step, y = H - 20 + Math.floor(i / per) * 14;
    legend.append(node("rect", { x, y: y - 7, width: 12, height: 4, fill: COLOURS[i % COLOURS.length] }));
    legend.append(node("text", { x: x + 16, y: y - 2 }, s.option));
  });
  svg.append(legend);
}
