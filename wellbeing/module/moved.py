"""The module's pages were under /sessions/ until issue 25 gave "session" one meaning (one of
the module's three sessions). A bookmark, a kept page or a printed link to an old address
still works: each leads, for good, to the page's address under /module/, query string and all.

A GET is answered 301, so browsers and the service worker remember the new address. A form
sent to an old address (the timing editor's, from a page opened before the change) is answered
308, which sends the same POST, form token included, to the new one: 301 would turn it into a
GET and lose what was typed. Nobody needs to be signed in to be sent on: the page they reach
asks for that itself (docs/access.md).
"""

from flask import redirect, request, url_for

from . import bp


def moved(endpoint: str, **values):
    """The same request, sent on to `endpoint`'s address."""
    target = url_for(endpoint, **values)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, 301 if request.method == "GET" else 308)


@bp.get("/sessions/")
def moved_module():
    return moved("module.module_show")


@bp.get("/sessions/<key>")
def moved_session(key):
    return moved("module.session_show", key=key)


@bp.get("/sessions/activities/<activity_key>")
def moved_activity(activity_key):
    return moved("module.activity_show", activity_key=activity_key)


@bp.get("/sessions/<key>/print")
def moved_print(key):
    return moved("module.session_print", key=key)


@bp.route("/sessions/<key>/timing", methods=("GET", "POST"))
def moved_timing(key):
    return moved("module.timing_show" if request.method == "GET" else "module.timing_save", key=key)


@bp.post("/sessions/<key>/timing/total")
def moved_timing_total(key):
    return moved("module.timing_total", key=key)


@bp.route("/sessions/<key>/timing/reset", methods=("GET", "POST"))
def moved_timing_reset(key):
    endpoint = "module.timing_reset_confirm" if request.method == "GET" else "module.timing_reset"
    return moved(endpoint, key=key)
