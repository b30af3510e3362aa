"""Scenarios as the web app sees them: JSON bodies in, validated `Scenario`s and YAML out.

The page holds a scenario in the same user-written form as a YAML file (numbers, `[low, high]`
ranges, `{dist: ...}` mappings). This module validates such a mapping with the very checks that
`ragtune cost` runs on a file (schema, catalog names with "did you mean", trainings), adds the
web app's resource limits, and converts between that form and YAML for import and export.
Bundled example scenarios are served by name from a fixed list, never by path.

Deliberately not here: any cost arithmetic (see `ragtune.scenario` and `ragtune.cost`).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from ragtune import scenario as scenario_module
from ragtune.cost import Catalog
from ragtune.errors import Problem, RagtuneError, ValidationError, suggest
from ragtune.scenario import Scenario

# A page request is answered while the user types, and the server is shared by whoever can reach
# it, so one request may not ask for unbounded work. The CLI has no such caps.
MAX_OPTIONS = 20  # options x pairs grows quadratically: 20 options = 190 pairs
MAX_COMPARE = 50
MAX_SAMPLE_MONTHS = 2_400_000  # samples x horizon months: 10,000 samples over 240 months
SOURCE = "scenario"


def validate_scenario(raw: Any, catalog: Catalog, *, source: str = SOURCE) -> Scenario:
    """A validated `Scenario` from a user-written mapping, or `ValidationError` with every problem.

    The same validation as `ragtune cost` (problem paths such as `options.rag.api.model`), plus
    the web app's resource limits.
    """
    if not isinstance(raw, dict):
        raise ValidationError(source, [Problem("(top)", "expected a mapping (a JSON object)")])
    scenario = scenario_module.validate_scenario(raw, catalog, source=source)
    problems = _check_limits(scenario)
    if problems:
        raise ValidationError(source, problems)
    return scenario


def _check_limits(scenario: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    if len(scenario.options) > MAX_OPTIONS:
        problems.append(
            Problem(
                "options",
                f"the web app prices at most {MAX_OPTIONS} options at once; "
                "split the scenario or use `ragtune cost`",
                str(len(scenario.options)),
            )
        )
    if len(scenario.compare) > MAX_COMPARE:
        problems.append(
            Problem("compare", f"at most {MAX_COMPARE} pairs", str(len(scenario.compare)))
        )
    if scenario.samples * scenario.horizon_months > MAX_SAMPLE_MONTHS:
        most = MAX_SAMPLE_MONTHS // scenario.horizon_months
        problems.append(
            Problem(
                "samples",
                f"at most {most:,} Monte Carlo samples over {scenario.horizon_months} months in "
                "the web app; use `ragtune cost` for more",
                str(scenario.samples),
            )
        )
    return problems


def problems_of(err: RagtuneError) -> list[Problem]:
    """Field-level problems of any `RagtuneError` (one `(top)` problem when it has none)."""
    if isinstance(err, ValidationError):
        return err.problems
    return [Problem("(top)", str(err))]


def scenario_from_yaml(text: str, catalog: Catalog) -> dict[str, Any]:
    """The user-written mapping of a YAML scenario, after checking it as `ragtune cost` would."""
    scenario_module.parse_scenario(text, catalog, source=SOURCE)  # raises with every problem
    raw: dict[str, Any] = yaml.safe_load(text)
    return _plain(raw)


def _plain(value: Any) -> Any:
    """JSON-safe copy of a YAML value (dates and other tags become strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def scenario_to_yaml(raw: dict[str, Any], catalog: Catalog) -> str:
    """YAML text for a user-written mapping, validated first so the file runs with the CLI."""
    scenario = validate_scenario(raw, catalog)
    header = (
        f"# {scenario.name}: exported from `ragtune serve`.\n"
        "# Run:  ragtune cost scenario.yaml   (or import it back into the page)\n"
    )
    body = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=100)
    return header + body


@cache
def example_names() -> tuple[str, ...]:
    """Stems of the bundled scenarios, the only names `example_yaml` accepts."""
    folder = resources.files("ragtune.examples").joinpath("scenarios")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


def example_scenario(name: str) -> dict[str, Any]:
    """A bundled scenario's mapping, unvalidated (a user's price file may not have its names)."""
    raw: dict[str, Any] = _plain(yaml.safe_load(example_yaml(name)))
    return raw


def example_yaml(name: str) -> str:
    """Text of a bundled scenario, looked up in the fixed list (a name is never used as a path)."""
    names = example_names()
    if name not in names:
        raise RagtuneError(f"no bundled scenario named {name!r}", hint=suggest(name, list(names)))
    folder = resources.files("ragtune.examples").joinpath("scenarios")
    return folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8")
