"""Weekly check-ins: "What would you want more of from me?" and "…less of from me?".

Guidelines, Support and supervision: "I recommend co-workers ask each other weekly". Each
partner answers about the other; neither sees the other's answer until both have answered,
and then both see both at once. A week is named by its Monday. The pair picks the day its
check-in falls on. docs/design.md "Trauma-informed": a late check-in is shown gently, never as a
failure, and there is no streak or score.
"""

from datetime import date, timedelta

from .. import clock
from ..atrest import seal, unseal
from ..clock import now
from ..db import first_row, get_db, rows

WEEKS_SHOWN = 12
# Days after the pair's check-in day before "due" gently becomes "overdue".
GRACE_DAYS = 2
MAX_ANSWER = 2000
MAX_REPLY = 300


# The organisation's day and the Monday that names its week (wellbeing/clock.py).
today, monday_of = clock.today, clock.monday_of


def _open(row: dict) -> dict:
    """A check-in row with its words unsealed."""
    opened = dict(row)
    for column in ("more", "less", "reply"):
        sealed = row.get(f"{column}_sealed")
        opened[column] = unseal(sealed, f"checkins.{column}") if sealed else ""
    return opened


def answers(pair: dict, week: date) -> dict[int, dict]:
    found = rows(
        "select * from checkins where pair_id = ? and week = ?", [pair["id"], week.isoformat()]
    )
    return {row["user_id"]: _open(row) for row in found}


def revealed(pair: dict, week: date) -> bool:
    """Whether both answered this week: from the rows, without opening their words (issue 13:
    deciding this by decrypting both answers was most of a check-in's time)."""
    found = get_db().execute(
        "select count(*) from checkins where pair_id = ? and week = ?",
        [pair["id"], week.isoformat()],
    )
    return found.fetchone()[0] == 2


def week_view(pair: dict, member, week: date) -> dict:
    """What the member may see of one week: their own answer; their partner's once both did."""
    return _view(pair, member, week, answers(pair, week))


def _view(pair: dict, member, week: date, given: dict[int, dict]) -> dict:
    revealed = len(given) == 2
    return {
        "week": week,
        "mine": given.get(member.id),
        "theirs": given.get(pair["partner_id"]) if revealed else None,
        "partner_answered": pair["partner_id"] in given,
        "revealed": revealed,
    }


def _answered_weeks(pair: dict) -> dict[str, dict[int, dict]]:
    """Every answer the pair gave, opened, by week (newest first) and then by person."""
    weeks = {}
    found = rows("select * from checkins where pair_id = ? order by week desc", [pair["id"]])
    for row in found:
        weeks.setdefault(row["week"], {})[row["user_id"]] = _open(row)
    return weeks


def submit(pair: dict, member, week: date, more: str, less: str) -> bool:
    """Keeps the member's answer for the week; False once it was revealed (it stays as read)."""
    if revealed(pair, week):
        return False
    words = [seal(more, "checkins.more"), seal(less, "checkins.less"), now()]
    # Plain SQL: sqlite-utils' update and insert read the table's schema first, inside the
    # write lock that 32 people sending at once queue for (issue 26).
    row_id = _row_id(pair, member.id, week)
    if row_id:
        get_db().execute(
            "update checkins set more_sealed = ?, less_sealed = ?, answered_at = ? where id = ?",
            [*words, row_id],
        )
    else:
        get_db().execute(
            "insert into checkins (pair_id, week, user_id, more_sealed, less_sealed, answered_at)"
            " values (?, ?, ?, ?, ?, ?)",
            [pair["id"], week.isoformat(), member.id, *words],
        )
    return True


def reply(pair: dict, member, week: date, text: str) -> bool:
    """A short reply to the partner's answer, once it is revealed."""
    view = week_view(pair, member, week)
    if not view["revealed"]:
        return False
    get_db()["checkins"].update(
        view["theirs"]["id"], {"reply_sealed": seal(text, "checkins.reply"), "replied_at": now()}
    )
    return True


