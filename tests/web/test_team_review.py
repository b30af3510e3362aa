"""A review by a team (issue 31), against the real app as `ragtune review --host 0.0.0.0` runs it.

The server is the real CLI in a subprocess, bound to 0.0.0.0 and reached through 127.0.0.1:
the rule follows the bind address, not the client's (behind a reverse proxy on the same
machine every request comes from loopback). Review 1 has links for alice and bob, review 2
(pairwise) for carol and dave; the owner's link is read from the server's stderr.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ragtune.store import RunStore, hash_token, new_token
from ragtune.web.guards import MAX_BODY_BYTES

from ..conftest import build_review_run
from .conftest import CliServer


@dataclass
class Team:
    server: CliServer
    store: Path
    run_id: str
    links: dict[str, str]  # reviewer -> link as printed (host replaced by 127.0.0.1:port)
    owner: str  # the owner's token

    def token(self, who: str) -> str:
        return self.links[who].split("?token=")[1]

    def client(self, who: str | None = None) -> httpx.Client:
        """A client sending `who`'s token (a reviewer's, or "owner"), or none."""
        headers = {}
        if who is not None:
            token = self.owner if who == "owner" else self.token(who)
            headers["authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.server.base, headers=headers, timeout=30)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ragtune", *args], capture_output=True, text=True, timeout=120
    )


def links_in(stdout: str, base: str) -> dict[str, str]:
    """`NAME<TAB>URL` lines, with the URL's scheme and host replaced by `base`."""
    out = {}
    for line in stdout.splitlines():
        name, url = line.split("\t")
        out[name] = re.sub(r"^https?://[^/]+", base, url)
    return out


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    store = tmp_path_factory.mktemp("team") / "ragtune.db"
    run_id = build_review_run(store, n=12)
    # --stratified: the sample these tests rate (q0 and q1 in it); a judged run's default is now
    # a uniform one, which holds other items
    first = cli("review", run_id, "--sample", "6", "--stratified", "--invite", "alice",
                "--invite", "bob", "--host", "0.0.0.0", "--no-serve",
                "--store", str(store))  # fmt: skip
    assert first.returncode == 0, first.stderr
    server = CliServer("review", run_id, "--mode", "pairwise", "--arms", "omega_tuned,zeta_rag",
                       "--invite", "carol", "--invite", "dave", "--host", "0.0.0.0",
                       "--store", str(store))  # fmt: skip
    try:
        owner = re.search(r"/\?token=(\S+)", server.stderr)
        assert owner, server.stderr
        links = {
            **links_in(first.stdout, server.base),
            **links_in("".join(server.out), server.base),
        }
        yield Team(server, store, run_id, links, owner[1])
    finally:
        server.stop()


def routes(run_id: str) -> list[tuple[str, str]]:
    return [
        ("GET", f"/review/{run_id}/1"),
        ("GET", f"/api/review/{run_id}/1"),
        ("GET", f"/api/review/{run_id}/1?reviewer=alice"),
        ("POST", f"/api/review/{run_id}/1/ratings"),
        ("GET", f"/review/{run_id}/2"),
        ("GET", f"/api/review/{run_id}/2"),
        ("GET", "/runs"),
        ("GET", f"/runs/{run_id}"),
        ("GET", "/api/runs"),
        ("GET", f"/api/runs/{run_id}/report"),
        ("GET", "/"),
        ("GET", "/api/catalog"),
        ("GET", "/api/examples"),
        ("POST", "/api/analyse"),
        ("POST", "/api/scenario/import"),
    ]


RATING = {"item_id": "q0", "answer": 0, "value": "correct"}


def test_the_cli_prints_one_link_per_reviewer(team: Team) -> None:
    assert sorted(team.links) == ["alice", "bob", "carol", "dave"]
    assert f"/review/{team.run_id}/1?token=rt_" in team.links["alice"]
    assert f"/review/{team.run_id}/2?token=rt_" in team.links["carol"]
    assert len({team.token(w) for w in team.links}) == 4
    assert "tokens required" in team.server.stderr


