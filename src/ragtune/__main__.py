"""`python -m ragtune` is the same as the `ragtune` command."""

from ragtune.cli import main

main()
