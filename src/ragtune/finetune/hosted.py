"""Hosted fine-tuning through OpenAI's fine-tuning API, or any server that implements it
(Together and Fireworks jobs run through `hosted_jobs.py`; `tune_hosted` picks by provider).

The `finetune` arm with `provider: openai` does what a team with an API key would do by hand:

    write   the train split (and a validation share) as chat JSONL in the run's folder
    upload  each file (`files.create`, purpose "fine-tune")
    create  the job (`fine_tuning.jobs.create`), with epochs / batch size / LR multiplier if given
    poll    it with growing waits, logging each new event and status change
    keep    the job's `fine_tuned_model`, `trained_tokens`, epochs and wall time (`HostedResult`)

Each step's outcome is saved in `hosted.json` before the next starts, so a run killed at any
point resumes where it stopped: no file is uploaded twice and no second job is created (a job id
on disk is polled again; a create whose answer was lost is found by its training file id). Every
call goes through the backends' `Retrier` with the SDK's own retries off: 429, 5xx, timeouts and
dropped connections are retried with backoff, and the API key is scrubbed from every message.
A failed or cancelled job raises `HostedJobFailed` with the provider's own message.

Deliberately not here: answering with the tuned model (an ordinary OpenAI backend, see
`HostedResult.backend_name`) and pricing (the catalog's `-ft` entries, read by the summary).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ragtune.backends import Retrier, RetryPolicy, api_key_from_env, classify, run_sync, scrub
from ragtune.config import HostedFinetune
from ragtune.errors import MissingDependencyError, RagtuneError
from ragtune.finetune.data import Conversation, save_examples, split_validation
from ragtune.finetune.hosted_result import HostedJobFailed, HostedResult, HostedTuneError

log = logging.getLogger(__name__)

OPENAI_URL = "https://api.openai.com/v1"
STATE = "hosted.json"
RESULT = "result.json"
TERMINAL = ("succeeded", "failed", "cancelled")
VAL_FRACTION = 0.1  # the same validation share the local LoRA recipe holds out
BACKOFF = 1.5  # each wait between polls is 1.5x the last, up to max_poll_s


@dataclass(frozen=True)
class HostedJob:
    """What to tune: settings plus the examples (already rendered with the tuned prompt)."""

    settings: HostedFinetune
    examples: Sequence[Conversation]
    test: Sequence[Conversation] = ()
    seed: int = 0


Sleep = Callable[[float], Awaitable[None]]


def tune_hosted(
    job: HostedJob,
    out_dir: str | Path,
    *,
    api_key: str | None = None,
    sleep: Sleep = asyncio.sleep,
    policy: RetryPolicy | None = None,
    transport: Any = None,
) -> HostedResult:
    """Run (or resume) the hosted fine-tune of `job`, keeping its state in `out_dir`."""
    settings = job.settings
    if settings.provider in ("together", "fireworks"):
        try:
            from ragtune.finetune.hosted_jobs import ProviderRunner
        except ImportError:  # httpx comes with the api extra
            raise MissingDependencyError("httpx", "api") from None

        provider = ProviderRunner(
            job, Path(out_dir), api_key=api_key, sleep=sleep, policy=policy, transport=transport
        )
        try:
            result: HostedResult = run_sync(provider.run)
            return result
        except RagtuneError as err:
            if isinstance(err, HostedTuneError):
                raise
            raise HostedTuneError(scrub(str(err), [provider.api_key])) from None
    official = settings.base_url is None
    if api_key is None:
        variable = "OPENAI_API_KEY" if official else "OPENAI_COMPATIBLE_API_KEY"
        api_key = api_key_from_env(
            variable, f"hosted fine-tuning of {settings.base}", required=official
        )
    runner = _Runner(job, Path(out_dir), api_key, sleep, policy, transport)
    try:
        return run_sync(runner.run)
    except RagtuneError as err:
        if isinstance(err, HostedTuneError):
            raise
        raise HostedTuneError(scrub(str(err), [api_key])) from None


class _Runner:
    def __init__(
        self,
        job: HostedJob,
        out: Path,
        api_key: str | None,
        sleep: Sleep,
        policy: RetryPolicy | None,
        transport: Any,
    ) -> None:
        self.job, self.out, self.api_key = job, out, api_key
        self.settings = job.settings
        self.sleep = sleep
        self.transport = transport
        self.where = f"hosted fine-tuning ({self.settings.base_url or OPENAI_URL})"
        self.retrier = Retrier(
            backend=self.where,
            model=str(self.settings.base),
            classify=classify,
            policy=policy or RetryPolicy(max_attempts=6),
            secrets=[api_key],
            sleep=sleep,
        )

    # --- state on disk -------------------------------------------------------------------------

    def load_state(self) -> dict[str, Any]:
        path = self.out / STATE
        return json.loads(path.read_text()) if path.is_file() else {}

    def save_state(self, state: dict[str, Any]) -> None:
        path = self.out / STATE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        tmp.replace(path)  # atomic: a kill never leaves half a state file

    # --- the steps -----------------------------------------------------------------------------

    async def run(self) -> HostedResult:
        self.out.mkdir(parents=True, exist_ok=True)
        state = self.load_state()
        if state.get("job_id") and (self.out / RESULT).is_file():
            return HostedResult.load(self.out / RESULT)
        if state.get("base") not in (None, self.settings.base):
            raise HostedTuneError(
                f"{self.out} holds a hosted fine-tune of {state['base']}, not {self.settings.base}",
                hint="start a new run, or delete that folder to tune the new base model",
            )
        state["base"] = self.settings.base
        async with self._client() as client:
            if not state.get("training_file"):
                train, val = self._write_files()
                state["train_examples"], state["validation_examples"] = len(train), len(val)
                state["training_file"] = await self._upload(client, self.out / "train.jsonl")
                self.save_state(state)
            if state.get("validation_examples") and not state.get("validation_file"):
                state["validation_file"] = await self._upload(client, self.out / "validation.jsonl")
                self.save_state(state)
            if not state.get("job_id"):
                found = await self._find_job(client, state["training_file"])
                job = found or await self._create(client, state)
                state["job_id"] = job.id
                state["created_at"] = getattr(job, "created_at", None) or int(time.time())
                self.save_state(state)
                log.info("%s: job %s created (%s)", self.where, job.id, job.status)
            job = await self._poll(client, state["job_id"])
        result = self._result(job, state)
        (self.out / RESULT).write_text(json.dumps(result.to_json(), indent=2) + "\n")
        return result

    def _client(self) -> Any:
        try:
            from openai import AsyncOpenAI, DefaultAsyncHttpxClient
        except ImportError:
            raise MissingDependencyError("openai", "api") from None
        return AsyncOpenAI(
            api_key=self.api_key or "not-needed",
            base_url=self.settings.base_url or OPENAI_URL,
            max_retries=0,  # every retry is ours: counted, logged, bounded by one policy
            timeout=self.settings.request_timeout_s,
            http_client=DefaultAsyncHttpxClient(transport=self.transport)
            if self.transport is not None
            else None,
        )

    def _write_files(self) -> tuple[list[Conversation], list[Conversation]]:
        """The train / validation JSONL the provider trains on (test prompts never in them)."""
        fraction = VAL_FRACTION if len(self.job.examples) >= 10 else 0.0
        train, val = split_validation(
            self.job.examples, fraction=fraction, seed=self.job.seed, test=self.job.test
        )
        save_examples(train, self.out / "train.jsonl")
        save_examples(val, self.out / "validation.jsonl")
        return train, val

    async def _upload(self, client: Any, path: Path) -> str:
        content = path.read_bytes()
        uploaded = await self._call(
            lambda: client.files.create(
                file=(path.name, content, "application/jsonl"), purpose="fine-tune"
            )
        )
        log.info("%s: uploaded %s as %s", self.where, path.name, uploaded.id)
        return str(uploaded.id)

    async def _find_job(self, client: Any, training_file: str) -> Any:
        """A job already made from our training file (a create whose answer was lost)."""
        page = await self._call(lambda: client.fine_tuning.jobs.list(limit=100))
        for job in page.data:
            if job.training_file == training_file and job.status != "cancelled":
                log.info("%s: found job %s for %s", self.where, job.id, training_file)
                return job
        return None

    async def _create(self, client: Any, state: dict[str, Any]) -> Any:
        s = self.settings
        hyper = {
            k: v
            for k, v in (
                ("n_epochs", s.epochs),
                ("batch_size", s.batch_size),
                ("learning_rate_multiplier", s.learning_rate_multiplier),
            )
            if v is not None
        }
        params: dict[str, Any] = {
            "model": s.base,
            "training_file": state["training_file"],
            "seed": self.job.seed,
            "method": {"type": "supervised", "supervised": {"hyperparameters": hyper}},
        }
        if state.get("validation_file"):
            params["validation_file"] = state["validation_file"]
        if s.suffix:
            params["suffix"] = s.suffix

        async def create() -> Any:
            try:
                return await client.fine_tuning.jobs.create(**params)
            except Exception as exc:
                failure = classify(exc)
                if failure is not None and failure.status is None:
                    # Lost on the way back (timeout, dropped connection): the job may exist.
                    found = await self._find_job(client, state["training_file"])
                    if found is not None:
                        return found
                raise

        return await self._call(create)

    async def _poll(self, client: Any, job_id: str) -> Any:
        """Wait for a terminal status, logging new events; waits grow from poll_s to max."""
        s = self.settings
        started = time.monotonic()
        wait = s.poll_s
        seen: set[str] = set()
        status = None
        while True:
            job = await self._call(lambda: client.fine_tuning.jobs.retrieve(job_id))
            await self._events(client, job_id, seen)
            if job.status != status:
                status = job.status
                log.info("%s: job %s is %s", self.where, job_id, status)
            if status in TERMINAL:
                return job
            if time.monotonic() - started > s.timeout_s:
                raise HostedTuneError(
                    f"hosted fine-tuning job {job_id} is still {status} after "
                    f"{s.timeout_s:g} s of waiting",
                    hint="the job keeps running at the provider; `ragtune run --resume RUN_ID` "
                    "picks it up by its id (or raise timeout_s)",
                )
            await self.sleep(wait)
            wait = min(s.max_poll_s, wait * BACKOFF)

    async def _events(self, client: Any, job_id: str, seen: set[str]) -> None:
        page = await self._call(lambda: client.fine_tuning.jobs.list_events(job_id, limit=50))
        for event in reversed(list(page.data)):  # the API lists newest first
            if event.id not in seen:
                seen.add(event.id)
                log.info("%s: %s", job_id, scrub(str(event.message), [self.api_key]))

    async def _call(self, make: Callable[[], Awaitable[Any]]) -> Any:
        return await self.retrier.run(make)

    def _result(self, job: Any, state: dict[str, Any]) -> HostedResult:
        if job.status != "succeeded":
            error = getattr(job, "error", None)
            message = getattr(error, "message", None) or "no reason given"
            code = getattr(error, "code", None)
            raise HostedJobFailed(
                scrub(
                    f"hosted fine-tuning job {job.id} {job.status}: {message}"
                    + (f" ({code})" if code else ""),
                    [self.api_key],
                ),
                hint="fix the cause and start a new run (this run keeps the failed job's id)",
            )
        if not job.fine_tuned_model:
            raise HostedTuneError(f"job {job.id} succeeded but names no fine_tuned_model")
        created = getattr(job, "created_at", None) or state.get("created_at")
        finished = getattr(job, "finished_at", None) or int(time.time())
        return HostedResult(
            provider=self.settings.provider,
            base=str(self.settings.base),
            base_url=self.settings.base_url.rstrip("/") if self.settings.base_url else None,
            job_id=str(job.id),
            fine_tuned_model=str(job.fine_tuned_model),
            trained_tokens=int(job.trained_tokens or 0),
            epochs=_epochs(job),
            wall_seconds=float(finished - created) if finished and created else 0.0,
            train_examples=int(state.get("train_examples") or 0),
            validation_examples=int(state.get("validation_examples") or 0),
        )


def _epochs(job: Any) -> int | None:
    """Epochs the job ran: `method.supervised.hyperparameters`, else the older `hyperparameters`."""
    method = getattr(job, "method", None)
    supervised = getattr(method, "supervised", None)
    for hyper in (
        getattr(supervised, "hyperparameters", None),
        getattr(job, "hyperparameters", None),
    ):
        value = getattr(hyper, "n_epochs", None)
        if isinstance(value, int):
            return value
    return None
