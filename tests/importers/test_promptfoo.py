"""`ragtune import promptfoo` on a results file in promptfoo's documented shape (see conftest.py
for the shape, its documentation page and the date it was read), then the real `ragtune run`."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from ragtune.cli.main import cli
from ragtune.cli.run import stored_evidence
from ragtune.cost.catalog import load_catalog
from ragtune.errors import RagtuneError
from ragtune.importers import plan, read_promptfoo
from ragtune.store.runstore import RunStore

ARMS = ["p1-gpt-4o-mini", "p1-claude-haiku-4-5", "p2-gpt-4o-mini", "p2-claude-haiku-4-5"]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_two_prompts_by_two_providers_import_as_four_arms_and_run_to_a_verdict(
    promptfoo_results: Path, tmp_path: Path
) -> None:
    out = tmp_path / "imported"
    done = invoke("import", "promptfoo", str(promptfoo_results), "--out", str(out))
    assert done.exit_code == 0, done.output
    assert "40 test items, 4 arms from promptfoo" in done.output
    assert "not mapped as given" not in done.output  # everything in this file maps
    tests = read_jsonl(out / "test.jsonl")
    assert len(tests) == 40
    assert tests[3] == {
        "id": "t03",
        "input": "What is the order code of item 3?",
        "target": "code-3",  # the icontains assertion's value
    }
    first = read_jsonl(out / "answers" / "p1-gpt-4o-mini.jsonl")[0]
    assert first == {
        "id": "t00",
        "answer": "The code is code-0.",
        "input_tokens": 100,
        "output_tokens": 10,
        "latency_s": pytest.approx(0.4),
        "model": "gpt-4o-mini",
        "cost_usd": pytest.approx(2.1e-5),
    }
    # a failed assertion's reason sits in promptfoo's `error` too: it is not a failed call
    wrong = read_jsonl(out / "answers" / "p1-gpt-4o-mini.jsonl")[35]
    assert wrong["answer"] == "I do not know." and "error" not in wrong

    store = tmp_path / "runs.db"
    run = invoke("run", str(out / "workload.yaml"), "--store", str(store))
    assert run.exit_code == 0, run.output
    assert "verdict:" in run.output and "p2-claude-haiku-4-5" in run.output
    run_id = RunStore.open(store).list_runs()[0].id
    evidence = stored_evidence(RunStore.open(store), run_id)
    assert sorted(a.arm for a in evidence.arms) == sorted(ARMS)
    # Hand-computed from the file: prompt 1 takes 100 prompt tokens, prompt 2 300; 10 completion
    # tokens each. gpt-4o-mini $0.15/$0.60 per M: 100 x 0.15e-6 + 10 x 0.6e-6 = $0.000021 a
    # test, x 40 = $0.00084; 300 tokens: $0.000051, x 40 = $0.00204. claude-haiku-4-5 $1/$5:
    # 100 x 1e-6 + 10 x 5e-6 = $0.00015, x 40 = $0.006; 300 tokens: $0.00035, x 40 = $0.014.
    totals = {"p1-gpt-4o-mini": 0.00084, "p2-gpt-4o-mini": 0.00204}
    totals |= {"p1-claude-haiku-4-5": 0.006, "p2-claude-haiku-4-5": 0.014}
    raw = json.loads(promptfoo_results.read_text())["results"]["results"]
    for arm in evidence.arms:
        p, q = ARMS.index(arm.arm) // 2, ARMS.index(arm.arm) % 2
        theirs = sum(
            c["cost"]
            for c in raw
            if (c["promptId"], c["provider"]["id"]) == (f"prompt-{p}", _pid(q))
        )
        assert float(arm.api_usd.sum()) == pytest.approx(totals[arm.arm])
        assert theirs == pytest.approx(totals[arm.arm])  # the file's own costs agree
        assert float(arm.tokens["input"].sum()) == 40 * (100 if p == 0 else 300)
        assert float(arm.tokens["output"].sum()) == 40 * 10
        assert arm.n == 40 and arm.error_count == 0
    quality = {a.arm: a.interval().estimate for a in evidence.arms}  # type: ignore[union-attr]
    assert quality == {
        "p1-gpt-4o-mini": 0.75,
        "p1-claude-haiku-4-5": 0.85,
        "p2-gpt-4o-mini": 0.80,
        "p2-claude-haiku-4-5": 0.90,
    }


def _pid(q: int) -> str:
    return ["openai:chat:gpt-4o-mini", "anthropic:messages:claude-haiku-4-5"][q]


def test_a_file_of_another_version_or_tool_says_what_was_expected(
    tmp_path: Path, pf: ModuleType
) -> None:
    old = pf.write_results(tmp_path / "v2.json", version=2)
    with pytest.raises(RagtuneError, match=r"results format 2 is not supported; expected format 3"):
        read_promptfoo(old, load_catalog())
    inspect = tmp_path / "log.json"
    inspect.write_text(json.dumps({"version": 2, "status": "success", "eval": {}, "samples": []}))
    with pytest.raises(RagtuneError, match="is an Inspect AI eval log") as err:
        read_promptfoo(inspect, load_catalog())
    assert "ragtune import inspect" in str(err.value)
    csv = tmp_path / "answers.csv"
    csv.write_text("id,answer\nq1,yes\n")
    result = invoke("import", "promptfoo", str(csv), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "is not JSON" in result.output
    assert "expected promptfoo's JSON results: `promptfoo eval --output results.json`" in (
        result.output
    )
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"results": [1, 2]}))
    result = invoke("import", "promptfoo", str(other), "--out", str(tmp_path / "out"))
    assert "is not promptfoo results: no `results.version`" in result.output
    assert not (tmp_path / "out").exists()  # nothing written


def test_what_cannot_be_mapped_is_reported_and_left_out(tmp_path: Path, pf: ModuleType) -> None:
    cells = pf.all_cells()
    # test 5 has no answer from prompt 2 x haiku; test 7 is graded by an LLM rubric only
    cells = [c for c in cells if (c["testIdx"], c["promptId"], c["provider"]["id"]) != (
        5, "prompt-1", _pid(1))]  # fmt: skip
    for c in cells:
        if c["testIdx"] == 7:
            c["testCase"]["assert"] = [{"type": "llm-rubric", "value": "names the right code"}]
    # test 9 failed with a provider error on prompt 1 x gpt-4o-mini
    broken = next(c for c in cells if (c["testIdx"], c["promptId"], c["provider"]["id"]) == (
        9, "prompt-0", _pid(0)))  # fmt: skip
    broken["response"] = {"error": "429 rate limited", "tokenUsage": {}}
    broken |= {"error": "429 rate limited", "failureReason": 2, "cost": 0}
    # a proxy provider id that names no catalog model
    for c in cells:
        if c["provider"]["id"] == _pid(1):
            c["provider"] = {"id": "http:my-proxy", "label": ""}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(pf.output_file(cells)))

    imported = read_promptfoo(path, load_catalog())
    p = plan(imported, "qa")
    notes = {(n.kind, n.arm): n for n in p.notes}
    assert notes[("no_gold", None)].items == ("t07",)
    assert notes[("missing_in_arm", "p2-my-proxy")].items == ("t05",)
    assert (
        "'http:my-proxy' is not a catalog model" in notes[("unknown_model", "p1-my-proxy")].message
    )
    assert "--model http:my-proxy=MODEL" in notes[("unknown_model", "p1-my-proxy")].message
    assert [i.id for i in p.items] == [f"t{i:02d}" for i in range(40) if i not in (5, 7)]

    out = tmp_path / "imported"
    done = invoke("import", "promptfoo", str(path), "--out", str(out))
    assert done.exit_code == 0, done.output
    assert "38 test items" in done.output
    assert "no_gold: no expected answer" in done.output and "(1: t07)" in done.output
    assert "missing_in_arm: p2-my-proxy: did not answer" in done.output
    rows = {r["id"]: r for r in read_jsonl(out / "answers" / "p1-gpt-4o-mini.jsonl")}
    assert rows["t09"]["error"] == "429 rate limited"
    assert "model" not in read_jsonl(out / "answers" / "p1-my-proxy.jsonl")[0]  # unpriced

    # the user says what the proxy serves: now it is priced, and nothing is unknown
    again = invoke("import", "promptfoo", str(path), "--out", str(out), "--force",
                   "--model", "http:my-proxy=claude-haiku-4-5", "--json")  # fmt: skip
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    assert {a["name"]: a["model"] for a in report["arms"]}["p1-my-proxy"] == "claude-haiku-4-5"
    assert "unknown_model" not in {n["kind"] for n in report["notes"]}
    store = tmp_path / "runs.db"
    run = invoke("run", str(out / "workload.yaml"), "--store", str(store))
    assert run.exit_code == 0, run.output
    evidence = stored_evidence(RunStore.open(store), RunStore.open(store).list_runs()[0].id)
    arm = evidence.arm("p1-gpt-4o-mini")
    assert arm.error_count == 1 and arm.errors[arm.item_ids.index("t09")] == "429 rate limited"


def test_a_cost_the_catalog_does_not_reproduce_is_reported(tmp_path: Path, pf: ModuleType) -> None:
    cells = [pf.result(0, 0, t) for t in range(4)]
    for c in cells:
        c["cost"] *= 2  # e.g. the team pays more than list price through a reseller
    path = tmp_path / "results.json"
    path.write_text(json.dumps(pf.output_file(cells)))
    imported = read_promptfoo(path, load_catalog())
    [note] = [n for n in imported.notes if n.kind == "cost"]
    assert "the file's cost is $0.000168" in note.message
    assert "at gpt-4o-mini's catalog price are $0.000084" in note.message


def test_an_unknown_model_named_with_model_is_an_error_not_a_note(
    promptfoo_results: Path, tmp_path: Path
) -> None:
    result = invoke("import", "promptfoo", str(promptfoo_results), "--out", str(tmp_path / "o"),
                    "--model", "openai:chat:gpt-4o-mini=gpt-99")  # fmt: skip
    assert result.exit_code == 2
    assert "--model for p1-gpt-4o-mini: unknown model 'gpt-99'" in result.output
    assert not (tmp_path / "o").exists()


def _cell(pf: ModuleType, column: int, test: int, provider: dict[str, str], **kw: Any) -> Any:
    """A cell of `pf.result` moved to another column and provider."""
    cell = pf.result(0, 0, test)
    cell |= {"promptIdx": column, "provider": provider, **kw}
    return cell


def test_columns_follow_promptfoos_numbering_and_same_id_providers_stay_apart(
    tmp_path: Path, pf: ModuleType
) -> None:
    # One prompt, four providers as a promptfoo config spells them: the same model twice under
    # two labels (a temperature sweep), an Anthropic dated id and a Bedrock cross-region id.
    # promptfoo numbers columns provider x prompt, so promptIdx runs 0..3 with one prompt.
    providers = [
        {"id": "openai:chat:gpt-4o-mini", "label": "cold"},
        {"id": "openai:chat:gpt-4o-mini", "label": "hot"},
        {"id": "anthropic:messages:claude-3-5-haiku-20241022", "label": ""},
        {"id": "bedrock:us.anthropic.claude-haiku-4-5-20251001-v1:0"},
    ]
    cells = [_cell(pf, c, t, p) for t in range(3) for c, p in enumerate(providers)]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(pf.output_file(cells)))
    imported = read_promptfoo(path, load_catalog(), models={"hot": "gpt-4o"})
    arms = {a.name: a for a in imported.arms}
    assert list(arms) == ["cold", "hot", "claude-3-5-haiku-20241022", "claude-haiku-4-5-20251001"]
    assert all(len(a.answers) == 3 for a in arms.values())  # none taken for a repeat
    assert not [n for n in imported.notes if n.kind == "duplicate"]
    assert arms["cold"].source == (
        "prompt 1 (Answer briefly: {{question}}) x openai:chat:gpt-4o-mini (cold)"
    )
    # dated Anthropic ids and Bedrock ids price as the catalog's model; a label takes --model
    assert {n: a.model for n, a in arms.items()} == {
        "cold": "gpt-4o-mini",
        "hot": "gpt-4o",
        "claude-3-5-haiku-20241022": "claude-3-5-haiku",
        "claude-haiku-4-5-20251001": "claude-haiku-4-5",
    }


def test_two_prompts_by_two_providers_are_numbered_by_prompt(
    promptfoo_results: Path,
) -> None:
    # promptIdx 0..3 are (gpt, prompt 1), (gpt, prompt 2), (haiku, prompt 1), (haiku, prompt 2)
    imported = read_promptfoo(promptfoo_results, load_catalog())
    assert [a.source.split(" (")[0] for a in imported.arms] == [
        "prompt 1", "prompt 2", "prompt 1", "prompt 2"]  # fmt: skip


def test_a_templated_assertion_value_is_read_from_the_tests_variables(
    tmp_path: Path, pf: ModuleType
) -> None:
    # promptfoo keeps `defaultTest: {assert: [{type: equals, value: '{{expected}}'}]}` as
    # written in each result; the gold is the `expected` variable, which is not input
    cells = [pf.result(0, 0, t) for t in range(3)]
    for c in cells:
        c["vars"] = c["testCase"]["vars"] = {"question": "Q?", "expected": f"code-{c['testIdx']}"}
        c["testCase"]["assert"] = [
            {"type": "javascript", "value": "output.length < 200"},
            {"type": "equals", "value": "{{ expected }}"},
            {"type": "llm-rubric", "value": "is polite"},
        ]
    cells[2]["testCase"]["assert"] = [{"type": "equals", "value": "{{answer}}"}]  # no such var
    path = tmp_path / "results.json"
    path.write_text(json.dumps(pf.output_file(cells)))
    imported = read_promptfoo(path, load_catalog())
    assert [(i.input, i.gold) for i in imported.items] == [
        ("Q?", "code-0"), ("Q?", "code-1"), ("question: Q?\nexpected: code-2", None)]  # fmt: skip
    [gold] = [n for n in imported.notes if n.kind == "gold"]
    assert gold.items == ("t2",) and "equals: '{{answer}}'" in gold.message
    assert "--gold-var" in gold.message


def test_cached_responses_tokens_and_dollars_equal_the_files(
    tmp_path: Path, pf: ModuleType
) -> None:
    # Three gpt-4o-mini answers: two uncached with 1,000 prompt tokens of which 400 were read
    # from OpenAI's prompt cache (promptfoo: completionDetails.cacheReadInputTokens) and 50
    # completion tokens; one served from promptfoo's cache, recording only {cached, total}.
    cells = [pf.result(0, 0, t) for t in range(3)]
    for c in cells[:2]:
        usage = {"total": 1050, "prompt": 1000, "completion": 50, "cached": 0, "numRequests": 1,
                 "completionDetails": {"reasoning": 0, "cacheReadInputTokens": 400}}  # fmt: skip
        # promptfoo's own price: 600 x $0.15/M + 400 x $0.075/M + 50 x $0.60/M
        c["response"] |= {"tokenUsage": usage, "cost": 0.00015}
        c |= {"tokenUsage": usage, "cost": 0.00015}
    cached = {"cached": 1050, "total": 1050}
    cells[2]["response"] |= {"tokenUsage": cached, "cached": True, "cost": 0.00015}
    cells[2] |= {"tokenUsage": cached, "latencyMs": 0, "cost": 0.00015}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(pf.output_file(cells)))
    [arm] = read_promptfoo(path, load_catalog()).arms
    a = arm.answers[0]
    assert (a.input_tokens, a.cache_read_tokens, a.output_tokens) == (600, 400, 50)
    out = tmp_path / "imported"
    assert invoke("import", "promptfoo", str(path), "--out", str(out)).exit_code == 0
    store = tmp_path / "runs.db"
    assert invoke("run", str(out / "workload.yaml"), "--store", str(store)).exit_code == 0
    evidence = stored_evidence(RunStore.open(store), RunStore.open(store).list_runs()[0].id)
    [priced] = evidence.arms
    # Hand-computed: 600 x 0.15e-6 + 400 x 0.075e-6 + 50 x 0.6e-6 = 0.00009 + 0.00003 + 0.00003
    # = $0.00015 an uncached answer, as the file says; the cached one has no token split, so
    # it counts $0 (and the import says so): 2 x $0.00015 = $0.0003.
    assert float(priced.api_usd.sum()) == pytest.approx(0.0003)
    assert list(priced.tokens["input"]) == [600, 600, 0]
    assert list(priced.tokens["cache_read"]) == [400, 400, 0]
    notes = {n.kind: n for n in read_promptfoo(path, load_catalog()).notes}
    assert "cost" not in notes  # the split answers' dollars agree with the file's
    assert notes["tokens"].items == ("t2",) and "understated" in notes["tokens"].message


def test_an_empty_results_list_says_so_and_writes_nothing(tmp_path: Path, pf: ModuleType) -> None:
    path = pf.write_results(tmp_path / "results.json", cells=[])
    result = invoke("import", "promptfoo", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "`results.results` holds no results (given: [])" in result.output
    assert "--filter-pattern" in result.output and not (tmp_path / "out").exists()
