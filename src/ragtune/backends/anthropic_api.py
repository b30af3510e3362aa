"""Anthropic's Messages API through the official `anthropic` SDK, with prompt caching.

`anthropic:claude-haiku-4-5` reads ANTHROPIC_API_KEY, and ANTHROPIC_BASE_URL when set (the SDK reads
it itself: a gateway or proxy; the calls are still priced as the named model). When a request marks
a cacheable prefix (`Request.cache_prefix`), the last block of that prefix carries `cache_control:
ephemeral`: the system prompt for 0, else the n-th message. The first call writes the prefix to the
cache (`cache_creation_input_tokens`, billed at a premium), later calls within the cache lifetime
read it (`cache_read_input_tokens`, billed at a discount); `input_tokens` is the uncached rest.
These map one to one onto `Usage`. Anthropic caches only prefixes above a model-specific minimum
length (1,024-4,096 tokens); shorter ones come back with both cache counts 0.

A JSON schema goes out as `output_config.format` (structured outputs). The SDK installed here
has no sampling parameters, so `Request.temperature` is not sent: the model's default applies.
Not done: token log-probabilities (the API has none, so responses carry no confidence).
"""

from __future__ import annotations

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

_CACHE = {"type": "ephemeral"}


class AnthropicBackend(HttpBackend):
    sdk = "anthropic"

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
            import anthropic  # noqa: F401
        except ImportError:
            raise MissingDependencyError("anthropic", "api") from None
        self.model = model
        self.name = name or f"anthropic:{model}"
        self.base_url = base_url
        if api_key is None:
            api_key = api_key_from_env("ANTHROPIC_API_KEY", self.name, required=True)
        super().__init__(api_key=api_key, **options)

    def _client(self) -> Any:
        from anthropic import AsyncAnthropic

        return AsyncAnthropic(
            api_key=self._api_key,
            base_url=self.base_url,
            max_retries=0,
            timeout=self.timeout_s,
            http_client=self._http_client(),
        )

    def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "messages": message_blocks(request),
        }
        if request.system:
            block: dict[str, Any] = {"type": "text", "text": request.system}
            if request.cache_prefix == 0:
                block["cache_control"] = _CACHE
            params["system"] = [block]
        if request.stop:
            params["stop_sequences"] = list(request.stop)
        if request.json_schema is not None:
            schema = dict(request.json_schema)
            params["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
        return params

    async def _call(self, client: Any, request: Request) -> Response:
        params = self._params(request)
        clock = Clock()
        if self.stream:
            async with client.messages.stream(**params) as stream:
                async for event in stream:
                    if event.type == "content_block_delta":
                        clock.mark_first()
                message = await stream.get_final_message()
        else:
            message = await client.messages.create(**params)
        return message_response(
            message, request, self.name, self.model, Latency(clock.total(), clock.first)
        )


def message_response(
    message: Any, request: Request, backend: str, model: str, latency: Latency
) -> Response:
    """A Messages API `Message` as a `Response`: an interactive call's, or a batch result's."""
    if message is None or getattr(message, "usage", None) is None:
        raise MalformedResponse("no usage in the response")
    text = "".join(b.text for b in message.content if getattr(b, "type", "") == "text")
    u = message.usage
    return Response(
        text=match_label(text, request.labels),
        finish_reason=_finish(message.stop_reason),
        usage=Usage(
            input_tokens=int(u.input_tokens),
            cache_write_tokens=int(u.cache_creation_input_tokens or 0),
            cache_read_tokens=int(u.cache_read_input_tokens or 0),
            output_tokens=int(u.output_tokens),
        ),
        latency=latency,
        backend=backend,
        model=model,
        raw={"id": message.id, "stop_reason": message.stop_reason},
    )


def message_blocks(request: Request) -> list[dict[str, Any]]:
    """Messages as content blocks; the last block of the cacheable prefix gets cache_control."""
    blocks = []
    for i, message in enumerate(request.messages):
        block: dict[str, Any] = {"type": "text", "text": message.content}
        if request.cache_prefix is not None and request.cache_prefix == i + 1:
            block["cache_control"] = _CACHE
        blocks.append({"role": message.role, "content": [block]})
    return blocks


def _finish(reason: str | None) -> FinishReason:
    return "length" if reason == "max_tokens" else "stop"
