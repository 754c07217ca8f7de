"""Training-day rooms: the live 'Is this always abusive?' line for a room full of phones (issue 6).

Guidelines, "Scrutinise your beliefs and expectations: Is this always abusive?". A trainer opens
a room; people join it with a short code, a QR code or a link, with no account; each places
themselves on the line on their own phone; the projector shows the combined picture.

Live updates are short polls with ETags, not server-sent events: `make run` serves with two
gunicorn sync workers, and an open event stream would hold one of them for as long as a projector
is open, leaving one worker for 200 phones. A poll whose room has not changed is answered 304
after one indexed read (docs/benchmarks.md measures it: "room fan-out").
"""

from flask import Blueprint

bp = Blueprint("line", __name__)

from . import picture, routes  # noqa: E402, F401

bp.app_template_global("place_words")(picture.place_words)
bp.app_template_global("band_names")(picture.band_names)
