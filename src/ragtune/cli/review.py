"""`ragtune review RUN_ID`: a blind, randomised human review of a run's answers in the browser.

Draws (or reuses) the review sample, prints the review page's address on stdout and serves the
local web app (`ragtune serve`) until Ctrl+C; `--no-serve` only prints the address, for a server
already running on the same store. Ratings are saved in the run store as they are given.

For a team, `--invite NAME` prints one link per reviewer carrying a token (kept hashed in the
store, so the links survive a restart of the server); `--revoke NAME` ends a reviewer's links.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ragtune.cli.main import cli
from ragtune.cli.run import _store_option
from ragtune.cli.serve import exposure_options, plan_exposure, serve
from ragtune.errors import RagtuneError
from ragtune.evidence import DEFAULT_SAMPLE, MODES

if TYPE_CHECKING:
    from ragtune.store import RunStore

UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Duration(click.ParamType):
    """A length of time such as 30m, 12h, 7d or 2w."""

    name = "duration"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> timedelta:
        if isinstance(value, timedelta):
            return value
        match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", str(value).lower())
        if not match or int(match[1]) == 0:
            self.fail(
                f"{value!r} is not a length of time; use a positive number and a unit: "
                "30m, 12h, 7d or 2w",
                param,
                ctx,
            )
        return timedelta(**{UNITS[match[2]]: int(match[1])})


@cli.command("review")
@click.argument("run_id")
@click.option(
    "--sample",
    type=click.IntRange(min=1, max=10_000),
    default=DEFAULT_SAMPLE,
    show_default=True,
    help="Test items to review: a seeded sample, uniformly random on a judged run (what the "
    "judge + people estimate needs), else stratified like --limit.",
)
@click.option("--arms", help="Arms to review, comma-separated (default: every finished arm).")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="pointwise",
    show_default=True,
    help="pointwise: rate each answer; pairwise: pick the better of two arms' answers.",
)
@click.option("--reviewer", help="Your name, put in the printed address (localhost only).")
@click.option(
    "--invite",
    "invites",
    multiple=True,
    metavar="NAME",
    help="Print a link for reviewer NAME carrying their own token (repeat for each person).",
)
@click.option(
    "--revoke",
    "revokes",
    multiple=True,
    metavar="NAME",
    help="End every link of reviewer NAME to this run (their requests then get 401).",
)
@click.option(
    "--expires", type=Duration(), help="Invite links stop working after this long: 12h, 7d."
)
@click.option("--seed", type=int, help="Sample and order seed (default: the run's seed).")
@click.option(
    "--uniform/--stratified",
    "uniform",
    default=None,
    help="How to draw the items (default: uniform on a judged run, else stratified). The "
    "judge + people (PPI) estimate uses only uniformly drawn reviews' ratings.",
)
@click.option("--serve/--no-serve", "serving", default=True, help="Start the web app too.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@exposure_options
@_store_option
@click.pass_context
def review_command(
    ctx: click.Context,
    run_id: str,
    sample: int,
    arms: str | None,
    mode: str,
    reviewer: str | None,
    invites: tuple[str, ...],
    revokes: tuple[str, ...],
    expires: timedelta | None,
    seed: int | None,
    uniform: bool | None,
    serving: bool,
    port: int,
    host: str,
    allowed_hosts: tuple[str, ...],
    public_url: str | None,
    auth: bool | None,
    store_path: str,
) -> None:
    """Review a sample of a run's answers blind: arm names hidden, order random per item.

    \b
    Example:
      ragtune review 20261122-021500-a3f9                       # 60 items, every arm
      ragtune review 20261122 --sample 80 --arms rag,finetune --reviewer alice
      ragtune review 20261122 --mode pairwise --arms rag,finetune --no-serve
      ragtune review 20261122 --invite alice --invite bob --host 0.0.0.0 --expires 7d
      ragtune review 20261122 --revoke bob
      ragtune review 20261122 --stratified   # by label / document (PPI does not use it)
    On one machine, each person opens the address with their own ?reviewer=NAME. For a team,
    --invite prints one link per person (a rating is always the link's reviewer's) and the
    server asks every request for a token. `ragtune report RUN_ID` then shows human scores and
    the judge's agreement.
    """
    from urllib.parse import quote

    from ragtune.evidence import check_reviewer, load_run, plan_review
    from ragtune.store import RunStore, hash_token, new_token

    if not Path(store_path).is_file():
        raise RagtuneError(
            f"no run store at {store_path}",
            hint="give --store (or $RAGTUNE_STORE), or make a run first with `ragtune run`",
        )
    exposure = plan_exposure(host, port, allowed_hosts, public_url, auth)
    chosen = [a.strip() for a in arms.split(",") if a.strip()] if arms else None
    name = check_reviewer(reviewer) if reviewer is not None else None
    invited = list(dict.fromkeys(check_reviewer(n) for n in invites))
    revoked = list(dict.fromkeys(check_reviewer(n) for n in revokes))
    if name is not None and (invited or exposure.require_token):
        raise RagtuneError(
            f"--reviewer {name} names the reviewer in an open link, which works only on the "
            "localhost app without tokens",
            hint=f"give --invite {name} instead: a link with {name}'s own token",
        )
    if expires is not None and not invited:
        raise RagtuneError(
            "--expires sets when invite links stop working, but no --invite was given",
            hint="add --invite NAME for each reviewer, e.g. --invite alice --expires 7d",
        )
    with RunStore.open(store_path) as store:
        run = load_run(store, run_id)
        if revoked:
            _revoke(store, run.id, revoked)
            if not invited:
                return
        plan = plan_review(run, sample=sample, arms=chosen, mode=mode, seed=seed, uniform=uniform)
        same = [
            r
            for r in store.reviews(run.id)
            if (r.mode, r.arms, r.items, r.seed) == (plan.mode, plan.arms, plan.items, plan.seed)
        ]
        review = same[0] if same else store.add_review(
            run.id, plan.mode, plan.arms, plan.items, plan.scale, plan.seed, plan.sampling
        )  # fmt: skip
        given = store.ratings(run.id, review.id)
        until = (
            (datetime.now(UTC) + expires).isoformat(timespec="milliseconds") if expires else None
        )
        tokens = {n: new_token() for n in invited}
        for person, token in tokens.items():
            store.add_review_token(run.id, review.id, person, hash_token(token), until)
    how = f", stratified by {plan.stratified_by}" if plan.stratified_by else ""
    how = ", uniformly random" if plan.sampling == "uniform" else how
    people = sorted({r.reviewer for r in given})
    click.echo(
        f"review {review.id} of run {run.id} ({'reused' if same else 'new'}): "
        f"{len(review.items)} items{how}, {len(review.arms)} arms shown blind, {mode}; "
        f"{len(given)} ratings so far" + (f" by {', '.join(people)}" if people else ""),
        err=True,
    )
    url = f"{exposure.base_url}/review/{run.id}/{review.id}"
    if tokens:
        for person, token in tokens.items():
            click.echo(f"{person}\t{url}?token={token}")
        click.echo(
            f"one link per reviewer ({', '.join(tokens)}): send each only to its person; "
            + (f"they stop working at {until[:16]} UTC" if until else "they do not expire")
            + f"; end one with: ragtune review {run.id} --revoke NAME",
            err=True,
        )
        if not exposure.exposed:
            click.echo(
                "note: these links open on this machine only; for a team, serve with "
                "--host 0.0.0.0, or behind a TLS reverse proxy with --public-url URL",
                err=True,
            )
    else:
        click.echo(url + (f"?reviewer={quote(name)}" if name else ""))
        if exposure.require_token:
            click.echo(
                "tokens required: this address opens only with a reviewer's link; add "
                "--invite NAME for each reviewer (links made before still work)",
                err=True,
            )
    for line in ppi_lines(run):
        click.echo(line, err=True)
    if serving:
        ctx.invoke(
            serve,
            port=port,
            host=host,
            allowed_hosts=allowed_hosts,
            public_url=public_url,
            auth=auth,
            price_files=(),
            store_path=store_path,
        )


def ppi_lines(run: Any) -> list[str]:
    """Judge + people so far: each arm's PPI estimate and the ratings that would halve it."""
    from ragtune.evidence import human_evidence, review_frames

    human = human_evidence(
        run.config.task, run.ratings, run.judge_metrics, seed=run.seed, reviews=run.reviews,
        frames=review_frames(run),
    )  # fmt: skip
    out = []
    if human is not None and human.judge_items:
        out.append(human.ppi_ratings.describe())
    for e in human.judge_human if human is not None else ():
        p = e.result.ppi
        more = e.result.ratings_to_halve
        out.append(
            f"judge + people (PPI) for {e.arm}: {p.estimate:.3f} [{p.low:.3f}, {p.high:.3f}] "
            f"from {e.rated} ratings and {e.rated + e.unrated} judged answers; "
            + (
                f"{more:,} more uniformly drawn ratings would halve the interval"
                if more is not None
                else "more ratings alone would not halve the interval"
            )
        )
    return out


def _revoke(store: RunStore, run_id: str, names: list[str]) -> None:
    holders = sorted({t.reviewer for t in store.review_tokens(run_id) if t.revoked is None})
    missing = [n for n in names if n not in holders]
    if missing:
        raise RagtuneError(
            f"reviewer {missing[0]!r} has no link to run {run_id} to revoke",
            hint=f"reviewers with links: {', '.join(holders) or 'none yet'}",
        )
    for person in names:
        count = store.revoke_review_tokens(run_id, person)
        click.echo(
            f"revoked {person}'s {'link' if count == 1 else f'{count} links'} to run {run_id}: "
            "they now get 401",
            err=True,
        )
