"""OpenAI and any OpenAI-compatible server (vLLM, llama.cpp server, Ollama, `ragtune serve-model`).

One class, two names: `openai:gpt-4o-mini` talks to api.openai.com with OPENAI_API_KEY;
`openai-compatible:http://host:8000/v1#model` talks to any base URL (the key is optional there:
OPENAI_COMPATIBLE_API_KEY, else none). Like the SDK, `openai:` sends to OPENAI_BASE_URL when it is
set (a company gateway); such calls are priced as the named OpenAI model. Calls go through the
official `openai` SDK, streamed by default so the time to first token is measured, with
`stream_options.include_usage` so the token counts are the server's own. OpenAI caches long prompt
prefixes by itself; the cached part comes back as `prompt_tokens_details.cached_tokens` and is
reported as cache-read input, the rest of the prompt as uncached input. A server that reports no
usage is an error, never a guess."""

from __future__ import annotations

import math
import os
from typing import Any

from ragtune.backends.base import FinishReason, Latency, Request, Response, Usage
from ragtune.backends.http_base import (
    Clock,
    HttpBackend,
    MalformedResponse,
    api_key_from_env,
    match_label,
)
from ragtune.errors import MissingDependencyError

OPENAI_URL = "https://api.openai.com/v1"


class OpenAIBackend(HttpBackend):
    sdk = "openai"

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        name: str | None = None,
        **options: Any,
    ) -> None:
        try:
            import openai  # noqa: F401
        except ImportError:
            raise MissingDependencyError("openai", "api") from None
        self.model = model
        official = base_url is None
        # `openai:` honours OPENAI_BASE_URL as the SDK does (a gateway or proxy in front of
        # api.openai.com); the calls are still priced as the named OpenAI model.
        gateway = os.environ.get("OPENAI_BASE_URL", "").strip() if official else ""
        self.base_url = (base_url or gateway or OPENAI_URL).rstrip("/")
        if name is None:
            name = f"openai:{model}" if official else f"openai-compatible:{self.base_url}#{model}"
        self.name = name
        if api_key is None:
            variable = "OPENAI_API_KEY" if official else "OPENAI_COMPATIBLE_API_KEY"
            api_key = api_key_from_env(variable, self.name, required=official)
        self._official = official
        super().__init__(api_key=api_key, **options)

    @property
    def params(self) -> dict[str, Any]:
        return {"base_url": self.base_url}

    def _client(self) -> Any:
        from openai import AsyncOpenAI

        return AsyncOpenAI(
            api_key=self._api_key or "not-needed",
            base_url=self.base_url,
            max_retries=0,
            timeout=self.timeout_s,
            http_client=self._http_client(),
        )

    def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "messages": request.chat_messages(),
            "temperature": request.temperature,
            "seed": request.seed,
        }
        # api.openai.com wants max_completion_tokens; other servers know max_tokens.
        params["max_completion_tokens" if self._official else "max_tokens"] = request.max_tokens
        if request.stop:
            params["stop"] = list(request.stop)
        if request.json_schema is not None:
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": dict(request.json_schema)},
            }
        if request.labels is not None:
            params["logprobs"] = True
        return params

    async def _call(self, client: Any, request: Request) -> Response:
        params = self._params(request)
        clock = Clock()
        if self.stream:
            text, finish, logprobs, usage, raw = await self._streamed(client, params, clock)
        else:
            completion = await client.chat.completions.create(**params)
            return completion_response(
                completion, request, self.name, self.model, Latency(clock.total(), clock.first)
            )
        if usage is None:
            raise MalformedResponse("the server reported no token usage")
        return Response(
            text=match_label(text, request.labels),
            finish_reason=_finish(finish),
            usage=_usage(usage),
            latency=Latency(total_s=clock.total(), ttft_s=clock.first),
            backend=self.name,
            model=self.model,
            mean_logprob=sum(logprobs) / len(logprobs) if logprobs else None,
            raw=raw,
        )

    async def _streamed(
        self, client: Any, params: dict[str, Any], clock: Clock
    ) -> tuple[str, str | None, list[float], Any, dict[str, Any]]:
        stream = await client.chat.completions.create(
            **params, stream=True, stream_options={"include_usage": True}
        )
        parts: list[str] = []
        finish: str | None = None
        logprobs: list[float] = []
        usage = None
        chunk_id = None
        async for chunk in stream:
            chunk_id = chunk_id or chunk.id
            if chunk.usage is not None:
                usage = chunk.usage
            for choice in chunk.choices or []:
                if choice.delta is not None and choice.delta.content:
                    clock.mark_first()
                    parts.append(choice.delta.content)
                logprobs += _token_logprobs(choice.logprobs)
                finish = choice.finish_reason or finish
        if finish is None:
            raise MalformedResponse("the stream ended without a finish reason")
        return "".join(parts), finish, logprobs, usage, {"id": chunk_id}


def completion_response(
    completion: Any, request: Request, backend: str, model: str, latency: Latency
) -> Response:
    """A `ChatCompletion` as a `Response`: a non-streamed call's, or a batch result's body."""
    if not getattr(completion, "choices", None):
        raise MalformedResponse("no choices in the response")
    choice = completion.choices[0]
    logprobs = _token_logprobs(choice.logprobs)
    if completion.usage is None:
        raise MalformedResponse("the server reported no token usage")
    return Response(
        text=match_label(choice.message.content or "", request.labels),
        finish_reason=_finish(choice.finish_reason),
        usage=_usage(completion.usage),
        latency=latency,
        backend=backend,
        model=model,
        mean_logprob=sum(logprobs) / len(logprobs) if logprobs else None,
        raw={"id": completion.id},
    )


def _usage(usage: Any) -> Usage:
    details = getattr(usage, "prompt_tokens_details", None)
    cached = int(getattr(details, "cached_tokens", 0) or 0)
    written = int(getattr(details, "cache_write_tokens", 0) or 0)
    prompt = int(usage.prompt_tokens)
    return Usage(
        input_tokens=prompt - cached - written,
        cache_write_tokens=written,
        cache_read_tokens=cached,
        output_tokens=int(usage.completion_tokens),
    )


def _token_logprobs(logprobs: Any) -> list[float]:
    content = getattr(logprobs, "content", None) or []
    return [float(t.logprob) for t in content if t.logprob is not None and math.isfinite(t.logprob)]


def _finish(reason: str | None) -> FinishReason:
    return "length" if reason == "length" else "stop"
