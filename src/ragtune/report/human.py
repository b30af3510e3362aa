"""The human-review section of a report: people's scores, their agreement, the judge checked.

`human_blocks(doc, esc)` turns `ReportDocument.human` into titled blocks of text lines and one
table each; the Markdown and HTML renderers lay the same blocks out, so both (and the JSON, which
is the document itself) carry the same numbers, formatted once here with `fmt`.

Deliberately not here: computing the numbers (`evidence/human_scores.py`, `advisor/human_facts.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ragtune.report import fmt as f
from ragtune.report.judge_human import HEAD as JUDGE_HUMAN_HEAD
from ragtune.report.judge_human import judge_human_rows
from ragtune.report.model import CalibrationDoc, RaterAgreementDoc, ReportDocument
from ragtune.report.rows import COMPARISON_HEAD, Escape, comparison_row


@dataclass(frozen=True)
class Block:
    """A subsection: a title, plain lines (escaped by the renderer), a table (cells escaped)."""

    ident: str
    title: str
    lines: list[str] = field(default_factory=list)
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def human_blocks(doc: ReportDocument, esc: Escape) -> list[Block]:
    human = doc.human
    if human is None:
        return []
    who = ", ".join(human.reviewers)
    blocks = [
        Block(
            "human-scores",
            "Human scores",
            [
                f"{human.ratings} ratings by {len(human.reviewers)} reviewer(s) ({who}) of a "
                f"blind, randomised sample; scale {' / '.join(human.scale)} scored 0-1 like the "
                "judge; an item's score is the mean over its reviewers"
            ],
            ["arm", "human score [95% CI]", "n", "reviewers", "ratings"],
            [
                [
                    esc(s.arm),
                    f.interval(s.quality),
                    f.count(s.quality.n if s.quality else None),
                    f.count(s.reviewers),
                    f.count(s.ratings),
                ]
                for s in human.scores
            ],
        )
    ]
    if human.judge_human:
        blocks.append(
            Block(
                "judge-human",
                "Judge + people: three estimates of each arm's human score",
                [
                    "judge only: the judge's mean over every judged answer (biased if the judge "
                    "is); human only: people's mean over the rated answers; PPI "
                    "(prediction-powered inference, PPI++): the judge on the unrated answers "
                    "corrected by its average error on the rated ones, valid without trusting "
                    "the judge when the rated answers are a uniformly random subset; 95% "
                    "intervals; to halve: more uniformly drawn ratings that would halve the PPI "
                    "interval",
                    *([human.ppi_ratings] if human.ppi_ratings else []),
                ],
                JUDGE_HUMAN_HEAD,
                [[esc(c) for c in row] for row in judge_human_rows(human.judge_human)],
            )
        )
    if human.comparisons:
        blocks.append(
            Block(
                "human-comparisons",
                "Paired comparisons on the rated items",
                [],
                COMPARISON_HEAD,
                [comparison_row(c, esc) for c in human.comparisons],
            )
        )
    if human.pairwise:
        blocks.append(
            Block(
                "human-pairwise",
                "Head to head",
                [],
                ["arm A", "arm B", "n", "A better", "B better", "tie", "A win rate", "reviewers"],
                [
                    [
                        esc(p.arm_a),
                        esc(p.arm_b),
                        f.count(p.n),
                        f.count(p.wins_a),
                        f.count(p.wins_b),
                        f.count(p.ties),
                        f.pct(p.win_rate_a),
                        f.count(p.reviewers),
                    ]
                    for p in human.pairwise
                ],
            )
        )
    if human.agreement is not None:
        blocks.append(Block("human-agreement", "Agreement between reviewers",
                            [agreement_line(human.agreement)]))  # fmt: skip
    if human.calibration is not None:
        c = human.calibration
        blocks.append(
            Block(
                "judge-calibration",
                "LLM judge against people",
                calibration_lines(c),
                ["judge \\ people", *c.categories],
                [
                    [esc(cat), *(f.count(v) for v in row)]
                    for cat, row in zip(c.categories, c.table, strict=True)
                ],
            )
        )
    return blocks


def _kappa(kappa: float | None, low: float | None, high: float | None) -> str:
    if kappa is None:
        return "undefined"
    if low is None or high is None:
        return f.num(kappa, 2)
    return f"{f.num(kappa, 2)} [{f.num(low, 2)}, {f.num(high, 2)}]"


def agreement_line(a: RaterAgreementDoc) -> str:
    name = "Cohen's kappa" if a.method == "cohen" else "Fleiss' kappa"
    raw = f"; raw agreement {f.pct(a.accuracy)}" if a.accuracy is not None else ""
    note = f" ({a.note})" if a.note else ""
    return (
        f"{name} {_kappa(a.kappa, a.kappa_low, a.kappa_high)}{note} on {a.n} answers every "
        f"reviewer rated ({', '.join(a.reviewers)}){raw}"
    )


def calibration_lines(c: CalibrationDoc) -> list[str]:
    note = f" ({c.note})" if c.note else ""
    verdict = (
        f"below the threshold {f.num(c.threshold, 2)}: the verdict does not trust the judge"
        if c.below
        else f"at or above the threshold {f.num(c.threshold, 2)}"
    )
    kappa = f"Cohen's kappa {_kappa(c.kappa, c.kappa_low, c.kappa_high)}"
    if c.weighted_kappa is not None:
        kappa = f"quadratic-weighted kappa {f.num(c.weighted_kappa, 2)} (unweighted {kappa})"
    if c.kappa is None:
        verdict = "kappa is undefined, so only the raw agreement speaks"
    rule = f" Labels: {c.label_rule}." if c.label_rule else ""
    return [
        f"{c.judge_metric} against people on {c.n} answers both rated: agreement "
        f"{f.pct(c.accuracy)}, {kappa}{note}; {verdict}",
        f"Rows: the judge's verdict; columns: the people's label.{rule}",
    ]
