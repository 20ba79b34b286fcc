"""The demo's investigations: entities and links, a joint investigation against a network
dismantled with its arrests, and the cross-border duplicate records of the linkage example.

Each area loads its own part (entente.demo.investigations_*); this module runs them in order.
"""

from __future__ import annotations


def load_investigations() -> None:
    from entente.demo import investigations_cases, investigations_entities, investigations_linkage

    investigations_entities.load()
    investigations_cases.load()
    investigations_linkage.load()
