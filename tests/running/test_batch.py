"""Evidence runs through the providers' batch APIs (issue 26), end to end through `ragtune run`.

The providers are a real local server (`tests/backends/batch_server.py`) serving OpenAI's Batch
API and Anthropic's Message Batches in the shapes their documentation gives (the pages and the
date, 2026-12-07, are named in that module), reached by the official SDKs through
OPENAI_BASE_URL / ANTHROPIC_BASE_URL. Every call reports 1,000 input and 200 output tokens, so
each dollar figure below is worked by hand from the catalog's prices. No model is loaded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import ragtune
import ragtune.cli  # registers every command on the group
from ragtune.cli.main import cli
from ragtune.config import load_workload
from ragtune.cost import load_catalog
from ragtune.errors import RagtuneError
from ragtune.running import RunOptions, run_workload
from ragtune.store import RunStore

from ..backends.batch_server import ProviderServer, provider_server

N = 4
FAST_POLL = "  api: {poll_s: 0.01, max_poll_s: 0.01}\n"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProviderServer]:
    with provider_server() as state:
        for key, value in env(state).items():
            monkeypatch.setenv(key, value)
        yield state


def env(state: ProviderServer) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": state.url + "/v1",
        "ANTHROPIC_BASE_URL": state.url,
        "OPENAI_API_KEY": "sk-test-not-a-real-key",
        "ANTHROPIC_API_KEY": "sk-ant-test-not-a-real-key",
    }


def workload(
    folder: Path,
    *,
    arms: str = "{prompt: {}, fewshot: {backend: strong, k: 1}}",
    judge: str = "anthropic:claude-haiku-4-5",
    backends: str = FAST_POLL,
    questions: tuple[str, ...] = (),
    latency: int = 1,
) -> Path:
    """Two API arms (prompt on gpt-4o-mini, fewshot on claude-haiku-4-5) and an API judge."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = list(questions) or [f"question {i}" for i in range(N)]
    rows = [
        {"id": f"t{i}", "input": f"{q} ANSWER=a{i}", "target": f"a{i}", "split": "test"}
        for i, q in enumerate(texts)
    ] + [{"id": "r0", "input": "train ANSWER=x", "target": "x", "split": "train"}]
    (folder / "data.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (folder / "w.yaml").write_text(
        f"name: batched\ntask: qa\ndata: {{path: data.jsonl}}\narms: {arms}\n"
        f"latency_sample: {latency}\n"
        "backends:\n  cheap: openai:gpt-4o-mini\n  strong: anthropic:claude-haiku-4-5\n"
        + (f"  judge: {judge}\n" if judge else "")
        + backends
    )
    return folder / "w.yaml"


def run(path: Path, store: Path, *flags: str) -> Any:
    return CliRunner().invoke(
        cli, ["run", str(path), "--store", str(store), "--no-cache", "--json", *flags]
    )


def arms_of(result: Any) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    return {a["arm"]: a for a in json.loads(result.stdout)["arms"]}


