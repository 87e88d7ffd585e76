"""Hypothesis settings for the risk properties and the case counts printed after the run.

Profiles: "ci" (the default here, derandomized: the same examples on every run) and "dev"
(random, more examples): `HYPOTHESIS_PROFILE=dev pytest tests/risk`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

import risk_kit

settings.register_profile("ci", derandomize=True, max_examples=200, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=500, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001 - pytest hook signature
    counts = risk_kit.PROPERTY_COUNTS
    if counts["examples"]:
        terminalreporter.write_sep("-", "risk properties")
        terminalreporter.write_line(
            f"{counts['examples']} generated cases, {counts['bars']} bars checked, {counts['trims']} positions "
            f"grown past a cap by price and trimmed at the next bar, {counts['halted_bars']} halted bars, "
            f"{counts['daily_loss_bars']} bars under the daily-loss halt, {counts['stop_fills']} stop fills")
