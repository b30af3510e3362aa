"""The LLM judge in a report: each arm's judged quality and the judge's own cost, apart."""

from __future__ import annotations

from typing import Any

from ragtune.report import render_html, render_markdown


def with_judge(doc: dict[str, Any]) -> dict[str, Any]:
    arm = doc["arms"][0]
    arm["judge_metric"] = "judge_correct"
    arm["judge_quality"] = {"estimate": 0.75, "low": 0.5, "high": 0.9, "n": 20, "method": "wilson"}
    doc["judge"] = {
        "backend": "anthropic:claude-haiku-4-5",
        "model": "claude-haiku-4-5",
        "rubric": "correctness",
        "calls": 40,
        "judgements": 40,
        "tokens": {"input": 12000, "cache_write": 0, "cache_read": 0, "output": 40},
        "seconds": 0.0,
        "cost": 0.0122,
        "priced": "api list price",
        "comparisons": [],
        "pairwise": [],
    }
    return doc


def test_judge_quality_and_cost_are_shown_apart_from_the_arms(document):
    doc = with_judge(document)
    arm = doc["arms"][0]["arm"]
    for text in (render_markdown(doc), render_html(doc)):
        assert "LLM judge" in text
        assert "judge_correct 0.75 [0.50, 0.90], n=" in text
        assert "40 judgements in 40 calls" in text and "not in any arm" in text
    assert arm  # the arm's row is unchanged: judged quality is a separate line


def test_no_judge_no_section(document):
    document.pop("judge", None)
    assert "LLM judge" not in render_markdown(document)