def test_two_api_arms_and_an_api_judge_through_batches_cost_exactly_half(
    tmp_path: Path, server: ProviderServer
) -> None:
    """Catalog prices per million tokens (input / output), interactive and batch:
    gpt-4o-mini $0.15 / $0.60 and $0.075 / $0.30; claude-haiku-4-5 $1 / $5 and $0.50 / $2.50.
    A call of 1,000 input and 200 output tokens costs
      gpt-4o-mini:      1,000 x 0.15 / 1M + 200 x 0.60 / 1M = $0.00027   -> $0.27 per 1,000
                 batch: 1,000 x 0.075/ 1M + 200 x 0.30 / 1M = $0.000135  -> $0.135 per 1,000
      claude-haiku-4-5: 1,000 x 1 / 1M    + 200 x 5 / 1M    = $0.002     -> $2 per 1,000
                 batch: 1,000 x 0.5 / 1M  + 200 x 2.5 / 1M  = $0.001     -> $1 per 1,000
    The judge (claude-haiku-4-5) scores 2 arms x 4 items = 8 answers: $0.016, batched $0.008.
    """
    path = workload(tmp_path / "w")
    interactive = run(path, tmp_path / "i.db")
    assert server.creates == []
    batched = run(path, tmp_path / "b.db", "--batch")
    plain, cheap = arms_of(interactive), arms_of(batched)
    assert plain["prompt"]["cost_per_1k"] == pytest.approx(0.27)
    assert cheap["prompt"]["cost_per_1k"] == pytest.approx(0.135)
    assert plain["fewshot"]["cost_per_1k"] == pytest.approx(2.0)
    assert cheap["fewshot"]["cost_per_1k"] == pytest.approx(1.0)
    assert json.loads(interactive.stdout)["judge"]["cost"] == pytest.approx(0.016)
    assert json.loads(batched.stdout)["judge"]["cost"] == pytest.approx(0.008)
    for arm in ("prompt", "fewshot"):
        assert cheap[arm]["errors"] == 0
        assert cheap[arm]["quality"] == plain[arm]["quality"]
    # one batch per arm (one provider-model each) and one for the judge
    assert len(server.creates) == 3
    with RunStore.open(tmp_path / "b.db") as store:
        [run_row] = store.list_runs()
        stages = sorted(b.stage for b in store.batches(run_row.id))
        assert stages == ["fewshot#0", "judge", "prompt#0"]
        info = store.get_arm(run_row.id, "prompt").params["info"]["batch"]
        assert (info["requests"], info["succeeded"], info["interactive"]) == (N, N, 0)
        assert info["latency"] == "batch turnaround (not a request latency)"
        # request latency comes from the interactive batch-1 sample, never the turnaround
        bases = {p.extra["latency_basis"] for p in store.predictions(run_row.id, "prompt")}
        assert bases == {"batch-1 timing", "median of the batch-1 sample (answered by a batch)"}


def test_polling_waits_grow_by_half_up_to_the_cap_without_sleeping(
    tmp_path: Path, server: ProviderServer
) -> None:
    """poll_s 30, max_poll_s 60: waits 30, 45, 60 (67.5 capped), while the batch is in
    progress for 3 polls and ends on the 4th."""
    server.polls_to_end = 3
    slow = "  api: {poll_s: 30, max_poll_s: 60}\n"
    path = workload(tmp_path / "w", arms="{prompt: {}}", judge="", backends=slow)
    waits: list[float] = []
    with RunStore.open(tmp_path / "s.db") as store:
        run_workload(
            load_workload(path), store,
            RunOptions(batch=True, use_cache=False, batch_sleep=waits.append,
                       work_root=tmp_path / "runs"),
        )  # fmt: skip
    assert waits == [30, 45, 60]


@pytest.mark.parametrize(
    ("rule", "errors", "creates"),
    [
        # none: the errored, the expired and the always-failing request are errors at once
        ("none", 3, 1),
        # interactive: the errored and expired one are asked again and answered; the
        # always-failing one fails interactively too
        ("interactive", 1, 1),
        # batch: one follow-up batch of the three; they fail the same way there
        ("batch", 3, 2),
    ],
)
def test_expired_and_errored_requests_follow_the_retry_rule_into_the_errors_column(
    tmp_path: Path, server: ProviderServer, rule: str, errors: int, creates: int
) -> None:
    questions = ("fine one", "ERRBATCH one", "EXPIRE one", "ALWAYSFAIL one")
    backends = f"  api: {{poll_s: 0.01, max_poll_s: 0.01, retry: {rule}}}\n"
    path = workload(
        tmp_path / "w", arms="{prompt: {}}", judge="", backends=backends, questions=questions
    )
    arm = arms_of(run(path, tmp_path / "s.db", "--batch"))["prompt"]
    assert arm["errors"] == errors
    assert len(server.creates) == creates
    with RunStore.open(tmp_path / "s.db") as store:
        [run_row] = store.list_runs()
        failed = {p.item_id: p.error for p in store.predictions(run_row.id, "prompt") if p.error}
    assert "t3" in failed  # ALWAYSFAIL never succeeds
    if rule != "interactive":
        assert f"(retry: {rule})" in failed["t2"]  # the expired one, saying why


