"""The alert intake: batches of alerts and heartbeats from sensors.

``POST /alerts`` is the hot path (DESIGN, "where the time goes"), so it reads its body itself
instead of through ninja's body parsing: pydantic-core reads and checks a batch of well-formed
alerts in one call (``plain_batch``, the schema's types without its per-field validator in
Python); a batch with a bad item is parsed by orjson and read item by item, each well-formed one
the same way (``_fast``), the others by the pydantic schema, which gives the reason they are
refused. The answer is written with orjson, already in the documented shape. What a caller
gets wrong about the whole request is a problem-details answer: 400 (not JSON), 413 (too
large), 415 (not JSON content), 422 (not an array).

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

import datetime as dt
import json
from typing import Annotated, Any, Literal, NotRequired

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import AwareDatetime, BaseModel, ConfigDict, TypeAdapter, field_validator
from pydantic import ValidationError as PydanticError
from typing_extensions import TypedDict

from entente.control_room import services
from entente.control_room.choices import AlertKind
from entente.control_room.services.intake import NO_DETAILS, without_cycle_collection
from entente.core import access
from entente.core.api_support import PROBLEM_CONTENT_TYPE, StrictSchema, clean_text
from entente.core.api_support import problem_response as problem
from entente.core.choices import Module, Role

router = Router()

KINDS = tuple(AlertKind.values)


SensorRef = Annotated[str, Field(min_length=1, max_length=64, description="the sensor's reference")]
EventId = Annotated[
    str, Field(min_length=1, max_length=100, description="the sensor's own event id")
]
OccurredAt = Annotated[AwareDatetime, Field(description="when it happened, with its UTC offset")]
Kind = Literal[KINDS]  # type: ignore[valid-type]
Confidence = Annotated[float, Field(ge=0, le=1)]


class AlertIn(BaseModel):
    """One alert of a batch. A plain pydantic model (not a ninja Schema): it says why an item
    the fast path does not take is refused, and documents the format."""

    model_config = ConfigDict(extra="forbid")

    sensor: SensorRef
    event_id: EventId
    occurred_at: OccurredAt
    kind: Kind
    confidence: Confidence
    details: dict[str, Any] = Field(default_factory=dict)

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return clean_text(value)


class ItemResult(Schema):
    index: int
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str
    incident: int | None


class BatchResult(Schema):
    accepted: int
    duplicate: int
    rejected: int
    results: list[ItemResult]


class HeartbeatsIn(StrictSchema):
    sensors: list[str] = Field(min_length=1, max_length=1000, description="sensor references")


class HeartbeatsOut(Schema):
    known: int
    unknown: list[str]


BATCH_SCHEMA = {
    "type": "array",
    "maxItems": settings.ENTENTE_ALERT_BATCH_MAX,
    "items": AlertIn.model_json_schema(ref_template="#/components/schemas/{model}"),
}
_PROBLEM = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


# The time as nearly every sensor writes it; read by the standard library (``_item``), whose
# datetimes psycopg writes faster than pydantic's. Others go to the schema, which decides.
_TIME = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})$"
)


class _Plain(TypedDict):
    """An alert as AlertIn reads it, less its text check (``_item`` does it after, in one
    pass): read by pydantic-core without a call into Python per field, which the schema's
    validator costs. The same types as AlertIn, so the same values."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    sensor: SensorRef
    event_id: EventId
    occurred_at: Annotated[str, Field(pattern=_TIME)]
    kind: Kind
    confidence: Confidence
    details: NotRequired[dict[str, Any]]


_PLAIN = TypeAdapter(_Plain)
_PLAIN_BATCH = TypeAdapter(list[_Plain])
# AlertItem's own constructor is a Python function around tuple.__new__: called directly, a
# frame less per item.
_tuple_new = tuple.__new__
_ITEM = services.AlertItem


