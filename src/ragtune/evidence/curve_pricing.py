"""A learning curve read off a run and priced: what the next batch of labels costs, what it is
projected to gain, and whether that pays at the workload's volume against the best other arm.

The curve's points are the run's `finetune@<size>` arms (ordinary tuned arms, measured on the
same test items), fitted by `learning_curve`. The next step is the curve's first projection,
twice the largest size: labelling the extra examples is priced with the workload's
`costs:` (`Costs.labelling_usd`, the one labelling formula), and tuning at that size with the
largest size's measured training time scaled by the size ratio (training steps scale with the
examples at a fixed number of epochs), at the self-hosted machine rate like every tuned arm.

The decision, against the best arm that is not tuned (its quality is the curve's target; "not
tuned" is read off the arm's traits, so a variant `ft: {arm: finetune}` is a tuned arm):
- the tuned arm at its largest size is shown to be within the advice margin of it by the
  verdict's rule (the lower bound of the paired interval of their difference, at the verdict's
  family confidence, above -margin): more labels buy quality, which this tool does not price
  ("already matches"); a point estimate within the margin is not enough;
- even the top of the projection's interval stays below it minus the margin: not worth it;
- the tuned arm does not cost less per month at the volume: not worth it (catching up saves
  nothing);
- the whole projection interval clears it minus the margin: worth it when the one-off cost
  pays back within the pricing horizon from the monthly saving, not worth it otherwise;
- otherwise the interval straddles it: uncertain (label a smaller step first and re-measure).

Deliberately not here: the fit itself (`learning_curve.py`), rendering (`report/`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ragtune.evidence.evidence import ArmEvidence, Evidence
from ragtune.stats import Estimate, LearningCurve, Projection, compare_with_best, learning_curve
from ragtune.strategies import split_curve_arm

Decision = Literal["worth", "not_worth", "uncertain", "already_matches", "unknown"]


@dataclass(frozen=True)
class CurveStep:
    """One measured size: its arm, and what its labels and its fine-tune cost."""

    size: int
    arm: str
    labelling_usd: float | None  # labelling `size` examples; None: the workload gives no rate
    tuning_usd: float | None  # measured machine time of its fine-tune at the self-hosted rate
    tuning_s: float | None


@dataclass(frozen=True)
class NextStep:
    """Labelling up to the first projected size, priced and weighed against the rival arm."""

    size: int
    more_examples: int
    labelling_usd: float | None
    tuning_usd: float | None  # estimated from the largest size's measured run
    quality: Estimate
    gain: Estimate  # quality points over the largest measured size (x100 in the statement)
    monthly_saving: float | None  # rival's monthly cost minus the tuned arm's, at `volume`
    payback_months: float | None
    decision: Decision
    reason: str

    @property
    def one_off_usd(self) -> float | None:
        if self.labelling_usd is None:
            return None
        return self.labelling_usd + (self.tuning_usd or 0.0)


@dataclass(frozen=True)
class PricedCurve:
    arm: str  # the tuned arm whose curve this is (`finetune`)
    curve: LearningCurve
    steps: tuple[CurveStep, ...]
    rival: str | None  # the best arm that is not tuned; its quality is the curve's target
    rival_quality: Estimate | None
    volume: float
    margin: float
    horizon_months: int
    next: NextStep | None
    statement: str


def priced_curves(
    evidence: Evidence,
    *,
    volume: float,
    monthly: Callable[[str], float] | None = None,
    n_resamples: int = 2_000,
    family: int = 1,
) -> list[PricedCurve]:
    """One priced curve per tuned arm measured at two or more sizes (`finetune@N` arms).

    `monthly(arm)` is an arm's monthly cost at `volume` (the report's cost engine); without it
    the decision is left unknown. `family` is the number of comparisons the verdict's intervals
    are adjusted for, so "already matches" reads the interval the verdict reads.
    """
    groups: dict[str, list[tuple[int, ArmEvidence]]] = {}
    for a in evidence.done():
        base, size = split_curve_arm(a.arm)
        if size is not None and a.traits.tuned and a.n:
            groups.setdefault(base, []).append((size, a))
    config = evidence.run.config
    out = []
    for base, points in groups.items():
        if len(points) < 2:
            continue
        points.sort()
        out.append(
            _priced(
                evidence,
                base,
                points,
                volume=volume,
                monthly=monthly,
                margin=config.advice.margin,
                horizon=config.pricing.horizon_months,
                n_resamples=n_resamples,
                family=family,
            )
        )
    return out


def _aligned(points: list[tuple[int, ArmEvidence]]) -> np.ndarray:
    """(items, sizes) primary-metric scores on the items every size answered."""
    common = set.intersection(*(set(a.item_ids) for _, a in points))
    ids = [i for i in points[0][1].item_ids if i in common]
    columns = []
    for _, a in points:
        by_id = dict(zip(a.item_ids, a.quality(), strict=True))
        columns.append([by_id[i] for i in ids])
    return np.array(columns, dtype=float).T


def best_rival(evidence: Evidence) -> tuple[str, Estimate] | None:
    """The finished arm with the best primary-metric mean among those not answered by a tuned
    model, with its interval."""
    rivals = [a for a in evidence.done() if not a.traits.tuned and a.n]
    if not rivals:
        return None
    best = max(rivals, key=lambda a: float(a.quality().mean()))
    interval = best.interval()
    mean = float(best.quality().mean())
    if interval is None:
        return best.arm, Estimate(mean, mean, mean)
    return best.arm, Estimate(interval.estimate, interval.low, interval.high)


def _priced(
    evidence: Evidence,
    base: str,
    points: list[tuple[int, ArmEvidence]],
    *,
    volume: float,
    monthly: Callable[[str], float] | None,
    margin: float,
    horizon: int,
    n_resamples: int,
    family: int,
) -> PricedCurve:
    costs = evidence.run.config.costs
    rival = best_rival(evidence)
    paired = _against(evidence, points[-1][1], rival[0], margin, family) if rival else None
    target = rival[1].value if rival is not None else None
    sizes = [n for n, _ in points]
    curve = learning_curve(
        sizes, _aligned(points), target=target, seed=evidence.run.seed, n_resamples=n_resamples
    )
    steps = []
    for size, arm in points:
        job = evidence.training_of(size)
        steps.append(
            CurveStep(
                size,
                arm.arm,
                costs.labelling_usd(size),
                job.cost if job is not None else None,
                job.seconds if job is not None else None,
            )
        )
    largest = points[-1][1].arm
    next_ = None
    if curve.status == "fitted" and curve.projections:
        next_ = _next_step(
            curve.projections[0],
            steps[-1],
            curve,
            largest,
            rival,
            paired,
            labelling=costs.labelling_usd(curve.projections[0].size - steps[-1].size),
            monthly=monthly,
            margin=margin,
            horizon=horizon,
        )
    priced = PricedCurve(
        base,
        curve,
        tuple(steps),
        rival[0] if rival else None,
        rival[1] if rival else None,
        volume,
        margin,
        horizon,
        next_,
        "",
    )
    return PricedCurve(**{**priced.__dict__, "statement": statement(priced)})


def _against(
    evidence: Evidence, tuned: ArmEvidence, rival: str, margin: float, family: int
) -> tuple[float, float, float] | None:
    """(effect, low, high) of tuned - rival on their common items: the verdict's paired
    interval (`compare_with_best`) at the verdict's family confidence."""
    other = next(a for a in evidence.done() if a.arm == rival)
    scores = {
        a.arm: dict(zip(a.item_ids, a.paired_quality().tolist(), strict=True))
        for a in (other, tuned)
    }
    if not scores[tuned.arm].keys() & scores[rival].keys():
        return None
    [found] = compare_with_best(
        scores, rival, margin, alpha=0.05 / max(1, family), seed=evidence.run.seed
    )
    return found.effect, found.ci_low, found.ci_high


