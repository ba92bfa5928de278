"""Loopback stand-ins for the platforms saidbot talks to (tests only)."""
