"""Charts in a page: the Vega-Lite specs inlined as JSON data blocks, drawn by vega-embed.

The Vega, Vega-Lite and vega-embed JavaScript comes from `vl-convert-python` (BSD-3-Clause; it
bundles the three BSD-3-Clause libraries and their dependencies), so a report is still one file
that opens from disk with no network. Bundling takes seconds, so the bundle is made once per
vl-convert version and kept in the user's cache folder ($RAGTUNE_CACHE, else
$XDG_CACHE_HOME/ragtune, else ~/.cache/ragtune), and once per process in memory.

Expressions run through Vega's interpreter (`ast: true`), not `new Function`, and vega-embed adds
no stylesheet of its own, so a page can keep a Content-Security-Policy without 'unsafe-eval' or
'unsafe-inline' (the runs viewer allows these two scripts by hash; see `script_hashes`).
A reader without JavaScript sees the figure's note and the tables below the charts.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
from html import escape
from pathlib import Path
from typing import Any

# Finds each chart's data block, draws it, and marks the container (the browser tests wait on
# data-rendered). Tooltip styling is the page's own CSS (see TOOLTIP_STYLE).
INIT = """(function () {
  var opts = {actions: false, renderer: "svg", ast: true,
    defaultStyle: false, tooltip: {disableDefaultStyle: true}};
  document.querySelectorAll("[data-vega-spec]").forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-vega-spec")).textContent);
    vegaEmbed(el, spec, opts).then(function (result) {
      el.setAttribute("data-rendered", "true");
      (window.ragtuneViews = window.ragtuneViews || {})[el.id] = result.view;
    }).catch(function (err) {
      el.setAttribute("data-rendered", "error");
      el.textContent = "This chart could not be drawn: " + err;
    });
  });
})();"""

TOOLTIP_STYLE = """
.vega-chart{overflow-x:auto}.vega-chart svg{max-width:none}
#vg-tooltip-element{visibility:hidden;position:fixed;z-index:1000;padding:6px 8px;
background:#fff;border:1px solid #bbb;border-radius:4px;box-shadow:0 2px 6px rgba(0,0,0,.15);
font:12px system-ui,sans-serif;color:#1d1d1f;pointer-events:none;max-width:420px}
#vg-tooltip-element.visible{visibility:visible}
#vg-tooltip-element h2{font-size:13px;margin:0 0 4px;border:0}
#vg-tooltip-element table{border-spacing:0;margin:0;background:none;font-size:12px}
#vg-tooltip-element td{border:0;padding:1px 4px;text-align:left}
#vg-tooltip-element td.key{color:#666;text-align:right}
"""


def _cache_dir() -> Path:
    if os.environ.get("RAGTUNE_CACHE"):
        return Path(os.environ["RAGTUNE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ragtune"


@functools.cache
def javascript() -> str:
    """The vega + vega-lite + vega-embed bundle, from the disk cache or made now (seconds)."""
    import vl_convert as vlc

    versions = f"vega{vlc.get_vega_version()}-embed{vlc.get_vega_embed_version()}"
    path = _cache_dir() / f"vega-bundle-{versions}.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle: str = vlc.javascript_bundle(None)  # type: ignore[arg-type]  # default snippet
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        tmp.replace(path)  # atomic: another process never reads half a bundle
    except OSError:
        pass  # a read-only home still renders, only slower next time
    return bundle


def scripts() -> str:
    """The two script elements a page with charts ends with."""
    return f"<script>{javascript()}</script><script>{INIT}</script>"


@functools.cache
def script_hashes() -> tuple[str, str]:
    """CSP source expressions ('sha256-...') for the two scripts of `scripts()`."""
    return tuple(  # type: ignore[return-value]
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in (javascript(), INIT)
    )


def spec_json(spec: dict[str, Any]) -> str:
    """The spec as JSON that is safe inside a <script type="application/json"> element:
    `<`, `>` and `&` escaped, so no arm name can close the element."""
    text = json.dumps(spec, sort_keys=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def figure_body(ident: str, spec: dict[str, Any], title: str) -> str:
    """The chart's container and its data block; `ident` must be unique in the page."""
    ident = escape(ident, quote=True)
    return (
        f'<div class="vega-chart" id="chart-{ident}" data-vega-spec="spec-{ident}" role="img" '
        f'aria-label="{escape(title, quote=True)}"></div>'
        f'<script type="application/json" id="spec-{ident}">{spec_json(spec)}</script>'
        "<noscript><p class='note'>The chart needs JavaScript; its numbers are in the tables "
        "below.</p></noscript>"
    )


__all__ = ["INIT", "TOOLTIP_STYLE", "figure_body", "javascript", "script_hashes", "scripts"]
