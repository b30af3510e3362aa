"""Statistics for comparing arms: intervals, paired tests, non-inferiority, confidence sequences,
judge + human (PPI) estimates, rater agreement and learning-curve fits (a leaf: pure functions,
checked against reference libraries)."""

from ragtune.stats.agreement import (
    Agreement,
    ConfusionTable,
    cohen_kappa,
    confusion,
    fleiss_kappa,
    weighted_kappa,
)
from ragtune.stats.curve_fit import Estimate, LearningCurve, Projection, learning_curve
from ragtune.stats.noninferiority import DEFAULT_POWER, compare_with_best
from ragtune.stats.paired import (
    Interval,
    PairwiseComparison,
    RepeatSpread,
    compare_arms,
    compare_metric,
    mcnemar_exact,
    metric_interval,
    paired_bootstrap,
    paired_test,
    repeat_spread,
    unpaired_bootstrap,
    wilson_interval,
)
from ragtune.stats.ppi import MIN_DISAGREEMENTS, MeanEstimate, PpiResult, ppi_mean
from ragtune.stats.sequential import (
    CompareState,
    SequentialComparison,
    fixed_plan_items,
    sequential_compare,
    status_of,
)

__all__ = [
    "DEFAULT_POWER",
    "MIN_DISAGREEMENTS",
    "Agreement",
    "CompareState",
    "ConfusionTable",
    "Estimate",
    "Interval",
    "LearningCurve",
    "MeanEstimate",
    "PairwiseComparison",
    "PpiResult",
    "Projection",
    "RepeatSpread",
    "SequentialComparison",
    "cohen_kappa",
    "compare_arms",
    "compare_metric",
    "compare_with_best",
    "confusion",
    "fixed_plan_items",
    "fleiss_kappa",
    "learning_curve",
    "mcnemar_exact",
    "metric_interval",
    "paired_bootstrap",
    "paired_test",
    "ppi_mean",
    "repeat_spread",
    "sequential_compare",
    "status_of",
    "unpaired_bootstrap",
    "weighted_kappa",
    "wilson_interval",
]
