"""What every arm declares about itself: its typed settings and its traits.

An arm's settings are the pydantic model its class names (`settings = RagSettings`), so a
workload's `arms:` section is checked field by field before anything runs: an unknown key gets
"did you mean", an out-of-range value names its field and range. Its traits say what it needs
(training data, a validation split, a knowledge base, an index, an embedder, the tuned model)
and what it is (tuned, citing, projectable to an API model); the runner, resources, freshness,
workload check and advisor ask the traits instead of keeping lists of arm names.

Deliberately not here: the registry of arms (`registry.py`) and running anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import pydantic
from pydantic import BaseModel, ConfigDict, Field

# Backends an arm names by role; anything else must be a full backend name (`KIND:MODEL`).
ROLES = ("cheap", "strong")
# `finetune@250`: the arm `finetune` tuned on 250 examples, one point of its learning curve.
CURVE_SEPARATOR = "@"


def curve_arm(arm: str, size: int) -> str:
    """The name of arm `arm` trained on `size` examples (`finetune@250`)."""
    return f"{arm}{CURVE_SEPARATOR}{size}"


def split_curve_arm(name: str) -> tuple[str, int | None]:
    """`finetune@250` -> ("finetune", 250); a name without a size -> (name, None)."""
    base, sep, size = name.rpartition(CURVE_SEPARATOR)
    if sep and base and size.isdigit():
        return base, int(size)
    return name, None


@dataclass(frozen=True)
class Traits:
    """What an arm needs to run and what kind of strategy it is."""

    needs_train: bool = False  # examples from the train split (shots, memories, tuning data)
    needs_validation: bool = False  # a validation split (router calibration)
    needs_knowledge: bool = False  # the workload must give `knowledge:`
    needs_index: bool = False  # the retrieval index over the knowledge base
    needs_text: bool = False  # the knowledge base's whole text
    needs_embed: bool = False  # the sentence embedder
    needs_tuned: bool = False  # the fine-tuned model
    tuned: bool = False  # answers with the fine-tuned model (retrained when knowledge changes)
    cites: bool = False  # shows the sources its answer rests on
    projectable: bool = False  # an API model could answer its prompt as is
    freshness: bool = True  # re-asked after a knowledge update without being rebuilt
    recorded: bool = False  # replays answers from a file: no model, nothing to time or host

    def __or__(self, other: Traits) -> Traits:
        """This arm's traits needing also what `other` needs (a router needs what its two arms
        need, but stays what it is: not tuned, not citing)."""
        return Traits(
            **{
                f.name: getattr(self, f.name)
                or (f.name.startswith("needs_") and getattr(other, f.name))
                for f in fields(self)
            }
        )


class Declared:
    """Defaults for what an arm class declares; arms subclass this and override."""

    name: ClassVar[str]
    settings: ClassVar[type[ArmSettings]]
    traits: ClassVar[Traits] = Traits()

    @classmethod
    def requirements(cls, settings: Any) -> Traits:
        """What the arm needs with these settings (by default: its traits)."""
        return cls.traits

    @classmethod
    def sub_arms(cls, settings: Any) -> list[tuple[str, str, Mapping[str, Any]]]:
        """(field, arm name, settings) of the arms this one is made of, checked with it; the
        settings are given as `<field>_params`."""
        return []


class ArmSettings(BaseModel):
    """Settings every arm accepts. `arm:` names the arm class of a named variant
    (`arms: {prompt_v2: {arm: prompt, ...}}`); without it the key is the arm's name."""

    model_config = ConfigDict(use_attribute_docstrings=True, extra="forbid", frozen=True)

    arm: str | None = None
    """The arm class of a named variant; absent: the key is the arm's name."""


class ChatSettings(ArmSettings):
    """Settings of every arm that prompts a model."""

    backend: str = "cheap"
    """`cheap`, `strong`, or any backend name (e.g. anthropic:claude-haiku-4-5)."""
    instructions: str | None = None
    """The system prompt: inline text or a file path relative to the workload file; `{labels}` and
    `{schema}` are filled in. None: ragtune's instructions for the task.
    """
    max_tokens: int | None = Field(None, ge=1, le=8192)
    """Answer length cap; None: the task's default (chat.MAX_TOKENS)."""

    prompting: ClassVar[bool] = True

    @pydantic.field_validator("backend")
    @classmethod
    def _backend_name(cls, value: str) -> str:
        if value in ROLES:
            return value
        from ragtune.backends import parse_backend_name
        from ragtune.errors import RagtuneError

        try:
            parse_backend_name(value)
        except RagtuneError as err:
            raise ValueError(
                f"backend must be cheap, strong or a backend name ({err.hint or err})"
            ) from None
        return value
