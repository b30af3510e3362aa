"""Arms build the right requests, keep usage, cite sources, and fail soft.

The backend here is a deterministic stand-in that implements the real `Backend` protocol (the
arms' logic is under test, not a model); tests/strategies/test_arms_local.py runs the same arms
on the real local SmolLM2 backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pytest

from ragtune.backends.base import Backend, BackendError, Latency, Request, Response, Usage
from ragtune.data import Example
from ragtune.retrieval.records import Citation, Hit
from ragtune.strategies import ArmUnavailable, Resources, TaskSpec, create_arm
from ragtune.strategies.base import call_batch, from_response


@dataclass
class Scripted:
    """Answers with `reply(request)`; records every request; fails on demand."""

    name: str = "fake:scripted"
    model: str = "scripted"
    reply: object = None
    fail_when: object = None
    seen: list[Request] = field(default_factory=list)

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        out = []
        for request in requests:
            if self.fail_when and self.fail_when(request):  # type: ignore[operator]
                raise BackendError(self.name, self.model, "server error", status=500)
            self.seen.append(request)
            text, conf = self.reply(request) if self.reply else ("ok", 0.5)  # type: ignore[operator]
            prompt = sum(len(m.content.split()) for m in request.messages)
            cached = sum(
                len(m.content.split()) for m in request.messages[: request.cache_prefix or 0]
            )
            usage = Usage(
                input_tokens=prompt - cached,
                cache_write_tokens=cached,
                output_tokens=len(text.split()),
            )
            out.append(
                Response(
                    text,
                    "stop",
                    usage,
                    Latency(0.01),
                    self.name,
                    self.model,
                    mean_logprob=float(np.log(conf)),
                )
            )
        return out

    def close(self) -> None:
        pass


LABELS = ("billing", "bug", "other")
TRAIN = [Example(f"t{i}", f"question {i} about {LABELS[i % 3]}", LABELS[i % 3]) for i in range(12)]
VALID = [Example(f"v{i}", f"question {i} about {LABELS[i % 3]}", LABELS[i % 3]) for i in range(9)]
ITEMS = [
    Example("q1", "why was I charged twice", "billing"),
    Example("q2", "the app crashes", "bug"),
]


def embed(texts: Sequence[str]) -> np.ndarray:
    """Hashed bag-of-words unit vectors: enough to make 'nearest' meaningful and exact in tests."""
    rows = np.zeros((len(texts), 256))
    for i, text in enumerate(texts):
        for word in text.split():
            rows[i, sum(map(ord, word)) * 31 % 256] += 1.0
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def resources(backend: Backend | None = None, **extra: object) -> Resources:
    backend = backend or Scripted(reply=lambda r: ("billing", 0.9))
    base = dict(
        task=TaskSpec("classify", labels=LABELS),
        cheap=backend,
        strong=backend,
        train=TRAIN,
        validation=VALID,
        embed=embed,
    )
    base.update(extra)
    return Resources(**base)  # type: ignore[arg-type]


def test_prompt_arm_caches_the_system_prompt_and_constrains_labels() -> None:
    backend = Scripted(reply=lambda r: ("billing", 0.8))
    [pred, _] = create_arm("prompt", resources(backend)).predict(ITEMS)
    request = backend.seen[0]
    assert "billing, bug, other" in request.system
    assert request.labels == LABELS and request.cache_prefix == 0
    assert pred.answer == "billing" and pred.usage.output_tokens == 1
    assert pred.confidence == pytest.approx(0.8)


def test_fewshot_fixed_prefix_is_cacheable_and_spans_labels() -> None:
    backend = Scripted(reply=lambda r: ("bug", 0.8))
    create_arm("fewshot", resources(backend), {"k": 3}).predict(ITEMS)
    first, second = backend.seen
    assert first.cache_prefix == 6 and len(first.messages) == 7
    assert first.messages[:6] == second.messages[:6]  # same prefix for every item: cacheable
    shown = {m.content for m in first.messages[1:6:2]}
    assert shown == set(LABELS)


def test_fewshot_retrieved_picks_nearest_and_is_not_cached() -> None:
    backend = Scripted(reply=lambda r: ("bug", 0.8))
    items = [Example("q", "question 4 about bug", "bug")]
    create_arm("fewshot", resources(backend), {"k": 2, "retrieved": True}).predict(items)
    request = backend.seen[0]
    assert request.cache_prefix is None
    assert request.messages[0].content == "question 4 about bug"


def test_long_context_refuses_when_the_knowledge_base_does_not_fit() -> None:
    res = resources(knowledge_text="x " * 50_000, knowledge_tokens=50_000)
    with pytest.raises(ArmUnavailable, match="50,512 tokens"):
        create_arm("long_context", res)
    res = resources(
        knowledge_text="Refunds take 14 days. [refund-policy]",
        knowledge_tokens=12,
        extras={"doc_ids": ["refund-policy"]},
    )
    backend = Scripted(reply=lambda r: ("14 days [refund-policy]", 0.9))
    res.cheap = res.strong = backend
    res.task = TaskSpec("qa")
    [pred, _] = create_arm("long_context", res).predict(ITEMS)
    assert "Refunds take 14 days" in backend.seen[0].system
    assert pred.answer == "14 days" and pred.citations == ("refund-policy",)


class FakeIndex:
    def search(self, query: str, k: int = 4, mode: str = "hybrid") -> list[Hit]:
        hits = [
            ("refund-policy", "Annual plans are refundable within 14 days."),
            ("pricing", "The Team plan costs $12 per seat."),
        ]
        return [
            Hit(text, 1.0 / (r + 1), r + 1, Citation(doc, doc.title(), f"{doc}.md", 0, len(text)))
            for r, (doc, text) in enumerate(hits[:k])
        ]


def test_rag_puts_sources_in_the_prompt_and_parses_citations() -> None:
    backend = Scripted(reply=lambda r: ("$12 [pricing]", 0.9))
    res = resources(backend, index=FakeIndex(), task=TaskSpec("qa"))
    [pred, _] = create_arm("rag", res, {"k": 2}).predict(ITEMS)
    user = backend.seen[0].messages[-1].content
    assert "[refund-policy] Refund-Policy" in user and "Question: why was I charged" in user
    assert pred.answer == "$12" and pred.citations == ("pricing",)
    uncited = Scripted(reply=lambda r: ("$12", 0.9))
    res.cheap = uncited
    [pred, _] = create_arm("rag", res, {"k": 2}).predict(ITEMS)
    assert pred.citations == ("refund-policy", "pricing")  # the sources shown with the answer


def test_arms_without_their_resources_are_unavailable_with_a_reason() -> None:
    with pytest.raises(ArmUnavailable, match="fine-tuned model"):
        create_arm("finetune", resources())
    with pytest.raises(ArmUnavailable, match="retrieval index"):
        create_arm("rag", resources())
    with pytest.raises(ArmUnavailable, match="knowledge base"):
        create_arm("long_context", resources())
    with pytest.raises(ArmUnavailable, match="train split is empty"):
        create_arm("memory", resources(train=()))


def test_memory_answers_repeats_directly_and_asks_for_the_rest() -> None:
    backend = Scripted(reply=lambda r: ("other", 0.6))
    arm = create_arm("memory", resources(backend), {"threshold": 0.99, "m": 2})
    repeat = Example("r", TRAIN[4].input, TRAIN[4].target)
    direct, asked = arm.predict([repeat, ITEMS[1]])
    assert direct.answer == TRAIN[4].target and direct.calls == ()
    assert direct.usage == Usage() and direct.latency_s > 0
    assert asked.answer == "other" and len(asked.calls) == 1
    assert len(backend.seen) == 1 and len(backend.seen[0].messages) == 5  # 2 memories + question


def test_router_calibrates_and_escalates_low_confidence_items() -> None:
    def cheap_reply(request: Request) -> tuple[str, float]:
        text = request.messages[-1].content
        label = next(label for label in LABELS if label in text) if "about" in text else "other"
        # right and confident about billing; wrong and unsure otherwise
        return (label, 0.95) if label == "billing" else ("other", 0.3)

    cheap = Scripted(name="fake:cheap", reply=cheap_reply)
    strong = Scripted(
        name="fake:strong",
        reply=lambda r: (
            next((lb for lb in LABELS if lb in r.messages[-1].content), "other"),
            0.99,
        ),
    )
    res = resources(cheap, strong=strong)
    arm = create_arm(
        "router", res, {"first": "prompt", "escalate": "prompt", "target_quality": 1.0}
    )
    assert 0.3 < arm.threshold <= 0.95  # type: ignore[attr-defined]
    items = [
        Example("a", "question 0 about billing", "billing"),
        Example("b", "question 1 about bug", "bug"),
    ]
    routed = arm.predict(items)
    assert [p.escalated for p in routed] == [False, True]
    assert [p.answer for p in routed] == ["billing", "bug"]
    assert [c.stage for c in routed[1].calls] == ["answer", "escalation"]
    assert [c.backend for c in routed[1].calls] == ["fake:cheap", "fake:strong"]
    assert routed[1].usage.output_tokens == 2  # the cascade pays for both calls
    assert arm.info["escalation_rate"] == 0.5  # type: ignore[attr-defined]


def test_a_failing_item_is_recorded_and_the_rest_answered() -> None:
    backend = Scripted(
        reply=lambda r: ("bug", 0.7), fail_when=lambda r: "crashes" in r.messages[-1].content
    )
    preds = create_arm("prompt", resources(backend)).predict(ITEMS)
    assert preds[0].error is None and preds[0].answer == "bug"
    assert preds[1].error is not None and "HTTP 500" in preds[1].error
    assert [p.item_id for p in preds] == ["q1", "q2"]


def test_call_batch_single_item_failure_raises() -> None:
    backend = Scripted(fail_when=lambda r: True)
    with pytest.raises(BackendError):
        call_batch(
            backend, ITEMS[:1], [Request.ask("x")], lambda item, r: from_response(item, r, r.text)
        )


def test_unknown_arm_suggests() -> None:
    from ragtune.errors import RagtuneError

    with pytest.raises(RagtuneError, match="did you mean 'rag'"):
        create_arm("rags", resources())
