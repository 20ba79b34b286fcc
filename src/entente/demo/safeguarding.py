"""The demo's safeguarding: people met and referred, protected places and their occupancy, the
Centre Jules Ferry's daily services, asylum and voluntary-return pathways, joint information
campaigns, from the 2015 agreement's humanitarian half.

Each area loads its own part (entente.demo.safeguarding_*); this module runs them in order.
"""

from __future__ import annotations


def load_safeguarding() -> None:
    from entente.demo import safeguarding_care, safeguarding_people

    safeguarding_care.load()
    safeguarding_people.load()
