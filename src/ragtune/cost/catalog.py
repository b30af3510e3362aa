"""The price catalog: models, GPUs, embedding models and flat infrastructure, each with a source.

Token prices come from the `genai-prices` library (`library.py`); ragtune's bundled
`prices.yaml` is an overlay holding only what the library lacks (per-model cache minimums and
TTLs in `rules:`, fine-tuning prices, batch rates, GPUs, machines), and any user files come last
(an entry with the same name replaces the earlier one, a user's `models:` entry beats the
library). A model lookup tries the price files' entries, then the library; a name neither knows is
an error that suggests the nearest names, never a price of $0. This module reads files; the
formulas that use the prices are pure (`formulas.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ragtune.backends import BATCH_SUFFIX
from ragtune.cost import library
from ragtune.cost.entries import (
    BatchPrice,
    CachePolicy,
    CacheTtl,
    EmbeddingPrice,
    Entry,
    GpuPrice,
    InfraPrice,
    ModelPrice,
    ModelRule,
)
from ragtune.cost.library import LibraryModel, Tier
from ragtune.cost.yaml_files import parse_bundled_yaml
from ragtune.errors import Problem, RagtuneError, ValidationError, read_user_file, suggest

SECTIONS = ("models", "gpus", "embeddings", "infra", "batch")
SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")  # OpenAI's dated model snapshots
_TYPES: dict[str, type[Any]] = {
    "models": ModelPrice,
    "gpus": GpuPrice,
    "embeddings": EmbeddingPrice,
    "infra": InfraPrice,
    "batch": BatchPrice,
    "rules": ModelRule,
}
_NUMERIC = {
    "min_prefix_tokens",
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


def finetuned_base(name: str) -> str | None:
    """The base model of an OpenAI fine-tuned model name (`ft:BASE:org:suffix:id`), else None."""
    parts = name.strip().split(":")
    return parts[1] if len(parts) >= 2 and parts[0] == "ft" and parts[1] else None


@dataclass(frozen=True)
class Catalog:
    """All prices, by section and name; `files` says where they came from."""

    models: dict[str, ModelPrice] = field(default_factory=dict)
    gpus: dict[str, GpuPrice] = field(default_factory=dict)
    embeddings: dict[str, EmbeddingPrice] = field(default_factory=dict)
    infra: dict[str, InfraPrice] = field(default_factory=dict)
    batch: dict[str, BatchPrice] = field(default_factory=dict)
    rules: dict[str, ModelRule] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    # library model ID -> its rule, filled on first use
    _rule_ids: dict[str, ModelRule] = field(default_factory=dict, compare=False, repr=False)

    def model(self, name: str) -> ModelPrice:
        """A model by name or alias: a price file's entry (a dated snapshot such as
        gpt-4o-mini-2024-07-18 finds its undated entry), else the price library's (which resolves
        providers' dated snapshots and aliases itself); a hosted fine-tune
        (`ft:BASE:org:suffix:id`) finds its base's `-ft` prices. Unknown names are an error."""
        if name.endswith(BATCH_SUFFIX):  # a call answered through the provider's batch API
            return self._batch_only(name.removesuffix(BATCH_SUFFIX))
        base = finetuned_base(name)
        if base is not None:
            return self.tuned(base)
        own = self._own_model(name)
        if own is not None:
            return own
        found = library.find(self._library_ref(name))
        if found is None:
            raise RagtuneError(
                f"unknown model {name!r}: no price file entry and no {library.PACKAGE} price",
                hint=suggest(name, self.names("models"))
                + "; price it with a `models:` entry in a price file (--prices, or "
                "`pricing.prices` in a workload; `ragtune prices` lists the known models)",
            )
        price = self._from_library(found)
        # a price file's entry for the resolved model wins for every ID the library maps to it
        return self._own_model(price.name) or price

    def _own_model(self, name: str) -> ModelPrice | None:
        for candidate in dict.fromkeys([name.strip(), SNAPSHOT.sub("", name.strip())]):
            try:
                return self._find("models", candidate)  # type: ignore[return-value]
            except RagtuneError:
                continue
        return None

    def _library_ref(self, name: str) -> str:
        key = name.strip().lower()
        for rule in self.rules.values():
            if key == rule.name or key in rule.aliases:
                return rule.library or rule.name
        return name

    def _rule_for(self, model_id: str) -> ModelRule | None:
        """The model-specific rule whose name the library resolves to `model_id`."""
        if not self._rule_ids:
            for rule in self.rules.values():
                if rule.name in library.LISTED_PROVIDERS:
                    continue
                found = library.find(rule.library or rule.name)
                self._rule_ids[found.id if found else f"?{rule.name}"] = rule
        return self._rule_ids.get(model_id)

    def _from_library(self, lib: LibraryModel) -> ModelPrice:
        rule = self._rule_for(lib.id)
        caching = rule if rule is not None and rule.min_prefix_tokens is not None else None
        caching = caching or self.rules.get(lib.provider)
        read = _ratio(lib.cache_read_per_m, lib.input_per_m)
        write = _ratio(lib.cache_write_per_m, lib.input_per_m)
        policy = None
        if caching is not None and caching.min_prefix_tokens is not None and read != 1.0:
            ttls = []
            for i, ttl in enumerate(caching.ttls):
                price = lib.cache_write_per_m if i == 0 else lib.cache_write_1h_per_m
                if i > 0 and price is None:
                    continue  # the library lists no price for this lifetime
                match = _TTL_NAME.match(ttl)
                assert match is not None  # checked when the rule was read
                minutes = float(match.group(1)) * (60.0 if match.group(2) == "h" else 1.0)
                ttls.append(CacheTtl(ttl, minutes, _ratio(price, lib.input_per_m)))
            policy = CachePolicy(
                caching.min_prefix_tokens, read, tuple(ttls), caching.source, caching.as_of
            )
        return ModelPrice(
            name=rule.name if rule is not None else lib.id,
            provider=lib.provider,
            input_per_m=lib.input_per_m,
            output_per_m=lib.output_per_m,
            source=lib.source,
            as_of=library.as_of(),
            cache_write_multiplier=policy.ttls[0].write_multiplier if policy else write,
            cache_read_multiplier=read,
            cache=policy,
            context_window=_window(rule, lib),
            aliases=rule.aliases if rule is not None else (),
            long_context=lib.tier,
            origin=library.PACKAGE,
        )

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

    def batch_model(self, name: str, *, reported_cache: bool = False) -> ModelPrice | None:
        """`name` at its batch price ("MODEL (batch)", an ordinary `ModelPrice`), or None.
        `reported_cache`: a run's batch results, whose usage reports cached tokens."""
        model = self.model(name)
        batch = self.batch.get(model.name)
        if batch is None:
            return None
        cached = batch.cached_input_per_m
        if cached is None and not reported_cache:  # a plan: none listed, no cache (issue 32)
            cache, read, write = None, 1.0, 1.0
        elif cached is None:  # reported, none listed: ASSUMED stacked discounts (docs/batch.md)
            cache, read = model.cache, model.cache_read_multiplier
            write = model.cache_write_multiplier
        else:
            read = cached / batch.input_per_m if batch.input_per_m else 1.0
            cache = replace(model.cache, read_multiplier=read) if model.cache else None
            write = model.cache_write_multiplier
        return replace(
            model,
            name=f"{model.name}{BATCH_SUFFIX}",
            input_per_m=batch.input_per_m,
            output_per_m=batch.output_per_m,
            cache_read_multiplier=read,
            cache_write_multiplier=write,
            cache=cache,
            source=batch.source,
            as_of=batch.as_of,
            aliases=(),
            origin=batch.origin,
            long_context=_batch_tier(model, batch),
        )

    def _batch_only(self, name: str) -> ModelPrice:
        price = self.batch_model(name, reported_cache=True)
        if price is None:
            raise RagtuneError(
                f"no batch price for model {name!r}: its calls went through a batch API but the "
                "catalog lists only its interactive price",
                hint="add a `batch:` entry for it to a price file (--prices, or "
                "`pricing.prices` in a workload)",
            )
        return price

    def gpu(self, name: str) -> GpuPrice:
        return self._find("gpus", name)  # type: ignore[return-value]

    def embedding(self, name: str) -> EmbeddingPrice:
        return self._find("embeddings", name)  # type: ignore[return-value]

    def infra_item(self, name: str) -> InfraPrice:
        return self._find("infra", name)  # type: ignore[return-value]

    def names(self, section: str) -> list[str]:
        if section == "models":
            rules = set(self.rules) - set(library.LISTED_PROVIDERS)
            return sorted({*self.models, *rules, *library.listed_ids()})
        return sorted(getattr(self, section))

    def has(self, section: str, name: str) -> bool:
        """True when `name` (or an alias) is in `section` (models: priced by any source)."""
        try:
            self.model(name) if section == "models" else self._find(section, name)
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
            entries = list(getattr(self, section).values())
            if section == "models":
                entries += self._library_entries()
            for entry in entries:
                hay = " ".join(
                    [entry.name, *entry.aliases, getattr(entry, "provider", ""), entry.source]
                ).lower()
                if needle in hay:
                    found.append((section, entry))
        return found

    def _library_entries(self) -> list[ModelPrice]:
        """The library's models of the providers ragtune calls, unless a price file has them."""
        out: dict[str, ModelPrice] = {}
        for model_id in library.listed_ids():
            if self._own_model(model_id) is not None:
                continue
            found = library.find(model_id)
            if found is not None and found.id == model_id:
                price = self._from_library(found)
                out.setdefault(price.name, price)
        return list(out.values())


