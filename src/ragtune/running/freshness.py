"""Knowledge freshness: after the knowledge base changes, which arms still answer correctly?

For each later knowledge-base version, the test questions whose answer changed are asked again
after the retrieval index is updated to that version, while the tuned model is not retrained:
the experiment behind "RAG for knowledge, fine-tuning for behaviour". The re-asked items are
stored under the same arm names with ids `<item>@<version>` and split `changed:<version>`, next
to their answers under the old knowledge (scored by `summary.freshness`). Arms whose traits say
`freshness=False` are left out: long_context would need its prompt rebuilt from the new text
(it is fresh by construction), the router would recalibrate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ragtune.config import KnowledgeVersion, Workload
from ragtune.data import Example
from ragtune.store import Item, RunStore
from ragtune.strategies import ArmUnavailable, Resources, create_arm, traits_of

log = logging.getLogger(__name__)


def changed_items(examples: Sequence[Example], version: KnowledgeVersion) -> list[Example]:
    """Test examples whose answer differs in `version`, with the new answer as target."""
    out = []
    for e in examples:
        new = e.extra.get(version.new_answer_field)
        if e.extra.get(version.changed_field) and new not in (None, ""):
            out.append(
                Example(
                    f"{e.id}@{version.name}", e.input, new, f"changed:{version.name}", e.doc_ids
                )
            )
    return out


def run_freshness(
    store: RunStore,
    run_id: str,
    workload: Workload,
    resources: Resources,
    arms: Sequence[str],
    tested: set[str],
    *,
    answer_items: Callable[..., None],
    record_kb_version: Callable[..., None],
    to_item: Callable[[Example], Item],
) -> None:
    """Update the index to each later version and re-ask the changed questions, arm by arm.

    The runner passes its own steps in (answering, recording a KB version, storing an item), so
    this module never imports the runner that imports it.
    """

    knowledge = workload.spec.knowledge
    if knowledge is None or not knowledge.later:
        return
    test = [e for e in workload.split("test") if e.id in tested]
    for version in knowledge.later:
        items = changed_items(test, version)
        if not items:
            log.info("no changed questions for knowledge version %s", version.name)
            continue
        store.add_items(run_id, [to_item(e) for e in items])
        if resources.index is not None:
            from ragtune.retrieval import ingest

            resources.index.update(ingest(workload.path(version.path)).documents)
            record_kb_version(store, run_id, version.name, version.path, resources)
        done = {a.name for a in store.list_arms(run_id) if a.status == "done"}
        for name in arms:
            settings = workload.arms[name]
            if not traits_of(name, settings).freshness or name not in done:
                continue
            try:
                arm = create_arm(name, resources, settings)
            except ArmUnavailable:
                continue
            answer_items(store, run_id, name, arm, items, label=f"{name} after {version.name}")
