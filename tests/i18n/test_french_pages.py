"""Logged in as each persona, the French interface shows no English string on the main pages.

The English strings looked for are the catalogue's own: every message whose French differs
from its English. Text the page marks as written in another language (``lang="en"``: free
text, the language switcher's "English") and data that are proper names (usernames, agency
and site names) are not interface strings and are left out of the check.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from entente.control_room.models import Zone
from entente.core import access, services
from entente.core.choices import TLP, Module, Role
from entente.core.models import Agency, Bulletin, Site, User
from entente.core.navigation import menu_for
from entente.demo.intelligence import load_intelligence
from entente.demo.personas import PERSONAS
from entente.intelligence.models import InformationRequest, Report
from tests.conftest import verified_login

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


# English messages spelled like a common French word ("il met", "la place"): on a French page
# they are that word.
FRENCH_WORDS = {"met", "place", "places"}


def english_strings() -> list[str]:
    strings = []
    catalogue = polib.pofile(str(CATALOGUE))
    # A word that is itself the French of another message ("pays", "Places") is French text
    # wherever it shows, whatever English message shares its spelling.
    french = {e.msgstr.strip(" .,:;()").lower() for e in catalogue if e.msgstr} | FRENCH_WORDS
    for e in catalogue:
        if (
            e.obsolete
            or e.msgid_plural
            or e.msgstr == e.msgid
            or not re.search(r"[A-Za-z]{3}", e.msgid)
        ):
            continue
        # Only the literal part of a message with placeholders can show on a page.
        for part in re.split(r"\{\w+\}|%\(\w+\)s", e.msgid):
            part = part.strip(" .,:;()")
            # Compared without case: "Incident {ids}" translated "L’incident {ids}" leaves no
            # English behind ("incident" is French too).
            if (
                len(part) >= 3
                and part.lower() not in e.msgstr.lower()
                and part.lower() not in french
            ):
                strings.append(part)
    return strings


class VisibleText(HTMLParser):
    """Text a person reads or hears: text nodes and labelling attributes, in French parts only."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []
        self.lang = ""

    def _foreign(self) -> bool:
        return any(foreign for _, foreign in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        foreign = tag in {"script", "style"} or (a.get("lang") not in (None, "fr"))
        if tag not in VOID:
            self.stack.append((tag, foreign))
        if not (foreign or self._foreign()):
            for name in ("aria-label", "title", "placeholder", "alt"):
                if a.get(name):
                    self.parts.append(a[name] or "")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._foreign():
            self.parts.append(data)


def visible(html: str) -> tuple[str, str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.lang, " ".join(parser.parts)


def proper_names() -> list[str]:
    names = list(User.objects.values_list("username", flat=True))
    for model in (Agency, Site, Zone):
        for name_en, name_fr in model.objects.values_list("name_en", "name_fr"):
            names += [name_fr, name_en]
    return sorted(set(names), key=len, reverse=True)


def english_left(html: str) -> list[str]:
    lang, text = visible(html)
    assert lang == "fr"
    for name in proper_names():
        text = text.replace(name, " ")
    return sorted(
        {s for s in english_strings() if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text)}
    )


def french_client(username: str) -> Client:
    user = User.objects.get(username=username)
    user.language = "fr"
    user.save(update_fields=["language"])
    return verified_login(Client(), user)


@pytest.fixture
def bulletin(persona):
    # The intelligence demo too (reports both ways, releases, requests, watchlists), so that
    # the intelligence pages show their records.
    load_intelligence()
    return services.create_bulletin(
        acting_user=persona("gold.pn"),
        title="Patrouille conjointe",
        language="fr",
        body="Rocade portuaire, 22 h.",
        translation="Ring road, 22:00.",
        releasability=["FR", "UK"],
        tlp=TLP.GREEN,
    )


def pages_for(username: str, bulletin_pk: int) -> list[str]:
    persona = next(p for p in PERSONAS if p.username == username)
    pages = ["/", "/accounts/profile/"]
    if persona.roles:
        pages += ["/sites/", "/sites/COQ-TERM/", "/agencies/", "/agencies/NCA/"]
    if Module.COMMAND in persona.roles:
        pages.append("/bulletins/")
        if access.can_view(
            User.objects.get(username=username), Bulletin.objects.get(pk=bulletin_pk)
        ):
            pages.append(f"/bulletins/{bulletin_pk}/")
        if persona.roles[Module.COMMAND] >= 20:
            pages.append("/bulletins/new/")
    if Module.CONTROL_ROOM in persona.roles:
        pages += [
            "/control-room/incidents/",
            "/control-room/sensors/",
            "/control-room/statistics/?start=2015-07-01&end=2015-08-31",
            "/control-room/board/",
            "/control-room/teams/",
            "/control-room/roster/",
            "/control-room/my-team/",
            "/control-room/watch/",
        ]
        if persona.roles[Module.CONTROL_ROOM] >= 20:
            pages.append("/control-room/parked/")
        if persona.roles[Module.CONTROL_ROOM] >= 30:
            pages.append("/control-room/checklists/skipped/")
    if Module.COMMAND in persona.roles:
        pages.append("/control-room/decisions/")
    if Module.SAFEGUARDING in persona.roles:
        pages.append("/control-room/handovers/")
    if Module.INTELLIGENCE in persona.roles and access.has_role(
        User.objects.get(username=username), Module.INTELLIGENCE
    ):
        pages.append("/control-room/vehicle-reports/")
        pages += intelligence_pages(User.objects.get(username=username))
    if Module.AUDIT in persona.roles:
        pages += ["/audit/", "/intelligence/disclosures/"]
    # Every page of the user's menu (the investigations and safeguarding pages among them).
    for group in menu_for(User.objects.get(username=username)):
        for item in group["items"]:
            url = reverse(item.url_name)
            if url not in pages:
                pages.append(url)
    return pages


def intelligence_pages(user: User) -> list[str]:
    """The intelligence pages, with the first report and request the user may see."""
    pages = [
        "/intelligence/reports/",
        "/intelligence/entities/",
        "/intelligence/grading/",
        "/intelligence/requests/",
        "/intelligence/requests/statistics/",
        "/intelligence/search/?q=passeurs",
        "/intelligence/watchlists/",
    ]
    report = Report.objects.visible_to(user).order_by("pk").first()
    if report is not None:
        pages.append(f"/intelligence/reports/{report.pk}/")
    request = InformationRequest.objects.visible_to(user).order_by("pk").first()
    if request is not None:
        pages.append(f"/intelligence/requests/{request.pk}/")
    if access.has_role(user, Module.INTELLIGENCE, Role.EDITOR):
        pages += [
            "/intelligence/reports/new/",
            "/intelligence/requests/new/",
            "/intelligence/imports/",
        ]
    if access.has_role(user, Module.INTELLIGENCE, Role.APPROVER):
        pages += ["/intelligence/releases/pending/", "/intelligence/disclosures/"]
    return pages


@pytest.mark.parametrize("username", [p.username for p in PERSONAS])
def test_the_french_interface_shows_no_english(username, bulletin):
    client = french_client(username)
    problems = {}
    for page in pages_for(username, bulletin.pk):
        response = client.get(page)
        assert response.status_code == 200, page
        left = english_left(response.content.decode())
        if left:
            problems[page] = left
    assert not problems, f"{username} sees English on French pages: {problems}"


def domain_pages(user: User) -> list[str]:
    """The menu's pages, and the first record of each kind the user may see in the
    investigations, safeguarding and programme apps (loaded with their demo)."""
    from entente.intelligence.models import Entity
    from entente.investigations.models import Investigation, Network
    from entente.safeguarding.models import Place

    pages = [reverse(item.url_name) for group in menu_for(user) for item in group["items"]]
    firsts = (
        (Investigation, "investigations:investigation_detail"),
        (Network, "investigations:network_detail"),
        (Entity, "investigations:entity_detail"),
        (Place, "safeguarding:place_detail"),
    )
    for model, name in firsts:
        if not access.has_role(user, model.access_module):
            continue
        record = model.objects.visible_to(user).order_by("pk").first()
        if record is not None:
            pages.append(reverse(name, args=[record.pk]))
    if access.has_role(user, Module.INVESTIGATIONS):
        investigation = Investigation.objects.visible_to(user).order_by("pk").first()
        if investigation is not None:
            pages.append(f"/investigations/chart/?investigation={investigation.pk}")
    return pages


def test_the_domain_pages_show_no_english_with_their_demo(bulletin):
    """Investigations, safeguarding and the programme, with their demo records, in French."""
    from entente.demo.investigations import load_investigations
    from entente.demo.programme import load_programme
    from entente.demo.safeguarding import load_safeguarding

    load_investigations()
    load_safeguarding()
    load_programme()
    domain = {Module.INVESTIGATIONS, Module.SAFEGUARDING, Module.PROGRAMME}
    problems = {}
    for persona in PERSONAS:
        if not domain & set(persona.roles):
            continue
        client = french_client(persona.username)
        for page in domain_pages(User.objects.get(username=persona.username)):
            response = client.get(page)
            assert response.status_code == 200, (persona.username, page)
            left = english_left(response.content.decode())
            if left:
                problems[(persona.username, page)] = left
    assert not problems, f"English on French pages: {problems}"


def test_the_login_page_in_french_for_a_visitor(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get("/accounts/login/")
    assert english_left(response.content.decode()) == []
    assert "Se connecter" in response.content.decode()


def test_the_second_factor_pages_in_french(client, persona):
    user = persona("gold.kent")
    user.language = "fr"
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get("/accounts/two-factor/setup/")
    assert response.status_code == 200
    assert english_left(response.content.decode()) == []


def test_the_check_catches_an_english_string(db):
    """The check itself can fail: an untranslated label is reported."""
    assert english_left('<html lang="fr"><body><h1>Dashboard</h1></body></html>') == ["Dashboard"]
    assert (
        english_left('<html lang="fr"><body><button lang="en">English</button></body></html>') == []
    )
