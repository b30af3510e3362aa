"""Data loaders: bad rows become problems with file and line; splits are stable."""

from __future__ import annotations

from pathlib import Path

from ragtune.data import Example, FieldMap, assign_splits, load_examples


def test_jsonl_problems_are_collected(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(
        '{"input": "a", "target": "b", "id": "1"}\n{oops\n[1, 2]\n'
        '{"input": "c", "id": "2"}\n{"input": "a", "target": "b", "id": "1"}\n'
    )
    examples, problems = load_examples(path, FieldMap())
    assert [e.id for e in examples] == ["1"]
    messages = [f"{p.path} {p.message}" for p in problems]
    assert any(":2 not valid JSON" in m for m in messages)
    assert any(":3 each line must be a JSON object" in m for m in messages)
    assert any(":4 missing field(s) target" in m for m in messages)
    assert any(":5 duplicate id" in m for m in messages)


def test_empty_missing_and_non_utf8_files(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("\n\n")
    (tmp_path / "latin.csv").write_bytes("input,target\ncaf\xe9,x\n".encode("latin-1"))
    for name, expected in (
        ("empty.jsonl", "empty"),
        ("missing.jsonl", "not found"),
        ("latin.csv", "not UTF-8"),
    ):
        examples, problems = load_examples(tmp_path / name, FieldMap())
        assert not examples and expected in problems[0].message


def test_csv_json_targets_and_doc_id_lists(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('input,target,doc_ids\nhi,"{""a"": 1}","d1; d2"\n')
    [example], problems = load_examples(path, FieldMap(id=None))
    assert not problems
    assert example.target == {"a": 1}
    assert example.doc_ids == ("d1", "d2")


def test_splits_are_seeded_and_stable_when_data_grows() -> None:
    items = [Example(f"id{i}", "x", "y") for i in range(1000)]
    fractions = {"train": 0.6, "validation": 0.15, "test": 0.25}
    first = {e.id: e.split for e in assign_splits(items, fractions, seed=1)}
    grown = assign_splits(items + [Example(f"new{i}", "x", "y") for i in range(50)], fractions, 1)
    assert all(first[e.id] == e.split for e in grown if e.id in first)
    counts = {s: sum(1 for v in first.values() if v == s) for s in fractions}
    assert 540 <= counts["train"] <= 660 and 190 <= counts["test"] <= 310
    other = {e.id: e.split for e in assign_splits(items, fractions, seed=2)}
    assert other != first
