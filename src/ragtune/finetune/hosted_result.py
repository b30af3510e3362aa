"""What a hosted fine-tune produced (`HostedResult`, saved as `result.json`) and its errors.

Shared by the OpenAI path (`hosted.py`) and the Together / Fireworks path (`hosted_jobs.py`),
so neither imports the other. Deliberately no I/O beyond reading a saved result.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ragtune.errors import RagtuneError


class HostedTuneError(RagtuneError):
    """The hosted fine-tune did not give a model (API error, timeout, failed job)."""


class HostedJobFailed(HostedTuneError):
    """The provider reports the job failed or was cancelled; the message is the provider's."""


@dataclass(frozen=True)
class HostedResult:
    """A finished hosted fine-tune: what it produced and what its bill is based on."""

    provider: str
    base: str
    base_url: str | None  # None: api.openai.com
    job_id: str
    fine_tuned_model: str
    trained_tokens: int  # billable tokens the provider reports (epochs included)
    epochs: int | None
    wall_seconds: float  # job created -> finished, by the provider's timestamps
    train_examples: int
    validation_examples: int
    # Together / Fireworks: where and how the tuned model answers, which is how it is billed.
    inference_url: str | None = None  # an OpenAI-compatible chat completions root
    served_model: str | None = None  # the `model` to send (an endpoint's name, model#deployment)
    endpoint_id: str | None = None  # a dedicated endpoint ragtune created (never deleted)
    serving: dict[str, Any] | None = None  # HostedServing as run: kind, hardware, hours, replicas
    params_b: float | None = None  # the base's size (the training bracket)
    method: str = "lora"

    @property
    def backend_name(self) -> str:
        """The tuned model as a ragtune backend name (evaluated like any OpenAI model)."""
        if self.inference_url is not None:
            return f"openai-compatible:{self.inference_url}#{self.served_model}"
        if self.base_url is None:
            return f"openai:{self.fine_tuned_model}"
        return f"openai-compatible:{self.base_url}#{self.fine_tuned_model}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def load(cls, path: Path) -> HostedResult:
        return cls(**json.loads(path.read_text()))
