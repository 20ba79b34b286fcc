"""`entente backup` and `entente restore` on both databases, run as an operator runs them.

Every command runs in a subprocess with its own data directory (and, on PostgreSQL, its own
databases, created and dropped here), so the suite's database is never touched. A source
database gets a user, a marked intelligence report with an entity, a safeguarding person with
encrypted fields, and the audit entries those writes make; it is backed up, restored into a fresh
empty database, and the copy must hold the same rows, open the encrypted fields with the same
key, and pass `entente audit_verify`.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import require_service

PG = "postgresql://postgres@127.0.0.1:5432/"

SEED = """
from entente.core.models import User
from entente.demo import load
from entente.intelligence.services import reports
from entente.intelligence.services.entities import EntityInput
from entente.safeguarding.choices import AgeBand, Gender
from entente.safeguarding.services import people

load.load_reference()
load.load_personas("correct horse battery staple")
reports.create_report(
    acting_user=User.objects.get(username="analyst.nca"),
    title="Lorries at Coquelles", body="A network loads people into lorries.", language="en",
    grading_scheme="3x5x2", source_grade="2", information_grade="B", handling_code="P",
    releasability=["FR", "UK"], tlp="GREEN",
    entities=[EntityInput(kind="vehicle", name="AB12 CDE")],
)
people.create_person(
    User.objects.get(username="caseworker.lva"),
    people.PersonInput(age_band=AgeBand.ADULT, gender=Gender.FEMALE, name="Amina K.",
                       name_purpose="to call her back", details="pregnant, seven months"),
)
"""

# What a user of the restored database would be served: rows, markings, the clear values of
# the encrypted fields, the audit chain's length and head.
SNAPSHOT = """
import json
from entente.core.models import AuditEntry, AuditHead, User
from entente.intelligence.models import Entity, Report
from entente.safeguarding.models import Person