def test_no_token_is_401_on_every_review_runs_and_calculator_route(team: Team) -> None:
    with team.client() as client:
        for method, path in routes(team.run_id):
            response = client.request(method, path, json=RATING if method == "POST" else None)
            assert response.status_code == 401, (method, path, response.status_code)
            assert "this server asks for a token" in response.json()["detail"]
            assert "Authorization: Bearer TOKEN" in response.json()["detail"]
        # the pages' own JS/CSS and the API's shape hold no data
        assert client.get("/static/review.js").status_code == 200
        assert client.get("/openapi.json").status_code == 200


def test_a_link_sets_a_cookie_and_leaves_the_address(team: Team) -> None:
    with httpx.Client(timeout=30) as client:
        first = client.get(team.links["alice"])
        assert first.status_code == 303
        assert first.headers["location"] == f"/review/{team.run_id}/1"
        cookie = first.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        page = client.get(team.server.base + first.headers["location"])
        assert page.status_code == 200 and "review.js" in page.text
        data = client.get(f"{team.server.base}/api/review/{team.run_id}/1").json()
    assert data["reviewer"] == "alice" and len(data["items"]) == 6


def test_a_rating_is_the_tokens_reviewers_whatever_the_body_says(team: Team) -> None:
    # `team` is shared by the module's tests, which rate too (frank, the rate limit): compare what
    # this test added, so the check holds in any order (found by a `-p randomly` run)
    with RunStore.open(team.store) as store:
        before = {(r.reviewer, r.item_id) for r in store.ratings(team.run_id, 1)}
    with team.client("alice") as alice:
        url = f"/api/review/{team.run_id}/1"
        assert alice.get(url).json()["reviewer"] == "alice"
        assert alice.post(f"{url}/ratings", json=RATING).status_code == 200
        as_alice = alice.post(
            f"{url}/ratings", json={**RATING, "item_id": "q1", "reviewer": "alice"}
        )
        assert as_alice.status_code == 200
        forged = alice.post(f"{url}/ratings", json={**RATING, "item_id": "q2", "reviewer": "bob"})
        assert forged.status_code == 403
        assert "this link is alice's: it cannot read or rate as 'bob'" in forged.json()["detail"]
        peek = alice.get(url, params={"reviewer": "bob"})
        assert peek.status_code == 403
    with RunStore.open(team.store) as store:
        after = {(r.reviewer, r.item_id) for r in store.ratings(team.run_id, 1)}
    # alice's two ratings are stored as hers; the forged one (q2 "as bob") wrote nothing
    assert {("alice", "q0"), ("alice", "q1")} <= after
    assert after - before <= {("alice", "q0"), ("alice", "q1")}
    assert not any(reviewer == "bob" for reviewer, _ in after - before)


def test_alice_cannot_read_bobs_sample_or_other_runs(team: Team) -> None:
    with team.client("alice") as alice:
        other = alice.get(f"/api/review/{team.run_id}/2")
        assert other.status_code == 403
        assert f"alice's link opens review 1 of run {team.run_id}, not this one" in other.text
        assert alice.post(f"/api/review/{team.run_id}/2/ratings", json=RATING).status_code == 403
        assert alice.get(f"/review/{team.run_id}/2").status_code == 403
        for path in ("/api/runs", "/runs", f"/api/runs/{team.run_id}/report", "/api/catalog"):
            refused = alice.get(path)
            assert refused.status_code == 403, path
            assert "the runs and the calculator need the owner's link" in refused.text
    with team.client("carol") as carol:  # carol's pairwise sample is hers, not alice's
        assert carol.get(f"/api/review/{team.run_id}/2").json()["reviewer"] == "carol"
        assert carol.get(f"/api/review/{team.run_id}/1").status_code == 403


def test_the_owner_sees_runs_but_does_not_rate(team: Team) -> None:
    with team.client("owner") as owner:
        assert owner.get("/api/catalog").status_code == 200
        assert owner.get("/runs").status_code == 200
        refused = owner.post(f"/api/review/{team.run_id}/1/ratings", json=RATING)
        assert refused.status_code == 403 and "--invite YOUR_NAME" in refused.text


