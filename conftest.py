"""Suite-wide hypothesis profiles, so every property test is reproducible however pytest is invoked.

"ci" (the default): derandomized, the same examples on every run. "dev": random and more examples,
for hunting: `HYPOTHESIS_PROFILE=dev pytest tests/risk`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_RELAXED = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", derandomize=True, max_examples=200, deadline=None, print_blob=True,
                          suppress_health_check=_RELAXED)
settings.register_profile("dev", max_examples=500, deadline=None, print_blob=True, suppress_health_check=_RELAXED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
