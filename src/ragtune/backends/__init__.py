"""Model backends: one interface over local transformers, OpenAI-compatible HTTP and Anthropic.

Importing this package stays light (no torch, no HTTP clients); each backend imports its heavy
dependencies when it is built.
"""
