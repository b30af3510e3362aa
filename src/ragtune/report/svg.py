"""Small SVG primitives for the report's charts: scales with ticks, a framed plot, shapes, legend.

Everything returns markup strings; every attribute value is escaped and every coordinate is
checked finite (a point that is not finite is dropped by the caller, never written as `nan`).
Styling uses presentation attributes (`fill=`, `stroke=`), not `style=`, so a page served with
a strict Content-Security-Policy draws the charts the same as the offline file.

Deliberately not here: what each chart shows (see `charts.py`) and any number crunching beyond
placing values on an axis.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)
WIDTH, HEIGHT = 900, 380
MARGIN = (24, 24, 56, 76)  # top, right, bottom, left: room for tick labels and axis titles


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def fmt(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"non-finite coordinate {value!r}")
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def attrs(**values: object) -> str:
    """` name="value"` pairs; `class_` -> `class`, `data_x` -> `data-x`; None values dropped."""
    out = []
    for key, value in values.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = fmt(value) if isinstance(value, float) else str(value)
        out.append(f' {name}="{escape(text, quote=True)}"')
    return "".join(out)


def tag(name: str, content: str = "", /, **values: object) -> str:
    if content:
        return f"<{name}{attrs(**values)}>{content}</{name}>"
    return f"<{name}{attrs(**values)}/>"


def text(x: float, y: float, label: str, **values: object) -> str:
    return tag("text", escape(label), x=float(x), y=float(y), **values)


def finite(*values: float | None) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


# --- scales ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """Maps a data interval onto pixels, linearly or by log10."""

    lo: float
    hi: float
    start: float  # pixel of `lo`
    end: float  # pixel of `hi`
    log: bool = False

    def __call__(self, value: float) -> float:
        if self.log:
            a, b, v = math.log10(self.lo), math.log10(self.hi), math.log10(max(value, 1e-300))
        else:
            a, b, v = self.lo, self.hi, value
        span = (b - a) or 1.0
        return self.start + (v - a) / span * (self.end - self.start)

    def ticks(self, count: int = 6) -> list[float]:
        return log_ticks(self.lo, self.hi) if self.log else linear_ticks(self.lo, self.hi, count)


def domain(values: Iterable[float | None], *, log: bool, zero: bool = False) -> tuple[float, float]:
    """The padded data range of the finite (and, for log, positive) values."""
    got = [v for v in values if v is not None and math.isfinite(v) and (v > 0 or not log)]
    if not got:
        return (1.0, 10.0) if log else (0.0, 1.0)
    lo, hi = min(got), max(got)
    if log:
        if hi <= lo:
            return lo / 2, hi * 2
        return lo / 1.15, hi * 1.15
    if zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    pad = (hi - lo) * 0.06 or (abs(hi) * 0.1 or 1.0)
    return (lo if zero and lo == 0 else lo - pad), (hi if zero and hi == 0 else hi + pad)


def wants_log(values: Iterable[float | None], ratio: float = 50.0) -> bool:
    """Log scale when the positive values span more than `ratio` (and none is <= 0)."""
    got = [v for v in values if v is not None and math.isfinite(v)]
    if not got or min(got) <= 0:
        return False
    return max(got) / min(got) > ratio


def linear_ticks(lo: float, hi: float, count: int = 6) -> list[float]:
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 12) for i in range(int((hi - first) / step + 1e-9) + 1)]


def log_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten in range; with 2 and 5 between them when the range spans few decades."""
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    steps = (1, 2, 5) if last - first <= 2 else (1,)
    out = [m * 10.0**p for p in range(first, last + 1) for m in steps]
    inside = [t for t in out if lo <= t <= hi]
    return inside or [lo, hi]


def short(value: float, prefix: str = "") -> str:
    """Tick label: 1.5k, 20M, 0.05."""
    a = abs(value)
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= size:
            return f"{prefix}{value / size:g}{unit}"
    if a == 0 or a >= 1:
        return f"{prefix}{value:g}"
    return f"{prefix}{value:.3g}"


