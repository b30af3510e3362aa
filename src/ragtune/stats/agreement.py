"""How far two raters (or several) agree beyond chance: confusion tables, Cohen's and Fleiss' kappa.

Used to check an LLM judge against people, and people against each other, on the same items.
Cohen's kappa compares two raters (`weighted_kappa`: its quadratic-weighted form for ordinal
scales, where a near miss is not a full miss); its interval uses the large-sample variance of
Fleiss, Cohen and Everitt (1969, "Large sample standard errors of kappa and weighted kappa",
Psychological Bulletin 72(5)), the one statsmodels reports. Fleiss' kappa (Fleiss 1971,
"Measuring nominal scale agreement among many raters") covers any number of raters per item,
all items rated by the same number of raters.

Deliberately not here: which categories a review uses or the threshold a caveat fires at.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from ragtune.errors import RagtuneError


@dataclass(frozen=True)
class ConfusionTable:
    """counts[i][j]: items rater A put in categories[i] and rater B in categories[j]."""

    categories: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    @property
    def n(self) -> int:
        return sum(map(sum, self.counts))


@dataclass(frozen=True)
class Agreement:
    """Two raters on the same n items: raw agreement and Cohen's kappa with its interval."""

    n: int
    accuracy: float  # share of items both put in the same category
    kappa: float
    kappa_low: float
    kappa_high: float
    confidence: float
    table: ConfusionTable


def confusion(
    a: Sequence[Hashable], b: Sequence[Hashable], categories: Sequence[Hashable] | None = None
) -> ConfusionTable:
    """The table of (a, b) pairs over `categories` (default: every label seen, sorted)."""
    if len(a) != len(b) or not a:
        raise RagtuneError(
            f"agreement needs both raters' labels for the same items, got {len(a)} and {len(b)}",
            hint="pair the ratings by item id first and leave out items only one rater rated",
        )
    cats = list(categories) if categories is not None else sorted(set(a) | set(b), key=str)
    index = {c: i for i, c in enumerate(cats)}
    unknown = sorted({str(x) for x in (*a, *b) if x not in index})
    if unknown:
        raise RagtuneError(
            f"labels {unknown} are not among the categories {[str(c) for c in cats]}",
            hint="pass every category the raters could choose",
        )
    counts = np.zeros((len(cats), len(cats)), dtype=int)
    for x, y in zip(a, b, strict=True):
        counts[index[x], index[y]] += 1
    return ConfusionTable(tuple(map(str, cats)), tuple(tuple(int(v) for v in r) for r in counts))


def cohen_kappa(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    categories: Sequence[Hashable] | None = None,
    confidence: float = 0.95,
) -> Agreement:
    """Cohen's kappa = (p_o - p_e) / (1 - p_e) with a normal-theory interval.

    p_o is the observed share of agreement and p_e the agreement expected from each rater's
    category shares alone. When p_e = 1 (both raters use one and the same category for every
    item) kappa is 0/0: an error says so rather than returning a number.
    """
    table = confusion(a, b, categories)
    p = np.asarray(table.counts, dtype=float) / table.n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    observed = float(np.trace(p))
    expected = float(rows @ cols)
    if expected >= 1.0:
        raise RagtuneError(
            "kappa is undefined when both raters use a single category for every item",
            hint="review more varied items, or report the raw agreement alone",
        )
    kappa = (observed - expected) / (1 - expected)
    # Fleiss, Cohen & Everitt (1969), eq. 13: the variance of kappa-hat for n items.
    on_diagonal = np.sum(np.diag(p) * (1 - (rows + cols) * (1 - kappa)) ** 2)
    spread = (cols[:, None] + rows[None, :]) ** 2  # (p_.i + p_j.)^2 at cell (i, j)
    off_diagonal = (1 - kappa) ** 2 * np.sum((p * spread)[~np.eye(len(rows), dtype=bool)])
    variance = (on_diagonal + off_diagonal - (kappa - expected * (1 - kappa)) ** 2) / (
        table.n * (1 - expected) ** 2
    )
    half = NormalDist().inv_cdf(0.5 + confidence / 2) * float(np.sqrt(max(variance, 0.0)))
    return Agreement(
        table.n, observed, float(kappa), float(kappa - half), float(kappa + half), confidence, table
    )


def fleiss_kappa(ratings: Sequence[Sequence[Hashable]]) -> float:
    """Fleiss' kappa for items each rated by the same number (>= 2) of raters.

    `ratings[i]` holds the labels item i got. Per item, P_i is the share of rater pairs that
    agree; kappa = (mean P_i - sum_j p_j^2) / (1 - sum_j p_j^2), p_j the share of all labels in
    category j.
    """
    sizes = {len(r) for r in ratings}
    if not ratings or len(sizes) != 1 or min(sizes) < 2:
        raise RagtuneError(
            f"Fleiss' kappa needs every item rated by the same number (>= 2) of raters, got "
            f"{sorted(sizes)} raters per item",
            hint="use only the items every reviewer rated",
        )
    raters = sizes.pop()
    cats = sorted({label for r in ratings for label in r}, key=str)
    index = {c: j for j, c in enumerate(cats)}
    counts = np.zeros((len(ratings), len(cats)))
    for i, r in enumerate(ratings):
        for label in r:
            counts[i, index[label]] += 1
    per_item = (np.sum(counts * (counts - 1), axis=1)) / (raters * (raters - 1))
    shares = counts.sum(axis=0) / counts.sum()
    chance = float(np.sum(shares**2))
    if chance >= 1.0:
        raise RagtuneError(
            "Fleiss' kappa is undefined when every rating is the same category",
            hint="report the raw agreement alone",
        )
    return (float(per_item.mean()) - chance) / (1 - chance)


def weighted_kappa(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    scores: Mapping[Hashable, float],
) -> float:
    """Quadratic-weighted Cohen's kappa for an ordinal scale: 1 - sum(w p_obs) / sum(w p_exp),
    w = (score_i - score_j)^2 / (largest gap)^2 (Cohen 1968, "Weighted kappa", Psychological
    Bulletin 70(4); the weights of Fleiss & Cohen 1973). `scores` places each category on the
    scale. A judge always one step off on a 1-5 rubric agrees 0.71 by it, -0.23 unweighted.
    Undefined (an error) when the expected disagreement is 0: one category on both sides."""
    cats = sorted(scores, key=lambda c: scores[c])
    table = confusion(a, b, cats)
    p = np.asarray(table.counts, dtype=float) / table.n
    values = np.array([scores[c] for c in cats], dtype=float)
    spread = float(values.max() - values.min()) if len(values) > 1 else 0.0
    weights = (values[:, None] - values[None, :]) ** 2 / (spread**2 if spread else 1.0)
    expected = float(np.sum(weights * np.outer(p.sum(axis=1), p.sum(axis=0))))
    if expected <= 0:
        raise RagtuneError(
            "weighted kappa is undefined when both raters use a single category for every item",
            hint="review more varied items, or report the raw agreement alone",
        )
    return 1 - float(np.sum(weights * p)) / expected


__all__ = [
    "Agreement",
    "ConfusionTable",
    "cohen_kappa",
    "confusion",
    "fleiss_kappa",
    "weighted_kappa",
]
