"""Together's and Fireworks' fine-tuning APIs, called over their documented HTTP shapes.

Why httpx and not the `together` / `fireworks-ai` SDKs: both install from PyPI and take a base
URL, but `together` 3.1 pins `rich<15` (ragtune's environment runs rich 15) and its `create`
makes two extra calls (model limits, a price estimate) and uploads through a multi-step
presigned-URL flow, so ragtune would test the SDK's plumbing rather than the provider's contract.
The calls below are the ones each provider's REST reference documents (pages named per call,
read 2026-12-07); one `ProviderApi` protocol hides which provider answers.

    together   POST /files/upload (multipart) · POST /fine-tunes · GET /fine-tunes[/{id}[/events]]
               GET /models · POST /endpoints · GET /endpoints/{id}
    fireworks  POST /accounts/{a}/datasets · POST …/datasets/{id}:upload · GET …/datasets/{id}
               POST …/supervisedFineTuningJobs?supervisedFineTuningJobId= · GET …/{id}
               GET …/models/{id} · POST …/deployedModels · GET …/deployedModels/{id}
               POST …/deployments · GET …/deployments/{id}

Each call returns plain values or a `JobState`; HTTP errors raise `APIStatusError`, which the
backends' `classify` (and so the `Retrier`) treat like an SDK's: 429 / 5xx retried, the rest not.
Deliberately not here: state on disk, polling and resuming (`hosted_jobs.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import httpx

Status = Literal["pending", "running", "succeeded", "failed", "cancelled"]


class APIStatusError(Exception):
    """An HTTP error answer; named like the SDKs' class so `backends.classify` reads it."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status_code = response.status_code
        try:
            self.body: Any = response.json()
        except ValueError:
            self.body = {"error": {"message": response.text[:300]}}
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), str):
            self.body = {"error": {"message": self.body["error"]}}
        if isinstance(self.body, dict) and "error" not in self.body and "message" in self.body:
            self.body = {"error": {"message": self.body["message"]}}
        super().__init__(f"HTTP {self.status_code}: {self.body}")


@dataclass(frozen=True)
class JobState:
    """A job as ragtune reads it, whatever the provider calls its fields."""

    status: Status
    raw: str  # the provider's own status word
    model: str | None = None  # the tuned model's id, once there is one
    trained_tokens: int | None = None
    reason: str | None = None  # why it failed, in the provider's words
    progress: str | None = None
    created_at: float | None = None
    finished_at: float | None = None


@dataclass(frozen=True)
class Endpoint:
    id: str
    state: str
    ready: bool
    failed: bool
    model: str  # the name to send as `model` in chat completions


class ProviderApi(Protocol):
    name: str
    inference_url: str

    async def upload(self, path: Path, name: str, examples: int) -> str: ...
    async def create(self, job: dict[str, Any]) -> str: ...
    async def find(self, training_file: str, job_key: str) -> str | None: ...
    async def status(self, job_id: str) -> JobState: ...
    async def events(self, job_id: str) -> list[tuple[str, str]]: ...
    async def model_listed(self, model: str) -> bool: ...
    async def deploy(self, model: str, serving: Any, base: str) -> str | None: ...
    async def endpoint(self, endpoint_id: str, model: str) -> Endpoint: ...


