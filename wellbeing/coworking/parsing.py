"""Reading the agreement and conversation forms, whose fields depend on what the pair wrote.

Both are checked field by field, and what was typed is always kept to show again, so a problem
or a conflict never loses a word (README, "Bad input gets a clear message and loses nothing").
"""

import re
import time
from dataclasses import dataclass, field

from flask_babel import gettext as _

from . import agreement, conversation

INDEXED = re.compile(r"^s(\d{1,2})-id$")
OWN_ID = re.compile(r"^own-\d{1,16}$")


@dataclass
class AgreementInput:
    """An agreement as typed: its strategies, the version it started from, and any problems."""

    strategies: list[dict]
    base: agreement.Base
    problems: dict = field(default_factory=dict)  # strategy index -> message
    conflict: dict | None = None  # the partner's newer version, when there was a conflict
    differences: list = field(default_factory=list)

    @staticmethod
    def base_from(form) -> agreement.Base:
        try:
            return agreement.Base(int(form.get("number", "")), int(form.get("revision", "")))
        except ValueError:
            return agreement.Base(-1, -1)

    @classmethod
    def from_form(cls, form) -> "AgreementInput":
        known = {s["id"] for s in agreement.guideline_strategies()}
        indexes = sorted(int(m.group(1)) for m in map(INDEXED.match, form) if m)
        typed, problems = [], {}
        for index in indexes:
            strategy = read_strategy(form, f"s{index}-", known)
            if strategy is None:
                continue
            problem = check_strategy(strategy)
            if problem:
                problems[len(typed)] = problem
            typed.append(strategy)
        if sum(1 for s in typed if s["id"] not in known) > agreement.MAX_OWN:
            problems[len(typed) - 1] = _("Please keep to ten strategies of your own.")
        shown = agreement.with_guidelines(typed)
        return cls(shown, cls.base_from(form), problems)

    def after_conflict(self, current: dict | None) -> "AgreementInput":
        """What was typed, now based on the partner's newer save, with where the two differ."""
        theirs = {s["id"]: s for s in (current["strategies"] if current else [])}
        differences = []
        for mine in self.strategies:
            other = theirs.get(mine["id"])
            names = ("title", *agreement.FIELDS)
            fields = [n for n in names if other and other.get(n, "") != mine.get(n, "")]
            if other is None or fields:
                differences.append({"strategy": mine, "theirs": other, "fields": fields})
        typed = {s["id"] for s in self.strategies}
        for other in agreement.with_guidelines(list(theirs.values())):
            if other["id"] not in typed:
                differences.append({"strategy": other, "theirs": other, "fields": [], "mine": None})
        base = agreement.base_of(current)
        return AgreementInput(self.strategies, base, {}, current, differences)


def read_strategy(form, prefix: str, known: set) -> dict | None:
    """One strategy from the form, or None for a blank "add your own" row or a removed one."""
    strategy_id = form.get(prefix + "id", "")
    text = {name: form.get(prefix + name, "").strip() for name in ("title", "who", "words")}
    text["signal"] = form.get(prefix + "signal", "").strip()
    if strategy_id in known:
        return {"id": strategy_id, "choice": form.get(prefix + "choice", "")} | {
            k: v for k, v in text.items() if k != "title"
        }
    if form.get(prefix + "remove") or not any(text.values()):
        return None
    if not OWN_ID.match(strategy_id):
        strategy_id = f"own-{time.time_ns() // 1000}"
    return {"id": strategy_id, "choice": "ours"} | text


def check_strategy(strategy: dict) -> str | None:
    if strategy["choice"] not in (*agreement.CHOICES, "", "ours"):
        return _("Please choose one of the options.")
    if strategy["choice"] == "ours" and not strategy.get("title"):
        return _("Please say when this strategy is for, so you both know when to use it.")
    for name, limit in agreement.MAX_TEXT.items():
        if len(strategy.get(name, "")) > limit:
            return _("Please keep each answer under %(n)s characters.", n=limit)
    return None


def shared_answers(form, questions: list[dict]) -> tuple[dict, list, str | None]:
    """The answers and attached situations from the preview's "Share" form, and any problem."""
    answers = {q["id"]: form.get(f"answer-{q['id']}", "").strip() for q in questions}
    situations = [s.strip() for s in form.getlist("situation") if s.strip()]
    if any(len(a) > conversation.MAX_ANSWER for a in answers.values()):
        return answers, situations, _("One answer is too long to share. Please shorten it.")
    if len(situations) > conversation.MAX_SITUATIONS or any(
        len(s) > conversation.MAX_SITUATION for s in situations
    ):
        return answers, situations, _("Too many situations to attach. Please choose fewer.")
    if not any(answers.values()) and not situations:
        return answers, situations, _("There is nothing to share yet. Write an answer first.")
    return answers, situations, None
