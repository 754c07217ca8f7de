from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import NamedTuple

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from .. import content, drawn, standards, workload
from ..clock import now
from ..coworking import agreement, checkins, oversight, pairs, tobring
from ..db import first_row, get_db, rows, writing
from ..fragments import render_page_or_block
from ..module import adapted, plans
from ..people.members import members
from ..permissions import (
    get_group_log,
    get_in_organisation,
    get_shared_agreement,
    get_supervised_pair,
    get_supervisee,
    get_supervision_meeting,
    pairs_of,
    role_required,
    shared_safety_checks,
    shared_session_plans,
    supervised_pairs,
    supervisees_of,
    topics_shared,
)
from . import bp, guidance, record, training
from .forms import AssignmentForm, MeetingForm, ReviewForm, TargetForm, TrainingForm

# --- the supervisor's home -------------------------------------------------------------------


@bp.get("/")
@role_required("supervisor")
def home():
    shown = caseload_shows(current_user)
    caseload = drawn.kept(
        "caseload",
        current_user.id,
        # The drawing below the top bar: the reader's roles are the whole page's alone.
        (shown.org_id, shown.changes, shown.today),
        lambda: draw_caseload(current_user.id, current_user.org_id, shown.today),
    )
    looks = oversight.caseload_looks(caseload.pair_ids, caseload.context_ids)
    oversight.log_looks(looks, current_user)
    return drawn.page(
        "caseload",
        shown,
        lambda: render_template("supervision/home.html", caseload=caseload.html),
        # Sent again to the same request while it holds (wellbeing/replay.py), but never a look
        # that must be logged: this view logs it.
        again=caseload_shows,
        writes=lambda person: not oversight.all_logged(looks, person),
    )


class CaseloadShows(NamedTuple):
    """What the supervisor's home depends on: the organisation, every change to what it shows
    (m010's triggers) and the day. And the reader's roles, which m010 does not count: the top
    bar turns on them (base.html), and a page sent again without the view (wellbeing/replay.py)
    is sent only while the person is still a supervisor."""

    org_id: int
    changes: int
    today: date
    roles: tuple


def caseload_shows(person) -> CaseloadShows:
    return CaseloadShows(
        person.org_id,
        oversight.changes(),
        checkins.today(person.org_id),
        tuple(sorted(person.roles)),
    )


@dataclass(frozen=True)
class Caseload:
    html: Markup
    pair_ids: list
    context_ids: list


def draw_caseload(supervisor_id, org_id, today) -> Caseload:
    """The supervisor's people and pairs, drawn once for each state of what they show and kept
    in the worker's memory (wellbeing/drawn.py, issue 26).

    50 supervisees with a year of check-ins take several milliseconds to draw (issue 5's bench).
    The key counts every change to what the drawing shows (`oversight.changes`, m010's
    triggers), and `today` moves the weeks and months on, so a drawing is never stale."""
    supervisor = SimpleNamespace(id=supervisor_id, org_id=org_id)
    people = supervisees_of(supervisor)
    ids = [person["id"] for person in people]
    shown = supervised_pairs(supervisor)
    pair_ids = [pair["id"] for pair in shown]
    topics = topics_shared(pair_ids)
    contexts = {p["id"]: pairs.context(p) for p in shown if "context" in topics[p["id"]]}
    html = render_template(
        "supervision/_caseload.html",
        people=people,
        minutes=record.this_month_minutes(ids, today),
        targets={p["id"]: record.target_of(p["id"], today) for p in people},
        flagged=workload.flagged_people(ids, today),
        pairs=shown,
        rhythms=checkins.rhythms(shown, today),
        topics=topics,
        waiting=oversight.waiting_for_review(pair_ids, topics),
        contexts=contexts,
        guidance=guidance(),
    )
    return Caseload(Markup(html), pair_ids, list(contexts))


# --- one pair, as its supervisor sees it -------------------------------------------------------


@bp.get("/pairs/<int:pair_id>")
@role_required("supervisor")
def pair_show(pair_id):
    pair = get_supervised_pair(pair_id)
    names = {pair["first_id"]: pair["first_name"], pair["second_id"]: pair["second_name"]}
    shared = topics_shared([pair["id"]])[pair["id"]]
    content_shared, context_shared = "checkins" in shared, "context" in shared
    oversight.log_views([pair["id"]], current_user, "checkin-dates")
    if content_shared:
        oversight.log_views([pair["id"]], current_user, "checkin-content")
    if context_shared:
        oversight.log_views([pair["id"]], current_user, "context")
    if "sessions" in shared:
        oversight.log_views([pair["id"]], current_user, "sessions")
        # Issue 22: the safety answers come with the sessions, and each look is logged too.
        oversight.log_views([pair["id"]], current_user, "safety")
    return render_template(
        "supervision/pair.html",
        pair=pair,
        rhythm=checkins.rhythm(pair, checkins.today()),
        weeks=checkins.shared_weeks(pair, names) if content_shared else None,
        context=pairs.context(pair) if context_shared else None,
        agreement_shared="agreement" in shared,
        planned=planned_sessions(pair),
        safety_checks=shared_safety_checks(pair),
        safety=content.safety(),
        guidance=guidance(),
        coworking=content.guidelines()["coworking"],
    )


