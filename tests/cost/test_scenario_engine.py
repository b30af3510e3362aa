"""The scenario engine's remaining errors (issue 32, item 7), each with the figure worked by hand:
a shared `workload:` drawn once, nested routers' retraining, bounded shares, peak and GPU-count
checks, the tie sentence, percentiles that count "never", all-in $/request, prefill sizing and
batch cached-input rates read model by model."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.cost import Band, load_catalog
from ragtune.cost.model import monthly_breakdown, monthly_cost
from ragtune.errors import ValidationError
from ragtune.scenario import analyse_scenario, build_options, parse_scenario, point, sampler

CATALOG = load_catalog()

# Haiku 4.5 priced here at $1/M in and $5/M out (stated, so a catalog update cannot move it).
SHARED = """
volume: {requests_per_month: 100000}
samples: 2000
workload:
  input_tokens: [500, 1500]
  output_tokens: {dist: triangular, low: 100, mode: 200, high: 300}
  context_tokens: {dist: lognormal, low: 500, high: 2000}
options:
  plain:
    api: {model: claude-haiku-4-5, input_per_m: 1, output_per_m: 5}
  plus-ten:
    api: {model: claude-haiku-4-5, input_per_m: 1, output_per_m: 5}
    fixed_monthly: [{name: monitoring, amount: 10}]
