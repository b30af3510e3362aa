"""Serve the local backend as an OpenAI-compatible HTTP endpoint on localhost.

    ragtune serve-model smollm2-135m --port 8000
    # then: openai-compatible:http://127.0.0.1:8000/v1#smollm2-135m

Endpoints: `GET /v1/models`, `GET /health`, `POST /v1/chat/completions` (plain or streamed as
server-sent events, with `stream_options.include_usage`, `logprobs`, `stop`, `seed`,
`max_tokens` / `max_completion_tokens`). Usage is the tokenizer's exact count, as the local
backend reports it. `temperature` defaults to 0 (greedy), not OpenAI's 1, so that answers are
reproducible.

Requests that arrive together are answered together: a single worker thread takes the first
waiting request, gathers whatever else arrives within `window_s` (up to `max_batch`), and runs
them as one left-padded batch. That is where concurrency pays off on a CPU: one batch of 8 costs
little more than one request. Streamed requests get their tokens as the batch makes them.

Built on the standard library's `ThreadingHTTPServer`: no extra dependency, meant for localhost
and tests, not for the open internet (no auth, no TLS).
"""

from __future__ import annotations

import json
import logging
import queue
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ragtune.backends.base import Message, Request, Response
from ragtune.backends.local import LocalBackend
from ragtune.errors import RagtuneError

log = logging.getLogger(__name__)

DEFAULT_PORT = 8000
BATCH_WINDOW_S = 0.02  # long enough for a burst of concurrent clients to land in one batch


@dataclass
class _Job:
    request: Request
    future: Future[Response] = field(default_factory=Future)
    on_token: Callable[[int], None] | None = None


class Batcher:
    """One worker thread that runs waiting requests through the backend in batches."""

    def __init__(
        self, backend: LocalBackend, *, max_batch: int = 16, window_s: float = BATCH_WINDOW_S
    ) -> None:
        self.backend = backend
        self.max_batch = max_batch
        self.window_s = window_s
        self._queue: queue.Queue[_Job] = queue.Queue()
        self.batch_sizes: list[int] = []
        self._thread = threading.Thread(target=self._work, name="ragtune-batcher", daemon=True)
        self._thread.start()

    def submit(self, request: Request, on_token: Callable[[int], None] | None = None) -> _Job:
        job = _Job(request, on_token=on_token)
        self._queue.put(job)
        return job

    def _work(self) -> None:
        while True:
            jobs = [self._queue.get()]
            deadline = time.monotonic() + self.window_s
            while len(jobs) < self.max_batch:
                try:
                    jobs.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            self.batch_sizes.append(len(jobs))

            def route(index: int, token: int, jobs: list[_Job] = jobs) -> None:
                callback = jobs[index].on_token
                if callback is not None:
                    callback(token)

            try:
                responses = self.backend.generate([j.request for j in jobs], on_token=route)
            except Exception as exc:
                log.exception("batch of %d failed", len(jobs))
                for job in jobs:
                    job.future.set_exception(exc)
                continue
            for job, response in zip(jobs, responses, strict=True):
                job.future.set_result(response)


class _TextStream:
    """Turns a request's tokens into text deltas that are always a prefix of the final text."""

    def __init__(self, tokenizer: Any, request: Request, eos: set[int]) -> None:
        self.tokenizer, self.request, self.eos = tokenizer, request, eos
        self.tokens: list[int] = []
        self.sent = ""
        self.done = False
        self.deltas: queue.Queue[str | None] = queue.Queue()
        self._holdback = max((len(s) for s in request.stop), default=1) - 1

    def on_token(self, token: int) -> None:
        if self.done:
            return
        if token in self.eos or len(self.tokens) + 1 >= self.request.max_tokens:
            self.done = True
        if token in self.eos:
            return
        self.tokens.append(token)
        text = self.tokenizer.decode(self.tokens, skip_special_tokens=True)
        if any(s in text for s in self.request.stop):
            self.done = True
            return
        safe = text[: len(text) - self._holdback] if self._holdback else text
        if safe.endswith("\ufffd"):  # half of a multi-byte character: wait for the rest
            return
        if safe.startswith(self.sent) and len(safe) > len(self.sent):
            self.deltas.put(safe[len(self.sent) :])
            self.sent = safe

    def rest(self, final_text: str) -> str:
        return final_text[len(self.sent) :] if final_text.startswith(self.sent) else ""


