"""What every API router shares: authentication, RFC 9457 problem details, the API class.

Errors are ``application/problem+json`` bodies with a 4xx status that says what is wrong,
translated into the caller's language (Accept-Language, or the user's profile). The OpenAPI
schema documents them on every operation, so a client (or schemathesis) knows what to expect.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer, SessionAuth
from pydantic import ConfigDict, field_validator

# The id of a stored record in a request body: a BIGINT, or the database refuses it (a server
# error instead of the caller's 422).
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Problem(Schema):
    """An RFC 9457 problem: what went wrong, for people (title, detail) and programs (type)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, Any]] = []


def problem_response(
    request: HttpRequest,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body = {
        "type": f"urn:entente:problem:{slug}",
        "title": str(title),
        "status": status,
        "detail": str(detail),
        "instance": request.path,
        "errors": errors or [],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="entente"'
    return response


# How long a client waits before trying again when the database is out of reach.
RETRY_AFTER_SECONDS = 5


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 of a request the database could not serve (restarting, unreachable, full): a
    problem the caller retries after Retry-After, as sensors do, never a half-done write (the
    transaction was rolled back)."""
    response = problem_response(
        request,
        503,
        "service-unavailable",
        _("Service unavailable"),
        _("The database cannot be reached or is full just now; nothing was recorded. Try again."),
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _unavailable_errors() -> tuple[type[Exception], ...]:
    """The errors of a database out of reach: Django's, and the drivers' own, which code that
    talks to the driver directly (the intake's COPY) raises unwrapped."""
    found: tuple[type[Exception], ...] = (
        OperationalError,
        InterfaceError,
        sqlite3.OperationalError,
        sqlite3.InterfaceError,
    )
    try:
        import psycopg
    except ImportError:  # pragma: no cover - installed with the project
        return found
    return (*found, psycopg.OperationalError, psycopg.InterfaceError)


UNAVAILABLE_ERRORS = _unavailable_errors()


# SQLite gives one class, OperationalError, to a busy or full database and to a broken query
# ("no such table", a syntax error): only these say "try again later".
SQLITE_UNAVAILABLE = (
    "database is locked",
    "database or disk is full",
    "disk i/o error",
    "unable to open database",
)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether an error says the database is out of reach for now (a connection lost or
    refused, a server shutting down, a disk full): errors worth retrying."""
    if not isinstance(exc, UNAVAILABLE_ERRORS):
        return False
    sqlite = exc if isinstance(exc, sqlite3.Error) else exc.__cause__
    if isinstance(sqlite, sqlite3.Error):
        message = str(sqlite).lower()
        return any(text in message for text in SQLITE_UNAVAILABLE)
    return True


def clean_text(value: Any) -> Any:
    """Refuse text no database can store: NUL characters and lone UTF-16 surrogates."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            clean_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            clean_text(key)
            clean_text(item)
    return value


class StrictSchema(Schema):
    """Base of every input schema: unknown fields are refused, and so is text that cannot be
    stored (a 422 naming the field, not a database error)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return clean_text(value)


class QueryFilter(Schema):
    """Base of every query-string filter: text no database can store (a NUL character, a lone
    surrogate) is a 422 naming the parameter, not a database error."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return clean_text(value)


class Pagination(LimitOffsetPagination):
    """Limit and offset, both bounded: a page of at most ENTENTE_API_MAX_PAGE rows, and an
    offset a database can take (an absurd one is a 422, not a server error)."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=settings.ENTENTE_API_MAX_PAGE)
        offset: int = Field(0, ge=0, le=1_000_000_000)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=settings.ENTENTE_API_MAX_PAGE, **kwargs)


def rendered(data: Any, status: int = 200) -> HttpResponse:
    """A body rendered as the API renders a handler's result (NinjaJSONEncoder), for handlers
    whose rows already have their schema's shape and need not be validated one by one."""
    return HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def encode_cursor(at: datetime, pk: int) -> str:
    """The ``next`` cursor of a keyset page: the key (a time, an id) of its last row, opaque
    to clients (URL-safe base64 of the time in microseconds since the epoch and the id)."""
    micros = (at - _EPOCH) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(f"{micros}.{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The key a cursor of ``encode_cursor`` holds; ValueError when it is not one."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        micros, pk = (int(part) for part in text.split("."))
        at = _EPOCH + timedelta(microseconds=micros)
    except (ValueError, TypeError, OverflowError, binascii.Error):
        raise ValueError(cursor) from None
    if not 0 <= pk < 2**63:  # a BIGINT, or the database refuses it (a server error)
        raise ValueError(cursor)
    return at, pk


def bad_cursor() -> ValidationError:
    """The 422 of a ``cursor`` query parameter that no page gave."""
    return ValidationError(
        [
            {
                "loc": ("query", "cursor"),
                "msg": _("This cursor is not valid: use the “next” value of a previous page."),
                "type": "value_error",
            }
        ]
    )


class BearerToken(HttpBearer):
    """Hashed bearer tokens of machine clients (``entente create_token USERNAME``)."""

    openapi_description = "An Entente API token: Authorization: Bearer ent_..."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from entente.core.services import user_for_token

        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class VerifiedSession(SessionAuth):
    """The browser's session; outside demo mode it counts only after the second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if settings.ENTENTE_REQUIRE_2FA and not user.is_verified():
            return None
        return user


def _validation_errors(errors: Any) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", [])]
        out.append(
            {"location": loc, "message": str(err.get("msg", "")), "code": err.get("type", "")}
        )
    return out


def _django_validation_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {"location": ["body", field], "message": str(message), "code": "invalid"}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"location": ["body"], "message": str(m), "code": "invalid"} for m in exc.messages]


class EntenteAPI(NinjaAPI):
    """NinjaAPI with problem details for every error and those errors in the schema."""

    ERROR_STATUSES = {
        400: gettext_noop("Bad request"),
        401: gettext_noop("Not authenticated"),
        403: gettext_noop("Not allowed"),
        404: gettext_noop("Not found"),
        422: gettext_noop("Invalid input"),
        503: gettext_noop("Service unavailable"),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_exception_handler(ValidationError, self._on_validation)
        self.add_exception_handler(DjangoValidationError, self._on_django_validation)
        self.add_exception_handler(AuthenticationError, self._on_unauthenticated)
        self.add_exception_handler(PermissionDenied, self._on_forbidden)
        self.add_exception_handler(Http404, self._on_not_found)
        self.add_exception_handler(HttpError, self._on_http_error)
        self.add_exception_handler(SuspiciousOperation, self._on_suspicious)
        for error in UNAVAILABLE_ERRORS:
            self.add_exception_handler(error, self._on_unavailable)
        self.add_exception_handler(Exception, self._on_error)

    def _on_validation(self, request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(
            request,
            422,
            "invalid-input",
            _("Invalid input"),
            _("Some values are missing or not valid; see errors."),
            _validation_errors(exc.errors),
        )

    def _on_django_validation(self, request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(
            request,
            422,
            "invalid-input",
            _("Invalid input"),
            _("Some values are not valid; see errors."),
            _django_validation_errors(exc),
        )

    def _on_unauthenticated(self, request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(
            request,
            401,
            "not-authenticated",
            _("Not authenticated"),
            _("Send a valid API token (Authorization: Bearer ...) or log in."),
        )

    def _on_forbidden(self, request: HttpRequest, exc: Any) -> HttpResponse:
        detail = str(exc) or _("You are not allowed to do this.")
        return problem_response(request, 403, "forbidden", _("Not allowed"), detail)

    def _on_not_found(self, request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(
            request,
            404,
            "not-found",
            _("Not found"),
            _("There is no such record, or you may not see it."),
        )

    def _on_http_error(self, request: HttpRequest, exc: Any) -> HttpResponse:
        status = exc.status_code
        if status == 401:
            return self._on_unauthenticated(request, exc)
        title = str(_(self.ERROR_STATUSES.get(status, "Bad request")))
        detail = str(exc)
        if status == 400 and "json" in detail.lower():
            detail = _("The request body is not valid JSON.")
        return problem_response(request, status, "http-error", title, detail)

    def _on_suspicious(self, request: HttpRequest, exc: Any) -> HttpResponse:
        """What Django refuses as a bad request (too many parameters, a body too large, a
        forged host): the caller's error, as Django's own pages answer it."""
        logger.warning("API bad request on %s: %s", request.path, exc)
        return problem_response(
            request,
            400,
            "bad-request",
            _("Bad request"),
            _("The request is too large or malformed (too many parameters?)."),
        )

    def _on_unavailable(self, request: HttpRequest, exc: Any) -> HttpResponse:
        if not database_unavailable(exc):  # SQLite's broken query: a server error
            return self._on_error(request, exc)
        logger.error("API database unavailable on %s: %s", request.path, exc)
        return unavailable_response(request)

    def _on_error(self, request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("API error on %s", request.path, exc_info=exc)
        return problem_response(
            request,
            500,
            "server-error",
            _("Server error"),
            _("Something went wrong on our side; it has been logged."),
        )

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        ref = {"$ref": "#/components/schemas/Problem"}
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                for status, description in self.ERROR_STATUSES.items():
                    responses.setdefault(
                        str(status),
                        {
                            "description": description,
                            "content": {PROBLEM_CONTENT_TYPE: {"schema": ref}},
                        },
                    )
        return schema
