"""A real local HTTP server with the part of OpenAI's API that a hosted fine-tune calls.

Endpoints, with bodies shaped like the provider's documented objects (OpenAI API reference,
https://platform.openai.com/docs/api-reference/fine-tuning and .../files: the fine_tuning.job,
fine_tuning.job.event and file objects; field lists checked on 2026-11-29 against the reference
as mirrored from the SDK's types and against the installed openai SDK's `FineTuningJob`,
`FineTuningJobEvent` and `FileObject`, see `test_server_bodies_carry_every_documented_field`):

    POST /v1/files                               multipart upload -> file object
    POST /v1/fine_tuning/jobs                    -> fine_tuning.job (status validating_files)
    GET  /v1/fine_tuning/jobs                    -> list of jobs, newest first
    GET  /v1/fine_tuning/jobs/{id}               -> the job; each read moves it one step along
                                                    `script` (validating_files, queued, running,
                                                    ..., succeeded | failed)
    GET  /v1/fine_tuning/jobs/{id}/events        -> fine_tuning.job.event list, newest first
    POST /v1/chat/completions                    -> the tuned model answering (plain or SSE)

`trained_tokens` is OpenAI's billable count (tokens in the training file x epochs); here a
token is a whitespace-separated word, unless the test fixes the number. Chat answers come from
`answer(messages)` and report `usage_tokens` (prompt, completion) so tests can price by hand.

Fault injection (`Faults`): 429s on create, a job that fails with a message, a retrieve that
hangs past the client's timeout, a dropped connection (socket closed, no response), and
`hold`: the job stays "running" until the test lets it go.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SUCCESS_SCRIPT = ("validating_files", "queued", "running", "running", "succeeded")


@dataclass
class Faults:
    create_429: int = 0  # first N creates answer 429 with Retry-After: 0
    fail_with: str | None = None  # the job ends "failed" with this provider message
    hang_retrieve: int = 0  # first N retrieves sleep `hang_s` before answering
    hang_s: float = 2.0
    drop: dict[str, int] = field(default_factory=dict)  # "METHOD path-prefix" -> N drops
    drop_after_create: int = 0  # first N creates make the job, then drop the connection
    hold: threading.Event | None = None  # while unset, a running job stays running


@dataclass
class Peer:
    """What the server saw and holds: the test's view of the provider."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    steps: dict[str, int] = field(default_factory=dict)
    creates: list[dict[str, Any]] = field(default_factory=list)  # every accepted create body
    create_attempts: int = 0
    retrieves: int = 0
    chats: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # Authorization headers received
    lock: threading.Lock = field(default_factory=threading.Lock)


class FineTuningServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        *,
        faults: Faults | None = None,
        script: tuple[str, ...] = SUCCESS_SCRIPT,
        trained_tokens: int | None = None,
        answer: Callable[[list[dict[str, Any]]], str] = lambda messages: "billing",
        usage_tokens: tuple[int, int] = (100, 2),
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.faults = faults or Faults()
        self.script = script
        self.trained_tokens = trained_tokens
        self.answer = answer
        self.usage_tokens = usage_tokens
        self.peer = Peer()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


