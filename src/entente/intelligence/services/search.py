"""Intelligence services: search and watchlists. Every function takes the acting user, runs
in one transaction and audits what it writes (and every read of personal data).

A search runs over ``Report.objects.visible_to(user)`` itself (the access policy's own query,
not a copy of its rules), so results, counts and facets can only ever hold what the person may
see. The full-text part (PostgreSQL tsvector, SQLite FTS5 with Python stemming) lives in
``entente.intelligence.fulltext``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import AuditAction, Language, Module
from entente.core.models import Agency
from entente.intelligence import fulltext
from entente.intelligence.choices import GradingScheme
from entente.intelligence.models import Entity, Report, ReportEntity, SavedSearch, WatchHit

PAGE_SIZE = 20
MAX_QUERY = 500
FACET_SIZE = 10
# Counts and facets cover at most this many of the newest visible matches.
FACET_WINDOW = 5000
FILTER_KEYS = ("grade", "agency", "month", "entity", "language")
_GRADE = re.compile(r"^(?:(?P<uk_s>[1-3])(?P<uk_i>[A-E])|(?P<adm_s>[A-F])(?P<adm_i>[1-6]))$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# Input -----------------------------------------------------------------------------------------


def clean_query(query: Any) -> str:
    """The query text, or a ValidationError saying what is wrong with it. A query with no
    word to look for (only punctuation, or only excluded words) is refused, not run."""
    text = "" if query is None else str(query)
    if "\x00" in text:
        raise ValidationError({"query": _("The search contains a character that is not text.")})
    text = " ".join(text.split())
    if len(text) > MAX_QUERY:
        raise ValidationError(
            {"query": _("Keep the search under {n} characters.").format(n=MAX_QUERY)}
        )
    if text and fulltext.parse(text).empty:
        raise ValidationError(
            {
                "query": _(
                    "Enter at least one word to look for (a word, or words in quotes); "
                    "a word after a minus sign is only excluded."
                )
            }
        )
    return text


def clean_filters(filters: Any) -> dict[str, str]:
    """The known filters with a value, normalised; a ValidationError names a bad one."""
    if not filters:
        return {}
    if not isinstance(filters, dict):
        raise ValidationError({"filters": _("Filters must be given as names and values.")})
    out: dict[str, str] = {}
    for key in FILTER_KEYS:
        value = filters.get(key)
        if value is None or str(value).strip() == "":
            continue
        text = str(value).strip()
        if "\x00" in text or len(text) > 40:
            raise ValidationError({key: _("This filter's value is not valid.")})
        if key == "grade":
            text = text.upper()
            if not _GRADE.match(text):
                raise ValidationError(
                    {
                        key: _(
                            "{grade} is not a grade (e.g. 2B for the 3x5x2, B2 for the "
                            "Admiralty code)."
                        ).format(grade=text)
                    }
                )
        elif key == "month":
            m = _MONTH.match(text)
            if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
                raise ValidationError({key: _("Give the month as YYYY-MM, e.g. 2015-08.")})
        elif key == "entity":
            if not text.isdigit() or int(text) > 2**62:
                raise ValidationError({key: _("Choose an entity from the list.")})
        elif key == "language":
            if text not in Language.values:
                raise ValidationError({key: _("Choose English or French.")})
        elif key == "agency":
            text = text.upper()
        out[key] = text
    return out


def _apply_filters(qs: QuerySet[Report], filters: dict[str, str]) -> QuerySet[Report]:
    if "grade" in filters:
        m = _GRADE.match(filters["grade"])
        assert m is not None
        if m.group("uk_s"):
            qs = qs.filter(
                grading_scheme=GradingScheme.UK_3X5X2,
                source_grade=m.group("uk_s"),
                information_grade=m.group("uk_i"),
            )
        else:
            qs = qs.filter(
                grading_scheme=GradingScheme.ADMIRALTY,
                source_grade=m.group("adm_s"),
                information_grade=m.group("adm_i"),
            )
    if "agency" in filters:
        qs = qs.filter(originator__code=filters["agency"])
    if "month" in filters:
        year, month = (int(x) for x in filters["month"].split("-"))
        start = timezone.make_aware(dt.datetime(year, month, 1))
        end = timezone.make_aware(dt.datetime(year + month // 12, month % 12 + 1, 1))
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
    if "entity" in filters:
        qs = qs.filter(entity_links__entity_id=int(filters["entity"]))
    if "language" in filters:
        qs = qs.filter(language=filters["language"])
    return qs


def matching(
    user: Any, query: str, filters: dict[str, str], *, walk: bool = False
) -> QuerySet[Report]:
    """Every report the user may see that matches the query and the filters (cleaned)."""
    qs = _apply_filters(Report.objects.visible_to(user), filters)
    return fulltext.match(qs, query, walk=walk) if query else qs


# Search ----------------------------------------------------------------------------------------


@dataclass
class Facet:
    value: str
    label: str
    count: int


@dataclass
class SearchResult:
    query: str
    filters: dict[str, str]
    page: int
    pages: int
    total: int
    reports: list[Report]
    total_exact: bool = True
    facets: dict[str, list[Facet]] = field(default_factory=dict)
    ranked: bool = False


def ranked_page(user: Any, query: str, filters: dict[str, str], page: int = 1) -> list[Report]:
    """One page of the ranked results: the newest ``fulltext.CANDIDATES`` visible matches,
    ranked, and the page's slice of them. Without a query, the newest first."""
    offset = (page - 1) * PAGE_SIZE
    with transaction.atomic():
        fulltext.no_jit()
        if not query:
            rows = matching(user, query, filters).order_by("-created_at", "-pk")
            return list(rows.select_related("originator")[offset : offset + PAGE_SIZE])
        # Three short steps: the leading candidates, their ranks, the page's reports. (Given
        # "id IN (subquery)", PostgreSQL may rank every report before joining: the very cost
        # this avoids.)
        walk = fulltext.steer(query)
        leading = list(
            matching(user, query, filters, walk=walk)
            .order_by("-created_at", "-pk")
            .values_list("pk", "created_at")[: fulltext.CANDIDATES]
        )
        rank = fulltext.ranks([pk for pk, _ in leading], query)
        leading.sort(key=lambda row: (-rank.get(row[0], 0.0), -row[1].timestamp(), -row[0]))
        wanted = [pk for pk, _ in leading[offset : offset + PAGE_SIZE]]
        found = Report.objects.select_related("originator").in_bulk(wanted)
    reports = []
    for pk in wanted:
        report = found[pk]
        report.rank = rank.get(pk, 0.0)
        reports.append(report)
    return reports


