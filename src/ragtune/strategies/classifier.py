"""`classifier`: logistic regression on the retrieval embedding model's vectors (classify tasks).

The baseline an ML engineer tries first for intents: embed the train split with the same frozen
sentence encoder the index uses (MiniLM by default), fit a multinomial logistic regression on the
vectors, and answer with the most probable label. It trains in seconds on a CPU and calls no
language model, so its cost is the machine time of one embedding and one matrix product.

Probabilities are calibrated by temperature scaling on the validation split (one scalar T
dividing the logits, chosen to minimise the validation log-loss; Guo et al. 2017, "On Calibration
of Modern Neural Networks"), so the router can use the arm as its cheap first step and escalate
below a confidence threshold. Without a validation split the regression's own probabilities
are used (T = 1). Deliberately not here: fine-tuning the encoder, other heads.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pydantic
from numpy.typing import NDArray
from pydantic import Field

from ragtune.backends import Backend, Request
from ragtune.data import Example
from ragtune.errors import MissingDependencyError, Problem, ValidationError
from ragtune.strategies.base import ArmUnavailable, Prediction, Resources
from ragtune.strategies.registry import register_arm
from ragtune.strategies.settings import ArmSettings, Declared, Traits


class ClassifierSettings(ArmSettings):
    """What a workload may set under `arms: {classifier: {...}}`."""

    c: float = Field(1.0, gt=0)
    """Inverse L2 strength. 1.0 is scikit-learn's default and suits unit-length sentence vectors;
    raise it for many examples per label, lower it for a handful.
    """
    max_iter: int = Field(1000, ge=10)
    """Lbfgs iterations; a 10,000-example fit needs ~100."""
    calibrate: bool = True
    """Temperature-scale on the validation split."""

    @classmethod
    def parse(cls, params: dict[str, Any]) -> ClassifierSettings:
        try:
            return cls.model_validate(params)
        except pydantic.ValidationError as err:
            problems = [
                Problem(
                    "arms.classifier." + ".".join(str(p) for p in e["loc"]),
                    e["msg"] + "; settings: c (> 0), max_iter (>= 10), calibrate (true/false)",
                    str(e.get("input")),
                )
                for e in err.errors()
            ]
            raise ValidationError("classifier arm settings", problems) from None


@register_arm
class ClassifierArm(Declared):
    name: ClassVar[str] = "classifier"
    settings: ClassVar[type[ArmSettings]] = ClassifierSettings
    traits: ClassVar[Traits] = Traits(needs_train=True, needs_embed=True)

    def __init__(self, resources: Resources, params: Any) -> None:
        if resources.task.task != "classify" or not resources.task.labels:
            raise ArmUnavailable("the classifier arm answers classify tasks only")
        if not resources.train:
            raise ArmUnavailable("the classifier arm trains on the train split, which is empty")
        if resources.embed is None:
            raise ArmUnavailable("the classifier arm needs the retrieval embedding model")
        self.config = (
            params if isinstance(params, ClassifierSettings) else ClassifierSettings.parse(params)
        )
        self.resources = resources
        self.backend: Backend = resources.cheap  # never called; the Arm protocol names one
        self.labels = tuple(resources.task.labels)
        self.embed = resources.embed
        started = time.perf_counter()
        self.model = self._fit(list(resources.train))
        self.temperature = 1.0
        self.validation_log_loss: tuple[float, float] | None = None  # (before, after)
        validation = [e for e in resources.validation if str(e.target) in self.labels]
        if self.config.calibrate and validation:
            self._calibrate(validation)
        self.fit_s = time.perf_counter() - started

    def _fit(self, train: list[Example]) -> Any:
        try:
            from sklearn.linear_model import LogisticRegression
        except ImportError as err:
            raise MissingDependencyError("scikit-learn", "retrieval") from err
        vectors = np.asarray(self.embed([e.input for e in train]))
        targets = [str(e.target) for e in train]
        if len(set(targets)) < 2:
            raise ArmUnavailable("the classifier arm needs at least two labels in the train split")
        model = LogisticRegression(C=self.config.c, max_iter=self.config.max_iter)
        model.fit(vectors, targets)
        return model

    def _logits(self, vectors: NDArray[np.float64]) -> NDArray[np.float64]:
        """Decision values over *every* label of the task (a label absent from train: -inf)."""
        scores = np.asarray(self.model.decision_function(vectors), dtype=np.float64)
        classes = list(self.model.classes_)
        if len(classes) == 2:  # binary: one column, the second class's log-odds
            scores = np.stack([-scores / 2, scores / 2], axis=1)
        out = np.full((len(vectors), len(self.labels)), -np.inf)
        for j, label in enumerate(self.labels):
            if label in classes:
                out[:, j] = scores[:, classes.index(label)]
        return out

    def _calibrate(self, validation: list[Example]) -> None:
        from scipy.optimize import minimize_scalar

        logits = self._logits(np.asarray(self.embed([e.input for e in validation])))
        gold = np.asarray([self.labels.index(str(e.target)) for e in validation])

        def log_loss(log_t: float) -> float:
            return float(
                -np.mean(_log_softmax(logits / math.exp(log_t))[np.arange(len(gold)), gold])
            )

        best = minimize_scalar(log_loss, bounds=(-3.0, 3.0), method="bounded")
        self.temperature = math.exp(float(best.x))
        self.validation_log_loss = (log_loss(0.0), log_loss(float(best.x)))

    def probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Calibrated label probabilities, one row per text, columns in the task's label order."""
        logits = self._logits(np.asarray(self.embed(list(texts))))
        return np.exp(_log_softmax(logits / self.temperature))

    def build(self, items: Sequence[Example]) -> list[Request]:
        return []  # no model requests: the answer is a matrix product

    def predict(self, items: Sequence[Example]) -> list[Prediction]:
        if not items:
            return []
        started = time.perf_counter()
        probs = self.probabilities([e.input for e in items])
        each_s = (time.perf_counter() - started) / len(items)
        out = []
        for item, row in zip(items, probs, strict=True):
            best = int(np.argmax(row))
            label = self.labels[best]
            out.append(
                Prediction(item.id, label, label, latency_s=each_s, confidence=float(row[best]))
            )
        return out

    @property
    def info(self) -> dict[str, Any]:
        before, after = self.validation_log_loss or (None, None)
        return {
            "model": "logistic regression on retrieval embeddings",
            "train_examples": len(self.resources.train),
            "fit_s": round(self.fit_s, 3),
            "temperature": round(self.temperature, 4),
            "validation_log_loss": {"before": before, "after": after},
        }


def _log_softmax(x: NDArray[np.float64]) -> NDArray[np.float64]:
    top = np.max(x, axis=1, keepdims=True)
    shifted = x - top
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
