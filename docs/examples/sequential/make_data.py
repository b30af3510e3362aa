"""Write this folder's recorded answers: 3,000 yes/no questions and three arms' answers.

    python docs/examples/sequential/make_data.py   # rewrites test.jsonl and the answers files

The outcomes are drawn (seeded) so the truth is known: `haiku` is right exactly as often as
`sonnet` (they disagree on 6% of the items, 3% each way), and `small` is 0.15 worse (sonnet
alone right on 18%, small alone on 3%). The docs' `--until-decided` example runs on them.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
N = 3000
ARMS = {  # name: (P(only sonnet right), P(only this arm right), input tokens, catalog model)
    "haiku": (0.03, 0.03, 400, "claude-haiku-4-5"),
    "small": (0.18, 0.03, 150, "claude-haiku-4-5"),
}


def main() -> None:
    rng = random.Random(29)
    sonnet = [rng.random() < 0.85 for _ in range(N)]
    rows = {"sonnet": [(ok, 400, "claude-sonnet-4-5") for ok in sonnet]}
    for name, (sonnet_only, arm_only, tokens, model) in ARMS.items():
        right = []
        for ok in sonnet:
            u = rng.random()
            # keep P(sonnet only) and P(arm only) at their shares of all items
            right.append(u >= sonnet_only / 0.85 if ok else u < arm_only / 0.15)
        rows[name] = [(r, tokens, model) for r in right]
    compact = (",", ":")
    (HERE / "test.jsonl").write_text(
        "".join(
            json.dumps({"id": f"q{i}", "input": f"q{i}", "target": "yes"}, separators=compact)
            + "\n"
            for i in range(N)
        )
    )
    for name, answers in rows.items():
        (HERE / f"{name}.jsonl").write_text(
            "".join(
                json.dumps({"id": f"q{i}", "answer": "yes" if ok else "no",
                            "input_tokens": tokens, "output_tokens": 1, "model": model},
                           separators=(",", ":")) + "\n"
                for i, (ok, tokens, model) in enumerate(answers)
            )
        )  # fmt: skip


if __name__ == "__main__":
    main()
