"""Intelligence pages: search (facets as filter links, HTMX partial updates) and the person's
own saved searches and watchlists with their unseen matches.

The forms live here, beside the only views that use them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from entente.core import access
from entente.core.choices import Language, Module
from entente.core.forms import StyledMixin, apply_validation_error
from entente.core.htmx import template_for
from entente.intelligence.services import search as services

FACET_TITLES = {
    "grade": gettext_lazy("Grade"),
    "agency": gettext_lazy("Originating agency"),
    "month": gettext_lazy("Month"),
    "entity": gettext_lazy("Entity"),
}
FILTER_TITLES = {**FACET_TITLES, "language": gettext_lazy("Language")}


class SearchForm(StyledMixin, forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=services.MAX_QUERY,
        help_text=gettext_lazy(
            'Words in French or English; "words in quotes" for a phrase, -word to exclude, '
            "OR between alternatives."
        ),
    )
    grade = forms.CharField(
        label=gettext_lazy("Grade"), required=False, max_length=3, widget=forms.HiddenInput
    )
    agency = forms.CharField(
        label=gettext_lazy("Originating agency"),
        required=False,
        max_length=40,
        widget=forms.HiddenInput,
    )
    month = forms.CharField(
        label=gettext_lazy("Month"), required=False, max_length=7, widget=forms.HiddenInput
    )
    entity = forms.CharField(
        label=gettext_lazy("Entity"), required=False, max_length=20, widget=forms.HiddenInput
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        choices=[("", gettext_lazy("Either")), *list(Language.choices)],
    )


class SaveSearchForm(StyledMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the saved search"), max_length=200)
    watch = forms.BooleanField(
        label=gettext_lazy("Watchlist: tell me of new reports that match"), required=False
    )


def _report_url(pk: int) -> str | None:
    try:
        return reverse("intelligence:report_detail", args=[pk])
    except NoReverseMatch:
        return None


def _filters_of(data: Any) -> dict[str, str]:
    return {k: data.get(k, "") for k in services.FILTER_KEYS if data.get(k)}


def _link(query: str, filters: dict[str, str], **change: str | None) -> str:
    params = {"q": query, **filters}
    for key, value in change.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode({k: v for k, v in params.items() if v})


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The search page: results ranked, facets as links that add (or remove) a filter."""
    access.require_role(request.user, Module.INTELLIGENCE)
    form = SearchForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        filters = _filters_of(form.cleaned_data)
        try:
            result = services.search_reports(
                request.user, query, filters, request.GET.get("page") or 1
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
    facet_groups = []
    pages = []
    if result is not None:
        for name, items in result.facets.items():
            if not items:
                continue
            facet_groups.append(
                {
                    "name": name,
                    "title": FACET_TITLES[name],
                    "active": result.filters.get(name),
                    "clear": _link(result.query, result.filters, **{name: None}),
                    "items": [
                        {
                            "facet": f,
                            "url": _link(result.query, result.filters, **{name: f.value}),
                            "active": result.filters.get(name) == f.value,
                        }
                        for f in items
                    ],
                }
            )
        pages = [
            {"number": n, "url": _link(result.query, result.filters, page=str(n))}
            for n in range(1, result.pages + 1)
        ]
    rows = [{"report": r, "url": _report_url(r.pk)} for r in (result.reports if result else [])]
    context = {
        "form": form,
        "result": result,
        "rows": rows,
        "facet_groups": facet_groups,
        "pages": pages,
        "save_form": SaveSearchForm(),
        "unseen": services.unseen_count(request.user),
    }
    return render(
        request,
        template_for(
            request, "intelligence/search.html", "intelligence/includes/search_results.html"
        ),
        context,
    )


@login_required
@require_POST
def search_save(request: HttpRequest) -> HttpResponse:
    """Save the search in the page's fields, as a watchlist when asked."""
    access.require_role(request.user, Module.INTELLIGENCE)
    form = SaveSearchForm(request.POST)
    back = reverse("intelligence:search") + _link(
        request.POST.get("q", ""), _filters_of(request.POST)
    )
    if not form.is_valid():
        messages.error(request, _("Give the saved search a name."))
        return redirect(back)
    try:
        saved = services.save_search(
            acting_user=request.user,
            name=form.cleaned_data["name"],
            query=request.POST.get("q", ""),
            filters=_filters_of(request.POST),
            watch=form.cleaned_data["watch"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("Search saved as {name}.").format(name=saved.name))
    return redirect("intelligence:watchlists")


@login_required
def watchlists(request: HttpRequest) -> HttpResponse:
    """The person's saved searches and watchlists, with the matches not yet seen first."""
    searches = list(services.saved_searches(request.user))
    hits = Paginator(services.watch_hits(request.user), 25).get_page(request.GET.get("page"))
    for search_ in searches:
        search_.url = reverse("intelligence:search") + _link(search_.query, search_.filters)  # type: ignore[attr-defined]
        search_.filter_labels = [  # type: ignore[attr-defined]
            (FILTER_TITLES.get(key, key), value) for key, value in search_.filters.items()
        ]
    rows = [{"hit": h, "url": _report_url(h.report_id)} for h in hits]
    return render(
        request,
        "intelligence/watchlists.html",
        {
            "searches": searches,
            "page": hits,
            "rows": rows,
            "unseen": sum(s.unseen for s in searches),  # type: ignore[attr-defined]
        },
    )


@login_required
@require_POST
def watchlist_seen(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Mark the matches of one watchlist (or of all) as seen."""
    access.require_role(request.user, Module.INTELLIGENCE)
    saved = services.get_own_search_or_404(request.user, pk) if pk is not None else None
    count = services.mark_seen(acting_user=request.user, search=saved)
    messages.success(
        request,
        ngettext("{n} match marked as seen.", "{n} matches marked as seen.", count).format(n=count),
    )
    return redirect("intelligence:watchlists")


@login_required
@require_POST
def saved_search_watch(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn a saved search into a watchlist, or back."""
    saved = services.get_own_search_or_404(request.user, pk)
    services.update_saved_search(
        saved, acting_user=request.user, watch=request.POST.get("watch") == "on"
    )
    return redirect("intelligence:watchlists")


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = services.get_own_search_or_404(request.user, pk)
    services.delete_saved_search(saved, acting_user=request.user)
    messages.success(request, _("Saved search {name} deleted.").format(name=saved.name))
    return redirect("intelligence:watchlists")