def test_kill_9_mid_poll_then_resume_polls_the_same_batch(tmp_path: Path) -> None:
    """A real `ragtune run --batch` process killed with SIGKILL while the server holds its first
    batch in progress; `--resume` finds the batch id in the store and polls it: the server sees
    exactly one create per batch (the prompt arm's, the fewshot arm's, the judge's)."""
    path = workload(tmp_path / "w", backends="  api: {poll_s: 0.02, max_poll_s: 0.02}\n")
    store_path = tmp_path / "s.db"
    with provider_server(hold=True) as server:
        src = str(Path(ragtune.__file__).resolve().parents[1])
        child_env = {**os.environ, **env(server), "PYTHONPATH": src}
        child = subprocess.Popen(
            [sys.executable, "-m", "ragtune", "run", str(path), "--store", str(store_path),
             "--no-cache", "--batch", "--json"],
            env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while len(server.polls) < 2 and child.poll() is None:
                assert time.monotonic() < deadline, "the run never polled its batch"
                time.sleep(0.05)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        assert child.returncode == -signal.SIGKILL
        assert len(server.creates) == 1
        with RunStore.open(store_path) as store:
            [run_row] = store.list_runs()
            [held] = store.batches(run_row.id)
        assert held.batch_id == server.creates[0]  # stored before it was polled
        server.hold = False
        for key, value in env(server).items():
            os.environ[key] = value
        try:
            resumed = run(path, store_path, "--resume", run_row.id, "--batch")
        finally:
            for key in env(server):
                os.environ.pop(key, None)
    assert arms_of(resumed)["prompt"]["errors"] == 0
    assert len(server.creates) == 3
    with RunStore.open(store_path) as store:
        ids = [b.batch_id for b in store.batches(run_row.id)]
    assert sorted(ids) == sorted(server.creates)  # one create per batch, the first one reused


def test_dry_run_prints_batch_and_interactive_costs_and_sends_nothing(
    tmp_path: Path, server: ProviderServer
) -> None:
    """Each qa request asks for at most 32 tokens (the chat arms' qa `max_tokens`): 4 items x 32
    = 128 output tokens per arm. Input tokens are estimated (~4 characters a token) and priced
    as uncached input: the batch column is exactly half the interactive one for both models
    (gpt-4o-mini $0.075 / $0.30 vs $0.15 / $0.60, claude-haiku-4-5 $0.50 / $2.50 vs $1 / $5)."""
    path = workload(tmp_path / "w")
    result = run(path, tmp_path / "s.db", "--batch", "--dry-run")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    rows = {r["stage"]: r for r in out["rows"]}
    prompt = rows["prompt"]
    assert (prompt["requests"], prompt["output_tokens"], prompt["batched"]) == (N, 4 * 32, True)
    hand = (prompt["input_tokens"] * 0.15 + 128 * 0.60) / 1e6
    assert prompt["interactive_usd"] == pytest.approx(hand)
    for arm in ("prompt", "fewshot"):
        assert rows[arm]["batch_usd"] == pytest.approx(rows[arm]["interactive_usd"] / 2)
    assert rows["judge"]["requests"] == 2 * N
    assert out["batch_usd"] == pytest.approx(out["interactive_usd"] / 2)
    assert out["this_run_usd"] == out["batch_usd"]  # --batch: both arms go as batches
    assert server.creates == [] and server.interactive == []
    text = CliRunner().invoke(cli, ["run", str(path), "--batch", "--dry-run"])
    assert text.exit_code == 0, text.output
    assert "dry run: nothing was sent" in text.stdout
    assert "interactive" in text.stdout and "batch" in text.stdout


def test_dry_run_total_for_this_run_prices_unbatched_arms_at_list_price(
    tmp_path: Path, server: ProviderServer
) -> None:
    """`backends.api.batch` lists only gpt-4o-mini: the prompt arm goes as a batch, the fewshot
    arm (claude-haiku-4-5) interactively. The "this run" total is prompt at its batch price plus
    fewshot at its list price; by hand, fewshot interactive = (input x $1 + 4 x 32 x $5) / 1M.
    (The batch column's total halved both, as if fewshot were batched too.)"""
    backends = "  api: {batch: [openai:gpt-4o-mini], poll_s: 0.01, max_poll_s: 0.01}\n"
    path = workload(tmp_path / "w", backends=backends)
    result = run(path, tmp_path / "s.db", "--dry-run")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    rows = {r["stage"]: r for r in out["rows"]}
    prompt, fewshot = rows["prompt"], rows["fewshot"]
    assert (prompt["batched"], fewshot["batched"]) == (True, False)
    assert fewshot["interactive_usd"] == pytest.approx(
        (fewshot["input_tokens"] * 1.00 + 128 * 5.00) / 1e6
    )
    assert out["this_run_usd"] == pytest.approx(
        prompt["interactive_usd"] / 2 + fewshot["interactive_usd"]
    )
    assert out["batch_usd"] == pytest.approx(out["interactive_usd"] / 2)
    assert server.creates == [] and server.interactive == []
    text = CliRunner().invoke(cli, ["run", str(path), "--dry-run"])
    assert text.exit_code == 0, text.output
    total = next(line for line in text.stdout.splitlines() if "total" in line)
    assert f"${out['this_run_usd']:,.6f}" in total


def test_a_batched_call_is_priced_at_the_catalogs_batch_rate_or_refused() -> None:
    catalog = load_catalog()
    price = catalog.model("claude-haiku-4-5 (batch)")
    # 1,000 x $0.50 / 1M + 200 x $2.50 / 1M = $0.001
    assert price.usd(input_tokens=1000, output_tokens=200) == pytest.approx(0.001)
    with pytest.raises(RagtuneError, match=r"no batch price for model 'gpt-4\.1-nano'"):
        catalog.model("gpt-4.1-nano (batch)")


@pytest.mark.parametrize(
    ("backends", "flags", "message"),
    [
        ("  api: {batch: [local:smollm2-135m]}\n", (), "backends.api.batch: has no provider"),
        ("  api: {batch: [anthropic:claude-opus-4-5]}\n", (), "not a backend of the workload"),
        ("  api: {retry: sometimes}\n", (), "backends.api.retry"),
        ("  api: {poll_s: 60, max_poll_s: 5}\n", (), "backends.api.max_poll_s"),
        (FAST_POLL, ("--until-decided",), "--until-decided and batch APIs do not mix"),
        (FAST_POLL, ("--executor", "ray"), "batch runs answer in this process"),
    ],
)
def test_bad_batch_settings_exit_2_naming_the_field(
    tmp_path: Path, backends: str, flags: tuple[str, ...], message: str
) -> None:
    path = workload(tmp_path / "w", backends=backends)
    result = CliRunner().invoke(
        cli, ["run", str(path), "--store", str(tmp_path / "s.db"), "--batch", *flags]
    )
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_a_batched_arm_needs_a_latency_sample_exit_2(tmp_path: Path) -> None:
    """Its request latency is timed on items asked interactively; none timed would leave the
    batch's 0 s (or its turnaround) standing in for a request's latency."""
    path = workload(tmp_path / "w", backends="  api: {batch: true}\n", latency=0)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert "latency_sample: must be at least 1 when arms answer through a batch API" in (
        result.stderr
    )


def test_batch_on_a_workload_with_only_local_models_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "w"
    path = workload(folder, judge="{backend: 'local:smollm2-135m', batch: true}", backends="")
    text = path.read_text().replace("openai:gpt-4o-mini", "local:smollm2-135m")
    path.write_text(text.replace("anthropic:claude-haiku-4-5", "local:smollm2-135m"))
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert "backends.judge.batch: has no provider batch API" in result.stderr
    path.write_text(path.read_text().replace(", batch: true", ""))
    result = CliRunner().invoke(cli, ["run", str(path), "--batch", "--store", str(tmp_path / "s")])
    assert result.exit_code == 2, result.output
    assert "--batch: no arm calls an openai: or anthropic: backend" in result.stderr


def test_a_batch_cancelled_outside_ragtune_is_reported_and_its_requests_follow_the_rule(
    tmp_path: Path, server: ProviderServer
) -> None:
    """Cancelled before answering anything: with `retry: interactive` each request is asked
    again interactively, the run says so, and no item is lost."""
    server.cancel_next = True
    path = workload(tmp_path / "w", arms="{prompt: {}}", judge="")
    result = CliRunner().invoke(
        cli, ["run", str(path), "--store", str(tmp_path / "s.db"), "--no-cache", "--batch"]
    )
    assert result.exit_code == 0, result.output
    assert "batch_000001, 4 requests: cancelled, 4 cancelled" in result.stdout
    assert f"prompt: {N} requests ran interactively" in result.stdout
    with RunStore.open(tmp_path / "s.db") as store:
        [run_row] = store.list_runs()
        answered = store.predictions(run_row.id, "prompt")
    assert [p.error for p in answered] == [None] * N


def test_an_arm_on_a_backend_named_in_full_times_its_latency_sample_interactively(
    tmp_path: Path, server: ProviderServer
) -> None:
    """`backend: anthropic:claude-haiku-4-5` is built by name (resources.named), not as
    cheap/strong: its batch results must be bypassed for the latency sample too. With
    latency_sample 2 and two batched arms, 2 x 2 = 4 calls are interactive; served from the
    batch results instead, the named arm would send none (2 calls) and time ~0 s."""
    arms = "{prompt: {backend: strong}, fewshot: {backend: 'anthropic:claude-haiku-4-5', k: 1}}"
    path = workload(tmp_path / "w", arms=arms, judge="", latency=2)
    arms_of(run(path, tmp_path / "b.db", "--batch"))
    assert len(server.interactive) == 4
    with RunStore.open(tmp_path / "b.db") as store:
        [run_row] = store.list_runs()
        timed = [
            p
            for p in store.predictions(run_row.id, "fewshot")
            if p.extra["latency_basis"] == "batch-1 timing"
        ]
        assert len(timed) == 2


def test_a_batch_on_a_model_with_no_batch_rate_is_refused_before_anything_is_sent(
    tmp_path: Path, server: ProviderServer
) -> None:
    """The catalog lists gpt-4.1-nano and claude-sonnet-4-6 interactively only: their batch
    answers could not be priced once bought, so `--batch` (run or dry run) exits 2 naming the
    backend, the model and the fix, with no batch created and no call made. A dry run without
    `--batch` shows the unknown batch total as None, never $0."""
    path = workload(tmp_path / "w", judge="anthropic:claude-sonnet-4-6")
    path.write_text(path.read_text().replace("openai:gpt-4o-mini", "openai:gpt-4.1-nano"))
    for flags in (("--batch", "--dry-run"), ("--batch",)):
        result = run(path, tmp_path / "s.db", *flags)
        assert result.exit_code == 2, result.output
        assert "--batch: openai:gpt-4.1-nano: the price catalog has no batch rate for model " in (
            result.stderr
        )
        assert "add a `batch:` entry for 'gpt-4.1-nano'" in result.stderr
        assert "backends.judge.batch: anthropic:claude-sonnet-4-6" in result.stderr
        assert "set backends.judge.batch: false" in result.stderr
        assert "pricing.endpoints" not in result.stderr
    assert server.creates == [] and server.interactive == []
    plain = run(path, tmp_path / "s.db", "--dry-run")
    assert plain.exit_code == 0, plain.output
    out = json.loads(plain.stdout)
    assert out["batch_usd"] is None and out["interactive_usd"] > 0


def test_cached_tokens_in_an_openai_batch_cost_half_their_interactive_rate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gpt-5-mini: $0.25 in, $0.025 cached (0.1x), $2 out interactive; batch $0.125 / $1 and no
    batch cached rate listed, so a reported cached token is priced ASSUMING the discounts
    stack: $0.125 x 0.1 = $0.0125. A call of 5,000 prompt tokens, 4,000 of them cached, 5 out:
      interactive: 1,000 x 0.25 + 4,000 x 0.025  + 5 x 2 = 250 + 100 + 10 = 360 -> $0.36 / 1k
      batch:       1,000 x 0.125 + 4,000 x 0.0125 + 5 x 1 = 125 + 50 + 5  = 180 -> $0.18 / 1k
    (priced as plain batch input: 5,000 x 0.125 + 5 = 630 -> $0.63, dearer than interactive)."""
    path = workload(tmp_path / "w", arms="{prompt: {}}", judge="")
    path.write_text(path.read_text().replace("openai:gpt-4o-mini", "openai:gpt-5-mini"))
    with provider_server(usage=(5000, 5), cached=4000) as state:
        for key, value in env(state).items():
            monkeypatch.setenv(key, value)
        plain = arms_of(run(path, tmp_path / "i.db"))["prompt"]
        batched = arms_of(run(path, tmp_path / "b.db", "--batch"))["prompt"]
    assert plain["cost_per_1k"] == pytest.approx(0.36)
    assert batched["cost_per_1k"] == pytest.approx(0.18)


def test_an_openai_batch_that_fails_is_reported_with_the_providers_reason(
    tmp_path: Path, server: ProviderServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A batch the provider fails as a whole (here: its enqueued-token limit) is warned about
    with OpenAI's own reason before its 4 requests are asked again interactively."""
    server.fail_next = "Enqueued token limit reached for gpt-4o-mini"
    path = workload(tmp_path / "w", arms="{prompt: {}}", judge="")
    with caplog.at_level("WARNING", logger="ragtune.running.batch"):
        arms = arms_of(run(path, tmp_path / "s.db", "--batch"))
    warned = [r.getMessage() for r in caplog.records if "ended failed" in r.getMessage()]
    assert len(warned) == 1
    assert "batch_000001 (prompt#0) ended failed at the provider" in warned[0]
    assert "Enqueued token limit reached for gpt-4o-mini" in warned[0]
    assert "retry: interactive" in warned[0]
    # 4 requests asked again + 1 latency-sample call, all interactive
    assert arms["prompt"]["errors"] == 0 and len(server.interactive) == N + 1


class _Stop(BaseException):
    """Ends a run mid-poll, as a kill would, without a subprocess."""


def _stop(_: float) -> None:
    raise _Stop


@pytest.mark.parametrize(
    ("arms", "provider"),
    [("{prompt: {}}", "openai"), ("{fewshot: {backend: strong, k: 1}}", "anthropic")],
)
def test_resuming_a_batch_the_provider_no_longer_holds_exits_2_naming_it(
    tmp_path: Path, server: ProviderServer, arms: str, provider: str
) -> None:
    """Stopped mid-poll, then the provider forgets the batch (404 on retrieve): `--resume`
    exits 2 naming the batch, its stage and the way on, with no traceback."""
    server.hold = True
    path = workload(tmp_path / "w", arms=arms, judge="")
    options = RunOptions(batch=True, use_cache=False, work_root=tmp_path / "runs")
    with RunStore.open(tmp_path / "s.db") as store, pytest.raises(_Stop):
        run_workload(load_workload(path), store, replace(options, batch_sleep=_stop))
    [batch_id] = server.creates
    server.batches.clear()
    with RunStore.open(tmp_path / "s.db") as store:
        [run_row] = store.list_runs()
    result = run(path, tmp_path / "s.db", "--resume", run_row.id, "--batch")
    assert result.exit_code == 2, result.output
    stage = arms.split(":")[0].strip("{ ") + "#0"
    assert f"batch {batch_id} ({stage}, round 0, submitted " in result.stderr
    assert f"no longer held by {provider}: it answered 404 Not Found" in result.stderr
    assert "start a new run (drop --resume)" in result.stderr
    assert "Traceback" not in result.output


def test_a_create_whose_reply_is_lost_is_not_resent_and_resume_finds_it_by_label(
    tmp_path: Path, server: ProviderServer
) -> None:
    """The server makes the OpenAI batch, then answers the create 500. The SDK must not re-send
    it (a retry would buy the 4 requests twice): the run exits 2 saying the batch may exist,
    and `--resume` finds it by its `ragtune` metadata label (`batches.list`) and polls it:
    one create in all. (Anthropic's Message Batches have no metadata: not findable.)"""
    server.lose_create = True
    path = workload(tmp_path / "w", arms="{prompt: {}}", judge="")
    first = run(path, tmp_path / "s.db", "--batch")
    assert first.exit_code == 2, first.output
    assert "creating the openai batch for prompt#0 (4 requests) failed" in first.stderr
    assert "may have created it all the same" in first.stderr
    assert server.creates == ["batch_000001"]
    assert server.lists == 0  # a fresh run's labels are new: nothing to look up
    with RunStore.open(tmp_path / "s.db") as store:
        [run_row] = store.list_runs()
        assert store.batches(run_row.id) == []
    resumed = run(path, tmp_path / "s.db", "--resume", run_row.id, "--batch")
    assert arms_of(resumed)["prompt"]["errors"] == 0
    assert server.creates == ["batch_000001"] and server.lists == 1
    with RunStore.open(tmp_path / "s.db") as store:
        assert [b.batch_id for b in store.batches(run_row.id)] == ["batch_000001"]