def _ratio(price: float | None, input_per_m: float) -> float:
    """A cache price as a multiple of the input price (1.0 when the library lists none)."""
    return 1.0 if price is None or not input_per_m else round(price / input_per_m, 12)


def _aliases(entries: dict[str, Entry]) -> list[str]:
    return [alias for entry in entries.values() for alias in entry.aliases]


def load_catalog(*extra: str | Path) -> Catalog:
    """The bundled catalog, overridden entry by entry by each file in `extra`."""
    bundled = resources.files("ragtune.cost").joinpath("prices.yaml").read_text(encoding="utf-8")
    sections: dict[str, dict[str, Any]] = {s: {} for s in (*SECTIONS, "rules")}
    files = ["ragtune/cost/prices.yaml"]
    _merge(sections, bundled, "bundled prices.yaml", parse=parse_bundled_yaml)
    for path in extra:
        path = Path(path)
        text = read_user_file(path, "price file", hint="pass an existing YAML file to --prices")
        _merge(sections, text, str(path))
        files.append(str(path))
    return Catalog(**sections, files=tuple(files))


def _merge(
    sections: dict[str, dict[str, Any]],
    text: str,
    source: str,
    *,
    parse: Callable[[str], Any] = yaml.safe_load,
) -> None:
    try:
        data = parse(text)
    except yaml.YAMLError as err:
        raise RagtuneError(f"{source} is not valid YAML: {err}") from err
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RagtuneError(f"{source}: expected a mapping with sections {', '.join(SECTIONS)}")
    problems: list[Problem] = []
    for section, entries in data.items():
        if section not in _TYPES:
            allowed = ", ".join(_TYPES)
            problems.append(Problem(section, f"unknown section; allowed: {allowed}"))
            continue
        for name, raw in (entries or {}).items():
            entry = _entry(section, str(name), raw, problems, source)
            if entry is not None:
                sections[section][entry.name] = entry
    if problems:
        raise ValidationError(source, problems)


