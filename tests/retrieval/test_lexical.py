"""BM25 checked against rank_bm25 (the reference implementation) and a worked Lucene example."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from ragtune.errors import RagtuneError
from ragtune.retrieval.lexical import BM25, BM25Params, tokenize

CORPUS = [
    "The refund policy allows refunds within thirty days",
    "Shipping with DHL takes three days to Europe",
    "Security: data is encrypted at rest and in transit",
    "Vacation policy: staff get twenty eight days of paid leave",
    "Incident response: the on-call engineer opens a status page",
    "Onboarding: new employees receive a laptop and a buddy",
    "Expenses need receipts above twenty euros",
    "Refunds for annual plans are pro rata",
]
QUERIES = ["refund annual plans", "DHL shipping Europe", "paid leave days", "laptop buddy"]


def test_tokenizer_lowercases_drops_stopwords_and_stems():
    assert tokenize("The Refund, of the PLAN's day-2!") == ["refund", "plan", "s", "day", "2"]
    assert BM25.build(["x"]).tokens("Refunds for running policies") == ["refund", "run", "polici"]


@pytest.mark.parametrize("k1,b", [(1.5, 0.75), (1.2, 0.5), (2.0, 1.0)])
def test_robertson_scores_match_rank_bm25(k1, b):
    # rank_bm25's BM25Okapi uses Robertson's idf; no query term here is in half the documents,
    # so its epsilon floor for negative idf never applies. It also keeps the constant (k1 + 1)
    # factor in the numerator, which bm25s drops (same ranking), so we scale by it.
    ours = BM25.build(CORPUS, BM25Params(k1=k1, b=b, method="robertson"))
    ref = BM25Okapi([ours.tokens(t) for t in CORPUS], k1=k1, b=b)
    for q in QUERIES:
        np.testing.assert_allclose(
            ours.scores(q) * (k1 + 1), ref.get_scores(ours.tokens(q)), rtol=1e-5
        )


def test_lucene_default_matches_a_hand_computed_score():
    corpus = ["cat sat", "cat cat dog", "bird"]
    index = BM25.build(corpus)  # lucene, k1=1.5, b=0.75
    n, avgdl = 3, (2 + 3 + 1) / 3
    idf = math.log(1 + (n - 2 + 0.5) / (2 + 0.5))  # "cat" is in 2 of 3 documents
    tf, dl = 2, 3
    want = idf * tf / (tf + 1.5 * (1 - 0.75 + 0.75 * dl / avgdl))
    assert index.scores("cat")[1] == pytest.approx(want, rel=1e-5)
    rows, scores = index.top("cat", 5)
    assert rows.tolist() == [1, 0] and scores[0] == pytest.approx(want, rel=1e-5)


def test_top_skips_zero_scores_and_unknown_terms():
    index = BM25.build(CORPUS)
    rows, _ = index.top("refund", 10)
    assert sorted(rows.tolist()) == [0, 7]  # "refund" and "Refunds": the stemmer joins them
    unstemmed = BM25.build(CORPUS, BM25Params(stemmer="none"))
    assert unstemmed.top("refund", 10)[0].tolist() == [0]
    assert index.top("xylophone", 5)[0].size == 0
    assert index.top("the of", 5)[0].size == 0  # only stopwords


def test_save_and_load_round_trip(tmp_path: Path):
    index = BM25.build(CORPUS, BM25Params(k1=1.2, b=0.6))
    index.save(tmp_path / "bm25")
    loaded = BM25.load(tmp_path / "bm25")
    assert loaded.params == BM25Params(k1=1.2, b=0.6)
    np.testing.assert_allclose(loaded.scores("refund policy"), index.scores("refund policy"))


def test_bad_parameters_are_rejected():
    with pytest.raises(RagtuneError, match="unknown BM25 method 'okapi'"):
        BM25Params(method="okapi")
    with pytest.raises(RagtuneError, match="unknown stemmer 'porter'"):
        BM25Params(stemmer="porter")
    with pytest.raises(RagtuneError, match="out of range"):
        BM25Params(b=1.5)
