"""`python -m saidbot <command>`."""

from saidbot.cli import main

# Guarded: ingest's worker processes import the main module, and must not run the command again.
if __name__ == "__main__":
    raise SystemExit(main())
