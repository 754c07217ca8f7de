"""How the app is served, for `make run`, the server (deploy/) and `make bench`: granian.

    python -m wellbeing.serving

(`make bench` serves its bare Flask app the same way: `python -m wellbeing.serving hello:app`,
from bench/.) Three settings come from the environment, so that one command serves all three:

- WELLBEING_BIND: where it listens, HOST:PORT (behind a proxy on the same machine; `make run`
  sets it).
- WELLBEING_WORKERS: how many worker processes. Each thread keeps its own SQLite connection,
  opened in its worker, so the app is loaded after each worker starts, never before.
- WELLBEING_THREADS: how many requests each worker runs at once.

Their defaults are in the one table of settings (wellbeing/settings.py).

Why granian (docs/design.md, "A live projector"): it reads and writes HTTP in Rust, outside
Python's interpreter lock, and hands each request to one of a few Python threads in the order it
came. Under gunicorn's threaded workers, gunicorn's own loop took turns at the interpreter with
every request's thread: in `make bench` the signed-in home's p99 at 32 connections was 56.6 ms,
against 25.0 under granian, which answered 70% more requests a second (docs/benchmarks.md). A
projector's live picture is a request that waits until the room changes: it holds one of the
threads while it waits, and so each worker has a few.

No access log. Invitation and reset links carry their one-time token in the path (/invite/<token>,
/reset/<token>), and an access log would also keep every person's address and times; granian's
own log passes the app's token-redaction filter (wellbeing/security.py), to stderr: journald
under systemd. tests/test_deploy.py checks both.
"""

import os
import sys
from pathlib import Path

from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server import Server

from .settings import BY_NAME

THREADS = BY_NAME["THREADS"].default
REPOSITORY = Path(__file__).resolve().parent.parent
LOGGERS = ("_granian", "granian.access")  # granian's own and its access log's


def logging_config() -> dict:
    """granian's log to stderr, through the app's token-redaction filter."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "wellbeing.security.RedactTokens"}},
        "formatters": {"plain": {"format": "[%(levelname)s] %(message)s"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            name: {"handlers": ["stderr"], "filters": ["redact"], "propagate": False}
            for name in LOGGERS
        },
    }


def settings(environ=os.environ, target="app:app", working_dir=REPOSITORY) -> dict:
    """granian's settings from the environment (the module's docstring lists them), serving
    `target` (module:name) from `working_dir`."""

    def setting(name):
        return environ.get(f"WELLBEING_{name}") or BY_NAME[name].default

    host, _, port = setting("BIND").rpartition(":")
    return {
        "target": target,
        "interface": Interfaces.WSGI,
        "address": host.strip("[]"),
        "port": int(port),
        "workers": int(setting("WORKERS")),
        "blocking_threads": int(setting("THREADS")),
        "websockets": False,
        "working_dir": working_dir,
        "log_level": LogLevels.info,
        "log_dictconfig": logging_config(),
        "log_access": False,
        # A worker that dies (killed, out of memory) is started again; one that cannot start at
        # all (a setting missing) stops the server after a few tries, with the reason logged.
        "respawn_failed_workers": True,
        # A reload (HUP) or a stop lets a worker finish what it serves, a projector's longest
        # wait (25 s) included, then ends it: within systemd's TimeoutStopSec (30 s).
        "workers_kill_timeout": 28,
    }


def main(arguments=sys.argv[1:]):
    if arguments:  # another app, from the current directory (`make bench`'s hello)
        Server(**settings(target=arguments[0], working_dir=Path.cwd())).serve()
    else:  # the app, from the repository, wherever it is started from
        Server(**settings()).serve()


if __name__ == "__main__":
    main()
