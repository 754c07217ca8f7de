"""The throwaway instance, the two servers (the app and bench/hello.py), the machine."""

import http.client
import os
import platform
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from granian import __version__ as granian_version

from .base import BIN, HOST, ROOT, BenchError, free_port, request


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def prepare_instance(tmp: Path) -> dict:
    """The real migrations, the demo organisation and the supervisor's full caseload
    (bench/supervision.py) in tmp/instance: the environment the servers run with."""
    env = dict(
        os.environ,
        WELLBEING_INSTANCE_PATH=str(tmp / "instance"),
        WELLBEING_SESSION_COOKIE_SECURE="false",  # plain http, as `make run`
        # Every simulated phone comes from 127.0.0.1, and the big room seats 1,000: the
        # limits a venue of that size would set (docs/operations.md, room limits).
        WELLBEING_ROOM_MAX_SEATS="5000",
        WELLBEING_ROOM_MAX_SEATS_PER_CLIENT="5000",
    )
    env.pop("WELLBEING_DATABASE", None)  # the database lives in the throwaway instance
    flask = [str(BIN / "flask"), "--app", "app"]
    for command in ("migrate", "demo"):
        subprocess.run([*flask, command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    # The demo supervisor's caseload at full size (bench/supervision.py).
    subprocess.run([str(BIN / "python"), "bench/supervision.py"], cwd=ROOT, env=env, check=True)
    return env


def start_server(name, app, chdir, settings, env, tmp) -> Server:
    """`app` (module:name) served from `chdir` as `make run` serves the app (wellbeing/serving.py),
    with settings ({"WELLBEING_WORKERS": "2", ...}) on top of env."""
    port = free_port()
    log = tmp / f"{name}-server.log"
    command = [str(BIN / "python"), "-m", "wellbeing.serving", app]
    env = dict(env, **settings, WELLBEING_BIND=f"{HOST}:{port}", PYTHONPATH=str(ROOT))
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=chdir, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(name, port, process, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"the server for {name} exited:\n{log.read_text()}")
        try:
            status, _, _ = request(port, "GET", "/")
            if status < 500:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise BenchError(f"the server for {name} did not answer on port {port}:\n{log.read_text()}")


@contextmanager
def serving(env, tmp, settings):
    """The app and hello, side by side, served as `make run` serves the app with settings on
    top (wellbeing/serving.py): yields [app, hello].
    A connection that fails is a BenchError carrying the end of both servers' logs; both
    servers stop when the block ends, however it ends."""
    servers = []
    try:
        servers.append(start_server("app", "app:app", ROOT, settings, env, tmp))
        servers.append(start_server("hello", "hello:app", ROOT / "bench", settings, env, tmp))
        yield servers
    except (OSError, http.client.HTTPException) as error:
        logs = "".join(
            f"\n--- {s.name} server log ---\n{s.log.read_text()[-3000:]}" for s in servers
        )
        raise BenchError(f"{error!r}{logs}") from error
    finally:
        for server in servers:
            server.stop()


def machine() -> dict:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "granian": granian_version,
        "wrk": (wrk.stdout or wrk.stderr).splitlines()[0].split(" [")[0],
        "load": " ".join(f"{n:.2f}" for n in os.getloadavg()),
    }
