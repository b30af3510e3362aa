"""YAML files shipped with ragtune, parsed by libyaml when PyYAML was built with it.

Every CLI process and every priced test reads the bundled catalog: PyYAML's pure-Python parser
takes ~50 ms for prices.yaml, libyaml ~3 ms, for the same safe subset and the same values (a
test compares them). Users' files keep the pure-Python parser, whose error messages the docs show.
"""

from __future__ import annotations

from typing import Any

import yaml


def parse_bundled_yaml(text: str) -> Any:
    """The values of a bundled YAML file (the safe subset: no Python objects)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
