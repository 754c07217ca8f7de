"""Guideline content kept as data: one file per language, adapted per organisation.

Kinds: `practice` (the 'Is this always abusive?' line), `situation` (the painful-points
discomfort checklist), and three kinds of contact, all set locally (issue 22): `support_contact`
(staff support: helplines and employee support for the workers), `womens_service` (the women's
support service that safety concerns are passed to) and `men_helpline` (helplines for the men,
printed as a poster for the group room).
An organisation's copy lives in `content_entries`; a reset puts the guidelines' wording back.
"""

import json
from functools import cache
from pathlib import Path

from ..clock import now
from ..db import get_db, move_in_order, rows, writing

KINDS = ("practice", "situation", "support_contact", "womens_service", "men_helpline")
# The three kinds of contact (issue 22).
CONTACT_KINDS = ("support_contact", "womens_service", "men_helpline")
# Kinds with a guidelines default to go back to; support contacts are always local.
RESETTABLE = ("practice", "situation")
HERE = Path(__file__).parent


@cache
def guidelines(language: str = "en") -> dict:
    return json.loads((HERE / f"{language}.json").read_text(encoding="utf-8"))


@cache
def safety() -> dict:
    """Issue 22: the debrief's safety question and the pages for the women's support service."""
    return json.loads((HERE / "safety.json").read_text(encoding="utf-8"))


@cache
def sexual_respect() -> dict:
    """The guidelines' client materials on sexual respect: three sessions and the extras."""
    return json.loads((HERE / "sexual_respect.json").read_text(encoding="utf-8"))


@cache
def sources() -> dict:
    """The one table of the documents the content quotes (issue 24): each one's title,
    publisher or authors, year and the sections the app uses. People read `cite_as`."""
    return json.loads((HERE / "sources.json").read_text(encoding="utf-8"))


def suggested(org_id: int, kind: str) -> list[dict]:
    """Contacts the sources name that the organisation hasn't added yet (issue 12: Section 8
    names the Respect Phoneline; issue 22 moved it to the helplines for the men). Offered to
    the admin with one button, never added for them:
    support contacts are always the organisation's own choice."""
    offered = guidelines()[kind].get("suggested", [])
    if not offered:
        return []
    have = {(entry["text"], entry["phone"]) for entry in entries(org_id, kind)}
    return [
        suggestion
        for suggestion in offered
        if (suggestion["text"], suggestion.get("phone")) not in have
    ]


def entries(org_id: int, kind: str) -> list[dict]:
    return rows(
        "select * from content_entries where org_id = ? and kind = ? and removed_at is null"
        " order by position, id",
        [org_id, kind],
    )


def reset_to_guidelines(org_id: int, kind: str):
    """Replace the organisation's list with the guidelines' own, in one transaction."""
    db = get_db()
    with writing():
        db.execute("delete from content_entries where org_id = ? and kind = ?", [org_id, kind])
        db["content_entries"].insert_all(
            {
                "org_id": org_id,
                "kind": kind,
                "position": position,
                "text": entry["text"],
                "note": entry.get("note", ""),
            }
            for position, entry in enumerate(guidelines()[kind]["entries"])
        )


def add(org_id: int, kind: str, fields: dict) -> int:
    row = (
        get_db()
        .execute(
            "select coalesce(max(position), -1) + 1 from content_entries"
            " where org_id = ? and kind = ?",
            [org_id, kind],
        )
        .fetchone()
    )
    return (
        get_db()["content_entries"]
        .insert({"org_id": org_id, "kind": kind, "position": row[0], **fields})
        .last_pk
    )


def update(entry_id: int, fields: dict):
    get_db()["content_entries"].update(entry_id, fields)


def move(entry: dict, offset: int):
    with writing():
        siblings = entries(entry["org_id"], entry["kind"])
        move_in_order("content_entries", siblings, entry["id"], offset)


def remove(entry_id: int):
    update(entry_id, {"removed_at": now()})


def restore(entry_id: int):
    update(entry_id, {"removed_at": None})