"""


def run_cli(tmp_path: Path, text: str, *args: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["cost", str(path), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_options_sharing_a_workload_differ_by_exactly_ten_dollars(tmp_path: Path) -> None:
    """Both options read the workload's token counts, drawn once per sample: plus-ten costs
    exactly $10 a month more in every sample (per-option draws printed P = 51%). Point values:
    input 1,000 (the range's mean) + output 200 + context e^(mu + s^2/2) with mu = ln(1,000),
    s = ln(4)/(2 x 1.6449) = 0.42138: 1,000 x e^0.088782 = 1,092.84 tokens; per request
    (1,000 + 1,092.84) x $1/M + 200 x $5/M = $0.0030928, x 100,000 = $309.28 a month."""
    scenario = parse_scenario(SHARED, CATALOG)
    sampled = build_options(scenario, CATALOG, sampler(3, 2000))
    gap = monthly_cost(sampled["plus-ten"], 100_000) - monthly_cost(sampled["plain"], 100_000)
    assert np.ptp(np.asarray(monthly_cost(sampled["plain"], 100_000))) > 100  # truly uncertain
    assert np.allclose(gap, 10.0)
    result = analyse_scenario(scenario, CATALOG)
    pair = result.pairs[0]
    assert pair.p_a_cheaper == 1.0
    assert pair.crossing.volumes == () and pair.crossing.cheaper_below == "plain"
    assert pair.horizon_crossing.volumes == ()
    assert pair.breakeven_band is not None and pair.breakeven_band.never == 1.0
    assert result.options[0].monthly == pytest.approx(309.28, abs=0.01)
    out = run_cli(tmp_path, SHARED)
    assert "P(plain cheaper over the horizon) = 100%" in out
    assert "never cross; plain has the lower monthly cost" in out


def test_options_stating_the_same_counts_move_together_too(tmp_path: Path) -> None:
    """Without a `workload:` block, options that state the same ranges (as a YAML anchor does)
    draw them from one stream per token count: the same $10 gap in every sample."""
    text = """
volume: {requests_per_month: 100000}
samples: 2000
options:
  plain:
    api: &haiku {model: claude-haiku-4-5, input_tokens: [500, 1500], output_tokens: [100, 300]}
  plus-ten:
    api: *haiku
    fixed_monthly: [{amount: 10}]
"""
    result = analyse_scenario(parse_scenario(text, CATALOG), CATALOG)
    assert result.pairs[0].p_a_cheaper == 1.0


def test_an_option_overrides_one_workload_count_and_keeps_the_others() -> None:
    """`plain` inherits 1,000 input and 200 output tokens; `short` states 400 input and keeps
    the workload's 200 output: (400 x 1 + 200 x 5) / 1M = $0.0014 a request."""
    text = """
volume: {requests_per_month: 1000}
workload: {input_tokens: 1000, output_tokens: 200}
options:
  plain: {api: {model: claude-haiku-4-5, input_per_m: 1, output_per_m: 5}}
  short: {api: {model: claude-haiku-4-5, input_per_m: 1, output_per_m: 5, input_tokens: 400}}
"""
    options = build_options(parse_scenario(text, CATALOG), CATALOG, point)
    assert options["plain"].request_cost() == pytest.approx(0.002)
    assert options["short"].request_cost() == pytest.approx(0.0014)


NESTED = """
volume: {requests_per_month: 10000}
options:
  tuned:
    fixed_monthly: [{name: vps, amount: 24}]
    retrain: {every_months: 1, eval_cost: 1500}
  haiku:
    api: {model: claude-haiku-4-5, input_per_m: 1, output_per_m: 5, input_tokens: 1000,
          output_tokens: 200}
  inner:
    route: [{option: tuned, share: 1.0}, {option: haiku, share: 0.1}]
  outer:
    route: [{option: inner, share: 1.0}, {option: haiku, share: 0.05}]
"""


def test_a_router_of_a_router_keeps_the_inner_retraining() -> None:
    """haiku: 1,000 x $1/M + 200 x $5/M = $0.002 a request. At 10,000 requests/month:
    inner = vps $24 + retraining $1,500/1 month + 10% x 10,000 x $0.002 = $2 -> $1,526;
    outer = inner $1,526 + 5% x 10,000 x $0.002 = $1 -> $1,527. Before, outer dropped the
    $1,500 retraining of its inner router's part and printed $27."""
    options = build_options(parse_scenario(NESTED, CATALOG), CATALOG, point)
    assert monthly_cost(options["inner"], 10_000) == pytest.approx(1_526.0)
    assert monthly_cost(options["outer"], 10_000) == pytest.approx(1_527.0)
    breakdown = monthly_breakdown(options["outer"], 10_000)
    assert sum(float(i.amount) for i in breakdown) == pytest.approx(1_527.0)
    result = analyse_scenario(parse_scenario(NESTED, CATALOG), CATALOG)
    outer = next(o for o in result.options if o.name == "outer")
    assert outer.tco == pytest.approx(12 * 1_527.0)


@pytest.mark.parametrize(
    ("field", "where"),
    [
        ("route: [{option: a, share: {dist: lognormal, low: 0.1, high: 0.6}}]", "r.route.0.share"),
        ("api: {model: gpt-4o, cached_prefix_tokens: 2000, "
         "cache_hit_rate: {dist: lognormal, low: 0.5, high: 0.9}}", "r.api.cache_hit_rate"),
    ],
)  # fmt: skip
def test_a_lognormal_share_is_refused(field: str, where: str) -> None:
    """A lognormal with P5 0.1 and P95 0.6 puts 5% of draws above 0.6 and some above 1 (a share
    above 1 made the rest negative: negative request costs). Refused, naming the field."""
    text = (
        "volume: {requests_per_month: 1000}\noptions:\n  a: {api: {model: gpt-4o}}\n"
        f"  r:\n    {field}\n"
    )
    with pytest.raises(ValidationError) as info:
        parse_scenario(text, CATALOG)
    found = {p.path: p.message for p in info.value.problems}
    assert "lognormal is unbounded above" in found[f"options.{where}"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("peak_to_average: 0.5", "must be >= 1"),
        ("min_gpus: [1, 2]", "one whole number"),
        ("min_gpus: 1.5", "not a whole number"),
        ("tokens_per_request: 500, output_tokens: 100", "not both"),
    ],
)
def test_serving_inputs_that_size_nonsense_are_refused(line: str, message: str) -> None:
    """peak 0.5 sized for half the load ("192.9% utilised"); min_gpus [1, 2] billed 1.5 GPUs."""
    text = (
        "volume: {requests_per_month: 1000}\noptions:\n  g:\n"
        "    serving: {gpu: a100-gcp, tokens_per_second: 30, tokens_per_request: 500, "
        f"{line}}}\n"
    ).replace("tokens_per_request: 500, tokens_per_request", "tokens_per_request")
    with pytest.raises(ValidationError) as info:
        parse_scenario(text, CATALOG)
    assert message in str(info.value)


TIE = """
volume: {requests_per_month: 100000}
options:
  slow:
    serving: {gpu: a100-gcp, gpu_hourly: 2, tokens_per_second: 100, tokens_per_request: 1000}
  fast:
    serving: {gpu: a100-gcp, gpu_hourly: 2, tokens_per_second: 150, tokens_per_request: 1000}
"""


def test_equal_at_low_volume_is_said_in_words(tmp_path: Path) -> None:
    """Both rent one $2/h GPU (x 720 h = $1,440 a month). slow serves 100 x 3,600 x 720 / 1,000
    = 259,200 requests a GPU, fast 388,800. Below 259,200 both cost $1,440: equal; above it slow
    needs a second GPU, so fast is cheaper (it printed "None is cheaper below 622,080"). All-in
    per request at 100,000: $1,440 / 100,000 = $0.014400 (it printed $0.000000)."""
    out = run_cli(tmp_path, TIE)
    assert "equal below 259,200 requests/month; fast is cheaper above" in out
    assert "None" not in out
    assert "$0.014400" in out


