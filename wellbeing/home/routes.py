import json
from datetime import date
from typing import NamedTuple

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from .. import drawn
from ..accounts.forms import AccountDeleteForm
from ..accounts.routes import password_refusal
from ..coworking import checkins
from ..coworking.pairs import invitations_waiting
from ..module import adapted
from ..module import plans as session_plans
from ..people.members import last_admin, summary
from ..permissions import pairs_of
from ..private import WHY_SEEN
from ..safety import checks as safety_checks
from . import bp, lifecycle


@bp.get("/")
@login_required
def home():
    # Issue 26: drawn once for each state of what it shows (wellbeing/drawn.py), and sent again
    # to the same request while that holds (wellbeing/replay.py).
    why_seen = bool(request.cookies.get(WHY_SEEN))
    shown = home_shows(current_user, why_seen)
    return drawn.page(
        "home",
        shown,
        lambda: draw_page(shown),
        again=lambda person: home_shows(person, why_seen),
    )


class HomeShows(NamedTuple):
    """What the home depends on, read from the database and the clock for `person` alone."""

    versions: tuple
    today: date
    # The admin's summary is read each time: an invitation stops being open when it expires,
    # which no write counts, so its figures are part of the key instead.
    summary: tuple | None
    # Which way "Open your private space" goes depends on this phone (private.WHY_SEEN).
    why_seen: bool


def home_shows(person, why_seen: bool) -> HomeShows:
    summary_ = summary(person.org_id) if person.has_role("admin") else None
    return HomeShows(
        drawn.person_versions(person),
        checkins.today(person.org_id),
        tuple(summary_.items()) if summary_ else None,
        why_seen,
    )


def draw_page(shown: HomeShows) -> str:
    cards = drawn.kept("home", current_user.id, shown, lambda: draw_home(shown))
    return render_template("home/home.html", drawn=cards)


def draw_home(shown: HomeShows) -> Markup:
    today, summary_ = shown.today, dict(shown.summary) if shown.summary else None
    facilitator = current_user.has_role("facilitator")
    pairs = pairs_of() if facilitator else []
    return Markup(
        render_block(
            "home/home.html",
            "cards",
            pairs=pairs,
            states={pair["id"]: checkins.state(pair, current_user, today) for pair in pairs},
            invited=invitations_waiting(current_user) if facilitator else 0,
            summary=summary_,
            tonight=tonight_plans(pairs, today),
            # Issue 22: a concern not yet passed on stays on both partners' homes, no clock.
            concerns=safety_checks.open_concerns([pair["id"] for pair in pairs]),
        )
    )


def tonight_plans(pairs: list[dict], today) -> list[dict]:
    """Issue 24: on a day with a planned session, home leads with it, above everything else."""
    found = []
    for pair in pairs:
        if pair["ended_at"]:
            continue
        plan = session_plans.plan_on(pair, today)
        session = adapted.session(current_user.org_id, plan["session_key"]) if plan else None
        if session:
            found.append({"pair": pair, "plan": plan, "session": session})
    return sorted(found, key=lambda t: t["plan"]["starts_at"])


@bp.get("/account/data.json")
@login_required
def account_data():
    """Everything about you that you can read, as one JSON file (issue 11)."""
    body = json.dumps(lifecycle.data_of(current_user), indent=2, ensure_ascii=False)
    headers = {"Content-Disposition": 'attachment; filename="my-wellbeing-data.json"'}
    return Response(body, mimetype="application/json", headers=headers)


@bp.get("/account/delete")
@login_required
def account_delete_confirm():
    return _account_delete_page(AccountDeleteForm(formdata=None))


@bp.post("/account/delete")
@login_required
def account_delete():
    form = AccountDeleteForm()
    if not form.validate():
        return _account_delete_page(form, 422)
    refusal = password_refusal(form.password.data)
    if refusal:
        form.password.errors.append(f"{refusal[0]} {_('Nothing was deleted.')}")
        return _account_delete_page(form, refusal[1])
    if current_user.has_role("admin") and last_admin(current_user.id, current_user.org_id):
        return _account_delete_page(form, 409, last_admin=True)
    lifecycle.delete(current_user.id)
    logout_user()
    flash(_("Your account is deleted, with everything only you wrote. Take care."), "success")
    return redirect(url_for("accounts.signin_show"))


def _account_delete_page(form, status=200, **context):
    page = render_template("accounts/account_delete.html", form=form, **context)
    return page, status
