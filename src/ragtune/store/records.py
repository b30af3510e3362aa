"""Records read from and written to the run store: frozen dataclasses, JSON-able fields only.

Deliberately not here: SQL (see `runstore.py` and `migrations.py`) and any interpretation of the
numbers (evaluation, cost, advisor read these records).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the store reads responses; it never imports the backends at run time
    from ragtune.backends import Response

# Run and arm lifecycles; the store keeps the strings, the runner decides the transitions.
RUN_STATUSES = ("running", "finished", "failed", "interrupted")
ARM_STATUSES = ("pending", "running", "done", "unavailable", "failed")


@dataclass(frozen=True)
class Run:
    """One evidence run: the resolved workload config and everything needed to reproduce it."""

    id: str
    created: str  # ISO 8601, UTC
    workload: str | None  # path or name of the workload file, for display
    config: Mapping[str, Any]  # the resolved (defaults filled in) workload config
    versions: Mapping[str, str]  # package -> version
    seed: int
    machine: Mapping[str, Any]  # platform, CPU, memory
    status: str = "running"
    finished: str | None = None


@dataclass(frozen=True)
class Arm:
    """One strategy in a run. `reason` explains an `unavailable` or `failed` status."""

    run_id: str
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    status: str = "pending"
    reason: str | None = None
    # the device its local calls were timed on ({kind: cpu|gpu, name, cores}); None: not
    # recorded (runs before store migration 7)
    device: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Item:
    """One evaluation example; `input` and `gold` are the task's JSON values."""

    id: str
    split: str  # test | validation | changed (facts that changed between KB versions) | ...
    input: Any
    gold: Any = None
    position: int | None = None  # order within the run; defaults to the order added


@dataclass(frozen=True)
class Measurement:
    """Usage and latency of one model call behind a prediction.

    `stage` names the call ("answer", "escalation", "judge", ...), so a router's two calls and
    the judge's call are priced separately. Input tokens are split the way providers bill them.
    """

    stage: str = "answer"
    model: str | None = None
    input_tokens: int = 0  # uncached input
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    output_tokens: int = 0
    latency_s: float | None = None  # whole call
    ttft_s: float | None = None  # time to first token, when streamed
    cached: bool = False  # served from the response cache; latency is the original call's
    # The call's cacheable prompt prefix, as the run's recorder noted it on the response
    # (`running/prefixes.py`): fingerprint, share of the prompt's characters, batch size.
    prefix: str | None = None
    prefix_share: float = 0.0
    batch: int | None = None

    @classmethod
    def of(cls, response: Response, stage: str = "answer") -> Measurement:
        """The measurement of a backend `Response`."""
        u, lat = response.usage, response.latency
        return cls(
            stage, response.model, u.input_tokens, u.cache_write_tokens, u.cache_read_tokens,
            u.output_tokens, lat.total_s, lat.ttft_s, response.cached, response.prefix,
            response.prefix_share, response.batch,
        )  # fmt: skip


JUDGE = "judge"  # the stage of an LLM judge's call: stored apart, never an arm's cost


@dataclass(frozen=True)
class JudgeCall:
    """The judge's call about one prediction (its own table since schema 4)."""

    arm: str
    item_id: str
    repeat: int
    call: Measurement


# Per-item fields that earlier releases kept in `Prediction.extra`; now typed columns.
TYPED_EXTRA = ("answer", "latency_s", "wall_share_s", "from_cache")


@dataclass(frozen=True)
class Prediction:
    """One arm's answer to one item in one repeat; `error` set (and `text` None) when it failed.

    `answer` is the parsed answer that is scored (a label, a JSON object, a short answer);
    `latency_s` what the user waited (a failure included: the time it took); `wall_share_s` its
    share of the batch's machine time, what self-hosting is priced on; `from_cache` every call
    came from the response cache. A record built the old way, with those keys in `extra`, has
    them moved to the fields.
    """

    run_id: str
    arm: str
    item_id: str
    repeat: int
    text: str | None
    citations: tuple[str, ...] = ()
    error: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. router escalated, confidence
    measurements: tuple[Measurement, ...] = ()
    created: str | None = None  # set by the store
    answer: Any = None
    latency_s: float | None = None
    wall_share_s: float = 0.0
    from_cache: bool = False

    def __post_init__(self) -> None:
        extra = dict(self.extra or {})
        if not any(k in extra for k in (*TYPED_EXTRA, "calls")):
            return
        moved = {k: extra.pop(k) for k in TYPED_EXTRA if k in extra}
        notes = extra.pop("calls", None) or {}
        if self.answer is None and moved.get("answer") is not None:
            object.__setattr__(self, "answer", moved["answer"])
        if self.latency_s is None and moved.get("latency_s") is not None:
            object.__setattr__(self, "latency_s", float(moved["latency_s"]))
        if not self.wall_share_s and moved.get("wall_share_s"):
            object.__setattr__(self, "wall_share_s", float(moved["wall_share_s"]))
        if not self.from_cache and moved.get("from_cache"):
            object.__setattr__(self, "from_cache", bool(moved["from_cache"]))
        if notes:
            calls = tuple(
                m if m.prefix is not None or m.stage not in notes else replace(
                    m, prefix=notes[m.stage].get("prefix"),
                    prefix_share=float(notes[m.stage].get("share") or 0.0),
                    batch=notes[m.stage].get("batch"),
                )
                for m in self.measurements
            )  # fmt: skip
            object.__setattr__(self, "measurements", calls)
        object.__setattr__(self, "extra", extra)


