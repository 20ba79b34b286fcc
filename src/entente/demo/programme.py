"""The demo's programme: indicators and targets, the joint fund and action plan, the joint
inspections, from the 2014 declaration and the 2015 agreement (shared/seeds/).

Each area loads its own part (entente.demo.programme_*); this module runs them in order: the
indicators first (the measures link to them), then the fund and the plan, then the
inspections (which report on both).
"""

from __future__ import annotations

import importlib


def load_programme() -> None:
    for name in ("programme_indicators", "programme_fund", "programme_inspections"):
        try:
            module = importlib.import_module(f"entente.demo.{name}")
        except ImportError:
            continue
        module.load()
