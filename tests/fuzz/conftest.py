"""Hypothesis profiles for the fuzz tests.

``ci`` (the default) is a fixed, reproducible budget: the same examples on every run
(``derandomize``), no example database, no deadline (CI machines are slow and uneven).
``HYPOTHESIS_PROFILE=deep`` is a long local hunt with fresh random examples::

    HYPOTHESIS_PROFILE=deep .venv/bin/python -m pytest -q tests/fuzz
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "deep",
    max_examples=5000,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
