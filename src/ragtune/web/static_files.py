"""Where the page's bundled files live (HTML, JS, CSS shipped inside the package)."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).parent / "static"


def static_path(name: str) -> Path:
    """A file of the bundled static folder by its fixed name (never a user-supplied path)."""
    return STATIC / name
