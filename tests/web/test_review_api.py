"""The review API on a real store: blind payloads, ratings saved with the order shown, 404 / 422."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ragtune.evidence.review import CORRECTNESS, PAIRWISE, shown_order
from ragtune.store.runstore import RunStore
from ragtune.web.app import create_app

ARMS = ("zeta_rag", "omega_tuned")
ITEMS = tuple(f"q{i}" for i in range(6))


@pytest.fixture
def served(review_run: tuple[Path, str]) -> tuple[TestClient, Path, str]:
    path, run_id = review_run
    with RunStore.open(path) as store:
        store.add_review(run_id, "pointwise", ARMS, ITEMS, CORRECTNESS, 7)
        store.add_review(run_id, "pairwise", ARMS, ITEMS, PAIRWISE, 7)
    app = create_app()
    app.state.store_path = str(path)
    return TestClient(app, base_url="http://127.0.0.1"), path, run_id


def page(client: TestClient, run_id: str, review: int = 1, who: str = "ana") -> dict[str, Any]:
    response = client.get(f"/api/review/{run_id}/{review}", params={"reviewer": who})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_payload_is_blind_and_in_the_reviewers_order(served) -> None:
    client, path, run_id = served
    data = page(client, run_id)
    assert [i["id"] for i in data["items"]] == list(ITEMS)
    assert (data["rated"], data["total"], data["mode"]) == (0, 12, "pointwise")
    assert [s["key"] for s in data["scale"]] == ["1", "2", "3"]
    text = str(data)
    assert not any(arm in text for arm in ARMS)  # no arm name anywhere in what the page gets
    with RunStore.open(path) as store:
        review = store.get_review(run_id, 1)
        predictions = {(p.arm, p.item_id): p.text for p in store.predictions(run_id, repeat=0)}
    for item in data["items"]:
        shown = shown_order(review, "ana", item["id"])
        assert [a["text"] for a in item["answers"]] == [
            predictions[(arm, item["id"])] for arm in shown
        ]
        assert item["reference"] == str(2 * int(item["id"][1:]))


def test_a_rating_is_saved_with_its_arm_and_order_and_resumes(served) -> None:
    client, path, run_id = served
    response = client.post(
        f"/api/review/{run_id}/1/ratings",
        json={"reviewer": "ana", "item_id": "q2", "answer": 1, "value": "partly"},
    )
    assert response.json() == {"saved": True, "rated": 1, "total": 12}
    with RunStore.open(path) as store:
        [rating] = store.ratings(run_id)
        shown = shown_order(store.get_review(run_id, 1), "ana", "q2")
    assert (rating.arm, rating.value, rating.shown) == (shown[1], "partly", shown)
    data = page(client, run_id)
    assert data["rated"] == 1 and data["items"][2]["rated"] == [None, "partly"]
    assert page(client, run_id, who="ben")["rated"] == 0  # each reviewer has their own ratings


def test_pairwise_rating_round_trips_to_the_page_value(served) -> None:
    client, path, run_id = served
    response = client.post(
        f"/api/review/{run_id}/2/ratings",
        json={"reviewer": "ana", "item_id": "q0", "answer": 0, "value": "2nd"},
    )
    assert response.status_code == 200, response.text
    with RunStore.open(path) as store:
        [rating] = store.ratings(run_id, 2)
        shown = shown_order(store.get_review(run_id, 2), "ana", "q0")
    assert rating.value == ("b" if shown[0] == ARMS[0] else "a")  # the second shown is better
    assert page(client, run_id, 2)["items"][0]["rated"] == ["2nd"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"item_id": "q99", "answer": 0, "value": "correct"}, "not in review 1"),  # unknown item
        ({"item_id": "r0", "answer": 0, "value": "correct"}, "not in review 1"),  # a train item
        ({"item_id": "q0", "answer": 2, "value": "correct"}, "shows 2 answers"),  # unknown arm
        ({"item_id": "q0", "answer": 0, "value": "great"}, "not on the review's scale"),
        ({"item_id": "q0", "answer": -1, "value": "correct"}, "greater than or equal to 0"),
        ({"item_id": "q0", "answer": 0, "value": "correct", "arm": "zeta_rag"}, "Extra inputs"),
    ],
)
def test_bad_ratings_get_422_and_store_nothing(served, body: dict[str, Any], message: str) -> None:
    client, path, run_id = served
    response = client.post(f"/api/review/{run_id}/1/ratings", json={"reviewer": "ana", **body})
    assert response.status_code == 422 and message in response.text
    with RunStore.open(path) as store:
        assert store.ratings(run_id) == []


def test_unknown_run_or_review_is_404(served) -> None:
    client, _, run_id = served
    body = {"reviewer": "ana", "item_id": "q0", "answer": 0, "value": "correct"}
    assert client.get(f"/api/review/{run_id}/9?reviewer=ana").status_code == 404
    assert client.post("/api/review/20990101-000000-0000/1/ratings", json=body).status_code == 404
    assert client.get("/api/review/../../etc/1?reviewer=ana").status_code == 404
    assert client.get(f"/review/{run_id}/9").status_code == 404
    assert client.get(f"/review/{run_id}/1").status_code == 200
    assert client.get(f"/api/review/{run_id}/1?reviewer=%20").status_code == 422


def test_an_empty_answer_is_shown_as_empty() -> None:
    from ragtune.web.review import EMPTY_ANSWER, _answer

    assert _answer("  ") == _answer("") and _answer("").empty and _answer("").text == EMPTY_ANSWER
    assert not _answer("Paris").empty and _answer("Paris").text == "Paris"


def test_a_judged_runs_page_says_how_many_more_ratings_halve_the_interval(
    tmp_path: Path, review_builder
) -> None:
    """The blind page names no arm; it gives the largest over the review's arms of
    `ratings_to_halve` (stats/ppi.py, checked by hand there), computed from people's ratings of
    a uniform review and the judge's verdicts on all 400 items."""
    from ragtune.stats.ppi import ppi_mean
    from ragtune.store.records import Rating

    path = tmp_path / "r.db"
    run_id = review_builder(path, n=400)  # judge: zeta_rag right on even items, omega below q200
    judge = {"zeta_rag": [float(i % 2 == 0) for i in range(400)],
             "omega_tuned": [float(i < 200) for i in range(400)]}  # fmt: skip
    rated = list(range(20))
    people = {arm: [v if i % 5 else 1 - v for i, v in enumerate(j[:20])]  # differ on 4 items
              for arm, j in judge.items()}  # fmt: skip
    with RunStore.open(path) as store:
        review = store.add_review(run_id, "pointwise", ARMS, tuple(f"q{i}" for i in range(30)),
                                  CORRECTNESS, 7, "uniform")  # fmt: skip
        stratified = store.add_review(run_id, "pointwise", ARMS, ("q0",), CORRECTNESS, 7,
                                      "stratified")  # fmt: skip
        for arm, values in people.items():
            for i, v in zip(rated, values, strict=True):
                store.record_rating(Rating(run_id, review.id, "ana", f"q{i}", arm, "pointwise",
                                           "correct" if v else "wrong", ("x",)))  # fmt: skip
    app = create_app()
    app.state.store_path = str(path)
    client = TestClient(app, base_url="http://127.0.0.1")
    note = page(client, run_id, review.id)["judge_people"]
    # rated items are sorted by id for PPI (mean and variances do not depend on the order)
    more = []
    for arm in ARMS:
        order = sorted(rated, key=lambda i: f"q{i}")
        unrated = [i for i in sorted(range(400), key=lambda i: f"q{i}") if i not in rated]
        result = ppi_mean([people[arm][i] for i in order], [judge[arm][i] for i in order],
                          [judge[arm][i] for i in unrated])  # fmt: skip
        more.append(result.ratings_to_halve)
    assert None not in more
    expected = max(m for m in more if m is not None)
    assert (note["uniform"], note["rated"], note["more_to_halve"]) == (True, 20, expected)
    left = 10  # q20-q29 of the review are not rated yet
    assert note["text"].startswith(f"Judge + people: 20 items rated; about {expected:,} more")
    if expected > left:
        assert f"--sample {30 + expected - left:,} --seed 7" in note["text"]
    assert not any(arm in str(note) for arm in ARMS)  # blind
    other = page(client, run_id, stratified.id)["judge_people"]
    assert other["uniform"] is False and "--uniform" in other["text"]
