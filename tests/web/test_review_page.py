"""The blind review page in real headless Chromium: ten items rated with the keyboard, a reload
half-way, and the store holding exactly what was pressed, with the order each item was shown in.

Arm names must never be in the page's DOM (checked before every key press), the answers' order
must differ across items, and a hostile answer is shown as text, never run as HTML.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ragtune.evidence.review import plan_review, shown_order
from ragtune.evidence.rundata import load_run
from ragtune.store.runstore import RunStore

ARMS = ("zeta_rag", "omega_tuned")
KEYS = {"1": "correct", "2": "partly", "3": "wrong"}


def wait_for(page: Any, attribute: str, value: str, timeout: float = 20.0) -> None:
    """Until body[data-ATTRIBUTE] is `value` (polled: the page's CSP forbids eval)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = page.get_attribute("body", f"data-{attribute}")
        if got == value:
            return
        if got == "error" and attribute == "state":
            raise AssertionError(f"page shows an error: {page.inner_text('#error')}")
        time.sleep(0.02)
    raise AssertionError(f"body data-{attribute} never became {value!r}")


def assert_blind(page: Any) -> None:
    dom = page.content()
    assert not any(arm in dom for arm in ARMS), "an arm name is in the page"


def rate_some(page: Any, count: int, pressed: dict[tuple[str, int], str]) -> None:
    """Rate `count` answers with the keyboard; `pressed[(item, position)] = value`."""
    for _ in range(count):
        wait_for(page, "state", "ready")
        assert_blind(page)
        item = page.get_attribute("body", "data-item")
        position = int(page.get_attribute("body", "data-answer"))
        before = int(page.get_attribute("body", "data-rated"))
        if item == "q0":  # its first arm's answer is markup: shown as text, no element made
            assert page.query_selector("#answers img, #answers b") is None
            assert '<img src=x onerror="window.pwned=1">' in page.inner_text("#answers")
        key = str(1 + (int(item[1:]) + position) % 3)  # a mix of the three values
        page.keyboard.press(key)
        wait_for(page, "rated", str(before + 1))
        pressed[(item, position)] = KEYS[key]


def test_keyboard_review_with_a_reload_is_stored_as_pressed(
    tmp_path: Path, review_builder, serve_store, page: Any, artifacts: Path
) -> None:
    store_path = tmp_path / "ragtune.db"
    run_id = review_builder(store_path, n=12)
    with RunStore.open(store_path) as store:
        plan = plan_review(load_run(store, run_id), sample=10)
        items = plan.items if "q0" in plan.items else (*plan.items[:9], "q0")  # the hostile one
        review = store.add_review(run_id, plan.mode, plan.arms, items, plan.scale, plan.seed,
                                  plan.sampling)  # fmt: skip
    base = serve_store(store_path)

    page.goto(f"{base}/review/{run_id}/{review.id}")
    wait_for(page, "state", "name")
    page.fill("#reviewer-name", "ana")
    page.keyboard.press("Enter")
    wait_for(page, "state", "ready")
    assert "reviewer=ana" in page.url
    assert page.inner_text("#progress").startswith("0 / 20 rated")

    pressed: dict[tuple[str, int], str] = {}
    rate_some(page, 9, pressed)  # four and a half items
    page.screenshot(path=str(artifacts / "review-midway.png"), full_page=True)
    page.reload()
    wait_for(page, "state", "ready")
    # a judged run, a uniform sample: the page says where the judge + people estimate stands
    assert page.inner_text("#judge-people").startswith("Judge + people:")
    assert page.get_attribute("body", "data-rated") == "9"
    # It resumes at the item with the unrated answer, on that answer.
    assert (page.get_attribute("body", "data-item"), page.get_attribute("body", "data-answer")) == (
        items[4], "1",
    )  # fmt: skip
    rate_some(page, 11, pressed)
    wait_for(page, "state", "done")
    assert_blind(page)

    with RunStore.open(store_path) as store:
        ratings = store.ratings(run_id, review.id, "ana")
    assert len(ratings) == 20 == len(pressed)
    got = {}
    for r in ratings:
        assert r.shown == shown_order(review, "ana", r.item_id)  # the order shown, recorded
        got[(r.item_id, r.shown.index(r.arm))] = r.value
    assert got == pressed
    orders = {r.shown for r in ratings}
    assert len(orders) == 2  # the answers' order differs across items
    # The hostile answer (item q0 of zeta_rag) is text: no element was made from it.
    assert not page.evaluate("window.pwned === 1")
    assert all(u.startswith(base) or u.startswith("data:") for u in page.requested_urls)
    assert page.page_errors == []
