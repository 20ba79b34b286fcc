"""What the fault tests share: the server and the bridge in processes of their own, databases
made for one test, the sensor account, and the figures each test prints.

The figures (alerts sent, acknowledged, stored, lost, doubled, seconds until service came back)
are printed (``pytest -s`` shows them) and written to ``test-artifacts/resilience/NAME.json``.
"""

from __future__ import annotations

import json
import os
import pwd
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from benchmarks._faults import HttpSensor, alert, free_port
from benchmarks._harness import test_database_url, wait_until
from django.conf import settings
from paho.mqtt.enums import CallbackAPIVersion

from tests.conftest import missing

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "resilience"
SENSOR_ACCOUNT = "sensors.resilience"

# Generous: the machine may be loaded (two cores, several suites at once). No test asserts a
# time; these only bound how long a test waits before it fails.
START_TIMEOUT = 90.0
RESUME_TIMEOUT = 90.0


def figures(name: str, values: dict[str, Any]) -> None:
    """Print a test's figures and keep them where the lead can read them."""
    line = json.dumps({"test": name, **values}, sort_keys=False)
    print(f"\nRESILIENCE {line}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(line + "\n")


def require(what: str, ok: bool, hint: str) -> None:
    """Skip when a part is missing, or fail when ENTENTE_REQUIRE_SERVICES=1 (CI)."""
    if not ok:
        missing(f"{what} is missing ({hint})")


# The suite's test database as a URL, for the processes a test starts (under a name pytest does
# not collect as a test in the modules that import it).
suite_database_url = test_database_url


def process_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of an ``entente`` process on that database, in this suite's data
    directory (its keys), quiet unless something goes wrong."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTENTE_DB_POOL")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": settings.SECRET_KEY,
            "ENTENTE_DATA_DIR": str(settings.DATA_DIR),
            "ENTENTE_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    env.update(extra)
    return env


def small_world(*personas: str) -> None:
    """What the fault tests need, loaded after the flush of a transactional test: the sites,
    zones and sensors, and the named demo personas (no password: none of them logs in with
    one here, and hashing them all is most of ``load_world``'s time)."""
    from entente.core import services
    from entente.core.models import Agency, User
    from entente.demo import load as demo_load
    from entente.demo.personas import PERSONAS

    demo_load.load_reference()
    demo_load.load_control_room()
    for p in PERSONAS:
        if p.username in personas and not User.objects.filter(username=p.username).exists():
            services.create_user(
                username=p.username,
                agency=Agency.objects.get(code=p.agency) if p.agency else None,
                acting_user=None,
                first_name=p.first_name,
                last_name=p.last_name,
                clearance=p.clearance,
                language=p.language,
                roles=p.roles,
            )


def sensor_token() -> str:
    """The sensors' service account (control-room editor at Eurotunnel) and a token for it,
    in the suite's database."""
    from entente.core import services
    from entente.core.choices import Module, Role
    from entente.core.models import Agency

    account = services.create_user(
        username=SENSOR_ACCOUNT,
        agency=Agency.objects.get(code="EUROTUNNEL"),
        acting_user=None,
        is_service_account=True,
        roles={Module.CONTROL_ROOM: Role.EDITOR},
    )
    _, token = services.create_api_token(account, name="resilience", acting_user=None)
    return token


SEED = f"""
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from entente.core import services
from entente.core.choices import Module, Role
from entente.core.models import Agency
from entente.demo.load import load_control_room, load_reference
load_reference()
load_control_room()
account = services.create_user(
    username={SENSOR_ACCOUNT!r}, agency=Agency.objects.get(code="EUROTUNNEL"),
    acting_user=None, is_service_account=True, roles={{Module.CONTROL_ROOM: Role.EDITOR}},
)
print("TOKEN=" + services.create_api_token(account, name="resilience", acting_user=None)[1])
"""


