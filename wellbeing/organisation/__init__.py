"""Organisation admin: people and invitations, local content, and support contacts."""

from flask import Blueprint

bp = Blueprint("organisation", __name__, url_prefix="/organisation")

from . import routes  # noqa: E402,F401
