"""A sequential run's standings: fixed-n planning figures only where both tests leave it open."""

from __future__ import annotations

from ragtune.advisor.sequential import sequential_standings
from ragtune.advisor.standing import Standing
from ragtune.running.sequential import Assessment
from ragtune.stats.sequential import SequentialComparison


def test_an_arm_the_fixed_n_test_decided_carries_no_planning_figures() -> None:
    """Found by the attack review: after a budget stop the fixed-n test had called `small`
    inferior (more_items_at_zero 0, items_needed_at_zero None) while its wider confidence
    sequence left it open; the standing kept the 0 beside the None and the verdict crashed
    formatting "0 more (None in all)"."""
    stood = [
        Standing("haiku", "best"),
        Standing(
            "small",
            "inferior",
            n=100,
            effect=-0.17,
            ci_low=-0.25,
            ci_high=-0.09,
            more_items_at_zero=0,
            items_needed_at_zero=None,
        ),
        Standing(
            "sonnet",
            "undetermined",
            n=100,
            effect=-0.07,
            ci_low=-0.15,
            ci_high=0.01,
            items_needed=900,
            more_items=800,
            items_needed_at_zero=267,
            more_items_at_zero=167,
        ),
    ]
    cs = {
        "small": (-0.319, -0.039),
        "sonnet": (-0.180, 0.030),
    }
    comparisons = tuple(
        SequentialComparison(
            arm, "haiku", 100, -0.1, low, high, 0.975, 2, 0.05, "undetermined", None, ()
        )
        for arm, (low, high) in cs.items()
    )
    assessment = Assessment(100, 1, "haiku", comparisons, ("haiku", "small", "sonnet"),
                            {"haiku": 100, "small": 100, "sonnet": 100}, 1.0, 25.0,
                            "budget", "max_usd reached")  # type: ignore[arg-type]  # fmt: skip
    out = {s.arm: s for s in sequential_standings(stood, assessment)}
    small, sonnet = out["small"], out["sonnet"]
    assert small.status == "undetermined" and small.test == "betting_cs"
    assert (small.items_needed, small.more_items) == (None, None)
    assert (small.items_needed_at_zero, small.more_items_at_zero) == (None, None)
    # open in both tests: the fixed-n plan stays as a guide
    assert (sonnet.more_items, sonnet.more_items_at_zero) == (800, 167)
