"""A scripted OpenAI-compatible chat server on a real local port, for runs that need no model.

It answers `POST /v1/chat/completions` in the streamed shape the OpenAI API documents (chunks of
`chat.completion.chunk`, then a usage chunk when `stream_options.include_usage` is set, then
`data: [DONE]`; https://platform.openai.com/docs/api-reference/chat-streaming, read 2026-11-29;
the same shape as `tests/backends/recordings/openai_chat_stream.json`). The answer is the gold
answer found after "ANSWER=" in the question; a question containing "FAIL" gets HTTP 400 (a
non-retryable error, so the arm records a failed item) after `fail_delay_s`, unless the request
carries worked examples (the few-shot arm), which always succeed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _chunk(delta: dict[str, Any], finish: str | None, usage: Any = None) -> bytes:
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1741570290,
        "model": "tiny",
        "choices": [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish}],
        "usage": usage,
    }
    return f"data: {json.dumps(body)}\n\n".encode()


@contextmanager
def chat_server(fail_delay_s: float = 0.3, usage: tuple[int, int] | None = None) -> Iterator[str]:
    """The base URL (`http://127.0.0.1:PORT/v1`) of a running scripted server. `usage` fixes
    the reported (prompt, completion) tokens, so a test can price every call by hand."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep pytest output clean
            pass

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except (BrokenPipeError, ConnectionResetError):  # the client gave up on an error
                self.close_connection = True

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            messages = body["messages"]
            question = messages[-1]["content"]
            shots = sum(1 for m in messages if m["role"] == "assistant")
            if "FAIL" in question and not shots:
                time.sleep(fail_delay_s)
                error = {"error": {"message": "bad request", "type": "invalid_request_error"}}
                payload = json.dumps(error).encode()
                self.send_response(400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            answer = question.split("ANSWER=", 1)[1].split()[0] if "ANSWER=" in question else "?"
            prompt = sum(len(m["content"].split()) for m in messages) + 3
            completion = 2
            if usage is not None:
                prompt, completion = usage
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(_chunk({"role": "assistant", "content": ""}, None))
            self.wfile.write(_chunk({"content": answer}, None))
            self.wfile.write(_chunk({}, "stop"))
            counts = {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion}  # fmt: skip
            self.wfile.write(_chunk({}, None, counts))
            self.wfile.write(b"data: [DONE]\n\n")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
