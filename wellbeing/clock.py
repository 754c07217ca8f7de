"""The one clock: every "now" and "today" in the app is read here (docs/design.md "Time").

Moments are kept in UTC, as ISO 8601 text that sorts as text. Days are the organisation's: a
check-in made at 00:30 in Berlin belongs to that Berlin day, and a week starts on that day's
Monday. The organisation's time zone is a setting (`organisations.time_zone`, m038), London
unless it says otherwise. Tests move time on by setting `app.config["CLOCK"]` to a function
that returns an aware datetime.

Dates people read are written the way people write them ("Thursday 3 December, 18:30") in
the organisation's zone, through Flask-Babel, never as ISO slices: `day` and `when` below are
template globals.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, g, has_app_context, has_request_context
from flask_babel import format_date, format_datetime
from flask_login import current_user

from .db import first_row

# Where an organisation that has not chosen is, and where the app is when nobody is signed in.
DEFAULT_ZONE = "Europe/London"


def moment() -> datetime:
    """Now, an aware datetime in UTC."""
    if has_app_context() and current_app.config.get("CLOCK"):
        return current_app.config["CLOCK"]().astimezone(UTC)
    return datetime.now(UTC)


def stamp(at: datetime | None = None) -> str:
    """A moment as stored: ISO 8601 in UTC to the second, so timestamps sort as text."""
    return (at or moment()).astimezone(UTC).isoformat(timespec="seconds")


def now() -> str:
    """This moment as stored."""
    return stamp()


def later(**delta) -> str:
    """The stored moment `delta` from now (negative for earlier): later(hours=-1)."""
    return stamp(moment() + timedelta(**delta))


def zone_name(org_id: int | None = None) -> str:
    """The organisation's time zone: the signed-in person's when no organisation is named."""
    if org_id is None and has_request_context() and current_user.is_authenticated:
        org_id = current_user.org_id
    if org_id is None or not has_app_context():
        return DEFAULT_ZONE
    known = g.setdefault("time_zones", {})
    if org_id not in known:
        row = first_row("select time_zone from organisations where id = ?", [org_id])
        known[org_id] = (row and row["time_zone"]) or DEFAULT_ZONE
    return known[org_id]


def zone_read(org_id: int, name: str | None):
    """The organisation's zone, read beside something else (the sign-in's row, signins.py): this
    request then asks no query of its own for it. A save of the zone forgets it (standards.py)."""
    if has_app_context():
        g.setdefault("time_zones", {}).setdefault(org_id, name or DEFAULT_ZONE)


def zone(org_id: int | None = None) -> ZoneInfo:
    try:
        return ZoneInfo(zone_name(org_id))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def today(org_id: int | None = None) -> date:
    """The organisation's day: check-in weeks, tonight's plan and the group log turn on it."""
    return moment().astimezone(zone(org_id)).date()


def local_now(org_id: int | None = None) -> datetime:
    """Now on the organisation's wall clock (aware)."""
    return moment().astimezone(zone(org_id))


def from_wall(typed: datetime) -> str:
    """A time typed on the organisation's wall clock (a datetime-local field), as stored."""
    return stamp(typed.replace(tzinfo=zone()))


def monday_of(day: date) -> date:
    """The Monday a week starts on, which names the week."""
    return day - timedelta(days=day.weekday())


def as_date(value) -> date | None:
    """A date from a date, a datetime or ISO text; a moment becomes the organisation's day."""
    if not value:
        return None
    if isinstance(value, datetime):
        return value.astimezone(zone()).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if len(value) <= 10:
        return date.fromisoformat(value)
    return as_date(as_moment(value))


def as_moment(value) -> datetime | None:
    """A stored moment (ISO text or datetime), aware, in UTC."""
    if not value:
        return None
    moment_ = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment_.replace(tzinfo=UTC) if moment_.tzinfo is None else moment_.astimezone(UTC)


def day(value) -> str:
    """ "Thursday 3 December", with the year when it is not this year's."""
    shown = as_date(value)
    if shown is None:
        return ""
    pattern = "EEEE d MMMM" if shown.year == today().year else "EEEE d MMMM y"
    return format_date(shown, pattern)


def day_month(value) -> str:
    """ "10 December": how a person says when a link expires, or the Monday of this week."""
    shown = as_date(value)
    return format_date(shown, "d MMMM") if shown else ""


def when(value) -> str:
    """ "Thursday 3 December, 18:30": a stored moment on the organisation's wall clock."""
    shown = as_moment(value)
    if shown is None:
        return ""
    same_year = shown.astimezone(zone()).year == today().year
    return format_datetime(shown, "EEEE d MMMM, HH:mm" if same_year else "EEEE d MMMM y, HH:mm")


def time_zone_of_request() -> str:
    """Flask-Babel's time zone: the one the signed-in person's organisation keeps."""
    return zone_name()


def init_app(app):
    app.add_template_global(day)
    app.add_template_global(when)
    app.add_template_global(day_month)