def test_api_runs_holds_no_absolute_path(tmp_path: Path, serve_store: Any) -> None:
    """The run list and every form of the report name the workload file, not where it lives.

    Its own store: the report of a run with only a few human ratings fails in the advisor
    (a separate issue), and the team's store gets ratings in other tests.
    """
    store = tmp_path / "ragtune.db"
    run_id = build_review_run(store, n=6)
    with sqlite3.connect(store) as conn:  # as `ragtune run` stores it: an absolute path
        conn.execute("UPDATE runs SET workload = ?", (str(tmp_path / "qa-workload.yaml"),))
    with httpx.Client(base_url=serve_store(store), timeout=60) as client:
        listed = client.get("/api/runs")
        report = client.get(f"/api/runs/{run_id}/report", params={"format": "json"})
        markdown = client.get(f"/api/runs/{run_id}/report", params={"format": "md"})
        page = client.get(f"/runs/{run_id}")
    assert {r.status_code for r in (listed, report, markdown, page)} == {200}
    [run] = listed.json()
    assert run["workload"] == "qa-workload.yaml"
    assert json.loads(report.text)["run"]["workload"] == "qa-workload.yaml"
    for text in (listed.text, report.text, markdown.text, page.text):
        assert str(tmp_path) not in text and str(Path.home()) + "/" not in text
    assert not [s for s in strings(listed.json()) if re.match(r"^(/|~/|[A-Za-z]:\\)", s)
                and not s.startswith(("/runs/", "/api/"))]  # fmt: skip


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def test_a_revoked_token_is_401(team: Team) -> None:
    with team.client("dave") as dave:
        assert dave.get(f"/api/review/{team.run_id}/2").status_code == 200
        revoked = cli("review", team.run_id, "--revoke", "dave", "--store", str(team.store))
        assert revoked.returncode == 0, revoked.stderr
        assert f"revoked dave's link to run {team.run_id}: they now get 401" in revoked.stderr
        refused = dave.get(f"/api/review/{team.run_id}/2")
    assert refused.status_code == 401
    assert "dave's link to review 2" in refused.json()["detail"]
    assert f"was revoked on {datetime.now(UTC).date()}" in refused.json()["detail"]
    with httpx.Client(timeout=30) as browser:  # a stale cookie is cleared with the refusal
        browser.cookies.set("ragtune_token", team.token("dave"))
        stale = browser.get(f"{team.server.base}/review/{team.run_id}/2")
        assert stale.status_code == 401 and "Max-Age=0" in stale.headers["set-cookie"]


def test_an_expired_or_unknown_token_is_401(team: Team) -> None:
    token = new_token()
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="milliseconds")
    with RunStore.open(team.store) as store:
        store.add_review_token(team.run_id, 1, "erin", hash_token(token), past)
    with httpx.Client(base_url=team.server.base, timeout=30) as client:
        expired = client.get(f"/api/review/{team.run_id}/1", headers=bearer(token))
        assert expired.status_code == 401 and "erin's link to review 1" in expired.text
        assert "expired on" in expired.text and "--invite erin" in expired.text
        unknown = client.get(f"/api/review/{team.run_id}/1", headers=bearer("rt_nope"))
        assert unknown.status_code == 401 and "not valid on this server" in unknown.text
        cut = client.get(f"/api/review/{team.run_id}/1", headers=bearer(team.token("bob")[:-3]))
        assert cut.status_code == 401


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_a_foreign_host_is_400_with_or_without_a_token(team: Team) -> None:
    with team.client("alice") as alice:
        for path in (f"/api/review/{team.run_id}/1", "/static/review.js", "/openapi.json"):
            refused = alice.get(path, headers={"host": "evil.example"})
            assert refused.status_code == 400, path
        detail = refused.json()["detail"]
        assert "Host 'evil.example' is not a name this server answers to" in detail
        assert "restart with --allowed-host evil.example" in detail
        assert alice.get(f"/api/review/{team.run_id}/1", headers={"host": "localhost"}).is_success


