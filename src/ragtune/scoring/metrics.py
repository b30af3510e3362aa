"""Task metrics as pure functions: a score per item, and the aggregate over items.

- qa: exact match and token F1 (SQuAD normalisation), answer containment, citation hit rate;
- classify: label parsing, accuracy, macro-F1, confusion matrix, invalid-label rate;
- extract: JSON validity, JSON Schema conformance, field-level precision / recall / F1;
- generate: ROUGE-L (longest common subsequence F-measure).

Per-item scores are kept because the paired statistics in `stats.py` compare arms item by item.
A prediction of None (the call failed) scores 0 on every metric, so every arm is scored on the
same items. A QA gold is one answer or a list of accepted answers; every QA metric takes the best
match over the list, as the official SQuAD script does. Deliberately not here: the LLM judge
(`judge.py`), intervals and tests (`stats.py`), anything that calls a model or touches the store.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ragtune.errors import RagtuneError

Gold = str | Sequence[str]


@dataclass(frozen=True)
class MetricScores:
    """One metric over a set of items.

    `per_item[i]` is None where the metric does not apply to item i (a question without a gold
    document has no citation hit). `binary` means every score is 0 or 1, so `stats` uses Wilson
    intervals and McNemar's test rather than the bootstrap. `value` is the mean of the applicable
    per-item scores, except for corpus-level metrics (macro-F1, micro-F1) whose `per_item` is empty.
    """

    name: str
    value: float | None
    per_item: tuple[float | None, ...]
    binary: bool = False

    @property
    def n(self) -> int:
        """Number of items the metric applies to."""
        return sum(1 for s in self.per_item if s is not None)


def _mean_scores(name: str, scores: Sequence[float | None], *, binary: bool) -> MetricScores:
    applicable = [s for s in scores if s is not None]
    value = sum(applicable) / len(applicable) if applicable else None
    return MetricScores(name, value, tuple(scores), binary)


def _check_lengths(what: str, predictions: Sequence[Any], golds: Sequence[Any]) -> None:
    if len(predictions) != len(golds):
        raise RagtuneError(
            f"{what}: {len(predictions)} predictions but {len(golds)} gold answers",
            hint="score predictions and golds for the same items, in the same order",
        )


def _golds(gold: Gold) -> list[str]:
    return [gold] if isinstance(gold, str) else list(gold)


# --- qa --------------------------------------------------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_ASCII_PUNCT = set(string.punctuation)


def _is_punct(ch: str) -> bool:
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


def normalize_answer(text: str, *, articles: bool = True) -> str:
    """SQuAD normalisation: lower case, drop punctuation (also Unicode), articles, extra spaces.
    `articles=False` keeps "a", "an" and "the" (for golds that are themselves an article)."""
    text = "".join(ch for ch in text.lower() if not _is_punct(ch))
    return " ".join((_ARTICLES.sub(" ", text) if articles else text).split())


def _pairs(prediction: str, gold: Gold) -> list[tuple[str, str]]:
    """(normalised prediction, normalised gold) per accepted answer. A gold that SQuAD
    normalisation would empty (the letter "A" of a multiple-choice question, "The") is compared,
    with the prediction, without article removal; an empty gold stays empty (SQuAD 2.0's "no
    answer", matched by an empty prediction)."""
    out = []
    for g in _golds(gold):
        articles = bool(normalize_answer(g)) or not normalize_answer(g, articles=False)
        out.append(
            (
                normalize_answer(prediction, articles=articles),
                normalize_answer(g, articles=articles),
            )
        )
    return out


def exact_match(prediction: str | None, gold: Gold) -> float:
    """1.0 if the normalised prediction equals any normalised gold answer (0 for a failed call)."""
    if prediction is None:
        return 0.0
    return float(any(p == g for p, g in _pairs(prediction, gold)))


def _f1_tokens(pred: list[str], gold: list[str]) -> float:
    if not pred or not gold:
        return float(pred == gold)
    same = sum((Counter(pred) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str | None, gold: Gold) -> float:
    """SQuAD token F1 (bag of normalised tokens), the best over the gold answers (0 for a
    failed call)."""
    if prediction is None:
        return 0.0
    return max((_f1_tokens(p.split(), g.split()) for p, g in _pairs(prediction, gold)), default=0.0)


def answer_contained(prediction: str | None, gold: Gold) -> float:
    """1.0 if any normalised gold answer appears in the normalised prediction as whole tokens
    (0 for a failed call)."""
    if prediction is None:
        return 0.0
    return float(any(g and f" {g} " in f" {p} " for p, g in _pairs(prediction, gold)))


def citation_hit(cited: Sequence[str] | None, gold_documents: Sequence[str]) -> float | None:
    """1.0 if a gold document is among the cited ones; None when the item has no gold document."""
    if not gold_documents:
        return None
    return float(bool(set(cited or ()) & set(gold_documents)))


def score_qa(
    predictions: Sequence[str | None],
    golds: Sequence[Gold],
    *,
    citations: Sequence[Sequence[str] | None] | None = None,
    gold_documents: Sequence[Sequence[str]] | None = None,
) -> dict[str, MetricScores]:
    """exact_match, token_f1, contains, and citation_hit when citations and gold documents given."""
    _check_lengths("qa", predictions, golds)
    pairs = list(zip(predictions, golds, strict=True))
    out = {
        "exact_match": _mean_scores(
            "exact_match", [exact_match(p, g) for p, g in pairs], binary=True
        ),
        "token_f1": _mean_scores("token_f1", [token_f1(p, g) for p, g in pairs], binary=False),
        "contains": _mean_scores(
            "contains", [answer_contained(p, g) for p, g in pairs], binary=True
        ),
    }
    if citations is not None and gold_documents is not None:
        _check_lengths("qa citations", citations, gold_documents)
        hits = [citation_hit(c, d) for c, d in zip(citations, gold_documents, strict=True)]
        out["citation_hit"] = _mean_scores("citation_hit", hits, binary=True)
    return out


# --- classify --------------------------------------------------------------------------------

_LABEL_STRIP = " \t\r\n\"'`*.,;:!?()[]{}"


def _label_key(text: str) -> str:
    return " ".join(text.strip(_LABEL_STRIP).casefold().split())


def _label_index(labels: Sequence[str]) -> dict[str, str]:
    index: dict[str, str] = {}
    for label in labels:
        key = _label_key(label)
        if key in index:
            raise RagtuneError(
                f"labels {index[key]!r} and {label!r} are the same label ignoring case",
                hint="give each label a distinct name",
            )
        index[key] = label
    if not index:
        raise RagtuneError("the label set is empty", hint="list the allowed labels")
    return index


def parse_label(text: str | None, labels: Sequence[str]) -> str | None:
    """The label that `text` names, or None for an invalid label.

    Matching ignores case, surrounding whitespace, quotes, brackets and trailing punctuation
    ("Billing." names "billing"); anything else, including a sentence around the label, is invalid.
    """
    return _label_index(labels).get(_label_key(text)) if text is not None else None


@dataclass(frozen=True)
class ConfusionMatrix:
    """counts[i][j]: items whose gold label is labels[i] and predicted label is columns[j].

    The last column, "<invalid>", counts predictions that named no label.
    """

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.labels, "<invalid>")


def confusion_matrix(
    predictions: Sequence[str | None], golds: Sequence[str], labels: Sequence[str]
) -> ConfusionMatrix:
    """Gold label by parsed predicted label, in the order of `labels`, plus an invalid column."""
    _check_lengths("classify", predictions, golds)
    index = _label_index(labels)
    position = {label: i for i, label in enumerate(labels)}
    counts = [[0] * (len(labels) + 1) for _ in labels]
    for pred, gold in zip(predictions, golds, strict=True):
        g = index.get(_label_key(gold))
        if g is None:
            raise RagtuneError(
                f"gold label {gold!r} is not in the label set", hint=f"allowed: {list(labels)}"
            )
        p = index.get(_label_key(pred)) if pred is not None else None
        counts[position[g]][position[p] if p is not None else len(labels)] += 1
    return ConfusionMatrix(tuple(labels), tuple(tuple(row) for row in counts))


def per_label_f1(matrix: ConfusionMatrix) -> dict[str, tuple[float, float, float, int]]:
    """label -> (precision, recall, F1, support); 0 where a ratio has no denominator."""
    out = {}
    k = len(matrix.labels)
    for i, label in enumerate(matrix.labels):
        tp = matrix.counts[i][i]
        support = sum(matrix.counts[i])
        predicted = sum(matrix.counts[r][i] for r in range(k))
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = (precision, recall, f1, support)
    return out


def macro_f1(matrix: ConfusionMatrix) -> float:
    """Mean F1 over the labels that occur as gold or as a (valid) prediction.

    Labels never seen on either side are left out rather than counted as 0, as scikit-learn does
    when no label list is given; invalid predictions count as misses of the gold label.
    """
    k = len(matrix.labels)
    scores = per_label_f1(matrix)
    seen = [
        label
        for i, label in enumerate(matrix.labels)
        if sum(matrix.counts[i]) or sum(matrix.counts[r][i] for r in range(k))
    ]
    return sum(scores[label][2] for label in seen) / len(seen) if seen else 0.0


def score_classify(
    predictions: Sequence[str | None], golds: Sequence[str], labels: Sequence[str]
) -> dict[str, MetricScores]:
    """accuracy and invalid_label_rate per item; macro_f1 for the whole set."""
    matrix = confusion_matrix(predictions, golds, labels)  # also validates golds and lengths
    index = _label_index(labels)
    parsed = [index.get(_label_key(p)) if p is not None else None for p in predictions]
    gold = [index[_label_key(g)] for g in golds]
    return {
        "accuracy": _mean_scores(
            "accuracy", [float(p == g) for p, g in zip(parsed, gold, strict=True)], binary=True
        ),
        "invalid_label_rate": _mean_scores(
            "invalid_label_rate", [float(p is None) for p in parsed], binary=True
        ),
        "macro_f1": MetricScores("macro_f1", macro_f1(matrix) if gold else None, ()),
    }


# --- extract ---------------------------------------------------------------------------------

_FENCE = re.compile(r"^```[\w-]*\s*\n(.*?)\n?```$", re.DOTALL)


def parse_json(text: str | None) -> tuple[bool, Any]:
    """(True, value) if `text` is a JSON object or array, alone or as the only content of one
    fenced code block; else (False, None). Prose around the JSON makes it invalid: that is the
    format failure this metric counts."""
    if text is None:
        return False, None
    text = text.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return False, None
    return (True, value) if isinstance(value, dict | list) else (False, None)


def _gold_json(gold: Any, index: int) -> Any:
    # Gold may arrive as JSON text (a CSV column, say) rather than as a parsed value.
    if not isinstance(gold, str):
        return gold
    ok, value = parse_json(gold)
    if not ok:
        raise RagtuneError(
            f"extract: gold answer {index} is a string that is not a JSON object: {gold[:60]!r}",
            hint="give gold answers as JSON objects (or JSON text of one)",
        )
    return value


def schema_validator(schema: Mapping[str, Any]) -> Callable[[Any], list[str]]:
    """A function returning the schema violations of a value; raises if `schema` is not valid.

    The draft comes from the schema's "$schema" key, Draft 2020-12 when it has none.
    """
    import jsonschema
    from jsonschema.exceptions import SchemaError

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as err:
        path = "/".join(str(p) for p in err.path) or "(root)"
        raise RagtuneError(
            f"the JSON schema is not a valid JSON Schema: {err.message} at {path}",
            hint="fix the schema; see https://json-schema.org/understanding-json-schema",
        ) from None
    validator = cls(schema)

    def violations(value: Any) -> list[str]:
        return [
            f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
            for e in validator.iter_errors(value)
        ]

    return violations


def _leaf(value: Any) -> tuple[str, Any]:
    # Typed so True never equals 1; ints and floats compare as numbers; strings ignore case/space.
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if isinstance(value, str):
        return ("string", " ".join(value.casefold().split()))
    return ("json", json.dumps(value, sort_keys=True))


def extract_fields(value: Any, path: str = "") -> Counter[tuple[str, tuple[str, Any]]]:
    """A multiset of (path, leaf value): objects by key ("a.b"), lists of objects by index
    ("items[0].name"), lists of scalars as unordered multisets ("tags[]"). Nulls are left out."""
    fields: Counter[tuple[str, tuple[str, Any]]] = Counter()
    if isinstance(value, Mapping):
        for key, child in value.items():
            fields += extract_fields(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            if isinstance(child, Mapping | list):
                fields += extract_fields(child, f"{path}[{i}]")
            elif child is not None:
                fields[(f"{path}[]", _leaf(child))] += 1
    elif value is not None:
        fields[(path, _leaf(value))] += 1
    return fields


def field_counts(predicted: Any, gold: Any) -> tuple[int, int, int]:
    """(matching fields, predicted fields, gold fields) for one item."""
    pred, want = extract_fields(predicted), extract_fields(gold)
    return sum((pred & want).values()), sum(pred.values()), sum(want.values())


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    # Nothing predicted and nothing to find is a perfect answer; otherwise empty ratios are 0/1.
    precision = tp / n_pred if n_pred else float(n_gold == 0)
    recall = tp / n_gold if n_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _pooled(counts: tuple[int, int, int], valid: bool) -> tuple[int, int, int]:
    # An item whose gold has no fields counts one field, the empty object (see score_extract).
    _, n_pred, n_gold = counts
    if n_gold:
        return counts
    return (1, 1, 1) if valid and not n_pred else (0, n_pred, 1)


def score_extract(
    predictions: Sequence[str | None], golds: Sequence[Any], schema: Mapping[str, Any] | None = None
) -> dict[str, MetricScores]:
    """json_valid, schema_valid (with a schema), field precision / recall / F1 per item, micro F1.

    `golds` are JSON values (or JSON text). An invalid prediction has no fields and scores 0 on
    every item; against an empty gold a valid answer with no fields is a full match and each
    extra field is a false positive (precision 0). Micro F1 pools the fields with the same rule:
    a gold with no fields counts as one field (the empty object), matched by a valid answer
    with no fields and missed otherwise, so invalid answers on empty golds score 0, not 1.
    """
    _check_lengths("extract", predictions, golds)
    golds = [_gold_json(g, i) for i, g in enumerate(golds)]
    check = schema_validator(schema) if schema is not None else None
    parsed = [parse_json(p) for p in predictions]
    counts = [field_counts(v if ok else None, g) for (ok, v), g in zip(parsed, golds, strict=True)]
    # An answer that is not JSON scores 0, even where the gold has nothing to extract: only a
    # valid answer (`{}` or all-null fields) earns the full match there.
    prf = [_prf(*c) if ok else (0.0, 0.0, 0.0) for c, (ok, _) in zip(counts, parsed, strict=True)]
    pooled = [_pooled(c, ok) for c, (ok, _) in zip(counts, parsed, strict=True)]
    tp, n_pred, n_gold = (sum(c[i] for c in pooled) for i in range(3))
    out = {
        "json_valid": _mean_scores("json_valid", [float(ok) for ok, _ in parsed], binary=True),
        "field_precision": _mean_scores("field_precision", [p[0] for p in prf], binary=False),
        "field_recall": _mean_scores("field_recall", [p[1] for p in prf], binary=False),
        "field_f1": _mean_scores("field_f1", [p[2] for p in prf], binary=False),
        "field_f1_micro": MetricScores(
            "field_f1_micro", _prf(tp, n_pred, n_gold)[2] if counts else None, ()
        ),
    }
    if check is not None:
        conform = [float(ok and not check(v)) for ok, v in parsed]
        out["schema_valid"] = _mean_scores("schema_valid", conform, binary=True)
    return out


# --- generate --------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")


def rouge_tokens(text: str) -> list[str]:
    """Lower-cased runs of letters and digits (rouge-score's tokenizer, extended to Unicode)."""
    return _WORD.findall(text.casefold())


def lcs_length(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Length of the longest common subsequence, bit-parallel (Allison-Dix): O(len(b)) big-int
    operations over a len(a)-bit vector instead of the len(a) x len(b) table."""
    if not a or not b:
        return 0
    masks: dict[Any, int] = {}
    for i, token in enumerate(a):
        masks[token] = masks.get(token, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for token in b:
        u = v & masks.get(token, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def rouge_l(prediction: str | None, reference: Gold) -> float:
    """ROUGE-L F1 (beta = 1) on `rouge_tokens`, the best over the references."""
    pred = rouge_tokens(prediction or "")
    best = 0.0
    for ref in map(rouge_tokens, _golds(reference)):
        lcs = lcs_length(pred, ref)
        if lcs:
            precision, recall = lcs / len(pred), lcs / len(ref)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def score_generate(
    predictions: Sequence[str | None], references: Sequence[Gold]
) -> dict[str, MetricScores]:
    """rouge_l per item (the judge score comes from `judge.py`)."""
    _check_lengths("generate", predictions, references)
    scores = [rouge_l(p, r) for p, r in zip(predictions, references, strict=True)]
    return {"rouge_l": _mean_scores("rouge_l", scores, binary=False)}