def _item(row: _Plain) -> services.AlertItem | None:
    """The alert of a row read as ``_Plain``, or None when its text cannot be stored (a NUL,
    or a lone surrogate, which only the standard parser lets by): the schema then says so."""
    sensor = row["sensor"]
    event = row["event_id"]
    if sensor.isascii() and event.isascii():
        if "\x00" in sensor or "\x00" in event:
            return None
    else:
        try:
            clean_text(sensor)
            clean_text(event)
        except ValueError:
            return None
    try:
        when = dt.datetime.fromisoformat(row["occurred_at"])
    except ValueError:  # a day or an hour that does not exist
        return None
    details: Any = row.get("details")
    if details:
        try:
            clean_text(details)
        except ValueError:
            return None
    else:
        details = NO_DETAILS
    return _tuple_new(
        _ITEM,
        (sensor, event, when, row["kind"], row["confidence"], details),
    )


def _fast(raw: Any) -> services.AlertItem | None:
    """The item, when it is well formed; None when the schema must look (and say why).

    It accepts nothing the schema would refuse and yields the same values (checked by
    tests/control_room/test_intake_input.py on generated items)."""
    try:
        return _item(_PLAIN.validate_python(raw))
    except PydanticError:
        return None


def plain_batch(body: bytes) -> list[services.AlertItem] | None:
    """Every alert of the batch when all are well formed, as nearly every batch is: the JSON
    read and checked in one call (pydantic-core). None when one is not, or the body is not a
    JSON array of alerts: the caller then looks at each item, or at the whole."""
    try:
        rows = _PLAIN_BATCH.validate_json(body)
    except PydanticError:
        return None
    items = []
    for row in rows:
        item = _item(row)
        if item is None:
            return None
        items.append(item)
    return items


def _reason(error: PydanticError) -> str:
    """The first thing wrong with an item, in the caller's language where we know the words."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    ctx = first.get("ctx") or {}
    messages = {
        "missing": _("a value is required"),
        "extra_forbidden": _("this field is not part of an alert"),
        "string_type": _("give a text"),
        "string_too_short": _("give a text"),
        "string_too_long": _("at most {n} characters").format(n=ctx.get("max_length", "")),
        "literal_error": _("one of {choices}").format(choices=", ".join(KINDS)),
        "float_type": _("give a number"),
        "float_parsing": _("give a number"),
        "greater_than_equal": _("between 0 and 1"),
        "less_than_equal": _("between 0 and 1"),
        "timezone_aware": _("give the time's UTC offset"),
        "dict_type": _("give an object"),
        "model_type": _("each alert is a JSON object"),
    }
    kind = str(first.get("type", ""))
    if kind.startswith("datetime"):
        message = _("give a date and time as in 2015-07-28T23:10:00Z")
    else:
        message = messages.get(kind, str(first.get("msg", "")))
    return f"{where}: {message}" if where else message


def parse_items(
    batch: list[Any],
) -> tuple[list[tuple[int, services.AlertItem]], dict[int, str]]:
    """The well-formed items (with their places in the batch) and why each other was refused."""
    valid: list[tuple[int, services.AlertItem]] = []
    rejected: dict[int, str] = {}
    for i, raw in enumerate(batch):
        item = _fast(raw)
        if item is None:
            try:
                m = AlertIn.model_validate(raw)
            except PydanticError as exc:
                rejected[i] = _reason(exc)
                continue
            item = services.AlertItem(
                m.sensor, m.event_id, m.occurred_at, m.kind, m.confidence, m.details
            )
        valid.append((i, item))
    return valid, rejected


def load_json(body: bytes) -> Any:
    """Parse JSON, raising ValueError when it is not. orjson first; the standard library for
    the rare text orjson refuses but JSON allows (lone surrogates: the items holding them are
    then refused one by one, not the whole batch)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        try:
            return json.loads(body)  # raises ValueError (JSONDecodeError, UnicodeDecodeError)
        except RecursionError:
            # Nested deeper than the parser goes (orjson stops at 1,024 levels): not alerts.
            raise ValueError("JSON nested too deeply") from None


