"""A real local HTTP server speaking Together's and Fireworks' fine-tuning APIs.

Bodies follow each provider's documented objects, as read on 2026-12-07:

Together (https://docs.together.ai/reference): post-files-upload (file object), post-fine-tunes
and get-fine-tunes-id (FinetuneResponse: id, status pending|queued|running|compressing|
uploading|cancelled|error|completed, output_name / model_output_name, token_count, n_epochs,
created_at / updated_at as ISO 8601, events[]), get-fine-tunes-id-events
({data: [fine-tune-event]}), get-fine-tunes ({data: [...]}), models-list (a list of model
objects), createendpoint / getendpoint (id, name, model, hardware, state
PENDING|STARTING|STARTED|STOPPED|ERROR), chat-completions (OpenAI's shape).

Fireworks (https://docs.fireworks.ai/fine-tuning/fine-tuning-via-api and api-reference):
datasets (create with datasetId + dataset.userUploaded, `:upload` multipart), supervised
fine-tuning jobs (create with ?supervisedFineTuningJobId=, get: name, state JOB_STATE_*, status
{code, message}, outputModel, jobProgress {percent, epoch, inputTokens}, createTime,
completedTime), get-model (state READY), deployedModels (load a LoRA: serverless or on a
deployment; state DEPLOYED), deployments (state CREATING|READY), and chat completions under
/inference/v1.

Faults: `script` (statuses a job walks through, one per status read), `fail_reason`,
`reject_line` (the upload is refused naming that line), `quota` (creates answer 402 with a
spend-limit message), `endpoint_ready_after` (reads before the endpoint serves; None: never),
`hold` (a running job stays running until the test sets it).
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TOGETHER_SCRIPT = ("pending", "queued", "running", "running", "completed")
FIREWORKS_SCRIPT = ("JOB_STATE_CREATING", "JOB_STATE_RUNNING", "JOB_STATE_RUNNING",
                    "JOB_STATE_COMPLETED")  # fmt: skip


@dataclass
class Setup:
    script: tuple[str, ...] = TOGETHER_SCRIPT
    trained_tokens: int = 1_000
    fail_reason: str | None = None
    reject_line: int | None = None
    quota: bool = False
    endpoint_ready_after: int | None = 1
    hold: threading.Event | None = None
    usage_tokens: tuple[int, int] = (100, 2)


@dataclass
class Seen:
    files: dict[str, bytes] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    creates: list[dict[str, Any]] = field(default_factory=list)
    create_attempts: int = 0
    status_reads: dict[str, int] = field(default_factory=dict)
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)
    endpoint_reads: int = 0
    chats: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class ProviderServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, setup: Setup) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.setup = setup
        self.seen = Seen()
        self.ids = itertools.count(1)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


@contextmanager
def serve(setup: Setup | None = None) -> Iterator[ProviderServer]:
    server = ProviderServer(setup or Setup())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        if server.setup.hold is not None:
            server.setup.hold.set()
        server.shutdown()
        server.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: ProviderServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": {"message": message, "type": "invalid_request_error"}})

    def _form(self, body: bytes) -> dict[str, tuple[str | None, bytes]]:
        head = f"content-type: {self.headers['content-type']}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        out = {}
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            out[name] = (part.get_filename(), part.get_payload(decode=True))
        return out

    def _check_lines(self, content: bytes) -> str | None:
        for i, line in enumerate(content.decode().splitlines(), 1):
            if i == self.server.setup.reject_line:
                return f"Invalid format on line {i}: 'messages' must end with an assistant turn"
            if not isinstance(json.loads(line).get("messages"), list):
                return f"line {i}: no messages"
        return None

    # --- routing -------------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = urlparse(self.path).path
        if path.startswith("/v1/accounts/"):
            return self._fireworks_get(path)
        parts = path.strip("/").split("/")
        seen = self.server.seen
        if path == "/v1/fine-tunes":
            return self._send(200, {"data": list(seen.jobs.values())})
        if parts[:2] == ["v1", "fine-tunes"] and len(parts) == 3:
            return self._send(200, self._advance(parts[2]))
        if parts[:2] == ["v1", "fine-tunes"] and parts[3:] == ["events"]:
            return self._send(200, {"data": seen.jobs[parts[2]]["events"]})
        if path == "/v1/models":
            done = [j["output_name"] for j in seen.jobs.values() if j["status"] == "completed"]
            return self._send(200, [{"id": m, "object": "model", "type": "chat"} for m in done])
        if parts[:2] == ["v1", "endpoints"] and len(parts) == 3:
            return self._send(200, self._endpoint(parts[2]))
        self._error(404, f"unknown path {path}")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        url = urlparse(self.path)
        path = url.path
        if path.endswith("/chat/completions"):
            return self._chat(json.loads(body))
        if path.startswith("/v1/accounts/"):
            return self._fireworks_post(path, parse_qs(url.query), body)
        if path == "/v1/files/upload":
            form = self._form(body)
            content = form["file"][1]
            problem = self._check_lines(content)
            if problem:
                return self._error(400, problem)
            file_id = f"file-{next(self.server.ids):04d}"
            self.server.seen.files[file_id] = content
            return self._send(200, {"id": file_id, "object": "file", "filename": form["file"][0],
                                    "bytes": len(content), "purpose": "fine-tune",
                                    "FileType": "jsonl", "Processed": True})  # fmt: skip
        if path == "/v1/fine-tunes":
            return self._together_create(json.loads(body))
        if path == "/v1/endpoints":
            request = json.loads(body)
            endpoint_id = f"endpoint-{next(self.server.ids):04d}"
            self.server.seen.endpoints[endpoint_id] = {
                "object": "endpoint", "id": endpoint_id, "name": f"acme/{request['model']}-ep",
                "model": request["model"], "hardware": request["hardware"],
                "autoscaling": request["autoscaling"], "state": "PENDING", "type": "dedicated",
            }  # fmt: skip
            return self._send(200, self.server.seen.endpoints[endpoint_id])
        self._error(404, f"unknown path {path}")

    # --- jobs, both providers ------------------------------------------------------------------

    def _quota(self) -> bool:
        if self.server.setup.quota:
            self._send(402, {"error": {"message": "Monthly spend limit reached for this "
                                       "account", "type": "quota_exceeded"}})  # fmt: skip
        return self.server.setup.quota

    def _together_create(self, request: dict[str, Any]) -> None:
        seen = self.server.seen
        with seen.lock:
            seen.create_attempts += 1
            if self._quota():
                return None
            if request["training_file"] not in seen.files:
                return self._error(400, f"no file {request['training_file']}")
            job_id = f"ft-{next(self.server.ids):04d}"
            seen.creates.append(request)
            seen.jobs[job_id] = {
                "id": job_id, "status": "pending", "model": request["model"],
                "training_file": request["training_file"],
                "validation_file": request.get("validation_file"),
                "n_epochs": request.get("n_epochs"), "n_evals": request.get("n_evals", 0),
                "output_name": None, "token_count": None, "trained_tokens": None,
                "created_at": "2026-12-07T01:00:00Z", "updated_at": "2026-12-07T01:00:00Z",
                "epochs_completed": 0, "events": [
                    {"object": "fine-tune-event", "created_at": "2026-12-07T01:00:00Z",
                     "message": "Fine tune request created", "type": "job_pending"}],
            }  # fmt: skip
            seen.status_reads[job_id] = 0
        self._send(200, seen.jobs[job_id])

    def _step(self, job_id: str) -> str:
        """The job's next status along the script (held while `hold` is unset)."""
        setup, seen = self.server.setup, self.server.seen
        with seen.lock:
            n = seen.status_reads[job_id]
            status = setup.script[min(n, len(setup.script) - 1)]
            running = ("running", "JOB_STATE_RUNNING")
            if status in running and setup.hold is not None and not setup.hold.is_set():
                return status
            seen.status_reads[job_id] = n + 1
            return status

    def _advance(self, job_id: str) -> dict[str, Any]:
        setup = self.server.setup
        job = self.server.seen.jobs[job_id]
        status = self._step(job_id)
        if status == "completed" and setup.fail_reason:
            status = "error"
            job["events"].append({"object": "fine-tune-event", "type": "job_error",
                                  "created_at": "2026-12-07T01:05:00Z",
                                  "message": setup.fail_reason})  # fmt: skip
        if status != job["status"] and status in ("running", "completed"):
            job["events"].append({"object": "fine-tune-event", "type": f"job_{status}",
                                  "created_at": "2026-12-07T01:01:00Z",
                                  "message": f"Job {status}"})  # fmt: skip
        job["status"] = status
        if status == "completed":
            job["output_name"] = f"acme/{job['model'].split('/')[-1]}-ragtune-{job_id}"
            job["trained_tokens"] = setup.trained_tokens
            job["token_count"] = setup.trained_tokens // max(1, job["n_epochs"] or 1)
            job["epochs_completed"] = job["n_epochs"]
            job["updated_at"] = "2026-12-07T01:42:00Z"  # 42 minutes after created_at
        return job

    def _endpoint(self, endpoint_id: str) -> dict[str, Any]:
        seen, setup = self.server.seen, self.server.setup
        endpoint = seen.endpoints[endpoint_id]
        seen.endpoint_reads += 1
        after = setup.endpoint_ready_after
        endpoint["state"] = "STARTED" if after is not None and seen.endpoint_reads > after else (
            "STARTING")  # fmt: skip
        return endpoint

    # --- Fireworks -----------------------------------------------------------------------------

    def _fireworks_post(self, path: str, query: dict[str, list[str]], body: bytes) -> None:
        seen = self.server.seen
        parts = path.strip("/").split("/")  # v1 accounts {a} kind [id]
        account, kind = parts[2], parts[3]
        root = f"accounts/{account}"
        if kind == "datasets" and len(parts) == 4:
            request = json.loads(body)
            return self._send(200, {"name": f"{root}/datasets/{request['datasetId']}",
                                    "state": "UPLOADING", **request["dataset"]})  # fmt: skip
        if kind == "datasets" and parts[4].endswith(":upload"):
            content = self._form(body)["file"][1]
            problem = self._check_lines(content)
            if problem:
                return self._error(400, problem)
            seen.files[f"{root}/datasets/{parts[4].removesuffix(':upload')}"] = content
            return self._send(200, {})
        if kind == "supervisedFineTuningJobs":
            request = json.loads(body)
            with seen.lock:
                seen.create_attempts += 1
                if self._quota():
                    return None
                job_id = query["supervisedFineTuningJobId"][0]
                seen.creates.append(request)
                seen.jobs[job_id] = {
                    "name": f"{root}/supervisedFineTuningJobs/{job_id}",
                    "state": "JOB_STATE_CREATING", "status": {"code": "OK", "message": ""},
                    "dataset": request["dataset"], "baseModel": request["baseModel"],
                    "outputModel": request["outputModel"], "epochs": request.get("epochs"),
                    "evaluationDataset": request.get("evaluationDataset"),
                    "createTime": "2026-12-07T01:00:00Z", "completedTime": None,
                    "jobProgress": {"percent": 0, "epoch": 0},
                }  # fmt: skip
                seen.status_reads[job_id] = 0
            return self._send(200, seen.jobs[job_id])
        if kind == "deployedModels":
            request = json.loads(body)
            name = f"{root}/deployedModels/dm-{next(self.server.ids):04d}"
            seen.endpoints[name] = {"name": name, "state": "DEPLOYING", **request}
            return self._send(200, seen.endpoints[name])
        self._error(404, f"unknown path {path}")

    def _fireworks_get(self, path: str) -> None:
        seen, setup = self.server.seen, self.server.setup
        parts = path.strip("/").split("/")
        kind = parts[3]
        if kind == "supervisedFineTuningJobs":
            job = seen.jobs.get(parts[4])
            if job is None:
                return self._error(404, f"job {parts[4]} not found")
            state = self._step(parts[4])
            if state == "JOB_STATE_COMPLETED" and setup.fail_reason:
                state = "JOB_STATE_FAILED"
                job["status"] = {"code": "INVALID_ARGUMENT", "message": setup.fail_reason}
            job["state"] = state
            if state == "JOB_STATE_RUNNING":
                job["jobProgress"] = {"percent": 50, "epoch": 1}
            if state == "JOB_STATE_COMPLETED":
                job["jobProgress"] = {"percent": 100, "epoch": job["epochs"] or 1,
                                      "inputTokens": setup.trained_tokens}  # fmt: skip
                job["completedTime"] = "2026-12-07T01:42:00Z"
            return self._send(200, job)
        if kind == "models":
            name = "/".join(parts[1:])
            done = {j["outputModel"] for j in seen.jobs.values()
                    if j["state"] == "JOB_STATE_COMPLETED"}  # fmt: skip
            if name not in done:
                return self._error(404, f"model {name} not found")
            return self._send(200, {"name": name, "state": "READY", "kind": "HF_PEFT_ADDON"})
        if kind == "deployedModels":
            name = "/".join(parts[1:])
            deployed = seen.endpoints[name]
            seen.endpoint_reads += 1
            after = setup.endpoint_ready_after
            if after is not None and seen.endpoint_reads > after:
                deployed["state"] = "DEPLOYED"
            return self._send(200, deployed)
        self._error(404, f"unknown path {path}")

    # --- inference -----------------------------------------------------------------------------

    def _chat(self, request: dict[str, Any]) -> None:
        self.server.seen.chats.append(request)
        prompt, completion = self.server.setup.usage_tokens
        text = "billing"
        usage = {"prompt_tokens": prompt, "completion_tokens": completion,
                 "total_tokens": prompt + completion}  # fmt: skip
        if request.get("stream"):
            chunks = [
                {"id": "c1", "object": "chat.completion.chunk", "created": 0,
                 "model": request["model"], "choices": [{"index": 0, "delta":
                 {"role": "assistant", "content": text}, "finish_reason": None}]},
                {"id": "c1", "object": "chat.completion.chunk", "created": 0,
                 "model": request["model"], "choices": [{"index": 0, "delta": {},
                 "finish_reason": "stop"}], "usage": usage},
            ]  # fmt: skip
            data = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
            raw = data.encode()
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
            return
        self._send(200, {"id": "c1", "object": "chat.completion", "created": 0,
                         "model": request["model"], "usage": usage,
                         "choices": [{"index": 0, "finish_reason": "stop", "message":
                                      {"role": "assistant", "content": text}}]})  # fmt: skip
