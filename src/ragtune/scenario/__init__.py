"""What-if scenario files (`ragtune cost scenario.yaml`): schema, validation and option building.

A scenario names the volume, horizon and a set of options (API models, self-hosted GPUs, flat
infrastructure, one-time and retraining costs). Validation reports every problem at once with
its field path. `build_options` turns the validated scenario into cost-engine `Option`s, either
at point values or with Monte Carlo sample arrays, through one code path (`draw`).

`schema.py` holds what a scenario may say, `checks.py` reads and checks one, `engine.py` prices it.
"""

from ragtune.scenario.checks import (
    check_references,
    load_scenario,
    parse_scenario,
    validate_scenario,
)
from ragtune.scenario.engine import (
    Draw,
    PointDraw,
    SampleDraw,
    analyse_scenario,
    build_options,
    point,
    sampler,
)
from ragtune.scenario.schema import (
    Api,
    Curation,
    Embedding,
    Item,
    OneTimeSpec,
    OptionSpec,
    Retrain,
    Route,
    Scenario,
    Serving,
    Training,
    Volume,
    Workload,
    written,
)

__all__ = [
    "Api",
    "Curation",
    "Draw",
    "Embedding",
    "Item",
    "OneTimeSpec",
    "OptionSpec",
    "PointDraw",
    "Retrain",
    "Route",
    "SampleDraw",
    "Scenario",
    "Serving",
    "Training",
    "Volume",
    "Workload",
    "analyse_scenario",
    "build_options",
    "check_references",
    "load_scenario",
    "parse_scenario",
    "point",
    "sampler",
    "validate_scenario",
    "written",
]
