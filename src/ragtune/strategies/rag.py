"""`rag`, `finetune` and `finetune_rag`: retrieval, the tuned model, and both together.

Retrieval takes the top-k chunks (hybrid BM25 + dense) and puts them in the user turn, labelled
with their document ids. An answer's citations are the ids it cites in [brackets]; a model that
cites nothing is credited with the retrieved sources, which a RAG interface would show under
the answer anyway. The tuned arms answer with the fine-tuned model and the one-line prompt it
was trained with, so they take no `instructions:` or `backend:`; their settings are the
training knobs (`ragtune.finetune.workload` turns them into a TuneConfig).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from ragtune.backends import Backend, Response
from ragtune.data import Example
from ragtune.strategies.base import ArmFailed, ArmUnavailable, Resources
from ragtune.strategies.chat import ChatArm
from ragtune.strategies.prompts import CONTEXT_RULE, TUNED_SYSTEM, cited_ids, format_sources
from ragtune.strategies.registry import register_arm
from ragtune.strategies.settings import ArmSettings, ChatSettings, Traits

Mode = Literal["bm25", "dense", "hybrid"]  # ragtune.retrieval.fusion.MODES


class RagSettings(ChatSettings):
    k: int = Field(4, ge=1, le=50)
    """Chunks retrieved per question."""
    mode: Mode = "hybrid"
    """Retrieval mode."""


HOSTED_PROVIDERS = ("openai", "together", "fireworks")


class HostedServing(BaseModel):
    """How the tuned model is served, which is how it is billed: `serverless` per token (where
    the provider offers it for the base), or a `dedicated` endpoint billed by its running time."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    kind: Literal["serverless", "dedicated"] | None = None
    """None: serverless where the provider offers it for this base, else dedicated."""
    hardware: str | None = None
    """The endpoint's hardware (provider's name); None: the first ragtune has a price for."""
    hours_per_day: float = Field(24.0, gt=0, le=24)
    """Hours a day the endpoint runs (and bills)."""
    min_replicas: int = Field(1, ge=1, le=64)
    """Replicas always up; more are added when the volume needs them."""
    max_replicas: int | None = Field(None, ge=1, le=64)
    """Autoscaling ceiling; None: min_replicas."""
    adapters: int = Field(1, ge=1, le=100)
    """LoRA adapters sharing one deployment (Fireworks: up to 100); this arm pays its share."""
    ready_timeout_s: float = Field(1800.0, gt=0)
    """Longest wait for a new endpoint to come up."""


class HostedFields(BaseModel):
    """The settings of a hosted fine-tuning job (`provider: openai | together | fireworks`),
    shared by the tuned arms' settings (so `ragtune check` accepts them) and `HostedFinetune`
    (what the job reads)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    provider: Literal["local", "openai", "together", "fireworks"] = "local"
    """Local: LoRA on the cheap local model."""
    base: str | None = None
    """The provider's base model, e.g. meta-llama/Meta-Llama-3.1-8B-Instruct-Reference."""
    base_url: str | None = None
    """The provider's API root (a gateway or test server); None: the provider's own."""
    account: str | None = None
    """Fireworks account id (datasets, jobs and models live under accounts/<id>/)."""
    params_b: float | None = Field(None, gt=0, le=2000)
    """The base's size in billions of parameters (sets the training bracket) when ragtune's
    hosted price file does not list the base."""
    serving: HostedServing = HostedServing()
    """How the tuned model is served and billed (Together, Fireworks)."""
    learning_rate_multiplier: float | None = Field(None, gt=0, le=10)
    """Hosted job's learning-rate multiplier; None: the provider chooses."""
    suffix: str | None = Field(None, min_length=1, max_length=64)
    """Part of the ft: model name."""
    poll_s: float = Field(10.0, gt=0)
    """First wait between status checks; grows x1.5."""
    max_poll_s: float = Field(120.0, gt=0)
    """A job takes minutes to hours: no faster polling."""
    timeout_s: float = Field(86_400.0, gt=0)
    """Give up waiting (the job keeps running)"""
    request_timeout_s: float = Field(60.0, gt=0)
    """One HTTP call."""

    @pydantic.model_validator(mode="after")
    def _hosted_needs_base(self) -> Any:
        if self.provider != "local" and not self.base:
            raise ValueError(
                f"provider {self.provider} needs `base`, the model to tune "
                "(e.g. base: gpt-4o-mini-2024-07-18)"
            )
        if self.provider == "fireworks" and not self.account:
            raise ValueError(
                "provider fireworks needs `account`, the Fireworks account id the dataset, job "
                "and model are created under (e.g. account: my-team)"
            )
        if self.base_url is not None and not self.base_url.startswith(("http://", "https://")):
            raise ValueError(
                f"base_url must start with http:// or https:// (given: {self.base_url})"
            )
        return self


class HostedFinetune(HostedFields):
    """`arms.finetune` (or `finetune_rag`) with `provider: openai`: a hosted fine-tuning job.

    Other keys of the arm (its prompt or retrieval settings) are left to the arm itself.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    epochs: int | None = Field(None, ge=1, le=50)
    """None: the provider chooses."""
    batch_size: int | None = Field(None, ge=1, le=256)
    """Hosted job's batch size; None: the provider chooses."""
    method: Literal["lora", "full", "qlora"] = "lora"
    """LoRA or full: a hosted job's method, and its training rate."""


