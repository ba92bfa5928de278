"""Helpers shared by tests in different folders (fakes of remote services live in tests/fakes)."""
