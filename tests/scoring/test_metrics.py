"""Task metrics against worked examples and reference implementations (scikit-learn, a DP LCS)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ragtune.errors import RagtuneError
from ragtune.scoring import metrics as m

# --- qa --------------------------------------------------------------------------------------


def test_normalize_answer_follows_squad() -> None:
    assert m.normalize_answer("  The Eiffel-Tower, in PARIS!  ") == "eiffeltower in paris"
    assert m.normalize_answer("an apple a day") == "apple day"
    assert m.normalize_answer("“Quoted” answer…") == "quoted answer"  # Unicode punctuation too


def test_exact_match_uses_normalisation_and_any_gold() -> None:
    assert m.exact_match("The Eiffel Tower!", "eiffel tower") == 1.0
    assert m.exact_match("Eiffel", "eiffel tower") == 0.0
    assert m.exact_match("Paris", ["Lyon", "paris."]) == 1.0
    assert m.exact_match(None, "x") == 0.0


def test_token_f1_worked_example() -> None:
    # pred -> "cat sat on mat" (4 tokens), gold -> "cat on mat" (3): P = 3/4, R = 1, F1 = 6/7
    assert m.token_f1("the cat sat on the mat", "a cat on a mat") == pytest.approx(6 / 7)
    assert m.token_f1("dog", "cat") == 0.0
    assert m.token_f1("", "") == 1.0  # both empty after normalisation, as SQuAD scores it
    assert m.token_f1("the", "cat") == 0.0
    assert m.token_f1("blue", ["red", "blue sky"]) == pytest.approx(2 / 3)


def test_token_f1_counts_repeated_tokens_once_per_match() -> None:
    # pred "a a a" -> "" after articles; use a non-article: common = min(3, 1) = 1
    assert m.token_f1("x x x", "x y") == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))


def test_answer_contained_matches_whole_tokens() -> None:
    assert m.answer_contained("It costs 42 dollars a month.", "42 dollars") == 1.0
    assert m.answer_contained("It costs 42 dollars.", "4") == 0.0
    assert m.answer_contained("anything", "the") == 0.0  # empty gold after normalisation
    assert m.answer_contained(None, "x") == 0.0


def test_citation_hit() -> None:
    assert m.citation_hit(["a.md", "b.md"], ["b.md"]) == 1.0
    assert m.citation_hit(["a.md"], ["b.md", "c.md"]) == 0.0
    assert m.citation_hit(None, ["b.md"]) == 0.0
    assert m.citation_hit(["a.md"], []) is None


def test_score_qa_per_item_and_aggregates() -> None:
    scores = m.score_qa(
        ["Paris", "It is Berlin, I think", None],
        ["paris", "Berlin", "Rome"],
        citations=[["d1"], [], None],
        gold_documents=[["d1"], ["d2"], []],
    )
    assert scores["exact_match"].per_item == (1.0, 0.0, 0.0)
    assert scores["exact_match"].value == pytest.approx(1 / 3)
    assert scores["exact_match"].binary and not scores["token_f1"].binary
    assert scores["contains"].per_item == (1.0, 1.0, 0.0)
    assert scores["token_f1"].per_item[1] == pytest.approx(2 * (1 / 5) * 1 / (1 / 5 + 1))
    hits = scores["citation_hit"]
    assert hits.per_item == (1.0, 0.0, None)
    assert hits.n == 2 and hits.value == 0.5


def test_score_qa_rejects_misaligned_inputs() -> None:
    with pytest.raises(RagtuneError, match="2 predictions but 1 gold"):
        m.score_qa(["a", "b"], ["a"])


# --- classify --------------------------------------------------------------------------------

LABELS = ["billing", "bug report", "other"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("billing", "billing"),
        ("  Billing.\n", "billing"),
        ('"BUG  REPORT"', "bug report"),
        ("**other**", "other"),
        ("The answer is billing", None),
        ("refund", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_label(text: str | None, expected: str | None) -> None:
    assert m.parse_label(text, LABELS) == expected


def test_label_sets_must_be_distinct_and_non_empty() -> None:
    with pytest.raises(RagtuneError, match="same label ignoring case"):
        m.parse_label("x", ["Billing", "billing"])
    with pytest.raises(RagtuneError, match="empty"):
        m.parse_label("x", [])


def test_score_classify_worked_example() -> None:
    preds = ["billing", "Billing.", "bug report", "no idea", "other", "billing"]
    golds = ["billing", "bug report", "bug report", "other", "other", "billing"]
    scores = m.score_classify(preds, golds, LABELS)
    assert scores["accuracy"].per_item == (1.0, 0.0, 1.0, 0.0, 1.0, 1.0)
    assert scores["invalid_label_rate"].value == pytest.approx(1 / 6)
    # billing: P 2/3 R 1 -> 0.8; bug report: P 1 R 1/2 -> 2/3; other: P 1 R 1/2 -> 2/3
    assert scores["macro_f1"].value == pytest.approx((0.8 + 2 / 3 + 2 / 3) / 3)
    assert scores["macro_f1"].per_item == ()
    matrix = m.confusion_matrix(preds, golds, LABELS)
    assert matrix.columns == ("billing", "bug report", "other", "<invalid>")
    assert matrix.counts == ((2, 0, 0, 0), (1, 1, 0, 0), (0, 0, 1, 1))


def test_score_classify_rejects_gold_outside_label_set() -> None:
    with pytest.raises(RagtuneError, match="'refund' is not in the label set"):
        m.score_classify(["billing"], ["refund"], LABELS)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abcd"), st.sampled_from(["a", "b", "c", "d", "zz"])),
        min_size=1,
        max_size=40,
    )
)
def test_macro_f1_and_accuracy_match_scikit_learn(pairs: list[tuple[str, str]]) -> None:
    from sklearn.metrics import accuracy_score, f1_score

    golds = [g for g, _ in pairs]
    preds = [p for _, p in pairs]  # "zz" is not a label: an invalid prediction
    scores = m.score_classify(preds, golds, list("abcd"))
    seen = sorted(set(golds) | {p for p in preds if p != "zz"})
    expected = f1_score(golds, preds, labels=seen, average="macro", zero_division=0)
    assert scores["macro_f1"].value == pytest.approx(expected)
    assert scores["accuracy"].value == pytest.approx(accuracy_score(golds, preds))


# --- extract ---------------------------------------------------------------------------------

SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "amount": {"type": "number"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "amount"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    ("text", "ok", "value"),
    [
        ('{"a": 1}', True, {"a": 1}),
        ('```json\n{"a": 1}\n```', True, {"a": 1}),
        ("```\n[1, 2]\n```", True, [1, 2]),
        ('Here you go: {"a": 1}', False, None),
        ('{"a": 1', False, None),
        ("42", False, None),  # JSON, but not an object or array
        ('"text"', False, None),
        (None, False, None),
    ],
)
def test_parse_json(text: str | None, ok: bool, value: object) -> None:
    assert m.parse_json(text) == (ok, value)


def test_field_counts_worked_example() -> None:
    gold = {"name": "Acme Ltd", "amount": 12, "tags": ["x", "y"], "addr": {"city": "Oslo"}}
    pred = {"name": "acme  ltd", "amount": 12.0, "tags": ["y", "x", "z"], "addr": {"city": "Rome"}}
    # matches: name, amount, tags x, tags y  -> 4 of 6 predicted, 4 of 5 gold
    assert m.field_counts(pred, gold) == (4, 6, 5)
    assert m.field_counts({"flag": True}, {"flag": 1}) == (0, 1, 1)  # bool never equals 1
    assert m.field_counts({"a": None}, {}) == (0, 0, 0)  # nulls are not fields
    items = {"items": [{"sku": "A"}, {"sku": "B"}]}
    assert m.field_counts(items, {"items": [{"sku": "B"}, {"sku": "A"}]}) == (0, 2, 2)


def test_score_extract_worked_example() -> None:
    preds = [
        '{"name": "Acme", "amount": 12}',
        '```json\n{"name": "Bolt", "amount": "7", "tags": ["a"]}\n```',
        "not json",
    ]
    golds = [
        {"name": "Acme", "amount": 12},
        {"name": "Bolt", "amount": 7, "tags": ["a", "b"]},
        {"name": "Cog", "amount": 1},
    ]
    scores = m.score_extract(preds, golds, SCHEMA)
    assert scores["json_valid"].per_item == (1.0, 1.0, 0.0)
    assert scores["schema_valid"].per_item == (1.0, 0.0, 0.0)  # "7" is not a number
    # item 2: 2 of 3 predicted fields match (name, tags a), 2 of 4 gold fields found
    assert scores["field_precision"].per_item == pytest.approx((1.0, 2 / 3, 0.0))
    assert scores["field_recall"].per_item == pytest.approx((1.0, 0.5, 0.0))
    assert scores["field_f1"].per_item[1] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    # micro: tp 4, predicted 5, gold 8
    assert scores["field_f1_micro"].value == pytest.approx(2 * 0.8 * 0.5 / 1.3)


def test_score_extract_accepts_gold_as_json_text() -> None:
    scores = m.score_extract(['{"a": 1}'], ['{"a": 1}'])
    assert scores["field_f1"].per_item == (1.0,)
    with pytest.raises(RagtuneError, match="gold answer 0 is a string that is not a JSON object"):
        m.score_extract(['{"a": 1}'], ["a=1"])


def test_score_extract_without_schema_has_no_schema_metric() -> None:
    assert "schema_valid" not in m.score_extract(["{}"], [{}])
    assert m.score_extract(["{}"], [{}])["field_f1"].per_item == (1.0,)


def test_invalid_json_schema_is_a_clear_error() -> None:
    with pytest.raises(RagtuneError, match="not a valid JSON Schema"):
        m.score_extract(["{}"], [{}], {"type": "objekt"})
    with pytest.raises(RagtuneError, match="not a valid JSON Schema"):
        m.schema_validator({"properties": {"a": {"minimum": "zero"}}})


def test_schema_validator_reports_paths() -> None:
    check = m.schema_validator(SCHEMA)
    assert check({"name": "x", "amount": 1}) == []
    problems = check({"name": 3, "amount": 1, "extra": True})
    assert any(p.startswith("name:") for p in problems)
    assert any("extra" in p for p in problems)


# --- generate --------------------------------------------------------------------------------


def _lcs_table(a: list[str], b: list[str]) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = (
                table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
            )
    return table[-1][-1]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from("abcde"), max_size=80), st.lists(st.sampled_from("abcde"), max_size=80)
)
def test_bit_parallel_lcs_matches_dynamic_programming(a: list[str], b: list[str]) -> None:
    assert m.lcs_length(a, b) == _lcs_table(a, b)


def test_rouge_l_worked_example() -> None:
    # LCS("the cat on the mat", "the cat sat on the mat") = 5: P = 5/5, R = 5/6, F = 10/11
    assert m.rouge_l("The cat on the mat.", "the cat sat on the mat") == pytest.approx(10 / 11)
    assert m.rouge_l("nothing shared", "the cat") == 0.0
    assert m.rouge_l(None, "the cat") == 0.0
    assert m.rouge_l("cat", ["dog", "cat"]) == 1.0
    assert m.rouge_tokens("Hello, wörld_2!") == ["hello", "wörld", "2"]


def test_score_generate() -> None:
    scores = m.score_generate(["a b c", "x"], ["a b c", "y"])
    assert scores["rouge_l"].per_item == (1.0, 0.0)
    assert scores["rouge_l"].value == 0.5


def test_score_extract_empty_gold_items() -> None:
    # Four items, two of which have nothing to extract (empty gold / all-null gold).
    golds = [{}, {"a": None}, {"a": 1}, {"a": 2, "b": "x"}]
    # Prose everywhere: invalid JSON scores 0 on every item, the empty-gold ones included
    # (the old rule gave them F1 = 1, so an arm with 0% valid JSON scored 0.50 here).
    prose = m.score_extract(["Sure! a is 1."] * 4, golds)
    assert prose["field_f1"].per_item == (0.0, 0.0, 0.0, 0.0)
    assert prose["field_f1"].value == 0.0
    # `{}` everywhere: a full match on the two empty-gold items, nothing found on the others:
    # field F1 = (1 + 1 + 0 + 0) / 4 = 0.5, exactly the share of empty-gold items.
    empty = m.score_extract(["{}"] * 4, golds)
    assert empty["field_f1"].per_item == (1.0, 1.0, 0.0, 0.0)
    assert empty["field_f1"].value == 0.5
    # An extra field against an empty gold is a false positive: precision 0/1 = 0, F1 0.
    extra = m.score_extract(['{"a": 5}'], [{}])
    assert extra["field_precision"].per_item == (0.0,)
    assert extra["field_f1"].per_item == (0.0,)
    # A failed call (no answer at all) never beats a valid `{}` either: 0 against an empty gold.
    failed = m.score_extract([None, None], [{}, {"a": None}])
    assert failed["field_f1"].per_item == (0.0, 0.0)
    assert failed["json_valid"].value == 0.0


# --- gold formats as datasets have them (issue 28) --------------------------------------------


def test_a_list_gold_is_any_of_its_answers_through_scoring() -> None:
    # SQuAD-style gold: a list of accepted answers. The old path scored str(["Paris", ...]),
    # so "Paris" got contains 0, exact match 0, token F1 0.4. Best match over the list: 1, 1, 1.
    from ragtune.scoring.primary import score

    scores = score("qa", ["Paris", "the city of paris", "Lyon"], [["Paris", "City of Paris"]] * 3)
    assert scores["contains"].per_item == (1.0, 1.0, 0.0)
    assert scores["exact_match"].per_item == (1.0, 1.0, 0.0)
    # "the city of paris" -> "city of paris" equals the second answer exactly
    assert scores["token_f1"].per_item == (1.0, 1.0, 0.0)
    # a tuple or a single string works the same way; a missing gold is empty, not "None"
    assert score("qa", ["Paris"], [("Paris",)])["exact_match"].per_item == (1.0,)
    assert score("qa", ["none"], [None])["exact_match"].per_item == (0.0,)


def test_letter_golds_are_not_deleted_by_article_removal() -> None:
    # "A" is an article to SQuAD normalisation, which emptied it: "A" then scored contains 0.
    # Golds that normalisation would empty are compared without article removal.
    for answer, expected in (("A", 1.0), ("a.", 1.0), ("(A)", 1.0), ("B", 0.0), ("", 0.0)):
        assert m.exact_match(answer, "A") == expected, answer
        assert m.answer_contained(answer, "A") == expected, answer
        assert m.token_f1(answer, "A") == expected, answer
    assert m.answer_contained("The answer is A", "A") == 1.0
    assert m.answer_contained("The answer is B", "A") == 0.0
    assert m.exact_match("The", "the") == 1.0
    # golds with content keep SQuAD normalisation: "the Eiffel Tower" still matches "Eiffel Tower"
    assert m.exact_match("the Eiffel Tower", "Eiffel Tower") == 1.0
    assert m.token_f1("", "") == 1.0  # SQuAD 2.0's "no answer", as the official script scores it


def test_a_failed_call_scores_zero_on_every_metric() -> None:
    # None is a failed call. Before, exact match compared "" with a gold that normalised to ""
    # ("A", "the") and scored 1.
    for gold in ("A", "the", "", ["Paris", "City of Paris"]):
        qa = m.score_qa([None], [gold])
        assert {name: s.per_item for name, s in qa.items()} == {
            "exact_match": (0.0,),
            "token_f1": (0.0,),
            "contains": (0.0,),
        }, gold
    assert m.score_classify([None], ["yes"], ["yes", "no"])["accuracy"].per_item == (0.0,)
    extract = m.score_extract([None], [{}])
    assert all(s.per_item in ((0.0,), ()) for s in extract.values())
    assert extract["field_f1_micro"].value == 0.0
    assert m.score_generate([None], ["text"])["rouge_l"].per_item == (0.0,)


def test_micro_f1_follows_the_per_item_rule_on_empty_golds() -> None:
    # Every answer invalid, every gold empty: per item 0, and micro F1 was 1.0 (0 of 0 fields).
    # A gold with no fields counts one field, the empty object: missed by an invalid answer.
    invalid = m.score_extract(["not json", "nope"], [{}, {}])
    assert invalid["field_f1"].per_item == (0.0, 0.0)
    assert invalid["field_f1_micro"].value == 0.0
    # Valid empty answers on empty golds: 1 per item, and micro 1 (2 of 2 empty objects).
    assert m.score_extract(["{}", "{}"], [{}, {}])["field_f1_micro"].value == 1.0
    # Half and half: tp 1, predicted 1, gold 2 -> precision 1, recall 0.5, F1 2/3.
    assert m.score_extract(["{}", "nope"], [{}, {}])["field_f1_micro"].value == pytest.approx(2 / 3)
    # A valid answer with an extra field on an empty gold: tp 0, predicted 1, gold 1 -> 0.
    assert m.score_extract(['{"a": 1}'], [{}])["field_f1_micro"].value == 0.0