def _seconds(value: Any) -> float | None:
    """A timestamp as Unix seconds: numbers as they are, ISO 8601 strings parsed."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return None


class _Http:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.client.request(method, path.lstrip("/"), **kwargs)
        if response.status_code >= 400:
            raise APIStatusError(response)
        return response.json() if response.content else {}


# --- Together --------------------------------------------------------------------------------
# Shapes: docs.together.ai/reference/post-files-upload, post-fine-tunes, get-fine-tunes,
# get-fine-tunes-id, get-fine-tunes-id-events, models-list, createendpoint, getendpoint.

_TOGETHER_STATUS: dict[str, Status] = {
    "pending": "pending", "queued": "pending", "running": "running", "compressing": "running",
    "uploading": "running", "cancel_requested": "running", "cancelled": "cancelled",
    "error": "failed", "user_error": "failed", "completed": "succeeded",
}  # fmt: skip


class TogetherApi(_Http):
    name = "together"

    def __init__(self, client: httpx.AsyncClient, inference_url: str) -> None:
        super().__init__(client)
        self.inference_url = inference_url

    async def upload(self, path: Path, name: str, examples: int) -> str:
        body = await self.request(
            "POST",
            "/files/upload",
            data={"purpose": "fine-tune", "file_name": path.name},
            files={"file": (path.name, path.read_bytes(), "application/jsonl")},
        )
        return str(body["id"])

    async def create(self, job: dict[str, Any]) -> str:
        body: dict[str, Any] = {
            "training_file": job["training_file"],
            "model": job["base"],
            "n_epochs": job.get("epochs") or 1,
            "training_method": {"method": "sft"},
            "training_type": {"type": "Lora" if job["lora"] else "Full"},
            "random_seed": job["seed"],
            "suffix": job["key"],
        }
        if job.get("validation_file"):
            body["validation_file"] = job["validation_file"]
            body["n_evals"] = 1
        if job.get("batch_size"):
            body["batch_size"] = job["batch_size"]
        answer = await self.request("POST", "/fine-tunes", json=body)
        return str(answer["id"])

    async def find(self, training_file: str, job_key: str) -> str | None:
        page = await self.request("GET", "/fine-tunes")
        for job in page.get("data") or []:
            if job.get("training_file") == training_file and job.get("status") != "cancelled":
                return str(job["id"])
        return None

    async def status(self, job_id: str) -> JobState:
        job = await self.request("GET", f"/fine-tunes/{job_id}")
        raw = str(job.get("status"))
        status = _TOGETHER_STATUS.get(raw, "running")
        reason = None
        if status == "failed":
            errors = [e for e in job.get("events") or [] if "error" in str(e.get("type", ""))]
            reason = (errors[-1].get("message") if errors else None) or job.get("error")
        # Together bills (epochs x training tokens) + (evaluations x validation tokens); the
        # job reports the processed total as `trained_tokens` once tokenised, else token_count
        # (one pass over the training file) x n_epochs.
        trained = job.get("trained_tokens")
        if trained is None and job.get("token_count") is not None:
            trained = int(job["token_count"]) * int(job.get("n_epochs") or 1)
        steps = job.get("total_steps")
        return JobState(
            status=status,
            raw=raw,
            model=job.get("output_name") or job.get("model_output_name"),
            trained_tokens=int(trained) if trained is not None else None,
            reason=str(reason) if reason else None,
            progress=f"epochs {job.get('epochs_completed', 0)}/{job.get('n_epochs')}"
            + (f", {steps} steps" if steps else ""),
            created_at=_seconds(job.get("created_at")),
            finished_at=_seconds(job.get("updated_at")) if status == "succeeded" else None,
        )

    async def events(self, job_id: str) -> list[tuple[str, str]]:
        page = await self.request("GET", f"/fine-tunes/{job_id}/events")
        return [
            (f"{e.get('created_at')}:{i}", str(e.get("message")))
            for i, e in enumerate(page.get("data") or [])
        ]

    async def model_listed(self, model: str) -> bool:
        listed = await self.request("GET", "/models")
        rows = listed.get("data", listed) if isinstance(listed, dict) else listed
        return any(m.get("id") == model for m in rows)

    async def deploy(self, model: str, serving: Any, base: str) -> str | None:
        body = {
            "model": model,
            "hardware": serving.hardware,
            "display_name": f"ragtune {model}"[:60],
            "autoscaling": {
                "min_replicas": serving.min_replicas,
                "max_replicas": serving.max_replicas or serving.min_replicas,
            },
        }
        answer = await self.request("POST", "/endpoints", json=body)
        return str(answer["id"])

    async def endpoint(self, endpoint_id: str, model: str) -> Endpoint:
        e = await self.request("GET", f"/endpoints/{endpoint_id}")
        state = str(e.get("state"))
        return Endpoint(endpoint_id, state, state == "STARTED", state == "ERROR", str(e["name"]))


# --- Fireworks -------------------------------------------------------------------------------
# Shapes: docs.fireworks.ai/fine-tuning/fine-tuning-via-api (datasets, :upload),
# api-reference/create-supervised-fine-tuning-job, get-supervised-fine-tuning-job, get-model,
# create-deployed-model (load LoRA), create-deployment, get-deployment.

_FIREWORKS_STATUS: dict[str, Status] = {
    "JOB_STATE_CREATING": "pending", "JOB_STATE_PENDING": "pending",
    "JOB_STATE_VALIDATING": "pending", "JOB_STATE_RUNNING": "running",
    "JOB_STATE_WRITING_RESULTS": "running", "JOB_STATE_COMPLETED": "succeeded",
    "JOB_STATE_FAILED": "failed", "JOB_STATE_CANCELLED": "cancelled",
    "JOB_STATE_EXPIRED": "failed", "JOB_STATE_DELETING": "cancelled",
}  # fmt: skip


class FireworksApi(_Http):
    name = "fireworks"

    def __init__(self, client: httpx.AsyncClient, inference_url: str, account: str) -> None:
        super().__init__(client)
        self.inference_url = inference_url
        self.account = account
        self.root = f"accounts/{account}"  # resource names carry no leading slash

    async def upload(self, path: Path, name: str, examples: int) -> str:
        dataset_id = name
        dataset = f"{self.root}/datasets/{dataset_id}"
        try:
            await self.request(
                "POST",
                f"{self.root}/datasets",
                json={"datasetId": dataset_id, "dataset": {"userUploaded": {},
                      "exampleCount": str(examples), "format": "CHAT"}},
            )  # fmt: skip
        except APIStatusError as err:
            if err.status_code != 409:  # 409: made by a run that was killed before saving it
                raise
        await self.request(
            "POST",
            f"{dataset}:upload",
            files={"file": (path.name, path.read_bytes(), "application/jsonl")},
        )
        return dataset

    def _job_path(self, job_id: str) -> str:
        return f"{self.root}/supervisedFineTuningJobs/{job_id.rsplit('/', 1)[-1]}"

    async def create(self, job: dict[str, Any]) -> str:
        key = job["key"]
        body: dict[str, Any] = {
            "dataset": job["training_file"],
            "baseModel": job["base"],
            "outputModel": f"{self.root}/models/{key}",
            "displayName": f"ragtune {key}",
        }
        if job.get("validation_file"):
            body["evaluationDataset"] = job["validation_file"]
        if job.get("epochs"):
            body["epochs"] = job["epochs"]
        if job.get("batch_size"):
            body["batchSize"] = job["batch_size"]
        answer = await self.request(
            "POST",
            f"{self.root}/supervisedFineTuningJobs",
            params={"supervisedFineTuningJobId": key},
            json=body,
        )
        return str(answer["name"])

    async def find(self, training_file: str, job_key: str) -> str | None:
        # ragtune names the job itself, so a create whose answer was lost is found by name
        try:
            job = await self.request("GET", self._job_path(job_key))
        except APIStatusError as err:
            if err.status_code == 404:
                return None
            raise
        return str(job["name"])

    async def status(self, job_id: str) -> JobState:
        job = await self.request("GET", self._job_path(job_id))
        raw = str(job.get("state"))
        status = _FIREWORKS_STATUS.get(raw, "running")
        progress = job.get("jobProgress") or {}
        reason = (job.get("status") or {}).get("message") if status != "succeeded" else None
        tokens = progress.get("inputTokens")  # tokens processed: dataset tokens x epochs
        return JobState(
            status=status,
            raw=raw,
            model=job.get("outputModel") if status == "succeeded" else None,
            trained_tokens=int(tokens) if tokens is not None else None,
            reason=str(reason) if reason else None,
            progress=f"{progress.get('percent', 0)}% (epoch {progress.get('epoch', 0)})",
            created_at=_seconds(job.get("createTime")),
            finished_at=_seconds(job.get("completedTime")),
        )

    async def events(self, job_id: str) -> list[tuple[str, str]]:
        return []  # Fireworks reports progress on the job itself (jobProgress)

    async def model_listed(self, model: str) -> bool:
        try:
            found = await self.request("GET", f"/{model.lstrip('/')}")
        except APIStatusError as err:
            if err.status_code == 404:
                return False
            raise
        return str(found.get("state")) == "READY"

    async def deploy(self, model: str, serving: Any, base: str) -> str | None:
        deployment = None
        if serving.kind == "dedicated":
            answer = await self.request(
                "POST",
                f"{self.root}/deployments",
                json={"baseModel": base, "minReplicaCount": serving.min_replicas,
                      "maxReplicaCount": serving.max_replicas or serving.min_replicas,
                      "acceleratorType": (serving.hardware or "").upper(),
                      "enableAddons": True},
            )  # fmt: skip
            deployment = str(answer["name"])
        body: dict[str, Any] = {"model": model}
        body.update({"deployment": deployment} if deployment else {"serverless": True})
        answer = await self.request("POST", f"{self.root}/deployedModels", json=body)
        return json.dumps({"deployed": answer["name"], "deployment": deployment})

    async def endpoint(self, endpoint_id: str, model: str) -> Endpoint:
        ids = json.loads(endpoint_id)
        state, ready, failed = "READY", True, False
        if ids["deployment"]:
            d = await self.request("GET", f"/{ids['deployment']}")
            state = str(d.get("state"))
            ready, failed = state == "READY", state in ("FAILED", "DELETED")
        served = model if not ids["deployment"] else f"{model}#{ids['deployment']}"
        if ready:
            m = await self.request("GET", f"/{ids['deployed'].lstrip('/')}")
            state = str(m.get("state"))
            ready, failed = state == "DEPLOYED", state in ("FAILED", "UNDEPLOYED")
        return Endpoint(endpoint_id, state, ready, failed, served)
