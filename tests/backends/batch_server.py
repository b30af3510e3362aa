"""A scripted OpenAI + Anthropic server on a real local port: interactive calls and batch APIs.

The shapes follow the providers' documentation, read 2026-12-07:
- OpenAI Batch API, https://platform.openai.com/docs/api-reference/batch (the batch object:
  `status` validating → in_progress → finalizing → completed | expired | cancelled | failed,
  `request_counts` {total, completed, failed}, `output_file_id`, `error_file_id`; each output
  line {id, custom_id, response: {status_code, request_id, body}, error}; an expired request's
  line in the error file carries error code "batch_expired") and
  https://platform.openai.com/docs/guides/batch (the input file: one JSON line per request,
  {custom_id, method, url, body}, uploaded with purpose "batch");
- Anthropic Message Batches, https://docs.anthropic.com/en/api/creating-message-batches,
  https://platform.claude.com/docs/en/api/messages/batches/retrieve and
  https://docs.anthropic.com/en/api/retrieving-message-batch-results (`processing_status`
  in_progress → canceling → ended, `request_counts` {processing, succeeded, errored, canceled,
  expired}, `results_url`; each JSONL result {custom_id, result: {type: succeeded, message} |
  {type: errored, error: {type: error, error: {type, message}}} | {type: expired} |
  {type: canceled}});
- the interactive streams: https://platform.openai.com/docs/api-reference/chat-streaming and
  https://docs.anthropic.com/en/api/messages-streaming (the same event sequences as
  `recordings/openai_chat_stream.json` and `recordings/anthropic_stream_cache_read.json`).

Answers: the gold answer after "ANSWER=" in the last user message; a judge prompt (it holds
"<question>") gets `{"reason": "same facts", "score": 1}`. Every call reports `usage` (prompt,
completion) tokens, so a test can price it by hand. A question holding "EXPIRE" expires in a
batch, "ERRBATCH" errors in a batch (both answer interactively), "ALWAYSFAIL" errors in a batch
and gets HTTP 400 interactively. A batch ends on the poll after `polls_to_end` polls unless
`hold` is set (it then stays in progress); `cancel_next` ends the next batch as cancelled
outside ragtune with no request answered; `fail_next` ends the next OpenAI batch `failed` (the
batch object's `errors.data[].message`, https://platform.openai.com/docs/api-reference/batch/object).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CREATED = "2026-12-07T05:00:00.000000Z"


@dataclass
class Batch:
    id: str
    provider: str  # openai | anthropic
    requests: list[tuple[str, dict[str, Any]]]  # (custom_id, body or params)
    polls: int = 0
    ended: bool = False
    cancelled: bool = False
    failed: str | None = None  # OpenAI: the batch failed validation, with this message
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class ProviderServer:
    usage: tuple[int, int] = (1000, 200)
    cached: int = 0  # OpenAI's usage.prompt_tokens_details.cached_tokens (of the prompt tokens)
    polls_to_end: int = 1  # polls answered "in progress" before the batch ends
    hold: bool = False
    cancel_next: bool = False
    fail_next: str | None = None  # OpenAI: the next batch ends `failed` with this error message
    lose_create: bool = False  # the next create is made, then answered 500 (its reply is lost)
    url: str = ""
    batches: dict[str, Batch] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    creates: list[str] = field(default_factory=list)  # batch ids, in creation order
    polls: list[str] = field(default_factory=list)
    lists: int = 0  # `batches.list` calls (a run looks batches up by label only on --resume)
    interactive: list[str] = field(default_factory=list)  # the last user message of each call
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- answers -------------------------------------------------------------------------

    def fate(self, question: str) -> str:
        if "EXPIRE" in question:
            return "expired"
        if "ERRBATCH" in question or "ALWAYSFAIL" in question:
            return "errored"
        return "succeeded"

    def answer(self, question: str) -> str:
        if "<question>" in question:
            return '{"reason": "same facts", "score": 1}'
        return question.split("ANSWER=", 1)[1].split()[0] if "ANSWER=" in question else "?"

    def completion(self, body: dict[str, Any]) -> dict[str, Any]:
        question = _last_user(body["messages"])
        prompt, completion = self.usage
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:8]}",
            "object": "chat.completion",
            "created": 1765083600,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": self.answer(question)},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion,
                      "prompt_tokens_details": {"cached_tokens": self.cached}},
        }  # fmt: skip

    def message(self, params: dict[str, Any]) -> dict[str, Any]:
        question = _last_user(params["messages"])
        prompt, completion = self.usage
        return {
            "id": f"msg_{uuid.uuid4().hex[:8]}",
            "type": "message",
            "role": "assistant",
            "model": params["model"],
            "content": [{"type": "text", "text": self.answer(question)}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": prompt, "output_tokens": completion,
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
        }  # fmt: skip

    # --- batches -------------------------------------------------------------------------

    def create(self, provider: str, requests: list[tuple[str, dict[str, Any]]]) -> Batch:
        prefix = "batch_" if provider == "openai" else "msgbatch_"
        with self.lock:  # numbered, so a docs page showing them stays the same run to run
            batch = Batch(f"{prefix}{len(self.creates) + 1:06d}", provider, requests)
            if self.cancel_next:
                batch.cancelled, batch.ended, self.cancel_next = True, True, False
            if self.fail_next:
                batch.failed, batch.ended, self.fail_next = self.fail_next, True, None
            self.batches[batch.id] = batch
            self.creates.append(batch.id)
        return batch

    def poll(self, batch_id: str) -> Batch:
        with self.lock:
            batch = self.batches[batch_id]
            self.polls.append(batch_id)
            if not batch.ended and not self.hold:
                batch.polls += 1
                batch.ended = batch.polls > self.polls_to_end
        return batch

    def openai_batch(self, batch: Batch) -> dict[str, Any]:
        fates = [self.fate(_last_user(b["messages"])) for _, b in batch.requests]
        status = "in_progress"
        if batch.cancelled:
            status = "cancelled"
        elif batch.ended:
            status = "expired" if "expired" in fates else "completed"
        if batch.failed:  # validation failed: `errors.data[]` says why, no output file
            status = "failed"
        done = batch.ended and not batch.cancelled and not batch.failed
        errors = (
            None
            if not batch.failed
            else {
                "object": "list",
                "data": [
                    {
                        "code": "token_limit_exceeded",
                        "message": batch.failed,
                        "param": None,
                        "line": None,
                    }
                ],
            }
        )
        out = {
            "id": batch.id, "object": "batch", "endpoint": "/v1/chat/completions",
            "errors": errors, "input_file_id": "file-in", "completion_window": "24h",
            "status": status, "created_at": 1765083600, "metadata": batch.metadata,
            "output_file_id": f"file-out-{batch.id}" if done else None,
            "error_file_id": f"file-err-{batch.id}" if done and set(fates) - {"succeeded"}
            else None,
            "request_counts": {
                "total": len(fates),
                "completed": fates.count("succeeded") if done else 0,
                "failed": fates.count("errored") if done else 0,
            },
        }  # fmt: skip
        return out

    def openai_file(self, file_id: str) -> bytes:
        if file_id in self.files:
            return self.files[file_id]
        kind, batch_id = file_id.removeprefix("file-").split("-", 1)
        batch = self.batches[batch_id]
        lines = []
        for cid, body in batch.requests:
            fate = self.fate(_last_user(body["messages"]))
            line: dict[str, Any] = {"id": f"batch_req_{cid[-6:]}", "custom_id": cid}
            if kind == "out" and fate == "succeeded":
                line["response"] = {"status_code": 200, "request_id": "req_1",
                                    "body": self.completion(body)}  # fmt: skip
                line["error"] = None
            elif kind == "err" and fate == "errored":
                error = {"message": "Invalid request", "type": "invalid_request_error"}
                line["response"] = {"status_code": 400, "request_id": "req_2",
                                    "body": {"error": error}}  # fmt: skip
                line["error"] = None
            elif kind == "err" and fate == "expired":
                line["response"] = None
                line["error"] = {"code": "batch_expired",
                                 "message": "This request could not be executed before the "
                                 "completion window expired."}  # fmt: skip
            else:
                continue
            lines.append(json.dumps(line))
        return ("\n".join(lines) + "\n").encode()

    def anthropic_batch(self, batch: Batch) -> dict[str, Any]:
        fates = [self.fate(_last_user(p["messages"])) for _, p in batch.requests]
        ended = batch.ended
        counts = {
            "processing": 0 if ended else len(fates),
            "succeeded": fates.count("succeeded") if ended and not batch.cancelled else 0,
            "errored": fates.count("errored") if ended and not batch.cancelled else 0,
            "expired": fates.count("expired") if ended and not batch.cancelled else 0,
            "canceled": len(fates) if batch.cancelled else 0,
        }
        return {
            "id": batch.id, "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts, "created_at": CREATED, "expires_at": CREATED,
            "ended_at": CREATED if ended else None, "archived_at": None,
            "cancel_initiated_at": CREATED if batch.cancelled else None,
            "results_url": f"{self.url}/v1/messages/batches/{batch.id}/results" if ended
            else None,
        }  # fmt: skip

    def anthropic_results(self, batch: Batch) -> bytes:
        lines = []
        for cid, params in batch.requests:
            fate = "canceled" if batch.cancelled else self.fate(_last_user(params["messages"]))
            result: dict[str, Any] = {"type": fate}
            if fate == "succeeded":
                result["message"] = self.message(params)
            elif fate == "errored":
                result["error"] = {"type": "error", "error": {
                    "type": "invalid_request_error", "message": "Invalid request"}}  # fmt: skip
            lines.append(json.dumps({"custom_id": cid, "result": result}))
        return ("\n".join(lines) + "\n").encode()


def _last_user(messages: list[dict[str, Any]]) -> str:
    content = [m for m in messages if m["role"] == "user"][-1]["content"]
    if isinstance(content, list):
        return "".join(block.get("text", "") for block in content)
    return str(content)


def _sse(events: list[tuple[str | None, dict[str, Any] | str]]) -> bytes:
    out = []
    for name, data in events:
        head = f"event: {name}\n" if name else ""
        body = data if isinstance(data, str) else json.dumps(data)
        out.append(f"{head}data: {body}\n\n")
    return "".join(out).encode()


def _handler(server: ProviderServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def send(self, status: int, body: Any, content_type: str = "application/json") -> None:
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def not_found(self, batch_id: str, *, openai: bool) -> None:
            message = f"No batch found with id '{batch_id}'."
            if openai:  # https://platform.openai.com/docs/guides/error-codes
                self.send(404, {"error": {"message": message, "type": "invalid_request_error",
                                          "param": None, "code": None}})  # fmt: skip
            else:  # https://docs.anthropic.com/en/api/errors
                self.send(
                    404, {"type": "error", "error": {"type": "not_found_error", "message": message}}
                )

        def body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            parts = path.strip("/").split("/")
            if path == "/v1/batches":  # list, newest first (api-reference/batch/list)
                server.lists += 1
                listed = [server.openai_batch(b) for b in reversed(server.batches.values())
                          if b.provider == "openai"]  # fmt: skip
                return self.send(200, {"object": "list", "data": listed, "has_more": False,
                                       "first_id": None, "last_id": None})  # fmt: skip
            if path.startswith(("/v1/batches/", "/v1/messages/batches/")):
                batch_id = parts[2] if path.startswith("/v1/batches/") else parts[3]
                if batch_id not in server.batches:  # gone: the providers' documented 404s
                    return self.not_found(batch_id, openai=path.startswith("/v1/batches/"))
            if path.startswith("/v1/batches/"):
                self.send(200, server.openai_batch(server.poll(parts[2])))
            elif path.startswith("/v1/files/") and path.endswith("/content"):
                self.send(200, server.openai_file(parts[2]), "application/octet-stream")
            elif path.startswith("/v1/messages/batches/") and path.endswith("/results"):
                self.send(200, server.anthropic_results(server.batches[parts[3]]),
                          "application/x-jsonl")  # fmt: skip
            elif path.startswith("/v1/messages/batches/"):
                self.send(200, server.anthropic_batch(server.poll(parts[3])))
            else:
                self.send(404, {"error": {"message": f"no route {path}"}})

        def do_POST(self) -> None:
            path = self.path.split("?", 1)[0]
            raw = self.body()
            if path == "/v1/files":
                self.upload(raw)
            elif path == "/v1/batches":
                spec = json.loads(raw)
                lines = server.files[spec["input_file_id"]].decode().splitlines()
                entries = [json.loads(line) for line in lines if line.strip()]
                batch = server.create("openai", [(e["custom_id"], e["body"]) for e in entries])
                batch.metadata = dict(spec.get("metadata") or {})
                if server.lose_create:
                    server.lose_create = False
                    return self.send(
                        500, {"error": {"message": "reply lost", "type": "server_error"}}
                    )
                self.send(200, server.openai_batch(batch))
            elif path == "/v1/messages/batches":
                asked = json.loads(raw)["requests"]
                batch = server.create("anthropic", [(r["custom_id"], r["params"]) for r in asked])
                self.send(200, server.anthropic_batch(batch))
            elif path == "/v1/chat/completions":
                self.chat(json.loads(raw))
            elif path == "/v1/messages":
                self.messages(json.loads(raw))
            else:
                self.send(404, {"error": {"message": f"no route {path}"}})

        def upload(self, raw: bytes) -> None:
            head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            message = BytesParser(policy=email_policy).parsebytes(head + raw)
            content = b""
            for part in message.iter_parts():
                if part.get_param("name", header="content-disposition") == "file":
                    content = part.get_payload(decode=True) or b""
            file_id = f"file-in{uuid.uuid4().hex[:8]}"
            server.files[file_id] = content
            self.send(200, {"id": file_id, "object": "file", "bytes": len(content),
                            "created_at": 1765083600, "filename": "ragtune-batch.jsonl",
                            "purpose": "batch", "status": "processed"})  # fmt: skip

        def fail_interactively(self, question: str) -> bool:
            if "ALWAYSFAIL" not in question:
                return False
            self.send(400, {"type": "error", "error": {"type": "invalid_request_error",
                                                       "message": "bad request"}})  # fmt: skip
            return True

        def chat(self, body: dict[str, Any]) -> None:
            question = _last_user(body["messages"])
            server.interactive.append(question)
            if self.fail_interactively(question):
                return
            full = server.completion(body)
            if not body.get("stream"):
                self.send(200, full)
                return
            base = {k: full[k] for k in ("id", "object", "created", "model")}
            base["object"] = "chat.completion.chunk"
            text = full["choices"][0]["message"]["content"]
            chunks: list[tuple[str | None, dict[str, Any] | str]] = [
                (None, {**base, "choices": [{"index": 0, "delta": {"role": "assistant",
                        "content": text}, "finish_reason": None}]}),
                (None, {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
                (None, {**base, "choices": [], "usage": full["usage"]}),
                (None, "[DONE]"),
            ]  # fmt: skip
            self.send(200, _sse(chunks), "text/event-stream")

        def messages(self, params: dict[str, Any]) -> None:
            question = _last_user(params["messages"])
            server.interactive.append(question)
            if self.fail_interactively(question):
                return
            full = server.message(params)
            if not params.get("stream"):
                self.send(200, full)
                return
            start = {**full, "content": [], "stop_reason": None,
                     "usage": {**full["usage"], "output_tokens": 1}}  # fmt: skip
            text = full["content"][0]["text"]
            events: list[tuple[str | None, dict[str, Any] | str]] = [
                ("message_start", {"type": "message_start", "message": start}),
                ("content_block_start", {"type": "content_block_start", "index": 0,
                                         "content_block": {"type": "text", "text": ""}}),
                ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                         "delta": {"type": "text_delta", "text": text}}),
                ("content_block_stop", {"type": "content_block_stop", "index": 0}),
                ("message_delta", {"type": "message_delta",
                                   "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                   "usage": full["usage"]}),
                ("message_stop", {"type": "message_stop"}),
            ]  # fmt: skip
            self.send(200, _sse(events), "text/event-stream")

    return Handler


@contextmanager
def provider_server(**settings: Any) -> Iterator[ProviderServer]:
    """A running server; `.url` is its base (`http://127.0.0.1:PORT`, OpenAI's at `url + /v1`)."""
    state = ProviderServer(**settings)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
