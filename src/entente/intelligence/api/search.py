"""Intelligence API: search with facets, saved searches (watchlists) and their hits.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from entente.core.api_support import Pagination, QueryFilter, RecordId, StrictSchema
from entente.intelligence.models import Report, SavedSearch, WatchHit
from entente.intelligence.services import search as services

router = Router()


class SearchFilter(QueryFilter):
    q: str = Field(
        "", max_length=services.MAX_QUERY, description='Words, "a phrase", -excluded, OR'
    )
    grade: str = Field("", max_length=3, description="2B (3x5x2) or B2 (Admiralty)")
    agency: str = Field("", max_length=40, description="Originating agency's code")
    month: str = Field("", max_length=7, description="YYYY-MM")
    entity: str = Field("", max_length=20, description="An entity's id")
    language: str = Field("", max_length=2, description="en or fr")
    page: int = Field(1, ge=1, le=1_000_000)


class ReportHitOut(Schema):
    id: int
    reference: str
    title: str
    language: str
    originator: str
    grade: str
    created_at: datetime
    rank: float | None = None

    @staticmethod
    def resolve_originator(obj: Report) -> str:
        return obj.originator.code

    @staticmethod
    def resolve_grade(obj: Report) -> str:
        return f"{obj.source_grade}{obj.information_grade}"

    @staticmethod
    def resolve_rank(obj: Report) -> float | None:
        return getattr(obj, "rank", None)


class FacetOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    query: str
    filters: dict[str, str]
    page: int
    pages: int
    total: int = Field(..., description="Matches counted, at most 5,000 (see total_exact)")
    total_exact: bool = Field(
        ...,
        description="False when there are more matches than counted: the total and the "
        "facets then cover the 5,000 most recent",
    )
    results: list[ReportHitOut]
    facets: dict[str, list[FacetOut]]


class SavedSearchIn(StrictSchema):
    name: str = Field(..., max_length=200)
    query: str = Field("", max_length=services.MAX_QUERY)
    filters: dict[str, str] = Field(default_factory=dict)
    watch: bool = False


class SavedSearchPatch(StrictSchema):
    name: str | None = Field(None, max_length=200)
    query: str | None = Field(None, max_length=services.MAX_QUERY)
    filters: dict[str, str] | None = None
    watch: bool | None = None


class SavedSearchOut(Schema):
    id: int
    name: str
    query: str
    filters: dict[str, Any]
    watch: bool
    created_at: datetime


class WatchHitOut(Schema):
    id: int
    search_id: int
    search_name: str
    report: ReportHitOut
    created_at: datetime
    seen_at: datetime | None

    @staticmethod
    def resolve_search_name(obj: WatchHit) -> str:
        return obj.search.name


class MarkSeenIn(StrictSchema):
    search_id: RecordId | None = None
    hit_ids: list[RecordId] | None = Field(None, max_length=1000)


class MarkedOut(Schema):
    marked: int


@router.get(
    "/intelligence/search",
    response=SearchOut,
    summary="Search the reports you may see (ranked, 20 a page) with facets",
)
def search_reports(request: HttpRequest, filters: Query[SearchFilter]) -> dict[str, Any]:
    data = filters.model_dump()
    query, page = data.pop("q"), data.pop("page")
    result = services.search_reports(request.user, query, data, page)
    return {
        "query": result.query,
        "filters": result.filters,
        "page": result.page,
        "pages": result.pages,
        "total": result.total,
        "total_exact": result.total_exact,
        "results": result.reports,
        "facets": {
            name: [{"value": f.value, "label": f.label, "count": f.count} for f in items]
            for name, items in result.facets.items()
        },
    }


@router.get(
    "/intelligence/saved-searches",
    response=list[SavedSearchOut],
    summary="Your saved searches and watchlists",
)
@paginate(Pagination)
def list_saved_searches(request: HttpRequest) -> QuerySet[SavedSearch]:
    return services.saved_searches(request.user)


@router.post(
    "/intelligence/saved-searches",
    response={201: SavedSearchOut},
    summary="Save a search (as a watchlist with watch=true)",
)
def create_saved_search(request: HttpRequest, payload: SavedSearchIn) -> Status[SavedSearch]:
    saved = services.save_search(acting_user=request.user, **payload.model_dump())
    return Status(201, saved)


@router.get(
    "/intelligence/saved-searches/{search_id}",
    response=SavedSearchOut,
    summary="One of your saved searches",
)
def get_saved_search(request: HttpRequest, search_id: int) -> SavedSearch:
    return services.get_own_search_or_404(request.user, search_id)


@router.patch(
    "/intelligence/saved-searches/{search_id}",
    response=SavedSearchOut,
    summary="Change one of your saved searches",
)
def update_saved_search(
    request: HttpRequest, search_id: int, payload: SavedSearchPatch
) -> SavedSearch:
    saved = services.get_own_search_or_404(request.user, search_id)
    return services.update_saved_search(
        saved, acting_user=request.user, **payload.model_dump(exclude_none=True)
    )


@router.delete(
    "/intelligence/saved-searches/{search_id}",
    response={204: None},
    summary="Delete one of your saved searches",
)
def delete_saved_search(request: HttpRequest, search_id: int) -> Status[None]:
    saved = services.get_own_search_or_404(request.user, search_id)
    services.delete_saved_search(saved, acting_user=request.user)
    return Status(204, None)


class HitFilter(QueryFilter):
    unseen: bool = False


@router.get(
    "/intelligence/watch-hits",
    response=list[WatchHitOut],
    summary="Reports your watchlists matched (only those you may still see)",
)
@paginate(Pagination)
def list_watch_hits(request: HttpRequest, filters: Query[HitFilter]) -> QuerySet[WatchHit]:
    hits = services.watch_hits(request.user)
    return hits.filter(seen_at__isnull=True) if filters.unseen else hits


@router.post(
    "/intelligence/watch-hits/seen",
    response=MarkedOut,
    summary="Mark your watchlist hits as seen (all, one watchlist's, or the listed ones)",
)
def mark_hits_seen(request: HttpRequest, payload: MarkSeenIn) -> dict[str, int]:
    saved = (
        services.get_own_search_or_404(request.user, payload.search_id)
        if payload.search_id is not None
        else None
    )
    marked = services.mark_seen(acting_user=request.user, search=saved, hit_ids=payload.hit_ids)
    return {"marked": marked}
