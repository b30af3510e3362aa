"""Checks on the bundled sample workload (src/ragtune/examples/sample) and its generator.

The generator must reproduce the committed files byte for byte; the data must keep the promises
the README makes (answers verbatim in gold documents, closed label set, schema-valid targets,
disjoint splits, unique ids).
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "src" / "ragtune" / "examples" / "sample"
GENERATOR = ROOT / "scripts" / "make_sample.py"
GENERATOR_FILES = [
    GENERATOR,
    ROOT / "scripts" / "sample_kb.py",
    ROOT / "scripts" / "sample_questions.py",
]
SPLITS = {"train", "validation", "test"}


def read_jsonl(name: str) -> list[dict[str, Any]]:
    lines = (SAMPLE / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def kb(version: int) -> dict[str, str]:
    folder = SAMPLE / f"kb_v{version}"
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}


def relative_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


# --- generator -------------------------------------------------------------------------------


def test_generator_reproduces_committed_files_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "sample"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out)], check=True, capture_output=True
    )
    generated, committed = relative_files(out), relative_files(SAMPLE)
    assert sorted(generated) == sorted(committed), "file sets differ: rerun make_sample.py"
    differing = [rel for rel in generated if generated[rel] != committed[rel]]
    assert differing == [], f"regenerate with `python scripts/make_sample.py`: {differing[:5]}"


def test_generator_uses_only_the_standard_library() -> None:
    modules: set[str] = set()
    for path in GENERATOR_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules.add(node.module.split(".")[0])
    siblings = {path.stem for path in GENERATOR_FILES}
    assert modules - {"__future__"} - siblings <= set(sys.stdlib_module_names)


def test_sample_stays_small() -> None:
    total = sum(len(data) for data in relative_files(SAMPLE).values())
    assert total < 1_500_000


# --- knowledge base --------------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
def test_kb_documents_have_ids_titles_and_length(version: int) -> None:
    docs = kb(version)
    assert 30 <= len(docs) <= 50
    for doc_id, text in docs.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", doc_id), doc_id
        assert text.startswith("# ") and len(text.splitlines()[0]) > 3, doc_id
        assert "[[" not in text and "{{" not in text, f"unrendered marker in {doc_id}"
        assert 150 <= len(text.split()) <= 600, (doc_id, len(text.split()))
        assert text.count("\n## ") >= 2, f"{doc_id} needs section headings"


def test_kb_versions_have_the_same_documents() -> None:
    assert sorted(kb(1)) == sorted(kb(2))


def test_changes_json_names_exactly_the_documents_that_changed() -> None:
    v1, v2 = kb(1), kb(2)
    changes = json.loads((SAMPLE / "changes.json").read_text(encoding="utf-8"))
    changed_docs = {doc_id for doc_id in v1 if v1[doc_id] != v2[doc_id]}
    assert {c["doc_id"] for c in changes} == changed_docs
    facts = {c["fact_id"] for c in changes if c["fact_id"]}
    assert 10 <= len(facts) <= 15
    assert len(changed_docs) >= 8
    for change in changes:
        assert set(change) == {"fact_id", "doc_id", "kind", "old", "new"}
        assert change["new"] in v2[change["doc_id"]]
        if change["kind"] == "added_section":
            assert change["old"] is None and change["fact_id"] is None
        else:
            assert change["old"] != change["new"]
            assert change["old"] in v1[change["doc_id"]]
    assert "rename" in {c["kind"] for c in changes}


# --- qa.jsonl --------------------------------------------------------------------------------


def test_qa_fields_ids_and_sizes() -> None:
    rows = read_jsonl("qa.jsonl")
    fields = {"id", "question", "answer", "doc_ids", "split", "fact_id", "changed", "answer_v2"}
    assert len(rows) >= 300
    assert all(set(row) == fields for row in rows)
    assert len({row["id"] for row in rows}) == len(rows)
    assert len({row["question"] for row in rows}) == len(rows)
    for row in rows:
        assert row["answer"] and len(row["answer"].split()) <= 8, row["id"]
        assert row["doc_ids"] and len(set(row["doc_ids"])) == len(row["doc_ids"])
        assert row["changed"] == (row["answer"] != row["answer_v2"])


def test_qa_answers_appear_verbatim_in_every_gold_document() -> None:
    v1, v2 = kb(1), kb(2)
    for row in read_jsonl("qa.jsonl"):
        for doc_id in row["doc_ids"]:
            assert row["answer"] in v1[doc_id], (row["id"], doc_id)
            assert row["answer_v2"] in v2[doc_id], (row["id"], doc_id)


def test_qa_changed_answers_match_changes_json() -> None:
    changes = json.loads((SAMPLE / "changes.json").read_text(encoding="utf-8"))
    by_fact = {c["fact_id"]: (c["old"], c["new"]) for c in changes if c["fact_id"]}
    changed = [row for row in read_jsonl("qa.jsonl") if row["changed"]]
    assert len(changed) >= 40
    assert {row["split"] for row in changed} == SPLITS
    for row in changed:
        assert by_fact[row["fact_id"]] == (row["answer"], row["answer_v2"]), row["id"]


def test_qa_splits_cover_rows_with_sensible_ratios() -> None:
    rows = read_jsonl("qa.jsonl")
    counts = Counter(row["split"] for row in rows)
    assert set(counts) == SPLITS
    share = {split: n / len(rows) for split, n in counts.items()}
    assert 0.50 <= share["train"] <= 0.70
    assert 0.10 <= share["validation"] <= 0.20
    assert 0.20 <= share["test"] <= 0.32


def test_qa_test_split_has_facts_seen_and_unseen_in_train() -> None:
    rows = read_jsonl("qa.jsonl")
    train_facts = {row["fact_id"] for row in rows if row["split"] == "train"}
    test = [row for row in rows if row["split"] == "test"]
    seen = sum(row["fact_id"] in train_facts for row in test)
    unseen = len(test) - seen
    assert seen >= 20 and unseen >= 20, (seen, unseen)
    # Paraphrases: many facts are asked more than one way.
    per_fact = Counter(row["fact_id"] for row in rows)
    assert sum(1 for n in per_fact.values() if n >= 2) >= 100


# --- intents ---------------------------------------------------------------------------------


def test_intents_use_the_closed_label_set_in_every_split() -> None:
    labels = json.loads((SAMPLE / "labels.json").read_text(encoding="utf-8"))
    names = [entry["label"] for entry in labels]
    assert 6 <= len(names) <= 8 and len(set(names)) == len(names)
    assert all(entry["description"].strip() for entry in labels)
    rows = read_jsonl("intents.jsonl")
    assert 300 <= len(rows) <= 400
    assert all(set(row) == {"id", "text", "label", "split"} for row in rows)
    assert {row["label"] for row in rows} == set(names)
    assert len({row["id"] for row in rows}) == len(rows)
    assert len({row["text"] for row in rows}) == len(rows)
    for split in SPLITS:
        assert {row["label"] for row in rows if row["split"] == split} == set(names), split
    assert {row["split"] for row in rows} == SPLITS


# --- extraction ------------------------------------------------------------------------------

# The test checks the schema with jsonschema when the environment has it; ragtune does not
# depend on it, so a small validator for exactly the keywords the schema uses is the fallback.
ALLOWED_KEYWORDS = {
    "$schema",
    "title",
    "description",
    "type",
    "additionalProperties",
    "required",
    "properties",
    "enum",
    "minimum",
    "minLength",
}
JSON_TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
}


def small_check_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema) <= ALLOWED_KEYWORDS
    assert set(schema["required"]) <= set(schema["properties"])
    for prop in schema["properties"].values():
        assert set(prop) <= ALLOWED_KEYWORDS
        types = prop.get("type", [])
        assert set([types] if isinstance(types, str) else types) <= set(JSON_TYPES)
        if "enum" in prop:
            assert prop["enum"] and len(set(prop["enum"])) == len(prop["enum"])


def small_errors(schema: dict[str, Any], value: dict[str, Any]) -> list[str]:
    errors = [f"missing {key}" for key in schema["required"] if key not in value]
    if schema.get("additionalProperties") is False:
        errors += [f"extra {key}" for key in value if key not in schema["properties"]]
    for key, prop in schema["properties"].items():
        if key not in value:
            continue
        item = value[key]
        types = prop.get("type")
        if types is not None:
            names = [types] if isinstance(types, str) else types
            if not any(JSON_TYPES[name](item) for name in names):
                errors.append(f"{key}: {item!r} is not {names}")
        if "enum" in prop and item not in prop["enum"]:
            errors.append(f"{key}: {item!r} not in {prop['enum']}")
        if "minimum" in prop and isinstance(item, int) and item < prop["minimum"]:
            errors.append(f"{key}: {item} < {prop['minimum']}")
        if "minLength" in prop and isinstance(item, str) and len(item) < prop["minLength"]:
            errors.append(f"{key}: too short")
    return errors


def test_extract_targets_validate_against_the_schema() -> None:
    schema = json.loads((SAMPLE / "extract_schema.json").read_text(encoding="utf-8"))
    rows = read_jsonl("extract.jsonl")
    assert 200 <= len(rows) <= 300
    assert all(set(row) == {"id", "text", "target", "split"} for row in rows)
    assert len({row["id"] for row in rows}) == len(rows)
    assert {row["split"] for row in rows} == SPLITS
    small_check_schema(schema)
    for row in rows:
        assert small_errors(schema, row["target"]) == [], row["id"]
    try:
        import jsonschema
    except ImportError:
        return
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for row in rows:
        assert list(validator.iter_errors(row["target"])) == [], row["id"]


def test_small_validator_rejects_bad_targets() -> None:
    schema = json.loads((SAMPLE / "extract_schema.json").read_text(encoding="utf-8"))
    good = read_jsonl("extract.jsonl")[0]["target"]
    assert small_errors(schema, good) == []
    assert small_errors(schema, {**good, "plan": "gold"})
    assert small_errors(schema, {**good, "seats": 0})
    assert small_errors(schema, {**good, "seats": "12"})
    assert small_errors(schema, {**good, "urgent": "yes"})
    assert small_errors(schema, {**good, "extra": 1})
    assert small_errors(schema, {k: v for k, v in good.items() if k != "plan"})


def test_extract_targets_are_recoverable_from_the_text() -> None:
    for row in read_jsonl("extract.jsonl"):
        target, text = row["target"], row["text"]
        assert target["customer_name"] in text, row["id"]
        if target["company"] is not None:
            assert target["company"] in text, row["id"]
        if target["seats"] is not None:
            assert re.search(rf"\b{target['seats']} (seat|user)", text), row["id"]
        assert target["plan"].capitalize() in text, row["id"]
