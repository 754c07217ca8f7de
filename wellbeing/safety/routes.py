from datetime import date

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock, content
from ..clock import now, today
from ..db import first_row, get_db, new_version, rows, writing
from ..module import adapted
from ..permissions import get_pair, role_required
from . import bp, checks
from .forms import PassingOnForm, SafetyAnswerForm, SummaryForm

# --- the debrief's safety question (a pair's own page) ---------------------------------------


@bp.app_template_global("safety_words")
def safety_words() -> dict:
    return content.safety()


@bp.app_template_global("safety_answer")
def safety_answer(pair: dict, held_on) -> dict | None:
    """The pair's answer for an evening, for templates/safety/_question.html."""
    day = held_on if isinstance(held_on, date) else date.fromisoformat(str(held_on))
    return checks.for_evening(pair, day)


def evening(text: str | None) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return today()


def render_pair(pair, status=200, held_on=None, **context):
    held_on = held_on or today()
    context.setdefault("form", SafetyAnswerForm(formdata=None, held_on=held_on, answer=None))
    found = checks.of_pair(pair)
    # One small form per concern not yet passed on, each with its own field ids.
    passing_forms = {
        c["id"]: PassingOnForm(formdata=None, prefix=f"c{c['id']}-")
        for c in found
        if c["concern"] and not c["passed_on_at"]
    }
    passing_forms.update(context.pop("passing_forms", {}))
    return render_template(
        "safety/pair.html",
        pair=pair,
        held_on=held_on,
        tonight=checks.for_evening(pair, held_on),
        open_concerns=[c for c in found if c["id"] in passing_forms],
        passing_forms=passing_forms,
        history=found,
        services=dict(content_pairs("services")),
        ways=dict(content_pairs("ways")),
        womens_service=content.entries(current_user.org_id, "womens_service"),
        safety=content.safety(),
        **context,
    ), status


def content_pairs(kind):
    return [(item["id"], item["text"]) for item in content.safety()[kind]]


@bp.get("/pairs/<int:pair_id>/safety")
@role_required("facilitator")
def pair_show(pair_id):
    return render_pair(get_pair(pair_id), held_on=evening(request.args.get("on")))


@bp.post("/pairs/<int:pair_id>/safety")
@role_required("facilitator")
def answer(pair_id):
    pair = get_pair(pair_id, writing=True)
    form = SafetyAnswerForm()
    if not form.validate():
        return render_pair(pair, 422, held_on=form.held_on.data, form=form)
    at = clock.from_wall(form.at.data) if form.at.data else None
    checks.answer(
        pair, current_user, form.held_on.data, form.answer.data, form.to.data, form.how.data, at
    )
    return redirect(
        url_for("safety.pair_show", pair_id=pair["id"], on=form.held_on.data.isoformat()), 303
    )


@bp.post("/pairs/<int:pair_id>/safety/<int:check_id>/passed-on")
@role_required("facilitator")
def passed_on(pair_id, check_id):
    # Not `writing=True`: a concern is passed on even after the pair has ended.
    pair = get_pair(pair_id)
    check = checks.get(pair, check_id)
    if check is None or not check["concern"]:
        abort(404)
    form = PassingOnForm(prefix=f"c{check['id']}-")
    form.evening = date.fromisoformat(check["held_on"])
    if not form.validate():
        return render_pair(
            pair,
            422,
            held_on=date.fromisoformat(check["held_on"]),
            passing_forms={check["id"]: form},
        )
    at = clock.from_wall(form.at.data) if form.at.data else None
    checks.mark_passed_on(check, current_user, form.to.data, form.how.data, at)
    return redirect(url_for("safety.pair_show", pair_id=pair["id"], on=check["held_on"]), 303)


# --- the organisation's admin: counts only ---------------------------------------------------


