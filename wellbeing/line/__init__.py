"""Training-day rooms: the live 'Is this always abusive?' line for a room full of phones (issue 6).

Guidelines, "Scrutinise your beliefs and expectations: Is this always abusive?". A trainer opens
a room; people join it with a short code, a QR code or a link, with no account; each places
themselves on the line on their own phone; the projector shows the combined picture.

Phones poll with ETags: a poll whose room has not changed is answered 304 after one indexed
read. The projector's poll is a long one, answered the moment the room changes (docs/design.md
"A live projector"; docs/benchmarks.md measures both: "room fan-out").
"""

from flask import Blueprint

bp = Blueprint("line", __name__)

from . import picture, rooms, routes  # noqa: E402, F401

bp.record_once(lambda state: rooms.init_waits(state.app))

bp.app_template_global("place_words")(picture.place_words)
bp.app_template_global("band_names")(picture.band_names)
bp.app_template_global("place_stops")(picture.place_stops)