def _month_label(month: dt.datetime | dt.date) -> str:
    from django.utils.formats import date_format

    return date_format(month, "YEAR_MONTH_FORMAT")


def _window(
    user: Any, matches: QuerySet[Report], query: str, filters: dict[str, str]
) -> list[tuple[Any, ...]]:
    """The newest ``FACET_WINDOW`` visible matches, as the few columns the facets count."""
    with transaction.atomic():
        fulltext.no_jit()
        if query:
            walk = fulltext.steer(query, FACET_WINDOW)
            matches = fulltext.match(
                _apply_filters(Report.objects.visible_to(user), filters), query, walk=walk
            )
        return list(
            matches.order_by("-created_at", "-pk").values_list(
                "pk", "source_grade", "information_grade", "originator_id", "created_at"
            )[:FACET_WINDOW]
        )


def facets(user: Any, window: list[tuple[Any, ...]]) -> dict[str, list[Facet]]:
    """Counts by grade, originating agency, month and subject entity over the window of
    visible matches (entities: only those the user may see themselves)."""
    grades = Counter(f"{row[1]}{row[2]}" for row in window)
    agencies = Counter(row[3] for row in window)
    months: Counter[dt.date] = Counter(
        timezone.localtime(row[4]).date().replace(day=1) for row in window
    )
    names = {a.pk: a for a in Agency.objects.filter(pk__in=agencies)}
    entities = (
        ReportEntity.objects.filter(
            report_id__in=[row[0] for row in window],
            entity__in=Entity.objects.visible_to(user).values("pk"),
        )
        .values("entity_id", "entity__name")
        .annotate(n=Count("report_id", distinct=True))
        .order_by("-n", "entity__name")[:FACET_SIZE]
    )
    return {
        "grade": [
            Facet(grade, grade, n)
            for grade, n in sorted(grades.items(), key=lambda g: (-g[1], g[0]))[:FACET_SIZE]
        ],
        "agency": [
            Facet(names[pk].code, names[pk].name, n)
            for pk, n in sorted(agencies.items(), key=lambda a: (-a[1], names[a[0]].code))[
                :FACET_SIZE
            ]
        ],
        "month": [
            Facet(month.strftime("%Y-%m"), _month_label(month), n)
            for month, n in sorted(months.items(), reverse=True)[:24]
        ],
        "entity": [Facet(str(e["entity_id"]), e["entity__name"], e["n"]) for e in entities],
    }


