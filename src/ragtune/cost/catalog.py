"""The price catalog: models, GPUs, embedding models and flat infrastructure, each with a source.

Loaded from the bundled `prices.yaml`, then from any user files in order (an entry with the same
name replaces the earlier one). Lookups accept aliases and, on a miss, suggest the nearest names.
This module reads files; the formulas that use the prices are pure (`formulas.py`).
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ragtune.errors import Problem, RagtuneError, ValidationError, read_user_file, suggest

SECTIONS = ("models", "gpus", "embeddings", "infra", "batch")
SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")  # OpenAI's dated model snapshots


def finetuned_base(name: str) -> str | None:
    """The base model of an OpenAI fine-tuned model name (`ft:BASE:org:suffix:id`), else None."""
    parts = name.strip().split(":")
    return parts[1] if len(parts) >= 2 and parts[0] == "ft" and parts[1] else None


@dataclass(frozen=True)
class CacheTtl:
    """One cache lifetime a provider sells: a prefix written at `write_multiplier` x input price
    stays readable for `minutes` after its last use."""

    name: str  # "5m", "1h": the name scenarios use (`cache_ttl: 1h`)
    minutes: float
    write_multiplier: float


@dataclass(frozen=True)
class CachePolicy:
    """How a model's provider caches prompt prefixes, with where and when that was read.

    A prefix shorter than `min_prefix_tokens` is not cached at all (billed as plain input). The
    first TTL is the default one. New per-model cache facts go here as fields with defaults, so
    price files that do not mention them keep loading.
    """

    min_prefix_tokens: int
    read_multiplier: float
    ttls: tuple[CacheTtl, ...]
    source: str
    as_of: str

    def ttl(self, name: str | None = None) -> CacheTtl:
        """The named TTL option (default: the first), or an error listing the offered ones."""
        if name is None:
            return self.ttls[0]
        for ttl in self.ttls:
            if ttl.name == name:
                return ttl
        raise RagtuneError(
            f"cache_ttl {name!r} is not offered for this model",
            hint="offered: " + ", ".join(t.name for t in self.ttls),
        )


@dataclass(frozen=True)
class ModelPrice:
    name: str
    provider: str
    input_per_m: float
    output_per_m: float
    source: str
    as_of: str
    # Both come from `cache` when the entry has one (the default TTL's write price and the read
    # price); a price file without a `cache:` block may set them directly.
    cache_write_multiplier: float = 1.0
    cache_read_multiplier: float = 1.0
    cache: CachePolicy | None = None
    training_per_m: float | None = None
    base: str | None = None
    context_window: int | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class GpuPrice:
    name: str
    hourly: float
    source: str
    as_of: str
    memory_gb: float | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmbeddingPrice:
    name: str
    per_m: float
    source: str
    as_of: str
    provider: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class InfraPrice:
    name: str
    monthly: float
    source: str
    as_of: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchPrice:
    """A model's batch-API prices (OpenAI Batch, Anthropic Message Batches): the same model,
    answers within `turnaround_hours` instead of seconds, at these rates. The entry's name is
    the model's catalog name."""

    name: str
    input_per_m: float
    output_per_m: float
    source: str
    as_of: str
    cached_input_per_m: float | None = None  # a cache read inside a batch; None: no caching
    turnaround_hours: float = 24.0  # both providers promise results within 24 hours
    aliases: tuple[str, ...] = ()


Entry = ModelPrice | GpuPrice | EmbeddingPrice | InfraPrice | BatchPrice
_TYPES: dict[str, type[Any]] = {
    "models": ModelPrice,
    "gpus": GpuPrice,
    "embeddings": EmbeddingPrice,
    "infra": InfraPrice,
    "batch": BatchPrice,
}
_NUMERIC = {
    "input_per_m",
    "output_per_m",
    "cache_write_multiplier",
    "cache_read_multiplier",
    "training_per_m",
    "hourly",
    "per_m",
    "monthly",
    "memory_gb",
    "context_window",
    "cached_input_per_m",
    "turnaround_hours",
}


