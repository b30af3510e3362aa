"""Answer scoring used by the acceptance check (exact match and first-mentioned label)."""

from __future__ import annotations

from ragtune.finetune.data import conversation
from ragtune.finetune.evaluate import exact_match, first_label, label_match

LABELS = ["billing", "shipping", "returns"]


def test_exact_match_ignores_case_and_final_punctuation() -> None:
    ex = [conversation("a", "billing"), conversation("b", "returns")]
    assert exact_match(["Billing.", "the intent is returns"], ex).correct == 1


def test_first_mentioned_label_counts_for_lenient_accuracy() -> None:
    assert first_label("The intent is Shipping, not billing.", LABELS) == "shipping"
    assert first_label("no idea", LABELS) is None
    assert first_label("reshipping", LABELS) is None  # whole words only
    ex = [conversation("a", "shipping"), conversation("b", "billing")]
    acc = label_match(["Intent: shipping", "returns or billing"], ex, LABELS)
    assert (acc.correct, acc.total, acc.value) == (1, 2, 0.5)
