"""Compare two JSON documents exactly, except floats, which may differ in their last digits.

Numerical libraries round differently from one machine to the next (an OpenBLAS kernel, a
summation order, `numpy.logspace` on another CPU): the report fixture's volume grid came out as
316.2277660168379 on one machine and 316.22776601683796 on another. A float is equal to the
stored one within `REL` (relative) or `ABS` (absolute, for values near zero); every other value
(strings, ints, booleans, keys, list lengths) must match exactly. 1e-9 relative is far below any
digit the report prints (it shows at most 6 significant figures) and far above the 1e-16 that
machines disagree by, so a changed number is still caught.
"""

from __future__ import annotations

import math
from typing import Any

REL = 1e-9
ABS = 1e-12


def differences(stored: Any, fresh: Any, path: str = "$") -> list[str]:
    """Where `fresh` differs from `stored` beyond float round-off: JSON paths with both values."""
    if isinstance(stored, bool) or isinstance(fresh, bool):
        return [] if stored is fresh else [f"{path}: {stored!r} != {fresh!r}"]
    if isinstance(stored, float) or isinstance(fresh, float):
        numbers = isinstance(stored, int | float) and isinstance(fresh, int | float)
        if numbers and (
            math.isclose(stored, fresh, rel_tol=REL, abs_tol=ABS)
            or (math.isnan(stored) and math.isnan(fresh))
        ):
            return []
        return [f"{path}: {stored!r} != {fresh!r}"]
    if isinstance(stored, dict) and isinstance(fresh, dict):
        out = [f"{path}: key {k!r} only in the stored document" for k in stored if k not in fresh]
        out += [f"{path}: key {k!r} only in the fresh document" for k in fresh if k not in stored]
        for key in stored.keys() & fresh.keys():
            out += differences(stored[key], fresh[key], f"{path}.{key}")
        return sorted(out)
    if isinstance(stored, list) and isinstance(fresh, list):
        if len(stored) != len(fresh):
            return [f"{path}: {len(stored)} entries != {len(fresh)}"]
        return [d for i, (s, f) in enumerate(zip(stored, fresh, strict=True))
                for d in differences(s, f, f"{path}[{i}]")]  # fmt: skip
    return [] if stored == fresh else [f"{path}: {stored!r} != {fresh!r}"]
