"""The blind review page: people rate a sample of a run's answers without seeing arm names.

Routes:
  GET  /review/{run_id}/{review}                 the page (static HTML + review.js; no data in it)
  GET  /api/review/{run_id}/{review}?reviewer=N  the sample for reviewer N: each item's input,
                                                 reference, answers in N's blind order, and what
                                                 N already rated (so a reload resumes)
  POST /api/review/{run_id}/{review}/ratings     one rating: {reviewer, item_id, answer, value}

Who N is: with a reviewer's token (`access.py`) it is the token's reviewer, always; a
`reviewer` in the query or body may only repeat that name (another one is 403). Without a token
(the localhost app, one person) the query or body names the reviewer, as before.

Arm names never leave the server before or after a rating: answers are sent in the reviewer's
seeded order (`review.shown_order`) and rated by position; the server maps the position back to
the arm and stores the order shown with the rating. Unknown run or review: 404; an item outside
the sample, a position past the answers or a value off the scale: 422 (`check_rating`). The page
writes every text with `textContent`, never as HTML, under the app's script-src 'self' policy.

Deliberately not here: the sample and the statistics (`ragtune.evidence.review` / `human`).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from ragtune.errors import RagtuneError
from ragtune.web.access import principal_of
from ragtune.web.runs import RUN_ID, RunId, store_path
from ragtune.web.static_files import static_path

router = APIRouter(tags=["review"])

ReviewId = Annotated[int, PathParam(ge=1, le=1_000_000, description="A review number of the run")]
Reviewer = Annotated[
    str | None,
    Query(min_length=1, max_length=64, description="Your name (not needed with a reviewer's link)"),
]
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No token, or one that is unknown, revoked or expired"},
    403: {"description": "The token is for another review, or for another reviewer"},
    404: {"description": "No such run or review"},
}
MAX_TEXT = 20_000  # characters of an input or answer sent to the page (a long answer is cut)


class ScaleValue(BaseModel):
    value: str
    label: str
    key: str  # the keyboard shortcut


EMPTY_ANSWER = "(empty answer: the arm returned no text)"


class ReviewAnswer(BaseModel):
    text: str
    empty: bool = False  # the arm answered with no text; `text` is EMPTY_ANSWER for the page


class ReviewItem(BaseModel):
    id: str
    input: str
    reference: str | None = None
    answers: list[ReviewAnswer]
    rated: list[str | None]  # pointwise: per answer; pairwise: one entry (1st / 2nd / tie)


class JudgePeopleNote(BaseModel):
    """How far the judge + people (PPI) estimate is, without naming an arm (`review_ppi`)."""

    uniform: bool  # the review's items were drawn uniformly at random: PPI uses its ratings
    rated: int  # fewest items rated over the review's arms
    more_to_halve: int | None  # more rated items that would halve the interval; None: cannot
    text: str


class ReviewPage(BaseModel):
    run: str
    review: int
    mode: str
    task: str
    reviewer: str
    scale: list[ScaleValue]
    items: list[ReviewItem]
    rated: int  # answers (pointwise) or pairs (pairwise) this reviewer has rated
    total: int
    judge_people: JudgePeopleNote | None = None  # a judged run's PPI note (None: not judged)


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviewer: str | None = Field(
        None, min_length=1, max_length=64, description="Not needed with a reviewer's link"
    )
    item_id: str = Field(min_length=1, max_length=500)
    answer: int = Field(ge=0, le=100, description="Position of the rated answer as shown (0..)")
    value: str = Field(min_length=1, max_length=16)


class RatingSaved(BaseModel):
    saved: bool
    rated: int
    total: int


def _unprocessable(err: Any, where: str) -> HTTPException:
    """422 shaped like FastAPI's own validation errors (what the schema declares for 422)."""
    detail = [{"loc": [where, err.field], "msg": err.message, "type": "review"}]
    return HTTPException(422, detail)


def _reviewer(request: Request, given: str | None, where: str) -> str:
    """Who is reading or rating: the token's reviewer, else the name given (see module doc)."""
    from ragtune.evidence import ReviewError, check_reviewer

    principal = principal_of(request)
    try:
        name = check_reviewer(given) if given is not None else None
    except ReviewError as err:
        raise _unprocessable(err, where) from None
    if principal.reviewer is not None:
        if name is not None and name != principal.reviewer:
            raise HTTPException(
                403,
                f"this link is {principal.reviewer}'s: it cannot read or rate as {name!r} "
                "(leave the reviewer out, or open that reviewer's own link)",
            )
        return principal.reviewer
    if name is None:
        hint = "?reviewer=NAME" if where == "query" else '"reviewer": NAME in the body'
        msg = f"say who is reviewing: add {hint}, or open a reviewer's link"
        detail = [{"loc": [where, "reviewer"], "msg": msg, "type": "review"}]
        raise HTTPException(422, detail)
    return name


