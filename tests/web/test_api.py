"""The JSON API on a live server: same answers as the CLI, and field-level 422s for bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from ragtune.cost.catalog import load_catalog
from ragtune.scenario import analyse_scenario, parse_scenario
from ragtune.web.scenarios import example_names


@pytest.fixture(scope="module")
def client(live_server: str) -> Any:
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def projects(client: httpx.Client) -> dict[str, Any]:
    scenario: dict[str, Any] = client.get("/api/examples/projects_vs_local").json()["scenario"]
    return scenario


def analyse(client: httpx.Client, scenario: Any, **extra: Any) -> httpx.Response:
    return client.post("/api/analyse", json={"scenario": scenario, **extra})


def problems(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {d["field"]: d["msg"] for d in response.json()["detail"]}


def test_analysis_equals_cli_subprocess(
    client: httpx.Client, cli_cost: Any, scenarios: Path
) -> None:
    text = (scenarios / "bigger_vs_finetuned.yaml").read_text()
    raw = client.post("/api/scenario/import", json={"yaml": text}).json()["scenario"]
    response = analyse(client, raw)
    assert response.status_code == 200
    assert response.headers["server-timing"].startswith("analyse;dur=")
    assert response.json()["analysis"] == cli_cost(scenarios / "bigger_vs_finetuned.yaml")


def test_every_bundled_example_equals_the_engine(client: httpx.Client, scenarios: Path) -> None:
    catalog = load_catalog()
    names = [e["name"] for e in client.get("/api/examples").json()]
    assert names == list(example_names()) and len(names) >= 6
    for name in names:
        body = client.get(f"/api/examples/{name}").json()
        assert body["yaml"] == (scenarios / f"{name}.yaml").read_text()
        scenario = parse_scenario(body["yaml"], catalog)
        expected = json.loads(
            json.dumps(analyse_scenario(scenario, catalog).to_dict(scenario=scenario.name))
        )
        assert analyse(client, body["scenario"]).json()["analysis"] == expected, name


def test_volume_and_samples_override_like_the_cli_flags(
    client: httpx.Client, cli_cost: Any, scenarios: Path
) -> None:
    raw = client.get("/api/examples/rag_vs_finetune_claude").json()["scenario"]
    got = analyse(client, raw, volume=120000, samples=500).json()["analysis"]
    path = scenarios / "rag_vs_finetune_claude.yaml"
    assert got == cli_cost(path, "--volume", "120000", "--samples", "500")


def test_chart_contains_the_table_numbers(client: httpx.Client) -> None:
    raw = client.get("/api/examples/rag_vs_finetune_claude").json()["scenario"]
    body = analyse(client, raw, chart_points=20).json()
    chart, result = body["chart"], body["analysis"]
    at = chart["volumes"].index(result["volume"])
    for series, option in zip(chart["series"], result["options"], strict=True):
        assert series["monthly"][at] == option["monthly"]
        assert all(lo <= hi for lo, hi in zip(series["p10"], series["p90"], strict=True))
    assert chart["samples"] == 2000


def test_unknown_model_is_422_with_did_you_mean(client: httpx.Client, projects: Any) -> None:
    bad = copy.deepcopy(projects)
    # a misspelling, not a suffix: the price library resolves IDs by prefix, as providers'
    # dated snapshots need (`claude-3-5-haiku-20241022`), so "claude-3-5-haiku-typo" is Haiku 3.5
    bad["options"]["haiku-plain"]["api"]["model"] = "claude-3-5-hiaku"
    msg = problems(analyse(client, bad))["options.haiku-plain.api.model"]
    assert "unknown model" in msg and "did you mean 'claude-3-5-haiku'" in msg


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("horizon_months",), 0, "greater than or equal to 1"),
        (("horizon_months",), 500, "less than or equal to 240"),
        (("samples",), 5, "greater than or equal to 100"),
        (("volume", "requests_per_month"), -10, "must be >= 0"),
        (("volume", "requests_per_month"), [900, 100], "low (900) is above high (100)"),
        (("options", "haiku-plain", "api", "output_tokens"), "nan", "finite"),
    ],
)
def test_out_of_range_values_are_422(
    client: httpx.Client, projects: Any, path: tuple[str, ...], value: Any, expected: str
) -> None:
    bad = copy.deepcopy(projects)
    target = bad
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    found = problems(analyse(client, bad))
    assert expected in found[".".join(path)]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("volume", "requests_per_month"), "lots", "expected a number"),
        (("horizon_months",), "twelve", "valid integer"),
        (("options", "haiku-plain", "api", "input_tokens"), True, "not true/false"),
        (("options", "haiku-plain", "api"), ["model"], "valid dictionary"),
        (("options", "haiku-plain", "api", "colour"), "blue", "unknown field"),
    ],
)
def test_wrong_types_are_422(
    client: httpx.Client, projects: Any, path: tuple[str, ...], value: Any, expected: str
) -> None:
    bad = copy.deepcopy(projects)
    target = bad
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert expected in problems(analyse(client, bad))[".".join(path)]


def test_every_problem_is_reported_at_once(client: httpx.Client, projects: Any) -> None:
    bad = copy.deepcopy(projects)
    bad["horizon_months"] = 0
    bad["options"]["sonnet-projects"]["api"]["model"] = "sonet"
    bad["options"]["hybrid"]["route"][0]["option"] = "local-finetun"
    found = problems(analyse(client, bad))
    assert set(found) == {
        "horizon_months",
        "options.sonnet-projects.api.model",
        "options.hybrid.route.0.option",
    }
    detail = analyse(client, bad).json()["detail"][0]
    assert detail["loc"][:2] == ["body", "scenario"]


def test_request_shape_errors_are_422(client: httpx.Client, projects: Any) -> None:
    assert client.post("/api/analyse", json={}).status_code == 422
    assert analyse(client, projects, samples="many").status_code == 422
    assert analyse(client, projects, volume=-1).status_code == 422
    assert analyse(client, "not a mapping").status_code == 422
    nan = '{"scenario": {"volume": {"requests_per_month": NaN}, "options": {}}}'
    response = client.post(
        "/api/analyse", content=nan, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    bad_json = client.post(
        "/api/analyse", content=b"{oops", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 422


def test_degenerate_inputs_are_422_not_500(client: httpx.Client, projects: Any) -> None:
    gpu = {
        "volume": {"requests_per_month": 1000},
        "options": {
            "gpu": {
                "serving": {"gpu": "a100-gcp", "tokens_per_second": 0, "tokens_per_request": 10}
            },
            "api": {"api": {"model": "gpt-4o", "input_tokens": 10}},
        },
    }
    response = analyse(client, gpu)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert "must be > 0" in detail["msg"]  # a field-level message, before any arithmetic
    assert "tokens_per_second" in ".".join(map(str, detail["loc"]))


def test_web_limits_are_422(client: httpx.Client, projects: Any) -> None:
    many = copy.deepcopy(projects)
    for i in range(25):
        many["options"][f"extra-{i}"] = {"api": {"model": "gpt-4o", "input_tokens": i}}
    assert "at most 20 options" in problems(analyse(client, many))["options"]
    heavy = copy.deepcopy(projects)
    heavy.update(samples=2_000_000, horizon_months=12)
    assert "ragtune cost" in problems(analyse(client, heavy))["samples"]


def test_yaml_import_export_round_trip(client: httpx.Client, scenarios: Path) -> None:
    text = (scenarios / "api_vs_selfhosted.yaml").read_text()
    imported = client.post("/api/scenario/import", json={"yaml": text}).json()
    assert imported["scenario"] == yaml.safe_load(text)
    exported = client.post("/api/scenario/export", json={"scenario": imported["scenario"]})
    assert exported.status_code == 200
    assert yaml.safe_load(exported.json()["yaml"]) == yaml.safe_load(text)


def test_import_reports_yaml_and_field_problems(client: httpx.Client) -> None:
    broken = client.post("/api/scenario/import", json={"yaml": "volume: [1, 2\noptions: {"})
    assert broken.status_code == 422
    assert "not valid YAML" in broken.json()["detail"][0]["msg"]
    text = "volume: {requests_per_month: 10}\noptions:\n  a: {api: {model: gpt-4oo}}\n"
    found = client.post("/api/scenario/import", json={"yaml": text})
    assert found.status_code == 422
    detail = found.json()["detail"][0]
    assert detail["field"] == "options.a.api.model" and "did you mean" in detail["msg"]
    assert detail["loc"] == ["body", "yaml", "options", "a", "api", "model"]
    export = client.post("/api/scenario/export", json={"scenario": yaml.safe_load(text)})
    assert export.status_code == 422


def test_catalog_lists_every_price_with_source(client: httpx.Client) -> None:
    catalog = client.get("/api/catalog").json()
    assert set(catalog) == {"models", "gpus", "embeddings", "infra", "batch"}
    names = {m["name"] for m in catalog["models"]}
    assert "claude-3-5-haiku" in names
    # token prices come from the price library (issue 32): current models are offered too
    assert {"claude-sonnet-4-6", "gpt-4.1-nano", "gpt-4o-mini-ft"} <= names
    assert all(e["source"] and e["as_of"] for section in catalog.values() for e in section)


def test_unknown_example_is_404(client: httpx.Client) -> None:
    response = client.get("/api/examples/no_such_scenario")
    assert response.status_code == 404
    assert "no bundled scenario" in response.json()["detail"]


def test_openapi_schema_is_published(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert {"/api/analyse", "/api/catalog", "/api/scenario/import", "/api/scenario/export"} <= set(
        paths
    )
    assert "422" in paths["/api/analyse"]["post"]["responses"]


def test_shared_uncertain_rate_gives_p_100(client: httpx.Client) -> None:
    """Issue 13: two identical options, 10 h vs 12 h maintenance at hourly_rate [100, 200]: the
    rate is drawn once per sample for both, so a is cheaper in 100% of samples (was 74%)."""
    twins = {
        "volume": {"requests_per_month": 50000},
        "hourly_rate": [100, 200],
        "samples": 2000,
        "options": {
            name: {
                "api": {"model": "claude-3-5-haiku", "input_tokens": 500},
                "maintenance_hours_per_month": hours,
            }
            for name, hours in (("a", 10), ("b", 12))
        },
    }
    response = analyse(client, twins)
    assert response.status_code == 200
    [pair] = response.json()["analysis"]["pairs"]
    assert pair["p_a_cheaper"] == 1.0


def test_horizon_crossing_is_in_the_answer(client: httpx.Client) -> None:
    """finetune_vs_rag_sonnet: the 36-month TCOs cross at 5,000 / (36 x 0.0015) = 92,593."""
    scenario = client.get("/api/examples/finetune_vs_rag_sonnet").json()["scenario"]
    pair = analyse(client, scenario).json()["analysis"]["pairs"][0]
    assert pair["crossing"]["volumes"] == [] and pair["crossing"]["basis"] == "run-rate"
    assert pair["horizon_crossing"]["volumes"][0] == pytest.approx(92_592.59, abs=0.01)
    assert pair["horizon_crossing"]["horizon"] == 36


def test_out_of_range_fraction_is_a_422_with_the_cli_message(client: httpx.Client) -> None:
    bad = {
        "volume": {"requests_per_month": 100000},
        "options": {
            "a": {
                "api": {
                    "model": "claude-sonnet-4-5",
                    "cached_prefix_tokens": 5000,
                    "cache_hit_rate": 90,
                }
            }
        },
    }
    found = problems(analyse(client, bad))
    message = found["options.a.api.cache_hit_rate"]
    assert message.startswith("90 is not a fraction: must be 0 to 1")
    assert message.endswith("did you mean 0.9?")


def test_the_batch_api_option_halves_the_api_bill(client: httpx.Client) -> None:
    """gpt-4o-mini, 1,000 input + 100 output tokens a request:
    interactive (1,000 x $0.15 + 100 x $0.60) / 1e6 = $0.000210;
    batch API   (1,000 x $0.075 + 100 x $0.30) / 1e6 = $0.000105, at 10,000 requests $1.05/month.
    """
    api = {"model": "gpt-4o-mini", "input_tokens": 1000, "output_tokens": 100}
    scenario = {
        "volume": {"requests_per_month": 10000},
        "options": {"now": {"api": api}, "nightly": {"api": {**api, "batch": True}}},
    }
    response = analyse(client, scenario)
    assert response.status_code == 200, response.text
    options = {o["name"]: o for o in response.json()["analysis"]["options"]}
    assert options["now"]["request_cost"] == pytest.approx(210e-6)
    assert options["nightly"]["request_cost"] == pytest.approx(105e-6)
    assert options["nightly"]["monthly"] == pytest.approx(1.05)
    bad = {**scenario, "options": {"t": {"api": {**api, "model": "gpt-4o-mini-ft", "batch": True}}}}
    assert "no batch price" in problems(analyse(client, bad))["options.t.api.batch"]
