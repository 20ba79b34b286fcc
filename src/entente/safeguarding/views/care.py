"""Safeguarding pages: care (protected places and allocations, day-centre services, pathways,
information campaigns). Thin: parse, call the services, render; refusals are shown on the
form or as a message, with nothing written."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from entente.core import access, audit
from entente.core.choices import Module, Role
from entente.core.forms import apply_validation_error
from entente.safeguarding import forms_care as forms
from entente.safeguarding.choices import CampaignLanguage, Channel, PlaceCategory
from entente.safeguarding.models import Allocation, Campaign, Pathway, Person, Place
from entente.safeguarding.services import accommodation, campaigns, daycentre, pathways

S = Module.SAFEGUARDING


def _refusals(request: HttpRequest, act: Callable[[], object], done: str) -> bool:
    """Run one change; a refusal becomes an error message. True when it went through."""
    try:
        act()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    messages.success(request, done)
    return True


def _person_by_code(user: Any, code: str) -> Person:
    person: Person | None = Person.objects.visible_to(user).filter(case_code=code.strip()).first()
    if person is None:
        raise ValidationError({"case_code": _("No person you may see has this case code.")})
    return person


# Protected places ---------------------------------------------------------------------------


@login_required
def place_list(request: HttpRequest) -> HttpResponse:
    """Today's free places at a glance: a tile per place, a row per category it serves."""
    user: Any = request.user
    access.require_role(user, S)
    rows = accommodation.at_a_glance(user)
    by_place: dict[int, dict[str, Any]] = {}
    for row in rows:
        slot = by_place.setdefault(row.place.pk, {"place": row.place, "rows": [], "free": 0})
        slot["rows"].append(row)
        slot["free"] += row.free
    totals = {c: sum(r.free for r in rows if r.category == c) for c in PlaceCategory.values}
    return render(
        request,
        "safeguarding/place_list.html",
        {
            "tiles": list(by_place.values()),
            "totals": [(PlaceCategory(c).label, n) for c, n in totals.items()],
            "today": timezone.localdate(),
            "may_create": accommodation.may_allocate(user),
        },
    )


