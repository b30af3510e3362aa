"""Progress as plain lines when stderr is not a terminal: what a log file of a long run shows."""

from __future__ import annotations

import pytest

from ragtune import progress


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [100.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: now[0])
    progress.set_quiet(False)
    return now


def test_lines_every_interval_with_rate_and_eta(
    clock: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    with progress.bar(desc="prompt", total=100, unit="item") as advance:
        clock[0] += 2
        advance(10)  # 2 s after the first line: under the 5 s interval, no line
        clock[0] += 8
        advance(15)  # 10 s in, 25 done: 2.5 items/s, 75 left -> ETA 30 s
        clock[0] += 30
        advance(75)
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "prompt: 0/100 items (0%), ETA -",
        "prompt: 25/100 items (25%), 2.5 item/s, ETA 30s",
        # 100 items in 40 s: 2.5 items/s; the last advance leaves the line to the end
        "prompt: 100/100 items (100%), 2.5 item/s, done in 40s",
    ]


def test_slow_steps_show_seconds_per_step(
    clock: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    with progress.bar(desc="tuning", total=3, unit="step") as advance:
        clock[0] += 40
        advance(1)  # 40 s a step: 0.025 steps/s reads as 40 s/step; 2 left -> ETA 1m20s
    assert (
        capsys.readouterr().err.splitlines()[1] == "tuning: 1/3 steps (33%), 40 s/step, ETA 1m20s"
    )


def test_minor_loops_stay_silent_unless_long(
    clock: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    with progress.bar(desc="embedding", total=16, unit="chunk", minor=True) as advance:
        clock[0] += 1
        advance(16)
    assert capsys.readouterr().err == ""
    with progress.bar(desc="embedding", total=900, unit="chunk", minor=True) as advance:
        clock[0] += 6
        advance(300)  # 6 s in: 50 chunks/s, 600 left -> ETA 12 s
    assert capsys.readouterr().err.splitlines() == [
        "embedding: 300/900 chunks (33%), 50.0 chunk/s, ETA 12s",
        "embedding: 300/900 chunks (33%), 50.0 chunk/s, done in 6s",
    ]


def test_phase_and_quiet(clock: list[float], capsys: pytest.CaptureFixture[str]) -> None:
    with progress.phase("indexing the knowledge base (3 documents)"):
        clock[0] += 125
    assert capsys.readouterr().err.splitlines() == [
        "indexing the knowledge base (3 documents) ...",
        "indexing the knowledge base (3 documents): done in 2m05s",
    ]
    progress.set_quiet(True)
    try:
        with progress.phase("x"), progress.bar(desc="y", total=1) as advance:
            advance(1)
    finally:
        progress.set_quiet(False)
    assert capsys.readouterr().err == ""
