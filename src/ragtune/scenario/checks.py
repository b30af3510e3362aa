"""Reading a scenario: YAML or a JSON body validated against the schema, and the catalog names,
routes, batch prices, trainings and caches it refers to checked, every problem reported at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import yaml

from ragtune.cost import (
    Catalog,
    hosted_reference,
    load_hosted,
)
from ragtune.errors import (
    Problem,
    RagtuneError,
    ValidationError,
    problem_from_pydantic,
    read_user_file,
    suggest,
)
from ragtune.scenario.schema import Scenario, Training


def load_scenario(path: str | Path, catalog: Catalog) -> Scenario:
    """Read and validate a scenario file, reporting every problem at once."""
    path = Path(path)
    text = read_user_file(
        path,
        "scenario file",
        hint="check the path, or start from one of src/ragtune/examples/scenarios/*.yaml",
    )
    return parse_scenario(text, catalog, source=str(path))


def parse_scenario(text: str, catalog: Catalog, *, source: str = "scenario") -> Scenario:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise RagtuneError(
            f"{source} is not valid YAML: {err}",
            hint="fix the line shown; YAML needs consistent indentation",
        ) from err
    if data is None:
        raise RagtuneError(
            f"{source} is empty", hint="a scenario needs at least `volume:` and `options:`"
        )
    if not isinstance(data, dict):
        raise RagtuneError(
            f"{source}: expected a mapping at the top level, got {type(data).__name__}"
        )
    return validate_scenario(data, catalog, source=source)


def validate_scenario(
    data: dict[str, Any], catalog: Catalog, *, source: str = "scenario"
) -> Scenario:
    """A `Scenario` from a parsed mapping (YAML or a JSON body), or every problem at once."""
    problems = check_references(data, catalog)
    try:
        scenario = Scenario.model_validate(data)
    except pydantic.ValidationError as err:
        problems = [problem_from_pydantic(e) for e in err.errors()] + problems
        raise ValidationError(source, problems) from None
    problems += _check_trainings(scenario, catalog)
    problems += _check_caches(scenario, catalog)
    problems += _check_servings(scenario)
    problems += _check_windows(scenario, catalog)
    if problems:
        raise ValidationError(source, problems)
    return scenario


def check_references(data: dict[str, Any], catalog: Catalog) -> list[Problem]:
    """Catalog names, route targets and compare pairs that do not exist.

    Runs on the raw mapping, so these are reported together with schema problems.
    """
    problems: list[Problem] = []

    def need(section: str, name: Any, where: str) -> None:
        if not isinstance(name, str):
            return
        if hosted_reference(name) and section in ("gpus", "models"):
            hosted = load_hosted()
            try:  # `together:HARDWARE` endpoints, `together:BASE` training
                hosted.endpoint_named(name) if section == "gpus" else hosted.training_named(name)
            except RagtuneError as err:
                problems.append(Problem(where, f"{err.message}; {err.hint}", name))
            return
        if not catalog.has(section, name):
            hint = suggest(name, catalog.names(section))
            problems.append(
                Problem(where, f"unknown {section.rstrip('s')} in the price catalog; {hint}", name)
            )

    options = data.get("options")
    if not isinstance(options, dict):
        return problems
    names = set(options)
    for name, spec in options.items():
        if not isinstance(spec, dict):
            continue
        at = f"options.{name}"
        need("models", _get(spec, "api", "model"), f"{at}.api.model")
        problems += _check_batch(spec, at, catalog)
        need("gpus", _get(spec, "serving", "gpu"), f"{at}.serving.gpu")
        need("embeddings", _get(spec, "embedding", "model"), f"{at}.embedding.model")
        for where in ("one_time", "retrain"):
            need("models", _get(spec, where, "training", "model"), f"{at}.{where}.training.model")
            need("gpus", _get(spec, where, "training", "gpu"), f"{at}.{where}.training.gpu")
        for i, item in enumerate(_list(spec.get("fixed_monthly"))):
            need("infra", _get(item, "infra"), f"{at}.fixed_monthly.{i}.infra")
            if isinstance(item, dict) and item.get("infra") is None and item.get("amount") is None:
                problems.append(Problem(f"{at}.fixed_monthly.{i}", "give `amount` or `infra`"))
        for i, route in enumerate(_list(spec.get("route"))):
            target = _get(route, "option")
            if isinstance(target, str) and (target not in names or target == name):
                others = sorted(str(n) for n in names - {name})
                problems.append(
                    Problem(
                        f"{at}.route.{i}.option",
                        f"must name another option; {suggest(target, others)}",
                        target,
                    )
                )
        if not any(spec.get(k) for k in ("api", "serving", "fixed_monthly", "route")):
            problems.append(
                Problem(at, "an option needs at least one of api, serving, fixed_monthly or route")
            )
    for i, pair in enumerate(_list(data.get("compare"))):
        for side in _list(pair):
            if isinstance(side, str) and side not in names:
                problems.append(
                    Problem(
                        f"compare.{i}",
                        f"unknown option; {suggest(side, sorted(map(str, names)))}",
                        side,
                    )
                )
    return problems


def _check_batch(spec: dict[str, Any], at: str, catalog: Catalog) -> list[Problem]:
    """`api.batch: true` needs a batch price for the model in the catalog."""
    model = _get(spec, "api", "model")
    if _get(spec, "api", "batch") is not True or not isinstance(model, str):
        return []
    if not catalog.has("models", model) or catalog.batch_model(model) is not None:
        return []  # an unknown model is reported once, as such
    return [
        Problem(
            f"{at}.api.batch",
            "the price catalog has no batch price for this model; batch prices exist for "
            + ", ".join(catalog.names("batch"))
            + " (or add one under `batch:` in a --prices file)",
            model,
        )
    ]


def _get(mapping: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _check_windows(scenario: Scenario, catalog: Catalog) -> list[Problem]:
    """A request longer than the model's context window cannot be sent (issue 32): its prompt
    (input + context + cached prefix, at their means) must fit."""
    problems: list[Problem] = []
    for name, spec in scenario.options.items():
        api = spec.api
        if api is None:
            continue
        counts = ("input_tokens", "context_tokens", "cached_prefix_tokens")
        # a count the option leaves out is the scenario workload's (0 when neither gives it)
        given = [getattr(api, n) or getattr(scenario.workload, n, None) for n in counts]
        prompt = sum(q.central() for q in given if q is not None)
        try:
            price = catalog.model(api.model)
        except RagtuneError:
            continue  # already reported as an unknown name
        try:
            price.check_fits(prompt)
        except RagtuneError as err:
            problems.append(Problem(f"options.{name}.api", f"{err.message}; {err.hint}"))
    return problems


def _check_trainings(scenario: Scenario, catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    for name, spec in scenario.options.items():
        for training, where in (
            (spec.one_time.training if spec.one_time else None, "one_time"),
            (spec.retrain.training if spec.retrain else None, "retrain"),
        ):
            if training is not None:
                problems += _check_training(training, f"options.{name}.{where}.training", catalog)
    return problems


def _check_caches(scenario: Scenario, catalog: Catalog) -> list[Problem]:
    """Cache settings the model's provider does not offer, or that contradict each other."""
    problems: list[Problem] = []
    for name, spec in scenario.options.items():
        api = spec.api
        if api is None:
            continue
        at = f"options.{name}.api"
        if api.distinct_prefixes is not None and "cache_hit_rate" in api.model_fields_set:
            problems.append(
                Problem(
                    at,
                    "give cache_hit_rate (a fixed rate) or distinct_prefixes (the rate follows "
                    "the volume and the cache TTL), not both",
                )
            )
        if api.cache_ttl is None:
            continue
        try:
            policy = catalog.model(api.model).cache
        except RagtuneError:
            continue  # already reported as an unknown name
        offered = [t.name for t in policy.ttls] if policy else []
        if api.cache_ttl not in offered:
            allowed = ", ".join(offered) if offered else "none: this model has no prompt cache"
            problems.append(
                Problem(
                    f"{at}.cache_ttl",
                    f"not offered for {api.model}; offered: {allowed}",
                    api.cache_ttl,
                )
            )
    return problems


