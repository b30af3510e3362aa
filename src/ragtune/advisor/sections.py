"""The report document's smaller sections, each read straight from the run summary: training
runs with their loss curves, router calibration curves, the judge's cost and verdicts, and the
arms with failed items. Kept apart from `document.py`, which assembles the whole document."""

from __future__ import annotations

import dataclasses
from typing import Any

from ragtune.evidence import ArmSummary, RunData, RunSummary


def training_section(run: RunData, summary: RunSummary) -> list[dict[str, Any]]:
    out = []
    for job, record in zip(summary.training, run.training, strict=False):
        curves = {
            "train": [[p.step, p.loss] for p in record.train_curve],
            "validation": [[p.step, p.loss] for p in record.validation_curve],
        }
        out.append({**dataclasses.asdict(job), "curves": curves})
    return out


def router_section(arms: tuple[ArmSummary, ...]) -> list[dict[str, Any]]:
    out = []
    for a in arms:
        info = dict(a.info or {})
        if a.status != "done" or "curve" not in info:
            continue
        points = [
            {"threshold": t, "escalation": e, "quality": q} for t, e, q in info.get("curve") or []
        ]
        out.append(
            {
                "arm": a.arm,
                "threshold": info.get("threshold"),
                "escalation_rate": info.get("escalation_rate"),
                "points": points,
            }
        )
    return out


def judge_section(summary: RunSummary) -> dict[str, Any] | None:
    """The LLM judge's cost (priced apart from the arms) and its pairwise verdicts, if any."""
    if summary.judge is None:
        return None
    return {
        **dataclasses.asdict(summary.judge),
        "comparisons": [
            {**dataclasses.asdict(c), "significant": c.significant()}
            for c in summary.judge_comparisons
        ],
        "pairwise": [dataclasses.asdict(p) for p in summary.judge_pairwise],
    }


def error_section(summary: RunSummary) -> list[dict[str, Any]]:
    """Arms with failed items: how many, what share, whether the verdict may pick them."""
    return [
        {"arm": a.arm, "errors": a.errors, "n": a.n, "share": a.error_share, "eligible": a.eligible}
        for a in summary.arms
        if a.errors
    ]
