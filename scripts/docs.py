"""Generate the parts of the docs that come from the code, so they cannot drift.

    python scripts/docs.py            # rewrite the reference pages and every console block
    python scripts/docs.py --check    # exit 1, naming each stale page or block (no writes)

Three kinds of generated text:

- `docs/reference/workload.md` (+ `workload.schema.json`): every key a workload file accepts,
  from the pydantic models' JSON schema: the workload model and each arm's settings model.
- `docs/reference/scenario.md` (+ `scenario.schema.json`): every key a what-if scenario accepts.
- `docs/reference/report.md` (+ `report.schema.json`): the report document's models.
- Console blocks in README.md and docs/**/*.md. A block is generated when an HTML comment names
  the commands right before its fence:

      <!-- console: ragtune cost src/ragtune/examples/scenarios/projects_vs_local.yaml -->
      ```console
      $ ragtune cost src/ragtune/examples/scenarios/projects_vs_local.yaml
      ...what it printed...
      ```

  Several commands are separated by ` ;; `; `{run}` in a command is the run id the block's last
  `ragtune run` printed. Each command runs in bash, from a fresh scratch folder where `src` and
  `docs` point at this checkout (so writes land in the scratch folder), with `ragtune` being this
  checkout's code, the run store in the scratch folder and a 120-column terminal. stdout is shown;
  add `2>&1` to the command to show stderr too. A block whose output cannot be made in seconds
  (a model download, a LoRA run, `ragtune demo`) is marked `<!-- recorded: DATE, why -->` instead
  and is never regenerated; a console block with neither marker is an error.

Comparing a block with a fresh run masks what legitimately changes between runs (`mask`): run
ids (`20261206-223726-6082` -> `RUN-ID`), ISO timestamps (a report's "generated") and durations
printed as `N s` or `NmNs`. Everything
else, column titles and numbers included, must match.

Deliberately not here: the prose pages themselves, and building the site (`make docs`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

DOCS_TODAY = "2026-12-07"  # "today" for model lifecycles in console blocks
ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference"
WIDTH = 120  # terminal columns the blocks are rendered at (rich wraps tables to fit)

RUN_ID = re.compile(r"\b\d{8}-\d{6}-[0-9a-f]{4}\b")
TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?")
DURATION = re.compile(r"\b\d+(?:\.\d+)? ?s\b(?=[),;\n ]|$)|\b\d+m\d+s\b")
MARKER = re.compile(r"^<!-- (console|recorded): ([^\n]*?) -->\n```console\n(.*?)^```$", re.M | re.S)
FENCE = re.compile(r"^```console$", re.M)


# -- the models the pages are generated from (one line to change when one moves) ---------------


def workload_model() -> type[BaseModel]:
    from ragtune.config import WorkloadSpec

    return WorkloadSpec


def arm_settings() -> dict[str, type[BaseModel]]:
    """Each registered arm's settings model, by arm name."""
    from ragtune.strategies import ARMS

    return {name: cls.settings for name, cls in ARMS.items()}


def scenario_model() -> type[BaseModel]:
    from ragtune.scenario import Scenario

    return Scenario


def report_model() -> type[BaseModel]:
    from ragtune.report.model import ReportDocument

    return ReportDocument


# -- JSON schema -> Markdown tables ---------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    type: str
    default: str
    description: str


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return defs[ref.rsplit("/", 1)[-1]] if ref else node


QUANTITY = "quantity"  # a scenario number: `720`, `[low, high]` or `{dist: ...}`


