"""Backup and restore of the configured database (``entente backup``, ``entente restore``).

A backup is one tar file holding ``manifest.json`` (what it is: Entente's version, the database
vendor, the migrations applied per app, when it was made, the audit chain's head, the master key
ids its encrypted values need, the dump's size and SHA-256) and the dump itself:

- SQLite: a copy made with SQLite's online backup API (``sqlite3.Connection.backup``), consistent
  while the server keeps writing (gzip-compressed in the tar);
- PostgreSQL: ``pg_dump --format=custom --no-owner``, taken in the same snapshot the manifest was
  read from (``pg_export_snapshot``).

Keys are never in a backup: neither ``SECRET_KEY`` nor the master keys of the encrypted fields
(``ENTENTE_DATA_KEYS`` or the data directory's ``data_keys``). The manifest names the key ids the
encrypted values were sealed with, so that an operator knows which keys to keep beside it.

Restore checks the whole file (manifest, checksum) before it touches the database, refuses a
database that holds tables unless forced, and a backup of the other vendor; then restores,
migrates a backup made by an older version, verifies the audit chain and tries one sealed value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from entente.core import crypto
from entente.core.audit import ChainReport, verify_chain
from entente.core.models.encrypted import encrypted_fields

FORMAT = "entente-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1 << 20

Say = Callable[[str], None]


class BackupError(Exception):
    """Something an operator must act on; nothing was changed when restore raises it."""


@dataclass
class Manifest:
    vendor: str
    entente_version: str
    created_at: str
    migrations: dict[str, list[str]]
    audit_head: dict[str, Any]
    key_ids: dict[str, int]
    dump: str = ""
    dump_bytes: int = 0
    dump_sha256: str = ""
    server_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "keys_included": False,
            **{k: v for k, v in self.__dict__.items() if k != "extra"},
            **self.extra,
        }
        return json.dumps(data, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError("not an Entente backup manifest")
            if data.get("format_version") != FORMAT_VERSION:
                raise ValueError(f"backup format version {data.get('format_version')!r}")
            return cls(
                vendor=data["vendor"],
                entente_version=data["entente_version"],
                created_at=data["created_at"],
                migrations={k: list(v) for k, v in data["migrations"].items()},
                audit_head=dict(data["audit_head"]),
                key_ids={k: int(v) for k, v in data["key_ids"].items()},
                dump=data["dump"],
                dump_bytes=int(data["dump_bytes"]),
                dump_sha256=data["dump_sha256"],
                server_version=data.get("server_version", ""),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"the backup's manifest is not valid: {exc}") from exc

    @property
    def migration_count(self) -> int:
        return sum(len(v) for v in self.migrations.values())


def human(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover


def entente_version() -> str:
    try:
        return importlib.metadata.version("entente")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# What a database holds (read through any DB-API cursor) ----------------------------------------


def encrypted_columns() -> list[tuple[str, str, str]]:
    """(table, column, column label) of every encrypted field."""
    return [(model._meta.db_table, f.column, f.column_label) for model, f in encrypted_fields()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _facts(cursor: Any) -> tuple[dict[str, list[str]], dict[str, Any], dict[str, int]]:
    """Migrations applied per app, the audit chain's head, {key id: sealed values under it}."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, id")
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    cursor.execute("SELECT seq, hash FROM core_audithead WHERE id = 1")
    row = cursor.fetchone()
    head = {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": ""}
    key_ids: dict[str, int] = {}
    for table, column, _label in encrypted_columns():
        cursor.execute(
            f"SELECT {_quote(column)} FROM {_quote(table)} "  # noqa: S608  # names from the models
            f"WHERE {_quote(column)} IS NOT NULL"
        )
        while rows := cursor.fetchmany(1000):
            for (value,) in rows:
                try:
                    kid = crypto.key_id(bytes(value))
                except crypto.DecryptionError:
                    kid = "(not a sealed value)"
                key_ids[kid] = key_ids.get(kid, 0) + 1
    return migrations, head, key_ids


# Backup -----------------------------------------------------------------------------------------


def _pack(output: Path, manifest: Manifest, dump: Path, *, compress: bool) -> None:
    manifest.dump = DUMPS[manifest.vendor]
    manifest.dump_bytes = dump.stat().st_size
    manifest.dump_sha256 = _sha256(dump)
    raw = manifest.as_json()
    partial = output.with_name(output.name + ".partial")
    with tarfile.open(partial, "w:gz" if compress else "w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(raw), int(time.time()), 0o600
        tar.addfile(info, io.BytesIO(raw))
        tar.add(dump, arcname=manifest.dump, filter=_private)
    partial.chmod(0o600)
    partial.replace(output)


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def backup(output: Path, say: Say) -> Manifest:
    """Write a backup of the configured database to ``output``; return its manifest."""
    output = output.resolve()
    if output.is_dir():
        raise BackupError(f"{output} is a directory: name the backup file")
    output.parent.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(f"backup supports SQLite and PostgreSQL, not {vendor}")
    with tempfile.TemporaryDirectory(prefix="entente-backup-", dir=output.parent) as tmp:
        dump = Path(tmp) / DUMPS[vendor]
        start = time.monotonic()
        dumper = _dump_sqlite if vendor == "sqlite" else _dump_postgresql
        manifest = dumper(dump, say)
        say(f"dump written: {human(dump.stat().st_size)} in {time.monotonic() - start:.1f} s")
        _pack(output, manifest, dump, compress=vendor == "sqlite")
    return manifest


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _dump_sqlite(dump: Path, say: Say) -> Manifest:
    name = Path(str(connection.settings_dict["NAME"]))
    if not name.exists():
        raise BackupError(f"no database at {name}")
    say(f"backing up SQLite database {name} ({human(name.stat().st_size)}) ...")
    created = _now()
    source = sqlite3.connect(f"file:{name}?mode=ro", uri=True, timeout=20)
    target = sqlite3.connect(dump)
    try:
        # All pages in one step: one read snapshot (WAL readers do not block the writers), so
        # the copy is the database as it was at one instant.
        source.backup(target)
    finally:
        source.close()
    try:
        target.execute("PRAGMA journal_mode=DELETE")
        migrations, head, key_ids = _facts(target.cursor())
    finally:
        target.close()
    return Manifest(
        vendor="sqlite",
        entente_version=entente_version(),
        created_at=created,
        migrations=migrations,
        audit_head=head,
        key_ids=key_ids,
        server_version=sqlite3.sqlite_version,
    )


# PostgreSQL client programs ---------------------------------------------------------------------


def _tool_version(path: str) -> tuple[int, str]:
    out = subprocess.run(  # noqa: S603  # a PostgreSQL client program found on this machine
        [path, "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    match = re.search(r"\)\s+((\d+)[\d.]*)", out)
    if not match:
        return 0, out.strip()
    return int(match.group(2)), match.group(1)


def pg_tool(name: str, server_major: int) -> tuple[str, str]:
    """The newest ``name`` (pg_dump, pg_restore) on PATH or in /usr/lib/postgresql/*/bin."""
    candidates = [p for p in [shutil.which(name)] if p]
    candidates += sorted(str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    found = []
    for path in dict.fromkeys(candidates):
        if os.access(path, os.X_OK):
            major, version = _tool_version(path)
            found.append((major, version, path))
    if not found:
        raise BackupError(
            f"{name} not found on PATH nor in /usr/lib/postgresql/*/bin: install the PostgreSQL "
            f"client, version {server_major} or newer (Debian: apt-get install postgresql-client)"
        )
    major, version, path = max(found)
    if major < server_major:
        raise BackupError(
            f"{name} {version} ({path}) is older than the PostgreSQL {server_major} server: "
            f"install the client of version {server_major} or newer"
        )
    return path, version


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database (the password never on a command line)."""
    s = connection.settings_dict
    env = dict(os.environ)
    for var, value in (
        ("PGHOST", s.get("HOST")),
        ("PGPORT", s.get("PORT")),
        ("PGUSER", s.get("USER")),
        ("PGPASSWORD", s.get("PASSWORD")),
        ("PGDATABASE", s.get("NAME")),
        ("PGSSLMODE", (s.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[var] = str(value)
    return env


def _server_major() -> int:
    connection.ensure_connection()
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def _where() -> str:
    s = connection.settings_dict
    return f"{s.get('NAME')} on {s.get('HOST') or 'local socket'}:{s.get('PORT') or 5432}"


def _dump_postgresql(dump: Path, say: Say) -> Manifest:
    major = _server_major()
    pg_dump, version = pg_tool("pg_dump", major)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_database_size(current_database()), current_setting('server_version')"
        )
        size, server_version = cursor.fetchone()
    say(
        f"backing up PostgreSQL database {_where()} ({human(size)} on the server) "
        f"with pg_dump {version} ..."
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # One snapshot for the manifest and the dump: the audit head it names is the dump's.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        created = _now()
        migrations, head, key_ids = _facts(cursor)
        result = subprocess.run(  # noqa: S603  # pg_dump with arguments built here
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                f"--file={dump}",
            ],
            env=_pg_env(),
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return Manifest(
        vendor="postgresql",
        entente_version=entente_version(),
        created_at=created,
        migrations=migrations,
        audit_head=head,
        key_ids=key_ids,
        server_version=server_version,
    )


# Restore ----------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: Manifest
    migrated: list[str]
    chain: ChainReport
    missing_keys: list[str]
    sealed_check: str  # "" when no sealed value exists


def read_backup(path: Path, into: Path) -> tuple[Manifest, Path]:
    """Check a backup file whole and extract its dump into ``into``; the database is untouched."""
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    try:
        with tarfile.open(path, "r:*") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise BackupError(f"{path} holds no {MANIFEST}: not an Entente backup")
            manifest = Manifest.from_json(member.read())
            if manifest.vendor not in DUMPS or manifest.dump != DUMPS[manifest.vendor]:
                raise BackupError(f"the backup's manifest names an unknown dump {manifest.dump!r}")
            source = tar.extractfile(manifest.dump)
            if source is None:
                raise BackupError(f"{path} holds no {manifest.dump}")
            dump = into / manifest.dump
            with dump.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
    except KeyError as exc:
        raise BackupError(f"{path} is incomplete: {exc.args[0]}") from exc
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BackupError(f"{path} is not a readable Entente backup (damaged?): {exc}") from exc
    if dump.stat().st_size != manifest.dump_bytes or _sha256(dump) != manifest.dump_sha256:
        raise BackupError(
            f"{path} is damaged: its dump does not match the checksum in its manifest"
        )
    return manifest, dump


def existing_tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def code_migrations() -> dict[str, set[str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known: dict[str, set[str]] = {}
    for app, name in loader.disk_migrations:
        known.setdefault(app, set()).add(name)
    return known


def _unknown_migrations(manifest: Manifest) -> list[str]:
    known = code_migrations()
    return [
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if app in known and name not in known[app]
    ]


def restore(path: Path, *, force: bool, say: Say) -> RestoreReport:
    """Restore ``path`` into the configured database (see the module's docstring)."""
    vendor = connection.vendor
    with tempfile.TemporaryDirectory(prefix="entente-restore-") as tmp:
        manifest, dump = read_backup(path, Path(tmp))
        if manifest.vendor != vendor:
            raise BackupError(
                f"this is a {VENDOR_NAMES.get(manifest.vendor, manifest.vendor)} backup and the "
                f"configured database is {VENDOR_NAMES.get(vendor, vendor)}: restore it into a "
                f"{VENDOR_NAMES.get(manifest.vendor, manifest.vendor)} database (DATABASE_URL)"
            )
        newer = _unknown_migrations(manifest)
        if newer:
            raise BackupError(
                f"the backup was made by a newer Entente ({manifest.entente_version}): its "
                f"migrations {', '.join(newer[:5])} are unknown to this code; upgrade first"
            )
        tables = existing_tables()
        if tables and not force:
            raise BackupError(
                f"the database already holds {len(tables)} tables (e.g. {tables[0]}): restore "
                "into an empty database, or pass --force to replace everything in it"
            )
        say(
            f"restoring a {VENDOR_NAMES[vendor]} backup made {manifest.created_at} by Entente "
            f"{manifest.entente_version} ({human(manifest.dump_bytes)}) ..."
        )
        start = time.monotonic()
        if vendor == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump, manifest)
        say(f"restored in {time.monotonic() - start:.1f} s")
    connection.close()
    migrated = _migrate_if_older(manifest, say)
    chain = verify_chain()
    missing, sealed = _check_keys(manifest)
    return RestoreReport(manifest, migrated, chain, missing, sealed)


def _restore_sqlite(dump: Path) -> None:
    name = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    name.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(name, timeout=20)
    try:
        # The backup API replaces every page of the target in one transaction: a reader sees
        # the old database or the restored one, never a mixture.
        source.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(f"restore into {name} failed, the database is unchanged: {exc}") from exc
    finally:
        source.close()
        target.close()


def _restore_postgresql(dump: Path, manifest: Manifest) -> None:
    major = _server_major()
    pg_restore, _version = pg_tool("pg_restore", major)
    before = set(existing_tables())
    connection.close()
    result = subprocess.run(  # noqa: S603  # pg_restore with arguments built here
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        env=_pg_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            f"pg_restore failed, the database is unchanged (one transaction): "
            f"{result.stderr.strip()}"
        )
    # Tables the backup does not hold (made by migrations newer than the backup) would stop
    # `migrate` from creating them again: drop them, their migrations are not recorded.
    extra = sorted(before - set(existing_tables_in_dump(dump, pg_restore)))
    if extra:
        with transaction.atomic(), connection.cursor() as cursor:
            for table in extra:
                cursor.execute(f"DROP TABLE IF EXISTS {_quote(table)} CASCADE")


def existing_tables_in_dump(dump: Path, pg_restore: str) -> Iterable[str]:
    listing = subprocess.run(  # noqa: S603  # pg_restore --list of our own dump
        [pg_restore, "--list", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[3] == "TABLE" and parts[4] != "DATA":
            yield parts[5]


def _migrate_if_older(manifest: Manifest, say: Say) -> list[str]:
    from django.core.management import call_command

    known = code_migrations()
    missing = sorted(
        f"{app}.{name}"
        for app, names in known.items()
        for name in names
        if name not in set(manifest.migrations.get(app, ()))
    )
    if missing:
        say(
            f"the backup predates {len(missing)} migration(s) of this code "
            f"(e.g. {missing[0]}): running migrate ..."
        )
        call_command("migrate", interactive=False, verbosity=0)
        say("migrated")
    return missing


def _check_keys(manifest: Manifest) -> tuple[list[str], str]:
    known = configured_key_ids()
    missing = sorted(k for k in manifest.key_ids if k not in known)
    for table, column, label in encrypted_columns():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_quote(column)} FROM {_quote(table)} "  # noqa: S608
                f"WHERE {_quote(column)} IS NOT NULL LIMIT 1"
            )
            row = cursor.fetchone()
        if row is None:
            continue
        kid = crypto.key_id(bytes(row[0]))
        if kid not in known:
            return missing, f"FAILED on {label}: its key {kid} is not configured"
        try:
            crypto.open_sealed(bytes(row[0]), label)
        except crypto.DecryptionError as exc:
            return missing, f"FAILED on {label}: {exc}"
        return missing, f"a sealed value of {label} opens with key {kid}"
    return missing, ""


def configured_key_ids() -> set[str]:
    """The master key ids this installation has, without generating one (as crypto would)."""
    if not os.environ.get("ENTENTE_DATA_KEYS", "").strip() and not crypto.key_file().exists():
        return set()
    crypto.keyring.cache_clear()
    return set(crypto.keyring().keys)
