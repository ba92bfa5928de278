"""Benchmarks and the answer-quality evaluation (not part of the installed package)."""