@bp.get("/organisation/safety")
@role_required("admin")
def overview():
    return render_template(
        "safety/overview.html",
        counts=checks.counts(current_user.org_id),
        overdue_hours=int(checks.OVERDUE.total_seconds() // 3600),
        safety=content.safety(),
    )


# --- helplines for the men: a poster for the group room --------------------------------------


@bp.get("/helplines/poster")
@login_required
def poster():
    return render_template(
        "safety/poster.html",
        helplines=content.entries(current_user.org_id, "men_helpline"),
        safety=content.safety(),
    )


# --- for the women's support service ---------------------------------------------------------


def schedule(org_id: int) -> dict[str, list[dict]]:
    """When the organisation's pairs ran or plan to run each session: dates only, never a
    pair's name or who leads (seed 004 B.1 b: "the length, the day")."""
    found = rows(
        "select distinct session_plans.session_key, session_plans.held_on,"
        " session_plans.starts_at, session_plans.ran_at is not null as ran"
        " from session_plans join pairs on pairs.id = session_plans.pair_id"
        " where pairs.org_id = ? order by session_plans.held_on, session_plans.starts_at",
        [org_id],
    )
    by_session = {}
    for row in found:
        by_session.setdefault(row["session_key"], []).append(row)
    return by_session


def summary_of(org_id: int, key: str) -> dict:
    """The organisation's own summary of a session, or this app's."""
    own = first_row(
        "select * from womens_service_summaries where org_id = ? and session_key = ?",
        [org_id, key],
    )
    app_words = content.safety()["womens_service"]["sessions"][key]["summary"]
    if own:
        return {
            "text": own["summary"],
            "own": True,
            "version": own["version"],
            "updated_at": own["updated_at"],
            "app_words": app_words,
        }
    return {
        "text": app_words,
        "own": False,
        "version": 0,
        "updated_at": None,
        "app_words": app_words,
    }


def get_session(key: str) -> dict:
    found = adapted.session(current_user.org_id, key)
    if found is None:
        abort(404)
    return found


@bp.get("/womens-service/")
@login_required
def womens_index():
    return render_template(
        "safety/womens_index.html",
        sessions=adapted.sessions(current_user.org_id),
        schedule=schedule(current_user.org_id),
        contacts=content.entries(current_user.org_id, "womens_service"),
        safety=content.safety(),
        today=today().isoformat(),
    )


@bp.get("/womens-service/<key>")
@login_required
def womens_page(key):
    session = get_session(key)
    words = content.safety()["womens_service"]
    activities = {step["key"]: step for step in session["steps"]}
    return render_template(
        "safety/womens_page.html",
        session=session,
        summary=summary_of(current_user.org_id, key),
        words=words,
        open_to_misuse=[
            dict(item, step=activities.get(item["activity"]))
            for item in words["sessions"][key]["open_to_misuse"]
        ],
        dates=schedule(current_user.org_id).get(key, []),
        today=today().isoformat(),
    )


def render_summary(session, status=200, form=None, conflict=None):
    summary = summary_of(current_user.org_id, session["key"])
    form = form or SummaryForm(formdata=None, summary=summary["text"])
    return render_template(
        "safety/summary.html",
        session=session,
        summary=summary,
        form=form,
        base=request.form.get("base", summary["version"]),
        conflict=conflict,
    ), status


@bp.get("/womens-service/<key>/summary")
@role_required("admin")
def summary_edit(key):
    return render_summary(get_session(key))


@bp.post("/womens-service/<key>/summary")
@role_required("admin")
def summary_save(key):
    session = get_session(key)
    org_id = current_user.org_id
    if request.form.get("action") == "reset":
        with writing():
            get_db().execute(
                "delete from womens_service_summaries where org_id = ? and session_key = ?",
                [org_id, key],
            )
        return redirect(url_for("safety.womens_page", key=key), 303)
    form = SummaryForm()
    if not form.validate():
        return render_summary(session, 422, form=form)
    with writing():
        current = summary_of(org_id, key)
        if str(current["version"]) != request.form.get("base", ""):
            # Another admin saved since this form was opened: show theirs, keep what was typed.
            return render_summary(session, 409, form=form, conflict=current)
        get_db()["womens_service_summaries"].upsert(
            {
                "org_id": org_id,
                "session_key": key,
                "summary": form.summary.data.strip(),
                "version": new_version(),
                "updated_by": current_user.id,
                "updated_at": now(),
            },
            pk=("org_id", "session_key"),
        )
    return redirect(url_for("safety.womens_page", key=key), 303)
