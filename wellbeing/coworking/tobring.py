"""Notes "to bring to supervision" from the debrief (issue 27).

The card's debrief asks "Anything to take to supervision?" (en.json, this app). Each partner may
write a short note. docs/design.md "The data rule": it is the writer's alone until they share it
with their supervisor, one deliberate act after an exact preview, and they can withdraw it. The
supervisor reads shared notes as an agenda on the writer's page, and that look is logged for the
pair like every other. The text is sealed at rest (cli.SEALED_COLUMNS).
"""

from ..atrest import seal, unseal
from ..clock import now
from ..db import get_db, rows

COLUMN = "supervision_notes.text"


def _opened(row: dict) -> dict:
    row = dict(row)
    row["text"] = unseal(row.pop("text_sealed"), COLUMN)
    return row


def notes_of(member, pair_id: int) -> list[dict]:
    """The writer's own notes from this pair's debriefs, newest first."""
    found = rows(
        "select * from supervision_notes where user_id = ? and pair_id = ? order by id desc",
        [member.id, pair_id],
    )
    return [_opened(row) for row in found]


def add(member, pair_id: int, text: str) -> int:
    return (
        get_db()["supervision_notes"]
        .insert(
            {
                "user_id": member.id,
                "pair_id": pair_id,
                "text_sealed": seal(text, COLUMN),
                "created_at": now(),
                "shared_at": None,
            }
        )
        .last_pk
    )


def share(note: dict, shared: bool):
    get_db().execute(
        "update supervision_notes set shared_at = ? where id = ?",
        [now() if shared else None, note["id"]],
    )


def remove(note: dict):
    get_db().execute("delete from supervision_notes where id = ?", [note["id"]])


def agenda_for(supervisee_id: int) -> list[dict]:
    """What the supervisee shared to bring to supervision, oldest first: never an unshared
    note. Only a supervisor assigned to them reaches this (permissions.get_supervisee)."""
    found = rows(
        "select supervision_notes.* from supervision_notes where user_id = ?"
        " and shared_at is not null order by shared_at, id",
        [supervisee_id],
    )
    return [_opened(row) for row in found]
