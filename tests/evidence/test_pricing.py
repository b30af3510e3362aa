"""Pricing measured calls (issue 32): every called model priced by a named source, never $0.

Measured runs go through `ragtune run` against the scripted OpenAI-shaped chat server on a local
port (`chat_server.py`, the streamed shape of https://platform.openai.com/docs/api-reference/
chat-streaming read 2026-11-29), with fixed usage so each call's dollars are worked by hand.
Prices are the price library's (genai-prices' bundled data) and ragtune's overlay.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command on the group)
from ragtune.cli.main import cli
from ragtune.cost import load_catalog
from ragtune.errors import RagtuneError
from ragtune.evidence.evidence import query_cost
from ragtune.evidence.pricing import call_cost, pricing_for
from ragtune.running import project_prefixes
from ragtune.store import Measurement, Prediction

from .chat_server import chat_server

N = 6


def workload(folder: Path, backend: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {"id": f"t{i}", "input": f"question {i} ANSWER=a{i}", "target": f"a{i}", "split": "test"}
        for i in range(N)
    ] + [{"id": "r0", "input": "train ANSWER=x", "target": "x", "split": "train"}]
    (folder / "data.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (folder / "w.yaml").write_text(
        "name: priced\ntask: qa\ndata: {path: data.jsonl}\narms: {prompt: {}}\n"
        f"backends: {{cheap: '{backend}', strong: '{backend}'}}\n"
        "pricing:\n  requests_per_month: 100000\n" + extra
    )
    return folder / "w.yaml"


def run(path: Path, store: Path) -> Any:
    return CliRunner().invoke(
        cli, ["run", str(path), "--store", str(store), "--no-cache", "--json"]
    )


def test_gpt_4_1_nano_behind_a_gateway_is_priced_at_its_list_price(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`openai:gpt-4.1-nano` sent to OPENAI_BASE_URL (a gateway; here the local server), each call
    1,000 prompt tokens and 200 completion tokens. gpt-4.1-nano lists at $0.10 / $0.40 per M:
    1,000 x 0.10 / 1M + 200 x 0.40 / 1M = $0.0001 + $0.00008 = $0.00018 a query -> $0.18 per
    1,000 queries (an API arm's monthly is volume x per query, so per 1k at any volume)."""
    with chat_server(usage=(1000, 200)) as url:
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
        ran = run(workload(tmp_path / "w", "openai:gpt-4.1-nano"), tmp_path / "s.db")
    assert ran.exit_code == 0, ran.output
    [arm] = json.loads(ran.stdout)["arms"]
    assert arm["errors"] == 0
    assert arm["cost_per_1k"] == pytest.approx(0.18)


def test_vllm_style_endpoint_declared_on_an_h100_is_priced_by_the_h100(tmp_path: Path) -> None:
    """A self-hosted OpenAI-compatible server declared `{machine: h100-80gb}` (the catalog's
    H100 on demand, $2.99/hour): rented whole, 720 h a month = $2,152.80. Each answer takes well
    under 12.96 s of the server's time (100,000 x 12.96 s = 720 h x 3600 s x 0.5 utilisation
    cap), so one H100 serves 100,000 requests/month: $2,152.80 / 100,000 x 1,000 = $21.528 per
    1,000, whatever the tokens."""
    extra = "  endpoints:\n    llama-3.1-8b: {machine: h100-80gb}\n"
    with chat_server(usage=(1000, 200)) as url:
        path = workload(tmp_path / "w", f"openai-compatible:{url}#llama-3.1-8b", extra)
        ran = run(path, tmp_path / "s.db")
        run_id = json.loads(ran.stdout)["run_id"] if ran.exit_code == 0 else None
    assert ran.exit_code == 0, ran.output
    [arm] = json.loads(ran.stdout)["arms"]
    assert arm["cost_per_1k"] == pytest.approx(2.99 * 720 / 100_000 * 1000)  # 21.528
    report = CliRunner().invoke(
        cli, ["report", str(run_id), "--store", str(tmp_path / "s.db"), "--format", "json"]
    )
    assert report.exit_code == 0, report.output
    names = [row["name"] for row in json.loads(report.stdout)["prices"]]
    assert "h100-on-demand (serves llama-3.1-8b, a declared endpoint)" in names


