"""Writing an imported workload is all or nothing, and refuses to overwrite unless told."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ragtune.config import load_workload
from ragtune.cost.catalog import load_catalog
from ragtune.importers import plan, read_promptfoo, write
from ragtune.importers import workload as module


def test_a_failure_half_way_leaves_nothing_behind(
    promptfoo_results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = plan(read_promptfoo(promptfoo_results, load_catalog()), "qa")
    real = module.write_jsonl
    calls: list[Path] = []

    def fail_on_third(path: Path, rows: Any) -> None:
        calls.append(path)
        if len(calls) == 3:  # test.jsonl and one answers file are already written
            raise OSError("disk full")
        real(path, rows)

    monkeypatch.setattr(module, "write_jsonl", fail_on_third)
    out = tmp_path / "imported"
    with pytest.raises(OSError, match="disk full"):
        write(p, out)
    assert not out.exists()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["results.json"]  # no staging folder


def test_an_existing_folder_is_kept_unless_forced(promptfoo_results: Path, tmp_path: Path) -> None:
    p = plan(read_promptfoo(promptfoo_results, load_catalog()), "qa")
    out = tmp_path / "imported"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(Exception, match="exists and is not empty; nothing was written"):
        write(p, out)
    assert [x.name for x in out.iterdir()] == ["mine.txt"]
    path = write(p, out, force=True)
    assert not (out / "mine.txt").exists()
    workload = load_workload(path)
    assert len(workload.arms) == 4
    assert sum(e.split == "test" for e in workload.examples) == 40
    assert sorted(x.name for x in tmp_path.iterdir()) == ["imported", "results.json"]


def test_a_classify_import_lists_its_labels(promptfoo_results: Path, tmp_path: Path) -> None:
    p = plan(read_promptfoo(promptfoo_results, load_catalog()), "classify")
    assert p.labels is not None and len(p.labels) == 40
    workload = load_workload(write(p, tmp_path / "c"))
    assert workload.spec.labels == list(p.labels)


def test_a_forced_replace_that_fails_at_the_last_step_puts_the_old_folder_back(
    promptfoo_results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = plan(read_promptfoo(promptfoo_results, load_catalog()), "qa")
    out = tmp_path / "imported"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    real = Path.rename

    def refuse_staging(self: Path, target: Any) -> Any:
        if ".import-" in self.name:  # the new folder's move into place
            raise OSError("cross-device link")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", refuse_staging)
    with pytest.raises(OSError, match="cross-device link"):
        write(p, out, force=True)
    assert (out / "mine.txt").read_text() == "keep me"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["imported", "results.json"]


def test_a_file_in_the_way_is_replaced_when_forced(promptfoo_results: Path, tmp_path: Path) -> None:
    p = plan(read_promptfoo(promptfoo_results, load_catalog()), "qa")
    out = tmp_path / "imported"
    out.write_text("a file")
    write(p, out, force=True)
    assert out.is_dir()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["imported", "results.json"]