@dataclass(frozen=True)
class Metric:
    """A metric value: per item (`item_id` set) or aggregate (`item_id` None).

    `repeat` None means pooled over repeats. `details` carries structured extras such as an
    interval or a confusion matrix.
    """

    run_id: str
    arm: str
    name: str
    value: float | None
    item_id: str | None = None
    repeat: int | None = None
    details: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class BatchRecord:
    """A batch submitted to a provider's batch API for a run (see `store/batches.py`)."""

    run_id: str
    stage: str  # "rag#0": the arm and repeat; "judge"
    backend: str
    round: int  # 0: first batch; 1: follow-up of its failed requests
    batch_id: str
    provider: str
    requests: tuple[str, ...]  # custom ids
    created: str
    status: str = "submitted"
    counts: Mapping[str, int] = field(default_factory=dict)
    ended: str | None = None
    turnaround_s: float | None = None


@dataclass(frozen=True)
class TrainingRun:
    """One fine-tuning job and what it cost; its loss curve is stored as `LossPoint`s."""

    id: str
    created: str
    base_model: str
    method: str  # lora | full | ...
    params: Mapping[str, Any]  # the resolved recipe
    run_id: str | None = None
    train_examples: int | None = None
    train_tokens: int | None = None
    status: str = "running"
    duration_s: float | None = None
    output_path: str | None = None
    machine: Mapping[str, Any] = field(default_factory=dict)
    device: Mapping[str, Any] | None = None  # what it trained on, as `Arm.device`


@dataclass(frozen=True)
class LossPoint:
    """Loss at one optimiser step, on the training or the validation split."""

    step: int
    loss: float
    split: str = "train"
    epoch: float | None = None


@dataclass(frozen=True)
class KbVersion:
    """One version of a run's knowledge base, as indexed."""

    run_id: str
    version: str  # label from the workload, e.g. "v1", "2026-03"
    path: str
    fingerprint: str  # hash over document ids and contents
    documents: int
    chunks: int | None = None
    created: str | None = None  # set by the store


@dataclass(frozen=True)
class Review:
    """A blind human review of a run: a seeded sample of test items and the arms shown.

    `scale` lists the values a rating may take (pointwise: correct / partly / wrong, or 1-5 for a
    rubric; pairwise: a / b / tie, a and b the two arms in `arms` order).
    """

    run_id: str
    id: int
    mode: str  # pointwise | pairwise
    arms: tuple[str, ...]
    items: tuple[str, ...]
    scale: tuple[str, ...]
    seed: int
    created: str = ""
    # how the items were drawn: "uniform" (a seeded uniformly random sample, what the judge +
    # people estimate needs), "stratified", or None for reviews made before it was recorded
    sampling: str | None = None


@dataclass(frozen=True)
class Rating:
    """One reviewer's rating of one answer (pointwise) or one pair of answers (pairwise).

    `shown` is the arms in the order the page showed them (blind: the page never named them).
    """

    run_id: str
    review: int
    reviewer: str
    item_id: str
    arm: str  # pairwise: "a~b"
    mode: str
    value: str
    shown: tuple[str, ...]
    created: str = ""


@dataclass(frozen=True)
class ReviewToken:
    """A reviewer's invite to one review: the sha256 of the token (never the token itself).

    Whoever holds the token is `reviewer` for review `review` of run `run_id`, and for nothing
    else; `expires` and `revoked` are ISO 8601 UTC times (None: never / not revoked).
    """

    token_hash: str
    run_id: str
    review: int
    reviewer: str
    created: str
    expires: str | None = None
    revoked: str | None = None

    def state(self, now: str) -> str:
        """valid | revoked | expired, at the ISO 8601 UTC time `now`."""
        if self.revoked is not None:
            return "revoked"
        if self.expires is not None and self.expires <= now:
            return "expired"
        return "valid"