def _json_request(request: HttpRequest) -> bool:
    media = request.content_type or ""
    return media.lower() == "application/json"


@router.post(
    "/alerts",
    response=BatchResult,
    summary="Report a batch of alerts (idempotent on sensor and event id)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BATCH_SCHEMA}},
        },
        "responses": {
            "413": {"description": "Batch too large", "content": _PROBLEM},
            "415": {"description": "Not JSON", "content": _PROBLEM},
        },
    },
)
def post_alerts(request: HttpRequest) -> HttpResponse:
    """Each item is accepted, a duplicate, or rejected with its reason; bad items never stop
    good ones, and nothing is half-written."""
    access.require_role(request.user, Module.CONTROL_ROOM, Role.EDITOR)
    limit = settings.ENTENTE_ALERT_BATCH_MAX
    if not _json_request(request):
        return problem(
            request,
            415,
            "unsupported-media-type",
            _("Unsupported media type"),
            _("Send the batch as JSON, with Content-Type: application/json."),
        )
    # The collector is held off from the parse on: the batch's objects, parsed and made,
    # die by reference counting when it is answered.
    with without_cycle_collection():
        return _batch(request, limit)


def _batch(request: HttpRequest, limit: int) -> HttpResponse:
    try:
        body = request.body
    except RequestDataTooBig:
        return problem(
            request,
            413,
            "batch-too-large",
            _("Batch too large"),
            _("The request body is larger than {size} bytes; send smaller batches.").format(
                size=settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            ),
        )
    items = plain_batch(body)
    if items is not None:
        if len(items) > limit:
            return _too_many(request, limit, len(items))
        return _answer(request, list(enumerate(items)), {}, len(items))
    try:
        batch = load_json(body)
    except ValueError:
        return problem(
            request,
            400,
            "malformed-json",
            _("Malformed JSON"),
            _("The request body is not valid JSON."),
        )
    if not isinstance(batch, list):
        raise ValidationError(_("Send a JSON array of alerts."))
    if len(batch) > limit:
        return _too_many(request, limit, len(batch))
    valid, rejected = parse_items(batch)
    return _answer(request, valid, rejected, len(batch))


def _too_many(request: HttpRequest, limit: int, count: int) -> HttpResponse:
    return problem(
        request,
        413,
        "batch-too-large",
        _("Batch too large"),
        _("At most {limit} alerts in one batch; this one has {count}.").format(
            limit=limit, count=count
        ),
    )


def _answer(
    request: HttpRequest,
    valid: list[tuple[int, services.AlertItem]],
    rejected: dict[int, str],
    size: int,
) -> HttpResponse:
    outcomes = services.ingest_alerts([item for _, item in valid], acting_user=request.user)
    results: list[dict[str, Any]] = [{}] * size
    counts = {"accepted": 0, "duplicate": 0, "rejected": len(rejected)}
    for (index, _item), outcome in zip(valid, outcomes, strict=True):
        counts[outcome.status] += 1
        results[index] = {
            "index": index,
            "status": outcome.status,
            "reason": outcome.reason,
            "incident": outcome.incident,
        }
    for index, reason in rejected.items():
        results[index] = {"index": index, "status": "rejected", "reason": reason, "incident": None}
    # Built here, already in the documented shape (BatchResult): re-validating a thousand
    # results through the response schema would cost more than the database write.
    return HttpResponse(
        orjson.dumps({**counts, "results": results}), content_type="application/json"
    )


@router.post("/heartbeats", response=HeartbeatsOut, summary="Sensors' signs of life")
def post_heartbeats(request: HttpRequest, payload: HeartbeatsIn) -> dict[str, Any]:
    """A heartbeat keeps a quiet sensor from being alarmed as silent, and ends its alarm."""
    known, unknown = services.record_heartbeats(payload.sensors, acting_user=request.user)
    return {"known": known, "unknown": unknown}