def test_a_cross_origin_post_is_403(team: Team) -> None:
    url = f"/api/review/{team.run_id}/1/ratings"
    with team.client("bob") as bob:
        for origin in ("http://evil.example", "null", f"http://127.0.0.1:{team.server.port + 1}"):
            refused = bob.post(url, json=RATING, headers={"origin": origin})
            assert refused.status_code == 403, origin
        assert "cross-origin POST refused" in refused.text and "open the page from" in refused.text
        assert (
            bob.post(url, json=RATING, headers={"sec-fetch-site": "cross-site"}).status_code == 403
        )
        same = bob.post(url, json=RATING, headers={"origin": team.server.base})
        assert same.status_code == 200, same.text


def test_an_oversized_body_is_413(team: Team) -> None:
    big = {**RATING, "value": "x" * (MAX_BODY_BYTES + 10)}
    with team.client("bob") as bob:
        refused = bob.post(f"/api/review/{team.run_id}/1/ratings", json=big)
    assert refused.status_code == 413
    assert "request body too large: the limit is 256 KB" in refused.json()["detail"]
    with team.client() as anonymous:  # without a token the body is never read
        assert anonymous.post(f"/api/review/{team.run_id}/1/ratings", json=big).status_code == 401


# --- what the CLI refuses, each with what was given and the fix ------------------------------


