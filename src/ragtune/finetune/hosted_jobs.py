"""A hosted fine-tune at Together or Fireworks, from the train split to a model that answers.

    write    train / validation chat JSONL (the same files the OpenAI path writes)
    upload   each (Together: a file; Fireworks: a dataset record, then its upload)
    create   the SFT job, LoRA or full, named by a key ragtune chooses and saves first
    poll     with growing waits, logging status changes, progress and new events
    list     the tuned model among the account's models (ready to serve)
    deploy   serverless (Fireworks: the adapter at its base's per-token rate) or a dedicated
             endpoint (Together: billed by the minute; Fireworks: per GPU-second), and wait for
             it within `serving.ready_timeout_s`
    keep     the job id, trained tokens, model and endpoint in `result.json` (`HostedResult`)

Every step's outcome is saved to `hosted.json` before the next starts, so a run killed at any
point resumes by job id: no second upload, job or endpoint. Nothing is deleted or stopped: a
dedicated endpoint keeps running (and billing) until its owner stops it, which the log says.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from ragtune.backends import BackendError, Retrier, RetryPolicy, api_key_from_env, classify, scrub
from ragtune.cost import load_hosted
from ragtune.finetune.data import save_examples, split_validation
from ragtune.finetune.hosted_api import FireworksApi, JobState, ProviderApi, TogetherApi
from ragtune.finetune.hosted_result import HostedJobFailed, HostedResult, HostedTuneError

log = logging.getLogger(__name__)

STATE = "hosted.json"
RESULT = "result.json"
VAL_FRACTION = 0.1  # as the OpenAI path and the local recipe
BACKOFF = 1.5
QUOTA_STATUS = (402, 429)


def serving_kind(provider: str, base: str, settings: Any) -> str:
    """`serving.kind`, or serverless where ragtune has a per-token rate for the base's size."""
    catalog = load_hosted()
    params = catalog.params_b(base, settings.params_b)
    rate = catalog.serverless_rate(provider, params)
    kind = settings.serving.kind or ("serverless" if rate is not None else "dedicated")
    if kind == "serverless" and rate is None:
        raise HostedTuneError(
            f"{provider} offers no serverless serving of a tuned {params:g}B base in ragtune's "
            "prices",
            hint="set serving: {kind: dedicated, hardware: ...} on the finetune arm",
        )
    return kind


