"""Run reports: statistics, figures and cost analysis as pure functions of a run's records."""
