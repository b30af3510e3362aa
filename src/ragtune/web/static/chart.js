// The calculator's chart: the Vega-Lite spec that POST /api/analyse returns (`chart_spec`, the
// report's cost chart built by ragtune.report.cost_spec), drawn by the bundled vega-embed
// (/vendor/vega.js, loaded by index.html). No drawing code and no numbers here.

// Vega's expression interpreter instead of `new Function` (the page's CSP has no 'unsafe-eval'),
// and no stylesheet injected (style-src 'self'): the tooltip's look is in style.css.
const OPTIONS = { actions: false, renderer: "svg", ast: true, defaultStyle: false,
  tooltip: { disableDefaultStyle: true } };
let current = null;

// Draws `spec` into `el` (replacing the previous chart); resolves once it is drawn. The view is
// kept as window.ragtuneViews.calculator for the browser tests.
export async function renderChart(el, spec) {
  if (current) current.finalize();
  current = null;
  el.replaceChildren();
  if (!spec) {
    el.textContent = "Nothing to draw for this scenario.";
    el.dataset.rendered = "empty";
    return;
  }
  try {
    const result = await window.vegaEmbed(el, spec, OPTIONS);
    current = result.view;
    (window.ragtuneViews = window.ragtuneViews || {}).calculator = current;
    el.dataset.rendered = "true";
  } catch (err) {
    el.textContent = `This chart could not be drawn: ${err}`;
    el.dataset.rendered = "error";
  }
}
