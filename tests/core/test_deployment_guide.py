"""The deployment guide's commands run as written, with deploy/'s files (docs/operations/).

The guide marks the blocks a test can run with ``<!-- test -->``; they run here in order with
``bash -e``, the guide's paths mapped into a temporary folder (PATHS) and the project's
environment standing for /opt/entente/venv, on a PostgreSQL database of the test's own (whatever
database the suite runs on). Between them the test does what the guide does as root: it installs
deploy/'s files, starts a private Mosquitto with the broker's configuration, and runs each
systemd unit's ExecStart as systemd would expand it. What needs root or a real host (useradd,
systemctl, nginx with TLS) is not run: the guide says which.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from benchmarks._faults import free_port

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "operations" / "deployment.en.md"
GUIDE_FR = ROOT / "docs" / "operations" / "deployment.fr.md"
DEPLOY = ROOT / "deploy"
HOST = "entente.example.org"  # ALLOWED_HOSTS in deploy/entente.env
# Debian 12's stock /etc/mosquitto/mosquitto.conf, which includes conf.d/.
DEBIAN_MOSQUITTO_CONF = """\
pid_file /run/mosquitto/mosquitto.pid
persistence true
persistence_location /var/lib/mosquitto/
log_dest file /var/log/mosquitto/mosquitto.log
include_dir /etc/mosquitto/conf.d
"""
NGINX_TEMPS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
TESTED = re.compile(r"^<!-- test -->\n```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def marked_blocks(path: Path) -> list[str]:
    return TESTED.findall(path.read_text())


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (no quoting used here)."""
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def unit_value(path: Path, key: str) -> list[str]:
    return [
        line.split("=", 1)[1].strip()
        for line in path.read_text().splitlines()
        if line.startswith(f"{key}=")
    ]