print(json.dumps({
    "users": sorted((u.username, u.agency.code if u.agency else "", u.password)
                    for u in User.objects.select_related("agency")),
    "reports": [(r.reference, r.title, r.body, r.classification, sorted(r.releasability), r.tlp,
                 r.originator.code, sorted(e.name for e in r.entities.all()))
                for r in Report.objects.order_by("pk")],
    "entities": sorted((e.kind, e.name) for e in Entity.objects.all()),
    "people": [(p.case_code, p.name, p.details, p.age_band) for p in Person.objects.order_by("pk")],
    "audit": [AuditEntry.objects.count(), AuditHead.objects.get(pk=1).hash],
}))
"""


@dataclass
class Site:
    """One installation: a data directory and, on PostgreSQL, a database URL."""

    data_dir: Path
    database_url: str = ""
    data_keys: str = ""

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ENTENTE_", "DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS"))
        }
        env.update(ENTENTE_DATA_DIR=str(self.data_dir), DJANGO_SETTINGS_MODULE="entente.settings")
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.data_keys:
            env["ENTENTE_DATA_KEYS"] = self.data_keys
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return subprocess.run(
            [sys.executable, "-m", "entente", *args],
            env=env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, f"entente {' '.join(args)}:\n{result.stdout}{result.stderr}"
        return result.stdout

    def snapshot(self) -> dict[str, object]:
        out = self.ok("shell", "--no-imports", "-c", SNAPSHOT)
        return json.loads(out.strip().splitlines()[-1])


@dataclass
class Restored:
    vendor: str
    source: Site
    target: Site
    backup: Path
    backup_output: str
    restore_output: str
    expected: dict[str, object]

    @property
    def key_id(self) -> str:
        """The id of the master key the source generated (``id:base64``)."""
        return self.target.data_keys.split(":", 1)[0]


def _pg_databases(*names: str, drop: bool = False) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop:
                conn.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def restored(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Restored]:
    vendor = request.param
    tmp = tmp_path_factory.mktemp(f"backup-{vendor}")
    source, target = Site(tmp / "source"), Site(tmp / "target")
    names: tuple[str, ...] = ()
    if vendor == "postgresql":
        require_service("PostgreSQL", "127.0.0.1", 5432)
        suffix = secrets.token_hex(4)
        names = (f"entente_backup_{suffix}", f"entente_restore_{suffix}")
        _pg_databases(*names)
        source.database_url, target.database_url = PG + names[0], PG + names[1]
    try:
        source.ok("migrate", "--no-input", "-v", "0")
        source.ok("shell", "--no-imports", "-c", SEED)
        expected = source.snapshot()
        backup = tmp / "entente.backup"
        backup_output = source.ok("backup", "--output", str(backup))
        # The operator keeps the master keys apart and gives them to the new installation.
        target.data_keys = (source.data_dir / "data_keys").read_text().strip()
        restore_output = target.ok("restore", str(backup))
        yield Restored(vendor, source, target, backup, backup_output, restore_output, expected)
    finally:
        if names:
            _pg_databases(*names, drop=True)


def test_the_restored_database_serves_the_same_data_and_its_audit_chain_verifies(
    restored: Restored,
) -> None:
    data = restored.target.snapshot()
    assert data == restored.expected
    assert data["people"][0][1:3] == ["Amina K.", "pregnant, seven months"]  # type: ignore[index]
    assert data["reports"][0][-1] == ["AB12 CDE"]  # type: ignore[index]
    entries = restored.expected["audit"][0]  # type: ignore[index]
    assert entries > 0
    assert f"audit chain intact: {entries} entries" in restored.target.ok("audit_verify")
    assert f"audit chain intact: {entries} entries" in restored.restore_output
    assert f"opens with key {restored.key_id}" in restored.restore_output


def test_the_backup_names_the_keys_it_needs_and_holds_none(restored: Restored) -> None:
    assert "Keys are NOT in the backup" in restored.backup_output
    assert f"need master key(s): {restored.key_id} (" in restored.backup_output
    key = restored.target.data_keys.split(":", 1)[1]
    secret_key = (restored.source.data_dir / "secret_key").read_text().strip()
    raw = restored.backup.read_bytes()
    assert key.encode() not in raw
    assert secret_key.encode() not in raw


def test_restore_refuses_a_database_that_is_not_empty(restored: Restored) -> None:
    result = restored.target.run("restore", str(restored.backup))
    assert result.returncode != 0
    assert "already holds" in result.stderr and "--force" in result.stderr
    assert restored.target.snapshot() == restored.expected


@pytest.mark.parametrize("damage", ["flipped", "truncated"])
def test_a_damaged_backup_is_a_clear_error_and_changes_nothing(
    restored: Restored, damage: str
) -> None:
    raw = bytearray(restored.backup.read_bytes())
    if damage == "flipped":
        middle = len(raw) // 2
        raw[middle : middle + 64] = bytes(b ^ 0xFF for b in raw[middle : middle + 64])
    else:
        raw = raw[: len(raw) // 2]
    broken = restored.backup.with_name(f"{damage}.backup")
    broken.write_bytes(bytes(raw))
    # Even forced, a damaged file must not touch the database.
    result = restored.target.run("restore", "--force", str(broken))
    assert result.returncode != 0
    assert "damaged" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert restored.target.snapshot() == restored.expected


def test_restore_without_the_master_key_says_which_key_is_missing(restored: Restored) -> None:
    bare = Site(restored.backup.parent / "no-keys")
    name = ""
    if restored.vendor == "postgresql":
        name = f"entente_restore_{secrets.token_hex(4)}"
        _pg_databases(name)
        bare.database_url = PG + name
    try:
        out = bare.ok("restore", str(restored.backup))
    finally:
        if name:
            _pg_databases(name, drop=True)
    assert f"master key(s) {restored.key_id} are not configured" in out
    assert "audit chain intact" in out


def test_a_backup_of_the_other_database_is_refused(restored: Restored) -> None:
    other = Site(restored.backup.parent / "other-vendor")
    if restored.vendor == "sqlite":
        require_service("PostgreSQL", "127.0.0.1", 5432)
        other.database_url = PG + "entente_restore_never_created"
        expected = "SQLite backup and the configured database is PostgreSQL"
    else:
        expected = "PostgreSQL backup and the configured database is SQLite"
    result = other.run("restore", str(restored.backup))
    assert result.returncode != 0
    assert expected in result.stderr


def test_a_missing_or_too_old_pg_dump_is_a_clear_error() -> None:
    from entente.core.backup import BackupError, pg_tool

    with pytest.raises(BackupError, match="not found on PATH nor in /usr/lib/postgresql"):
        pg_tool("pg_dump_that_is_not_installed", 15)
    # make system-deps installs the PostgreSQL client
    with pytest.raises(BackupError, match="is older than the PostgreSQL 999 server"):
        pg_tool("pg_dump", 999)
