"""Prints the PaaS rehearsal's timings and sizes at the end of the run (pytest captures test output)."""

from __future__ import annotations

from _pytest.terminal import TerminalReporter


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    from tests.deploy.test_rehearsal import TIMINGS

    if TIMINGS:
        terminalreporter.section("PaaS rehearsal")
        for name, value in TIMINGS.items():
            terminalreporter.write_line(f"{name:>22}: {value:8.2f}")