@login_required
def place_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, S, Role.EDITOR)
    form = forms.PlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            place = accommodation.create_place(
                user,
                name=data["name"],
                town=data["town"],
                address=data["address"],
                capacity_women_children=data["capacity_women_children"],
                capacity_families=data["capacity_families"],
                capacity_men=data["capacity_men"],
                address_known_to=data["address_known_to"],
                releasability=["FR", "UK"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Place {name} opened.").format(name=place.name))
            return redirect("safeguarding:place_detail", pk=place.pk)
    return render(request, "safeguarding/place_form.html", {"form": form})


def _period(request: HttpRequest, days: int = 30) -> tuple[dt.date, dt.date, forms.PeriodForm]:
    today = timezone.localdate()
    form = forms.PeriodForm(request.GET or None)
    start, end = today - dt.timedelta(days=days - 1), today
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    if end < start:
        start, end = end, start
    if (end - start).days > 366:
        start = end - dt.timedelta(days=366)
    return start, end, form


@login_required
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A place: capacity and free places per category, its address for those who must know
    it, its allocations (case codes), the allocation form and the occupancy history."""
    user: Any = request.user
    place = access.get_visible_or_404(accommodation.visible_places(user), user, pk=pk)
    address = accommodation.address_for(user, place)
    if address is not None:
        audit.record_read(user, place, purpose=_("Address of a protected place"))
    start, end, period = _period(request)
    history = accommodation.occupancy(place, start, end)
    glance = [
        {
            "label": PlaceCategory(c).label,
            "capacity": place.capacity(c),
            "free": accommodation.free_places(place, c),
        }
        for c in PlaceCategory.values
        if place.capacity(c)
    ]
    allocations = Paginator(accommodation.allocations_of(place), 50).get_page(
        request.GET.get("page")
    )
    editor = accommodation.may_allocate(user)
    return render(
        request,
        "safeguarding/place_detail.html",
        {
            "place": place,
            "address": address,
            "glance": glance,
            "page": allocations,
            "history": history,
            "chart": accommodation.occupancy_chart(place, history),
            "period": period,
            "start": start,
            "end": end,
            "categories": PlaceCategory.choices,
            "allocation_form": forms.AllocationForm() if editor and place.active else None,
            "may_act": editor,
            "may_change": access.can_change_visible(user, place),
        },
    )


@login_required
def place_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    place = access.get_visible_or_404(accommodation.visible_places(user), user, pk=pk)
    if not access.can_change_visible(user, place):
        raise PermissionDenied(_("Only editors of the place's agency change it."))
    knows = accommodation.may_read_address(user, place)
    initial: dict[str, Any] = {
        "capacity_women_children": place.capacity_women_children,
        "capacity_families": place.capacity_families,
        "capacity_men": place.capacity_men,
        "active": place.active,
    }
    if knows:
        initial["address"] = place.address
        initial["address_known_to"] = list(place.address_known_to.all())
    form = forms.PlaceEditForm(request.POST or None, initial=initial, knows_address=knows)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            accommodation.update_place(
                user,
                place,
                capacities={c: data[f"capacity_{c}"] for c in PlaceCategory.values},
                active=data["active"],
                address=data.get("address") if knows else None,
                address_known_to=data.get("address_known_to") if knows else None,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Place {name} updated.").format(name=place.name))
            return redirect("safeguarding:place_detail", pk=place.pk)
    return render(request, "safeguarding/place_edit.html", {"form": form, "place": place})


@require_POST
@login_required
def allocation_create(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    place = access.get_visible_or_404(accommodation.visible_places(user), user, pk=pk)
    access.require_role(user, S, Role.EDITOR)
    form = forms.AllocationForm(request.POST)

    def act() -> object:
        if not form.is_valid():
            raise ValidationError(_("Give a case code and a category."))
        person = _person_by_code(user, form.cleaned_data["case_code"])
        return accommodation.allocate(
            user, place=place, person=person, category=form.cleaned_data["category"]
        )

    _refusals(request, act, _("Place allocated."))
    return redirect("safeguarding:place_detail", pk=pk)


ALLOCATION_ACTIONS: dict[str, tuple[Callable[..., Allocation], Any]] = {
    "check-in": (accommodation.check_in, gettext_lazy("Checked in.")),
    "check-out": (accommodation.check_out, gettext_lazy("Checked out.")),
    "cancel": (accommodation.cancel, gettext_lazy("Allocation cancelled.")),
}


@require_POST
@login_required
def allocation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    allocation = get_object_or_404(Allocation.objects.select_related("place"), pk=pk)
    access.get_visible_or_404(Place, user, pk=allocation.place_id)
    if action not in ALLOCATION_ACTIONS:
        raise Http404(_("No such action."))
    access.require_role(user, S, Role.EDITOR)
    service, done = ALLOCATION_ACTIONS[action]
    _refusals(request, lambda: service(user, allocation), str(done))
    return redirect("safeguarding:place_detail", pk=allocation.place_id)


# Day-centre services ------------------------------------------------------------------------


def _month(request: HttpRequest) -> tuple[int, int]:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-", 1))
        dt.date(year, month, 1)
    except (ValueError, TypeError):
        today = timezone.localdate()
        return today.year, today.month
    return year, month


@login_required
def daycentre_list(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, S)
    items = daycentre.centres().annotate(entered=Count("days"))
    return render(request, "safeguarding/daycentre_list.html", {"centres": items})


@login_required
def daycentre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A centre's month: a bar chart per measure and the days, and the monthly totals of the
    year."""
    user: Any = request.user
    access.require_role(user, S)
    centre = get_object_or_404(daycentre.centres(), pk=pk)
    year, month = _month(request)
    first = dt.date(year, month, 1)
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "safeguarding/daycentre_detail.html",
        {
            "centre": centre,
            "month": first,
            "prev": prev,
            "next": nxt,
            "charts": daycentre.month_charts(centre, year, month),
            "days": [d for d in daycentre.month_days(centre, year, month) if hasattr(d, "meals")],
            "totals": daycentre.monthly_totals(centre, dt.date(year, 1, 1), dt.date(year, 12, 31)),
            "may_enter": daycentre.may_enter(user, centre),
        },
    )


@login_required
def service_day_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """One short form per day, keyboard first: the day's counts, the previous days beside it.
    Entering a day again corrects it (audited)."""
    user: Any = request.user
    access.require_role(user, S)
    centre = get_object_or_404(daycentre.centres(), pk=pk)
    if not daycentre.may_enter(user, centre):
        raise PermissionDenied(_("Only the centre's staff enter its counts."))
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    existing = daycentre.day_of(centre, day)
    initial: dict[str, Any] = {"day": day}
    if existing is not None:
        initial.update({m: getattr(existing, m) for m in daycentre.MEASURES})
    form = forms.ServiceDayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = daycentre.record_day(
                user, centre, data["day"], **{m: data[m] for m in daycentre.MEASURES}
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("Counts of {day} saved.").format(day=saved.day.isoformat()),
            )
            following = saved.day + dt.timedelta(days=1)
            target = f"?day={following.isoformat()}" if following <= timezone.localdate() else ""
            return redirect(f"{request.path}{target}")
    return render(
        request,
        "safeguarding/service_day_form.html",
        {
            "centre": centre,
            "form": form,
            "day": day,
            "existing": existing,
            "previous": daycentre.previous_days(centre, day),
            "measures": [(m, daycentre.MEASURE_LABELS[m]) for m in daycentre.MEASURES],
        },
    )


# Pathways -----------------------------------------------------------------------------------


@login_required
def pathway_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, S)
    qs = pathways.visible_pathways(user)
    kind = request.GET.get("kind", "")
    if kind in ("asylum", "voluntary_return"):
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for item in page:
        steps = list(item.steps.all())
        item.last_step = steps[-1] if steps else None  # type: ignore[attr-defined]
    year = timezone.localdate().year
    with contextlib.suppress(ValueError):
        year = int(request.GET.get("year", year))
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return render(
        request,
        "safeguarding/pathway_list.html",
        {
            "page": page,
            "kind": kind,
            "year": year,
            "query": f"year={year}" + (f"&kind={kind}" if kind else ""),
            "figures": {
                "applications": pathways.asylum_applications(start, end),
                "transfers": pathways.transfers(start, end),
                "returns": pathways.voluntary_returns(start, end),
            },
            "months": pathways.monthly_counts(start, end),
            "legs": pathways.duration_figures(pathways.visible_pathways(user)),
            "may_edit": pathways.may_edit(user),
        },
    )