@dataclass(frozen=True)
class Catalog:
    """All prices, by section and name; `files` says where they came from."""

    models: dict[str, ModelPrice] = field(default_factory=dict)
    gpus: dict[str, GpuPrice] = field(default_factory=dict)
    embeddings: dict[str, EmbeddingPrice] = field(default_factory=dict)
    infra: dict[str, InfraPrice] = field(default_factory=dict)
    batch: dict[str, BatchPrice] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    def model(self, name: str) -> ModelPrice:
        """A model by name or alias; a dated snapshot (gpt-4o-mini-2024-07-18) finds its
        model, and a hosted fine-tune (`ft:BASE:org:suffix:id`) its base's `-ft` prices."""
        base = finetuned_base(name)
        if base is not None:
            return self.tuned(base)
        try:
            return self._find("models", name)  # type: ignore[return-value]
        except RagtuneError:
            undated = SNAPSHOT.sub("", name.strip())
            if undated == name.strip():
                raise
            return self._find("models", undated)  # type: ignore[return-value]

    def tuned(self, base: str) -> ModelPrice:
        """The hosted fine-tuned variant of `base`: the entry naming it as `base`, with a
        training price (its input / output prices include the provider's inference premium)."""
        root = self.model(base).name
        for entry in self.models.values():
            if entry.base == root and entry.training_per_m is not None:
                return entry
        raise RagtuneError(
            f"the price catalog has no fine-tuning prices for {base!r}",
            hint="add an entry with `base: " + root + "` and `training_per_m` to a price file "
            "(--prices), or tune a model that has one (`ragtune prices ft`)",
        )

    def batch_model(self, name: str) -> ModelPrice | None:
        """`name` priced through its provider's batch API, or None when the catalog has no
        batch price for it. The result is an ordinary `ModelPrice` (named "MODEL (batch)"), so
        every formula prices batch calls the same way as interactive ones."""
        model = self.model(name)
        batch = self.batch.get(model.name)
        if batch is None:
            return None
        cached = batch.cached_input_per_m
        if cached is None:  # the price page lists no cached rate for batches: no cache at all,
            # neither a read discount nor a write surcharge (read model by model, never assumed)
            cache, read, write = None, 1.0, 1.0
        else:
            read = cached / batch.input_per_m if batch.input_per_m else 1.0
            cache = replace(model.cache, read_multiplier=read) if model.cache else None
            write = model.cache_write_multiplier
        return replace(
            model,
            name=f"{model.name} (batch)",
            input_per_m=batch.input_per_m,
            output_per_m=batch.output_per_m,
            cache_read_multiplier=read,
            cache_write_multiplier=write,
            cache=cache,
            source=batch.source,
            as_of=batch.as_of,
            aliases=(),
        )

    def gpu(self, name: str) -> GpuPrice:
        return self._find("gpus", name)  # type: ignore[return-value]

    def embedding(self, name: str) -> EmbeddingPrice:
        return self._find("embeddings", name)  # type: ignore[return-value]

    def infra_item(self, name: str) -> InfraPrice:
        return self._find("infra", name)  # type: ignore[return-value]

    def names(self, section: str) -> list[str]:
        return sorted(getattr(self, section))

    def has(self, section: str, name: str) -> bool:
        """True when `name` (or an alias) is in `section`."""
        try:
            self._find(section, name)
        except RagtuneError:
            return False
        return True

    def _find(self, section: str, name: str) -> Entry:
        entries: dict[str, Entry] = getattr(self, section)
        key = name.strip().lower()
        if key in entries:
            return entries[key]
        for entry in entries.values():
            if key in entry.aliases:
                return entry
        raise RagtuneError(
            f"unknown {section[:-1] if section != 'infra' else 'infra item'} {name!r}",
            hint=suggest(name, self.names(section) + _aliases(entries))
            + f"; `ragtune prices --section {section}` lists them all",
        )

    def search(self, text: str = "") -> list[tuple[str, Entry]]:
        """Entries whose name, alias, provider or source contains `text` (case-insensitive)."""
        needle = text.lower()
        found = []
        for section in SECTIONS:
            for entry in getattr(self, section).values():
                hay = " ".join(
                    [entry.name, *entry.aliases, getattr(entry, "provider", ""), entry.source]
                ).lower()
                if needle in hay:
                    found.append((section, entry))
        return found


def _aliases(entries: dict[str, Entry]) -> list[str]:
    return [alias for entry in entries.values() for alias in entry.aliases]


def load_catalog(*extra: str | Path) -> Catalog:
    """The bundled catalog, overridden entry by entry by each file in `extra`."""
    bundled = resources.files("ragtune.cost").joinpath("prices.yaml").read_text(encoding="utf-8")
    sections: dict[str, dict[str, Entry]] = {s: {} for s in SECTIONS}
    files = ["ragtune/cost/prices.yaml"]
    _merge(sections, bundled, "bundled prices.yaml")
    for path in extra:
        path = Path(path)
        text = read_user_file(path, "price file", hint="pass an existing YAML file to --prices")
        _merge(sections, text, str(path))
        files.append(str(path))
    return Catalog(**sections, files=tuple(files))  # type: ignore[arg-type]


def _merge(sections: dict[str, dict[str, Entry]], text: str, source: str) -> None:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise RagtuneError(f"{source} is not valid YAML: {err}") from err
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RagtuneError(f"{source}: expected a mapping with sections {', '.join(SECTIONS)}")
    problems: list[Problem] = []
    for section, entries in data.items():
        if section not in SECTIONS:
            problems.append(Problem(section, f"unknown section; allowed: {', '.join(SECTIONS)}"))
            continue
        for name, raw in (entries or {}).items():
            entry = _entry(section, str(name), raw, problems)
            if entry is not None:
                sections[section][entry.name] = entry
    if problems:
        raise ValidationError(source, problems)


