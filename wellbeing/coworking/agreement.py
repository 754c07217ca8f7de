"""The redirection-strategy agreement: versions, confirmations and conflicts.

Guidelines, Co-worker discussion questions: "In the heat of the moment, there may not be time to
check in with colleague first about their wishes, so it is important to discuss and set out some
agreements for doing this before you start working together."

A version is "agreed" once both partners confirmed its latest revision. Changing an agreed
version starts the next version, which needs both confirmations again; old versions stay
readable. Every save names the version and revision it started from, so when both partners
edit at once the second save is refused and shown as a conflict, never silently lost.
"""

import json
from dataclasses import dataclass

from .. import content
from ..atrest import seal, unseal
from ..clock import now
from ..db import first_row, get_db, rows, storable, writing

CHOICES = ("as_written", "adapt", "not_for_us")
FIELDS = ("choice", "who", "words", "signal")
MAX_OWN = 10
MAX_TEXT = {"title": 200, "who": 200, "words": 1000, "signal": 300}


class Conflict(Exception):
    """The agreement changed since the person started editing it."""

    def __init__(self, current: dict):
        super().__init__("agreement changed")
        self.current = current


@dataclass(frozen=True)
class Base:
    """The version and revision an edit started from: (0, 0) before the first save."""

    number: int
    revision: int


def guideline_strategies() -> list[dict]:
    return content.guidelines()["coworking"]["agreement"]["strategies"]


def starting_point() -> list[dict]:
    """The guidelines' strategies, each still to be chosen, with their example wording."""
    return [
        {"id": s["id"], "choice": "", "who": s["who"], "words": s["words"], "signal": ""}
        for s in guideline_strategies()
    ]


def with_guidelines(strategies: list[dict]) -> list[dict]:
    """Each chosen strategy beside the guidelines' title, text and example wording."""
    known = {
        s["id"]: {
            "title": s["title"],
            "text": s["text"],
            "example": s["words"],
            "alternatives": s.get("alternatives", []),
        }
        for s in guideline_strategies()
    }
    return [dict(known.get(s["id"], {"own": True}), **s) for s in strategies]


def _open(row: dict | None) -> dict | None:
    if row is None:
        return None
    opened = dict(row, strategies=json.loads(unseal(row["strategies_sealed"], "agreements.body")))
    confirmed = rows(
        "select user_id from agreement_confirmations where version_id = ? and revision = ?",
        [row["id"], row["revision"]],
    )
    opened["confirmed_by"] = {c["user_id"] for c in confirmed}
    return opened


def current(pair: dict) -> dict | None:
    """The newest version: the draft being worked on, or the agreed one."""
    return _open(
        first_row(
            "select * from agreement_versions where pair_id = ? order by number desc limit 1",
            [pair["id"]],
        )
    )


def agreed(pair: dict) -> dict | None:
    """The newest agreed version: what holds in the group tonight."""
    return _open(
        first_row(
            "select * from agreement_versions where pair_id = ? and agreed_at is not null"
            " order by number desc limit 1",
            [pair["id"]],
        )
    )


def version(pair: dict, number: int) -> dict | None:
    if not storable(number):
        return None  # a number from a URL too big for SQLite is simply no version, not a crash
    return _open(
        first_row(
            "select * from agreement_versions where pair_id = ? and number = ?",
            [pair["id"], number],
        )
    )


def versions(pair: dict) -> list[dict]:
    return rows(
        "select number, revision, edited_at, agreed_at from agreement_versions"
        " where pair_id = ? order by number desc",
        [pair["id"]],
    )


def base_of(version: dict | None) -> Base:
    return Base(version["number"], version["revision"]) if version else Base(0, 0)


def save(pair: dict, member, base: Base, strategies: list[dict]) -> dict:
    """Save an edit made from `base`; raises Conflict if someone saved since."""
    db = get_db()
    body = seal(json.dumps(strategies), "agreements.body")
    with writing():
        latest = current(pair)
        if base != base_of(latest):
            raise Conflict(latest)
        # Plain SQL: sqlite-utils' update and insert read the table's schema first, inside the
        # write lock (issue 26: 50 pairs saving in the same moment of a training day).
        if latest and not latest["agreed_at"]:
            # Any change to a draft needs both confirmations again.
            db.execute(
                "update agreement_versions set strategies_sealed = ?, revision = ?,"
                " edited_by = ?, edited_at = ? where id = ?",
                [body, latest["revision"] + 1, member.id, now(), latest["id"]],
            )
        else:
            db.execute(
                "insert into agreement_versions (pair_id, number, revision, strategies_sealed,"
                " edited_by, edited_at) values (?, ?, 1, ?, ?, ?)",
                [pair["id"], base.number + 1, body, member.id, now()],
            )
    return current(pair)


def confirm(pair: dict, member, base: Base) -> dict:
    """The member confirms the draft as they read it; with both, that version is agreed."""
    db = get_db()
    with writing():
        latest = current(pair)
        if latest is None or latest["agreed_at"] or base != base_of(latest):
            raise Conflict(latest)
        db["agreement_confirmations"].insert(
            {
                "version_id": latest["id"],
                "user_id": member.id,
                "revision": latest["revision"],
                "confirmed_at": now(),
            },
            replace=True,
        )
        if len(latest["confirmed_by"] | {member.id}) == 2:
            db["agreement_versions"].update(latest["id"], {"agreed_at": now()})
    return current(pair)


def changes(before: dict | None, after: dict) -> list[dict]:
    """What changed from one version to the next, strategy by strategy, field by field."""
    old = {s["id"]: s for s in (before["strategies"] if before else [])}
    new = {s["id"]: s for s in after["strategies"]}
    found = []
    for strategy in with_guidelines(after["strategies"]):
        was = old.get(strategy["id"])
        if was is None:
            found.append({"strategy": strategy, "kind": "added", "fields": []})
            continue
        # Compared as stored: the guidelines' own titles are not part of a version.
        stored = new[strategy["id"]]
        fields = [
            {"name": name, "before": was.get(name, ""), "after": stored.get(name, "")}
            for name in ("title", *FIELDS)
            if was.get(name, "") != stored.get(name, "")
        ]
        if fields:
            found.append({"strategy": strategy, "kind": "changed", "fields": fields})
    for strategy in with_guidelines([s for key, s in old.items() if key not in new]):
        found.append({"strategy": strategy, "kind": "removed", "fields": []})
    return found
