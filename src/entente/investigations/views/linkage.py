"""Investigations pages: linkage (the review queue of candidate pairs, one pair side by side
with its decision form and history, the export of pairs, the runs with their progress)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.core.access import has_role, require_role
from entente.core.choices import Module, Role
from entente.core.forms import apply_validation_error
from entente.core.htmx import template_for
from entente.core.models import User
from entente.intelligence.choices import EntityKind
from entente.investigations.choices import MatchState, RunState
from entente.investigations.linkage import run as runs
from entente.investigations.models import ResolutionRun
from entente.investigations.services import linkage

QUEUE_PAGE = 50
DECISIONS = [
    (MatchState.SAME, MatchState.SAME.label),
    (MatchState.NOT_SAME, MatchState.NOT_SAME.label),
    (MatchState.UNSURE, MatchState.UNSURE.label),
]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class DecisionForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=DECISIONS, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        max_length=linkage.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept with the decision, with your name and the time."),
    )


class RunForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Records"),
        choices=[
            (EntityKind.PERSON, EntityKind.PERSON.label),
            (EntityKind.VEHICLE, EntityKind.VEHICLE.label),
        ],
    )
    threshold = forms.FloatField(
        label=gettext_lazy("Threshold (match probability)"),
        min_value=0.01,
        max_value=0.999,
        initial=runs.DEFAULT_THRESHOLD,
    )


@login_required
def match_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state") or MatchState.PENDING
    if state not in MatchState.values:
        state = MatchState.PENDING
    qs = linkage.candidates(user, state=state)
    pairs = list(qs[:QUEUE_PAGE])
    return render(
        request,
        "investigations/match_queue.html",
        {
            "pairs": pairs,
            "state": state,
            "states": MatchState.choices,
            "more": max(0, qs.count() - len(pairs)) if len(pairs) == QUEUE_PAGE else 0,
        },
    )


@login_required
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The pair side by side, why it was proposed, the decisions so far and the form."""
    user = _user(request)
    candidate = linkage.read_candidate(user, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        require_role(user, Module.INVESTIGATIONS, Role.EDITOR)
        if form.is_valid():
            try:
                linkage.decide(
                    pk,
                    acting_user=user,
                    state=form.cleaned_data["state"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("investigations:match_detail", pk=pk)
    return render(
        request,
        "investigations/match_detail.html",
        {
            "pair": candidate,
            "records": [candidate.left, candidate.right],
            "comparison": list(linkage.describe(candidate)),
            "history": list(linkage.history(candidate)),
            "form": form,
            "may_decide": has_role(user, Module.INVESTIGATIONS, Role.EDITOR),
            "may_confirm": has_role(user, Module.INVESTIGATIONS, Role.APPROVER),
        },
    )


@login_required
def match_export(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state") or None
    try:
        text, _count = linkage.export_csv(_user(request), state=state)
    except ValidationError:
        text, _count = linkage.export_csv(_user(request), state=None)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="matches.csv"'
    return response


def _run_context(user: User, run: ResolutionRun) -> dict[str, object]:
    return {
        "run": run,
        "percent": runs.percent(run),
        "running": run.state in (RunState.PENDING, RunState.RUNNING),
        "resumable": run.state in (RunState.PAUSED, RunState.FAILED),
        "may_start": has_role(user, Module.INVESTIGATIONS, Role.APPROVER),
        "metrics": run.metrics,
    }


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_role(user, Module.INVESTIGATIONS)
    form = RunForm(request.POST or None)
    if request.method == "POST":
        require_role(user, Module.INVESTIGATIONS, Role.APPROVER)
        if form.is_valid():
            try:
                run = linkage.start_run(
                    acting_user=user,
                    kind=form.cleaned_data["kind"],
                    threshold=form.cleaned_data["threshold"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return redirect("investigations:run_detail", pk=run.pk)
    return render(
        request,
        "investigations/run_list.html",
        {
            "runs": linkage.latest_runs(user),
            "form": form,
            "may_start": has_role(user, Module.INVESTIGATIONS, Role.APPROVER),
        },
    )


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's progress and estimates; approvers resume a stopped run here."""
    user = _user(request)
    run = linkage.get_run(user, pk)
    if request.method == "POST":
        try:
            run = linkage.start_run(acting_user=user, kind=run.kind, resume=run.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("investigations:run_detail", pk=pk)
    return render(request, "investigations/run_detail.html", _run_context(user, run))


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the run stands: the fragment for the page's HTMX poll, the page otherwise."""
    user = _user(request)
    run = linkage.get_run(user, pk)
    template = template_for(
        request, "investigations/run_detail.html", "investigations/run_progress.html"
    )
    return render(request, template, _run_context(user, run))
