"""Demo data: watchlists of the analyst personas, with their first matches.

Saved through the search service (validated, audited). The reports already loaded are then
passed through the search hook, as a new report would be, so that each watchlist shows the
matches its owner may see. Running the loader again changes nothing.
"""

from __future__ import annotations

from django.db import transaction

from entente.core.models import User
from entente.intelligence.models import Report, SavedSearch
from entente.intelligence.services import search

# (owner, name, query, filters, watch)
WATCHLISTS = [
    (
        "analyst.nca",
        "Smugglers and lorries at the tunnel",
        "smugglers OR lorry OR passeurs",
        {},
        True,
    ),
    ("analyst.nca", "Small boats", '"small boats" OR "small boat"', {}, True),
    ("analyst.nca", "DCPAF reports", "", {"agency": "DCPAF"}, False),
    ("analyst.dcpaf", "Passeurs et camions", "passeurs OR camions", {}, True),
    ("analyst.dcpaf", "Réseaux démantelés", "réseau démantelé", {"language": "fr"}, True),
    ("supervisor.nca", "Coquelles", "Coquelles", {}, True),
]


@transaction.atomic
def load() -> None:
    created = False
    for username, name, query, filters, watch in WATCHLISTS:
        owner = User.objects.filter(username=username).first()
        if owner is None or SavedSearch.objects.filter(owner=owner, name=name).exists():
            continue
        search.save_search(acting_user=owner, name=name, query=query, filters=filters, watch=watch)
        created = True
    if created:
        for report in Report.objects.order_by("pk"):
            search.report_saved(report)
