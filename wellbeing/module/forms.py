"""Reading the timing editor and the plan form, with a clear message for anything wrong.

Both forms carry a list whose length the person changes, so they are read by hand here
(like coworking/parsing.py) rather than with a fixed WTForms class. What was typed always
comes back to the form, problems and all.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _

from ..forms import whole_number
from . import adapted, plans

TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
OWN_KEY = re.compile(r"own-[0-9a-f]{8}")
# More rows than any session could hold: a tampered count can't make the server loop for long.
MAX_ROWS = 60
# A version is a timestamp in microseconds (db.new_version), so it never repeats.
MAX_VERSION = 2**63 - 1
# A plan is for a group about to happen or just run: a year's typo would hide it from the card.
PLAN_PAST, PLAN_AHEAD = timedelta(days=366), timedelta(days=2 * 366)


@dataclass
class TimingInput:
    """The organisation's timing editor as typed: steps, the version it began from, problems."""

    steps: list[dict]
    base: int
    problems: dict = field(default_factory=dict)
    action: str = "save"

    @classmethod
    def from_session(cls, session: dict) -> "TimingInput":
        steps = [dict(step, minutes_text=str(step["minutes"])) for step in session["steps"]]
        return cls(steps, session["version"])

    @classmethod
    def from_form(cls, form) -> "TimingInput":
        count = whole_number(form.get("count"), 0, MAX_ROWS) or 0
        steps, problems, seen = [], {}, set()
        for i in range(count):
            step, problem = read_step(form, i)
            if step is None or step["key"] in seen:
                continue  # not an activity, or the same one twice: nothing to keep
            seen.add(step["key"])
            steps.append(step)
            if problem:
                problems[len(steps) - 1] = problem
        base = whole_number(form.get("base"), 0, MAX_VERSION) or 0
        edit = cls(steps, base, problems, form.get("action", ""))
        if not any(not step["left_out"] for step in steps):
            edit.problems["all"] = _("Keep at least one activity in the session.")
        elif edit.total > adapted.MAX_TOTAL:
            edit.problems["all"] = _(
                "That adds up to %(n)s minutes: a session can be at most %(max)s.",
                n=edit.total,
                max=adapted.MAX_TOTAL,
            )
        return edit

    def apply(self, action: str, extra_key: str = ""):
        """Moving, adding and removing rows change the form only; saving is separate. The
        problems shown are those of a save, so they wait until the next one."""
        self.problems = {}
        verb, _sep, where = action.partition("-")
        index = whole_number(where, 0, len(self.steps) - 1)
        if verb in ("up", "down") and index is not None:
            target = index + (-1 if verb == "up" else 1)
            if 0 <= target < len(self.steps):
                self.steps[index], self.steps[target] = self.steps[target], self.steps[index]
        elif verb == "remove" and index is not None and removable(self.steps[index]):
            del self.steps[index]
        elif verb == "add":
            self.steps.append(own_step())
        elif verb == "extra" and extra_key in adapted.guideline_activities():
            if extra_key not in {step["key"] for step in self.steps}:
                step = adapted.guideline_step(adapted.guideline_activities()[extra_key])
                self.steps.append(dict(step, minutes_text=str(step["minutes"])))

    @property
    def total(self) -> int:
        return adapted.total(self.steps)


def removable(step: dict) -> bool:
    """An organisation's own activity or an extra it added; the session's own are left out."""
    return step["own"] or step["activity"]["minutes"] is None


def own_step() -> dict:
    return {
        "key": adapted.new_own_key(),
        "title": "",
        "minutes": 15,
        "minutes_text": "15",
        "own": True,
        "description": "",
        "left_out": False,
        "activity": None,
    }


def read_step(form, i: int) -> tuple[dict | None, str | None]:
    key = form.get(f"key-{i}", "")
    activity = adapted.guideline_activities().get(key)
    if activity is None and not OWN_KEY.fullmatch(key):
        return None, None
    minutes_text = form.get(f"minutes-{i}", "").strip()
    minutes = whole_number(minutes_text, adapted.MINUTES.start, adapted.MINUTES.stop - 1)
    step = {
        "key": key,
        "title": activity["title"] if activity else form.get(f"title-{i}", "").strip(),
        "minutes": minutes or 0,
        "minutes_text": minutes_text,
        "own": activity is None,
        "description": "" if activity else form.get(f"description-{i}", "").strip(),
        "left_out": form.get(f"keep-{i}") is None,
        "activity": activity,
    }
    if minutes is None:
        return step, _(
            "Minutes: a whole number from %(low)s to %(high)s.",
            low=adapted.MINUTES.start,
            high=adapted.MINUTES.stop - 1,
        )
    if step["own"] and not 0 < len(step["title"]) <= adapted.TITLE_LENGTH:
        return step, _(
            "Give your activity a title of up to %(n)s characters.", n=adapted.TITLE_LENGTH
        )
    if len(step["description"]) > adapted.DESCRIPTION_LENGTH:
        return step, _("Keep the description to %(n)s characters.", n=adapted.DESCRIPTION_LENGTH)
    return step, None


@dataclass
class PlanInput:
    """A pair's plan as typed. `original_on` is the date the form was opened for: a different
    `held_on` moves the plan."""

    held_on_text: str
    starts_at: str
    session_key: str
    leads: dict
    base: int
    original_on: date | None = None
    problems: dict = field(default_factory=dict)

    @classmethod
    def blank(cls, day: date, session_key: str, existing: dict | None = None) -> "PlanInput":
        if existing:
            return cls(
                day.isoformat(),
                existing["starts_at"],
                existing["session_key"],
                existing["leads"],
                existing["version"],
                day,
            )
        return cls(day.isoformat(), "18:30", session_key, {}, 0, None)

    @property
    def held_on(self) -> date | None:
        try:
            return date.fromisoformat(self.held_on_text)
        except ValueError:
            return None

    @classmethod
    def from_form(cls, form, session: dict | None, partners: set[str]) -> "PlanInput":
        leads = {}
        for step in session["running"] if session else []:
            lead = form.get(f"lead-{step['key']}", "")
            if lead in partners or lead == plans.BOTH:
                leads[step["key"]] = lead
        try:
            original_on = date.fromisoformat(form.get("original_on", ""))
        except ValueError:
            original_on = None
        edit = cls(
            form.get("held_on", "").strip()[:40],
            form.get("starts_at", "").strip()[:40],
            form.get("session_key", ""),
            leads,
            whole_number(form.get("base"), 0, MAX_VERSION) or 0,
            original_on,
        )
        edit.check(session)
        return edit

    def check(self, session: dict | None):
        today = plans.today()
        if self.held_on is None:
            self.problems["held_on"] = _("Choose the date of the group.")
        elif not today - PLAN_PAST <= self.held_on <= today + PLAN_AHEAD:
            self.problems["held_on"] = _(
                "Choose a date within a year before today and two years after."
            )
        if not TIME.fullmatch(self.starts_at):
            self.problems["starts_at"] = _("Give the start time as hours and minutes, like 18:30.")
        if session is None:
            self.problems["session_key"] = _("Choose one of the sessions.")

    def as_plan(self) -> dict:
        return {
            "held_on": self.held_on,
            "starts_at": self.starts_at,
            "session_key": self.session_key,
            "leads": self.leads,
        }
