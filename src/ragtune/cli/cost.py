"""`ragtune cost`, `ragtune breakeven` and `ragtune prices`: the what-if calculator."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import click
from rich.table import Table

from ragtune.cli.main import cli
from ragtune.cli.output import console
from ragtune.cost import (
    PRICE_LIBRARY,
    SECTIONS,
    Analysis,
    Band,
    Crossing,
    PairResult,
    jsonable,
    library_note,
    load_catalog,
)
from ragtune.errors import RagtuneError
from ragtune.scenario import Scenario, analyse_scenario, load_scenario

_prices_option = click.option(
    "--prices",
    "price_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Extra price file(s) that add to or override the bundled catalog.",
)


@cli.command()
@click.argument("scenario_file", type=click.Path(dir_okay=False))
@click.option(
    "--volume", type=click.FloatRange(min=0), help="Requests per month (overrides the file)."
)
@click.option("--samples", type=click.IntRange(min=0), help="Monte Carlo samples (0 = none).")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@_prices_option
def cost(
    scenario_file: str,
    volume: float | None,
    samples: int | None,
    as_json: bool,
    price_files: tuple[str, ...],
) -> None:
    """Price every option of a what-if scenario: monthly cost, TCO, break-evens, payback.

    \b
    Example:
      ragtune cost src/ragtune/examples/scenarios/projects_vs_local.yaml
      ragtune cost my.yaml --volume 200000 --json
    """
    catalog = load_catalog(*price_files)
    scenario = load_scenario(scenario_file, catalog)
    result = analyse_scenario(scenario, catalog, volume=volume, samples=samples)
    if as_json:
        click.echo(json.dumps(result.to_dict(scenario=scenario.name), indent=2))
        return
    print_analysis(result, scenario)


@cli.command()
@click.argument("scenario_file", type=click.Path(dir_okay=False))
@click.argument("option_a")
@click.argument("option_b")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@_prices_option
def breakeven(
    scenario_file: str, option_a: str, option_b: str, as_json: bool, price_files: tuple[str, ...]
) -> None:
    """Solve for the monthly volume at which two options of a scenario cost the same.

    \b
    Example:
      ragtune breakeven src/ragtune/examples/scenarios/projects_vs_local.yaml \\
          haiku-projects local-finetune
    """
    catalog = load_catalog(*price_files)
    scenario = load_scenario(scenario_file, catalog)
    for name in (option_a, option_b):
        if name not in scenario.options:
            raise RagtuneError(
                f"no option {name!r} in {scenario_file}",
                hint="options there: " + ", ".join(scenario.options),
            )
    result = analyse_scenario(scenario, catalog, pairs=[(option_a, option_b)])
    pair = result.pairs[0]
    if as_json:
        click.echo(
            json.dumps(
                jsonable(
                    {
                        "crossing": dataclasses.asdict(pair.crossing),
                        "horizon_crossing": dataclasses.asdict(pair.horizon_crossing),
                        "band": dataclasses.asdict(pair.breakeven_band)
                        if pair.breakeven_band
                        else None,
                        "p_a_cheaper": pair.p_a_cheaper,
                        "samples": result.samples,
                    }
                ),
                indent=2,
            )
        )
        return
    click.echo(describe_pair(pair, result.volume))


@cli.command()
@click.argument("search", required=False, default="")
@click.option(
    "--section",
    type=click.Choice(list(SECTIONS)),
    help="Only this part of the catalog.",
)
@click.option("--json", "as_json", is_flag=True, help="Print entries as JSON.")
@_prices_option
def prices(search: str, section: str | None, as_json: bool, price_files: tuple[str, ...]) -> None:
    """List or search the price catalog (every price with its source and date).

    \b
    Example:
      ragtune prices haiku
      ragtune prices --section gpus
    """
    catalog = load_catalog(*price_files)
    found = [(s, e) for s, e in catalog.search(search) if section in (None, s)]
    if as_json:
        click.echo(
            json.dumps([{"section": s, **dataclasses.asdict(e)} for s, e in found], indent=2)
        )
        return
    if not found:
        raise RagtuneError(
            f"no catalog entry matches {search!r}",
            hint="run `ragtune prices` with no argument to list everything",
        )
    table = Table(
        "section", "name", "price", "from", "source", "as of", box=None, header_style="bold"
    )
    for s, e in found:
        table.add_row(s, e.name, _price_text(e), e.origin, e.source, e.as_of)
    console().print(table)
    if any(e.origin == PRICE_LIBRARY for _, e in found):
        click.echo(library_note(), err=True)


def _price_text(entry: Any) -> str:
    if hasattr(entry, "input_per_m"):
        text = f"${entry.input_per_m:g} in / ${entry.output_per_m:g} out per M"
        if getattr(entry, "training_per_m", None) is not None:
            text += f"; train ${entry.training_per_m:g}/M"
        tier = getattr(entry, "long_context", None)
        if tier is not None:
            text += (
                f"; above {tier.threshold:,} tokens ${tier.input_per_m:g} / ${tier.output_per_m:g}"
            )
        if getattr(entry, "context_window", None):
            text += f"; window {entry.context_window:,}"
        if getattr(entry, "cache", None) is not None:
            ttls = ", ".join(f"{t.name} write x{t.write_multiplier:g}" for t in entry.cache.ttls)
            text += (
                f"; cache from {entry.cache.min_prefix_tokens:,} tokens "
                f"({ttls}, read x{entry.cache.read_multiplier:g})"
            )
        return text
    if hasattr(entry, "hourly"):
        return f"${entry.hourly:g}/h"
    if hasattr(entry, "per_m"):
        return f"${entry.per_m:g}/M tokens"
    return f"${entry.monthly:g}/month"


def print_analysis(result: Analysis, scenario: Scenario) -> None:
    out = console()
    growth = f", growing {result.growth:.1%}/month" if result.growth else ""
    out.print(
        f"[bold]{scenario.name}[/bold]: {result.volume:,.0f} requests/month{growth}, "
        f"{result.horizon}-month horizon"
    )
    table = Table(
        "option",
        "$/request (all-in)",
        "monthly",
        f"TCO {result.horizon} mo",
        "upfront",
        box=None,
        header_style="bold",
    )
    banded = result.samples > 0
    if banded:
        table.add_column("monthly P10-P90")
        table.add_column("TCO P10-P90")
    for o in result.options:
        row = [o.name, _per_request(o.per_request), _usd(o.monthly), _usd(o.tco), _usd(o.upfront)]
        if banded and o.monthly_band and o.tco_band:
            row += [_range(o.monthly_band), _range(o.tco_band)]
        table.add_row(*row)
    out.print(table)
    for o in result.options:
        if o.gpus is not None and o.utilisation is not None:
            out.print(
                f"  {o.name}: {o.gpus:.0f} GPU(s), {o.utilisation:.1%} utilised at this volume"
            )
    if result.pairs:
        out.print("[bold]Break-even and payback[/bold]")
    for p in result.pairs:
        out.print(describe_pair(p, result.volume), highlight=False)
    if banded:
        crossing_n = result.breakeven_samples
        out.print(
            f"[dim]{result.samples:,} Monte Carlo samples ({crossing_n:,} for break-even bands); "
            "point values use each input's mean[/dim]"
        )


def describe_pair(p: PairResult, volume: float) -> str:
    """A pair's run-rate crossing, horizon crossing, payback and Monte Carlo lines."""
    lines = [f"{p.a} vs {p.b}:", "  " + describe_crossing(p.crossing)]
    lines.append("  " + describe_crossing(p.horizon_crossing))
    if p.payback_option is not None:
        lines.append(
            f"  payback: {p.payback_option} pays back its upfront in {p.payback_months:.1f} "
            f"months at {volume:,.0f} requests/month"
            if p.payback_months is not None
            else f"  payback: {p.payback_option} never pays back its upfront at "
            f"{volume:,.0f} requests/month"
        )
    if p.breakeven_band is not None and p.p_a_cheaper is not None:
        b = p.breakeven_band
        lines.append(
            f"  Monte Carlo: run-rate break-even P10 {_vol(b.p10)} / P50 {_vol(b.p50)} / "
            f"P90 {_vol(b.p90)} (no crossing in {b.never:.0%}); "
            f"P({p.a} cheaper over the horizon) = {p.p_a_cheaper:.0%}"
        )
    return "\n".join("  " + line for line in lines)


