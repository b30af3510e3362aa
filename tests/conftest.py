"""Shared fixtures. Heavy fixtures (models, servers) live in the test folders that need them."""

from __future__ import annotations

import os

# Nothing in the test suite may reach a model hub: every model comes from a PyPI package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
