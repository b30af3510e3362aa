"""Model backends: one interface over local transformers, OpenAI-compatible HTTP and Anthropic.

Importing this package stays light (no torch, no HTTP clients); each backend imports its heavy
dependencies when it is built.
"""

from ragtune.backends.base import (
    Backend,
    BackendError,
    Latency,
    Message,
    Request,
    Response,
    Usage,
)
from ragtune.backends.batch_api import (
    BATCH_SUFFIX,
    BatchClient,
    BatchResult,
    BatchState,
    batch_client,
    batchable,
)
from ragtune.backends.cache import CachedBackend, ResponseCache, cache_key, default_cache_path
from ragtune.backends.device import Device, device_of, from_hardware, measuring_device, this_cpu
from ragtune.backends.http_base import DEFAULT_CONCURRENCY, api_key_from_env, classify, run_sync
from ragtune.backends.loading import (
    BUNDLED,
    bundled_available,
    cache_root,
    load_causal_lm,
    load_tokenizer,
    models_cache_root,
    resolve_model,
)
from ragtune.backends.registry import billed_by_provider, create_backend, parse_backend_name
from ragtune.backends.retry import Retrier, RetryPolicy, scrub
from ragtune.backends.server import make_server

__all__ = [
    "BATCH_SUFFIX",
    "BUNDLED",
    "DEFAULT_CONCURRENCY",
    "Backend",
    "BackendError",
    "BatchClient",
    "BatchResult",
    "BatchState",
    "CachedBackend",
    "Device",
    "Latency",
    "Message",
    "Request",
    "Response",
    "ResponseCache",
    "Retrier",
    "RetryPolicy",
    "Usage",
    "api_key_from_env",
    "batch_client",
    "batchable",
    "billed_by_provider",
    "bundled_available",
    "cache_key",
    "cache_root",
    "classify",
    "create_backend",
    "default_cache_path",
    "device_of",
    "from_hardware",
    "load_causal_lm",
    "load_tokenizer",
    "make_server",
    "measuring_device",
    "models_cache_root",
    "parse_backend_name",
    "resolve_model",
    "run_sync",
    "scrub",
    "this_cpu",
]