class ProviderRunner:
    def __init__(
        self,
        job: Any,
        out: Path,
        *,
        api_key: str | None,
        sleep: Callable[[float], Awaitable[None]],
        policy: RetryPolicy | None,
        transport: Any,
    ) -> None:
        self.job, self.out, self.settings = job, out, job.settings
        self.sleep, self.transport = sleep, transport
        s = self.settings
        info = load_hosted().providers[s.provider]
        self.api_base = (s.base_url or info.api_base).rstrip("/")
        self.inference_url = self.api_base if s.base_url else info.inference_base
        if s.provider == "fireworks" and s.base_url:
            self.inference_url = self.api_base + "/inference/v1"
        if api_key is None:
            api_key = api_key_from_env(
                info.key_variable, f"hosted fine-tuning at {s.provider}", required=not s.base_url
            )
        self.api_key = api_key
        self.where = f"hosted fine-tuning ({s.provider}, {self.api_base})"
        self.retrier = Retrier(
            backend=self.where,
            model=str(s.base),
            classify=classify,
            policy=policy or RetryPolicy(max_attempts=6),
            secrets=[api_key],
            sleep=sleep,
        )
        self.kind = serving_kind(s.provider, str(s.base), s)
        self.error = HostedTuneError

    # --- state ---------------------------------------------------------------------------------

    def load_state(self) -> dict[str, Any]:
        path = self.out / STATE
        return json.loads(path.read_text()) if path.is_file() else {}

    def save_state(self, state: dict[str, Any]) -> None:
        tmp = (self.out / STATE).with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        tmp.replace(self.out / STATE)  # atomic: a kill never leaves half a state file

    def _api(self, client: httpx.AsyncClient) -> ProviderApi:
        if self.settings.provider == "together":
            return TogetherApi(client, self.inference_url)
        return FireworksApi(client, self.inference_url, str(self.settings.account))

    async def call(self, make: Callable[[], Awaitable[Any]], doing: str) -> Any:
        try:
            return await self.retrier.run(make)
        except BackendError as err:
            raise self._explained(err, doing) from None

    def _explained(self, err: BackendError, doing: str) -> Exception:
        status = getattr(err, "status", None)
        message = scrub(err.message, [self.api_key])
        if status in QUOTA_STATUS:
            return self.error(
                f"{self.settings.provider} refused {doing} for quota or spend limits: {message}",
                hint="raise the limit at the provider (or wait for it to reset), then "
                "`ragtune run --resume RUN_ID` continues from the saved state",
            )
        if status in (400, 422) and doing.startswith("uploading"):
            return self.error(
                f"{self.settings.provider} rejected the training data ({doing}): {message}",
                hint=f"the file it read is in {self.out}; fix the lines named above",
            )
        return self.error(f"{doing} failed: {message}", hint=err.hint)

    # --- the steps -----------------------------------------------------------------------------

    async def run(self) -> HostedResult:
        self.out.mkdir(parents=True, exist_ok=True)
        if (self.out / RESULT).is_file():
            return HostedResult.load(self.out / RESULT)
        state = self.load_state()
        s = self.settings
        if state.get("base") not in (None, s.base) or state.get("provider") not in (
            None,
            s.provider,
        ):
            raise self.error(
                f"{self.out} holds a hosted fine-tune of {state['base']} at "
                f"{state.get('provider')}, not {s.base} at {s.provider}",
                hint="start a new run, or delete that folder to tune the new base model",
            )
        state.update(base=s.base, provider=s.provider)
        state.setdefault("key", _key(self.out))
        async with httpx.AsyncClient(
            base_url=self.api_base + "/",
            headers={"Authorization": f"Bearer {self.api_key or 'not-needed'}"},
            timeout=s.request_timeout_s,
            transport=self.transport,
        ) as client:
            api = self._api(client)
            await self._upload(api, state)
            if not state.get("job_id"):
                found = await self.call(lambda: api.find(state["training_file"], state["key"]),
                                        "looking for an earlier job")  # fmt: skip
                state["job_id"] = found or await self.call(
                    lambda: api.create(self._job_body(state)), "creating the job"
                )
                state["created_at"] = time.time()
                self.save_state(state)
                log.info("%s: job %s created", self.where, state["job_id"])
            done = await self._poll(api, state["job_id"])
            model = str(done.model)
            await self._wait(lambda: api.model_listed(model), f"model {model} to be listed")
            if "endpoint_id" not in state:
                state["endpoint_id"] = await self.call(
                    lambda: api.deploy(model, self._serving(), str(s.base)),
                    "deploying the tuned model",
                )
                self.save_state(state)
            endpoint = await self._ready(api, state["endpoint_id"], model)
        result = HostedResult(
            provider=s.provider,
            base=str(s.base),
            base_url=self.api_base if s.base_url else None,
            job_id=str(state["job_id"]),
            fine_tuned_model=model,
            trained_tokens=int(done.trained_tokens or 0),
            epochs=s.epochs,
            wall_seconds=_wall(done, state),
            train_examples=int(state["train_examples"]),
            validation_examples=int(state["validation_examples"]),
            inference_url=self.inference_url,
            served_model=endpoint.model,
            endpoint_id=state["endpoint_id"] if self.kind == "dedicated" else None,
            serving={**self._serving().model_dump(), "kind": self.kind},
            params_b=load_hosted().params_b(str(s.base), s.params_b),
            method=s.method,
        )
        (self.out / RESULT).write_text(json.dumps(result.to_json(), indent=2) + "\n")
        if self.kind == "dedicated":
            log.warning(
                "%s: endpoint %s keeps running and billing until you stop it at %s",
                self.where, state["endpoint_id"], s.provider,
            )  # fmt: skip
        return result

    def _serving(self) -> Any:
        return self.settings.serving.model_copy(update={"kind": self.kind})

    async def _upload(self, api: ProviderApi, state: dict[str, Any]) -> None:
        if not state.get("training_file"):
            fraction = VAL_FRACTION if len(self.job.examples) >= 10 else 0.0
            train, val = split_validation(
                self.job.examples, fraction=fraction, seed=self.job.seed, test=self.job.test
            )
            save_examples(train, self.out / "train.jsonl")
            save_examples(val, self.out / "validation.jsonl")
            state["train_examples"], state["validation_examples"] = len(train), len(val)
            state["training_file"] = await self.call(
                lambda: api.upload(self.out / "train.jsonl", f"{state['key']}-train", len(train)),
                "uploading train.jsonl",
            )
            self.save_state(state)
        if state.get("validation_examples") and not state.get("validation_file"):
            n = state["validation_examples"]
            state["validation_file"] = await self.call(
                lambda: api.upload(self.out / "validation.jsonl", f"{state['key']}-val", n),
                "uploading validation.jsonl",
            )
            self.save_state(state)

    def _job_body(self, state: dict[str, Any]) -> dict[str, Any]:
        s = self.settings
        return {
            "training_file": state["training_file"],
            "validation_file": state.get("validation_file"),
            "base": s.base,
            "epochs": s.epochs,
            "batch_size": s.batch_size,
            "lora": s.method != "full",
            "seed": self.job.seed,
            "key": state["key"],
        }

    async def _poll(self, api: ProviderApi, job_id: str) -> JobState:
        s = self.settings
        started, wait = time.monotonic(), s.poll_s
        seen: set[str] = set()
        last: tuple[str, str | None] | None = None
        while True:
            job: JobState = await self.call(lambda: api.status(job_id), f"reading job {job_id}")
            for key, message in await self.call(lambda: api.events(job_id), "reading events"):
                if key not in seen:
                    seen.add(key)
                    log.info("%s: %s", job_id, scrub(message, [self.api_key]))
            if (job.raw, job.progress) != last:
                last = (job.raw, job.progress)
                log.info("%s: job %s is %s (%s)", self.where, job_id, job.raw, job.progress)
            if job.status in ("failed", "cancelled"):
                raise HostedJobFailed(
                    scrub(f"hosted fine-tuning job {job_id} at {s.provider} {job.status} "
                          f"({job.raw}): {job.reason or 'no reason given'}", [self.api_key]),
                    hint="fix the cause and start a new run (this run keeps the job's id)",
                )  # fmt: skip
            if job.status == "succeeded":
                if not job.model:
                    raise self.error(f"job {job_id} succeeded but names no tuned model")
                return job
            if time.monotonic() - started > s.timeout_s:
                raise self.error(
                    f"hosted fine-tuning job {job_id} is still {job.raw} after "
                    f"{s.timeout_s:g} s of waiting",
                    hint="the job keeps running at the provider; `ragtune run --resume RUN_ID` "
                    "picks it up by its id (or raise timeout_s)",
                )
            await self.sleep(wait)
            wait = min(s.max_poll_s, wait * BACKOFF)

    async def _wait(self, check: Callable[[], Awaitable[bool]], what: str) -> None:
        started, wait = time.monotonic(), self.settings.poll_s
        while not await self.call(check, f"waiting for {what}"):
            if time.monotonic() - started > self.settings.serving.ready_timeout_s:
                raise self.error(f"gave up waiting for {what}", hint="resume the run later")
            await self.sleep(wait)
            wait = min(self.settings.max_poll_s, wait * BACKOFF)

    async def _ready(self, api: ProviderApi, endpoint_id: str, model: str) -> Any:
        """The endpoint once it serves, within serving.ready_timeout_s (it is billed meanwhile)."""
        serving = self.settings.serving
        started, wait = time.monotonic(), self.settings.poll_s
        state = None
        while True:
            endpoint = await self.call(lambda: api.endpoint(endpoint_id, model), "reading endpoint")
            if endpoint.state != state:
                state = endpoint.state
                log.info("%s: endpoint %s is %s", self.where, endpoint_id, state)
            if endpoint.ready:
                return endpoint
            if endpoint.failed:
                raise self.error(f"endpoint {endpoint_id} for {model} failed ({state})",
                                 hint="see the provider's console; start a new run")  # fmt: skip
            if time.monotonic() - started > serving.ready_timeout_s:
                raise self.error(
                    f"endpoint {endpoint_id} for {model} is still {state} after "
                    f"{serving.ready_timeout_s:g} s (serving.ready_timeout_s)",
                    hint="it may be billed while it starts; `ragtune run --resume RUN_ID` waits "
                    "for the same endpoint again (no second one is created)",
                )
            await self.sleep(wait)
            wait = min(self.settings.max_poll_s, wait * BACKOFF)


def _key(out: Path) -> str:
    """A name ragtune gives the job (and Fireworks datasets), unique per run folder."""
    digest = hashlib.sha1(f"{out.resolve()}:{time.time_ns()}".encode()).hexdigest()[:12]
    return f"ragtune-{digest}"


def _wall(job: JobState, state: dict[str, Any]) -> float:
    created = job.created_at or state.get("created_at")
    finished = job.finished_at or time.time()
    return float(finished - created) if created else 0.0
