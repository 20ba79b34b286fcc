"""Investigations pages: network analysis of the visible graph, and suggested members.

The table sorts on the server (the column headings are links, so it works by keyboard and
without JavaScript); the forms are GET forms, so a view can be bookmarked and shared (each
viewer still sees only their own graph).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy, pgettext_lazy

from entente.core import access
from entente.core.choices import Module
from entente.core.forms import StyledMixin
from entente.investigations import analysis
from entente.investigations.choices import LinkKind
from entente.investigations.models import Investigation

PAGE_SIZE = 100
CHART_BARS = 20

# Sort keys of the table: (column, heading, whether largest first is the natural order).
COLUMNS = [
    ("label", pgettext_lazy("entity", "Name"), False),
    ("kind", pgettext_lazy("entity", "Kind"), False),
    ("community", gettext_lazy("Community"), False),
    ("degree", gettext_lazy("Degree"), True),
    ("betweenness", gettext_lazy("Betweenness"), True),
    ("eigenvector", gettext_lazy("Eigenvector"), True),
    ("coreness", gettext_lazy("Core (k)"), True),
]
SORTS = {key for key, _label, _desc in COLUMNS}


class InvestigationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} {obj.title}"


class AnalysisForm(StyledMixin, forms.Form):
    investigation = InvestigationChoiceField(
        label=gettext_lazy("Investigation"),
        required=False,
        empty_label=gettext_lazy("The whole graph I may see"),
        queryset=Investigation.objects.none(),
        widget=forms.Select(attrs={"lang": ""}),  # references and titles as written
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Link types"),
        required=False,
        choices=LinkKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every type."),
    )
    start = forms.DateField(
        label=gettext_lazy("Links active from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    path_from = forms.IntegerField(
        label=gettext_lazy("Shortest path from entity"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=gettext_lazy("The number in the table's first column."),
    )
    path_to = forms.IntegerField(
        label=gettext_lazy("to entity"), required=False, min_value=1, max_value=2**63 - 1
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["investigation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Investigation.objects.visible_to(user).order_by("reference")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", gettext_lazy("The period starts after it ends."))
        return data


def _chart(communities: list[analysis.Community]) -> dict[str, Any]:
    """Horizontal bars of the largest communities' sizes (an SVG drawn by the template)."""
    shown = communities[:CHART_BARS]
    top = max((c.size for c in shown), default=0)
    bar, gap, x0, width = 14, 6, 110, 420
    bars = [
        {
            "id": c.id,
            "size": c.size,
            "y": i * (bar + gap),
            "text_y": i * (bar + gap) + bar - 2,
            "width": max(1, round(c.size / top * width)) if top else 0,
        }
        for i, c in enumerate(shown)
    ]
    return {
        "bars": bars,
        "bar": bar,
        "x0": x0,
        "height": len(bars) * (bar + gap),
        "width": x0 + width + 60,
        "more": max(0, len(communities) - len(shown)),
    }


@login_required
def analysis_page(request: HttpRequest) -> HttpResponse:
    """The visible graph's communities and centralities, as a sortable table and a chart."""
    user: Any = request.user
    access.require_role(user, Module.INVESTIGATIONS)
    form = AnalysisForm(request.GET or None, user=user)
    data = form.cleaned_data if form.is_valid() else {}
    result = analysis.analyse(
        user,
        investigation=data.get("investigation"),
        kinds=data.get("kinds") or None,
        start=data.get("start"),
        end=data.get("end"),
    )
    sort = request.GET.get("sort", "betweenness")
    if sort.lstrip("-") not in SORTS:
        sort = "betweenness"
    key = sort.lstrip("-")
    natural_desc = next(desc for k, _label, desc in COLUMNS if k == key)
    descending = natural_desc != sort.startswith("-")
    nodes = sorted(
        result.nodes,
        key=lambda n: (getattr(n, key), -n.id if descending else n.id),
        reverse=descending,
    )
    page = Paginator(nodes, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    page_query = query.urlencode()  # pages keep the sort
    query.pop("sort", None)
    headings = [
        {
            "key": k,
            "label": label,
            # A second click on the sorted column reverses it.
            "next": (("-" if not sort.startswith("-") else "") + k) if k == key else k,
            "aria": ("descending" if descending else "ascending") if k == key else "",
        }
        for k, label, _desc in COLUMNS
    ]
    path = None
    path_asked = data.get("path_from") and data.get("path_to")
    if path_asked:
        ids = result.shortest_path(data["path_from"], data["path_to"])
        path = [result.node(pk) for pk in ids] if ids else []
    return render(
        request,
        "investigations/analysis.html",
        {
            "form": form,
            "result": result,
            "page": page,
            "headings": headings,
            "sort": sort,
            "query": query.urlencode(),
            "page_query": page_query,
            "chart": _chart(result.communities),
            "path": path,
            "path_asked": path_asked,
        },
    )


@login_required
def investigation_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """Entities the investigation's graph points to that are not in it yet, with why."""
    user: Any = request.user
    access.require_role(user, Module.INVESTIGATIONS)
    found = access.get_visible_or_404(Investigation, user, pk=pk)
    result = analysis.analyse(user, investigation=found)
    return render(
        request,
        "investigations/suggestions.html",
        {
            "investigation": found,
            "result": result,
            "suggestions": analysis.suggest_members(user, found, analysis=result),
        },
    )
