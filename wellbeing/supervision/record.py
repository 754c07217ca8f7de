"""The supervision record: sessions against Respect §3.13.

§3.13: "One and a half hour's supervision a month is a minimum. Inexperienced staff will require
more than this." The eight areas a session covers are the standard's own list, kept as data in
wellbeing/content/<language>.json (`supervision.areas`).
"""

import json
from datetime import date

from ..atrest import seal, unseal
from ..db import get_db, now, rows, writing
from ..permissions import reads_note
from . import guidance

MONTHS_SHOWN = 6
AREA_MONTHS = 3  # "which areas have not been touched in the last three months"
MAX_NOTES = 10_000


def area_ids() -> list[str]:
    return [area["id"] for area in guidance()["areas"]]


def minimum_minutes() -> int:
    return guidance()["minimum_minutes"]


def log_session(supervisor, fields: dict, supervisee_ids: list[int]) -> int:
    """A session and who was in it, written together or not at all."""
    db = get_db()
    with writing():
        session_id = (
            db["supervision_sessions"]
            .insert(
                {
                    "org_id": supervisor.org_id,
                    "supervisor_id": supervisor.id,
                    "held_on": fields["held_on"].isoformat(),
                    "minutes": fields["minutes"],
                    "format": fields["format"],
                    "areas": json.dumps(fields["areas"]),
                    "notes_sealed": seal(fields["notes"], "supervision.notes")
                    if fields["notes"]
                    else None,
                    "supervisor_only": int(bool(fields["supervisor_only"])),
                    "created_at": now(),
                }
            )
            .last_pk
        )
        db["supervision_attendees"].insert_all(
            {"session_id": session_id, "supervisee_id": who} for who in supervisee_ids
        )
    return session_id


def remove_session(session: dict) -> list[int]:
    """Removes a session and who was in it; returns who was in it."""
    db = get_db()
    attendees = [
        row["supervisee_id"]
        for row in rows(
            "select supervisee_id from supervision_attendees where session_id = ?",
            [session["id"]],
        )
    ]
    with writing():
        db.execute("delete from supervision_attendees where session_id = ?", [session["id"]])
        db.execute("delete from supervision_sessions where id = ?", [session["id"]])
    return attendees


def sessions_of(supervisee_id: int, supervisor_id: int | None = None) -> list[dict]:
    """A supervisee's sessions, newest first: all of them, or one supervisor's."""
    found = rows(
        "select supervision_sessions.*, users.name as supervisor_name,"
        " (select group_concat(u.name, ', ') from supervision_attendees a"
        "  join users u on u.id = a.supervisee_id where a.session_id = supervision_sessions.id)"
        " as attendees"
        " from supervision_sessions"
        " join supervision_attendees mine on mine.session_id = supervision_sessions.id"
        " join users on users.id = supervision_sessions.supervisor_id"
        " where mine.supervisee_id = ? and (? is null or supervision_sessions.supervisor_id = ?)"
        " order by held_on desc, supervision_sessions.id desc",
        [supervisee_id, supervisor_id, supervisor_id],
    )
    for row in found:
        sealed = row.pop("notes_sealed")
        row["notes"] = unseal(sealed, "supervision.notes") if sealed else ""
        row["areas"] = json.loads(row["areas"])
    return found


def as_read_by(sessions: list[dict], reader=None) -> list[dict]:
    """The sessions as `reader` may read them: a note they may not read (permissions.reads_note)
    becomes None, so they see that it exists but not its words (docs/design.md: never surprised by
    what is kept)."""
    return [s if reads_note(s, reader) else dict(s, notes=None) for s in sessions]


def month_start(day: date, back: int = 0) -> date:
    month = day.year * 12 + day.month - 1 - back
    return date(month // 12, month % 12 + 1, 1)


def months(sessions: list[dict], today: date, target: int, count: int = MONTHS_SHOWN) -> list:
    """Minutes of supervision in each of the last `count` months, oldest first."""
    shown = []
    for back in range(count - 1, -1, -1):
        start, end = month_start(today, back), month_start(today, back - 1)
        minutes = sum(
            s["minutes"] for s in sessions if start.isoformat() <= s["held_on"] < end.isoformat()
        )
        shown.append({"month": start, "minutes": minutes, "short": minutes < target})
    return shown


def area_months(today: date) -> list[date]:
    """The first days of the months the areas view covers, oldest first."""
    return [month_start(today, back) for back in range(AREA_MONTHS - 1, -1, -1)]


def areas_by_month(sessions: list[dict], today: date) -> list[dict]:
    """For each Respect §3.13 area, whether a session touched it in each of the last 3 months."""
    starts = area_months(today)
    ends = [*starts[1:], month_start(today, -1)]
    covered = []
    for area in guidance()["areas"]:
        touched = [
            any(
                area["id"] in s["areas"] and start.isoformat() <= s["held_on"] < end.isoformat()
                for s in sessions
            )
            for start, end in zip(starts, ends, strict=True)
        ]
        covered.append(dict(area, months=touched, untouched=not any(touched)))
    return covered


def target_of(supervisee_id: int) -> int:
    """The monthly target in minutes: the highest any supervisor set, never below §3.13's."""
    found = rows(
        "select max(target_minutes) as target from supervisions where supervisee_id = ?",
        [supervisee_id],
    )
    return max(found[0]["target"] or 0, minimum_minutes())


def set_target(link_id: int, minutes: int | None):
    get_db()["supervisions"].update(link_id, {"target_minutes": minutes})


def this_month_minutes(supervisee_ids: list[int], today: date) -> dict[int, int]:
    """Minutes of supervision each supervisee had this month, from one query."""
    totals = {who: 0 for who in supervisee_ids}
    found = rows(
        "select a.supervisee_id, sum(s.minutes) as minutes from supervision_attendees a"
        " join supervision_sessions s on s.id = a.session_id"
        f" where a.supervisee_id in ({', '.join('?' * len(supervisee_ids))}) and s.held_on >= ?"
        " group by a.supervisee_id",
        [*supervisee_ids, month_start(today).isoformat()],
    )
    for row in found:
        totals[row["supervisee_id"]] = row["minutes"]
    return totals