def planned_sessions(pair: dict) -> list[dict] | None:
    """What the pair planned and ran (issue 12), if both partners share it."""
    shared = shared_session_plans(pair)
    if shared is None:
        return None
    return plans.with_sessions(adapted.sessions(current_user.org_id), shared)


def render_review(pair, status=200, **context):
    agreed = agreement.agreed(pair)
    before = agreement.version(pair, agreed["number"] - 1)
    context.setdefault("form", ReviewForm(formdata=None))
    return render_page_or_block(
        "supervision/agreement.html",
        "reviews",
        status,
        pair=pair,
        agreed=agreed,
        strategies=agreement.with_guidelines(agreed["strategies"]),
        changes=agreement.changes(before, agreed),
        before=before,
        versions=[v for v in agreement.versions(pair) if v["agreed_at"]],
        reviews=oversight.reviews(pair),
        **context,
    )


@bp.get("/pairs/<int:pair_id>/agreement")
@role_required("supervisor")
def agreement_show(pair_id):
    pair = get_shared_agreement(pair_id)
    oversight.log_views([pair["id"]], current_user, "agreement")
    return render_review(pair)


@bp.post("/pairs/<int:pair_id>/agreement/reviews")
@role_required("supervisor")
@writing()
def review_add(pair_id):
    pair = get_shared_agreement(pair_id)
    form = ReviewForm()
    if not form.validate():
        return render_review(pair, 422, form=form)
    number = agreement.agreed(pair)["number"]
    oversight.add_review(pair, current_user, number, form.kind.data, (form.text.data or "").strip())
    names = {"a": pair["first_name"], "b": pair["second_name"]}
    notice = _("Saved. %(a)s and %(b)s see it on their agreement.", **names)
    return render_review(pair, notice=notice)


# --- the supervision record ----------------------------------------------------------------------


def meeting_form(formdata=None) -> MeetingForm:
    form = MeetingForm(formdata=formdata)
    form.supervisees.choices = [SelectChoice(p["id"], p["name"]) for p in supervisees_of()]
    form.areas.choices = [SelectChoice(a["id"], a["text"]) for a in guidance()["areas"]]
    return form


# The meetings' addresses still say "sessions" (/supervision/sessions/…): an address is kept
# once pages and bookmarks have it (docs/design.md "Words, one meaning each").
@bp.get("/sessions/new")
@role_required("supervisor")
def meeting_new():
    form = meeting_form()
    form.held_on.data = checkins.today()
    who = request.args.get("supervisee", type=int)
    form.supervisees.data = [who] if who else []
    return render_template("supervision/meeting_new.html", form=form, aside=guidance()["aside"])


@bp.post("/sessions")
@role_required("supervisor")
@writing()
def meeting_create():
    form = meeting_form(request.form)
    if not form.validate():
        return render_template(
            "supervision/meeting_new.html", form=form, aside=guidance()["aside"]
        ), 422
    fields = {name: getattr(form, name).data for name in ("held_on", "minutes", "format", "areas")}
    fields["notes"] = (form.notes.data or "").strip()
    fields["supervisor_only"] = form.supervisor_only.data
    fields["external"] = {"yes": 1, "no": 0}.get(form.external.data)
    record.log_meeting(current_user, fields, form.supervisees.data)
    return redirect(url_for("supervision.supervisee_show", user_id=form.supervisees.data[0]))


@bp.post("/sessions/<int:meeting_id>/remove")
@role_required("supervisor")
@writing()
def meeting_remove(meeting_id):
    attendees = record.remove_meeting(get_supervision_meeting(meeting_id))
    flash(_("Session removed."))
    if not attendees:
        return redirect(url_for("supervision.home"))
    return redirect(url_for("supervision.supervisee_show", user_id=attendees[0]))


def record_context(person_id: int, meetings: list[dict]) -> dict:
    """What a supervisee's record shows: hours by month, areas by month, mentoring, workload."""
    today = checkins.today()
    target = record.target(person_id, today)
    ran = workload.logs_of(person_id)
    org_id = first_row("select org_id from users where id = ?", [person_id])["org_id"]
    readings = standards.of(org_id)
    in_pairs = [
        row["pair_id"]
        for row in rows("select pair_id from pair_members where user_id = ?", [person_id])
    ]
    return {
        "meetings": meetings,
        "target": target["minutes"],
        "target_why": target["why"],
        "readings": readings,
        "months": record.months(meetings, today, target["minutes"]),
        "areas": record.areas_by_month(meetings, today),
        "area_months": record.area_months(today),
        "mentoring": workload.mentoring(ran, today, readings["mentoring_reading"]),
        "unmentored": workload.unmentored_pairs(org_id, today, in_pairs),
        "flags": workload.flags(ran, today),
        "guidance": guidance(),
        "training_ticked": training.ticked(person_id),
    }


