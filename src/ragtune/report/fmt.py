"""Number formatting shared by the HTML and Markdown reports, plus redaction of the config block.

Dollars get precision that suits their size ($12,345 · $12.35 · $0.00123), intervals read
`0.62 [0.55, 0.69]`, a missing value is a dash. The Markdown round-trip test parses these strings
back, so every format here is plain digits with `,` thousands separators, `$`, `%` and `-`.

Deliberately not here: computing any number; the advisor does that.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, TypeGuard

from ragtune.report.model import ComparisonDoc, IntervalDoc, ReportDocument

DASH = "-"
REDACTED = "[redacted]"
# Config keys whose values are never shown (the store holds no keys, but a config might).
_SECRET_KEY = re.compile(
    r"(api[_-]?key|(^|[_-])keys?$|secret|password|passwd|credential|(^|[_-])token$|authorization|(^|[_-])auth$)",
    re.IGNORECASE,
)
_SECRET_VALUE = re.compile(r"^(sk-|sk_|xox[bp]-|ghp_|hf_)[A-Za-z0-9_\-]{12,}$")


def ok(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def usd(value: Any) -> str:
    """$12,345 from $1,000; $12.35 from $1; else three significant digits ($0.00123)."""
    if not ok(value):
        return DASH
    sign, a = ("-" if value < 0 else ""), abs(float(value))
    if a >= 1000:
        return f"{sign}${a:,.0f}"
    if a >= 1 or a == 0:
        return f"{sign}${a:,.2f}"
    decimals = min(8, 2 - math.floor(math.log10(a)))
    return f"{sign}${a:.{decimals}f}"


def num(value: Any, decimals: int = 2) -> str:
    return f"{float(value):,.{decimals}f}" if ok(value) else DASH


def sig(value: Any) -> str:
    """Three significant digits, at least two decimals (latency in seconds, losses)."""
    if not ok(value):
        return DASH
    a = abs(float(value))
    decimals = 2 if a == 0 or a >= 1 else min(8, max(2, 2 - math.floor(math.log10(a))))
    return f"{float(value):,.{decimals}f}"


def pct(value: Any) -> str:
    return f"{float(value) * 100:.1f}%" if ok(value) else DASH


def count(value: Any) -> str:
    return f"{float(value):,.0f}" if ok(value) else DASH


def interval(q: IntervalDoc | None, decimals: int = 3) -> str:
    """`estimate [low, high]` of an interval, or a dash."""
    if q is None or not ok(q.estimate):
        return DASH
    low, high = num(q.low, decimals), num(q.high, decimals)
    return f"{num(q.estimate, decimals)} [{low}, {high}]"


def effect(c: ComparisonDoc) -> str:
    """A comparison's difference with its CI: `0.039 [-0.012, 0.090]`."""
    return f"{num(c.effect, 3)} [{num(c.ci_low, 3)}, {num(c.ci_high, 3)}]"


def band(low: Any, high: Any) -> str:
    """`[low, high]` volumes, or a dash when neither is known."""
    return f"[{count(low)}, {count(high)}]" if ok(low) or ok(high) else DASH


def tokens(t: Mapping[str, float]) -> str:
    """Mean tokens per query as `input / cache write / cache read / output` (kinds are keys of
    a free-form map, not document fields: a kind the run did not measure is a dash)."""
    if not t:
        return DASH
    return " / ".join(num(t.get(k), 1) for k in ("input", "cache_write", "cache_read", "output"))


def errors(count_: int, n: int) -> str:
    """Failed items as `2 (20.0%)`, or `0`."""
    return "0" if not count_ else f"{count_:,} ({pct(count_ / n) if n else DASH})"


def redact(value: Any) -> Any:
    """A copy of a config with secret-looking keys' values and key-like strings replaced."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if _SECRET_KEY.search(str(k)) and v not in (None, "") else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str) and _SECRET_VALUE.match(value):
        return REDACTED
    return value


def with_redacted_config(doc: ReportDocument) -> ReportDocument:
    """The document with its run config redacted (the only free-form, user-written part)."""
    run = doc.run.model_copy(update={"config": redact(doc.run.config)})
    return doc.model_copy(update={"run": run})


# How a checked prediction of the source articles reads in a report.
HOLDS = {True: "holds", False: "does not hold here", None: "not checked"}


def holds(result: str | None, held: bool | None) -> str:
    """An expectation's result; documents written before `result` was recorded read `holds`."""
    return result if result is not None else HOLDS[held]
