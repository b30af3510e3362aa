"""The verdict: which arm to run at the stated volume, why, and what would change the answer.

One room per step, each testable alone: `facts` (what the verdict reads and writes), `choosing`
(`decide`: the best arm, the candidates shown to be as good, the cheapest of them),
`constraints` (stated needs narrow the candidates), `pending` ("not decided yet" and the items
that would settle it), `rules` (the source articles' rules and predictions), `flips` (what would
change the answer) and `caveats` (what limits trust in it).

Deliberately not here: building the cost options (`options`), the document layout (`document`).
"""

from ragtune.advisor.verdict.choosing import decide
from ragtune.advisor.verdict.facts import ARTICLES, Facts, Growth, Pending, Verdict
from ragtune.advisor.verdict.rules import expectations

__all__ = ["ARTICLES", "Facts", "Growth", "Pending", "Verdict", "decide", "expectations"]
