"""Matrix expectations: investigations, entities (see tests/access/areas/__init__.py).

The samples (``samples``), all of investigator.ocriest (OCRIEST):

- two entities, a person and a phone, OFFICIAL, TLP:GREEN, releasable to France and the UK,
  and a link between them marked alike: whoever holds an investigations role and an
  intelligence role (to see entities) in either country sees them; an investigations role
  without an intelligence role gets the 404 of an absent record; no investigations role, 403;
- two imports, one finished (with a row error) and one waiting for its column mapping: an
  import is its uploader's alone (other investigations editors get 404, people who may not
  import 403).

Writing (entities, links, imports) is for investigations editors; changing a record is for
its originating agency's editors (others who see it get 403). The API's link body names
entities no test database holds at those ids, so an editor's request is refused as naming
records they may not see (422), with nothing written.
"""

from __future__ import annotations

import base64
from typing import Any

from entente.core.choices import TLP, Module, Role
from entente.demo.personas import BY_USERNAME
from entente.demo.reference import AGENCIES
from entente.intelligence.choices import ImportState
from entente.intelligence.models import Entity
from entente.investigations.models import EntityImport, Link
from tests.access.expectations_base import Rule, api, page, role

OWNER = "investigator.ocriest"
AGENCY = "OCRIEST"
V, I = Module.INVESTIGATIONS, Module.INTELLIGENCE  # noqa: E741
COUNTRY_OF = {a[0]: a[1] for a in AGENCIES}
CSV = b"kind,name\nplace,Matrix import place\n"


def _agency(persona: str) -> str | None:
    p = BY_USERNAME.get(persona)
    return p.agency if p else None


def sees(persona: str) -> bool:
    """Sees the samples: an intelligence role (entities) in France or the UK."""
    agency = _agency(persona)
    return bool(agency and role(persona, I) and COUNTRY_OF.get(agency) in ("FR", "UK"))


def readers(ok: int = 200) -> Rule:
    return lambda p: ok if role(p, V) else 403


def editors(ok: int = 200) -> Rule:
    return lambda p: ok if role(p, V) >= Role.EDITOR else 403


def sample_readers(ok: int = 200) -> Rule:
    return lambda p: (ok if sees(p) else 404) if role(p, V) else 403


def sample_editors(ok: int = 200) -> Rule:
    """Adding a link to the sample: editors (403 first), then the entity must be seen."""
    return lambda p: (ok if sees(p) else 404) if role(p, V) >= Role.EDITOR else 403


def entity_changers(ok: int = 200) -> Rule:
    def rule(p: str) -> int:
        if not sees(p):
            return 404
        editor = role(p, V) >= Role.EDITOR or role(p, I) >= Role.EDITOR
        return ok if editor and _agency(p) == AGENCY else 403

    return rule


def link_changers(ok: int = 200) -> Rule:
    def rule(p: str) -> int:
        if not role(p, V):
            return 403
        if not sees(p):
            return 404
        return ok if role(p, V) >= Role.EDITOR and _agency(p) == AGENCY else 403

    return rule


def owner(ok: int = 200) -> Rule:
    return lambda p: ok if p == OWNER else (404 if role(p, V) >= Role.EDITOR else 403)


PAGES: dict[str, Rule] = {
    "investigations:entity_list": page(readers()),
    "investigations:entity_create": page(editors()),
    "investigations:entity_detail": page(sample_readers()),
    "investigations:entity_edit": page(entity_changers()),
    "investigations:link_create": page(sample_editors()),
    "investigations:link_edit": page(link_changers()),
    "investigations:link_delete": page(link_changers()),
    "investigations:entity_import_list": page(editors()),
    "investigations:entity_import_detail": page(owner()),
    "investigations:entity_import_mapping": page(owner()),
    "investigations:entity_import_progress": page(owner()),
    "investigations:entity_import_errors": page(owner()),
}
API: dict[str, Rule] = {
    "GET /api/v1/investigations/entities": api(readers()),
    "POST /api/v1/investigations/entities": api(editors(201)),
    "GET /api/v1/investigations/entities/{entity_id}": api(sample_readers()),
    "GET /api/v1/investigations/links": api(readers()),
    "POST /api/v1/investigations/links": api(editors(422)),
    "DELETE /api/v1/investigations/links/{link_id}": api(link_changers(204)),
    "POST /api/v1/investigations/entity-imports": api(editors(201)),
    "GET /api/v1/investigations/entity-imports/{import_id}": api(owner()),
}
PAGE_ARGS: dict[str, dict[str, str]] = {
    "investigations:entity_detail": {"pk": "{inv_person}"},
    "investigations:entity_edit": {"pk": "{inv_person}"},
    "investigations:link_create": {"pk": "{inv_person}"},
    "investigations:link_edit": {"pk": "{inv_link}"},
    "investigations:link_delete": {"pk": "{inv_link}"},
    "investigations:entity_import_detail": {"pk": "{inv_import}"},
    "investigations:entity_import_mapping": {"pk": "{inv_import_pending}"},
    "investigations:entity_import_progress": {"pk": "{inv_import}"},
    "investigations:entity_import_errors": {"pk": "{inv_import}"},
}
API_ARGS: dict[str, Any] = {
    "entity_id": "{inv_person}",
    "link_id": "{inv_link}",
    "import_id": "{inv_import}",
}
API_OP_ARGS: dict[str, dict[str, str]] = {
    "GET /api/v1/investigations/entities/{entity_id}": {"entity_id": "{inv_person}"},
}
API_BODIES: dict[str, Any] = {
    "POST /api/v1/investigations/entities": {"kind": "place", "name": "Matrix place"},
    "POST /api/v1/investigations/links": {
        "source": 2**62,
        "target": 2**62 - 1,
        "kind": "calls",
    },
    "POST /api/v1/investigations/entity-imports": {
        "file_name": "matrix.csv",
        "content_base64": base64.b64encode(CSV).decode(),
    },
}


def samples() -> dict[str, str]:
    from entente.core.models import User

    author = User.objects.select_related("agency").get(username=OWNER)
    common: dict[str, Any] = {
        "releasability": {"FR", "UK"},
        "tlp": TLP.GREEN,
        "originator": author.agency,
        "created_by": author,
    }
    person = Entity.objects.create(kind="person", name="Matrix person", **common)
    phone = Entity.objects.create(
        kind="phone", name="+33 6 00 00 00 02", identifier="+33600000002", **common
    )
    link = Link.objects.create(source=person, target=phone, kind="calls", **common)
    job: dict[str, Any] = {
        "file_name": "matrix.csv",
        "data": CSV,
        "options": {"header": ["kind", "name"], "language": "en"},
        "total": 1,
        "created_by": author,
    }
    done = EntityImport.objects.create(
        **job,
        mapping={"kind": "kind", "name": "name"},
        state=ImportState.DONE,
        done=1,
        errors=[{"row": 2, "field": "name", "message": "Matrix row error."}],
    )
    pending = EntityImport.objects.create(**job, state=ImportState.PENDING)
    return {
        "{inv_person}": str(person.pk),
        "{inv_link}": str(link.pk),
        "{inv_import}": str(done.pk),
        "{inv_import_pending}": str(pending.pk),
    }


def state() -> tuple[Any, ...]:
    return (
        Entity.objects.count(),
        Link.objects.count(),
        EntityImport.objects.count(),
        EntityImport.objects.filter(state=ImportState.DONE).count(),
    )