def _check_servings(scenario: Scenario) -> list[Problem]:
    """A serving sizes its GPUs from `tokens_per_request` (every token at decode speed) or from
    a prompt/answer split (its own, or the workload's); one of them, not both."""
    problems: list[Problem] = []
    shared = scenario.workload
    for name, spec in scenario.options.items():
        serving = spec.serving
        if serving is None:
            continue
        at = f"options.{name}.serving"
        split = [f for f in ("input_tokens", "output_tokens", "prefill_tokens_per_second")
                 if getattr(serving, f) is not None]  # fmt: skip
        if serving.tokens_per_request is not None and split:
            problems.append(
                Problem(
                    at,
                    f"give tokens_per_request (every token at decode speed) or {', '.join(split)} "
                    "(prompt at the prefill rate, answer at decode), not both",
                )
            )
        elif serving.tokens_per_request is None and (
            serving.output_tokens is None and shared.output_tokens is None
        ):
            problems.append(
                Problem(
                    at,
                    "needs the tokens a request costs: output_tokens (with input_tokens) here or "
                    "in the scenario's `workload:`, or tokens_per_request",
                )
            )
    return problems


def _check_training(training: Training, at: str, catalog: Catalog) -> list[Problem]:
    hosted = training.tokens is not None
    rented = training.hours is not None
    if training.amount is None and hosted == rented:
        return [
            Problem(
                at,
                "give either tokens (+ model or price_per_m), hours (+ gpu or "
                "gpu_hourly), or amount",
            )
        ]
    if hosted and training.price_per_m is None:
        if training.model is None:
            return [
                Problem(
                    at, "hosted training needs `model` (with a training price) or `price_per_m`"
                )
            ]
        if hosted_reference(training.model):
            return []  # `together:BASE`: checked with the other names (check_references)
        try:
            if catalog.model(training.model).training_per_m is None:
                return [
                    Problem(
                        f"{at}.model",
                        "this catalog model has no training price; use a "
                        "fine-tunable one (e.g. gpt-4o-mini-ft) or set "
                        "price_per_m",
                        training.model,
                    )
                ]
        except RagtuneError:
            return []  # already reported as an unknown name
    if rented and training.gpu is None and training.gpu_hourly is None:
        return [Problem(at, "GPU training needs `gpu` or `gpu_hourly`")]
    return []
