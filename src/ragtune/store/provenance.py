"""What a run needs for reproducibility besides its config: package versions and the machine.

Deliberately small and offline: no hostname or user name (reports get shared), no GPU probing
that would import torch.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from typing import Any

# Packages whose versions change results or timings; the ones not installed are left out.
TRACKED_PACKAGES = (
    "ragtune",
    "numpy",
    "torch",
    "transformers",
    "peft",
    "sentence-transformers",
    "bm25s",
    "openai",
    "anthropic",
)


def package_versions() -> dict[str, str]:
    """Python and tracked package versions that are installed."""
    versions = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def machine_info() -> dict[str, Any]:
    """OS, architecture, CPU count and memory of this machine."""
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "memory_bytes": _memory_bytes(),
        "python_implementation": platform.python_implementation(),
        "executable_bits": 64 if sys.maxsize > 2**32 else 32,
    }
