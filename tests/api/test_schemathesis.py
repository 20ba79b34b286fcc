"""Schemathesis over the whole API, as three personas: zero server errors, and every answer
conforms to the documented schema (status codes, content types, bodies)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from entente.core import services
from entente.core.models import User
from entente.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# An editor who may post, a viewer who may only read, and an outsider who may see nothing.
PERSONAS = ["gold.kent", "analyst.nca", "outsider"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI app itself, which closes the database connection at the end
    of each request; Django's test client disconnects that handler, and so do we, or the test's
    transaction would be cut (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db):
    return {
        name: services.create_api_token(
            User.objects.get(username=name), name="fuzz", acting_user=None
        )[1]
        for name in PERSONAS
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_never_fails_on_its_side(case, persona, tokens):
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens[persona]}"}, checks=CHECKS)


def test_every_operation_documents_its_problem_responses():
    raw = schema.raw_schema
    for path, item in raw["paths"].items():
        for method, operation in item.items():
            documented = set(operation["responses"])
            for status in ("400", "401", "403", "404", "422"):
                assert status in documented, f"{method.upper()} {path} does not document {status}"
                content = operation["responses"][status]["content"]
                assert "application/problem+json" in content
