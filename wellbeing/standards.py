"""How an organisation reads the Respect standards where they leave it a choice (issue 24).

Ground floor: the database and the content only. Coworking (mentoring, groups), supervision
(targets, group meetings) and the organisation's pages all read these from here, so a reading is
set in one place and every page says the same.

- §3.12: "mentored by an experienced co-worker for at least 6 months or 26 sessions". The app
  reads "at least" as both (6 months and 26 sessions) unless the organisation chooses "either".
- §3.13: "Inexperienced staff will require more than this." While a worker is in mentoring their
  monthly target rises to the organisation's figure, 2 hours unless it sets another.
- §3.13 says nothing of group supervision: the organisation chooses whether a group session
  counts in full for each person in it or is shared between them.
"""

from zoneinfo import available_timezones

from flask import g

from . import clock
from .db import first_row, get_db

MENTORING_READINGS = ("at_least", "either")
GROUP_COUNTING = ("full", "shared")
DEFAULT_MENTORING_TARGET_MINUTES = 120
DEFAULTS = {
    "mentoring_reading": "at_least",
    "mentoring_target_minutes": DEFAULT_MENTORING_TARGET_MINUTES,
    "group_supervision_counts": "full",
    # Not a standard: where the organisation is, so "today" and a week's Monday are its own
    # (wellbeing/clock.py, issue 25). Set on the same page, with the other choices it makes.
    "time_zone": clock.DEFAULT_ZONE,
}
# The zones offered: the European Network's members, and UTC.
TIME_ZONES = sorted(
    name for name in available_timezones() if name.startswith("Europe/") or name == "UTC"
)


def of(org_id: int) -> dict:
    """The organisation's readings, each falling back to the app's default."""
    row = first_row(
        "select mentoring_reading, mentoring_target_minutes, group_supervision_counts,"
        " time_zone from organisations where id = ?",
        [org_id],
    )
    return {key: (row or {}).get(key) or default for key, default in DEFAULTS.items()}


def save(org_id: int, readings: dict):
    """Called inside the request's `writing()` (the organisation's settings page)."""
    get_db()["organisations"].update(org_id, {key: readings[key] for key in DEFAULTS})
    g.pop("time_zones", None)
