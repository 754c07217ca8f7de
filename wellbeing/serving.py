"""The gunicorn worker `make run` and `deploy/` use: gthread, taking new connections only while
it has a thread free (deploy/gunicorn.conf.py, docs/design.md "A live projector").

Both workers take connections from one listening socket, and a kept-alive connection stays with
the worker that took it. gunicorn's own threaded worker takes every connection it is woken for,
so the worker that woke first could take a whole burst of them: all 32 of a load test's were
seen on one worker (counted with `ss`), which then served them at a third of the pace of two
workers sharing them, its 16 threads taking turns at one interpreter while the other process
sat idle (docs/benchmarks.md, "Why a figure moves"). This worker stops taking connections while
every thread has one to serve, so the others wait in the socket's queue for whichever worker
frees a thread first. A connection kept alive between requests holds no thread.

It reads three counters of gunicorn's gthread worker (gunicorn is pinned in requirements.txt);
tests/test_deploy.py serves through it and counts each worker's connections.
"""

from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker


class ThreadWorker(GunicornThreadWorker):
    def busy(self) -> bool:
        """Every thread has a connection to serve, or one waiting for it."""
        idle = len(self.keepalived_conns) + len(self.pending_conns)
        return self.nr_conns - idle >= self.cfg.threads

    def accept(self, listener):
        super().accept(listener)
        if self.busy():
            # Taken up again by the worker's loop, which asks on every turn (`run`).
            super().set_accept_enabled(False)

    def set_accept_enabled(self, enabled):
        super().set_accept_enabled(enabled and not self.busy())