@dataclass
class Site:
    """One installation in a temporary folder: the guide's paths mapped, the services' env."""

    root: Path
    database_url: str
    ports: dict[str, int]
    paths: dict[str, str] = field(default_factory=dict)
    blocks: Iterator[str] = field(default_factory=lambda: iter(()))
    ran: int = 0
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def mapped(self, text: str) -> str:
        for real, here in self.paths.items():
            text = text.replace(real, here)
        return text

    def path(self, real: str) -> Path:
        return Path(self.mapped(real))

    def base_env(self) -> dict[str, str]:
        """What systemd gives a unit (and sudo -u entente a shell): no settings of ours."""
        keep = ("HOME", "LANG", "LC_ALL", "TMPDIR")
        env = {k: v for k, v in os.environ.items() if k in keep}
        env["PATH"] = f"{self.path('/usr/local/bin')}:/usr/bin:/bin"
        return env

    def unit_env(self) -> dict[str, str]:
        env = self.base_env()
        for f in ("/etc/entente/entente.env", "/etc/entente/secrets.env"):
            env.update(read_env_file(self.path(f)))
        return env

    def bash(self, script: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", self.mapped(script)],  # noqa: S607
            cwd=self.root,
            env=self.base_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, f"{script}\n{result.stdout}\n{result.stderr}"
        return result

    def run_next(self, containing: str) -> subprocess.CompletedProcess[str]:
        """Run the guide's next tested block, which must be the one that does ``containing``."""
        block = next(self.blocks, "")
        assert containing in block, f"the guide's tested block {self.ran + 1} is not {containing!r}"
        for forbidden in ("sudo", "systemctl", "chgrp", "chown"):
            assert forbidden not in block, f"a tested block needs root: {block}"
        self.ran += 1
        return self.bash(block)

    def exec_start(self, unit: str) -> list[str]:
        """The unit's ExecStart, ${VAR} expanded from its environment files, paths mapped."""
        path = DEPLOY / "systemd" / unit
        (line,) = unit_value(path, "ExecStart")
        env = self.unit_env()
        expanded = re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], line)
        return self.mapped(expanded).split()

    def start(self, unit: str, log: str) -> subprocess.Popen[str]:
        cwd = self.path(unit_value(DEPLOY / "systemd" / unit, "WorkingDirectory")[0])
        out = (self.root / log).open("w")
        proc = subprocess.Popen(
            self.exec_start(unit),
            cwd=cwd,
            env=self.unit_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.processes.append(proc)
        return proc

    def run_unit(self, unit: str) -> subprocess.CompletedProcess[str]:
        cwd = self.path(unit_value(DEPLOY / "systemd" / unit, "WorkingDirectory")[0])
        return subprocess.run(
            self.exec_start(unit),
            cwd=cwd,
            env=self.unit_env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def stop(proc: subprocess.Popen[str], timeout: float = 30) -> int:
    """As systemd stops a unit: SIGTERM to the main process, SIGKILL to what is left."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    return proc.returncode


def server_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return "postgresql://postgres@127.0.0.1:5432/postgres"


def http(
    port: int, path: str, *, proxied: bool = True, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    """A request as nginx forwards it (Host, X-Forwarded-Proto) or as a bare HTTP client."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Host": HOST}
    if proxied:
        headers["X-Forwarded-Proto"] = "https"
        headers["X-Forwarded-For"] = "203.0.113.7"
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read() if response.status != 200 or "stream" not in path else b""
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    import psycopg

    server = urllib.parse.urlsplit(server_database())
    require_service("PostgreSQL", server.hostname or "127.0.0.1", server.port or 5432)
    require_service("Mosquitto", "127.0.0.1", 1883)  # its binary: the private broker below
    for tool in ("mosquitto", "mosquitto_passwd", "mosquitto_pub", "pg_dump", "openssl"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            pytest.fail(f"{tool} is missing (make system-deps)")
    name = f"entente_deploy_{uuid.uuid4().hex[:10]}"
    admin = server._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    root = tmp_path_factory.mktemp("site")
    site = Site(
        root=root,
        database_url=server._replace(path=f"/{name}").geturl(),
        ports={k: free_port() for k in ("web", "live", "mqtt", "mqtts")},
    )
    site.paths = {
        "/opt/entente/venv": sys.prefix,
        "/etc/entente": str(root / "etc/entente"),
        "/etc/mosquitto": str(root / "etc/mosquitto"),
        "/var/lib/entente": str(root / "var/lib/entente"),
        "/var/lib/mosquitto": str(root / "var/lib/mosquitto"),
        "/var/log/mosquitto": str(root / "var/log/mosquitto"),
        "/var/backups/entente": str(root / "var/backups/entente"),
        "/run/mosquitto": str(root / "run"),
        "/usr/local/bin": str(root / "usr/local/bin"),
        "127.0.0.1:1883": f"127.0.0.1:{site.ports['mqtt']}",
        "listener 1883": f"listener {site.ports['mqtt']}",
        "listener 8883": f"listener {site.ports['mqtts']}",
    }
    for real in site.paths:
        if real.startswith("/") and real != "/opt/entente/venv":
            site.path(real).mkdir(parents=True, exist_ok=True)
    install(site)
    site.blocks = iter(marked_blocks(GUIDE))
    try:
        yield site
    finally:
        for proc in site.processes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def install(site: Site) -> None:
    """What section 1 of the guide does as root: deploy/'s files in place."""
    settings = site.mapped((DEPLOY / "entente.env").read_text())
    overrides = {
        "DATABASE_URL": site.database_url,
        "PORT": str(site.ports["web"]),
        "LIVE_PORT": str(site.ports["live"]),
        "WEB_WORKERS": "2",
        "LIVE_WORKERS": "1",
        "ENTENTE_DB_POOL_MAX": "4",
    }
    for key, value in overrides.items():
        settings, n = re.subn(rf"^{key}=.*$", f"{key}={value}", settings, flags=re.MULTILINE)
        assert n == 1, f"deploy/entente.env has no {key}="
    site.path("/etc/entente/entente.env").write_text(settings)
    for script in ("entente-manage", "entente-backup"):
        target = site.path(f"/usr/local/bin/{script}")
        target.write_text(site.mapped((DEPLOY / script).read_text()))
        target.chmod(0o755)
    mosquitto = site.path("/etc/mosquitto")
    (mosquitto / "conf.d").mkdir()
    # The private broker runs as the test's user (as root, mosquitto would switch to its own
    # user, who cannot read the test's folder).
    main = site.mapped(DEBIAN_MOSQUITTO_CONF) + f"user {getpass.getuser()}\n"
    (mosquitto / "mosquitto.conf").write_text(main)
    for name in ("entente.conf", "entente.acl"):
        text = site.mapped((DEPLOY / "mosquitto" / name).read_text())
        (mosquitto / ("conf.d" if name.endswith(".conf") else "") / name).write_text(text)
    (mosquitto / "certs").mkdir()
    self_signed(mosquitto / "certs" / "broker.crt", mosquitto / "certs" / "broker.key")


def self_signed(cert: Path, key: Path) -> None:
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", f"/CN={HOST}", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def wait_for(check, what: str, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError as exc:
            last = exc
        time.sleep(0.5)
    pytest.fail(f"{what} within {timeout} s ({last})")


def parked_topics(site: Site) -> set[str]:
    import psycopg

    with psycopg.connect(site.database_url) as conn:
        return {t for (t,) in conn.execute("SELECT topic FROM control_room_parkedmessage")}


PLACE = "; ".join(
    [
        "from entente.core import services",
        "from entente.core.choices import Module, Role",
        "from entente.core.models import Agency",
        "from entente.safeguarding.services.accommodation import create_place",
        "u = services.create_user(username='caseworker.test', agency=Agency.objects.get("
        "code='PREF62'), acting_user=None, roles={Module.SAFEGUARDING: Role.EDITOR})",
        "create_place(u, name='Maison test', town='Calais', address='1 rue du Test',"
        " capacity_families=10)",
    ]
)

# The tests below share one installation and run in this order, as the guide does.


def test_the_french_guide_runs_the_same_commands() -> None:
    blocks = marked_blocks(GUIDE)
    assert len(blocks) >= 8
    assert marked_blocks(GUIDE_FR) == blocks


def test_a_first_installation_runs_as_the_guide_says(site: Site) -> None:
    site.run_next("secrets.env")
    secrets = read_env_file(site.path("/etc/entente/secrets.env"))
    assert len(secrets["SECRET_KEY"]) >= 50 and secrets["ENTENTE_DATA_KEYS"].startswith("k1:")
    assert site.path("/etc/entente/secrets.env").stat().st_mode & 0o007 == 0  # umask 0027
    out = site.run_next("check --deploy").stdout
    assert "no issues" in out
    assert (site.path("/var/lib/entente") / "static" / "staticfiles.json").exists()
    out = site.run_next("create_token sensors.bridge").stdout
    assert out.strip()
    site.run_next("mosquitto_passwd")
    # One encrypted value (a protected place's address), for the backup and the rotation.
    site.bash(f'entente-manage shell -c "{PLACE}"')
    assert read_env_file(site.path("/etc/entente/secrets.env"))["ENTENTE_MQTT_URL"].startswith(
        "mqtt://entente-bridge:"
    )


def test_the_web_unit_serves_pages_behind_the_proxy_and_stops_whole(site: Site) -> None:
    web = site.start("entente-web.service", "web.log")
    port, live = site.ports["web"], site.ports["live"]
    wait_for(lambda: http(port, "/healthz")[0] == 200, "entente serve answers /healthz")
    status, headers, body = http(port, "/healthz")
    assert json.loads(body) == {"status": "ok"}
    assert "max-age=31536000" in headers["strict-transport-security"]
    status, headers, body = http(port, "/accounts/login/")
    assert status == 200 and b'name="password"' in body
    assert "secure" in headers.get("set-cookie", "").lower()
    # Plain HTTP (no proxy saying https) is sent to HTTPS.
    status, headers, _ = http(port, "/accounts/login/", proxied=False)
    assert status == 301 and headers["location"] == f"https://{HOST}/accounts/login/"
    # The live listener (nginx routes /control-room/live/ there) answers; a stream needs a login.
    wait_for(lambda: http(live, "/control-room/live/stream")[0] != 0, "the live listener")
    assert http(live, "/control-room/live/stream")[0] in (302, 401, 403)
    assert stop(web) == 0, (site.root / "web.log").read_text()[-3000:]
    for p in (port, live):  # systemctl stop leaves nothing listening
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", p), timeout=2):
            pass


def test_the_bridge_unit_takes_a_sensors_message_through_the_brokers_acl(site: Site) -> None:
    broker = subprocess.Popen(
        ["mosquitto", "-c", str(site.path("/etc/mosquitto/mosquitto.conf"))],  # noqa: S607
        stdout=subprocess.DEVNULL,
        stderr=(site.root / "mosquitto.log").open("w"),
        text=True,
        start_new_session=True,
    )
    site.processes.append(broker)
    wait_for(
        lambda: socket.create_connection(("127.0.0.1", site.ports["mqtt"]), 1).close() is None,
        "the broker with deploy/mosquitto/entente.conf starts",
        timeout=15,
    )
    # A sensor operator's account (the guide makes it with mosquitto_passwd, asking).
    site.bash("mosquitto_passwd -b /etc/mosquitto/entente.passwd eurotunnel sensor-password")
    broker.send_signal(signal.SIGHUP)  # mosquitto rereads the password file
    time.sleep(1)
    bridge = site.start("entente-bridge.service", "bridge.log")
    for topic in ("entente/alerts/port-calais/gate", "entente/alerts/eurotunnel/gate-1"):
        # Retained: the bridge gets it whenever it subscribes. Another operator's branch is
        # refused by the ACL; the malformed alert in its own branch is parked.
        site.bash(
            f"mosquitto_pub -h 127.0.0.1 -p {site.ports['mqtt']} -u eurotunnel -P sensor-password"
            f" -q 1 -r -t {topic} -m 'not json'"
        )
    wait_for(
        lambda: "entente/alerts/eurotunnel/gate-1" in parked_topics(site),
        "the bridge parks the sensor's malformed message",
    )
    assert stop(bridge) == 0
    log = (site.root / "bridge.log").read_text()
    assert "as sensors.bridge" in log and "stopped: 1 messages" in log, log
    assert parked_topics(site) == {"entente/alerts/eurotunnel/gate-1"}
    assert stop(broker, 10) == 0


@pytest.mark.parametrize(
    ("unit", "says"),
    [
        ("entente-check-sensors.service", ""),
        ("entente-purge-expired.service", ""),
        ("entente-backup.service", "need master key(s): k1 (1 values)"),
        ("entente-audit-verify.service", "audit chain intact"),
    ],
)
def test_each_periodic_job_runs_from_its_unit(site: Site, unit: str, says: str) -> None:
    result = site.run_unit(unit)
    assert result.returncode == 0, result.stdout + result.stderr
    assert says in result.stdout
    timer = DEPLOY / "systemd" / unit.replace(".service", ".timer")
    assert unit_value(timer, "Unit") == [unit] and unit_value(timer, "OnCalendar")
    if "backup" in unit:
        assert list(site.path("/var/backups/entente").glob("entente-*.backup"))


def test_the_units_pass_systemd_analyze_verify(site: Site, tmp_path: Path) -> None:
    units = sorted((DEPLOY / "systemd").iterdir())
    assert {u.name for u in units} >= {"entente-web.service", "entente-bridge.service"}
    for unit in units:
        (tmp_path / unit.name).write_text(site.mapped(unit.read_text()))
    analyze = shutil.which("systemd-analyze")
    if analyze is None:  # no systemd here: the sections and commands at least
        for unit in units:
            text = unit.read_text()
            assert "[Unit]" in text and "[Install]" in text
            assert ("[Service]" in text and unit_value(unit, "ExecStart")) or "[Timer]" in text
        return
    result = subprocess.run(
        [analyze, "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_the_nginx_site_routes_the_stream_unbuffered_to_the_live_port(tmp_path: Path) -> None:
    conf = (DEPLOY / "nginx" / "entente.conf").read_text()
    settings = read_env_file(DEPLOY / "entente.env")
    assert conf.count("{") == conf.count("}")
    upstreams = dict(re.findall(r"upstream (\w+) \{\s*server 127\.0\.0\.1:(\d+);", conf))
    assert upstreams == {"entente_web": settings["PORT"], "entente_live": settings["LIVE_PORT"]}
    live = re.search(r"location (\S+) \{([^}]*)\}", conf[conf.index("location /control-room") :])
    assert live is not None and settings["ENTENTE_LIVE_URL"].startswith(live.group(1))
    assert "proxy_pass http://entente_live;" in live.group(2)
    assert "proxy_buffering off;" in live.group(2)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    nginx = shutil.which("nginx") or os.environ.get("ENTENTE_NGINX")
    if nginx is None:
        return  # not installed here (the guide says so); the file's reading above stands
    ssl = tmp_path / "ssl"
    ssl.mkdir()
    self_signed(ssl / "fullchain.pem", ssl / "privkey.pem")
    (tmp_path / "logs").mkdir()
    site_conf = tmp_path / "entente.conf"
    site_conf.write_text(conf.replace("/etc/ssl/entente", str(ssl)))
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        # nginx's compiled-in temporary folders (/var/lib/nginx) exist only where it is
        # installed: the test's own instead.
        "http { access_log off;"
        + "".join(f" {t}_temp_path {tmp_path}/{t};" for t in NGINX_TEMPS)
        + f" include {site_conf}; }}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_a_key_rotation_runs_as_the_guide_says(site: Site) -> None:
    site.run_next("rotate_keys --new-key k2")
    keys = read_env_file(site.path("/etc/entente/secrets.env"))["ENTENTE_DATA_KEYS"]
    assert [k.split(":")[0] for k in keys.split(",")] == ["k2", "k1"]
    out = site.run_next("entente-manage rotate_keys").stdout
    assert "1 re-wrapped" in out and "all values under key k2" in out


def test_an_upgrade_and_its_rollback_run_as_the_guide_says(site: Site) -> None:
    assert "need master key(s): k2 (1 values)" in site.run_next("backup --output").stdout
    assert site.path("/var/backups/entente/before-upgrade.backup").exists()
    site.run_next("migrate --no-input")
    # Something written after the backup, which the rollback takes away.
    site.bash("entente-manage create_token late.account --service-account --agency PAF")
    out = site.run_next("restore --force").stdout
    assert "audit chain intact" in out
    users = "from entente.core.models import User; print(*User.objects.values_list('username'))"
    left = site.bash(f'entente-manage shell -c "{users}"').stdout
    assert "sensors.bridge" in left and "late.account" not in left
    assert next(site.blocks, None) is None, "a tested block of the guide was not run"
