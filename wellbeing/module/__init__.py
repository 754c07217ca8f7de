"""The module (issue 12): the guidelines' Sexual Respect module, its sessions as run sheets.

The module's three sessions and its extras are content (wellbeing/content/sexual_respect.json,
seed 000 "Materials for working with clients on sexual respect"). An organisation adapts them to
its own session length (adapted.py); a pair plans tonight's session and who leads each part
(plans.py); the before-session card shows the run sheet, and opens offline like the card.
Nothing here is private: it is the organisation's content plus the pair's plan. A supervisor
sees a pair's plans only if both partners share them (topic "sessions"). Its pages are under
/module/; the addresses they had before, under /sessions/, lead there (moved.py).
"""

from flask import Blueprint

bp = Blueprint("module", __name__)

from . import moved, routes  # noqa: E402, F401