def prepare_database(database_url: str) -> str:
    """Migrate a database of a test's own, load the sites and sensors and the sensor account,
    and return the account's token (one process: Django starts once)."""
    done = subprocess.run(
        [sys.executable, "-m", "entente", "shell", "--no-imports", "-c", SEED],
        env=process_env(database_url),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    tokens = [line for line in done.stdout.splitlines() if line.startswith("TOKEN=")]
    assert tokens, done.stdout + done.stderr
    return tokens[-1].removeprefix("TOKEN=")


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        # A write past the limit fails with EFBIG (as on a full disk) instead of killing the
        # process: SIGXFSZ ignored (Python ignores it too, but only once it has started).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


class Server:
    """``entente serve`` (granian, WSGI; no live listener) on a free port, as a deployment
    runs it, in a process group of its own."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        *,
        workers: int = 1,
        port: int | None = None,
        file_size_limit: int | None = None,
        options: tuple[str, ...] = (),
    ) -> None:
        self.port = port or free_port()
        self.options = options
        self.log = log
        self.env = env
        self.workers_wanted = workers
        self.file_size_limit = file_size_limit
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        args = ["serve", "--no-live", "--port", str(self.port), "--workers"]
        args += [str(self.workers_wanted), "--threads", "4", *self.options]
        # Under a file size limit the log cannot be a file (it would hit the limit too).
        out: Any = subprocess.DEVNULL if self.file_size_limit else self.log.open("ab")
        try:
            return subprocess.Popen(
                [sys.executable, "-m", "entente", *args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=(  # setrlimit only, before exec
                    _file_size_limit(self.file_size_limit) if self.file_size_limit else None
                ),
            )
        finally:
            if out is not subprocess.DEVNULL:
                out.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else "(no log)"

    def healthy(self) -> bool:
        import http.client

        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except (OSError, http.client.HTTPException):
            return False

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        assert wait_until(self.healthy, timeout, every=0.3), (
            f"the server did not answer on {self.port}:\n{self.output()}"
        )
        assert wait_until(lambda: len(self.workers()) == self.workers_wanted, timeout), (
            f"not all workers started:\n{self.output()}"
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def workers(self) -> list[int]:
        """The granian worker processes (children of the server process)."""
        return [pid for pid in self.children() if not _runs(pid, "mqtt_bridge")]

    def bridges(self) -> list[int]:
        """The MQTT bridge it runs (``--mqtt-bridge``), if it is running."""
        return [pid for pid in self.children() if _runs(pid, "mqtt_bridge")]

    def children(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                return
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(30)

    def restart(self, **changes: Any) -> None:
        """Stop it and start it again on the same port (``file_size_limit=None`` lifts it)."""
        self.stop()
        for key, value in changes.items():
            setattr(self, key, value)
        self.process = self._start()


def _runs(pid: int, word: str) -> bool:
    """Whether that process's command line has that word."""
    try:
        return word.encode() in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False


def tally(cursor: Any, prefix: str, acknowledged: list[str]) -> dict[str, int]:
    """What became of a run's alerts, read through a DB-API cursor on the database:

    - ``stored``: distinct alerts of the run stored;
    - ``lost``: acknowledged alerts not stored (goal 0);
    - ``doubled``: alerts stored more than once, plus alerts counted twice by their incidents
      (goal 0);
    - ``unacknowledged_stored``: stored alerts the sensor never had acknowledged (batches it
      is still retrying, or half-written ones).
    """
    from entente.control_room.models import Alert, Incident

    assert prefix.replace("-", "").isalnum()
    alerts, incidents = Alert._meta.db_table, Incident._meta.db_table
    cursor.execute(f"SELECT event_id FROM {alerts} WHERE event_id LIKE '{prefix}%'")
    rows = [r[0] for r in cursor.fetchall()]
    mine = f"SELECT DISTINCT incident_id FROM {alerts} WHERE event_id LIKE '{prefix}%'"
    cursor.execute(f"SELECT COALESCE(SUM(alert_count), 0) FROM {incidents} WHERE id IN ({mine})")
    counted = int(cursor.fetchone()[0])
    cursor.execute(f"SELECT COUNT(*) FROM {alerts} WHERE incident_id IN ({mine})")
    held = int(cursor.fetchone()[0])
    stored = set(rows)
    acked = set(acknowledged)
    return {
        "acknowledged": len(acked),
        "stored": len(stored),
        "lost": len(acked - stored),
        "doubled": (len(rows) - len(stored)) + max(0, counted - held),
        "unacknowledged_stored": len(stored - acked),
    }


def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def sensor_factory() -> Iterator[Callable[..., HttpSensor]]:
    """Sensors started by a test, stopped at its end whatever happens."""
    made: list[HttpSensor] = []

    def make(**kwargs: Any) -> HttpSensor:
        sensor = HttpSensor(**kwargs).start()
        made.append(sensor)
        return sensor

    yield make
    for sensor in made:
        sensor._stop.set()


def seconds(start: float, end: float | None) -> float | None:
    return None if end is None else round(end - start, 2)


def now() -> float:
    return time.monotonic()


def postgres_bin() -> Path | None:
    """The PostgreSQL server's programs (Debian keeps them out of PATH), newest first."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Cluster:
    """A PostgreSQL cluster of our own in a temporary folder, on a free loopback port. As root
    it runs as the ``postgres`` account (PostgreSQL refuses to run as root)."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="entente-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        self.start()
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE entente")

    def _run(self, program: str, *args: str) -> str:
        done = subprocess.run(
            [*self.as_user, str(self.bindir / program), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{program} {args}: {done.stdout}{done.stderr}"
        return done.stdout

    def url(self, name: str = "entente") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def start(self, *settings: str) -> None:
        """Start it (``settings``: ``name=value`` for this run only) and wait until it accepts
        connections, its crash recovery done."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        options += "".join(f" -c {setting}" for setting in settings)
        logged = ["-l", str(self.log)]  # not our pipe, which it would hold open
        self._run(
            "pg_ctl", "start", "-w", "-t", "120", "-D", str(self.data), *logged, "-o", options
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-t", "120", "-D", str(self.data), "-m", mode)

    def close(self) -> None:
        subprocess.run(
            [*self.as_user, str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "i"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_missing() -> str:
    """Why a PostgreSQL cluster of our own cannot be made here ('' when it can)."""
    if postgres_bin() is None:
        return "the PostgreSQL server (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "the postgres account (apt-get install postgresql)"
    return ""


class OwnDatabases:
    """The databases of the tests' own (a PostgreSQL cluster, an SQLite file), migrated and
    loaded in the background from the first fault test on: migrating takes 10-30 s, spent
    while the other fault tests run instead of before each of these two."""

    def __init__(self, *, postgres: bool, sqlite: bool) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="entente-resilience-"))
        self.cluster: Cluster | None = None
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="own-databases")
        self.postgres: Future[str] | None = None
        if postgres and not postgres_missing():
            self.postgres = self.pool.submit(self._postgres)
        self.sqlite_path = self.folder / "sqlite" / "entente.sqlite3"
        self.sqlite: Future[str] | None = self.pool.submit(self._sqlite) if sqlite else None

    def _postgres(self) -> str:
        bindir = postgres_bin()
        assert bindir is not None
        self.cluster = Cluster(bindir)
        return prepare_database(self.cluster.url())

    def _sqlite(self) -> str:
        self.sqlite_path.parent.mkdir()
        return prepare_database(f"sqlite:///{self.sqlite_path}")

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.cluster is not None:
            self.cluster.close()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def own_databases(request: pytest.FixtureRequest) -> Iterator[OwnDatabases]:
    """Started with the first fault test; prepares only what the selected tests use."""
    wanted = {name for item in request.session.items for name in item.fixturenames}
    made = OwnDatabases(postgres="own_postgres" in wanted, sqlite="own_sqlite" in wanted)
    yield made
    made.close()


@pytest.fixture
def own_postgres(own_databases: OwnDatabases) -> tuple[Cluster, str]:
    """A PostgreSQL cluster of the test's own, migrated, and the sensor account's token."""
    missing = postgres_missing()
    require("A PostgreSQL cluster of our own", not missing, missing)
    assert own_databases.postgres is not None
    token = own_databases.postgres.result(timeout=600)
    assert own_databases.cluster is not None
    return own_databases.cluster, token


@pytest.fixture
def own_sqlite(own_databases: OwnDatabases) -> tuple[Path, str]:
    """An SQLite database file of the test's own, migrated, and the sensor account's token."""
    assert own_databases.sqlite is not None
    return own_databases.sqlite_path, own_databases.sqlite.result(timeout=600)


class Publisher:
    """Sensors publishing one alert a message at QoS 1, ``pace`` a second, in a thread. paho
    keeps what it could not send (the broker away) and sends it again once it has reconnected;
    a message counts as acknowledged when the broker's PUBACK for it arrives."""

    def __init__(self, port: int, topic: str, run: str, pace: float = 200) -> None:
        self.topic, self.run, self.pace = topic, run, pace
        self.lock = threading.Lock()
        self.pending: dict[int, str] = {}
        self.early: set[int] = set()
        self.acknowledged: list[str] = []
        self.published = 0
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{run}")
        self.client.max_inflight_messages_set(1000)
        self.client.reconnect_delay_set(0.2, 2)
        self.client.on_publish = self._on_publish
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert wait_until(self.client.is_connected, 30)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        # paho calls this holding its own locks: take ours only for the books, never around
        # a call into paho (the publishing thread would wait on it the other way round).
        if reason.is_failure:
            return
        with self.lock:
            event = self.pending.pop(mid, None)
            if event is None:
                self.early.add(mid)  # acknowledged before publish() returned its id
            else:
                self.acknowledged.append(event)

    def _run(self) -> None:
        begin, i = time.monotonic(), 0
        while not self.stop.is_set():
            ahead = begin + i / self.pace - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
            item = alert(self.run, "m", i)
            info = self.client.publish(f"{self.topic}/COQ", json.dumps(item), qos=1)
            with self.lock:
                if info.mid in self.early:
                    self.early.discard(info.mid)
                    self.acknowledged.append(item["event_id"])
                else:
                    self.pending[info.mid] = item["event_id"]
                self.published += 1
            i += 1

    def finish(self, timeout: float) -> list[str]:
        """Stop publishing, wait for the broker's acknowledgements, return the acknowledged."""
        self.stop.set()
        self.thread.join(30)
        wait_until(lambda: not self.pending, timeout, every=0.1)
        self.client.disconnect()
        self.client.loop_stop()
        with self.lock:
            return list(self.acknowledged)


def bridge_listening(port: int, topic: str, run: str) -> bool:
    """Whether the bridge is subscribed (its session made): a message sent now is stored
    (event id ``RUN-w-0000000``), within START_TIMEOUT."""
    import paho.mqtt.publish as publish

    from entente.control_room.models import Alert

    warm = alert(run, "w", 0)

    def stored() -> bool:
        return Alert.objects.filter(event_id=warm["event_id"]).exists()

    def listening() -> bool:
        publish.single(f"{topic}/COQ", json.dumps(warm), qos=1, port=port)
        return wait_until(stored, 1)

    return wait_until(listening, START_TIMEOUT, every=0.2)
