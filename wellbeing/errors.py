"""Friendly error pages: no stack traces, and an expired form keeps what was typed."""

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

# An htmx update that fails shows the whole friendly page, not a page inside a fragment.
WHOLE_PAGE = {"HX-Retarget": "body", "HX-Reswap": "innerHTML"}

# Never echo secrets back into a page, even to the person who typed them.
# `confirm` is the "type it again" password field of the invitation and reset forms.
NOT_ECHOED = ("password", "confirm", "csrf_token")


def form_expired(error):
    """Show the form's fields again with a fresh token, so nothing typed is lost."""
    kept = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if not any(word in name for word in NOT_ECHOED)
    ]
    page = render_template(
        "errors/form_expired.html", kept=kept, action=request.full_path.rstrip("?")
    )
    return page, 400, WHOLE_PAGE


def http_error(error: HTTPException):
    titles = {
        403: _("This page isn't for your role"),
        404: _("We couldn't find that page"),
        405: _("That doesn't work here"),
        409: _("This is kept read-only now"),
        429: _("Please wait a moment"),
    }
    title = titles.get(error.code, _("Something went wrong"))
    return render_template("errors/error.html", error=error, title=title), error.code, WHOLE_PAGE


def server_error(error):
    page = render_template("errors/error.html", error=None, title=_("Something went wrong"))
    return page, 500, WHOLE_PAGE


def init_app(app):
    app.register_error_handler(CSRFError, form_expired)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(500, server_error)
