"""Arm traits the readers of a run depend on, as name sets derived from the arm registry.

The traits are declared on the arm classes (`ragtune.strategies`); these sets name the
registered arms that have them, for readers that look arms up by name. A named variant
(`prompt_v2: {arm: prompt}`) is looked up with `ragtune.strategies.traits_of(name, info)`.
"""

from __future__ import annotations

from ragtune.strategies import ARMS
from ragtune.strategies.settings import split_curve_arm


class ArmNames(frozenset[str]):
    """Registered arm names; `finetune@250` (a learning-curve point) is in it when `finetune` is,
    so every `name in TUNED` check treats the curve's arms as the tuned arms they are."""

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return super().__contains__(name) or super().__contains__(split_curve_arm(name)[0])


TUNED = ArmNames(n for n, c in ARMS.items() if c.traits.tuned)  # answered by a tuned model
CITING = ArmNames(n for n, c in ARMS.items() if c.traits.cites)  # answers carry their sources
# Arms whose prompt a frontier API model could answer as is (a tuned model lives only here).
PROJECTABLE = ArmNames(n for n, c in ARMS.items() if c.traits.projectable)
