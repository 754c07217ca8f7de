"""gunicorn's settings for `make run` and for the server: `gunicorn -c deploy/gunicorn.conf.py`.

Two settings come from the environment, so that one file serves both:

- WELLBEING_BIND: where gunicorn listens (default 127.0.0.1:8000, behind a proxy on the same
  machine; `make run` sets it to HOST:PORT).
- WELLBEING_WORKERS: how many worker processes (default 2). Each thread keeps its own SQLite
  connection, opened after the fork, so the app is never preloaded in the master.
- WELLBEING_THREADS: how many requests each worker serves at once (default 16).

Anything on gunicorn's command line overrides this file. docs/deployment.md explains the rest.
"""

import logging
import os
from pathlib import Path

wsgi_app = "app:app"
# The repository, wherever gunicorn is started from: `app:app` is found there.
chdir = str(Path(__file__).resolve().parent.parent)

bind = [os.environ.get("WELLBEING_BIND") or "127.0.0.1:8000"]
workers = int(os.environ.get("WELLBEING_WORKERS") or 2)
# Threaded workers (docs/design.md "A live projector"): a projector's live picture is a request
# that waits until the room changes, and with sync workers each one would hold a whole process.
# A waiting thread costs a little memory and no CPU. The threads of a worker share one Python
# interpreter, so CPU-bound work still runs on at most `workers` CPUs; connections are kept
# alive between requests, which sync workers can't do. gunicorn's gthread worker, taking a new
# connection only while it has a thread free, so that a burst is shared between the workers
# (wellbeing/serving.py says why).
worker_class = "wellbeing.serving.ThreadWorker"
threads = int(os.environ.get("WELLBEING_THREADS") or 16)

# gunicorn 25.1 and later open a control socket (for `gunicornc`) unless told not to: a way in
# that this app doesn't use, in a home directory the service user shouldn't write to.
control_socket_disable = True

# No access log. Invitation and reset links carry their one-time token in the path
# (/invite/<token>, /reset/<token>), and an access log would also keep every person's address
# and times. gunicorn's default is None (off); it is written here so nobody turns it on
# thinking it was forgotten. tests/test_deploy.py fails if it is on.
accesslog = None
# Errors (and the app's own log, which goes the same way) to stderr: journald under systemd.
errorlog = "-"
loglevel = "info"


def on_starting(server):
    """Every gunicorn record passes the app's token-redaction filter (wellbeing/security.py).

    The filter sits on the loggers, not their handlers, so it stays when gunicorn sets up its
    handlers again on a reload (SIGHUP); the workers inherit it when they fork. The app adds
    the same filter to its own logger when each worker creates it.
    """
    from wellbeing.security import RedactTokens

    redacting = RedactTokens()
    for name in ("gunicorn.error", "gunicorn.access"):
        logging.getLogger(name).addFilter(redacting)
