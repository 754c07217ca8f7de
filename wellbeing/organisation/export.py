"""The organisation's shared records, exported by an admin for their own files (issue 5).

docs/design.md "The data rule": only organisation-class data and the dates, durations and ticks that
run the service. Never a vault (it is ciphertext only its owner can open), never what a pair
wrote together (pair data: the conversation, the agreement, check-ins), and never supervision
notes, which belong to the supervisor and the supervisee.
"""

import csv
import io
import json

from ..db import rows
from ..supervision import record

TABLES = (
    "people",
    "password_resets",
    "pairs",
    "supervisors",
    "supervision_meetings",
    "group_logs",
    "training_topics",
    "content",
)
LEFT_OUT = (
    "Private vaults (only their owner's passphrase opens them)",
    "What pairs wrote together: conversation answers, agreements, check-ins",
    "Supervision notes and supervisors' comments on agreements",
    "Pair names (a pair names itself: pair data)",
    # Issue 22: the admin sees counts only (Safety concerns passed on), never which pair or when.
    "Pairs' answers to the debrief's safety question (the admin sees the counts only)",
)
# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...)), so
# such a cell gets a leading apostrophe: shown as typed, never run (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def people(org_id):
    return rows(
        "select users.id, users.name, users.email, users.created_at,"
        " (select group_concat(role, ' ') from user_roles where user_id = users.id) as roles"
        " from users where org_id = ? order by users.id",
        [org_id],
    )


def password_resets(org_id):
    """Who made a reset link for whom, and what became of it (issue 11, finding 3)."""
    return rows(
        "select person.name as person, maker.name as made_by, r.created_at, r.used_at,"
        " r.cancelled_at from password_resets r join users person on person.id = r.user_id"
        " left join users maker on maker.id = r.created_by where person.org_id = ?"
        " order by r.created_at, r.id",
        [org_id],
    )


def pairs(org_id):
    # Who co-works with whom, and when: organisation data. The pair's own name is pair data.
    return rows(
        "select pairs.id, pairs.created_at, pairs.ended_at,"
        " (select group_concat(users.name, ' & ') from pair_members"
        "  join users on users.id = pair_members.user_id where pair_id = pairs.id) as members"
        " from pairs where org_id = ? order by pairs.id",
        [org_id],
    )


def supervisors(org_id):
    found = rows(
        "select supervisor.name as supervisor, supervisee.name as supervisee,"
        " supervisee.id as supervisee_id, supervisions.assigned_at from supervisions"
        " join users supervisor on supervisor.id = supervisions.supervisor_id"
        " join users supervisee on supervisee.id = supervisions.supervisee_id"
        " where supervisions.org_id = ? order by supervisions.id",
        [org_id],
    )
    # Issue 24: the target as the record reads it (record.target: the minimum, a supervisor's
    # figure, or the raised one while in mentoring), from that one place and never a copy.
    return [
        {
            "supervisor": r["supervisor"],
            "supervisee": r["supervisee"],
            "monthly_target_minutes": record.target_of(r["supervisee_id"]),
            "assigned_at": r["assigned_at"],
        }
        for r in found
    ]


def supervision_meetings(org_id):
    found = rows(
        "select s.id, s.held_on, s.minutes, s.format, s.areas, s.external,"
        " users.name as supervisor,"
        " (select group_concat(u.name, ' & ') from supervision_attendees a"
        "  join users u on u.id = a.supervisee_id where a.meeting_id = s.id) as supervisees"
        " from supervision_meetings s join users on users.id = s.supervisor_id"
        " where s.org_id = ? order by s.held_on, s.id",
        [org_id],
    )
    return [dict(r, areas=" ".join(json.loads(r["areas"]))) for r in found]


def group_logs(org_id):
    return rows(
        "select g.id, users.name as facilitator, g.pair_id, g.held_on, g.with_experienced,"
        " g.participants"
        " from group_logs g join users on users.id = g.user_id"
        " where users.org_id = ? order by g.held_on, g.id",
        [org_id],
    )


def training_topics(org_id):
    # Respect §3.12 makes training the responsibility "of projects and practitioners": the
    # project's copy of what each facilitator ticked (topic ids as in en.json).
    return rows(
        "select users.name as facilitator, t.topic, t.ticked_at from training_topics t"
        " join users on users.id = t.user_id where users.org_id = ? order by users.name, t.topic",
        [org_id],
    )


def content(org_id):
    return rows(
        "select kind, position, text, note, phone, link from content_entries"
        " where org_id = ? and removed_at is null order by kind, position, id",
        [org_id],
    )


def everything(org_id) -> dict:
    tables = {name: globals()[name](org_id) for name in TABLES}
    return {"left_out": list(LEFT_OUT), **tables}


def as_csv(org_id, table: str) -> str:
    assert table in TABLES
    found = globals()[table](org_id)
    out = io.StringIO()
    if found:
        writer = csv.DictWriter(out, fieldnames=list(found[0]))
        writer.writeheader()
        writer.writerows({key: cell(value) for key, value in row.items()} for row in found)
    return out.getvalue()


def cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
