"""Supervision (issue 5): the supervisor's home, shared agreements to review, the rhythm of
check-ins, the supervision record against Respect §3.13, and mentoring and workload (§3.12,
§4.9).

docs/design.md "The data rule": a supervisor sees only their assigned supervisees, those people's
pairs, and what a pair chose to share, and every view of a pair's shared things is logged for the
pair to see (coworking/oversight.py: the log is the pair's). Supervision records can be disclosed in
court, so a supervisee can always read the notes about them, or at least see that a "supervisor
only" note exists.
"""

from flask import Blueprint

# The guidelines' supervision section, one reader for both blueprints (wellbeing/workload.py
# holds the mentoring and workload rules that read it too).
from ..workload import guidance  # noqa: F401

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


from . import routes  # noqa: E402, F401
