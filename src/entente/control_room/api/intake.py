"""The alert intake: batches of alerts and heartbeats from sensors.

No ``from __future__ import annotations`` here (django-ninja reads the annotations).
"""

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from ninja import Body, Field, Router, Schema
from pydantic import BaseModel, ConfigDict, TypeAdapter, field_validator
from pydantic import ValidationError as PydanticError

from entente.control_room import services
from entente.control_room.choices import AlertKind
from entente.core import access
from entente.core.api_support import StrictSchema, clean_text
from entente.core.choices import Module

router = Router()

KINDS = tuple(AlertKind.values)


class AlertIn(BaseModel):
    """One alert of a batch. A plain pydantic model (not a ninja Schema): it validates
    each item of a batch on the hot path, about ten times faster."""

    model_config = ConfigDict(extra="forbid")

    sensor: str = Field(min_length=1, max_length=64, description="the sensor's reference")
    event_id: str = Field(min_length=1, max_length=100, description="the sensor's own event id")
    occurred_at: datetime = Field(description="when it happened, with its UTC offset")
    kind: Literal[KINDS]  # type: ignore[valid-type]
    confidence: float = Field(ge=0, le=1)
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


_BATCH = TypeAdapter(list[AlertIn])


def _item(model: AlertIn) -> services.AlertItem:
    return services.AlertItem(
        model.sensor, model.event_id, model.occurred_at, model.kind, model.confidence, model.details
    )


def _validate(batch: list[Any]) -> tuple[list[tuple[int, services.AlertItem]], dict[int, str]]:
    """The well-formed items (with their places) and the reason each other one was refused.

    The whole batch is validated in one call (the common case: every item good); only when
    some item is bad are the items validated one by one to tell which and why.
    """
    try:
        return [(i, _item(m)) for i, m in enumerate(_BATCH.validate_python(batch))], {}
    except PydanticError:
        pass
    valid: list[tuple[int, services.AlertItem]] = []
    rejected: dict[int, str] = {}
    for i, raw in enumerate(batch):
        try:
            valid.append((i, _item(AlertIn.model_validate(raw))))
        except PydanticError as exc:
            rejected[i] = _reason(exc)
    return valid, rejected


def _reason(error: PydanticError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", ""))


@router.post(
    "/alerts",
    response=BatchResult,
    summary="Report a batch of alerts (idempotent on sensor and event id)",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": BATCH_SCHEMA}}}
    },
)
def post_alerts(request: HttpRequest, batch: Body[list[Any]]) -> JsonResponse:
    """Each item is accepted, a duplicate, or rejected with its reason; bad items never stop
    good ones, and nothing is half-written."""
    if len(batch) > settings.ENTENTE_ALERT_BATCH_MAX:
        from django.core.exceptions import ValidationError

        raise ValidationError(
            {"batch": f"at most {settings.ENTENTE_ALERT_BATCH_MAX} alerts in one batch"}
        )
    access.require_role(request.user, Module.CONTROL_ROOM)
    valid, rejected = _validate(batch)
    outcomes = services.ingest_alerts([item for _, item in valid], acting_user=request.user)
    results: list[dict[str, Any]] = [{}] * len(batch)
    for (index, _item), outcome in zip(valid, outcomes, strict=True):
        results[index] = {
            "index": index,
            "status": outcome.status,
            "reason": outcome.reason,
            "incident": outcome.incident,
        }
    for index, reason in rejected.items():
        results[index] = {"index": index, "status": "rejected", "reason": reason, "incident": None}
    body = {
        "accepted": sum(1 for r in results if r["status"] == "accepted"),
        "duplicate": sum(1 for r in results if r["status"] == "duplicate"),
        "rejected": sum(1 for r in results if r["status"] == "rejected"),
        "results": results,
    }
    # Built here, already in the documented shape (BatchResult): re-validating a thousand
    # results through the response schema would cost more than the database write.
    return JsonResponse(body)


@router.post("/heartbeats", response=HeartbeatsOut, summary="Sensors' signs of life")
def post_heartbeats(request: HttpRequest, payload: HeartbeatsIn) -> dict[str, Any]:
    """A heartbeat keeps a quiet sensor from being alarmed as silent, and ends its alarm."""
    known, unknown = services.record_heartbeats(payload.sensors, acting_user=request.user)
    return {"known": known, "unknown": unknown}
