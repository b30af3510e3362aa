"""Arm traits the readers of a run depend on, looked up through the arm registry.

The traits are declared on the arm classes (`ragtune.strategies`). Readers ask `traits_of(name,
kind)` with the arm's stored class (`kind`, the settings' `arm:`), so a named variant
(`prompt_v2: {arm: prompt}`), a recorded-answers arm (`production: {answers: ...}`) and a
learning-curve point (`finetune@250`, the class before the `@`) get their class's traits. The
name sets below are the registered arms with each trait, for readers that only have a name.
"""

from __future__ import annotations

from ragtune.strategies import ARMS, Traits, split_curve_arm
from ragtune.strategies import traits_of as _registered


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


def traits_of(name: str, kind: str | None = None) -> Traits:
    """The traits of arm `name` whose class is `kind` (None or "": the name is the class).

    `finetune@250` is the `finetune` class at one learning-curve point; an unknown name gets
    plain traits, so readers of old runs never fail on an arm no longer registered.
    """
    cls = kind or name
    if cls not in ARMS:
        cls = split_curve_arm(cls)[0]
    return _registered(cls) if cls in ARMS else Traits()


def retrains_for_knowledge(traits: Traits) -> bool:
    """A tuned arm whose knowledge lives in its weights: a knowledge change means a retrain.
    A tuned arm that retrieves (finetune_rag) learns the change from its index instead."""
    return traits.tuned and not traits.needs_index
