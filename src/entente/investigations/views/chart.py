"""Investigations pages: the link chart.

The page draws, server-side, the chart it opens with (an investigation's entities, or an
entity's neighbours) as tables and a timeline that need no JavaScript; chart.js then draws
the same data with Cytoscape.js and fetches more from the chart's API as the user expands
nodes, looks for a path, filters or asks for an analysis.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Value
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from entente.core import access, periods
from entente.core.choices import Module
from entente.core.text import Folded
from entente.intelligence.choices import EntityKind
from entente.investigations import graph
from entente.investigations.choices import LinkKind
from entente.investigations.models import Investigation
from entente.investigations.services import chart as services

SEARCH_LIMIT = 20


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < int(value) < 2**63 else None


def months(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events grouped by month, oldest first, each month named in the reader's language."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        grouped[event["date"][:7]].append(event)
    return [
        {
            "month": key,
            "label": formats.date_format(dt.date.fromisoformat(key + "-01"), "F Y"),
            "events": grouped[key],
        }
        for key in sorted(grouped)
    ]


def _labels() -> dict[str, str]:
    """The words chart.js shows, in the reader's language."""
    return {
        "hidden": _("+{n} hidden"),
        "not_counted": _("not counted until expanded"),
        "expand": _("Expand"),
        "expanding": _("Fetching the neighbours of {name}…"),
        "expanded": _("{name}: entities added: {nodes}; links added: {links}."),
        "selected": _("Selected: {name} ({kind}). Press Enter to expand it."),
        "path_found": _("Shortest path: {chain} ({n} links)."),
        "path_none": _("No chain of links you may see joins these two entities."),
        "path_choose": _("Choose two different entities."),
        "filtered": _("Showing {nodes} entities and {links} links."),
        "analysed": _("Coloured by community ({n} communities), sized by betweenness."),
        "analysis_missing": _("The network analysis is not available."),
        "error": _("The server did not answer; try again."),
        "truncated": _("{n} more entities were left out: the chart is full."),
        "community": _("Community {n}"),
        "none": _("None"),
        "timeline_empty": _("No dated event."),
    }


@login_required
def chart(request: HttpRequest) -> HttpResponse:
    """The link chart of an investigation (``?investigation=ID``) or around an entity
    (``?entity=ID``); without either, a search for the entity to start from."""
    user = request.user
    access.require_role(user, Module.INVESTIGATIONS)
    kinds = [k for k in request.GET.getlist("kinds") if k in LinkKind.values]
    start = periods.day(request.GET.get("start", ""))
    end = periods.day(request.GET.get("end", ""))
    options: dict[str, Any] = {"kinds": kinds or None, "start": start, "end": end}
    investigation = None
    centre = None
    found = None
    matches: list[Any] = []
    investigation_id = _id(request.GET.get("investigation", ""))
    entity_id = _id(request.GET.get("entity", ""))
    if request.GET.get("investigation"):
        investigation = access.get_visible_or_404(Investigation, user, pk=investigation_id)
        ids = investigation.entity_links.values_list("entity_id", flat=True)
        found = graph.subgraph(user, ids, **options)
        services.record_read(
            found,
            acting_user=user,
            about="investigations.investigation",
            about_id=investigation.pk,
        )
    elif request.GET.get("entity"):
        if entity_id is None:
            raise Http404(_("No such record."))
        found = graph.neighbourhood(user, entity_id, **options)
        centre = next(n for n in found.nodes if n["id"] == entity_id)
        services.record_read(
            found, acting_user=user, about="intelligence.entity", about_id=entity_id
        )
    query = request.GET.get("q", "").strip()[:100]
    if query:
        matches = list(
            graph.visible_entities(user)
            .alias(folded_name=Folded("name"))
            .filter(folded_name__contains=Folded(Value(query)))
            .order_by("name", "pk")
            .values("pk", "name", "kind", "country")[:SEARCH_LIMIT]
        )
    investigations = list(
        Investigation.objects.visible_to(user).values("pk", "reference", "title")[:50]
    )
    data = found.as_json() if found is not None else {"nodes": [], "edges": [], "truncated": 0}
    names = {n["id"]: n["label"] for n in data["nodes"]}
    for edge in data["edges"]:
        edge["source_label"] = names.get(edge["source"], "")
        edge["target_label"] = names.get(edge["target"], "")
    events = graph.timeline(user, names, **options) if names else []
    expand_url = reverse("api-1:investigations_graph_expand", kwargs={"entity_id": 0})
    path_url = reverse("api-1:investigations_graph_path", kwargs={"source_id": 0, "target_id": 0})
    return render(
        request,
        "investigations/chart.html",
        {
            "investigation": investigation,
            "centre": centre,
            "data": data,
            "months": months(events),
            "link_kinds": LinkKind.choices,
            "entity_kinds": EntityKind.choices,
            "checked_kinds": set(kinds) or set(LinkKind.values),
            "start": start,
            "end": end,
            "query": query,
            "matches": matches,
            "investigations": investigations,
            "labels": _labels(),
            "api": {
                "expand": expand_url.rsplit("0", 1)[0],
                "path": path_url[: -len("0/0")],
                "timeline": reverse("api-1:investigations_graph_timeline"),
                "analysis": reverse("api-1:investigations_graph_timeline").replace(
                    "timeline", "analysis"
                ),
                "max_nodes": graph.MAX_NODES,
            },
        },
    )