@contextmanager
def serve(**kwargs: Any) -> Iterator[FineTuningServer]:
    server = FineTuningServer(**kwargs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        if server.faults.hold is not None:
            server.faults.hold.set()
        server.shutdown()
        server.server_close()


def _words(text: str) -> int:
    return len(text.split())


class _Handler(BaseHTTPRequestHandler):
    server: FineTuningServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # --- plumbing ------------------------------------------------------------------------------

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("content-length") or 0))

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        self._json(status, {"error": {"message": message, "type": kind, "param": None,
                                      "code": None}})  # fmt: skip

    def _dropped(self, method: str) -> bool:
        """Close the connection without an answer when a drop is scheduled for this path."""
        drops = self.server.faults.drop
        for key, left in drops.items():
            verb, _, prefix = key.partition(" ")
            if verb == method and self.path.startswith(prefix) and left > 0:
                drops[key] = left - 1
                self.close_connection = True
                self.connection.shutdown(2)
                return True
        return False

    def do_GET(self) -> None:
        peer = self.server.peer
        peer.keys.append(self.headers.get("authorization", ""))
        if self._dropped("GET"):
            return
        path = self.path.split("?")[0]
        parts = path.strip("/").split("/")
        if path == "/v1/fine_tuning/jobs":
            jobs = sorted(peer.jobs.values(), key=lambda j: j["created_at"], reverse=True)
            return self._json(200, {"object": "list", "data": jobs, "has_more": False})
        if parts[:3] == ["v1", "fine_tuning", "jobs"] and len(parts) == 4:
            return self._retrieve(parts[3])
        if parts[:3] == ["v1", "fine_tuning", "jobs"] and parts[4:] == ["events"]:
            if parts[3] not in peer.jobs:
                return self._error(404, f"no job {parts[3]}")
            data = list(reversed(peer.events[parts[3]]))
            return self._json(200, {"object": "list", "data": data, "has_more": False})
        self._error(404, f"unknown path {path}")

    def do_POST(self) -> None:
        peer = self.server.peer
        peer.keys.append(self.headers.get("authorization", ""))
        body = self._body()
        if self._dropped("POST"):
            return
        path = self.path.split("?")[0]
        if path == "/v1/files":
            return self._upload(body)
        if path == "/v1/fine_tuning/jobs":
            return self._create(json.loads(body))
        if path == "/v1/chat/completions":
            return self._chat(json.loads(body))
        self._error(404, f"unknown path {path}")

    # --- files ---------------------------------------------------------------------------------

    def _upload(self, body: bytes) -> None:
        head = f"content-type: {self.headers['content-type']}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[str(name)] = (part.get_filename(), part.get_payload(decode=True))
        purpose = fields.get("purpose", (None, b""))[1].decode()
        filename, content = fields.get("file", (None, None))
        if purpose != "fine-tune" or content is None:
            return self._error(400, "expected a file with purpose fine-tune")
        for i, line in enumerate(content.decode().splitlines(), 1):
            try:
                assert isinstance(json.loads(line)["messages"], list)
            except Exception:
                return self._error(400, f"line {i} is not a chat example")
        peer = self.server.peer
        with peer.lock:
            file_id = f"file-{len(peer.files) + 1:04d}"
            peer.contents[file_id] = content
            peer.files[file_id] = {
                "id": file_id, "object": "file", "bytes": len(content),
                "created_at": int(time.time()), "filename": filename, "purpose": "fine-tune",
                "status": "processed", "status_details": None,
            }  # fmt: skip
        self._json(200, peer.files[file_id])

    # --- jobs ----------------------------------------------------------------------------------

    def _create(self, body: dict[str, Any]) -> None:
        peer, faults = self.server.peer, self.server.faults
        with peer.lock:
            peer.create_attempts += 1
            if faults.create_429 > 0:
                faults.create_429 -= 1
                self.send_response(429)
                data = json.dumps({"error": {"message": "Rate limit reached for fine-tuning "
                                   "job creation", "type": "rate_limit_error", "param": None,
                                   "code": "rate_limit_exceeded"}}).encode()  # fmt: skip
                self.send_header("content-type", "application/json")
                self.send_header("retry-after", "0")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None
            if body.get("training_file") not in peer.files:
                return self._error(400, f"invalid training_file: {body.get('training_file')}")
            hyper = ((body.get("method") or {}).get("supervised") or {}).get("hyperparameters")
            hyper = {**(body.get("hyperparameters") or {}), **(hyper or {})}
            epochs = hyper.get("n_epochs") or 3
            hyper = {
                "n_epochs": epochs,
                "batch_size": hyper.get("batch_size") or 1,
                "learning_rate_multiplier": hyper.get("learning_rate_multiplier") or 1.8,
            }
            job_id = f"ftjob-{len(peer.jobs) + 1:04d}"
            peer.creates.append(body)
            job = {
                "object": "fine_tuning.job", "id": job_id, "model": body["model"],
                "created_at": int(time.time()), "finished_at": None, "fine_tuned_model": None,
                "organization_id": "org-local", "result_files": [],
                "status": "validating_files", "validation_file": body.get("validation_file"),
                "training_file": body["training_file"], "hyperparameters": hyper,
                "method": {"type": "supervised", "supervised": {"hyperparameters": hyper}},
                "trained_tokens": None, "error": None, "seed": body.get("seed", 0),
                "user_provided_suffix": body.get("suffix"), "estimated_finish": None,
                "integrations": [], "metadata": None,
            }  # fmt: skip
            peer.jobs[job_id] = job
            peer.steps[job_id] = 0
            peer.events[job_id] = []
            self._event(job_id, f"Created fine-tuning job: {job_id}")
            lost = faults.drop_after_create > 0
            if lost:
                faults.drop_after_create -= 1
        if lost:  # the job exists, but its answer never reaches the client
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        self._json(200, job)

    def _event(self, job_id: str, message: str, level: str = "info") -> None:
        events = self.server.peer.events[job_id]
        events.append({
            "object": "fine_tuning.job.event", "id": f"ftevent-{job_id}-{len(events) + 1}",
            "created_at": int(time.time()), "level": level, "message": message, "data": {},
            "type": "message",
        })  # fmt: skip

    def _retrieve(self, job_id: str) -> None:
        peer, faults, script = self.server.peer, self.server.faults, self.server.script
        if job_id not in peer.jobs:
            return self._error(404, f"no job {job_id}")
        with peer.lock:
            peer.retrieves += 1
            hang = faults.hang_retrieve > 0
            if hang:
                faults.hang_retrieve -= 1
        if hang:
            time.sleep(faults.hang_s)  # past the client's timeout: the client gives up
        with peer.lock:
            job = peer.jobs[job_id]
            step = peer.steps[job_id]
            held = faults.hold is not None and not faults.hold.is_set()
            if job["status"] == "running" and held:
                return self._json(200, job)
            if step < len(script) and job["status"] not in ("succeeded", "failed", "cancelled"):
                status = script[step]
                peer.steps[job_id] = step + 1
                if status == "succeeded" and faults.fail_with is not None:
                    status = "failed"
                self._advance(job, status)
        self._json(200, job)

    def _advance(self, job: dict[str, Any], status: str) -> None:
        if status == job["status"]:
            return
        job["status"] = status
        job_id = job["id"]
        if status == "running":
            self._event(job_id, "Fine-tuning job started")
        elif status == "succeeded":
            job["finished_at"] = job["created_at"] + 42  # a 42-second job, by its timestamps
            job["fine_tuned_model"] = f"ft:{job['model']}:org-local::{job_id[-4:]}"
            job["trained_tokens"] = self._trained_tokens(job)
            self._event(job_id, f"New fine-tuned model created: {job['fine_tuned_model']}")
            self._event(job_id, "The job has successfully completed")
        elif status == "failed":
            # A hostile provider may echo the caller's key into its message (`{authorization}`).
            sent = self.server.peer.keys[-1].removeprefix("Bearer ")
            message = str(self.server.faults.fail_with).replace("{authorization}", sent)
            job["finished_at"] = job["created_at"] + 7
            job["error"] = {"code": "invalid_training_file", "message": message,
                            "param": "training_file"}  # fmt: skip
            self._event(job_id, f"Fine-tuning job failed: {message}", level="error")
        else:
            self._event(job_id, f"Job status: {status}")

    def _trained_tokens(self, job: dict[str, Any]) -> int:
        if self.server.trained_tokens is not None:
            return self.server.trained_tokens
        lines = self.server.peer.contents[job["training_file"]].decode().splitlines()
        per_epoch = sum(
            _words(m["content"]) for line in lines for m in json.loads(line)["messages"]
        )
        return per_epoch * int(job["hyperparameters"]["n_epochs"])

    # --- the tuned model answering ---------------------------------------------------------------

    def _chat(self, body: dict[str, Any]) -> None:
        peer = self.server.peer
        model = body.get("model", "")
        known = {j["fine_tuned_model"] for j in peer.jobs.values() if j["fine_tuned_model"]}
        if model.startswith("ft:") and model not in known:
            return self._error(404, f"The model `{model}` does not exist", "invalid_request_error")
        peer.chats.append(body)
        text = self.server.answer(body["messages"])
        prompt, completion = self.server.usage_tokens
        usage = {"prompt_tokens": prompt, "completion_tokens": completion,
                 "total_tokens": prompt + completion,
                 "prompt_tokens_details": {"cached_tokens": 0}}  # fmt: skip
        base = {"id": "chatcmpl-local", "created": int(time.time()), "model": model,
                "system_fingerprint": None}  # fmt: skip
        if not body.get("stream"):
            return self._json(200, {**base, "object": "chat.completion", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text},
                 "logprobs": None, "finish_reason": "stop"}], "usage": usage})  # fmt: skip
        chunks = [
            {**base, "object": "chat.completion.chunk", "choices": [
                {"index": 0, "delta": {"role": "assistant", "content": text},
                 "logprobs": None, "finish_reason": None}]},
            {**base, "object": "chat.completion.chunk", "choices": [
                {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]},
            {**base, "object": "chat.completion.chunk", "choices": [], "usage": usage},
        ]  # fmt: skip
        data = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
        raw = data.encode()
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)
