"""The front door: the `saidbot` command, and the one place where settings, the core and the adapters meet.

Modules: cli (the commands), bootstrap (settings → core → adapters), supervisor (the long-running
process), doctor (checks the configuration), progress (the ingest progress bar). The core (`bot/`)
and the adapters (`adapters/`) never import this package.
"""
