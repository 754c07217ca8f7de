from datetime import date

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import workload
from ..db import writing
from ..extensions import htmx
from ..fragments import render_page_or_block
from ..permissions import get_pair, get_session_plan, role_required
from . import adapted, bp, plans
from .forms import PlanInput, TimingInput

# Everyone in the organisation reads the module: facilitators run it, admins adapt it,
# supervisors see what their supervisees plan. It is organisation content, nothing private
# (docs/design.md "The data rule"); each person sees their own organisation's version.


def get_session(key: str) -> dict:
    """A session as the reader's organisation runs it, or 404."""
    found = adapted.session(current_user.org_id, key)
    if found is None:
        abort(404)
    return found


# --- reading the module ----------------------------------------------------------------------


@bp.get("/module/")
@login_required
def module_show():
    return render_template(
        "module/module.html",
        module=adapted.module(),
        sessions=adapted.sessions(current_user.org_id),
    )


@bp.get("/module/<key>")
@login_required
def session_show(key):
    return render_template("module/session.html", session=get_session(key))


@bp.get("/module/activities/<activity_key>")
@login_required
def activity_show(activity_key):
    # Loaded on demand (a page's <details> fetches it when opened): the whole module is long,
    # and each page stays within the 14 KB budget (docs/design.md: budgets).
    activity = adapted.guideline_activities().get(activity_key)
    if activity is None:
        abort(404)
    # Inside a session page's step (an h2) its parts are h3; on its own page, h2.
    heading = "h3" if htmx and not htmx.boosted else "h2"
    return render_page_or_block(
        "module/activity.html", "activity", activity=activity, heading=heading
    )


@bp.get("/module/<key>/print")
@login_required
def session_print(key):
    return render_template("module/print.html", session=get_session(key))


# --- an organisation adapts a session to its own length ---------------------------------------


def render_timing(session, status=200, edit=None, **context):
    return render_page_or_block(
        "module/timing.html",
        "timing",
        status,
        session=session,
        edit=edit or TimingInput.from_session(session),
        extras=adapted.module()["extras"],
        title_length=adapted.TITLE_LENGTH,
        **context,
    )


@bp.get("/module/<key>/timing")
@role_required("admin")
def timing_show(key):
    return render_timing(get_session(key))


@bp.post("/module/<key>/timing")
@role_required("admin")
@writing()
def timing_save(key):
    session = get_session(key)
    edit = TimingInput.from_form(request.form)
    if edit.action != "save":
        edit.apply(edit.action, request.form.get("extra", ""))
        return render_timing(session, edit=edit, unsaved=True)
    if edit.problems:
        return render_timing(session, 422, edit=edit)
    try:
        adapted.save(current_user.org_id, key, edit.steps, edit.base, current_user.id)
    except adapted.Conflict as conflict:
        # Their version is named; a second Save replaces it on purpose.
        edit.base = conflict.current["version"]
        return render_timing(session, 409, edit=edit, conflict=conflict.current)
    notice = _("Saved. Pairs planning this session now see these timings.")
    return render_timing(get_session(key), notice=notice)


@bp.post("/module/<key>/timing/total")
@role_required("admin")
def timing_total(key):
    # The total as the admin types, before anything is saved.
    session = get_session(key)
    edit = TimingInput.from_form(request.form)
    return render_page_or_block("module/timing.html", "total", session=session, edit=edit)


@bp.get("/module/<key>/timing/reset")
@role_required("admin")
def timing_reset_confirm(key):
    return render_timing(get_session(key), confirming_reset=True)


@bp.post("/module/<key>/timing/reset")
@role_required("admin")
@writing()
def timing_reset(key):
    get_session(key)
    adapted.reset(current_user.org_id, key)
    notice = _("Back to the guidelines' version.")
    return render_timing(get_session(key), notice=notice)


# --- a pair plans a night's group -------------------------------------------------------------


