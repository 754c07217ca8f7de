"""How the app is served, for `make run`, the server (deploy/) and `make bench`: granian.

    python -m wellbeing.serving

(`make bench` serves its bare Flask app the same way: `python -m wellbeing.serving hello:app`,
from bench/.) Three settings come from the environment, so that one command serves all three:

- WELLBEING_BIND: where it listens, HOST:PORT (behind a proxy on the same machine; `make run`
  sets it). A host name is looked up once, at start: granian listens on an address.
- WELLBEING_WORKERS: how many worker processes. Each starts a fresh interpreter and loads the
  app itself (see `main`), and each of its threads keeps its own SQLite connection.
- WELLBEING_THREADS: how many requests each worker runs at once.

Their defaults are in the one table of settings (wellbeing/settings.py).

Why granian (docs/design.md, "A live projector"): it reads and writes HTTP in Rust, outside
Python's interpreter lock, and hands each request to one of a few Python threads in the order it
came. Under gunicorn's threaded workers, gunicorn's own loop took turns at the interpreter with
every request's thread: in `make bench` the signed-in home's p99 at 32 connections was 56.6 ms,
against 25.0 under granian, which answered 70% more requests a second (docs/benchmarks.md). A
projector's live picture is a request that waits until the room changes: it holds one of the
threads while it waits, and all but one of a worker's threads may (wellbeing/line/rooms.py).

No access log. Invitation and reset links carry their one-time token in the path (/invite/<token>,
/reset/<token>), and an access log would also keep every person's address and times; granian's
own log passes the app's token-redaction filter (wellbeing/security.py), to stderr: journald
under systemd. tests/test_deploy.py checks both.
"""

import ipaddress
import multiprocessing
import os
import socket
import sys
from pathlib import Path

from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server import Server

from .settings import chosen

REPOSITORY = Path(__file__).resolve().parent.parent
# granian's own log (its Rust side logs to children of it, `_granian.wsgi` and more), and its
# access log: off, but filtered all the same, should anyone turn it on.
LOGGERS = ("_granian", "granian.access")


class BadBind(SystemExit):
    def __init__(self, value: str):
        super().__init__(
            f"WELLBEING_BIND={value!r}: give HOST:PORT, for example 127.0.0.1:8000 or [::1]:8000"
        )


def logging_config() -> dict:
    """granian's log to stderr, through the app's token-redaction filter. The filter sits on the
    handler: a logger's own filter never sees what its children log."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "wellbeing.security.RedactTokens"}},
        "formatters": {"plain": {"format": "[%(levelname)s] %(message)s"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {name: {"handlers": ["stderr"], "propagate": False} for name in LOGGERS},
    }


def address(bind: str) -> tuple[str, int]:
    """(IP address, port) from HOST:PORT; a host name is looked up (`localhost:8000`)."""
    host, _, port = bind.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit():
        raise BadBind(bind)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:
            host = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)[0][4][0]
        except OSError as error:
            raise BadBind(bind) from error
    return host, int(port)


def settings(environ=os.environ, target="app:app", working_dir=REPOSITORY) -> dict:
    """granian's settings from the environment (the module's docstring lists them), serving
    `target` (module:name) from `working_dir`."""

    def setting(name):
        return chosen(name, environ.get(f"WELLBEING_{name}"))

    host, port = address(setting("BIND"))
    return {
        "target": target,
        "interface": Interfaces.WSGI,
        "address": host,
        "port": port,
        "workers": int(setting("WORKERS")),
        "blocking_threads": int(setting("THREADS")),
        # A thread idle this long ends, and its SQLite connection with it: granian's longest,
        # so that a quiet evening does not cost the next request a new connection.
        "blocking_threads_idle_timeout": 600,
        "websockets": False,
        "working_dir": working_dir,
        "log_level": LogLevels.info,
        "log_dictconfig": logging_config(),
        "log_access": False,
        # A worker that dies (killed, out of memory) is started again; one that cannot start at
        # all (a setting missing) stops the server after a few tries, with the reason logged.
        "respawn_failed_workers": True,
        # A reload (HUP) starts each new worker this long before it stops the old one: time to
        # load the app (about 1 s here), so that a worker is always listening.
        "respawn_interval": 3.5,
        # A stopping worker finishes what it serves, a projector's longest wait (25 s) included,
        # then is ended: within systemd's TimeoutStopSec (30 s) when the service stops.
        "workers_kill_timeout": 28,
    }


def main(arguments=None):
    arguments = sys.argv[1:] if arguments is None else arguments
    # Each worker a fresh interpreter, not a fork of this one: this process has imported the
    # package it starts from, and forked workers kept that code, so a reload after `git pull`
    # went on serving the old release (tests/test_deploy.py).
    multiprocessing.set_start_method("spawn")
    if arguments:  # another app, from the current directory (`make bench`'s hello)
        served = settings(target=arguments[0], working_dir=Path.cwd())
    else:  # the app, from the repository, wherever it is started from
        served = settings()
    Server(**served).serve()


if __name__ == "__main__":
    main()
