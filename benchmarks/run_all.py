"""Run every benchmark script in this folder, one after another (they measure; nothing asserts).

Run:  make bench   (or .venv/bin/python benchmarks/run_all.py [name ...])
Each script prints a Markdown table; copy it into BENCHMARKS.md with the date and machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    wanted = set(sys.argv[1:])
    scripts = sorted(p for p in here.glob("bench_*.py") if not wanted or p.stem[6:] in wanted)
    failed = 0
    for script in scripts:
        print(f"\n## {script.stem}\n", flush=True)
        failed += subprocess.run([sys.executable, str(script)], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