@login_required
def pathway_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.require_role(user, S, Role.EDITOR)
    form = forms.PathwayForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = _person_by_code(user, data["case_code"])
            created = pathways.open_pathway(
                user,
                person=person,
                kind=data["kind"],
                started_on=data["started_on"],
                partner=data["partner"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Pathway opened."))
            return redirect("safeguarding:pathway_detail", pk=created.pk)
    return render(request, "safeguarding/pathway_form.html", {"form": form})


@login_required
def pathway_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    pathway = access.get_visible_or_404(pathways.visible_pathways(user), user, pk=pk)
    upcoming = pathways.next_milestone(pathway)
    form = None
    if upcoming is not None and pathways.may_edit(user):
        form = forms.MilestoneForm(
            initial={"milestone": upcoming, "reached_on": timezone.localdate()}
        )
    order = pathways.milestones_of(pathway.kind)
    reached = {s.milestone: s for s in pathway.steps.all()}
    return render(
        request,
        "safeguarding/pathway_detail.html",
        {
            "pathway": pathway,
            "steps": [(m, reached.get(m)) for m in order],
            "legs": pathways.durations(pathway),
            "form": form,
        },
    )


@require_POST
@login_required
def pathway_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    pathway = access.get_visible_or_404(Pathway, user, pk=pk)
    access.require_role(user, S, Role.EDITOR)
    form = forms.MilestoneForm(request.POST)

    def act() -> object:
        if not form.is_valid():
            raise ValidationError(_("Choose a milestone and a date."))
        data = form.cleaned_data
        return pathways.record_milestone(
            user,
            pathway,
            milestone=data["milestone"],
            reached_on=data["reached_on"],
            note=data["note"],
            partner=data["partner"],
        )

    _refusals(request, act, _("Milestone recorded."))
    return redirect("safeguarding:pathway_detail", pk=pk)


# Campaigns ----------------------------------------------------------------------------------


def _require_campaign_reader(user: Any) -> None:
    if not campaigns.may_read(user):
        raise PermissionDenied(_("You do not hold the role this needs."))


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _require_campaign_reader(user)
    qs = (
        campaigns.campaigns()
        .annotate(
            languages=Count("messages"),
            both=Count("pk", filter=Q(approved_fr_by__isnull=False, approved_uk_by__isnull=False)),
        )
        .order_by("-starts_on", "-pk")
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "safeguarding/campaign_list.html",
        {"page": page, "may_edit": campaigns.may_edit(user)},
    )


def _campaign_form_data(campaign: Campaign) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": campaign.title,
        "summary": campaign.summary,
        "channels": campaign.channels,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
    }
    for message in campaign.messages.all():
        data[f"message_{message.language}"] = message.text
    return data


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not campaigns.may_edit(user):
        raise PermissionDenied(_("You do not hold the role this needs."))
    form = forms.CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = campaigns.create_campaign(user, **form.service_fields())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Campaign drafted; it now needs both countries' approval."))
            return redirect("safeguarding:campaign_detail", pk=created.pk)
    return render(request, "safeguarding/campaign_form.html", {"form": form, "campaign": None})


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    campaign = get_object_or_404(campaigns.campaigns(), pk=pk)
    _require_campaign_reader(user)
    if not campaigns.may_edit(user) or user.agency_id != campaign.owner_id:
        raise PermissionDenied(_("Only editors of the campaign's agency change it."))
    form = forms.CampaignForm(request.POST or None, initial=_campaign_form_data(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            campaigns.update_campaign(user, campaign, **form.service_fields())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Campaign updated."))
            return redirect("safeguarding:campaign_detail", pk=pk)
    return render(request, "safeguarding/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    _require_campaign_reader(user)
    campaign = get_object_or_404(campaigns.campaigns(), pk=pk)
    country = user.agency.country.code if user.agency_id else ""
    slot_free = (country == "FR" and campaign.approved_fr_by_id is None) or (
        country == "UK" and campaign.approved_uk_by_id is None
    )
    owner_editor = campaigns.may_edit(user) and user.agency_id == campaign.owner_id
    labels = dict(CampaignLanguage.choices)
    return render(
        request,
        "safeguarding/campaign_detail.html",
        {
            "campaign": campaign,
            "texts": [
                {
                    "language": m.language,
                    "label": labels.get(m.language, m.language),
                    "lang": campaigns.lang_tag(m.language),
                    "dir": campaigns.direction(m.language),
                    "text": m.text,
                }
                for m in sorted(
                    campaign.messages.all(), key=lambda m: CampaignLanguage.values.index(m.language)
                )
            ],
            "channels": [Channel(c).label for c in campaign.channels if c in Channel.values],
            "approved": campaigns.is_approved(campaign),
            "may_approve": campaigns.may_approve(user) and slot_free,
            "may_edit": owner_editor,
            "reach_form": forms.ReachForm(initial={"reach": campaign.reach})
            if owner_editor and campaigns.is_approved(campaign)
            else None,
        },
    )


@require_POST
@login_required
def campaign_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    _require_campaign_reader(user)
    campaign = get_object_or_404(Campaign, pk=pk)
    _refusals(request, lambda: campaigns.approve(user, campaign), _("Campaign approved."))
    return redirect("safeguarding:campaign_detail", pk=pk)


@require_POST
@login_required
def campaign_reach(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    _require_campaign_reader(user)
    campaign = get_object_or_404(Campaign, pk=pk)
    form = forms.ReachForm(request.POST)

    def act() -> object:
        if not form.is_valid():
            raise ValidationError(_("Enter a whole number of people."))
        return campaigns.record_reach(user, campaign, form.cleaned_data["reach"])

    _refusals(request, act, _("Reach recorded."))
    return redirect("safeguarding:campaign_detail", pk=pk)