def test_band_percentiles_count_the_samples_that_never_cross() -> None:
    """Ten samples, eight of them never crossing: ranked 1, 2, then eight "never". P10 sits at
    rank 0.9 (1 + 0.9 x (2 - 1) = 1.9); P50 and P90 fall among the nevers. Before, they were
    taken over the two crossing samples only."""
    band = Band.of(np.array([2.0, 1.0] + [math.nan] * 8))
    assert band.p10 == pytest.approx(1.9)
    assert math.isinf(band.p50) and math.isinf(band.p90) and band.never == pytest.approx(0.8)


def test_prefill_and_decode_are_sized_apart() -> None:
    """A RAG-shaped request, 3,000 tokens in and 300 out, on 30 tok/s x 8 streams = 240 tok/s of
    decode. Default prefill 10 x 240 = 2,400 tok/s: 300/240 + 3,000/2,400 = 2.5 GPU-seconds, so
    one GPU (720 h = 2,592,000 s) serves 1,036,800 requests. Counting all 3,300 tokens at decode
    speed gave 3,300/240 = 13.75 s: 188,509 requests, 5.5x fewer. A measured 6,000 tok/s of
    prefill: 1.25 + 0.5 = 1.75 s, 1,481,142.9 requests."""
    text = """
volume: {requests_per_month: 1000000}
workload: {input_tokens: 3000, output_tokens: 300}
options:
  split: {serving: {gpu: a100-gcp, tokens_per_second: 30, concurrency: 8}}
  measured:
    serving: {gpu: a100-gcp, tokens_per_second: 30, concurrency: 8,
              prefill_tokens_per_second: 6000}
  decode-only:
    serving: {gpu: a100-gcp, tokens_per_second: 30, concurrency: 8, tokens_per_request: 3300}
"""
    options = build_options(parse_scenario(text, CATALOG), CATALOG, point)
    per_gpu = {n: float(o.serving.requests_per_gpu()) for n, o in options.items() if o.serving}
    assert per_gpu["split"] == pytest.approx(1_036_800)
    assert per_gpu["measured"] == pytest.approx(2_592_000 / 1.75)
    assert per_gpu["decode-only"] == pytest.approx(2_592_000 / 13.75)
    assert float(options["split"].serving.gpus(1_000_000)) == 1  # type: ignore[union-attr]
    assert float(options["decode-only"].serving.gpus(1_000_000)) == 6  # type: ignore[union-attr]


def test_serving_without_token_counts_is_refused() -> None:
    text = (
        "volume: {requests_per_month: 1000}\noptions:\n"
        "  g: {serving: {gpu: a100-gcp, tokens_per_second: 30}}\n"
    )
    with pytest.raises(ValidationError, match=r"options\.g\.serving"):
        parse_scenario(text, CATALOG)


def test_batch_without_a_listed_cached_rate_has_no_cache_discount(tmp_path: Path) -> None:
    """A batch entry that lists no cached-input rate (OpenAI's Batch table lists none for
    gpt-4o-mini) bills the prefix as plain batch input. backlog: 300,000 requests of 800 input
    + 1,200 prefix at $0.075/M and 20 output at $0.30/M: (2,000 x 0.075 + 20 x 0.30) / 1M =
    $0.000156, $46.80 a month (stacking a 0.5x cache read printed $34.65). An entry that does
    list one (Anthropic: batch and caching discounts stack) keeps it."""
    prices = tmp_path / "prices.yaml"
    prices.write_text(
        "batch:\n  gpt-4o-mini: {input_per_m: 0.075, output_per_m: 0.3, "
        "source: 'https://openai.com/api/pricing', as_of: 2026-12-01}\n",
        encoding="utf-8",
    )
    catalog = load_catalog(prices)
    batch = catalog.batch_model("gpt-4o-mini")
    assert batch is not None and batch.cache is None
    assert (batch.cache_read_multiplier, batch.cache_write_multiplier) == (1.0, 1.0)
    text = """
volume: {requests_per_month: 300000}
options:
  batch:
    api: {model: gpt-4o-mini, input_tokens: 800, output_tokens: 20, cached_prefix_tokens: 1200,
          cache_hit_rate: 0.9, batch: true}
"""
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(cli, ["cost", str(path), "--prices", str(prices), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["options"][0]["monthly"] == pytest.approx(46.80)
    haiku = load_catalog().batch_model("claude-haiku-4-5")
    assert haiku is not None and haiku.cache_read_multiplier == pytest.approx(0.1)
