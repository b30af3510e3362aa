"""Print the dollars of a `ragtune run --json` summary read from stdin: each arm's $/1k and
errors, and the judge's total (the batch page's side-by-side comparison)."""

import json
import sys

summary = json.load(sys.stdin)
for arm in summary["arms"]:
    print(f"{arm['arm']:<8} ${arm['cost_per_1k']:.4f} per 1,000 queries, {arm['errors']} errors")
judge = summary.get("judge")
if judge:
    print(f"judge    ${judge['cost']:.6f} for {judge['judgements']} judgements ({judge['priced']})")
