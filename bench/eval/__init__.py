"""Answer-quality evaluation: labelled questions, saidbot vs plain BM25 baselines (issue 6).

Run `python -m bench.eval PATH... [--questions FILE]` from the repository root.
"""