@pytest.mark.parametrize(
    ("args", "message", "fix"),
    [
        (["--invite", "alice", "--expires", "7x"], "'7x' is not a length of time", "30m, 12h, 7d"),
        (["--invite", "alice", "--expires", "0d"], "'0d' is not a length of time", "positive"),
        (["--expires", "7d"], "no --invite was given", "--invite alice --expires 7d"),
        (["--revoke", "zoe"], "reviewer 'zoe' has no link to run", "reviewers with links:"),
        (["--invite", "alice", "--reviewer", "alice"], "--reviewer alice names", "--invite alice"),
        (["--reviewer", "al", "--host", "0.0.0.0"], "works only on the localhost", "--invite al"),
        (["--invite", " "], "reviewer name must be 1-64", "e.g."),
        (["--allowed-host", "https://r.example.com"], "takes a host name", "--public-url"),
        (["--allowed-host", "*"], "the Host check cannot be turned off", "--allowed-host review."),
        (["--allowed-host", "r.example.com:443"], "has a port", "--allowed-host r.example.com"),
        (["--public-url", "review.example.com"], "must be an http(s) address", "https://"),
        (["--public-url", "https://x.example.com/rt/"], "has a path", "whole host name"),
    ],
)
def test_review_cli_errors_say_what_was_given_and_the_fix(
    review_run: tuple[Path, str], args: list[str], message: str, fix: str
) -> None:
    from click.testing import CliRunner

    import ragtune.cli  # noqa: F401  (registers every command)
    from ragtune.cli.main import cli as main

    path, run_id = review_run
    result = CliRunner().invoke(main, ["review", run_id, *args, "--no-serve", "--store", str(path)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and fix in result.stderr, result.stderr
    with RunStore.open(path) as store:
        assert store.review_tokens(run_id) == []


def test_invites_revoke_and_reissue_through_the_cli(review_run: tuple[Path, str]) -> None:
    from click.testing import CliRunner

    import ragtune.cli  # noqa: F401
    from ragtune.cli.main import cli as main

    path, run_id = review_run

    def review(*args: str) -> Any:
        return CliRunner().invoke(
            main, ["review", run_id, *args, "--no-serve", "--store", str(path)]
        )

    made = review("--invite", "alice", "--invite", "bob", "--invite", "alice", "--expires", "7d",
                  "--public-url", "https://review.example.com")  # fmt: skip
    assert made.exit_code == 0, made.stderr
    lines = made.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["alice", "bob"]
    assert (
        lines[0].split("\t")[1].startswith(f"https://review.example.com/review/{run_id}/1?token=")
    )
    assert "they stop working at" in made.stderr and "--revoke NAME" in made.stderr
    again = review("--revoke", "alice", "--invite", "alice")
    assert again.exit_code == 0 and "revoked alice's link" in again.stderr
    with RunStore.open(path) as store:
        tokens = store.review_tokens(run_id)
    assert [(t.reviewer, t.revoked is None) for t in tokens] == [
        ("alice", False), ("bob", True), ("alice", True),
    ]  # fmt: skip
    assert tokens[0].expires is not None and tokens[2].expires is None
    local = review("--invite", "carl")
    assert "these links open on this machine only" in local.stderr


# --- the localhost app: no token needed, but one given is honoured; ratings rate-limited ------


def test_localhost_app_takes_a_name_or_a_token(review_run: tuple[Path, str]) -> None:
    from fastapi.testclient import TestClient

    from ragtune.evidence.review import CORRECTNESS
    from ragtune.web.app import create_app

    path, run_id = review_run
    token = new_token()
    with RunStore.open(path) as store:
        store.add_review(run_id, "pointwise", ("zeta_rag", "omega_tuned"), ("q0", "q1"),
                         CORRECTNESS, 7)  # fmt: skip
        store.add_review_token(run_id, 1, "alice", hash_token(token))
    app = create_app()
    app.state.store_path = str(path)
    client = TestClient(app, base_url="http://127.0.0.1")
    url = f"/api/review/{run_id}/1"
    assert client.get(url, params={"reviewer": "ana"}).json()["reviewer"] == "ana"
    missing = client.get(url)
    assert missing.status_code == 422 and "add ?reviewer=NAME" in missing.text
    assert client.get(url, headers=bearer(token)).json()["reviewer"] == "alice"
    assert client.get("/api/runs", headers=bearer(token)).status_code == 200  # open app
    assert client.get(url, headers=bearer("rt_wrong")).status_code == 401


def test_ratings_are_rate_limited_per_token(review_run: tuple[Path, str]) -> None:
    from fastapi.testclient import TestClient

    from ragtune.evidence.review import CORRECTNESS
    from ragtune.web.access import AccessPolicy
    from ragtune.web.app import create_app

    path, run_id = review_run
    tokens = {who: new_token() for who in ("alice", "bob")}
    with RunStore.open(path) as store:
        store.add_review(run_id, "pointwise", ("zeta_rag", "omega_tuned"), ("q0", "q1"),
                         CORRECTNESS, 7)  # fmt: skip
        for who, token in tokens.items():
            store.add_review_token(run_id, 1, who, hash_token(token))
    policy = AccessPolicy(require_token=True, rating_burst=3, rating_per_second=0.1)
    app = create_app(access=policy)
    app.state.store_path = str(path)
    client = TestClient(app, base_url="http://127.0.0.1")
    url = f"/api/review/{run_id}/1/ratings"
    codes = [client.post(url, json=RATING, headers=bearer(tokens["alice"])).status_code
             for _ in range(4)]  # fmt: skip
    assert codes == [200, 200, 200, 429]
    limited = client.post(url, json=RATING, headers=bearer(tokens["alice"]))
    assert "too many ratings" in limited.text and int(limited.headers["retry-after"]) >= 1
    assert client.post(url, json=RATING, headers=bearer(tokens["bob"])).status_code == 200


def test_a_reviewer_rates_through_their_link_in_chromium(team: Team, page: Any) -> None:
    """Frank opens his link in a real browser: no name to type, the page knows him, and the
    rating he gives with the keyboard is stored as his."""
    from .test_review_page import wait_for

    made = cli("review", team.run_id, "--sample", "6", "--stratified", "--invite", "frank",
               "--host", "0.0.0.0", "--no-serve", "--store", str(team.store))  # fmt: skip
    assert made.returncode == 0, made.stderr
    link = links_in(made.stdout, team.server.base)["frank"]
    page.goto(link)
    wait_for(page, "state", "ready")
    assert page.url == f"{team.server.base}/review/{team.run_id}/1"  # the token left the address
    assert "reviewer frank" in page.inner_text("#progress")
    item = page.get_attribute("body", "data-item")
    page.keyboard.press("1")
    wait_for(page, "rated", "1")
    with RunStore.open(team.store) as store:
        [rating] = store.ratings(team.run_id, 1, "frank")
    assert (rating.item_id, rating.value) == (item, "correct")
    assert page.page_errors == []


@pytest.mark.parametrize(
    ("args", "require", "allowed", "base"),
    [
        ({"host": "127.0.0.1"}, False, "127.0.0.1", "http://127.0.0.1:8765"),
        ({"host": "localhost", "allowed_hosts": ("127.0.0.2",)}, False, "127.0.0.2", None),
        ({"host": "0.0.0.0"}, True, "localhost", None),
        ({"host": "192.168.1.5"}, True, "192.168.1.5", "http://192.168.1.5:8765"),
        ({"host": "127.0.0.1", "allowed_hosts": ("review.lan",)}, True, "review.lan", None),
        ({"host": "127.0.0.1", "public_url": "https://review.example.com/"}, True,
         "review.example.com", "https://review.example.com"),
        ({"host": "0.0.0.0", "auth": False}, False, "localhost", None),
        ({"host": "127.0.0.1", "auth": True}, True, "::1", None),
    ],
)  # fmt: skip
def test_tokens_follow_how_the_app_is_reached(
    args: dict[str, Any], require: bool, allowed: str, base: str | None
) -> None:
    """Not who asks: behind a proxy on this machine every request comes from 127.0.0.1."""
    from ragtune.cli.serve import plan_exposure

    exposure = plan_exposure(port=8765, **args)
    assert exposure.require_token is require
    assert allowed in exposure.allowed_hosts
    assert base is None or exposure.base_url == base


def test_the_cookie_is_secure_over_https(review_run: tuple[Path, str]) -> None:
    """Behind a TLS proxy (uvicorn takes the scheme from X-Forwarded-Proto) the cookie is Secure."""
    from fastapi.testclient import TestClient

    from ragtune.evidence.review import CORRECTNESS
    from ragtune.web.access import AccessPolicy
    from ragtune.web.app import create_app

    path, run_id = review_run
    token = new_token()
    with RunStore.open(path) as store:
        store.add_review(run_id, "pointwise", ("zeta_rag", "omega_tuned"), ("q0",), CORRECTNESS, 7)
        store.add_review_token(run_id, 1, "alice", hash_token(token))
    app = create_app(allowed_hosts=("review.example.com",), access=AccessPolicy(require_token=True))
    app.state.store_path = str(path)
    client = TestClient(app, base_url="https://review.example.com", follow_redirects=False)
    first = client.get(f"/review/{run_id}/1", params={"token": token, "x": "1"})
    assert first.status_code == 303 and first.headers["location"] == f"/review/{run_id}/1?x=1"
    assert "; Secure" in first.headers["set-cookie"]


def test_the_link_redirect_stays_on_this_server_and_hosts_parse_strictly(
    review_run: tuple[Path, str],
) -> None:
    """`//evil.example/?token=OWNER` redirects to `/evil.example/`, not off-site; a Host of
    `[::1]evil.example` is not `::1`."""
    from fastapi.testclient import TestClient

    from ragtune.web.access import AccessPolicy
    from ragtune.web.app import create_app
    from ragtune.web.guards import split_host

    owner = new_token()
    policy = AccessPolicy(require_token=True, owner_token_hash=hash_token(owner))
    app = create_app(access=policy)
    app.state.store_path = str(review_run[0])
    client = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
    first = client.get(f"http://127.0.0.1//evil.example/?token={owner}")
    assert first.status_code == 303 and first.headers["location"] == "/evil.example/"
    assert split_host("[::1]evil.example")[0] != "::1"
    assert split_host("[::1]:8799") == ("::1", "8799")
    refused = client.get("/api/runs", headers={**bearer(owner), "host": "[::1]evil.example"})
    assert refused.status_code == 400