def render_plans(pair, status=200, edit=None, block="plan", **context):
    sessions = adapted.sessions(current_user.org_id)
    if edit is None:
        day = day_from(request.args.get("on")) or plans.today()
        edit = PlanInput.blank(day, sessions[0]["key"], plans.plan_on(pair, day))
    return render_page_or_block(
        "module/plans.html",
        block,
        status,
        pair=pair,
        edit=edit,
        session=next((s for s in sessions if s["key"] == edit.session_key), None),
        sessions=sessions,
        planned=plans.with_sessions(sessions, plans.plans_of(pair)),
        **context,
    )


def day_from(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


@bp.get("/pairs/<int:pair_id>/plans")
@role_required("facilitator")
def plans_show(pair_id):
    return render_plans(get_pair(pair_id))


@bp.post("/pairs/<int:pair_id>/plans")
@role_required("facilitator")
@writing()
def plan_save(pair_id):
    pair = get_pair(pair_id, writing=True)
    session = adapted.session(current_user.org_id, request.form.get("session_key", ""))
    partners = {str(current_user.id), str(pair["partner_id"])}
    edit = PlanInput.from_form(request.form, session, partners)
    if request.form.get("action") == "choose":
        edit.problems = {}  # choosing a session saves nothing, so nothing is wrong yet
        return render_plans(pair, edit=edit)
    if edit.problems:
        return render_plans(pair, 422, edit=edit)
    try:
        plans.save(pair, current_user, edit.as_plan(), edit.base, edit.original_on)
    except plans.Conflict as conflict:
        # What is there now is shown, and a second Save replaces it on purpose.
        edit.base = conflict.current["version"] if conflict.current else 0
        return render_plans(pair, 409, edit=edit, conflicted=True, theirs=conflict.current)
    saved = plans.plan_on(pair, edit.held_on)
    edit = PlanInput.blank(edit.held_on, edit.session_key, saved)
    return render_plans(pair, edit=edit, notice=_("Planned. It is on your card for that night."))


@bp.post("/pairs/<int:pair_id>/plans/<int:plan_id>/ran")
@role_required("facilitator")
@writing()
def plan_ran(pair_id, plan_id):
    pair = get_pair(pair_id, writing=True)
    ran = request.form.get("ran") == "yes"
    plan = get_session_plan(plan_id, pair)
    # Issue 27: one "we ran it". Marking the plan run logs the group on the tapper's record,
    # and taking it back takes their log back; a partner's own log keeps the night as run.
    day = date.fromisoformat(plan["held_on"])
    mine = workload.logged_on(pair["id"], plan["held_on"], current_user.id)
    if ran and not mine:
        unmentored = workload.unmentored_pairs(pair["org_id"], day, [pair["id"]])
        experienced = workload.with_experienced_default(current_user.id, pair["id"], unmentored)
        workload.log(current_user, pair["id"], day, experienced)
        notice = _("Marked as run, and logged on your record.")
    elif ran:
        plans.mark_ran(plan, True)
        notice = _("Marked as run.")
    else:
        for log in mine:
            workload.remove(log)
        plans.mark_ran(plan, False)
        notice = _("No longer marked as run.")
        if workload.logged_on(pair["id"], plan["held_on"]):
            plans.mark_ran(plan, True)
            notice = _(
                "Your log is taken back. %(partner)s logged this group too, so it stays run"
                " until they take theirs back.",
                partner=pair["partner_name"],
            )
    return after_plan_change(pair, notice)


@bp.post("/pairs/<int:pair_id>/plans/<int:plan_id>/delete")
@role_required("facilitator")
@writing()
def plan_delete(pair_id, plan_id):
    pair = get_pair(pair_id, writing=True)
    plans.delete(get_session_plan(plan_id, pair))
    return after_plan_change(pair, _("Plan removed."))


def after_plan_change(pair, notice):
    # Only the list changes: what is being typed in the plan form above stays as it is.
    if htmx and not htmx.boosted:
        return render_plans(pair, block="planned", list_notice=notice)
    return redirect(url_for("module.plans_show", pair_id=pair["id"]))