def _entry(section: str, name: str, raw: Any, problems: list[Problem], origin: str = "") -> Any:
    cls = _TYPES[section]
    where = f"{section}.{name}"
    if not isinstance(raw, dict):
        problems.append(Problem(where, "expected a mapping of fields", repr(raw)))
        return None
    names = {f.name for f in fields(cls)}
    allowed = names - {"name", "origin", "long_context"}
    values: dict[str, Any] = {"name": name.lower()}
    if "origin" in names:
        values["origin"] = origin
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
        elif key == "ttls" and section == "rules":
            ttls = [str(t) for t in value] if isinstance(value, list) else []
            if not ttls or any(_TTL_NAME.match(t) is None for t in ttls):
                problems.append(
                    Problem(
                        f"{where}.ttls", "expected a list of lifetimes, e.g. [5m, 1h]", repr(value)
                    )
                )
            values[key] = tuple(ttls)
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
    return cls(**values)


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


def _window(rule: ModelRule | None, lib: library.LibraryModel) -> int | None:
    """The overlay's longer window (the 1M-token option) only where the library prices the
    tokens past the default window (its long-context tier): without a tier, a 500K prompt would
    be billed at the base price (found by the attack review on Sonnet 4), so it is refused as
    too long instead."""
    wider = rule.context_window if rule is not None else None
    if wider is None or lib.context_window is None:
        return wider or lib.context_window
    return wider if lib.tier is not None or wider <= lib.context_window else lib.context_window


def _batch_tier(model: ModelPrice, batch: BatchPrice) -> Tier | None:
    """The long-context tier at the batch discount: the batch price's share of the list price
    applies to every token, so a 300K Sonnet 4.5 prompt costs half of $6 / $22.50, not all of it
    (found by the attack review: one token past 200K made a batch call 4x dearer, not 2x)."""
    tier = model.long_context
    if tier is None or not model.input_per_m or not model.output_per_m:
        return tier
    return Tier(
        tier.threshold,
        tier.input_per_m * batch.input_per_m / model.input_per_m,
        tier.output_per_m * batch.output_per_m / model.output_per_m,
    )