@bp.get("/people/<int:user_id>")
@role_required("supervisor")
def supervisee_show(user_id):
    person = get_supervisee(user_id)
    meetings = record.as_read_by(record.meetings_of(user_id))
    form = TargetForm(formdata=None, minutes=record.target_of(user_id, checkins.today()))
    return render_template(
        "supervision/supervisee.html",
        person=person,
        target_form=form,
        agenda=agenda_of(user_id),
        **record_context(user_id, meetings),
    )


def agenda_of(user_id: int) -> list[dict]:
    """What the supervisee shared to bring to supervision (issue 27). Reading it is a look
    like every other: logged for the pair each note came from, and the pair sees the log."""
    agenda = tobring.agenda_for(user_id)
    pair_ids = sorted({note["pair_id"] for note in agenda if note["pair_id"] is not None})
    oversight.log_views(pair_ids, current_user, "agenda")
    return agenda


@bp.post("/people/<int:user_id>/target")
@role_required("supervisor")
@writing()
def target_update(user_id):
    person = get_supervisee(user_id)
    form = TargetForm()
    if not form.validate():
        meetings = record.as_read_by(record.meetings_of(user_id))
        page = render_template(
            "supervision/supervisee.html",
            person=person,
            target_form=form,
            agenda=agenda_of(user_id),
            **record_context(user_id, meetings),
        )
        return page, 422
    record.set_target(person["link_id"], form.minutes.data)
    return redirect(url_for("supervision.supervisee_show", user_id=user_id))


# --- a facilitator's own record ----------------------------------------------------------------


def training_form(formdata=None) -> TrainingForm:
    form = TrainingForm(formdata=formdata, topics=list(training.ticked(current_user.id)))
    form.topics.choices = [
        SelectChoice(topic["id"], topic["text"])
        for group in training.groups()
        for topic in group["topics"]
    ]
    return form


@bp.get("/me")
@role_required("facilitator")
def mine_show():
    return render_mine()


def render_mine(status=200, **context):
    meetings = record.as_read_by(record.meetings_of(current_user.id))
    context.setdefault("training_form", training_form())
    page = render_template(
        "supervision/mine.html",
        ran=workload.logs_of(current_user.id),
        pair_names={pair["id"]: pair["name"] for pair in pairs_of()},
        **record_context(current_user.id, meetings),
        **context,
    )
    return page, status


@bp.post("/me/training")
@role_required("facilitator")
@writing()
def training_update():
    # Respect §3.12: the facilitator ticks their own training (why: supervision/training.py).
    form = training_form(request.form)
    if not form.validate():
        return render_mine(422, training_form=form)
    training.record(current_user.id, form.topics.data or [])
    return redirect(url_for("supervision.mine_show", training=1) + "#training-heading")


@bp.post("/me/groups/<int:log_id>/remove")
@role_required("facilitator")
@writing()
def group_log_remove(log_id):
    workload.remove(get_group_log(log_id))
    return redirect(url_for("supervision.mine_show", removed=1))


# --- assigning supervisors (admins) -----------------------------------------------------------


def assignment_form(formdata=None) -> AssignmentForm:
    form = AssignmentForm(formdata=formdata)
    # Someone switched off can't be given anyone to supervise, or a supervisor.
    people = [p for p in members(current_user.org_id) if not p["disabled_at"]]
    form.supervisor.choices = [
        SelectChoice(p["id"], p["name"]) for p in people if "supervisor" in p["roles"]
    ]
    form.supervisee.choices = [
        SelectChoice(p["id"], p["name"]) for p in people if "facilitator" in p["roles"]
    ]
    return form


def render_assignments(status=200, **context):
    context.setdefault("form", assignment_form())
    links = rows(
        "select supervisions.id, supervisor.name as supervisor, supervisee.name as supervisee"
        " from supervisions join users supervisor on supervisor.id = supervisions.supervisor_id"
        " join users supervisee on supervisee.id = supervisions.supervisee_id"
        " where supervisions.org_id = ? order by supervisee.name, supervisor.name",
        [current_user.org_id],
    )
    return render_page_or_block(
        "supervision/assignments.html", "assignments", status, links=links, **context
    )


@bp.get("/assignments")
@role_required("admin")
def assignments_list():
    return render_assignments()


@bp.post("/assignments")
@role_required("admin")
@writing()
def assignment_create():
    form = assignment_form(request.form)
    if not form.validate():
        return render_assignments(422, form=form)
    if form.supervisor.data == form.supervisee.data:
        return render_assignments(422, form=form, problem=_("Someone can't supervise themselves."))
    get_db()["supervisions"].insert(
        {
            "org_id": current_user.org_id,
            "supervisor_id": form.supervisor.data,
            "supervisee_id": form.supervisee.data,
            "assigned_at": now(),
        },
        ignore=True,
    )
    return render_assignments(201, notice=_("Assigned."), form=assignment_form())


@bp.post("/assignments/<int:link_id>/remove")
@role_required("admin")
@writing()
def assignment_remove(link_id):
    link = get_in_organisation("supervisions", link_id)
    get_db()["supervisions"].delete(link["id"])
    return render_assignments(notice=_("No longer assigned. Past supervision records stay."))
