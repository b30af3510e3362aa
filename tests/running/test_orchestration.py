"""The run's orchestration (workload check, resources, runner, sampling, resume, variants,
progress) on a scripted backend registered through the backend registry: no model is loaded,
so these run in seconds. The same paths with real models: test_runner.py (slow).

The data is generated here, shaped like a public intent dataset: 40 labels, separate train and
test files, each sorted by label (so the first N test items cover N / 5 labels).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ragtune.cli.main import cli
from ragtune.config import load_workload
from ragtune.running.runner import RunOptions, run_workload
from ragtune.store.runstore import RunStore

LABELS = [f"intent{i:02d}" for i in range(40)]


def write_intents(root: Path, train_per_label: int = 12, test_per_label: int = 5) -> None:
    """train.jsonl / test.jsonl sorted by label; every third message names no label, so the
    scripted backend gets it wrong with low confidence (the router has something to route)."""
    for split, per in (("train", train_per_label), ("test", test_per_label)):
        rows = []
        for label in LABELS:
            for j in range(per):
                text = f"message {j} about {label}" if j % 3 else f"message {j} of {split}"
                rows.append({"id": f"{split}-{label}-{j}", "text": text, "intent": label})
        (root / f"{split}.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def intents_workload(root: Path, arms: str, **extra: Any) -> Path:
    write_intents(root)
    body = f"""
name: intents
task: classify
labels: [{", ".join(LABELS)}]
data:
  train: train.jsonl
  test: test.jsonl
  fields: {{input: text, target: intent}}
