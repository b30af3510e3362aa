"""Cacheable prefixes: noted per call while arms run, priced as cache write then read when the
measured tokens are projected onto an API model. Checked against hand-computed dollars."""

from __future__ import annotations

from typing import Any

import pytest

from ragtune.backends.base import Latency, Message, Request, Response, Usage
from ragtune.cost.catalog import load_catalog
from ragtune.evidence.summary import summarise
from ragtune.running.prefixes import (
    CallRecorder,
    min_cacheable_tokens,
    prefix_note,
    project_prefixes,
)
from ragtune.store.records import Measurement
from ragtune.strategies.base import Call


def test_prefix_note_fingerprints_the_marked_prefix_and_its_share() -> None:
    shots = (Message("user", "q1"), Message("assistant", "a1"))
    one = Request(messages=(*shots, Message("user", "first question")), system="S" * 10,
                  cache_prefix=2)  # fmt: skip
    two = Request(messages=(*shots, Message("user", "second")), system="S" * 10, cache_prefix=2)
    other = Request(messages=(*shots, Message("user", "second")), system="T" * 10, cache_prefix=2)
    assert prefix_note(one)[0] == prefix_note(two)[0] != prefix_note(other)[0]
    # share of the prompt's characters: 10 + 2 + 2 of 10 + 2 + 2 + 14
    assert prefix_note(one)[1] == pytest.approx(14 / 28)
    unmarked = Request(messages=(Message("user", "hi"),), cache_prefix=None)
    assert prefix_note(unmarked) == (None, 0.0)


def test_first_use_writes_later_uses_read_short_prefixes_stay_plain() -> None:
    call = Measurement("answer", "smollm2-135m", 2100, 0, 0, 10, 1.0, prefix="kb",
                       prefix_share=2000 / 2100)  # fmt: skip
    # 150 tokens of prefix: below 1,024
    short = Measurement("answer", "smollm2-135m", 300, 0, 0, 10, 1.0, prefix="sys",
                        prefix_share=0.5)  # fmt: skip
    measured = Measurement("answer", "claude-haiku-4-5", 50, 0, 2000, 10, 1.0, prefix="kb",
                           prefix_share=2000 / 2050)  # fmt: skip
    split = project_prefixes([(call,), (call,), (short,), (call,), (measured,)])
    kinds = [
        (c.input_tokens, c.cache_write_tokens, c.cache_read_tokens)
        for calls in split
        for c in calls
    ]
    assert kinds == [
        (100, 2000, 0),  # written on first use
        (100, 0, 2000),  # then read
        (300, 0, 0),  # too short to cache
        (100, 0, 2000),
        (50, 0, 2000),  # an API call's own measured split is kept
    ]
    # a lower minimum caches the short prefix too
    [[small]] = project_prefixes([(short,)], min_tokens=100)
    assert (small.input_tokens, small.cache_write_tokens) == (150, 150)


def test_minimum_cacheable_prefix_comes_from_the_projected_model() -> None:
    """Per-model minimums (catalog `cache:` blocks, Anthropic's prompt-caching page)."""
    catalog = load_catalog()
    assert min_cacheable_tokens(catalog.model("claude-haiku-4-5")) == 4096
    assert min_cacheable_tokens(catalog.model("claude-3-5-haiku")) == 2048
    assert min_cacheable_tokens(catalog.model("claude-sonnet-4-5")) == 1024
    assert min_cacheable_tokens(catalog.model("gpt-4o-mini")) == 1024
    assert min_cacheable_tokens(None) == 1024  # no projection model: the common minimum


class SameEveryTime:
    """A batch backend whose responses are equal in every measured value (a batch reports its
    wall time on each response), which is what made matching notes to calls by value swap them."""

    name, model = "local:m", "m"

    def generate(self, requests: Any) -> list[Response]:
        return [
            Response("a", "stop", Usage(input_tokens=5), Latency(1.0), "local:m", "m")
            for _ in requests
        ]

    def close(self) -> None:
        pass


def test_each_response_carries_its_own_request_note() -> None:
    recorder = CallRecorder(SameEveryTime())  # type: ignore[arg-type]
    x = Request(messages=(Message("user", "q"),), system="X" * 10, cache_prefix=0)
    y = Request(messages=(Message("user", "q"),), system="Y" * 10, cache_prefix=0)
    first, second = recorder.generate([x, y])
    assert (first.prefix, second.prefix) == (prefix_note(x)[0], prefix_note(y)[0])
    assert first.prefix != second.prefix and first.batch == second.batch == 2
    assert first.prefix_share == pytest.approx(10 / 11)
    calls = [Measurement.of(r) for r in (first, second)]
    assert [c.prefix for c in calls] == [first.prefix, second.prefix]
    assert Call.of(second).prefix == second.prefix and Call.of(second).batch == 2


def test_summary_projects_prefixes_as_cache_write_then_read(
    store: Any, make_run: Any, pricing: Any
) -> None:
    """Hand-computed at claude-haiku-4-5 ($1/M in, $5/M out): three calls of 2,100 prompt tokens
    sharing a 2,000-token prefix, 10 output tokens each. Haiku 4.5 caches nothing below 4,096
    tokens (catalog `cache.min_prefix_tokens`), so every call is plain input:
    2,100 x 1 + 10 x 5 = 2,150 micro-dollars a query, $2.15 per 1k (issue 13: it was priced as
    one 1.25x write then 0.1x reads, $1.1167 per 1k). The write-then-read split for a model
    that does cache the prefix is checked in the test above (min_tokens)."""
    run_id = make_run(
        store,
        {"long_context": ["2016", "Berlin", "blue"]},
        golds=("2016", "Berlin", "blue"),
        call=Measurement(
            "answer",
            "smollm2-135m",
            2100,
            0,
            0,
            10,
            1.0,
            prefix="kb-v1",
            prefix_share=2000 / 2100,
            batch=3,
        ),
    )
    [arm] = summarise(store, run_id, pricing).arms
    assert arm.projected_per_1k == pytest.approx(1000 * 2150 / 1e6)
    assert arm.projected_tokens["input"] == pytest.approx(2100)
    assert arm.projected_tokens["cache_write"] == 0
    assert arm.projected_tokens["cache_read"] == 0
    assert arm.tokens["input"] == 2100 and arm.tokens["cache_read"] == 0  # measured: unchanged