def _row_id(pair: dict, user_id: int, week: date) -> int | None:
    row = first_row(
        "select id from checkins where pair_id = ? and week = ? and user_id = ?",
        [pair["id"], week.isoformat(), user_id],
    )
    return row["id"] if row else None


def set_day(pair: dict, weekday: int):
    get_db()["pairs"].update(pair["id"], {"checkin_day": weekday})


def N_(text: str) -> str:
    """Marks text for translation (Babel extracts N_); templates translate it with _()."""
    return text


# "Check-in due" shown gently, in the pair's own words for the week. docs/design.md
# "Trauma-informed": a late check-in is never a failure, and there is no streak or score.
STATE_WORDS = {
    "done": N_("This week's check-in is done."),
    "waiting": N_(
        "You've answered this week. Your answers open to you both once your co-worker answers."
    ),
    "upcoming": N_("This week's check-in is coming up."),
    "due": N_("This week's check-in is due."),
    "overdue": N_("This week's check-in is still open, whenever you're ready."),
}


def state(pair: dict, member, today: date) -> str:
    """This week, for the member: done, waiting (for the partner), upcoming, due or overdue."""
    week = monday_of(today)
    # Who answered, without opening what they wrote: the home page asks this for every pair.
    answered = {
        row["user_id"]
        for row in rows(
            "select user_id from checkins where pair_id = ? and week = ?",
            [pair["id"], week.isoformat()],
        )
    }
    if len(answered) == 2:
        return "done"
    if member.id in answered:
        return "waiting"
    day = week + timedelta(days=pair["checkin_day"])
    if today < day:
        return "upcoming"
    return "due" if today <= day + timedelta(days=GRACE_DAYS) else "overdue"


def rhythm(pair: dict, today: date, count: int = WEEKS_SHOWN) -> list[dict]:
    """The last `count` weeks since the pair began, oldest first: done, missed or this week."""
    return rhythms([pair], today, count)[pair["id"]]


def rhythms(pairs: list[dict], today: date, count: int = WEEKS_SHOWN) -> dict[int, list]:
    """`rhythm` for many pairs at once, from one query (the supervisor's home lists them all)."""
    this_week = monday_of(today)
    first = this_week - timedelta(weeks=count - 1)
    ids = [pair["id"] for pair in pairs]
    answered = {pair_id: {} for pair_id in ids}
    found = rows(
        "select pair_id, week, count(*) as answers, max(answered_at) as at from checkins"
        f" where pair_id in ({', '.join('?' * len(ids))}) and week >= ?"
        " group by pair_id, week",
        [*ids, first.isoformat()],
    )
    for row in found:
        answered[row["pair_id"]][row["week"]] = row
    return {pair["id"]: _weeks(pair, answered[pair["id"]], this_week, count) for pair in pairs}


def _weeks(pair: dict, answered: dict, this_week: date, count: int) -> list[dict]:
    started = monday_of(date.fromisoformat(pair["created_at"][:10]))
    weeks = []
    for back in range(count - 1, -1, -1):
        week = this_week - timedelta(weeks=back)
        if week < started:
            continue
        row = answered.get(week.isoformat())
        done = bool(row and row["answers"] == 2)
        weeks.append(
            {
                "week": week,
                "status": "done" if done else ("this-week" if week == this_week else "missed"),
                "at": row["at"][:10] if done else None,
            }
        )
    return weeks


def shared_weeks(pair: dict, names: dict[int, str]) -> list[dict]:
    """Weeks both partners answered, newest first, with each partner's words by name: what a
    supervisor reads once both partners chose to share check-in content."""
    return [
        {
            "week": date.fromisoformat(week),
            "by": [
                dict(answer, user_id=who, name=names.get(who, ""))
                for who, answer in sorted(given.items())
            ],
        }
        for week, given in _answered_weeks(pair).items()
        if len(given) == 2
    ]


def timeline(pair: dict, member) -> list[dict]:
    """Every week with an answer in it, newest first, as the member may see it."""
    return [
        _view(pair, member, date.fromisoformat(week), given)
        for week, given in _answered_weeks(pair).items()
    ]
