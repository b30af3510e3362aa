"""Arms by stable name: one class per arm, registered with `@register_arm`.

Registering an arm is the whole job of adding one: the class declares its `name`, its settings
model (`settings`) and its `traits`; the workload check, the resources, the runner, freshness and
the advisor read those. A workload may run the same arm class more than once under other names
(`arms: {prompt_v2: {arm: prompt, instructions: ...}}`): `kind_of` says which class a name uses.

    parse_settings("rag", {"k": 6})      -> (RagSettings(k=6), [])     every problem, no raise
    create_arm("rag", resources, {...})  -> the arm, or ArmUnavailable / RagtuneError
    traits_of("prompt_v2", {"arm": "prompt"}) -> Traits of the prompt arm
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol, TypeVar

import pydantic

from ragtune.errors import (
    Problem,
    RagtuneError,
    ValidationError,
    problem_from_pydantic,
    suggest,
)
from ragtune.strategies.base import Arm, Resources
from ragtune.strategies.settings import ArmSettings, Traits, split_curve_arm


class ArmClass(Protocol):
    """What a registered arm class declares."""

    name: ClassVar[str]
    settings: ClassVar[type[ArmSettings]]
    traits: ClassVar[Traits]

    def __call__(self, resources: Resources, settings: Any) -> Arm: ...

    def requirements(self, settings: Any) -> Traits: ...

    def sub_arms(self, settings: Any) -> list[tuple[str, str, Mapping[str, Any]]]: ...


ARMS: dict[str, ArmClass] = {}
C = TypeVar("C")


def register_arm(cls: C) -> C:
    """Class decorator: make the arm available under its `name` (later registrations win)."""
    ARMS[cls.name] = cls  # type: ignore[attr-defined,assignment]
    return cls


def arm_names() -> list[str]:
    return list(ARMS)


def arm_class(kind: str, where: str = "arms") -> ArmClass:
    if kind not in ARMS:
        raise RagtuneError(
            f"unknown arm {kind!r}",
            hint=f"{suggest(kind, list(ARMS))}; arms: {', '.join(ARMS)} ({where})",
        )
    return ARMS[kind]


# Any arm name that is not a registered arm, given an `answers:` file, is a recorded-answers arm.
RECORDED, ANSWERS = "recorded", "answers"


def kind_of(name: str, settings: ArmSettings | Mapping[str, Any] | None = None) -> str:
    """The arm class behind a workload's arm `name` (a variant names it with `arm:`; a learning
    curve's `finetune@250` is the arm before the `@`; an unregistered name with `answers:` is the
    recorded-answers arm)."""
    given = settings.get("arm") if isinstance(settings, Mapping) else getattr(settings, "arm", None)
    if given is None and split_curve_arm(name)[0] not in ARMS:
        has = ANSWERS in settings if isinstance(settings, Mapping) else hasattr(settings, ANSWERS)
        if has:
            return RECORDED
    return str(given or split_curve_arm(name)[0])


def traits_of(name: str, settings: ArmSettings | Mapping[str, Any] | None = None) -> Traits:
    """The traits of arm `name` (or of its class, for a variant); plain traits when unknown, so
    readers of old runs never fail on an arm that is no longer registered."""
    cls = ARMS.get(kind_of(name, settings))
    return cls.traits if cls is not None else Traits()


def parse_settings(
    name: str, raw: Mapping[str, Any] | None, where: str | None = None
) -> tuple[ArmSettings | None, list[Problem]]:
    """Arm `name`'s settings checked against its class's model; every problem, with field paths.

    The settings come back with `arm` filled in, so `settings.arm` is always the class name.
    """
    where = where or f"arms.{name}"
    raw = dict(raw or {})
    kind = kind_of(name, raw)
    if kind not in ARMS:
        field = f"{where}.arm" if "arm" in raw else where
        message = f"unknown arm; {suggest(kind, list(ARMS))}; arms: {', '.join(ARMS)}"
        return None, [Problem(field, message, kind if "arm" in raw else None)]
    cls = ARMS[kind]
    try:
        settings = cls.settings.model_validate({**raw, "arm": kind})
    except pydantic.ValidationError as err:
        return None, [_problem(where, cls.settings, e) for e in err.errors()]
    problems: list[Problem] = []
    for field, sub_kind, params in cls.sub_arms(settings):
        if sub_kind == kind or sub_kind not in ARMS:
            message = (
                "an arm cannot contain itself"
                if sub_kind == kind
                else f"unknown arm; {suggest(sub_kind, list(ARMS))}; arms: {', '.join(ARMS)}"
            )
            problems.append(Problem(f"{where}.{field}", message, sub_kind))
            continue
        _, more = parse_settings(sub_kind, {**params, "arm": sub_kind}, f"{where}.{field}_params")
        problems += more
    return (settings if not problems else None), problems


def _problem(where: str, model: type[ArmSettings], error: Any) -> Problem:
    problem = problem_from_pydantic(error)
    path = f"{where}.{problem.path}" if problem.path != "(top)" else where
    if error["type"] == "extra_forbidden":
        key = str(error["loc"][-1])
        allowed = [f for f in model.model_fields if f != "arm"]
        return Problem(
            path,
            f"unknown setting; {suggest(key, allowed)}; settings: {', '.join(allowed)}",
        )
    field = model.model_fields.get(str(error["loc"][0])) if error["loc"] else None
    bounds = _bounds(field.metadata) if field is not None else ""
    if bounds and error["type"] in _RANGE_ERRORS:
        return Problem(path, f"out of range: allowed {bounds}", problem.given)
    return Problem(path, problem.message, problem.given)


_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _bounds(metadata: list[Any]) -> str:
    """A field's range as a reader writes it: `1 <= k <= 50`-style, from pydantic's metadata."""
    low = high = ""
    for m in metadata:
        for attr, sign in (("ge", ">="), ("gt", ">")):
            if getattr(m, attr, None) is not None:
                low = f"{sign} {getattr(m, attr)}"
        for attr, sign in (("le", "<="), ("lt", "<")):
            if getattr(m, attr, None) is not None:
                high = f"{sign} {getattr(m, attr)}"
    return " and ".join(b for b in (low, high) if b)


def settings_for(name: str, settings: ArmSettings | Mapping[str, Any] | None) -> ArmSettings:
    """Typed settings from either form; raises `ValidationError` listing every problem."""
    if isinstance(settings, ArmSettings):
        return settings
    parsed, problems = parse_settings(name, settings)
    if parsed is None:
        raise ValidationError(f"arm {name!r}", problems)
    return parsed


def create_arm(
    name: str, resources: Resources, settings: ArmSettings | Mapping[str, Any] | None = None
) -> Arm:
    """The arm `name` (or the variant `name` of `settings.arm`) built on `resources`.

    Raises `ArmUnavailable` when it cannot run with these resources.
    """
    typed = settings_for(name, settings)
    return arm_class(kind_of(name, typed))(resources, typed)


def requirements(name: str, settings: ArmSettings | Mapping[str, Any] | None = None) -> Traits:
    """What arm `name` needs with these settings (a router: what its arms need too)."""
    typed = settings_for(name, settings)
    return arm_class(kind_of(name, typed)).requirements(typed)
