"""Friendly error pages: no stack traces, and an expired form keeps what was typed."""

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from .db import sqlite3

# An htmx update that fails shows the whole friendly page, not a page inside a fragment.
WHOLE_PAGE = {"HX-Retarget": "body", "HX-Reswap": "innerHTML"}

# Never echo secrets back into a page, even to the person who typed them.
# `confirm` is the "type it again" password field of the invitation and reset forms.
NOT_ECHOED = ("password", "confirm", "csrf_token")


def refuse(error_class, friendly: str):
    """A friendly 403 or 404 that says why, in words (templates/errors/error.html)."""
    error = error_class()
    error.friendly = friendly
    raise error


def kept_fields() -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if not any(word in name for word in NOT_ECHOED)
    ]


def form_expired(error):
    """Show the form's fields again with a fresh token, so nothing typed is lost."""
    page = render_template(
        "errors/form_expired.html", kept=kept_fields(), action=request.full_path.rstrip("?")
    )
    return page, 400, WHOLE_PAGE


# SQLite's primary result codes (sqlite.org/rescode.html) that mean "not now", not "a bug".
BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN = 5, 6, 8, 10, 13, 14
# How long a person (or the join and place scripts) should wait before sending again.
RETRY_AFTER_SECONDS = 2


def database_unavailable(error: sqlite3.OperationalError):
    """docs/design.md "Writing to the database": a busy database is never a 500, at worst a 503 with
    Retry-After. A full or read-only disk is a 503 too, with its own words: nothing already
    saved is lost (SQLite rolls the transaction back), and what was typed is shown again."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (BUSY, LOCKED):
        why = _("Many people are saving at this moment, so this wasn't saved yet.")
    elif code in (FULL, READONLY, IOERR, CANTOPEN):
        why = _(
            "The server can't save anything just now (its storage is full or read-only)."
            " Please tell your organisation's admin."
        )
    else:
        raise error  # anything else is a real fault: the 500 page, and the log
    message = _("%(why)s Nothing already saved is lost. Please try again in a moment.", why=why)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), **WHOLE_PAGE}
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error="unavailable", message=str(message)), 503, headers
    page = render_template(
        "errors/form_expired.html",
        kept=kept_fields(),
        action=request.full_path.rstrip("?") if request.method == "POST" else None,
        title=_("Not saved yet"),
        message=message,
    )
    return page, 503, headers


def http_error(error: HTTPException):
    if error.code == 413 and (
        request.is_json or request.accept_mimetypes.best == "application/json"
    ):
        # Over MAX_CONTENT_LENGTH (the largest backup), refused before the body is read: a
        # page's fetch() gets the backup's own answer (wellbeing/private/backup.py).
        limit = (request.max_content_length or 0) // 2**20
        message = _("A request may be at most %(n)s MB.", n=limit)
        return jsonify(error="too-large", message=str(message)), 413
    titles = {
        403: _("This page isn't for your role"),
        404: _("We couldn't find that page"),
        405: _("That doesn't work here"),
        409: _("This is kept read-only now"),
        429: _("Please wait a moment"),
    }
    title = titles.get(error.code, _("Something went wrong"))
    return render_template("errors/error.html", error=error, title=title), error.code, WHOLE_PAGE


def unknown_host(error: SecurityError):
    """A Host header that isn't one of WELLBEING_TRUSTED_HOSTS (issue 21, L3). No page can be
    built for a host the app doesn't serve (every link would point at it), so a few words."""
    return "This server doesn't answer to that host name.", 400, {"Content-Type": "text/plain"}


def server_error(error):
    page = render_template("errors/error.html", error=None, title=_("Something went wrong"))
    return page, 500, WHOLE_PAGE


def init_app(app):
    app.register_error_handler(CSRFError, form_expired)
    app.register_error_handler(sqlite3.OperationalError, database_unavailable)
    app.register_error_handler(SecurityError, unknown_host)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(500, server_error)