@pytest.mark.parametrize(
    "backend",
    [
        "openai:gpt-imaginary-7",
        "anthropic:claude-imaginary-9",
        "openai-compatible:http://gpu-box.internal:8000/v1#my-llama",
    ],
)
def test_a_model_no_source_prices_stops_check_and_run_with_exit_2(
    tmp_path: Path, backend: str
) -> None:
    """Never $0, never "local machine time": `check` and `run` refuse, naming the model and
    both fixes (a price file entry, or `pricing.endpoints`)."""
    path = workload(tmp_path / "w", backend)
    model = backend.rsplit("#", 1)[-1].split(":", 1)[-1]
    for command in (["check", str(path)], ["run", str(path), "--store", str(tmp_path / "s")]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, result.output
        assert f"no price for model {model!r}" in result.stderr
        assert "pricing.endpoints" in result.stderr and "price file" in result.stderr


def test_an_unpriced_judge_stops_check_too(tmp_path: Path) -> None:
    path = workload(tmp_path / "w", "local:smollm2-135m")
    path.write_text(path.read_text() + "  project_to: claude-haiku-4-5\n")
    text = path.read_text().replace(
        "strong: 'local:smollm2-135m'}", "strong: 'local:smollm2-135m', judge: 'openai:nope-1'}"
    )
    path.write_text(text)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2 and "backends.judge" in result.stderr
    assert "'nope-1'" in result.stderr


def test_declared_price_and_machine_must_be_one_or_the_other(tmp_path: Path) -> None:
    both = (
        "  endpoints:\n    m: {machine: h100-80gb, price: {input_per_m: 1, output_per_m: 1, "
        "source: contract, as_of: 2026-12-01}}\n"
    )
    path = workload(tmp_path / "w", "openai-compatible:http://gpu-box:8000/v1#m", both)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2 and "pricing.endpoints.m" in result.stderr
    assert "exactly one" in result.stderr
    unsourced = "  endpoints:\n    m: {price: {input_per_m: 1, output_per_m: 1}}\n"
    path = workload(tmp_path / "w", "openai-compatible:http://gpu-box:8000/v1#m", unsourced)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2 and "pricing.endpoints.m.price.source" in result.stderr


def test_a_declared_per_token_price_prices_the_measured_calls(tmp_path: Path) -> None:
    """`price: {input_per_m: 1.0, output_per_m: 2.0}` (a contract rate): 1,000 x $1/M + 200 x
    $2/M = $0.001 + $0.0004 = $0.0014 a query -> $1.40 per 1,000."""
    extra = (
        "  endpoints:\n    contracted: {price: {input_per_m: 1.0, output_per_m: 2.0, "
        "source: our contract, as_of: 2026-12-01}}\n"
    )
    with chat_server(usage=(1000, 200)) as url:
        ran = run(workload(tmp_path / "w", f"openai-compatible:{url}#contracted", extra),
                  tmp_path / "s.db")  # fmt: skip
    assert ran.exit_code == 0, ran.output
    [arm] = json.loads(ran.stdout)["arms"]
    assert arm["cost_per_1k"] == pytest.approx(1.40)


def test_declared_endpoint_on_an_unknown_machine_names_the_field(tmp_path: Path) -> None:
    extra = "  endpoints:\n    m: {machine: h1000}\n"
    path = workload(tmp_path / "w", "openai-compatible:http://gpu-box:8000/v1#m", extra)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2
    assert "pricing.endpoints.m.machine" in result.stderr and "h1000" in result.stderr


def prediction(*calls: Measurement) -> Prediction:
    return Prediction("r", "arm", "i", 0, "text", measurements=calls, wall_share_s=0.5)


def pricing(remote: frozenset[str] = frozenset()) -> Any:
    return pricing_for(load_catalog(), "hetzner-cx42", None, remote=remote)


def test_dated_haiku_id_is_priced_exactly_as_haiku_4_5() -> None:
    """claude-haiku-4-5-20251001 (Anthropic's own dated ID) resolves to claude-haiku-4-5: 3,000
    tokens in and 300 out at $1 / $5 per M = $0.003 + $0.0015 = $0.0045 a call, $4.50 per
    1,000 (the old catalog missed the ID and billed it as $0.26 of VPS time)."""
    p = pricing(remote=frozenset({"claude-haiku-4-5-20251001"}))
    dated = p.api_price("claude-haiku-4-5-20251001")
    assert dated == p.catalog.model("claude-haiku-4-5")
    call = Measurement("answer", "claude-haiku-4-5-20251001", 3000, 0, 0, 300)
    usd, machine_s, local, models = query_cost(prediction(call), p)
    assert usd == pytest.approx(0.0045)
    assert (machine_s, local, models) == (0.0, False, ("claude-haiku-4-5",))


def test_an_unpriced_remote_model_raises_when_a_stored_run_is_priced() -> None:
    call = Measurement("answer", "gpt-imaginary-7", 1000, 0, 0, 10)
    with pytest.raises(RagtuneError, match="no price for model 'gpt-imaginary-7'") as info:
        query_cost(prediction(call), pricing(remote=frozenset({"gpt-imaginary-7"})))
    assert "pricing.endpoints" in (info.value.hint or "")
    # a local model (not billed by a provider) is still our machine's time
    usd, machine_s, local, _ = query_cost(
        prediction(Measurement("answer", "smollm2-135m")), pricing()
    )
    assert (usd, machine_s, local) == (0.0, 0.5, True)


def test_projection_onto_haiku_re_splits_gpt_4o_mini_cache_reads_by_haikus_minimum() -> None:
    """gpt-4o-mini calls that read 1,536 cached tokens (500 uncached input, 100 output) projected
    onto Haiku 4.5, which caches nothing under 4,096 tokens: every call is 2,036 plain input
    tokens x $1/M + 100 x $5/M = $0.002036 + $0.0005 = $0.002536 (not the $0.0011536 of reading
    the prefix at 0.1x), and there is no first write because nothing is cached."""
    haiku = load_catalog().model("claude-haiku-4-5")
    call = Measurement("answer", "gpt-4o-mini", 500, 0, 1536, 100)
    split = project_prefixes([(call,)] * 3, min_tokens=haiku.cache.min_prefix_tokens)  # type: ignore[union-attr]
    usd = [call_cost(c.measurement, haiku) for calls in split for c in calls]
    assert usd == pytest.approx([0.002536] * 3)


def test_projection_onto_a_caching_model_charges_the_first_write() -> None:
    """The same calls onto Sonnet 4.5 (caches from 1,024 tokens; write 1.25x, read 0.1x of $3/M;
    $15/M out). First call writes: 1,536 x 3.75 + 500 x 3 + 100 x 15 = 5,760 + 1,500 + 1,500
    = 8,760 micro-dollars = $0.00876; each later call reads: 1,536 x 0.30 + 1,500 + 1,500 =
    3,460.8 -> $0.0034608. Three calls: $0.00876 + 2 x $0.0034608 = $0.0156816."""
    sonnet = load_catalog().model("claude-sonnet-4-5")
    call = Measurement("answer", "gpt-4o-mini", 500, 0, 1536, 100)
    split = project_prefixes([(call,)] * 3, min_tokens=sonnet.cache.min_prefix_tokens)  # type: ignore[union-attr]
    usd = [call_cost(c.measurement, sonnet) for calls in split for c in calls]
    assert usd == pytest.approx([0.00876, 0.0034608, 0.0034608])
    assert sum(usd) == pytest.approx(0.0156816)
