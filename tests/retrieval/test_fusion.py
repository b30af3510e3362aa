"""Fusion checked on rankings computed by hand."""

from __future__ import annotations

import pytest

from ragtune.errors import RagtuneError
from ragtune.retrieval.fusion import check_mode, fuse, rrf, weighted


def test_rrf_matches_hand_computation():
    # a: 1/61 + 1/63; b: 1/62 + 1/61; c: 1/63; d: 1/62
    fused = rrf([["a", "b", "c"], ["b", "d", "a"]], k=60)
    assert [key for key, _ in fused] == ["b", "a", "d", "c"]
    scores = dict(fused)
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 63)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["d"] == pytest.approx(1 / 62)
    assert scores["c"] == pytest.approx(1 / 63)


def test_rrf_ties_keep_first_seen_order():
    assert [k for k, _ in rrf([["x", "y"], ["y", "x"]])] == ["x", "y"]


def test_weighted_fusion_matches_hand_computation():
    bm25 = [("a", 10.0), ("b", 6.0), ("c", 2.0)]  # normalised: a 1, b 0.5, c 0
    dense = [("c", 0.9), ("a", 0.5), ("d", 0.1)]  # normalised: c 1, a 0.5, d 0
    fused = dict(weighted([bm25, dense], [0.3, 0.7]))
    assert fused["a"] == pytest.approx(0.3 * 1 + 0.7 * 0.5)
    assert fused["b"] == pytest.approx(0.3 * 0.5)
    assert fused["c"] == pytest.approx(0.7 * 1)
    assert fused["d"] == pytest.approx(0.0)
    order = [k for k, _ in weighted([bm25, dense], [0.3, 0.7])]
    assert order == ["c", "a", "b", "d"]


def test_fuse_selects_the_method_and_handles_empty_lists():
    assert [k for k, _ in fuse([], [("a", 0.3), ("b", 0.2)])] == ["a", "b"]
    assert [k for k, _ in fuse([("a", 1.0)], [], fusion="weighted")] == ["a"]
    single = fuse([("a", 3.0)], [("a", 0.5)], fusion="weighted", dense_weight=0.25)
    assert single == [("a", pytest.approx(1.0))]
    with pytest.raises(RagtuneError, match=r"dense weight 1\.5"):
        fuse([], [], fusion="weighted", dense_weight=1.5)
    with pytest.raises(RagtuneError, match="unknown fusion 'max'"):
        fuse([], [], fusion="max")
    with pytest.raises(RagtuneError, match="use one of bm25, dense, hybrid"):
        check_mode("semantic")
