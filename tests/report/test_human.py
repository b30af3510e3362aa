"""The human-review section: Markdown and HTML print the numbers the JSON document holds."""

from __future__ import annotations

from typing import Any

from ragtune.report import render_html, render_json, render_markdown

HOSTILE = '<script>alert("x")</script>&|rag'


def with_human(doc: dict[str, Any]) -> dict[str, Any]:
    doc["human"] = {
        "reviewers": ["ana", "ben"],
        "ratings": 40,
        "scale": ["correct", "partly", "wrong"],
        "scores": [
            {
                "arm": HOSTILE,
                "quality": {
                    "estimate": 0.8,
                    "low": 0.5839,
                    "high": 0.9193,
                    "method": "wilson",
                    "n": 20,
                    "confidence": 0.95,
                },
                "reviewers": 2,
                "ratings": 40,
            },
        ],
        "comparisons": [],
        "pairwise": [
            {
                "arm_a": "prompt",
                "arm_b": HOSTILE,
                "n": 10,
                "wins_a": 3,
                "wins_b": 5,
                "ties": 2,
                "reviewers": 1,
                "win_rate_a": 0.4,
            },
        ],
        "agreement": {
            "reviewers": ["ana", "ben"],
            "n": 20,
            "method": "cohen",
            "kappa": 0.7,
            "kappa_low": 0.41,
            "kappa_high": 0.99,
            "accuracy": 0.85,
            "note": None,
        },
        "calibration": {
            "judge_metric": "judge_correct",
            "n": 20,
            "accuracy": 0.75,
            "kappa": 0.4615,
            "kappa_low": 0.1,
            "kappa_high": 0.8231,
            "confidence": 0.95,
            "threshold": 0.6,
            "below": True,
            "categories": ["correct", "partly", "wrong"],
            "table": [[9, 1, 2], [0, 0, 0], [2, 0, 6]],
            "note": None,
        },
    }
    return doc


def test_markdown_html_and_json_carry_the_same_numbers(document: dict[str, Any]) -> None:
    doc = with_human(document)
    md, html, js = render_markdown(doc), render_html(doc), render_json(doc)
    assert '"kappa": 0.4615' in js and '"table": [' in js
    for text in (md, html):
        assert "Human review" in text and "LLM judge against people" in text
        # score 0.8 [0.584, 0.919], n 20; kappa 0.46 [0.10, 0.82]; agreement 75.0%
        assert "0.800 [0.584, 0.919]" in text
        assert "agreement 75.0%, Cohen&#x27;s kappa 0.46 [0.10, 0.82]" in text.replace(
            "Cohen's", "Cohen&#x27;s"
        )
        assert "below the threshold 0.60" in text
        assert "Cohen&#x27;s kappa 0.70 [0.41, 0.99]" in text.replace("Cohen's", "Cohen&#x27;s")
        assert "raw agreement 85.0%" in text
        assert "40.0%" in text  # head-to-head win rate of prompt
        assert "<script>alert" not in text  # the hostile arm name is escaped
    assert "| correct | 9 | 1 | 2 |" in md and "| wrong | 2 | 0 | 6 |" in md
    assert '<td>correct</td><td class="n">9</td>' in html


def test_no_ratings_no_section(document: dict[str, Any]) -> None:
    document["human"] = None
    assert "Human review" not in render_markdown(document)
    assert "Human review" not in render_html(document)
