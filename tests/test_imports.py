"""Imports flow one way: down the declared layers, and never round a cycle.

`LAYERS` lists ragtune's packages from the bottom (leaves) to the top (the CLI); a module may
import its own layer and the layers below it, never one above (a back-edge). No module imports
(directly or through others) one that imports it. Other layers import a package's surface (its
`__init__.py` and `__all__`); the submodules they still reach into are listed in
`SUBMODULE_IMPORTS`, a list that only shrinks.

Every import counts, at module level, inside functions and under `TYPE_CHECKING`, since a lazy
import only hides a cycle. `from package import name` is an edge to `package.name` when that is
a module the package does not shadow with a name of its `__all__`, else to the package itself.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import ragtune

ROOT = Path(ragtune.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def surface(init: Path) -> set[str]:
    """The names in a package's `__all__`."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    surfaces = {name: surface(path) for name, path in modules.items() if path.name == "__init__.py"}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    shadowed = alias.name in surfaces.get(base, set())
                    targets.append(full if full in modules and not shadowed else base)
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


# Bottom to top; a package's place is the first entry that is a prefix of the module's name.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("ragtune", "ragtune.errors", "ragtune.progress", "ragtune.examples"),  # leaves of everything
    ("ragtune.data",),  # examples, splits, samples
    ("ragtune.backends",),  # model calls
    ("ragtune.retrieval",),  # the knowledge index
    ("ragtune.cost",),  # prices and the cost engine
    ("ragtune.scoring",),  # metrics and the judge's prompts (the router calibrates on them)
    ("ragtune.stats",),  # intervals, tests, agreement, curve fits
    ("ragtune.strategies",),  # the arms
    ("ragtune.config", "ragtune.scenario"),  # what users write: workload and scenario schemas
    ("ragtune.importers",),  # other tools' results -> a workload with recorded-answer arms
    ("ragtune.finetune",),  # tuned models for the finetune arms
    ("ragtune.store",),  # the run store
    ("ragtune.running",),  # running the arms into the store
    ("ragtune.evidence",),  # a run read back as evidence
    ("ragtune.report",),  # the report document and its renderers
    ("ragtune.advisor",),  # the verdict, filled into the report document
    ("ragtune.web",),  # the local web app
    ("ragtune.cli", "ragtune.__main__"),  # the only place that prints and exits
)


def layer_of(module: str) -> int:
    """The index in `LAYERS` of the longest declared name that is `module` or a package of it."""
    best, found = "", -1
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > len(best):
                best, found = name, i
    if found < 0:
        raise AssertionError(f"{module} has no layer: add its package to LAYERS")
    return found


def back_edges(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports from a lower layer to a higher one, as (importer, imported)."""
    return sorted(
        (a, b) for a, targets in graph.items() for b in targets if layer_of(b) > layer_of(a)
    )


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_walker_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_ragtune_module_is_part_of_an_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 100  # every module was walked
    assert "ragtune.running.runner" in graph["ragtune.cli.run"] or graph["ragtune.cli.run"]
    assert cycles(graph) == []


def test_the_checker_finds_a_back_edge() -> None:
    planted = {
        "ragtune.stats.paired": {"ragtune.errors", "ragtune.evidence.summary"},
        "ragtune.evidence.summary": {"ragtune.stats.paired"},
        "ragtune.errors": set(),
    }
    assert back_edges(planted) == [("ragtune.stats.paired", "ragtune.evidence.summary")]
    del planted["ragtune.stats.paired"]
    assert back_edges(planted) == []


def test_every_module_has_a_layer() -> None:
    for name in import_graph():
        layer_of(name)


def test_imports_run_down_the_layers() -> None:
    assert back_edges(import_graph()) == []


def package_of(module: str) -> str:
    """`ragtune.evidence.summary` -> `ragtune.evidence`; a top-level module is its own package."""
    parts = module.split(".")
    return ".".join(parts[:2])


def submodule_imports(graph: dict[str, set[str]]) -> set[str]:
    """Submodules that a module of another package imports, past that package's surface."""
    return {
        b
        for a, targets in graph.items()
        for b in targets
        if package_of(a) != package_of(b) and b != package_of(b)
    }


# Submodules that other packages may still import past the package's surface. This list only
# shrinks: remove an entry once nothing needs it (the test below fails on a stale entry too).
SUBMODULE_IMPORTS = {
    "ragtune.cost.formulas": "the formulas are used as a namespace (`formulas.labour_cost`)",
    "ragtune.finetune.export": "its function `export` has the module's name",
    "ragtune.retrieval.evaluation": "`ragtune index eval` only; its `evaluate` is not evidence's",
    "ragtune.retrieval.fusion": "`ragtune index search --mode`: the fusion modes",
    "ragtune.web.app": "`ragtune serve` imports the web app (and FastAPI) only when it serves",
}


def test_other_packages_import_a_package_through_its_surface() -> None:
    graph = import_graph()
    assert submodule_imports(graph) == set(SUBMODULE_IMPORTS)


def test_the_surfaces_stay_light() -> None:
    """Package surfaces re-export their submodules, so a heavy import there would load for every
    command: importing the CLI and every surface must not import torch, transformers or Ray."""
    packages = sorted(
        name for name in import_graph() if (ROOT.parent / name.replace(".", "/")).is_dir()
    )
    code = (
        f"import sys\nfor name in {packages!r}: __import__(name)\n"
        "print(sorted({'torch', 'transformers', 'ray', 'peft', 'fastapi'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


MAX_LINES = 500  # STYLE.md: files past ~500 lines get split by noun
WHY_LONGER = "longer than 500 lines because"  # the docstring sentence that excuses a long module


def test_no_module_is_over_500_lines_unless_its_docstring_says_why() -> None:
    long = []
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if len(text.splitlines()) > MAX_LINES and WHY_LONGER not in " ".join(docstring.split()):
            long.append(module_name(path))
    assert long == []


# docs/architecture.md walks one run file by file: every path it names must exist (a moved module
# fails here until the page follows), and every layer must be on it.
PAGE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


def test_every_path_the_page_names_exists() -> None:
    text = PAGE.read_text(encoding="utf-8")
    paths = set(re.findall(r"`([\w/]+(?:\.py|/))`", text))
    assert len(paths) > 40  # the walk names files, not only packages
    repo = PAGE.parents[1]
    missing = sorted(p for p in paths if not (ROOT / p).exists() and not (repo / p).exists())
    assert missing == []


def test_every_layer_is_on_the_page() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for names in LAYERS:
        for name in names:
            if name in ("ragtune", "ragtune.__main__", "ragtune.examples"):
                continue
            module = name.removeprefix("ragtune.").replace(".", "/")
            path = ROOT / module
            assert f"`{module}/`" in text if path.is_dir() else f"`{module}.py`" in text, module
