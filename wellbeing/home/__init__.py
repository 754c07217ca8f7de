"""The home screen, and what a person's whole life in the app touches: the upper floor.

Issue 25: the home screen gathers every feature (pairs, tonight's session, her safety first),
and `lifecycle` switches a person off, deletes them, or gathers their data across every
feature's tables. Both stand above the features; the ground floor (`wellbeing/people/`) knows
none of them.
"""

from flask import Blueprint

bp = Blueprint("home", __name__)

from . import routes  # noqa: E402,F401