def _clean_page(page: Any, ranked: bool) -> int:
    try:
        number = 1 if page is None or page == "" else int(page)
    except (TypeError, ValueError):
        raise ValidationError({"page": _("The page must be a number.")}) from None
    last = fulltext.CANDIDATES // PAGE_SIZE if ranked else 1_000_000
    if not 1 <= number <= last:
        raise ValidationError({"page": _("Choose a page between 1 and {last}.").format(last=last)})
    return number


@transaction.atomic
def search_reports(
    user: Any, query: Any, filters: Any = None, page: Any = 1, *, with_facets: bool = True
) -> SearchResult:
    """Search the reports the user may see: ranked top 20 (a page), the number of matches and
    the facets, all over visible reports only. The search is audited with its query."""
    access.require_role(user, Module.INTELLIGENCE)
    text = clean_query(query)
    cleaned = clean_filters(filters)
    number = _clean_page(page, bool(text))
    matches = matching(user, text, cleaned)
    # Counts and facets over the newest FACET_WINDOW visible matches: exact below it, and
    # past it a count would read every match (seconds for a common word in a million reports).
    window = _window(user, matches, text, cleaned)
    total = len(window)
    shown = min(total, fulltext.CANDIDATES) if text else total
    reports = ranked_page(user, text, cleaned, number) if total else []
    result = SearchResult(
        query=text,
        filters=cleaned,
        page=number,
        pages=max(1, -(-shown // PAGE_SIZE)),
        total=total,
        total_exact=total < FACET_WINDOW,
        reports=reports,
        facets=facets(user, window) if with_facets and total else {},
        ranked=bool(text),
    )
    audit.record(
        user,
        AuditAction.SEARCH,
        object_type="intelligence.report",
        changes={"query": text, "filters": cleaned, "page": number, "results": total},
    )
    return result


# Saved searches and watchlists -----------------------------------------------------------------


def saved_searches(user: Any) -> QuerySet[SavedSearch]:
    """The user's own saved searches, with their unseen hits counted (hits on reports the
    user may no longer see are not counted)."""
    access.require_role(user, Module.INTELLIGENCE)
    visible = Report.objects.visible_to(user).values("pk")
    return (
        SavedSearch.objects.filter(owner=user)
        .annotate(
            unseen=Count(
                "hits",
                filter=Q(hits__seen_at__isnull=True, hits__report__in=visible),
            )
        )
        .order_by("name", "pk")
    )


def get_own_search_or_404(user: Any, pk: Any) -> SavedSearch:
    """One of the user's own saved searches; anyone else's is absent (404)."""
    access.require_role(user, Module.INTELLIGENCE)
    try:
        return SavedSearch.objects.get(owner=user, pk=int(pk))
    except (SavedSearch.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such saved search.")) from None


def _clean_name(name: Any) -> str:
    text = " ".join(str(name or "").split())
    if not text:
        raise ValidationError({"name": _("Give the saved search a name.")})
    if len(text) > 200 or "\x00" in text:
        raise ValidationError({"name": _("Keep the name under 200 characters.")})
    return text


@transaction.atomic
def save_search(
    *, acting_user: Any, name: Any, query: Any, filters: Any = None, watch: bool = False
) -> SavedSearch:
    """Save a search; as a watchlist (``watch``) it notifies its owner of new matches."""
    access.require_role(acting_user, Module.INTELLIGENCE)
    clean_name = _clean_name(name)
    text = clean_query(query)
    cleaned = clean_filters(filters)
    if not text and not cleaned:
        raise ValidationError(
            {"query": _("A saved search needs words to look for or at least one filter.")}
        )
    saved = SavedSearch.objects.create(
        owner=acting_user, name=clean_name, query=text, filters=cleaned, watch=bool(watch)
    )
    audit.record_create(acting_user, saved)
    return saved


@transaction.atomic
def update_saved_search(
    saved: SavedSearch,
    *,
    acting_user: Any,
    name: Any = None,
    query: Any = None,
    filters: Any = None,
    watch: bool | None = None,
) -> SavedSearch:
    if saved.owner_id != acting_user.pk:
        raise PermissionDenied(_("Only its owner may change a saved search."))
    before = audit.snapshot(saved)
    if name is not None:
        saved.name = _clean_name(name)
    if query is not None:
        saved.query = clean_query(query)
    if filters is not None:
        saved.filters = clean_filters(filters)
    if not saved.query and not saved.filters:
        raise ValidationError(
            {"query": _("A saved search needs words to look for or at least one filter.")}
        )
    if watch is not None:
        saved.watch = bool(watch)
    saved.save()
    audit.record_update(acting_user, saved, before)
    return saved


@transaction.atomic
def delete_saved_search(saved: SavedSearch, *, acting_user: Any) -> None:
    if saved.owner_id != acting_user.pk:
        raise PermissionDenied(_("Only its owner may delete a saved search."))
    audit.record_delete(acting_user, saved)
    saved.delete()


def watch_hits(user: Any, *, search: SavedSearch | None = None) -> QuerySet[WatchHit]:
    """The user's watchlist hits on reports the user may (still) see, newest first."""
    access.require_role(user, Module.INTELLIGENCE)
    qs = WatchHit.objects.filter(
        search__owner=user, report__in=Report.objects.visible_to(user).values("pk")
    )
    if search is not None:
        qs = qs.filter(search=search)
    return qs.select_related("search", "report", "report__originator").order_by(
        "-created_at", "-pk"
    )


def unseen_count(user: Any) -> int:
    if not access.has_role(user, Module.INTELLIGENCE):
        return 0
    return watch_hits(user).filter(seen_at__isnull=True).count()


@transaction.atomic
def mark_seen(
    *, acting_user: Any, search: SavedSearch | None = None, hit_ids: list[int] | None = None
) -> int:
    """Mark the owner's unseen hits as seen (all, one watchlist's, or the listed ones)."""
    if search is not None and search.owner_id != acting_user.pk:
        raise PermissionDenied(_("Only its owner may mark a watchlist's matches."))
    qs = watch_hits(acting_user, search=search).filter(seen_at__isnull=True)
    if hit_ids is not None:
        qs = qs.filter(pk__in=hit_ids)
    ids = list(qs.values_list("pk", flat=True))
    if ids:
        WatchHit.objects.filter(pk__in=ids).update(seen_at=timezone.now())
        audit.record(
            acting_user,
            AuditAction.UPDATE,
            search,
            object_type="intelligence.watchhit",
            changes={"seen": ids},
        )
    return len(ids)


def _notify_watchers(report: Report) -> list[WatchHit]:
    """A hit for every watchlist whose owner may see the report and whose search it matches
    (the owner's own visibility: a UK analyst is never told of a France-only report)."""
    hits = []
    already = set(WatchHit.objects.filter(report=report).values_list("search_id", flat=True))
    # Only owners of a country the report is releasable to and cleared to its level can see
    # it: the others are left out here, before a query each (the query decides for the rest).
    watchlists = (
        SavedSearch.objects.filter(
            watch=True,
            owner__is_active=True,
            owner__clearance__gte=report.classification,
            owner__agency__country__code__in=list(report.releasability),
        )
        .exclude(pk__in=already)
        .select_related("owner__agency__country")
    )
    for saved in watchlists:
        owner = saved.owner
        if not access.has_role(owner, Module.INTELLIGENCE):
            continue
        try:
            filters = clean_filters(saved.filters)
        except ValidationError:
            continue
        qs = matching(owner, saved.query, filters).filter(pk=report.pk)
        if qs.exists():
            hit = WatchHit.objects.create(search=saved, report=report)
            audit.record_create(None, hit, purpose="watchlist")
            hits.append(hit)
    return hits


def report_saved(report: Report) -> None:
    """Called by every service that creates a report, changes its text or widens who may see
    it (a release), inside its transaction: keeps the search index and the watchlists up to
    date. On PostgreSQL the index is a generated column (nothing to write); on SQLite the FTS
    row is rewritten. Then each watchlist whose owner may now see the report and whose search
    it matches gets a hit (once per watchlist and report)."""
    fulltext.index_reports([report])
    _notify_watchers(report)


def reindex(batch: int = 2000, progress: Any = None) -> int:
    """Rebuild the full-text index of every report (``entente reindex_reports``); calls
    ``progress(done, total)`` after each batch. Returns the number of reports."""
    total = Report.objects.count()
    done = 0
    if fulltext.is_postgresql():
        # The document is a generated column: touching a row recomputes it (after a change of
        # text-search dictionaries, say), in batches of ids so no transaction grows large.
        from django.db import connection

        last = 0
        while True:
            ids = list(
                Report.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE intelligence_report SET language = language WHERE id = ANY(%s)",
                    [ids],
                )
            done += len(ids)
            last = ids[-1]
            if progress:
                progress(done, total)
        return done
    with transaction.atomic():
        fulltext.clear_index()
    last = 0
    while True:
        reports = list(Report.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not reports:
            break
        with transaction.atomic():
            fulltext.index_reports(reports)
        done += len(reports)
        last = reports[-1].pk
        if progress:
            progress(done, total)
    return done
