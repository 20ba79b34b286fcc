"""The French catalogue is complete and up to date with the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

SRC = Path(settings.BASE_DIR)
CATALOGUE = SRC / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _entries() -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(CATALOGUE)) if not e.obsolete]


def _key(e: polib.POEntry) -> tuple[str | None, str, str | None]:
    return (e.msgctxt, e.msgid, e.msgid_plural or None)


def test_every_message_has_a_french_translation():
    untranslated = [
        e.msgid
        for e in _entries()
        if (e.msgid_plural and not all(e.msgstr_plural.values()))
        or (not e.msgid_plural and not e.msgstr)
    ]
    assert not untranslated, f"untranslated: {untranslated} (translate them in {CATALOGUE})"


def test_no_translation_is_fuzzy():
    fuzzy = [e.msgid for e in _entries() if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not polib.pofile(str(CATALOGUE)).metadata_is_fuzzy


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"\{\w+\}|%\(\w+\)s")
    for e in _entries():
        targets = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        for target in targets:
            assert set(pattern.findall(e.msgid)) == set(pattern.findall(target)), e.msgid


def test_the_compiled_catalogue_is_current():
    mo = CATALOGUE.with_suffix(".mo")
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo)) if e.msgid}
    for e in _entries():
        if not e.msgid_plural:
            assert compiled.get((e.msgctxt, e.msgid)) == e.msgstr, f"run make messages: {e.msgid}"


def test_the_catalogue_holds_every_string_of_the_code(tmp_path):
    """makemessages run afresh over a copy of the code finds nothing the catalogue lacks."""
    if shutil.which("xgettext") is None:
        if settings.ENTENTE_REQUIRE_SERVICES:
            pytest.fail("gettext tools are missing (apt-get install gettext)")
        pytest.skip("gettext tools are missing (apt-get install gettext)")
    copy = tmp_path / "entente"
    shutil.copytree(
        SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "migrations", "locale")
    )
    (copy / "locale").mkdir()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "fr",
            "--no-location",
            "--ignore",
            "static/*",
            "--ignore",
            "*/migrations/*",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "DJANGO_SETTINGS_MODULE": "entente.settings",
            "PATH": "/usr/bin:/bin",
            "ENTENTE_DATA_DIR": str(tmp_path / "var"),
            "PYTHONPATH": str(SRC.parent),
        },
    )
    fresh = {
        _key(e) for e in polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po")) if e.msgid
    }
    ours = {_key(e) for e in _entries()}
    missing = sorted(str(k) for k in fresh - ours)
    stale = sorted(str(k) for k in ours - fresh)
    assert not missing, (
        f"strings in the code but not in the catalogue (run make messages): {missing}"
    )
    assert not stale, f"strings in the catalogue no longer in the code (run make messages): {stale}"
