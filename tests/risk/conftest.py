"""The risk properties' case counts, printed after the run (hypothesis profiles: the root conftest.py)."""

from __future__ import annotations

import risk_kit


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001 - pytest hook signature
    counts = risk_kit.PROPERTY_COUNTS
    if counts["examples"]:
        terminalreporter.write_sep("-", "risk properties")
        terminalreporter.write_line(
            f"{counts['examples']} generated cases, {counts['bars']} bars checked, {counts['trims']} positions "
            f"grown past a cap by price and trimmed at the next bar, {counts['halted_bars']} halted bars, "
            f"{counts['daily_loss_bars']} bars under the daily-loss halt, {counts['stop_fills']} stop fills")
