"""Reading the timing editor and the plan form, with a clear message for anything wrong.

Both forms carry a list whose length the person changes, so they are read by hand here
(like coworking/parsing.py) rather than with a fixed WTForms class. What was typed always
comes back to the form, problems and all.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from . import module, plans

TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
OWN_KEY = re.compile(r"^own-[0-9a-f]{8}$")


def whole_number(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 5 else None


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
        count = min(whole_number(form.get("count")) or 0, 60)
        steps, problems = [], {}
        for i in range(count):
            step, problem = read_step(form, i)
            if step is None:
                continue
            steps.append(step)
            if problem:
                problems[len(steps) - 1] = problem
        edit = cls(steps, whole_number(form.get("base")) or 0, problems, form.get("action", ""))
        if not any(not step["left_out"] for step in steps):
            edit.problems["all"] = _("Keep at least one activity in the session.")
        return edit

    def apply(self, action: str, extra_key: str = ""):
        """Moving, adding and removing rows change the form only; saving is separate."""
        verb, _sep, where = action.partition("-")
        index = whole_number(where)
        if verb in ("up", "down") and index is not None:
            target = index + (-1 if verb == "up" else 1)
            if 0 <= index < len(self.steps) and 0 <= target < len(self.steps):
                self.steps[index], self.steps[target] = self.steps[target], self.steps[index]
                self.problems = {}
        elif verb == "remove" and index is not None and index < len(self.steps):
            if removable(self.steps[index]):
                del self.steps[index]
                self.problems = {}
        elif verb == "add":
            self.steps.append(own_step())
        elif verb == "extra" and extra_key in module.guideline_activities():
            taken = {step["key"] for step in self.steps}
            if extra_key not in taken:
                step = module.guideline_step(module.guideline_activities()[extra_key])
                self.steps.append(dict(step, minutes_text=str(step["minutes"])))

    @property
    def total(self) -> int:
        return module.total(self.steps)


def removable(step: dict) -> bool:
    """An organisation's own activity or an extra it added; the session's own are left out."""
    return step["own"] or step["activity"]["minutes"] is None


def own_step(title: str = "", minutes: str = "15") -> dict:
    return {
        "key": module.new_own_key(),
        "title": title,
        "minutes": whole_number(minutes) or 0,
        "minutes_text": minutes,
        "own": True,
        "description": "",
        "left_out": False,
        "activity": None,
    }


def read_step(form, i: int) -> tuple[dict | None, str | None]:
    key = form.get(f"key-{i}", "")
    activity = module.guideline_activities().get(key)
    if activity is None and not OWN_KEY.match(key):
        return None, None
    minutes_text = form.get(f"minutes-{i}", "").strip()
    minutes = whole_number(minutes_text)
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
    if minutes not in module.MINUTES:
        return step, _("Minutes: a whole number from 1 to 240.")
    if step["own"] and not 0 < len(step["title"]) <= module.TITLE_LENGTH:
        return step, _("Give your activity a title of up to 120 characters.")
    if len(step["description"]) > module.DESCRIPTION_LENGTH:
        return step, _("Keep the description to 2,000 characters.")
    return step, None


@dataclass
class PlanInput:
    """A pair's plan as typed."""

    held_on: date | None
    starts_at: str
    session_key: str
    leads: dict
    base: int
    problems: dict = field(default_factory=dict)

    @classmethod
    def blank(cls, day: date, session_key: str, existing: dict | None = None) -> "PlanInput":
        if existing:
            return cls(
                day,
                existing["starts_at"],
                existing["session_key"],
                existing["leads"],
                existing["version"],
            )
        return cls(day, "18:30", session_key, {}, 0)

    @classmethod
    def from_form(cls, form, session: dict | None, partners: set[str]) -> "PlanInput":
        problems = {}
        try:
            held_on = date.fromisoformat(form.get("held_on", ""))
        except ValueError:
            held_on = None
            problems["held_on"] = _("Choose the date of the group.")
        starts_at = form.get("starts_at", "").strip()[:5]
        if not TIME.match(starts_at):
            problems["starts_at"] = _("Give the start time as hours and minutes, like 18:30.")
        if session is None:
            problems["session_key"] = _("Choose one of the sessions.")
        leads = {}
        for step in session["running"] if session else []:
            lead = form.get(f"lead-{step['key']}", "")
            if lead in partners or lead == plans.BOTH:
                leads[step["key"]] = lead
        return cls(
            held_on,
            starts_at,
            form.get("session_key", ""),
            leads,
            whole_number(form.get("base")) or 0,
            problems,
        )

    def as_plan(self) -> dict:
        return {
            "held_on": self.held_on,
            "starts_at": self.starts_at,
            "session_key": self.session_key,
            "leads": self.leads,
        }
