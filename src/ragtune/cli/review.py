"""`ragtune review RUN_ID`: a blind, randomised human review of a run's answers in the browser.

Draws (or reuses) the review sample, prints the review page's address on stdout and serves the
local web app (`ragtune serve`) until Ctrl+C; `--no-serve` only prints the address, for a server
already running on the same store. Ratings are saved in the run store as they are given.
"""

from __future__ import annotations

from pathlib import Path

import click

from ragtune.cli.main import cli
from ragtune.cli.run import _store_option
from ragtune.cli.serve import serve
from ragtune.errors import RagtuneError
from ragtune.evidence import DEFAULT_SAMPLE, MODES


@cli.command("review")
@click.argument("run_id")
@click.option(
    "--sample",
    type=click.IntRange(min=1, max=10_000),
    default=DEFAULT_SAMPLE,
    show_default=True,
    help="Test items to review (a seeded sample, stratified like --limit).",
)
@click.option("--arms", help="Arms to review, comma-separated (default: every finished arm).")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="pointwise",
    show_default=True,
    help="pointwise: rate each answer; pairwise: pick the better of two arms' answers.",
)
@click.option("--reviewer", help="Your name, put in the printed address.")
@click.option("--seed", type=int, help="Sample and order seed (default: the run's seed).")
@click.option("--serve/--no-serve", "serving", default=True, help="Start the web app too.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@_store_option
@click.pass_context
def review_command(
    ctx: click.Context,
    run_id: str,
    sample: int,
    arms: str | None,
    mode: str,
    reviewer: str | None,
    seed: int | None,
    serving: bool,
    port: int,
    store_path: str,
) -> None:
    """Review a sample of a run's answers blind: arm names hidden, order random per item.

    \b
    Example:
      ragtune review 20261122-021500-a3f9                       # 60 items, every arm
      ragtune review 20261122 --sample 80 --arms rag,finetune --reviewer alice
      ragtune review 20261122 --mode pairwise --arms rag,finetune --no-serve
    Several people can rate the same sample: each opens the address with their own
    ?reviewer=NAME. `ragtune report RUN_ID` then shows human scores and the judge's agreement.
    """
    from urllib.parse import quote

    from ragtune.evidence import check_reviewer, load_run, plan_review
    from ragtune.store import RunStore

    if not Path(store_path).is_file():
        raise RagtuneError(
            f"no run store at {store_path}",
            hint="give --store (or $RAGTUNE_STORE), or make a run first with `ragtune run`",
        )
    chosen = [a.strip() for a in arms.split(",") if a.strip()] if arms else None
    name = check_reviewer(reviewer) if reviewer is not None else None
    with RunStore.open(store_path) as store:
        run = load_run(store, run_id)
        plan = plan_review(run, sample=sample, arms=chosen, mode=mode, seed=seed)
        same = [
            r
            for r in store.reviews(run.id)
            if (r.mode, r.arms, r.items, r.seed) == (plan.mode, plan.arms, plan.items, plan.seed)
        ]
        review = same[0] if same else store.add_review(
            run.id, plan.mode, plan.arms, plan.items, plan.scale, plan.seed
        )  # fmt: skip
        given = store.ratings(run.id, review.id)
    how = f", stratified by {plan.stratified_by}" if plan.stratified_by else ""
    people = sorted({r.reviewer for r in given})
    click.echo(
        f"review {review.id} of run {run.id} ({'reused' if same else 'new'}): "
        f"{len(review.items)} items{how}, {len(review.arms)} arms shown blind, {mode}; "
        f"{len(given)} ratings so far" + (f" by {', '.join(people)}" if people else ""),
        err=True,
    )
    url = f"http://127.0.0.1:{port}/review/{run.id}/{review.id}"
    click.echo(url + (f"?reviewer={quote(name)}" if name else ""))
    if serving:
        ctx.invoke(serve, port=port, host="127.0.0.1", price_files=(), store_path=store_path)
