"""The bundled sample workloads and scenarios used by `ragtune demo` and the docs."""
