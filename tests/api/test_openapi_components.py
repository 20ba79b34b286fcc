"""The OpenAPI document names each schema once: django-ninja files a model's schema under its
class name, so two models of one name (an intelligence entity and an investigations entity,
a release's approver and a safeguarding person) would leave one of them documented with the
other's fields. Found by the stateful schemathesis run (answers that did not match their
documented schema)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pydantic

from entente.api import api


def _models(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _models(sub)


def test_no_two_api_models_share_a_documented_name() -> None:
    documented = set(api.get_openapi_schema()["components"]["schemas"])
    modules: dict[str, set[str]] = defaultdict(set)
    for model in _models(pydantic.BaseModel):
        if model.__module__.startswith("entente.") and model.__name__ in documented:
            modules[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(places) for name, places in modules.items() if len(places) > 1}
    assert shared == {}