# --- the frame ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    x: Scale
    y: Scale
    width: int = WIDTH
    height: int = HEIGHT

    @classmethod
    def of(
        cls,
        x: tuple[float, float],
        y: tuple[float, float],
        *,
        xlog: bool = False,
        ylog: bool = False,
        width: int = WIDTH,
        height: int = HEIGHT,
    ) -> Frame:
        top, right, bottom, left = MARGIN
        return cls(
            Scale(x[0], x[1], left, width - right, xlog),
            Scale(y[0], y[1], height - bottom, top, ylog),
            width,
            height,
        )

    def axes(self, xlabel: str, ylabel: str, *, xprefix: str = "", yprefix: str = "") -> str:
        """Grid lines, tick labels and axis titles."""
        x0, x1 = self.x.start, self.x.end
        y0, y1 = self.y.start, self.y.end
        out = [tag("rect", x=x0, y=y1, width=x1 - x0, height=y0 - y1, fill="#fff", stroke="#999")]
        for t in self.x.ticks(7):
            px = self.x(t)
            out.append(tag("line", x1=px, y1=y0, x2=px, y2=y1, stroke="#e3e3e3"))
            out.append(text(px, y0 + 16, short(t, xprefix), text_anchor="middle", class_="tick"))
        for t in self.y.ticks(6):
            py = self.y(t)
            out.append(tag("line", x1=x0, y1=py, x2=x1, y2=py, stroke="#e3e3e3"))
            out.append(text(x0 - 6, py + 4, short(t, yprefix), text_anchor="end", class_="tick"))
        out.append(text((x0 + x1) / 2, self.height - 14, xlabel, text_anchor="middle"))
        mid = (y0 + y1) / 2
        out.append(
            text(16, mid, ylabel, text_anchor="middle", transform=f"rotate(-90 16 {fmt(mid)})")
        )
        return "".join(out)

    def vline(self, x: float, label: str, stroke: str, cls: str) -> str:
        """A dotted vertical marker across the plot at data `x`, labelled at the top."""
        if not self.inside_x(x):
            return ""
        px = self.x(x)
        line = tag(
            "line",
            x1=px,
            y1=self.y.start,
            x2=px,
            y2=self.y.end,
            stroke=stroke,
            stroke_dasharray="2 3",
            class_=cls,
        )
        return line + text(px + 4, self.y.end + 12, label, class_="label")

    def inside_x(self, value: float) -> bool:
        lo, hi = sorted((self.x.lo, self.x.hi))
        return lo <= value <= hi


def polyline(points: Sequence[tuple[float, float]], stroke: str, **values: object) -> str:
    pts = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points if finite(x, y))
    return tag(
        "polyline", **{"points": pts, "fill": "none", "stroke": stroke, "stroke_width": 2, **values}
    )


def area(upper: Sequence[tuple[float, float]], lower: Sequence[tuple[float, float]]) -> str:
    """A closed path along `upper` and back along `lower` (a band)."""
    pts = [p for p in [*upper, *reversed(lower)] if finite(*p)]
    if len(pts) < 3:
        return ""
    return "M" + " L".join(f"{fmt(x)},{fmt(y)}" for x, y in pts) + " Z"


def legend(entries: Sequence[tuple[str, str, bool]], x: float, y: float) -> str:
    """Rows of (label, colour, dashed) starting at (x, y)."""
    out = []
    for i, (label, stroke, dashed) in enumerate(entries):
        ly = y + i * 16
        out.append(
            tag(
                "line",
                x1=float(x),
                y1=ly,
                x2=x + 22.0,
                y2=ly,
                stroke=stroke,
                stroke_width=3,
                stroke_dasharray="6 4" if dashed else None,
            )
        )
        out.append(text(x + 28, ly + 4, label, class_="legend"))
    return tag("g", "".join(out), class_="legend")


def svg(name: str, title: str, body: str, *, width: int = WIDTH, height: int = HEIGHT) -> str:
    """The chart element: stable `data-chart` name and an accessible <title>.

    No `xmlns`: inline SVG in HTML needs none, and the report holds no URL at all.
    """
    ident = f"chart-{name}"
    return (
        f"<svg{attrs(id=ident, class_='chart', data_chart=name)}"
        f"{attrs(viewBox=f'0 0 {width} {height}', width=width, height=height, role='img')}"
        f"{attrs(aria_labelledby=f'{ident}-title')}>"
        f'<title id="{ident}-title">{escape(title)}</title>{body}</svg>'
    )
