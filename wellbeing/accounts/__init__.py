"""Accounts: sign in and out, invitations, password resets, and the home screen."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

bp = Blueprint("accounts", __name__)
login_manager = LoginManager()
login_manager.login_view = "accounts.signin_show"
login_manager.login_message = _l("Please sign in to see that page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_token):
    from .people import load_person

    return load_person(session_token)


def init_app(app):
    login_manager.init_app(app)


from . import routes  # noqa: E402,F401