class FinetuneSettings(ArmSettings, HostedFields):
    """LoRA (or full) tuning of the cheap local model on the train split, or a hosted job."""

    method: Literal["lora", "full", "qlora"] = "lora"
    """Tuning method."""
    epochs: float = Field(2.0, gt=0, le=100)
    """Passes over the training examples."""
    max_steps: int | None = Field(None, ge=1)
    """Overrides epochs (smoke runs)"""
    batch_size: int = Field(8, ge=1, le=1024)
    """Training examples per step."""
    learning_rate: float | None = Field(None, gt=0, lt=1)
    """None: 2e-4 LoRA, 2e-5 full."""
    max_length: int = Field(256, ge=8, le=131_072)
    """Tokens per training example."""
    lora_layers: int | None = Field(None, ge=1)
    """Adapters on the top N layers only."""
    max_examples: int | None = Field(None, ge=1)
    """A seeded, stratified sample of train; None: all."""
    max_tokens: int | None = Field(None, ge=1, le=8192)
    """Answer length cap; None: the task's default."""
    learning_curve: list[int] | None = Field(None, min_length=1, max_length=12)
    """Training sizes of a learning curve: each adds an arm `<name>@<size>` tuned the same way on
    the first `size` examples of one seeded, stratified order of train (nested subsets).
    """
    train_size: int | None = Field(None, ge=1)
    """Set on the `@<size>` arms the learning curve adds: train on that nested subset."""

    @pydantic.field_validator("learning_curve")
    @classmethod
    def _sizes(cls, value: list[int] | None) -> list[int] | None:
        if value is None:
            return None
        if min(value) < 2 or len(set(value)) != len(value):
            raise ValueError(
                f"learning_curve must list distinct training sizes of at least 2 examples, got "
                f"{value} (e.g. learning_curve: [250, 1000, 4000])"
            )
        return sorted(value)

    @pydantic.model_validator(mode="after")
    def _one_size_rule(self) -> Any:
        if self.train_size is not None and (self.learning_curve or self.max_examples):
            raise ValueError(
                "train_size is set on a learning curve's `@<size>` arms; it cannot be combined "
                "with learning_curve or max_examples (remove one)"
            )
        if (self.learning_curve or self.train_size) and self.provider != "local":
            raise ValueError(
                f"a learning curve tunes the local model at each size; provider {self.provider} "
                "is a hosted job (remove learning_curve or use provider: local)"
            )
        return self


class FinetuneRagSettings(FinetuneSettings):
    k: int = Field(4, ge=1, le=50)
    """Chunks retrieved per question."""
    mode: Mode = "hybrid"
    """Retrieval mode."""


@register_arm
class RagArm(ChatArm):
    name: ClassVar[str] = "rag"
    settings: ClassVar[type[ArmSettings]] = RagSettings
    traits: ClassVar[Traits] = Traits(
        needs_knowledge=True, needs_index=True, cites=True, projectable=True
    )

    def __init__(self, resources: Resources, settings: Any) -> None:
        if resources.index is None:
            raise ArmUnavailable(f"{self.name} needs a retrieval index (workload `knowledge:`)")
        super().__init__(resources, settings)
        self.k: int = settings.k
        self.mode: str = settings.mode
        self._hits: dict[str, list[Any]] = {}

    def hits(self, item: Example) -> list[Any]:
        if item.id not in self._hits:
            self._hits[item.id] = list(
                self.resources.index.search(  # type: ignore[union-attr]
                    item.input, k=self.k, mode=self.mode
                )
            )
        return self._hits[item.id]

    def system(self) -> str:
        return f"{super().system()} {CONTEXT_RULE}"

    def user_turn(self, item: Example) -> str:
        return f"Sources:\n{format_sources(self.hits(item))}\n\nQuestion: {item.input}"

    def citations(self, item: Example, response: Response) -> tuple[str, ...]:
        offered = [h.citation.doc_id for h in self.hits(item)]
        return cited_ids(response.text, offered) or tuple(dict.fromkeys(offered))


@register_arm
class FinetuneArm(ChatArm):
    """`finetune`: the tuned model with the one-line prompt it was trained with."""

    name: ClassVar[str] = "finetune"
    settings: ClassVar[type[ArmSettings]] = FinetuneSettings
    traits: ClassVar[Traits] = Traits(needs_train=True, needs_tuned=True, tuned=True)

    def pick_backend(self) -> Backend:
        size = getattr(self.config, "train_size", None)
        tuned = self.resources.tuned if size is None else self.resources.tuned_at.get(size)
        if tuned is None:
            if "tuned_error" in self.resources.extras:  # a hosted job failed: an arm error
                raise ArmFailed(f"{self.name}: {self.resources.extras['tuned_error']}")
            at = "" if size is None else f" on {size} examples"
            raise ArmUnavailable(f"{self.name} needs a fine-tuned model{at} and none was trained")
        return tuned

    def system(self) -> str:
        return TUNED_SYSTEM[self.task.task]


@register_arm
class FinetuneRagArm(RagArm):
    """`finetune_rag`: tune for behaviour, retrieve for knowledge."""

    name: ClassVar[str] = "finetune_rag"
    settings: ClassVar[type[ArmSettings]] = FinetuneRagSettings
    traits: ClassVar[Traits] = Traits(
        needs_train=True,
        needs_knowledge=True,
        needs_index=True,
        needs_tuned=True,
        tuned=True,
        cites=True,
    )

    def pick_backend(self) -> Backend:
        return FinetuneArm.pick_backend(self)  # type: ignore[arg-type]

    def system(self) -> str:
        return f"{TUNED_SYSTEM[self.task.task]} {CONTEXT_RULE}"