def describe_crossing(c: Crossing) -> str:
    """One crossing in words. "Every volume" is never said of a run-rate: upfront costs could
    reverse it, which is what the horizon line is for."""
    if c.basis == "horizon":
        what = f"over {c.horizon} months (TCO: upfront, run-rate and retraining)"
    else:
        what = "per month (run-rate, upfront left out)"
    if not c.volumes:
        if c.cheaper_below is None:
            return f"{what}: equal at any volume"
        if c.basis == "horizon":
            return f"{what}: never cross within {c.horizon} months; {c.cheaper_below} is cheaper"
        return f"{what}: never cross; {c.cheaper_below} has the lower monthly cost"
    first = _vol(c.volumes[0])
    above = c.cheaper_after[0] if c.cheaper_after else None
    if c.cheaper_below is None:
        text = f"{what}: equal below {first} requests/month; {above} is cheaper above"
    elif above is None:
        text = f"{what}: {c.cheaper_below} is cheaper below {first} requests/month, equal above"
    else:
        text = f"{what}: {c.cheaper_below} is cheaper below {first} requests/month, {above} above"
    if len(c.volumes) > 1:
        again = ", ".join(_vol(v) for v in c.volumes[1:4]) + (", ..." if len(c.volumes) > 4 else "")
        text += f"; the cheaper one changes again at {again} as GPUs are added"
    return text


def _usd(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"${value:,.0f}" if abs(value) >= 100 else f"${value:,.2f}"


def _per_request(value: float) -> str:
    """Monthly / volume: API, GPUs, flat items and amortised retraining, per request."""
    return "-" if math.isnan(value) else f"${value:.6f}"


def _range(band: Band) -> str:
    return f"{_usd(band.p10)} - {_usd(band.p90)}"


def _vol(value: float) -> str:
    return "never" if not math.isfinite(value) else f"{value:,.0f}"
