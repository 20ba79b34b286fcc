"""Schemathesis in its stateful mode over the whole API, as three personas.

Schemathesis infers links between the operations (an id in one answer is a path parameter of
another: a report listed, then read, regraded, released; an incident listed, then moved,
merged, dispatched) and chains them into scenarios, so that operations on records that exist
are reached, not only 404s on made-up ids. Every answer must be no server error and conform
to the documented schema, as in the stateless run (tests/api/test_schemathesis.py).

ENTENTE_FUZZ_EXAMPLES (default 1) multiplies the scenarios for a longer local run. Each
persona's figures (operations reached, steps, scenarios) are printed for the closing notes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import FlakyStrategyDefinition

from entente.demo import load
from entente.demo.intelligence import load_intelligence
from entente.demo.investigations import load_investigations
from entente.demo.programme import load_programme
from entente.demo.safeguarding import load_safeguarding
from tests.api.test_schemathesis import (  # noqa: F401  # the fixtures, used by name
    CHECKS,
    PERSONAS,
    _keep_the_test_connection,
    schema,
    tokens,
)
from tests.fuzz.budget import SCALE

SCENARIOS = 40 * SCALE
STEPS = 12
# A scenario replayed by hypothesis may draw differently when an earlier one changed what the
# server holds; like schemathesis' own runner, the run then goes on under a new seed.
RESTARTS = 5


@pytest.fixture
def world(db: Any) -> None:
    """The demo's records (reports, entities, investigations, people, the fund), so that the
    lists have ids for the links to follow; rolled back with the test."""
    load.load_bulletins()
    load.load_teams()
    load.load_command()
    load_intelligence()
    load_investigations()
    load_safeguarding()
    load_programme()


def _operations() -> set[str]:
    return {result.ok().label for result in schema.get_all_operations()}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_chained_calls_never_fail_on_the_servers_side(
    persona: str,
    world: None,
    tokens: dict[str, str],  # noqa: F811  # the imported fixture
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = tokens[persona]
    reached: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    scenarios = restarts = 0

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Each scenario starts from the same records: it runs in a savepoint, undone
            # after it.
            nonlocal scenarios
            scenarios += 1
            self._savepoint = transaction.atomic()
            self._savepoint.__enter__()

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self._savepoint.__exit__(None, None, None)
            super().teardown()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            reached[case.operation.label] += 1
            statuses[f"{response.status_code // 100}xx"] += 1

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, recorder=self.recorder)

    for _attempt in range(RESTARTS):
        try:
            Machine.run(
                settings=settings(
                    max_examples=SCENARIOS,
                    stateful_step_count=STEPS,
                    deadline=None,
                    phases=[Phase.generate],
                    database=None,
                    derandomize=False,
                    suppress_health_check=list(HealthCheck),
                )
            )
            break
        except FlakyStrategyDefinition:
            restarts += 1
    total = len(_operations())
    with capsys.disabled():
        print(
            f"\nstateful schemathesis as {persona}: {len(reached)} of {total} operations "
            f"reached, {sum(reached.values())} calls in {scenarios} scenarios "
            f"({restarts} restarts), answers {dict(sorted(statuses.items()))}"
        )
    assert statuses["5xx"] == 0
    # The scenarios went past their first call: links were followed.
    assert sum(reached.values()) > scenarios