class _ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind


def parse_chat_body(body: Any) -> tuple[Request, dict[str, Any]]:
    """An OpenAI chat-completions body as a `Request`, plus the transport options."""
    if not isinstance(body, dict):
        raise _ApiError(400, "the body must be a JSON object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _ApiError(400, "'messages' must be a non-empty list")
    system_parts, turns = [], []
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in (
            "system",
            "developer",
            "user",
            "assistant",
        ):
            raise _ApiError(400, f"each message needs a role of system, user or assistant: {m!r}")
        content = _content_text(m.get("content"))
        if m["role"] in ("system", "developer"):
            system_parts.append(content)
        else:
            turns.append(Message(m["role"], content))
    if not turns:
        raise _ApiError(400, "'messages' needs at least one user message")
    stop = body.get("stop") or ()
    stop = (stop,) if isinstance(stop, str) else tuple(stop)
    try:
        request = Request(
            messages=tuple(turns),
            system="\n\n".join(system_parts),
            max_tokens=int(body.get("max_completion_tokens") or body.get("max_tokens") or 256),
            temperature=float(body.get("temperature") or 0.0),
            stop=stop,
            seed=int(body.get("seed") or 0),
        )
    except (TypeError, ValueError, RagtuneError) as exc:
        raise _ApiError(400, str(exc)) from None
    options = {
        "stream": bool(body.get("stream")),
        "include_usage": bool((body.get("stream_options") or {}).get("include_usage")),
        "logprobs": bool(body.get("logprobs")),
    }
    return request, options


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    raise _ApiError(400, "message content must be a string or a list of text parts")


class ModelServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], backend: LocalBackend, batcher: Batcher) -> None:
        super().__init__(address, _Handler)
        self.backend = backend
        self.batcher = batcher

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: ModelServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/health", "/v1/health"):
            sizes = self.server.batcher.batch_sizes
            self._json(
                200, {"status": "ok", "batches": len(sizes), "largest_batch": max(sizes, default=0)}
            )
        elif self.path.rstrip("/") == "/v1/models":
            entry = {"id": self.server.backend.model, "object": "model", "owned_by": "ragtune"}
            self._json(200, {"object": "list", "data": [entry]})
        else:
            self._error(_ApiError(404, f"no route {self.path}", "not_found_error"))

    def do_POST(self) -> None:
        try:
            if self.path.rstrip("/") != "/v1/chat/completions":
                raise _ApiError(404, f"no route {self.path}", "not_found_error")
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"null")
            except ValueError:
                raise _ApiError(400, "the body is not valid JSON") from None
            model = body.get("model") if isinstance(body, dict) else None
            if model not in (None, self.server.backend.model):
                raise _ApiError(
                    404,
                    f"model {model!r} is not served here; this server serves "
                    f"{self.server.backend.model!r}",
                    "not_found_error",
                )
            request, options = parse_chat_body(body)
            if options["stream"]:
                self._stream(request, options)
            else:
                response = self.server.batcher.submit(request).future.result()
                self._json(200, self._completion(response, options))
        except _ApiError as exc:
            self._error(exc)
        except (BrokenPipeError, ConnectionResetError):
            log.info("client went away before its answer was sent")
        except Exception as exc:  # a bug or a model failure: answer 500, keep serving
            log.exception("request failed")
            self._error(_ApiError(500, f"internal error: {type(exc).__name__}", "server_error"))

    # --- bodies -------------------------------------------------------------------------------

    def _completion(self, response: Response, options: dict[str, Any]) -> dict[str, Any]:
        choice: dict[str, Any] = {
            "index": 0,
            "message": {"role": "assistant", "content": response.text},
            "finish_reason": "length" if response.finish_reason == "length" else "stop",
            "logprobs": self._logprobs(response) if options["logprobs"] else None,
        }
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": response.model,
            "choices": [choice],
            "usage": _usage(response),
        }

    def _logprobs(self, response: Response) -> dict[str, Any]:
        tokenizer = self.server.backend.tokenizer
        pairs = zip(response.raw.get("tokens", []), response.raw.get("logprobs", []), strict=False)
        return {
            "content": [
                {"token": tokenizer.decode([t]), "logprob": lp, "bytes": None, "top_logprobs": []}
                for t, lp in pairs
            ]
        }

    def _stream(self, request: Request, options: dict[str, Any]) -> None:
        backend = self.server.backend
        text = _TextStream(backend.tokenizer, request, backend.eos_ids)
        job = self.server.batcher.submit(request, on_token=text.on_token)
        job.future.add_done_callback(lambda _: text.deltas.put(None))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        ident = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        base = {"id": ident, "object": "chat.completion.chunk", "created": int(time.time())}
        base["model"] = backend.model
        self._event({**base, "choices": [_delta({"role": "assistant", "content": ""})]})
        while (delta := text.deltas.get()) is not None:
            self._event({**base, "choices": [_delta({"content": delta})]})
        try:
            response = job.future.result()
        except Exception as exc:
            log.exception("streamed request failed")
            self._event({"error": {"message": f"internal error: {type(exc).__name__}"}})
            return
        if rest := text.rest(response.text):
            self._event({**base, "choices": [_delta({"content": rest})]})
        finish = "length" if response.finish_reason == "length" else "stop"
        last = _delta({}, finish)
        if options["logprobs"]:
            last["logprobs"] = self._logprobs(response)
        self._event({**base, "choices": [last]})
        if options["include_usage"]:
            self._event({**base, "choices": [], "usage": _usage(response)})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    # --- plumbing -----------------------------------------------------------------------------

    def _event(self, payload: dict[str, Any]) -> None:
        self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
        self.wfile.flush()

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, exc: _ApiError) -> None:
        self._json(exc.status, {"error": {"message": exc.message, "type": exc.kind, "code": None}})