def _entry(section: str, name: str, raw: Any, problems: list[Problem]) -> Entry | None:
    cls = _TYPES[section]
    where = f"{section}.{name}"
    if not isinstance(raw, dict):
        problems.append(Problem(where, "expected a mapping of fields", repr(raw)))
        return None
    allowed = {f.name for f in fields(cls)} - {"name"}
    values: dict[str, Any] = {"name": name.lower()}
    before = len(problems)
    for key, value in raw.items():
        if key not in allowed:
            problems.append(
                Problem(f"{where}.{key}", f"unknown field; allowed: {', '.join(sorted(allowed))}")
            )
        elif key in _NUMERIC:
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                problems.append(Problem(f"{where}.{key}", "must be a number >= 0", repr(value)))
            else:
                values[key] = value
        elif key == "cache" and section == "models":
            policy = _cache_policy(value, f"{where}.cache", problems)
            if policy is not None:
                values["cache"] = policy
                values["cache_read_multiplier"] = policy.read_multiplier
                values["cache_write_multiplier"] = policy.ttls[0].write_multiplier
        elif key == "aliases":
            values[key] = tuple(str(a).lower() for a in value or ())
        elif key == "as_of":
            values[key] = value.isoformat() if isinstance(value, date) else str(value)
        else:
            values[key] = str(value)
    if "cache" in raw and {"cache_write_multiplier", "cache_read_multiplier"} & set(raw):
        problems.append(
            Problem(
                f"{where}.cache",
                "give the cache multipliers in the `cache:` block only (one home for each price)",
            )
        )
    required = {
        f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING
    }
    for key in sorted(required - values.keys()):
        problems.append(
            Problem(
                f"{where}.{key}",
                "missing (every price needs a source and date)"
                if key in {"source", "as_of"}
                else "missing",
            )
        )
    if len(problems) > before:
        return None
    entry: Entry = cls(**values)
    return entry


_TTL_NAME = re.compile(r"^(\d+(?:\.\d+)?)(m|h)$")
_CACHE_FIELDS = ("min_prefix_tokens", "read_multiplier", "ttls", "source", "as_of")


def _cache_policy(raw: Any, where: str, problems: list[Problem]) -> CachePolicy | None:
    """A `cache:` block: {min_prefix_tokens, read_multiplier, ttls: {5m: 1.25, 1h: 2}, source,
    as_of}. TTL names are minutes or hours (`5m`, `1h`); each maps to its write multiplier."""
    before = len(problems)
    if not isinstance(raw, dict):
        problems.append(Problem(where, "expected a mapping", repr(raw)))
        return None
    for key in raw:
        if key not in _CACHE_FIELDS:
            problems.append(
                Problem(f"{where}.{key}", f"unknown field; allowed: {', '.join(_CACHE_FIELDS)}")
            )
    for key in _CACHE_FIELDS:
        if key not in raw:
            problems.append(
                Problem(f"{where}.{key}", "missing (every price needs a source and date)")
            )
    if len(problems) > before:
        return None
    numbers = {}
    for key in ("min_prefix_tokens", "read_multiplier"):
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(Problem(f"{where}.{key}", "must be a number >= 0", repr(value)))
        else:
            numbers[key] = value
    ttls = []
    entries = raw["ttls"]
    if not isinstance(entries, dict) or not entries:
        problems.append(
            Problem(f"{where}.ttls", "expected {5m: write multiplier, ...}", repr(entries))
        )
        entries = {}
    for name, multiplier in entries.items():
        match = _TTL_NAME.match(str(name))
        bad = isinstance(multiplier, bool) or not isinstance(multiplier, int | float)
        if match is None or bad or multiplier < 0:
            problems.append(
                Problem(
                    f"{where}.ttls.{name}",
                    "expected `5m: 1.25` (a lifetime in m or h: its write multiplier >= 0)",
                    repr(multiplier),
                )
            )
            continue
        minutes = float(match.group(1)) * (60.0 if match.group(2) == "h" else 1.0)
        ttls.append(CacheTtl(str(name), minutes, float(multiplier)))
    if len(problems) > before:
        return None
    as_of = raw["as_of"]
    return CachePolicy(
        min_prefix_tokens=int(numbers["min_prefix_tokens"]),
        read_multiplier=float(numbers["read_multiplier"]),
        ttls=tuple(ttls),
        source=str(raw["source"]),
        as_of=as_of.isoformat() if isinstance(as_of, date) else str(as_of),
    )
