"""Run one ragtune command against a local stand-in for OpenAI's and Anthropic's APIs.

    python3 docs/examples/batch/local_providers.py \
        ragtune run docs/examples/batch/workload.yaml --batch

It starts the scripted server the test suite uses (`tests/backends/batch_server.py`: the
providers' documented shapes for chat calls, OpenAI's Batch API and Anthropic's Message Batches;
every call reports 1,000 input and 200 output tokens), points the official SDKs at it
(OPENAI_BASE_URL, ANTHROPIC_BASE_URL, placeholder keys) and runs the command. Nothing leaves
the machine and nothing is billed. This is how the batch page's console blocks are made.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]  # the checkout, also when docs/ is a symlink


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "tests" / "backends"))
    from batch_server import provider_server

    with provider_server() as server:
        env = {
            **os.environ,
            "OPENAI_BASE_URL": server.url + "/v1",
            "ANTHROPIC_BASE_URL": server.url,
            "OPENAI_API_KEY": "sk-local-stand-in",
            "ANTHROPIC_API_KEY": "sk-ant-local-stand-in",
        }
        return subprocess.run(argv, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
