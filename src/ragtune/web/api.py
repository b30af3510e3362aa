"""The JSON API behind the calculator page: catalog, bundled examples, analysis, YAML import/export.

Scripts and the page call the same endpoints, and every number comes from the cost engine
(`analyse_scenario`, `build_chart`), so `POST /api/analyse` answers exactly what
`ragtune cost SCENARIO --json` prints, under `analysis`. Input problems are 422 responses in
FastAPI's shape (`detail: [{loc, msg, type}]`) with the scenario's dotted field path in `field`.

Deliberately not here: HTML, static files and middleware (see `app.py`).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ragtune.cost import SECTIONS, Catalog, jsonable
from ragtune.errors import Problem, RagtuneError
from ragtune.scenario import analyse_scenario
from ragtune.web.chart import CHART_POINTS, build_chart, chart_spec
from ragtune.web.scenarios import (
    example_names,
    example_scenario,
    example_yaml,
    problems_of,
    scenario_from_yaml,
    scenario_to_yaml,
    validate_scenario,
)

log = logging.getLogger(__name__)

MAX_YAML_CHARS = 200_000  # below the app's 256 KB body limit, with room for JSON escaping
ScenarioBody = Annotated[
    dict[str, Any],
    Field(
        description="A scenario in the form of a `ragtune cost` YAML file: every number may "
        "be a value, a [low, high] range or a {dist: ...} mapping.",
        examples=[
            {
                "volume": {"requests_per_month": 50000},
                "options": {"haiku": {"api": {"model": "claude-3-5-haiku", "input_tokens": 500}}},
            }
        ],
    ),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AnalyseRequest(_Body):
    scenario: ScenarioBody
    volume: float | None = Field(
        None, ge=0, le=1e12, description="Requests per month (overrides the scenario's)."
    )
    samples: int | None = Field(
        None, ge=0, le=200_000, description="Monte Carlo samples (0 = none; default the file's)."
    )
    chart_points: int = Field(CHART_POINTS, ge=3, le=400)


class ImportRequest(_Body):
    yaml: str = Field(max_length=MAX_YAML_CHARS, description="Text of a scenario YAML file.")


class ExportRequest(_Body):
    scenario: ScenarioBody


class ScenarioResponse(BaseModel):
    name: str
    scenario: dict[str, Any]
    yaml: str


class SeriesOut(BaseModel):
    option: str
    monthly: list[float | None]
    p10: list[float | None] | None
    p90: list[float | None] | None


class MarkerOut(BaseModel):
    a: str
    b: str
    volume: float | None
    monthly: float | None


class ChartOut(BaseModel):
    volumes: list[float | None]
    volume: float | None
    series: list[SeriesOut]
    markers: list[MarkerOut]
    samples: int


class AnalyseResponse(BaseModel):
    scenario: str
    analysis: dict[str, Any] = Field(description="Exactly what `ragtune cost --json` prints.")
    chart: ChartOut
    chart_spec: dict[str, Any] | None = Field(
        description="The chart as a Vega-Lite spec: the report's cost chart built from `chart` "
        "(`ragtune.report.cost_spec`), drawn by the page with the bundled vega-embed; null when "
        "there is nothing to draw."
    )
    elapsed_ms: float = Field(description="Server-side time to validate, analyse and chart.")


class ExampleOut(BaseModel):
    name: str
    title: str


def unprocessable(err: RagtuneError, where: str) -> JSONResponse:
    """422 with one entry per problem; `loc` follows FastAPI, `field` is the scenario path."""
    detail = [_detail(p, where) for p in problems_of(err)]
    return JSONResponse({"detail": detail}, status_code=422)


def _detail(problem: Problem, where: str) -> dict[str, Any]:
    field = "" if problem.path == "(top)" else problem.path
    return {
        "loc": ["body", where, *(field.split(".") if field else [])],
        "msg": problem.message,
        "type": "scenario",
        "field": field,
        "input": problem.given,
    }


def build_router(catalog: Catalog) -> APIRouter:
    """The API routes, bound to one price catalog (loaded once when the app starts)."""
    router = APIRouter(prefix="/api", tags=["calculator"])

    @router.get("/catalog", summary="Every price in the catalog, with its source and date")
    def get_catalog() -> dict[str, list[dict[str, Any]]]:
        # `search("")` lists every entry, the price library's models of the providers ragtune
        # calls included (the `models` section itself holds only price files' entries)
        found = catalog.search("")
        return {
            s: [jsonable(dataclasses.asdict(e)) for section, e in found if section == s]
            for s in SECTIONS
        }

    @router.get("/examples", summary="Bundled example scenarios")
    def list_examples() -> list[ExampleOut]:
        return [
            ExampleOut(name=name, title=str(example_scenario(name).get("name", name)))
            for name in example_names()
        ]

    @router.get(
        "/examples/{name}",
        summary="One bundled scenario, as a mapping and as YAML",
        response_model=ScenarioResponse,
        responses={404: {"description": "No bundled scenario of that name"}},
    )
    def get_example(name: str) -> Any:
        try:
            text = example_yaml(name)
        except RagtuneError as err:
            return JSONResponse({"detail": str(err)}, status_code=404)
        return ScenarioResponse(name=name, scenario=example_scenario(name), yaml=text)

    @router.post(
        "/analyse",
        summary="Price a scenario: what `ragtune cost --json` prints, plus chart series",
        response_model=AnalyseResponse,
    )
    def analyse(body: AnalyseRequest) -> Any:
        start = time.perf_counter()
        try:
            scenario = validate_scenario(body.scenario, catalog)
            # Extreme inputs overflow to inf (sent as null); that is an answer, not a log line.
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                result = analyse_scenario(
                    scenario, catalog, volume=body.volume, samples=body.samples
                )
                chart = build_chart(scenario, catalog, result, points=body.chart_points)
                spec = chart_spec(chart, result.horizon)
        except RagtuneError as err:
            return unprocessable(err, "scenario")
        except ArithmeticError as err:  # e.g. a throughput or retrain interval of 0
            log.info("analysis failed on a degenerate input: %s", err)
            return unprocessable(
                RagtuneError(
                    "these inputs divide by zero (a throughput, utilisation, concurrency or "
                    "retraining interval of 0?); use a positive value"
                ),
                "scenario",
            )
        elapsed = (time.perf_counter() - start) * 1000
        content = {
            "scenario": scenario.name,
            "analysis": result.to_dict(scenario=scenario.name),
            "chart": jsonable(dataclasses.asdict(chart)),
            "chart_spec": jsonable(spec),
            "elapsed_ms": elapsed,
        }
        return JSONResponse(content, headers={"Server-Timing": f"analyse;dur={elapsed:.2f}"})

    @router.post(
        "/scenario/import",
        summary="Read scenario YAML (as used by `ragtune cost`) into the page's form",
        response_model=ScenarioResponse,
    )
    def import_yaml(body: ImportRequest) -> Any:
        try:
            raw = scenario_from_yaml(body.yaml, catalog)
        except RagtuneError as err:
            return unprocessable(err, "yaml")
        return ScenarioResponse(name=str(raw.get("name", "scenario")), scenario=raw, yaml=body.yaml)

    @router.post(
        "/scenario/export",
        summary="Write the page's scenario as YAML that `ragtune cost` runs",
        response_model=ScenarioResponse,
    )
    def export_yaml(body: ExportRequest) -> Any:
        try:
            text = scenario_to_yaml(body.scenario, catalog)
        except RagtuneError as err:
            return unprocessable(err, "scenario")
        name = str(body.scenario.get("name", "scenario"))
        return ScenarioResponse(name=name, scenario=body.scenario, yaml=text)

    return router