def _open(request: Request, run_id: str) -> Any:
    from ragtune.store import RunStore

    path = store_path(request)
    if not re.fullmatch(RUN_ID, run_id) or not path.is_file():
        raise HTTPException(404, f"no run {run_id} in the store")
    store = RunStore.open(path)
    if run_id not in {r.id for r in store.list_runs()}:
        store.close()
        raise HTTPException(404, f"no run {run_id} in the store")
    return store


def _review(store: Any, run_id: str, review_id: int) -> Any:
    try:
        return store.get_review(run_id, review_id)
    except RagtuneError as err:
        raise HTTPException(404, err.message) from None


def _answer(text: str) -> ReviewAnswer:
    if not text.strip():
        return ReviewAnswer(text=EMPTY_ANSWER, empty=True)
    return ReviewAnswer(text=_text(text))


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)
    return text[:MAX_TEXT]


def _reference(gold: Any) -> str | None:
    answer = (gold or {}).get("answer") if isinstance(gold, dict) else None
    if answer in (None, "", []):
        return None
    return " | ".join(map(_text, answer)) if isinstance(answer, list) else _text(answer)


def _counts(review: Any, mine: dict[tuple[str, str], str]) -> tuple[int, int]:
    per_item = 1 if review.mode == "pairwise" else len(review.arms)
    return len(mine), per_item * len(review.items)


def _mine(store: Any, review: Any, reviewer: str) -> dict[tuple[str, str], str]:
    """(item, arm) -> this reviewer's latest value in this review."""
    return {(r.item_id, r.arm): r.value for r in store.ratings(review.run_id, review.id, reviewer)}


@router.get("/review/{run_id}/{review}", include_in_schema=False)
def review_page(request: Request, run_id: RunId, review: ReviewId) -> FileResponse:
    with _open(request, run_id) as store:
        _review(store, run_id, review)
    return FileResponse(static_path("review.html"), media_type="text/html")


@router.get("/api/review/{run_id}/{review}", responses=AUTH_RESPONSES)
def review_api(
    request: Request, run_id: RunId, review: ReviewId, reviewer: Reviewer = None
) -> ReviewPage:
    from ragtune.evidence import LABELS, load_run, review_ppi, shown_order

    reviewer = _reviewer(request, reviewer, "query")
    with _open(request, run_id) as store:
        rev = _review(store, run_id, review)
        note = review_ppi(load_run(store, run_id), rev)
        run = store.get_run(run_id)
        items = {i.id: i for i in store.list_items(run_id, split="test")}
        answers = {
            arm: {p.item_id: p.text or "" for p in store.predictions(run_id, arm, repeat=0)}
            for arm in rev.arms
        }
        mine = _mine(store, rev, reviewer)
    pair = f"{rev.arms[0]}~{rev.arms[-1]}"
    out = []
    for item_id in rev.items:
        item = items.get(item_id)
        if item is None:  # the run's items changed after the review was made
            continue
        shown = shown_order(rev, reviewer, item_id)
        if rev.mode == "pairwise":
            value = mine.get((item_id, pair))
            first_is_a = shown[0] == rev.arms[0]
            page_value = {"a": "1st" if first_is_a else "2nd", "b": "2nd" if first_is_a else "1st",
                          "tie": "tie"}.get(value or "")  # fmt: skip
            rated: list[str | None] = [page_value]
        else:
            rated = [mine.get((item_id, arm)) for arm in shown]
        out.append(
            ReviewItem(
                id=item_id,
                input=_text(item.input),
                reference=_reference(item.gold),
                answers=[_answer(answers[arm].get(item_id, "")) for arm in shown],
                rated=rated,
            )
        )
    values = ("1st", "2nd", "tie") if rev.mode == "pairwise" else rev.scale
    done, total = _counts(rev, mine)
    return ReviewPage(
        run=run_id,
        review=rev.id,
        mode=rev.mode,
        task=str((run.config or {}).get("task")),
        reviewer=reviewer,
        scale=[ScaleValue(value=v, label=LABELS[v][0], key=LABELS[v][1]) for v in values],
        items=out,
        rated=done,
        total=total,
        judge_people=None
        if note is None
        else JudgePeopleNote(
            uniform=note.uniform, rated=note.rated, more_to_halve=note.more, text=note.text
        ),
    )


@router.post(
    "/api/review/{run_id}/{review}/ratings",
    responses={**AUTH_RESPONSES, 429: {"description": "Too many ratings from this link"}},
)
def rate_api(request: Request, run_id: RunId, review: ReviewId, body: RatingIn) -> RatingSaved:
    from ragtune.evidence import ReviewError, check_rating

    reviewer = _reviewer(request, body.reviewer, "body")
    with _open(request, run_id) as store:
        rev = _review(store, run_id, review)
        try:
            rating = check_rating(rev, reviewer, body.item_id, body.answer, body.value)
        except ReviewError as err:
            raise _unprocessable(err, "body") from None
        store.record_rating(rating)
        done, total = _counts(rev, _mine(store, rev, rating.reviewer))
    return RatingSaved(saved=True, rated=done, total=total)
