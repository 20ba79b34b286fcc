"""The fuzz harnesses' budget: small enough for CI (the whole package in about two to three
minutes on two cores), larger on demand for a local hunt.

ENTENTE_FUZZ_EXAMPLES multiplies every harness's examples (e.g. 10 for a longer run). In CI
(CI=true) the examples are derandomised, so that a red run is the code's doing, not the
draw's; elsewhere each run draws afresh, which is what finds new failures.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings

SCALE = max(1, int(os.environ.get("ENTENTE_FUZZ_EXAMPLES", "1")))


def fuzz(examples: int) -> Callable[[Any], Any]:
    """Hypothesis settings for a harness: ``examples`` at scale 1, no deadline (a database
    write may be slow on a loaded machine), no example database (the shared tree stays
    clean)."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        database=None,
        derandomize=os.environ.get("CI", "").lower() in ("1", "true", "yes"),
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
