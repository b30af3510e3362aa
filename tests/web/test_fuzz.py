"""Property-based fuzz of the published OpenAPI schema (schemathesis): no input gives a 5xx.

Schemathesis reads /openapi.json from the live server and generates requests for every
operation, valid and invalid alike; responses must never be server errors and must match the
declared status codes and response schemas. The same fuzz runs against the authenticated app
(bound to 0.0.0.0, as `ragtune serve --host 0.0.0.0` sets it up), with the owner's token for
the calculator and runs and a reviewer's token for the review operations. Examples are capped
so the whole fuzz runs in well under a minute on 2 cores. (Schemathesis's lazy pytest fixture
loader does not work with pytest 9, so each operation's strategy is driven by Hypothesis
directly.)
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 25  # per operation and mode
OPERATIONS = [
    ("/api/catalog", "GET"),
    ("/api/examples", "GET"),
    ("/api/examples/{name}", "GET"),
    ("/api/analyse", "POST"),
    ("/api/scenario/import", "POST"),
    ("/api/scenario/export", "POST"),
    ("/api/runs", "GET"),
    ("/api/runs/{run_id}/report", "GET"),
    ("/api/review/{run_id}/{review}", "GET"),
    ("/api/review/{run_id}/{review}/ratings", "POST"),
]


@pytest.fixture(scope="module")
def api_schema(live_server: str) -> Any:
    return schemathesis.openapi.from_url(f"{live_server}/openapi.json")


def test_schema_lists_every_operation(api_schema: Any) -> None:
    found = {
        (path, method.upper())
        for path, ops in api_schema.raw_schema["paths"].items()
        for method in ops
    }
    assert found == set(OPERATIONS)


# Negative cases need something that can break the schema: a request body (GET routes have none,
# and any string is a valid example name).
CASES = [(path, method, GenerationMode.POSITIVE) for path, method in OPERATIONS] + [
    (path, method, GenerationMode.NEGATIVE) for path, method in OPERATIONS if method == "POST"
]


@pytest.mark.parametrize(("path", "method", "mode"), CASES)
def test_no_server_errors(api_schema: Any, path: str, method: str, mode: GenerationMode) -> None:
    """Valid requests (positive) and requests that break the schema (negative)."""
    operation = api_schema[path][method]
    checks = [not_a_server_error]
    if mode is GenerationMode.POSITIVE:  # a schema-breaking request is expected to get a 4xx
        checks += [status_code_conformance, response_schema_conformance]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,  # the same examples every run: a failure here is reproducible
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def fuzz(case: Any) -> None:
        case.call_and_validate(checks=checks)

    fuzz()


# Scenario-shaped bodies: the schema types `scenario` as a free mapping, so random objects are
# rejected early. These reach the cost engine with odd but well-formed numbers (0, huge, ranges).
def _quantity() -> Any:
    from hypothesis import strategies as st

    number = st.one_of(st.sampled_from([0, 1, 0.5, 1e9, 1e15]), st.floats(0, 1e7, allow_nan=False))
    return st.one_of(number, st.lists(number, min_size=2, max_size=2).map(sorted))


def _scenario() -> Any:
    from hypothesis import strategies as st

    q = _quantity()
    api = st.fixed_dictionaries(
        {"model": st.sampled_from(["gpt-4o", "claude-3-5-haiku"]), "input_tokens": q},
        optional={
            "output_tokens": q,
            "context_tokens": q,
            "cache_hit_rate": q,
            "cached_prefix_tokens": q,
            "inference_premium": q,
        },
    )
    serving = st.fixed_dictionaries(
        {"gpu": st.just("a100-gcp"), "tokens_per_second": q, "tokens_per_request": q},
        optional={"concurrency": q, "max_utilisation": q, "min_gpus": q, "peak_to_average": q},
    )
    option = st.fixed_dictionaries(
        {},
        optional={
            "api": api,
            "serving": serving,
            "fixed_monthly": st.lists(st.fixed_dictionaries({"amount": q}), max_size=2),
            "maintenance_hours_per_month": q,
            "one_time": st.fixed_dictionaries(
                {}, optional={"pipeline_hours": q, "training": st.fixed_dictionaries({"amount": q})}
            ),
            "retrain": st.fixed_dictionaries({"every_months": q}, optional={"data_hours": q}),
        },
    )
    return st.fixed_dictionaries(
        {
            "volume": st.fixed_dictionaries(
                {"requests_per_month": q}, optional={"growth_per_month": q}
            ),
            "options": st.dictionaries(st.sampled_from("abcd"), option, min_size=1, max_size=3),
        },
        optional={"horizon_months": st.integers(1, 240), "samples": st.integers(100, 3000)},
    )


def test_scenario_shaped_bodies_never_give_5xx(live_server: str) -> None:
    import httpx

    with httpx.Client(base_url=live_server, timeout=60) as client:

        @given(scenario=_scenario())
        @settings(
            max_examples=60,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(scenario: dict[str, Any]) -> None:
            response = client.post("/api/analyse", json={"scenario": scenario})
            assert response.status_code in (200, 422), (response.status_code, response.text)

        fuzz()


# The review endpoints on a store that has a review: random schema-breaking and schema-valid
# ratings sent to a real review (known run and review ids, so they reach the rating checks).
def _rating() -> Any:
    from hypothesis import strategies as st

    text = st.one_of(
        st.sampled_from(["q0", "q1", "q99", "correct", "partly", "wrong", "1st", "", " ", "<b>"]),
        st.text(max_size=80),
    )
    value = st.one_of(text, st.integers(-5, 200), st.none(), st.floats(allow_nan=True))
    return st.fixed_dictionaries(
        {}, optional={"reviewer": text, "item_id": text, "answer": value, "value": text,
                      "extra": value}
    )  # fmt: skip


def test_review_endpoints_never_give_5xx(
    tmp_path_factory: Any, review_builder, serve_store
) -> None:
    import httpx

    from ragtune.evidence.review import CORRECTNESS
    from ragtune.store.runstore import RunStore

    path = tmp_path_factory.mktemp("fuzz-review") / "ragtune.db"
    run_id = review_builder(path, n=4)
    with RunStore.open(path) as store:
        store.add_review(run_id, "pointwise", ("zeta_rag", "omega_tuned"), ("q0", "q1"),
                         CORRECTNESS, 7)  # fmt: skip
    base = serve_store(path)
    with httpx.Client(base_url=base, timeout=60) as client:

        @given(body=_rating(), review=_review_ids(), who=_names())
        @settings(
            max_examples=80,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(body: dict[str, Any], review: str, who: str) -> None:
            # json.dumps writes NaN/Infinity as bare words (not JSON): the server must refuse
            # them with a 4xx, so they are sent as a client that produces them would
            posted = client.post(
                f"/api/review/{run_id}/{review}/ratings",
                content=json.dumps(body),
                headers={"content-type": "application/json"},
            )
            assert posted.status_code in (200, 404, 422), (posted.status_code, posted.text)
            got = client.get(f"/api/review/{run_id}/{review}", params={"reviewer": who})
            assert got.status_code in (200, 404, 422), (got.status_code, got.text)

        fuzz()


def _review_ids() -> Any:
    from hypothesis import strategies as st

    return st.sampled_from(["1", "1", "2", "0", "-1", "x", "99999999999"])


def _names() -> Any:
    from hypothesis import strategies as st

    return st.one_of(st.sampled_from(["ana", " ", "a" * 65]), st.text(min_size=1, max_size=70))


# --- the same against the authenticated app (issue 31) ------------------------------------------


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: Any) -> Any:
    """(base URL, owner's token, alice's token, run id) of the app bound to 0.0.0.0 with tokens."""
    from ragtune.cli.serve import plan_exposure
    from ragtune.evidence.review import CORRECTNESS
    from ragtune.store import RunStore, hash_token, new_token
    from ragtune.web.access import AccessPolicy
    from ragtune.web.app import create_app

    from ..conftest import build_review_run
    from .conftest import start_server

    path = tmp_path_factory.mktemp("fuzz-auth") / "ragtune.db"
    run_id = build_review_run(path, n=4)
    owner, alice = new_token(), new_token()
    with RunStore.open(path) as store:
        store.add_review(run_id, "pointwise", ("zeta_rag", "omega_tuned"), ("q0", "q1"),
                         CORRECTNESS, 7)  # fmt: skip
        store.add_review_token(run_id, 1, "alice", hash_token(alice))
    exposure = plan_exposure("0.0.0.0", 0)
    assert exposure.require_token
    app = create_app(
        allowed_hosts=exposure.allowed_hosts,
        access=AccessPolicy(require_token=True, owner_token_hash=hash_token(owner)),
    )
    app.state.store_path = str(path)
    base, stop = start_server(app, host="0.0.0.0")
    yield base, owner, alice, run_id
    stop()


@pytest.mark.parametrize(("path", "method", "mode"), CASES)
def test_no_server_errors_with_tokens(
    auth_server: Any, path: str, method: str, mode: GenerationMode
) -> None:
    base, owner, alice, _ = auth_server
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    token = alice if "/review/" in path else owner
    operation = schema[path][method]
    checks = [not_a_server_error]
    if mode is GenerationMode.POSITIVE:
        checks += [status_code_conformance, response_schema_conformance]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def fuzz(case: Any) -> None:
        case.call_and_validate(headers={"authorization": f"Bearer {token}"}, checks=checks)

    fuzz()


def test_review_endpoints_with_a_token_never_give_5xx(auth_server: Any) -> None:
    import httpx

    base, _, alice, run_id = auth_server
    headers = {"authorization": f"Bearer {alice}"}
    with httpx.Client(base_url=base, timeout=60, headers=headers) as client:

        @given(body=_rating(), review=_review_ids(), who=_names())
        @settings(
            max_examples=80,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(body: dict[str, Any], review: str, who: str) -> None:
            # json.dumps writes NaN/Infinity as bare words (not JSON): the server must refuse
            # them with a 4xx, so they are sent as a client that produces them would
            posted = client.post(
                f"/api/review/{run_id}/{review}/ratings",
                content=json.dumps(body),
                headers={"content-type": "application/json"},
            )
            assert posted.status_code in (200, 403, 404, 422, 429), (
                posted.status_code,
                posted.text,
            )
            got = client.get(f"/api/review/{run_id}/{review}", params={"reviewer": who})
            assert got.status_code in (200, 403, 404, 422), (got.status_code, got.text)

        fuzz()


def test_a_body_with_nan_or_infinity_is_refused_with_a_422(auth_server: Any) -> None:
    """Python's JSON parser accepts the bare words NaN and Infinity; FastAPI's default handler
    then echoed them back and failed to encode its own 422 (a 500, found by the fuzz above)."""
    import httpx

    # the calculator's endpoint with the owner's token: the handler is the app's, for every
    # route (alice's ratings are rate-limited once the fuzz tests above have run)
    base, owner, _, _ = auth_server
    body = '{"scenario": {}, "volume": Infinity, "samples": NaN}'
    got = httpx.post(
        f"{base}/api/analyse",
        content=body,
        headers={"authorization": f"Bearer {owner}", "content-type": "application/json"},
        timeout=60,
    )
    assert got.status_code == 422, got.text
    assert "Infinity" in got.text or "inf" in got.text  # the input is shown, as text
