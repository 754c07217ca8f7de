"""Accounts: sign in and out, invitations, password resets, and the home screen."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import LoginManager

from ..extensions import htmx

bp = Blueprint("accounts", __name__)
login_manager = LoginManager()


@login_manager.unauthorized_handler
def unauthorized():
    """Back to sign-in, then on to the page they asked for (local paths only)."""
    target = url_for("accounts.signin_show")
    asked_for = request.full_path.rstrip("?")
    if request.method == "GET" and asked_for != url_for("home.home"):
        flash(_("Please sign in to see that page."), "info")
        target = url_for("accounts.signin_show", next=asked_for)
    if htmx:
        # An htmx request would otherwise swap the sign-in page into a fragment.
        return "", 204, {"HX-Redirect": target}
    return redirect(target)


@login_manager.user_loader
def load_user(signin_token):
    from ..people.signins import load_person

    return load_person(signin_token)


def init_app(app):
    login_manager.init_app(app)


from . import routes  # noqa: E402,F401
