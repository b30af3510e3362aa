"""`router`: a cheap arm answers first; low-confidence answers escalate to the strong backend.

The confidence threshold is calibrated on the validation split: both arms answer it, and the
threshold chosen is the one with the lowest escalation rate whose routed quality reaches
`target_quality` (or the best routed quality when none does). Escalated items pay for both
calls, as a cascade does. `info` records the threshold, the escalation rate and the curve of
escalation vs quality that the report plots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from ragtune.backends import Backend
from ragtune.data import Example
from ragtune.scoring import primary_per_item, score
from ragtune.strategies.base import Arm, ArmUnavailable, Prediction, Resources
from ragtune.strategies.registry import arm_class, create_arm, register_arm
from ragtune.strategies.settings import ArmSettings, Declared, Traits

CALIBRATION_ITEMS = 60  # validation items used to pick the threshold


class RouterSettings(ArmSettings):
    first: str | None = None
    """The arm that answers first; None: finetune when a model was tuned, else fewshot."""
    escalate: str | None = None
    """The arm low-confidence items go to; None: rag when there is an index, else prompt. It
    answers on the strong backend unless its own settings name another.
    """
    first_params: dict[str, Any] = Field(default_factory=dict)
    """Settings of the first arm (as under its own key)."""
    escalate_params: dict[str, Any] = Field(default_factory=dict)
    """Settings of the escalation arm (as under its own key)."""
    target_quality: float = Field(0.8, ge=0, le=1)
    """Routed quality the threshold aims for."""
    threshold: float | None = Field(None, ge=0, le=1)
    """Fixed; None: calibrated."""
    calibration_items: int = Field(CALIBRATION_ITEMS, ge=1, le=100_000)
    """Validation items used to calibrate the threshold."""


@register_arm
class RouterArm(Declared):
    name: ClassVar[str] = "router"
    settings: ClassVar[type[ArmSettings]] = RouterSettings
    traits: ClassVar[Traits] = Traits(needs_validation=True, freshness=False)

    @classmethod
    def requirements(cls, settings: Any) -> Traits:
        """Its two arms' needs; an arm left to the default may be the tuned model or rag."""
        needs = cls.traits
        for _, kind, params in cls.sub_arms(settings):
            needs = needs | arm_class(kind).requirements(
                arm_class(kind).settings.model_validate({**params, "arm": kind})
            )
        if settings.first is None:
            needs = needs | Traits(needs_tuned=True)
        if settings.escalate is None:
            needs = needs | Traits(needs_index=True)
        return needs

    @classmethod
    def sub_arms(cls, settings: Any) -> list[tuple[str, str, Mapping[str, Any]]]:
        out: list[tuple[str, str, Mapping[str, Any]]] = []
        if settings.first is not None:
            out.append(("first", settings.first, settings.first_params))
        if settings.escalate is not None:
            out.append(("escalate", settings.escalate, settings.escalate_params))
        return out

    def __init__(self, resources: Resources, settings: RouterSettings) -> None:
        if not resources.validation:
            raise ArmUnavailable("router calibrates on the validation split, which is empty")
        self.resources = resources
        self.config = settings  # `settings` is the class's settings model
        self.task = resources.task
        first = settings.first or ("finetune" if resources.tuned else "fewshot")
        escalate = settings.escalate or ("rag" if resources.index is not None else "prompt")
        self.first: Arm = create_arm(first, resources, {**settings.first_params, "arm": first})
        self.strong: Arm = create_arm(
            escalate,
            resources,
            {"backend": "strong", **settings.escalate_params, "arm": escalate},
        )
        self.backend: Backend = self.first.backend
        self.target = settings.target_quality
        self.threshold: float = (
            settings.threshold
            if settings.threshold is not None
            else self.calibrate(list(resources.validation)[: settings.calibration_items])
        )
        self.escalated = 0
        self.answered = 0

    def _scores(self, items: Sequence[Example], predictions: Sequence[Prediction]) -> list[float]:
        answers = [p.answer if p.error is None else None for p in predictions]
        metrics = score(
            self.task.task,
            answers,
            [i.target for i in items],
            labels=self.task.labels,
            schema=self.task.json_schema,
        )
        return primary_per_item(self.task.task, metrics)

    def calibrate(self, items: list[Example]) -> float:
        cheap = self.first.predict(items)
        strong = self.strong.predict(items)
        s_cheap = np.asarray(self._scores(items, cheap))
        s_strong = np.asarray(self._scores(items, strong))
        conf = np.asarray([p.confidence if p.confidence is not None else 0.0 for p in cheap])
        candidates = sorted({0.0, *conf.tolist(), float(conf.max(initial=0.0)) + 1e-9})
        curve = []
        for t in candidates:
            keep = conf >= t
            curve.append(
                (t, float(np.mean(~keep)), float(np.mean(np.where(keep, s_cheap, s_strong))))
            )
        self.curve = curve  # (threshold, escalation rate, routed quality)
        reaching = [c for c in curve if c[2] >= self.target]
        if reaching:
            return min(reaching, key=lambda c: (c[1], c[0]))[0]
        return max(curve, key=lambda c: (c[2], -c[1]))[0]

    def shipped_settings(self) -> RouterSettings:
        """These settings with the calibrated threshold fixed. A copy of this arm built from them
        elsewhere (a Ray worker) answers with this threshold rather than calibrating again: once
        per run, not once per worker, and the same threshold wherever an item is answered."""
        return self.config.model_copy(update={"threshold": self.threshold})

    def observe(self, predictions: Sequence[Prediction]) -> None:
        """Count answers a copy of this arm gave elsewhere (Ray workers) in `info`'s rate."""
        self.escalated += sum(1 for p in predictions if p.escalated)
        self.answered += len(predictions)

    def build(self, items: Sequence[Example]) -> list[Any]:
        return self.first.build(items)

    def predict(self, items: Sequence[Example]) -> list[Prediction]:
        first = self.first.predict(items)
        low = [
            i
            for i, p in enumerate(first)
            if p.error is not None or p.confidence is None or p.confidence < self.threshold
        ]
        strong = self.strong.predict([items[i] for i in low]) if low else []
        out = list(first)
        for i, answer in zip(low, strong, strict=True):
            cheap = first[i]
            escalation = tuple(replace(c, stage="escalation") for c in answer.calls)
            out[i] = replace(
                answer,
                calls=cheap.calls + escalation,
                latency_s=cheap.latency_s + answer.latency_s,
                escalated=True,
            )
        self.escalated += len(low)
        self.answered += len(items)
        return out

    @property
    def info(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "escalation_rate": self.escalated / self.answered if self.answered else None,
            "curve": getattr(self, "curve", []),
            "first": self.first.name,
            "escalate_to": f"{self.strong.name} on {self.strong.backend.name}",
        }
