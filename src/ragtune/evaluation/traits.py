"""Arm traits the readers of a run depend on, as name sets derived from the arm registry.

The traits are declared on the arm classes (`ragtune.strategies`); these sets name the
registered arms that have them, for readers that look arms up by name. A named variant
(`prompt_v2: {arm: prompt}`) is looked up with `ragtune.strategies.traits_of(name, info)`.
"""

from __future__ import annotations

from ragtune.strategies import ARMS

TUNED = frozenset(n for n, c in ARMS.items() if c.traits.tuned)  # answered by a tuned model
CITING = frozenset(n for n, c in ARMS.items() if c.traits.cites)  # answers carry their sources
# Arms whose prompt a frontier API model could answer as is (a tuned model lives only here).
PROJECTABLE = frozenset(n for n, c in ARMS.items() if c.traits.projectable)
