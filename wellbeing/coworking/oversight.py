"""What a supervisor sees of the pairs they supervise, and the log of each look.

docs/design.md "The data rule": "every time a supervisor views something, it is logged and the pair
can see the log". A supervisor who opens their home page many times in an hour adds one entry per
pair and kind of view in that hour, so the log stays readable for the pair.
"""

from ..atrest import seal, unseal
from ..clock import later, now
from ..db import get_db, rows, writing

# What a supervisor saw, as the pair reads it in their log.
VIEWS = (
    "checkin-dates",
    "checkin-content",
    "agreement",
    "context",
    "sessions",
    "agenda",
    "safety",
)
REVIEW_KINDS = ("comment", "reviewed", "change")
MAX_REVIEW = 2000


def changes() -> int:
    """How many times anything the supervisor's home shows has changed (m010's triggers)."""
    return rows("select count from caseload_changes where id = 1")[0]["count"]


def log_views(pair_ids: list[int], supervisor, what: str):
    """One log entry per pair for this look, unless the same look is logged in the last hour."""
    assert what in VIEWS
    if not pair_ids:
        return
    hour_ago = later(hours=-1)
    # Read first: a supervisor reloading their home writes nothing, so it takes no write lock.
    if not _unlogged(supervisor, what, pair_ids, hour_ago):
        return
    with writing():
        # Again inside the transaction, so two workers serving one look log it once.
        at = now()
        get_db()["supervision_views"].insert_all(
            {"pair_id": pair_id, "supervisor_id": supervisor.id, "what": what, "at": at}
            for pair_id in _unlogged(supervisor, what, pair_ids, hour_ago)
        )


def caseload_looks(pair_ids: list[int], context_ids: list[int]) -> tuple:
    """What a look at the supervisor's home reads, for the log: each pair's check-in dates, and
    the power context where both partners shared it (docs/design.md)."""
    return ((pair_ids, "checkin-dates"), (context_ids, "context"))


def log_looks(looks: tuple, supervisor):
    """Every look is logged for each pair, whether the caseload was drawn now or before."""
    for pair_ids, what in looks:
        log_views(pair_ids, supervisor, what)


def all_logged(looks: tuple, supervisor) -> bool:
    """Whether `log_looks` would log nothing now: each of these looks is logged within the hour
    (wellbeing/replay.py sends a page again only then; it never writes)."""
    hour_ago = later(hours=-1)
    return not any(ids and _unlogged(supervisor, what, ids, hour_ago) for ids, what in looks)


def _unlogged(supervisor, what: str, pair_ids: list[int], since: str) -> list[int]:
    # Read on every look at the supervisor's home, for each of up to 50 pairs: the ids alone,
    # not a dict for each row.
    recent = get_db().execute(
        "select distinct pair_id from supervision_views where supervisor_id = ? and what = ?"
        f" and at > ? and pair_id in ({', '.join('?' * len(pair_ids))})",
        [supervisor.id, what, since, *pair_ids],
    )
    seen = {pair_id for (pair_id,) in recent}
    return [pair_id for pair_id in pair_ids if pair_id not in seen]


def views_of(pair: dict, limit: int = 50) -> list[dict]:
    """The pair's log: who looked at what, newest first."""
    return rows(
        "select supervision_views.what, supervision_views.at, users.name from supervision_views"
        " join users on users.id = supervision_views.supervisor_id"
        " where supervision_views.pair_id = ? order by supervision_views.id desc limit ?",
        [pair["id"], limit],
    )


def reviews(pair: dict) -> list[dict]:
    """What supervisors said about the pair's agreement, oldest first."""
    found = rows(
        "select agreement_reviews.*, users.name from agreement_reviews"
        " join users on users.id = agreement_reviews.supervisor_id"
        " where agreement_reviews.pair_id = ? order by agreement_reviews.id",
        [pair["id"]],
    )
    for row in found:
        sealed = row.pop("text_sealed")
        row["text"] = unseal(sealed, "agreement_reviews.text") if sealed else ""
    return found


def add_review(pair: dict, supervisor, version_number: int, kind: str, text: str):
    assert kind in REVIEW_KINDS
    get_db()["agreement_reviews"].insert(
        {
            "pair_id": pair["id"],
            "version_number": version_number,
            "supervisor_id": supervisor.id,
            "kind": kind,
            "text_sealed": seal(text, "agreement_reviews.text") if text else None,
            "at": now(),
        }
    )


def waiting_for_review(pair_ids: list[int], shared: dict[int, set[str]]) -> dict[int, int]:
    """For each pair that shared its agreement, the newest agreed version no supervisor has
    marked reviewed yet. One query for all pairs: the supervisor's home lists every pair."""
    reviewed = reviewed_versions(pair_ids)
    found = rows(
        "select pair_id, max(number) as number from agreement_versions"
        f" where agreed_at is not null and pair_id in ({', '.join('?' * len(pair_ids))})"
        " group by pair_id",
        pair_ids,
    )
    return {
        row["pair_id"]: row["number"]
        for row in found
        if "agreement" in shared[row["pair_id"]] and row["number"] not in reviewed[row["pair_id"]]
    }


def reviewed_versions(pair_ids: list[int]) -> dict[int, set[int]]:
    marks = {pair_id: set() for pair_id in pair_ids}
    found = rows(
        "select pair_id, version_number from agreement_reviews where kind = 'reviewed'"
        f" and pair_id in ({', '.join('?' * len(pair_ids))})",
        pair_ids,
    )
    for row in found:
        marks[row["pair_id"]].add(row["version_number"])
    return marks
