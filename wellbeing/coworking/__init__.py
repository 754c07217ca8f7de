"""Co-working pairs (issue 4): the new-partnership conversation, the redirection-strategy
agreement, weekly check-ins and the before-session card.

Sources: the guidelines' Co-worker discussion questions and Support and supervision sections,
and Respect standards §3.12, §3.14 and §4.9. docs/design.md "The data rule": pair data is read by
the two co-workers only, sealed at rest, and goes to supervision only when both partners say so.
"""

from flask import Blueprint

bp = Blueprint("coworking", __name__, url_prefix="/pairs")

from ..content import guidelines  # noqa: E402
from ..permissions import supervisor_sees  # noqa: E402
from . import routes  # noqa: E402, F401
from .checkins import STATE_WORDS  # noqa: E402

# A global, not a context processor: the pages' imported macros see globals only.
bp.record_once(
    lambda setup: setup.app.jinja_env.globals.update(
        checkin_words=STATE_WORDS,
        checkin_questions=guidelines()["coworking"]["checkin"],
        supervision_sees=supervisor_sees,
    )
)
