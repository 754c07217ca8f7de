"""The organisation's version of the Sexual Respect sessions.

Seed 000, "Materials for working with clients on sexual respect": "The following materials are
set out for delivery in three 2.5 hour group work sessions … You can and should adapt them to
your standard session lengths, context and to individual work as needed." The seed's own
timings add up to 120, 110 and 95 minutes, so every page shows the real total, never "2.5 hours".
"""

import secrets
from functools import cache

from .. import content
from ..clock import now
from ..db import first_row, get_db, new_version, rows, writing

# Minutes one activity may take, and a whole session: four and five hours leave room for any
# organisation's own length while catching a typo of an extra zero.
MINUTES = range(1, 241)
MAX_TOTAL = 300
TITLE_LENGTH = 120
DESCRIPTION_LENGTH = 2000


class Conflict(Exception):
    """Someone else saved since the form was opened; `current` is what they saved (or None
    if it has since gone). The timing editor and the plan form both raise it."""

    def __init__(self, current: dict | None):
        self.current = current


def module() -> dict:
    return content.sexual_respect()


@cache
def guideline_activities() -> dict[str, dict]:
    """Every activity of the module, the sessions' and the extras', by its key."""
    found = {a["key"]: a for s in module()["sessions"] for a in s["activities"]}
    found.update((a["key"], a) for a in module()["extras"])
    return found


@cache
def guideline_totals() -> tuple[int, ...]:
    """Each session's minutes as the guidelines time it (120, 110 and 95)."""
    return tuple(sum(a["minutes"] for a in s["activities"]) for s in module()["sessions"])


def guideline_session(key: str) -> dict | None:
    return next((s for s in module()["sessions"] if s["key"] == key), None)


def guideline_step(activity: dict) -> dict:
    return {
        "key": activity["key"],
        "title": activity["title"],
        "minutes": activity["minutes"] or 15,
        "own": False,
        "description": "",
        "left_out": False,
        "activity": activity,
    }


def stored_step(row: dict) -> dict:
    activity = guideline_activities().get(row["activity_key"])
    return {
        "key": row["activity_key"],
        "title": activity["title"] if activity else row["title"],
        "minutes": row["minutes"],
        "own": activity is None,
        "description": row["description"] or "",
        "left_out": bool(row["left_out"]),
        "activity": activity,
    }


def total(steps: list[dict]) -> int:
    return sum(step["minutes"] for step in steps if not step["left_out"])


def session(org_id: int, key: str) -> dict | None:
    """A session as this organisation runs it: its steps in order, the total, and the
    guidelines' own total beside it. None for a key the module doesn't have."""
    base = guideline_session(key)
    if base is None:
        return None
    adaptation = first_row(
        "select * from session_adaptations where org_id = ? and session_key = ?", [org_id, key]
    )
    if adaptation:
        found = rows(
            "select * from session_activities where org_id = ? and session_key = ?"
            " order by position",
            [org_id, key],
        )
        steps = [stored_step(row) for row in found]
    else:
        steps = [guideline_step(activity) for activity in base["activities"]]
    guideline_total = sum(a["minutes"] for a in base["activities"])
    return {
        "stated_length_words": module()["stated_length_words"],
        "guideline_totals": guideline_totals(),
        **base,
        "steps": steps,
        "running": [step for step in steps if not step["left_out"]],
        "total": total(steps),
        "guideline_total": guideline_total,
        "adapted": adaptation is not None,
        "version": adaptation["version"] if adaptation else 0,
        "updated_at": adaptation["updated_at"] if adaptation else None,
    }


def sessions(org_id: int) -> list[dict]:
    return [session(org_id, s["key"]) for s in module()["sessions"]]


def new_own_key() -> str:
    return "own-" + secrets.token_hex(4)


def save(org_id: int, key: str, steps: list[dict], base_version: int, editor_id: int):
    """Store the organisation's version, unless someone saved since `base_version`."""
    db = get_db()
    with writing():
        current = session(org_id, key)
        if current["version"] != base_version:
            raise Conflict(current)
        db.execute(
            "delete from session_activities where org_id = ? and session_key = ?", [org_id, key]
        )
        db.execute(
            "insert into session_adaptations (org_id, session_key, version, updated_by,"
            " updated_at) values (?, ?, ?, ?, ?) on conflict (org_id, session_key) do update"
            " set version = excluded.version, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at",
            [org_id, key, new_version(), editor_id, now()],
        )
        for position, step in enumerate(steps):
            db.execute(
                "insert into session_activities (org_id, session_key, position, activity_key,"
                " title, description, minutes, left_out) values (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    org_id,
                    key,
                    position,
                    step["key"],
                    step["title"] if step["own"] else None,
                    step["description"] if step["own"] else None,
                    step["minutes"],
                    int(step["left_out"]),
                ],
            )


def reset(org_id: int, key: str):
    """Back to the guidelines' version: the organisation's rows go."""
    db = get_db()
    with writing():
        for table in ("session_activities", "session_adaptations"):
            db.execute(f"delete from {table} where org_id = ? and session_key = ?", [org_id, key])


def find_step(org_id: int, key: str, activity_key: str) -> tuple[dict, dict] | None:
    """A session and one of its steps, as this organisation runs it."""
    found = session(org_id, key)
    if found is None:
        return None
    step = next((s for s in found["steps"] if s["key"] == activity_key), None)
    return (found, step) if step else None
