"""A run read back as evidence: `load_run` -> RunData, `evaluate` -> Evidence, its pricing,
summaries, people costs, human scores, review samples, run comparison, curve pricing and where a
sequential run stands. Writes nothing."""

from ragtune.evidence.compare import compare_runs
from ragtune.evidence.curve_pricing import PricedCurve, priced_curves
from ragtune.evidence.evidence import ArmEvidence, Evidence, cost_draws, evaluate
from ragtune.evidence.export import FORMATS as EXPORT_FORMATS
from ragtune.evidence.export import SCHEMA_VERSION as EXPORT_SCHEMA_VERSION
from ragtune.evidence.export import Format as ExportFormat
from ragtune.evidence.export import columns_of, export_rows, write_export
from ragtune.evidence.human_scores import HUMAN, Calibration, HumanEvidence, human_evidence
from ragtune.evidence.lifecycle import Migration, judge_notice, migrations
from ragtune.evidence.pricing import Machine, per_request, run_pricing
from ragtune.evidence.review import (
    DEFAULT_SAMPLE,
    LABELS,
    MODES,
    ReviewError,
    check_rating,
    check_reviewer,
    plan_review,
    review_frames,
    shown_order,
)
from ragtune.evidence.review_ppi import ReviewPpi, review_ppi
from ragtune.evidence.rundata import RunData, load_run
from ragtune.evidence.sequential import SequentialAssessor
from ragtune.evidence.sequential import assess as assess_sequential
from ragtune.evidence.sequential import progress_line as sequential_progress
from ragtune.evidence.setup import setup_lines
from ragtune.evidence.summary import (
    MAX_ERROR_SHARE,
    ArmSummary,
    FreshnessRow,
    RunSummary,
    TrainingSummary,
    arm_option_of,
    arm_people,
    projection_option_of,
    summary_of,
)
from ragtune.evidence.traits import PROJECTABLE, retrains_for_knowledge

__all__ = [
    "DEFAULT_SAMPLE",
    "EXPORT_FORMATS",
    "EXPORT_SCHEMA_VERSION",
    "HUMAN",
    "LABELS",
    "MAX_ERROR_SHARE",
    "MODES",
    "PROJECTABLE",
    "ArmEvidence",
    "ArmSummary",
    "Calibration",
    "Evidence",
    "ExportFormat",
    "FreshnessRow",
    "HumanEvidence",
    "Machine",
    "Migration",
    "PricedCurve",
    "ReviewError",
    "ReviewPpi",
    "RunData",
    "RunSummary",
    "SequentialAssessor",
    "TrainingSummary",
    "arm_option_of",
    "arm_people",
    "assess_sequential",
    "check_rating",
    "check_reviewer",
    "columns_of",
    "compare_runs",
    "cost_draws",
    "evaluate",
    "export_rows",
    "human_evidence",
    "judge_notice",
    "load_run",
    "migrations",
    "per_request",
    "plan_review",
    "priced_curves",
    "projection_option_of",
    "retrains_for_knowledge",
    "review_frames",
    "review_ppi",
    "run_pricing",
    "sequential_progress",
    "setup_lines",
    "shown_order",
    "summary_of",
    "write_export",
]