def _next_step(
    projection: Projection,
    last: CurveStep,
    curve: LearningCurve,
    largest: str,
    rival: tuple[str, Estimate] | None,
    paired: tuple[float, float, float] | None,
    *,
    labelling: float | None,
    monthly: Callable[[str], float] | None,
    margin: float,
    horizon: int,
) -> NextStep:
    ratio = projection.size / last.size
    tuning = last.tuning_usd * ratio if last.tuning_usd is not None else None
    measured = curve.points[-1].quality.value
    gain = projection.gain or Estimate(
        projection.quality.value - measured,
        projection.quality.low - measured,
        projection.quality.high - measured,
    )
    saving = payback = None
    if rival is not None and monthly is not None:
        saving = monthly(rival[0]) - monthly(largest)
    one_off = None if labelling is None else labelling + (tuning or 0.0)
    if saving is not None and saving > 0 and one_off is not None:
        payback = one_off / saving
    decision, reason = _decide(
        projection, paired, rival, saving, payback, one_off, margin=margin, horizon=horizon
    )
    return NextStep(
        projection.size,
        projection.size - last.size,
        labelling,
        tuning,
        projection.quality,
        gain,
        saving,
        payback,
        decision,
        reason,
    )


def _decide(
    projection: Projection,
    paired: tuple[float, float, float] | None,
    rival: tuple[str, Estimate] | None,
    saving: float | None,
    payback: float | None,
    one_off: float | None,
    *,
    margin: float,
    horizon: int,
) -> tuple[Decision, str]:
    if rival is None:
        return "unknown", "no finished arm that is not tuned to weigh it against"
    name, quality = rival
    bar = quality.value - margin
    q = projection.quality
    if paired is not None and paired[1] > -margin:  # the verdict's rule, not a point estimate
        effect, low, high = paired
        return (
            "already_matches",
            f"the tuned arm is already shown to be within the {margin:.2f} margin of {name}: "
            f"paired difference {effect:+.3f} [{low:+.3f}, {high:+.3f}], lower bound above "
            f"-{margin:.2f}; more labels buy quality, which is not priced here",
        )
    if q.high < bar:
        return (
            "not_worth",
            f"even the top of the projection ({q.high:.3f}) stays below {name}'s "
            f"{quality.value:.3f} minus the {margin:.2f} margin",
        )
    if saving is None:
        return "unknown", "no monthly cost to weigh it with"
    if saving <= 0:
        return (
            "not_worth",
            f"catching up saves nothing: the tuned arm costs no less per month than {name} at "
            f"this volume (saving ${saving:,.2f}/month)",
        )
    if q.low < bar:
        return (
            "uncertain",
            f"the projection's interval [{q.low:.3f}, {q.high:.3f}] straddles {name}'s "
            f"{quality.value:.3f} minus the margin; label a smaller step first and re-measure",
        )
    if one_off is None or payback is None:
        return "unknown", "the labelling price is not set (costs: usd_per_example or rate)"
    if payback <= horizon:
        return (
            "worth",
            f"it saves ${saving:,.2f}/month against {name} and pays back in {payback:.1f} "
            f"months, within the {horizon}-month horizon",
        )
    return (
        "not_worth",
        f"it saves ${saving:,.2f}/month against {name} but pays back only in {payback:.1f} "
        f"months, past the {horizon}-month horizon",
    )


def _usd(value: float | None) -> str:
    return (
        "an unknown amount (set costs: usd_per_example, or examples_per_hour and hourly_rate)"
        if value is None
        else f"${value:,.0f}"
        if value >= 100
        else f"${value:,.2f}"
    )


def statement(p: PricedCurve) -> str:
    """The curve in one sentence a reader acts on."""
    if p.curve.status != "fitted" or p.next is None:
        return f"{p.arm}: {p.curve.message}."
    n = p.next
    g = n.gain
    verdict = {
        "worth": "worth it",
        "not_worth": "not worth it",
        "uncertain": "not yet decidable",
        "already_matches": "not needed for a saving",
        "unknown": "not decidable",
    }[n.decision]
    against = f" against {p.rival}" if p.rival else ""
    return (
        f"labelling {n.more_examples:,} more examples costs about {_usd(n.one_off_usd)} and is "
        f"projected to gain {100 * g.value:+.1f} [{100 * g.low:+.1f}, {100 * g.high:+.1f}] "
        f"points; at {p.volume:,.0f} requests/month that is {verdict}{against} ({n.reason})"
    )


__all__ = ["CurveStep", "NextStep", "PricedCurve", "best_rival", "priced_curves", "statement"]