backends: {{cheap: "scripted:cheap", strong: "scripted:strong"}}
arms:
{arms}
"""
    for key, value in extra.items():
        body += f"{key}: {value}\n"
    path = root / "intents.yaml"
    path.write_text(body)
    return path


def run(path: Path, store: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["run", str(path), "--store", str(store), "--no-cache", *args])


def test_forty_labels_sorted_files_router_carved_validation_sample_and_resume(
    tmp_path: Path, scripted: Any
) -> None:
    path = intents_workload(tmp_path, "  prompt: {}\n  router: {first: prompt, escalate: fewshot}")
    check = CliRunner().invoke(cli, ["check", str(path)])
    assert check.exit_code == 0, check.output
    # 480 train items, 10% carved = 48, one per label with 40 equal labels plus 8 by remainder
    assert "432 train, 48 validation, 200 test" in check.output
    assert (
        "validation carved from train: 48 of 480 items (10%, at most 500, stratified by label, "
        "seed 0)" in check.output
    )
    assert "test: 200 of 200 test items (all)" in check.output

    store = tmp_path / "store.db"
    first = run(path, store, "--limit", "40", "--arms", "prompt")
    assert first.exit_code == 0, first.output
    assert "evaluated 40 of 200 test items, stratified sample (by label), seed 0" in first.stderr
    runs = RunStore.open(store)
    [stored] = runs.list_runs()
    items = runs.list_items(stored.id, split="test")
    labels = {i.gold["answer"] for i in items}
    assert len(items) == 40 and len(labels) >= 30
    assert len(labels) == 40  # proportional allocation: 40 of 40 equal strata get one each
    sample = stored.config["run"]["sample"]
    assert sample["seed"] == 0 and sorted(sample["ids"]) == sorted(i.id for i in items)

    # resume runs the router on the same 40 items (a new --limit is ignored on resume)
    again = run(path, store, "--resume", stored.id, "--limit", "5")
    assert again.exit_code == 0, again.output
    for arm in ("prompt", "router"):
        answered = {p.item_id for p in runs.predictions(stored.id, arm)}
        assert answered == {i.id for i in items}, arm
    router = runs.get_arm(stored.id, "router")
    assert router.status == "done" and "threshold" in router.params["info"]
    # the same seed draws the same sample again in a fresh run
    fresh = run(path, store, "--limit", "40", "--arms", "prompt")
    assert fresh.exit_code == 0, fresh.output
    newest = runs.list_runs()[0]
    assert newest.id != stored.id
    assert newest.config["run"]["sample"]["ids"] == sample["ids"]


def test_limit_first_keeps_file_order(tmp_path: Path, scripted: Any) -> None:
    path = intents_workload(tmp_path, "  - prompt")
    store = tmp_path / "store.db"
    result = run(path, store, "--limit", "first:10")
    assert result.exit_code == 0, result.output
    runs = RunStore.open(store)
    [stored] = runs.list_runs()
    items = runs.list_items(stored.id, split="test")
    assert {i.gold["answer"] for i in items} == {"intent00", "intent01"}  # 5 per label, sorted
    assert "10 of 200 test items, the first 10 in file order" in result.stderr


def test_bad_limit_is_exit_2_with_the_allowed_forms(tmp_path: Path, scripted: Any) -> None:
    path = intents_workload(tmp_path, "  - prompt")
    result = run(path, tmp_path / "s.db", "--limit", "some")
    assert result.exit_code == 2
    assert "first:N" in result.output and "'some'" in result.output


def test_workload_limit_is_a_stratified_sample_too(tmp_path: Path, scripted: Any) -> None:
    path = intents_workload(tmp_path, "  - prompt", limit=20)
    check = CliRunner().invoke(cli, ["check", str(path)])
    assert "test: 20 of 200 test items, stratified sample (by label), seed 0" in check.output
    store = tmp_path / "store.db"
    assert run(path, store).exit_code == 0
    runs = RunStore.open(store)
    [stored] = runs.list_runs()
    items = runs.list_items(stored.id, split="test")
    assert len({i.gold["answer"] for i in items}) == 20


def test_prompt_variants_with_own_instructions_and_backends_are_stored_and_compared(
    tmp_path: Path, scripted: Any
) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "v1.txt").write_text("V1: answer with one of {labels}.\n")
    arms = (
        "  prompt_v1: {arm: prompt, instructions: prompts/v1.txt, backend: 'scripted:alpha'}\n"
        "  prompt_v2: {arm: prompt, instructions: 'V2 pick a label', backend: 'scripted:beta'}\n"
        "  prompt: {}"
    )
    path = intents_workload(tmp_path, arms)
    check = CliRunner().invoke(cli, ["check", str(path)])
    assert check.exit_code == 0, check.output
    assert "prompt_v1: prompt, on scripted:alpha, instructions from prompts/v1.txt" in check.output
    assert "prompt_v2: prompt, on scripted:beta, own instructions" in check.output
    assert "  prompt: on scripted:cheap (cheap)" in check.output

    store = tmp_path / "store.db"
    result = run(path, store, "--limit", "40", "--json")
    assert result.exit_code == 0, result.output
    # each variant's requests went to its own backend with its own system prompt
    v1 = scripted.seen["alpha"]
    v2 = scripted.seen["beta"]
    assert len(v1) >= 40 and len(v2) >= 40  # 40 items, plus the request-latency timing calls
    assert v1[0].system.startswith("V1: answer with one of intent00, intent01,")
    assert v2[0].system == "V2 pick a label"
    assert scripted.seen["cheap"][0].system.startswith("Classify the customer message.")
    runs = RunStore.open(store)
    [stored] = runs.list_runs()
    info = {a.name: a.params["info"] for a in runs.list_arms(stored.id)}
    assert info["prompt_v1"]["model"] == "scripted:alpha"
    assert info["prompt_v1"]["prompt"].startswith("V1: answer with one of intent00")
    assert runs.get_arm(stored.id, "prompt_v1").params["instructions_file"] == "prompts/v1.txt"
    v2_info = {k: info["prompt_v2"][k] for k in ("arm", "model", "prompt")}
    assert v2_info == {"arm": "prompt", "model": "scripted:beta", "prompt": "V2 pick a label"}
    summary = json.loads(result.stdout)
    pairs = {(c["arm_a"], c["arm_b"]) for c in summary["comparisons"]}
    assert ("prompt_v1", "prompt_v2") in pairs or ("prompt_v2", "prompt_v1") in pairs
    # the report names each variant's prompt and model, and the sample
    report = CliRunner().invoke(cli, ["report", stored.id, "--format", "md", "--store", str(store)])
    assert report.exit_code == 0, report.output
    sampled = "- test items: 40 of 200 test items, stratified sample (by label), seed 0"
    assert sampled in report.output
    assert "- prompt_v1 (prompt): model scripted:alpha; prompt: 'V1: answer with one of" in (
        report.output
    )
    assert "- prompt_v2 (prompt): model scripted:beta; prompt: 'V2 pick a label'" in report.output
    rows = [line for line in report.output.splitlines() if line.startswith("| prompt_v")]
    assert any("| prompt_v2 |" in line.removeprefix("| prompt_v1 ") for line in rows) or any(
        "| prompt_v1 |" in line.removeprefix("| prompt_v2 ") for line in rows
    )  # the two variants are paired in the significance table


def test_stderr_to_a_file_shows_a_progress_line_for_every_arm(
    tmp_path: Path, scripted: Any
) -> None:
    path = intents_workload(
        tmp_path, "  prompt: {}\n  fewshot: {k: 2}\n  router: {first: prompt, escalate: fewshot}"
    )
    result = run(path, tmp_path / "store.db", "--limit", "40")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    for arm in ("prompt", "fewshot", "router"):
        assert f"building arm {arm} ..." in lines
        done = [x for x in lines if x.startswith(f"{arm} (repeat 1/1): 40/40 items (100%)")]
        assert done and "done in" in done[-1], arm
    assert any(x.startswith("prompt (repeat 1/1): 0/40 items (0%)") for x in lines)
    assert not any("\r" in x or "\x1b[" in x for x in lines)  # plain lines, no redraws


def test_resources_build_only_what_the_arms_need(tmp_path: Path, scripted: Any) -> None:
    from ragtune.running.resources import build_resources

    path = intents_workload(
        tmp_path,
        "  a: {arm: prompt, backend: 'scripted:x'}\n  b: {arm: fewshot, backend: 'scripted:x'}",
    )
    workload = load_workload(path)
    resources = build_resources(workload, ["a", "b"], tmp_path / "work")
    assert resources.embed is None and resources.index is None and resources.tuned is None
    assert resources.backend("scripted:x") is resources.backend("scripted:x")  # built once
    assert resources.backend("cheap").name == "scripted:cheap"


def test_run_workload_records_unavailable_arms_and_goes_on(tmp_path: Path, scripted: Any) -> None:
    # finetune needs a local cheap model to tune: scripted is not, so it is unavailable
    path = intents_workload(tmp_path, "  - prompt\n  - finetune")
    workload = load_workload(path)
    store = RunStore.open(tmp_path / "s.db")
    run_id = run_workload(workload, store, RunOptions(limit=None, use_cache=False,
                                                       work_root=tmp_path / "runs"))  # fmt: skip
    statuses = {a.name: (a.status, a.reason) for a in store.list_arms(run_id)}
    assert statuses["prompt"][0] == "done"
    assert statuses["finetune"][0] == "unavailable"
    assert "fine-tuned model" in (statuses["finetune"][1] or "")
    assert len(store.predictions(run_id, "prompt")) == 200


def test_plain_csv_workload_with_its_own_field_names(tmp_path: Path, scripted: Any) -> None:
    """A user's CSV runs through the workload file alone, no code changes (moved here from the
    slow test_runner.py: the field mapping is the point, not the model)."""
    rows = ["ticket_no,message,team"] + [
        f"T{i},{text},{team}"
        for i, (text, team) in enumerate(
            [
                ("I was charged twice this month", "billing"),
                ("The app crashes on login", "bug"),
                ("Refund my last invoice please", "billing"),
                ("Error 500 when saving", "bug"),
            ]
            * 3
        )
    ]
    (tmp_path / "tickets.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "w.yaml").write_text(
        "task: classify\n"
        "data:\n  path: tickets.csv\n"
        "  fields: {input: message, target: team, id: ticket_no, split: null, doc_ids: null}\n"
        "labels: [billing, bug]\n"
        "arms: {prompt: {}}\n"
        "backends: {cheap: 'scripted:cheap'}\n"
    )
    result = CliRunner().invoke(
        cli, ["run", str(tmp_path / "w.yaml"), "--store", str(tmp_path / "s.db"), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"arm": "prompt"' in result.stdout


def test_freshness_reasks_changed_questions_for_arms_whose_traits_allow_it(
    tmp_path: Path, scripted: Any
) -> None:
    """After a later knowledge version, changed questions are asked again by each finished arm
    whose traits say `freshness`; the router (which would recalibrate) is left out."""
    rows = [
        {"id": f"q{i}", "input": f"what about plan{i}", "target": f"plan{i}",
         "split": ("train", "validation", "test", "test")[i % 4],
         "changed": i % 2 == 0, "answer_v2": f"plan{i}b"}
        for i in range(16)
    ]  # fmt: skip
    (tmp_path / "qa.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    for kb in ("kb", "kb2"):
        (tmp_path / kb).mkdir()
        (tmp_path / kb / "plans.md").write_text(f"# Plans\n\n{kb} facts")
    (tmp_path / "qa.yaml").write_text(
        "task: qa\ndata: {path: qa.jsonl}\n"
        "knowledge: {path: kb, later: [{name: v2, path: kb2}]}\n"
        "arms: {prompt: {}, router: {first: prompt, escalate: prompt}}\n"
        "backends: {cheap: 'scripted:cheap', strong: 'scripted:strong'}\n"
    )
    store = tmp_path / "s.db"
    result = run(tmp_path / "qa.yaml", store)
    assert result.exit_code == 0, result.output
    runs = RunStore.open(store)
    [stored] = runs.list_runs()
    tested = {i.id for i in runs.list_items(stored.id, split="test")}
    changed = {i.id for i in runs.list_items(stored.id, split="changed:v2")}
    # test items are q2, q3, q6, q7, q10, q11, q14, q15; the even ones changed in v2
    assert tested == {f"q{i}" for i in (2, 3, 6, 7, 10, 11, 14, 15)}
    assert changed == {f"q{i}@v2" for i in (2, 6, 10, 14)}
    prompt = {p.item_id for p in runs.predictions(stored.id, "prompt")}
    router = {p.item_id for p in runs.predictions(stored.id, "router")}
    assert changed <= prompt and not changed & router
    assert "prompt after v2: 4/4 items (100%)" in result.stderr
