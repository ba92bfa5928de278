"""`python -m bot <command>` is the same program as `saidbot`: a shim over the front door.

This is the one module in bot/ allowed to import `saidbot` (tests/test_architecture.py holds it to
these two lines). The guard matters: ingest's worker processes import the main module and must not
run the command again.
"""

from saidbot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
