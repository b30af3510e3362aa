"""`ragtune runs export`: one row per item x arm x repeat, the numbers `runs show` summarises.

The run is a real one: `ragtune run` on a workload of recorded-answer arms (no model to load),
with two repeats, a failed call and an unpriced arm.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner

from ragtune.cli.main import cli
from ragtune.evidence.export import (
    COLUMNS,
    SCHEMA_VERSION,
    Format,
    schema_markdown,
    write_export,
)
from ragtune.store.runstore import RunStore

REPO = Path(__file__).resolve().parents[2]
N = 30


def answers(right: int, tokens: int | None, *, fail: int | None = None) -> list[dict[str, Any]]:
    rows = []
    for i in range(N):
        row: dict[str, Any] = {"id": f"q{i}", "answer": "yes" if i < right else "no",
                               "latency_s": 0.1 * (i % 7)}  # fmt: skip
        if tokens is not None:
            row |= {"input_tokens": tokens + i, "output_tokens": 2, "model": "gpt-4o-mini"}
        if i == fail:
            row["error"] = "timeout"
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("export")
    (root / "test.jsonl").write_text(
        "".join(json.dumps({"id": f"q{i}", "input": f"question {i}", "target": "yes"}) + "\n"
                for i in range(N))
    )  # fmt: skip
    arms = {"big": answers(27, 900, fail=3), "small": answers(24, 200), "prod": answers(25, None)}
    for name, rows in arms.items():
        (root / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    spec = {"task": "classify", "labels": ["yes", "no"], "data": {"test": "test.jsonl"},
            "arms": {n: {"answers": f"{n}.jsonl"} for n in arms}}  # fmt: skip
    (root / "w.yaml").write_text(yaml.safe_dump(spec))
    store = root / "runs.db"
    done = CliRunner().invoke(
        cli, ["run", str(root / "w.yaml"), "--repeats", "2", "--store", str(store)]
    )
    assert done.exit_code == 0, done.output
    return store, RunStore.open(store).list_runs()[0].id


def export(run: tuple[Path, str], fmt: str, out: Path) -> Path:
    store, run_id = run
    done = CliRunner().invoke(
        cli, ["runs", "export", run_id, "--format", fmt, "--out", str(out), "--store", str(store)]
    )
    assert done.exit_code == 0, done.output
    assert "90 rows" not in done.output and f"wrote {out}: 180 rows" in done.output
    return out


def test_parquet_has_a_row_per_item_arm_and_repeat_and_the_means_of_runs_show(
    run: tuple[Path, str], tmp_path: Path
) -> None:
    path = export(run, "parquet", tmp_path / "run.parquet")
    frame = pd.read_parquet(path)
    assert len(frame) == N * 3 * 2
    assert frame.groupby(["arm", "repeat"]).size().to_dict() == {
        (arm, r): N for arm in ("big", "prod", "small") for r in (0, 1)
    }
    assert not frame.duplicated(["arm", "item_id", "repeat"]).any()
    assert list(frame.columns[: len(COLUMNS)]) == [c.name for c in COLUMNS]
    assert {"metric_accuracy", "metric_invalid_label_rate"} <= set(frame.columns)
    meta = pq.read_schema(path).metadata
    assert meta[b"ragtune.export.schema_version"] == str(SCHEMA_VERSION).encode()

    store, run_id = run
    shown = json.loads(
        CliRunner().invoke(cli, ["runs", "show", run_id, "--json", "--store", str(store)]).output
    )
    first = frame[frame["repeat"] == 0].groupby("arm")
    for arm in shown["arms"]:
        mine = first.get_group(arm["arm"])
        assert mine["score"].mean() == pytest.approx(arm["quality"]["estimate"])
        assert mine["latency_s"].median() == pytest.approx(arm["latency_p50"])
        for kind in ("input", "cache_write", "cache_read", "output"):
            assert mine[f"{kind}_tokens"].mean() == pytest.approx(arm["tokens"][kind])
        if arm["cost_per_1k"] is None:
            assert not mine["priced"].any()
        else:  # API arms: $/1k is the mean API dollars per query x 1000
            assert mine["api_usd"].mean() * 1000 == pytest.approx(arm["cost_per_1k"])
    # big: 27 right of 30, but q3 failed (timeout): 26 right, the failure scores 0
    big = first.get_group("big").set_index("item_id")
    assert big["score"].sum() == 26 and big.loc["q3", "error"] == "timeout"
    assert pd.isna(big.loc["q3", "answer"]) and big.loc["q3", "score"] == 0
    # its tokens: q5 had 905 input tokens at $0.15/M and 2 output at $0.60/M
    assert big.loc["q5", "input_tokens"] == 905
    assert big.loc["q5", "api_usd"] == pytest.approx(905 * 0.15e-6 + 2 * 0.6e-6)
    assert big.loc["q5", "gold"] == "yes" and big.loc["q5", "input"] == "question 5"
    # repeat 1 replays the same recorded answers: the same scores
    second = frame[(frame["arm"] == "big") & (frame["repeat"] == 1)].set_index("item_id")
    assert (second["score"] == big["score"]).all()


def test_jsonl_and_csv_carry_the_same_rows(run: tuple[Path, str], tmp_path: Path) -> None:
    rows = [
        json.loads(x) for x in export(run, "jsonl", tmp_path / "r.jsonl").read_text().splitlines()
    ]
    frame = pd.read_csv(export(run, "csv", tmp_path / "r.csv"))
    assert len(rows) == len(frame) == 180
    assert rows[0]["schema_version"] == SCHEMA_VERSION
    assert rows[0]["arm"] == frame.iloc[0]["arm"] and rows[0]["item_id"] == frame.iloc[0]["item_id"]
    assert sum(r["score"] for r in rows) == pytest.approx(frame["score"].sum())


def test_the_docs_show_the_current_schema() -> None:
    # docs/import-export.md holds the table this writes; regenerate it when a column changes
    # (and bump SCHEMA_VERSION when a name, type or meaning does).
    assert schema_markdown() in (REPO / "docs" / "import-export.md").read_text()


TRICKY = 'He said "yes, sir",\nthen left;\r\na tab\there, a comma, and ünïcode'


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A run whose answers hold commas, quotes and newlines, and an arm whose every call failed."""
    root = tmp_path_factory.mktemp("awkward")
    items = [{"id": f"q{i}", "input": f'say {i}, "please"\nnow', "target": "yes"} for i in range(4)]
    (root / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in items))
    good = [{"id": f"q{i}", "answer": TRICKY if i == 0 else "yes", "input_tokens": 10,
             "output_tokens": 1, "model": "gpt-4o-mini"} for i in range(4)]  # fmt: skip
    down = [{"id": f"q{i}", "answer": "", "error": "503, \"overloaded\"\nretry", "latency_s": 2.0,
             "input_tokens": 10, "output_tokens": 0, "model": "gpt-4o-mini"}
            for i in range(4)]  # fmt: skip
    for name, rows in {"good": good, "down": down}.items():
        (root / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    spec = {"task": "qa", "data": {"test": "test.jsonl"},
            "arms": {n: {"answers": f"{n}.jsonl"} for n in ("good", "down")}}  # fmt: skip
    (root / "w.yaml").write_text(yaml.safe_dump(spec))
    store = root / "runs.db"
    done = CliRunner().invoke(cli, ["run", str(root / "w.yaml"), "--store", str(store)])
    assert done.exit_code == 0, done.output
    return store, RunStore.open(store).list_runs()[0].id


def test_csv_round_trips_commas_quotes_and_newlines_and_a_failed_arm(
    awkward: tuple[Path, str], tmp_path: Path
) -> None:
    store, run_id = awkward
    rows = {}
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"r.{fmt}"
        done = CliRunner().invoke(cli, ["runs", "export", run_id, "--format", fmt,
                                        "--out", str(out), "--store", str(store)])  # fmt: skip
        assert done.exit_code == 0, done.output
        rows[fmt] = (
            pd.read_csv(out, keep_default_na=False)
            if fmt == "csv"
            else pd.read_json(out, lines=True)
            if fmt == "jsonl"
            else pd.read_parquet(out)
        ).set_index(["arm", "item_id"])
    for frame in rows.values():
        assert len(frame) == 8
        assert frame.loc[("good", "q0"), "text"] == TRICKY
        assert frame.loc[("good", "q2"), "input"] == 'say 2, "please"\nnow'
        # every call of `down` failed: each scores 0 with its error, and its cost still counts
        down = frame.loc["down"]
        assert (down["error"] == '503, "overloaded"\nretry').all()
        assert (down["score"] == 0).all() and (down["latency_s"] == 2.0).all()
        assert down["api_usd"].sum() == pytest.approx(4 * 10 * 0.15e-6)
    assert rows["csv"]["score"].equals(rows["parquet"]["score"])


def test_a_failure_half_way_leaves_out_as_it_was(tmp_path: Path) -> None:
    def rows() -> Iterator[dict[str, Any]]:
        yield {"schema_version": SCHEMA_VERSION, "arm": "a"}
        raise OSError("disk full")

    formats: tuple[Format, ...] = ("jsonl", "csv", "parquet")
    for fmt in formats:
        out = tmp_path / f"old.{fmt}"
        out.write_text("yesterday's export")
        with pytest.raises(OSError, match="disk full"):
            write_export(rows(), COLUMNS, out, fmt)  # type: ignore[arg-type]
        assert out.read_text() == "yesterday's export"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"old.{f}" for f in sorted(formats)]
