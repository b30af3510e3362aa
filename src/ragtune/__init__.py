"""ragtune: measure prompt, RAG and fine-tuning strategies on your own data, then price them."""

__version__ = "0.1.0"