def _variants(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of a union, nested unions flattened (a tagged union inside Optional)."""
    if node.get("title") == QUANTITY:
        return [node]
    inner = node.get("anyOf") or node.get("oneOf")
    return [v for sub in inner for v in _variants(sub)] if inner else [node]


def _type(node: dict[str, Any], defs: dict[str, Any], link: bool = False) -> str:
    """A short type: `integer ≥ 1`, `"a" | "b"`, `list of string`, `mapping`, `X or null`."""
    parts = []
    for v in _variants(node):
        if v.get("title") == QUANTITY:
            parts.append(QUANTITY)
            continue
        ref = v.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            parts.append(f"[{name}](#{name.lower()})" if link else "mapping")
            continue
        if "enum" in v or "const" in v:
            values = v.get("enum", [v.get("const")])
            parts.append(" | ".join(json.dumps(x) for x in values))
            continue
        t = v.get("type", "any")
        if t == "array":
            items = v.get("items", {})
            parts.append(f"list of {_type(items, defs, link)}" if items else "list")
        elif t == "object":
            extra = v.get("additionalProperties")
            inner = _type(extra, defs, link) if isinstance(extra, dict) and extra else "any"
            parts.append(f"mapping of name → {inner}")
        else:
            bounds = [
                f"{sym} {v[k]}"
                for k, sym in (
                    ("minimum", "≥"),
                    ("exclusiveMinimum", ">"),
                    ("maximum", "≤"),
                    ("exclusiveMaximum", "<"),
                    ("minLength", "length ≥"),
                    ("maxLength", "length ≤"),
                    ("minItems", "items ≥"),
                    ("maxItems", "items ≤"),
                )
                if k in v
            ]
            parts.append(" ".join([str(t), *bounds]) if bounds else str(t))
    return " or ".join(dict.fromkeys(parts))


def _default(prop: dict[str, Any], required: bool) -> str:
    if required:
        return "required"
    if "default" not in prop:
        return ""
    text = json.dumps(prop["default"], ensure_ascii=False)
    return f"`{text}`" if len(text) <= 60 else "(the keys below)"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def key_rows(model: dict[str, Any], defs: dict[str, Any], prefix: str = "") -> Iterator[Row]:
    """One row per key of an object schema, then its nested objects' keys as `parent.child`
    (`parent[].child` inside a list; a mapping of names to objects also as `parent.child`)."""
    required = set(model.get("required", []))
    for name, prop in model.get("properties", {}).items():
        key = f"{prefix}{name}"
        yield Row(
            key, _type(prop, defs), _default(prop, name in required), prop.get("description", "")
        )
        for v in _variants(prop):
            target, suffix = v, "."
            if v.get("type") == "array" and "$ref" in v.get("items", {}):
                target, suffix = v["items"], "[]."
            extra = v.get("additionalProperties")
            if v.get("type") == "object" and isinstance(extra, dict) and "$ref" in extra:
                target = extra  # a mapping of name -> model (`pricing.endpoints.NAME.machine`)
            if "$ref" in target:
                yield from key_rows(_resolve(target, defs), defs, key + suffix)


def table(rows: list[Row], first: str = "key") -> str:
    lines = [f"| {first} | type | default | description |", "|---|---|---|---|"]
    lines += [
        f"| `{r.key}` | {_cell(r.type)} | {_cell(r.default)} | {_cell(r.description)} |"
        for r in rows
    ]
    return "\n".join(lines)


HEADER = (
    "<!-- generated by scripts/docs.py from the code: "
    "do not edit, run `python scripts/docs.py` -->\n"
)


def workload_page() -> str:
    schema = workload_model().model_json_schema(by_alias=True)
    defs = schema.get("$defs", {})
    out = [
        HEADER,
        "# Workload reference\n",
        "Every key a workload file accepts, generated from the workload model's JSON schema "
        "([workload.schema.json](workload.schema.json)). Nested keys are written with dots "
        "(`data.fields.input`); `[]` marks the items of a list. How to use them: "
        "[The workload file](../workload.md).\n",
        "## Top level\n",
        table(list(key_rows(schema, defs))),
        "\n## Arm settings\n",
        "Each key under `arms:` is an arm name; its mapping is checked against that arm's own "
        "settings. `arm:` makes a named variant of an arm (`prompt_v2: {arm: prompt}`); any other "
        "name with an `answers:` file is a `recorded` arm.\n",
    ]
    for arm, settings in arm_settings().items():
        s = settings.model_json_schema(by_alias=True)
        doc = " ".join((settings.__doc__ or "").split())
        out += [
            f"### `{arm}`\n",
            f"{doc}\n" if doc else "",
            table(list(key_rows(s, s.get("$defs", {}), f"arms.{arm}."))),
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


def workload_schema() -> dict[str, Any]:
    schema = workload_model().model_json_schema(by_alias=True)
    schema["properties"]["arms"]["additionalProperties"] = {
        "anyOf": [s.model_json_schema(by_alias=True) for s in arm_settings().values()]
    }
    return schema


def scenario_schema() -> dict[str, Any]:
    """The scenario's JSON schema, quantity defaults written as a user writes them (720, not
    {"dist": "fixed", "low": 720, ...})."""
    from ragtune.cost import Quantity
    from ragtune.scenario import written

    def plain(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"dist", "low", "high", "mode", "mean", "sd"}:
                return written(Quantity(**node))
            return {k: plain(v) for k, v in node.items()}
        if isinstance(node, list):
            return [plain(v) for v in node]
        return node

    return plain(scenario_model().model_json_schema(by_alias=True))  # type: ignore[no-any-return]


def scenario_page() -> str:
    schema = scenario_schema()
    defs = schema.get("$defs", {})
    out = [
        HEADER,
        "# Scenario reference\n",
        "Every key a scenario file (`ragtune cost scenario.yaml`) accepts, generated from the "
        "scenario model's JSON schema ([scenario.schema.json](scenario.schema.json)). Nested keys "
        "are written with dots (`options.NAME.api.model`); `[]` marks the items of a list. A "
        "*quantity* is a number (`720`), a range `[low, high]` (uniform between them) or a "
        "distribution `{dist: triangular, low:, mode:, high:}` (`uniform`, `triangular`, "
        "`normal` with `mean` and `sd`, `lognormal` with `low`/`high` as its 5th and 95th "
        "percentiles, `loguniform`); point values use its mean. How to use them: "
        "[The calculator](../calculator.md).\n",
        "## Top level\n",
        table(list(key_rows(schema, defs))),
        "\n## Options\n",
        "Each key under `options:` names an option; its mapping holds any of the keys below.\n",
        table(list(key_rows(defs["OptionSpec"], defs, "options.NAME."))),
    ]
    return "\n".join(out).rstrip() + "\n"


def report_page() -> str:
    model = report_model()
    schema = model.model_json_schema(by_alias=True)
    defs = schema.pop("$defs", {})
    version = model.model_fields["schema_"].default if "schema_" in model.model_fields else None
    out = [
        HEADER,
        "# Report format\n",
        "`ragtune report RUN_ID --format json` writes the report document: one typed, versioned "
        "model that the HTML and Markdown reports and the runs viewer are rendered from. "
        "This page is generated from its JSON schema ([report.schema.json](report.schema.json))"
        + (f"; this release writes version `{version}`." if version else ".")
        + " Every model forbids unknown fields.\n",
        "The JSON file also has `charts`: each chart's [Vega-Lite](https://vega.github.io/vega-lite/)"
        " spec by name (`cost`, `quality`, `latency`, `freshness`, `training`, `router`, "
        "`learning-curve-ARM`; only those the run has numbers for), the specs the HTML report "
        "draws, so any Vega-Lite viewer shows the same charts. They are derived from the fields "
        "below: reading a file back ignores them and the renderers build them again.\n",
    ]
    for name, node in [(model.__name__, schema), *sorted(defs.items())]:
        doc = " ".join(node.get("description", "").split())
        rows = [
            Row(
                key,
                _type(prop, defs, link=True),
                _default(prop, key in node.get("required", [])),
                prop.get("description", ""),
            )
            for key, prop in node.get("properties", {}).items()
        ]
        out += [f"## {name}\n", f"{doc}\n" if doc else "", table(rows, "field"), ""]
    return "\n".join(out).rstrip() + "\n"


def reference_files() -> dict[Path, str]:
    dump = lambda obj: json.dumps(obj, indent=2, ensure_ascii=False) + "\n"  # noqa: E731
    return {
        REFERENCE / "workload.md": workload_page(),
        REFERENCE / "workload.schema.json": dump(workload_schema()),
        REFERENCE / "scenario.md": scenario_page(),
        REFERENCE / "scenario.schema.json": dump(scenario_schema()),
        REFERENCE / "report.md": report_page(),
        REFERENCE / "report.schema.json": dump(report_model().model_json_schema(by_alias=True)),
    }


# -- console blocks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    path: Path
    kind: str  # "console" (generated) or "recorded" (kept as written)
    spec: str  # the commands, or the recorded note
    body: str  # the text between the fences
    start: int  # offsets of the body in the file
    end: int

    @property
    def commands(self) -> list[str]:
        return [c.strip() for c in self.spec.split(" ;; ") if c.strip()]

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}: {self.spec[:70]}"


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def blocks(path: Path, *, strict: bool = True) -> list[Block]:
    """The marked console blocks of a page; an unmarked one is an error (`strict`), else left out
    (the test suite collects with `strict=False`, so one unmarked block fails one test instead of
    stopping the whole run at collection)."""
    text = path.read_text()
    found = [
        Block(path, m.group(1), m.group(2), m.group(3), m.start(3), m.end(3))
        for m in MARKER.finditer(text)
    ]
    starts = {text.rfind("```console", 0, b.start) for b in found}
    for fence in FENCE.finditer(text):
        if fence.start() not in starts and strict:
            line = text.count("\n", 0, fence.start()) + 1
            raise SystemExit(
                f"{path.relative_to(ROOT)}:{line}: a console block without a marker: put "
                "`<!-- console: COMMAND -->` (or `<!-- recorded: DATE, why -->`) right before it"
            )
    return found


def _clean(text: str, scratch: Path) -> str:
    """Paths made relative to where the command ran, trailing spaces dropped."""
    for base in (str(scratch.resolve()), str(scratch), str(ROOT)):
        text = text.replace(base + "/", "").replace(base, ".")
    return "\n".join(line.rstrip() for line in text.splitlines())


def run_block(block: Block) -> str:
    """Run a block's commands as the page says and return the block's new body."""
    with tempfile.TemporaryDirectory(prefix="ragtune-docs-") as tmp:
        scratch = Path(tmp)
        for name in ("src", "docs"):
            (scratch / name).symlink_to(ROOT / name)
        bin_dir = scratch / ".bin"
        bin_dir.mkdir()
        ragtune = bin_dir / "ragtune"
        ragtune.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m ragtune "$@"\n')
        ragtune.chmod(0o755)
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(ROOT / "src"),
            "RAGTUNE_STORE": str(scratch / ".ragtune" / "ragtune.db"),
            "COLUMNS": str(WIDTH),
            "LINES": "50",
            "NO_COLOR": "1",
            "TERM": "dumb",
            # model shutdowns are read as of one day, so a block's warnings do not change with
            # the calendar: the day src/ragtune/cost/lifecycle.yaml was last read
            "RAGTUNE_TODAY": os.environ.get("RAGTUNE_TODAY", DOCS_TODAY),
        }
        env.pop("FORCE_COLOR", None)
        out: list[str] = []
        run_id = ""
        for command in block.commands:
            shown = command.replace("{run}", run_id or "{run}")
            done = subprocess.run(
                ["bash", "-c", shown],
                cwd=scratch,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if done.returncode not in (0, 2):  # 2: the error examples' own exit code
                raise SystemExit(
                    f"{block.where}: `{shown}` exited {done.returncode}\n{done.stderr[-2000:]}"
                )
            printed = _clean(done.stdout, scratch)
            if command.startswith("ragtune run ") and (m := RUN_ID.search(printed)):
                run_id = m.group(0)
            out.append(f"$ {shown}\n{printed}".rstrip())
        return "\n".join(out) + "\n"


def mask(text: str) -> str:
    """What may differ between two runs of the same commands: run ids, the time a report was
    generated and wall-clock durations."""
    text = TIMESTAMP.sub("TIMESTAMP", RUN_ID.sub("RUN-ID", text))
    return DURATION.sub("N s", text)


# -- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale text, write nothing")
    parser.add_argument("--no-console", action="store_true", help="reference pages only")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    stale: list[str] = []
    for path, text in reference_files().items():
        if not path.exists() or path.read_text() != text:
            stale.append(str(path.relative_to(ROOT)))
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    if not args.no_console:
        for page in doc_files():
            found = [b for b in blocks(page) if b.kind == "console"]
            text = page.read_text()
            for block in reversed(found):  # from the end, so earlier offsets stay valid
                body = run_block(block)
                if mask(body) != mask(block.body):
                    stale.append(block.where)
                    text = text[: block.start] + body + text[block.end :]
            if not args.check and text != page.read_text():
                page.write_text(text)
    for item in stale:
        print(("stale: " if args.check else "rewrote: ") + item)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