def _delta(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}


def _usage(response: Response) -> dict[str, Any]:
    u = response.usage
    return {
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.output_tokens,
        "total_tokens": u.total_tokens,
        "prompt_tokens_details": {"cached_tokens": u.cache_read_tokens},
    }


def make_server(
    model: str = "smollm2-135m",
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    adapter: str | None = None,
    device: str = "cpu",
    max_batch: int = 16,
) -> ModelServer:
    """Bind the server (port 0 picks a free port), then load the model; call serve_forever().

    Binding first makes a busy port fail at once instead of after the model has loaded."""
    backend = LocalBackend(model, device=device, adapter=adapter, batch_size=max_batch)
    try:
        server = ModelServer((host, port), backend, Batcher(backend, max_batch=max_batch))
    except OSError as exc:
        raise RagtuneError(
            f"cannot listen on {host}:{port}: {exc.strerror}",
            hint="pick another --port, or --port 0 for any free one",
        ) from None
    backend.load()
    return server


@contextmanager
def spawn(
    model: str = "smollm2-135m", *, max_batch: int = 16, start_timeout_s: float = 300
) -> Iterator[str]:
    """Run `ragtune serve-model` in a child process on a free port; yields its base URL.

    For tests and benchmarks that need a real server. The child is stopped on exit.
    """
    command = [
        sys.executable,
        "-c",
        "from ragtune.cli import main; main()",
        "--quiet",
        "serve-model",
        model,
        "--port",
        "0",
        "--max-batch",
        str(max_batch),
    ]
    # stderr goes to a file: an unread pipe could fill up and stall the server
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        stdout = process.stdout
        assert stdout is not None
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(start_timeout_s)
        try:
            if not first or " at http" not in first[0]:
                process.kill()
                process.wait(timeout=30)
                errors.seek(0)
                raise RagtuneError(f"the model server did not start: {errors.read()[-2000:]}")
            yield first[0].split(" at ")[1].split()[0]
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
