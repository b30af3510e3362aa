"""`ragtune review`: draws or reuses the sample, prints the page address, refuses bad input."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import ragtune.cli  # noqa: F401  (registers every command)
from ragtune.cli.main import cli
from ragtune.store.runstore import RunStore


def review(store: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["review", *args, "--no-serve", "--store", str(store)])
    return result.exit_code, result.stdout, result.stderr


def test_review_prints_the_address_and_reuses_the_sample(review_run: tuple[Path, str]) -> None:
    path, run_id = review_run
    code, out, err = review(path, run_id, "--sample", "5", "--reviewer", "Ana B")
    assert code == 0, err
    assert out == f"http://127.0.0.1:8765/review/{run_id}/1?reviewer=Ana%20B\n"
    # the run is judged: the sample is uniformly random (what the judge + people estimate needs)
    assert "review 1 of run" in err and "(new): 5 items, uniformly random" in err
    code, out, err = review(path, run_id[:8], "--sample", "5")
    assert out == f"http://127.0.0.1:8765/review/{run_id}/1\n" and "(reused)" in err
    code, out, _ = review(path, run_id, "--mode", "pairwise", "--arms", "omega_tuned,zeta_rag")
    assert code == 0 and out.endswith(f"/review/{run_id}/2\n")
    with RunStore.open(path) as store:
        first, second = store.reviews(run_id)
    assert len(first.items) == 5 and first.arms == ("omega_tuned", "zeta_rag")
    assert (second.mode, second.arms, len(second.items)) == (
        "pairwise", ("omega_tuned", "zeta_rag"), 12,
    )  # fmt: skip
    assert (first.sampling, second.sampling) == ("uniform", "uniform")
    code, _, err = review(path, run_id, "--sample", "6", "--stratified")
    assert code == 0 and "(new): 6 items, stratified by document" in err
    with RunStore.open(path) as store:
        assert store.reviews(run_id)[-1].sampling == "stratified"


def test_bad_input_exits_2_with_what_is_allowed(review_run: tuple[Path, str]) -> None:
    path, run_id = review_run
    code, _, err = review(path, run_id, "--arms", "zeta_rag,ragg", "--mode", "pairwise")
    assert code == 2
    assert "arm 'ragg' is not a finished arm" in err
    assert "finished arms: omega_tuned, zeta_rag" in err
    code, _, err = review(path, run_id, "--sample", "0")
    assert code == 2 and "Invalid value for '--sample'" in err
    code, _, err = review(path, "nope")
    assert code == 2 and "no run 'nope'" in err
    code, _, err = review(path.with_name("missing.db"), run_id)
    assert code == 2 and "no run store at" in err
    with RunStore.open(path) as store:
        assert store.reviews(run_id) == []  # nothing was stored
