"""Prints the isolation suite's count of what account B tried, at the end of a run that included it."""

from __future__ import annotations

import os


def pytest_terminal_summary(terminalreporter):
    from tests.isolation.report import summary

    text = summary()
    if text is None:
        return
    terminalreporter.write_sep("-", "cross-account isolation")
    for line in text.splitlines():
        terminalreporter.write_line(line)
    path = os.environ.get("ISOLATION_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
