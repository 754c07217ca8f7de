import secrets
from datetime import date

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from .. import content, drawn, workload
from ..db import writing
from ..extensions import htmx
from ..fragments import render_page_or_block
from ..module import plans as session_plans
from ..permissions import (
    get_group_log,
    get_pair,
    get_pair_invitation,
    get_supervision_note,
    pairs_of,
    role_required,
    supervisors_of,
)
from . import agreement, bp, checkins, conversation, oversight, pairs, tobring
from .forms import (
    CheckinDayForm,
    CheckinForm,
    CheckinReplyForm,
    ContextForm,
    GroupLogForm,
    PairInvitationForm,
    SupervisionNoteForm,
)
from .parsing import AgreementInput, shared_answers

TOPIC = "<any(context,agreement,checkins,sessions):topic>"


def guidance() -> dict:
    return content.guidelines()["coworking"]


# --- pairs and invitations ---------------------------------------------------------------


def invitation_form(formdata=None) -> PairInvitationForm:
    form = PairInvitationForm(formdata=formdata)
    colleagues = pairs.colleagues_to_invite(current_user)
    form.colleague.choices = [SelectChoice(c["id"], c["name"]) for c in colleagues]
    return form


def render_index(status=200, **context):
    context.setdefault("form", invitation_form())
    mine = pairs_of()
    states = {pair["id"]: checkins.state(pair, current_user, checkins.today()) for pair in mine}
    return render_page_or_block(
        "coworking/index.html",
        "pairs",
        status,
        pairs=mine,
        states=states,
        invitations=pairs.open_invitations(current_user),
        **context,
    )


@bp.get("/")
@role_required("facilitator")
def pairs_index():
    return render_index()


@bp.post("/invitations")
@role_required("facilitator")
@writing()
def invitation_create():
    form = invitation_form(request.form)
    if not form.validate():
        return render_index(422, form=form)
    pairs.invite(current_user, form.colleague.data, form.name.data.strip())
    notice = _("Invitation sent. It shows on their home screen until they answer.")
    return render_index(201, notice=notice, form=invitation_form(formdata=None))


@bp.post("/invitations/<int:invitation_id>/accept")
@role_required("facilitator")
@writing()
def invitation_accept(invitation_id):
    invitation = get_pair_invitation(invitation_id, "invitee")
    pair_id = pairs.answer_invitation(invitation, "accepted")
    return redirect(url_for("coworking.pair_show", pair_id=pair_id))


@bp.post("/invitations/<int:invitation_id>/decline")
@role_required("facilitator")
@writing()
def invitation_decline(invitation_id):
    pairs.answer_invitation(get_pair_invitation(invitation_id, "invitee"), "declined")
    return render_index(notice=_("You declined. They will see that the invitation was declined."))


@bp.post("/invitations/<int:invitation_id>/withdraw")
@role_required("facilitator")
@writing()
def invitation_withdraw(invitation_id):
    pairs.answer_invitation(get_pair_invitation(invitation_id, "inviter"), "withdrawn")
    return render_index(notice=_("Invitation withdrawn."))


@bp.get("/<int:pair_id>")
@role_required("facilitator")
def pair_show(pair_id):
    pair = get_pair(pair_id)
    return render_template(
        "coworking/pair.html",
        pair=pair,
        state=checkins.state(pair, current_user, checkins.today()),
        rhythm=checkins.rhythm(pair, checkins.today()),
        agreed=agreement.agreed(pair),
        draft=agreement.current(pair),
        talk=conversation.view(pair, current_user),
        partner_reset=pairs.partner_reset(pair),
        tonight=tonight(pair),
    )


@bp.get("/<int:pair_id>/end")
@role_required("facilitator")
def pair_end_confirm(pair_id):
    return render_template("coworking/end.html", pair=get_pair(pair_id, writing=True))


@bp.post("/<int:pair_id>/end")
@role_required("facilitator")
@writing()
def pair_end(pair_id):
    pairs.end(get_pair(pair_id, writing=True), current_user)
    return redirect(url_for("coworking.pair_show", pair_id=pair_id))


# --- what the pair shares with supervision, and its power context -------------------------


def render_sharing(pair, status=200, **context):
    context.setdefault("form", context_form(pair))
    return render_page_or_block(
        "coworking/sharing.html",
        "sharing",
        status,
        pair=pair,
        consents=pairs.consents(pair),
        context=pairs.context(pair),
        agreed=agreement.agreed(pair),
        rhythm=checkins.rhythm(pair, checkins.today()),
        guidance=guidance(),
        views=oversight.views_of(pair),
        **context,
    )


def context_form(pair, formdata=None) -> ContextForm:
    form = ContextForm(formdata=formdata, data=pairs.context(pair) if formdata is None else None)
    power = guidance()["power"]
    # The options are this app's words; the words chosen are what is kept (sealed).
    form.gender.choices = [SelectChoice(o["text"], o["text"]) for o in power["gender"]]
    form.experience.choices = [SelectChoice(o["text"], o["text"]) for o in power["experience"]]
    return form


@bp.get("/<int:pair_id>/sharing")
@role_required("facilitator")
def sharing_show(pair_id):
    return render_sharing(get_pair(pair_id))


@bp.post(f"/<int:pair_id>/consents/{TOPIC}")
@role_required("facilitator")
@writing()
def consent_give(pair_id, topic):
    pair = get_pair(pair_id, writing=True)
    if topic == "context" and not pairs.context(pair):
        abort(409)
    pairs.give_consent(pair, topic, current_user)
    return render_sharing(pair, notice=_("Done. Your co-worker sees that you said yes."))


@bp.post(f"/<int:pair_id>/consents/{TOPIC}/withdraw")
@role_required("facilitator")
@writing()
def consent_withdraw(pair_id, topic):
    # Not `writing=True`: an ended pair is read-only, but either partner can still take back
    # what they shared (README: "either can withdraw it"; issue 11, finding 2).
    pair = get_pair(pair_id)
    pairs.withdraw_consent(pair, topic, current_user)
    return render_sharing(pair, notice=_("Withdrawn. It is no longer shared."))


@bp.post("/<int:pair_id>/context")
@role_required("facilitator")
@writing()
def context_update(pair_id):
    pair = get_pair(pair_id, writing=True)
    form = context_form(pair, request.form)
    if not form.validate():
        return render_sharing(pair, 422, form=form)
    pairs.record_context(pair, form.gender.data, form.experience.data, current_user)
    notice = _("Recorded. It is shared only once your co-worker agrees too.")
    return render_sharing(get_pair(pair_id), notice=notice)


@bp.post("/<int:pair_id>/context/forget")
@role_required("facilitator")
@writing()
def context_forget(pair_id):
    pair = get_pair(pair_id, writing=True)
    pairs.forget_context(pair)
    return render_sharing(get_pair(pair_id), notice=_("Removed. Nothing about it is kept."))


# --- the new-partnership conversation ----------------------------------------------------


@bp.get("/<int:pair_id>/conversation")
@role_required("facilitator")
def conversation_show(pair_id):
    pair = get_pair(pair_id)
    return render_conversation(pair)


def render_conversation(pair, status=200, **context):
    return render_page_or_block(
        "coworking/conversation.html",
        "shared",
        status,
        pair=pair,
        talk=conversation.view(pair, current_user),
        questions=conversation.questions(),
        tonight=tonight(pair),
        guidance=guidance()["conversation"],
        **context,
    )


@bp.post("/<int:pair_id>/conversation")
@role_required("facilitator")
@writing()
def conversation_share(pair_id):
    pair = get_pair(pair_id, writing=True)
    answers, situations, problem = shared_answers(request.form, conversation.questions())
    if problem:
        return render_conversation(pair, 422, problem=problem)
    conversation.share(pair, current_user, answers, situations)
    return render_conversation(pair, shared_now=True)


def tonight(pair) -> dict:
    """Tonight's plan, or the next one, with its session and run sheet (module/plans.py)."""
    return session_plans.tonight(pair, current_user.org_id, checkins.today())


# --- the redirection-strategy agreement ---------------------------------------------------


def render_agreement(pair, status=200, edit=None, **context):
    latest = agreement.current(pair)
    if edit is None:
        strategies = latest["strategies"] if latest else agreement.starting_point()
        edit = AgreementInput(agreement.with_guidelines(strategies), agreement.base_of(latest))
    return render_page_or_block(
        "coworking/agreement.html",
        "agreement",
        status,
        pair=pair,
        latest=latest,
        agreed=agreement.agreed(pair),
        edit=edit,
        versions=agreement.versions(pair),
        reviews=oversight.reviews(pair),
        guidance=guidance()["agreement"],
        choices=agreement.CHOICES,
        **context,
    )


@bp.get("/<int:pair_id>/agreement")
@role_required("facilitator")
def agreement_show(pair_id):
    return render_agreement(get_pair(pair_id))


@bp.post("/<int:pair_id>/agreement")
@role_required("facilitator")
@writing()
def agreement_save(pair_id):
    pair = get_pair(pair_id, writing=True)
    edit = AgreementInput.from_form(request.form)
    if edit.problems:
        return render_agreement(pair, 422, edit=edit)
    try:
        agreement.save(pair, current_user, edit.base, edit.strategies)
    except agreement.Conflict as conflict:
        return render_agreement(pair, 409, edit=edit.after_conflict(conflict.current))
    return render_agreement(pair, notice=_("Saved. Both of you confirm it to make it agreed."))


@bp.post("/<int:pair_id>/agreement/confirm")
@role_required("facilitator")
@writing()
def agreement_confirm(pair_id):
    pair = get_pair(pair_id, writing=True)
    base = AgreementInput.base_from(request.form)
    try:
        latest = agreement.confirm(pair, current_user, base)
    except agreement.Conflict:
        notice = _("It changed before you confirmed. Please read it again, then confirm.")
        return render_agreement(pair, 409, stale=notice)
    if latest["agreed_at"]:
        return render_agreement(pair, notice=_("Agreed by both of you."))
    return render_agreement(pair, notice=_("Confirmed. It is agreed once your co-worker confirms."))


@bp.get("/<int:pair_id>/agreement/versions/<int:number>")
@role_required("facilitator")
def agreement_version_show(pair_id, number):
    pair = get_pair(pair_id)
    shown = agreement.version(pair, number)
    if shown is None:
        abort(404)
    before = agreement.version(pair, number - 1)
    return render_template(
        "coworking/version.html",
        pair=pair,
        shown=shown,
        strategies=agreement.with_guidelines(shown["strategies"]),
        changes=agreement.changes(before, shown),
        before=before,
    )


# --- weekly check-ins ------------------------------------------------------------------------


def render_checkins(pair, status=200, **context):
    week = checkins.monday_of(checkins.today())
    view = checkins.week_view(pair, current_user, week)
    if "form" not in context:
        mine = view["mine"] or {}
        context["form"] = CheckinForm(formdata=None, data=mine)
    context.setdefault("editing", bool(request.args.get("edit")))
    context.setdefault("reply_week", None)
    # A refused reply or day comes back with its own form, errors and all. Only a week both
    # answered takes a reply: no form is made for the others (a sent check-in's answer).
    if "reply_form" not in context:
        context["reply_form"] = CheckinReplyForm(formdata=None) if view["revealed"] else None
    if not htmx or htmx.boosted:
        # The rest of the page. An htmx update of this week shows none of it: the last weeks,
        # the day, and the timeline, which opens every week's words (issue 26: a check-in
        # sent by 32 people at once drew them all for nothing).
        context.setdefault("day_form", CheckinDayForm(formdata=None, day=pair["checkin_day"]))
        context["rhythm"] = checkins.rhythm(pair, checkins.today())
        context["timeline"] = checkins.timeline(pair, current_user)
    return render_page_or_block(
        "coworking/checkins.html",
        "this_week",
        status,
        pair=pair,
        view=view,
        state=checkins.state(pair, current_user, checkins.today()),
        guidance=guidance()["checkin"],
        **context,
    )


@bp.get("/<int:pair_id>/checkins")
@role_required("facilitator")
def checkins_show(pair_id):
    return render_checkins(get_pair(pair_id))


@bp.post("/<int:pair_id>/checkins")
@role_required("facilitator")
def checkin_submit(pair_id):
    # Issue 26: the write lock is held for the reads that decide the write and the write alone.
    # The page is drawn after the commit, so 32 people sending at once queue for the commit
    # (an fsync), not for each other's pages as well.
    form = CheckinForm()
    with writing():
        pair = get_pair(pair_id, writing=True)
        if not form.validate():
            sent = None
        else:
            week = checkins.monday_of(checkins.today())
            more, less = (form.more.data or "").strip(), (form.less.data or "").strip()
            sent = checkins.submit(pair, current_user, week, more, less)
    if sent is None:
        return render_checkins(pair, 422, form=form)
    if not sent:
        return render_checkins(pair, 409, form=form, refusal=_("This week's answers are open."))
    # The form as sent: a sent check-in shows the answers, not a form, so a fresh one made from
    # them would go unused (5% of a check-in in-process, issue 26).
    return render_checkins(pair, notice=_("Sent."), form=form)


@bp.post("/<int:pair_id>/checkins/<week>/reply")
@role_required("facilitator")
@writing()
def checkin_reply(pair_id, week):
    pair = get_pair(pair_id, writing=True)
    monday = week_from(week)
    form = CheckinReplyForm()
    if not form.validate():
        return render_checkins(pair, 422, reply_form=form, reply_week=monday)
    if not checkins.reply(pair, current_user, monday, form.reply.data.strip()):
        abort(404)
    return render_checkins(pair, notice=_("Reply sent."))


def week_from(text: str) -> date:
    """A week named in a URL by its Monday, or 404."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        abort(404)
    if day != checkins.monday_of(day):
        abort(404)
    return day


@bp.post("/<int:pair_id>/checkins/day")
@role_required("facilitator")
@writing()
def checkin_day_update(pair_id):
    pair = get_pair(pair_id, writing=True)
    form = CheckinDayForm()
    if not form.validate():
        return render_checkins(pair, 422, day_form=form)
    checkins.set_day(pair, form.day.data)
    pair = dict(pair, checkin_day=form.day.data)  # as saved, without asking the database again
    return render_checkins(pair, notice=_("Check-in day changed for both of you."))


# --- the before-session card -----------------------------------------------------------------


def render_card(pair, status=200, **context):
    unmentored = workload.unmentored_pairs(pair["org_id"], checkins.today(), [pair["id"]])
    if "group_form" not in context:
        context["group_form"] = group_form(pair, unmentored)
    ran = workload.logs_of(current_user.id)
    # Issue 27: once tonight is logged, the form gives way to "Logged ✓ · Undo".
    context.setdefault(
        "logged",
        next((g for g in ran if g["pair_id"] == pair["id"] and g["held_on"] == today()), None),
    )
    if not (htmx and not htmx.boosted):
        # The whole page: the part before the debrief as kept (an htmx update is the log alone).
        context["drawn"] = card_top(pair)
    return render_page_or_block(
        "coworking/card.html",
        "group_log",
        status,
        pair=pair,
        guidance=guidance(),
        flags=workload.flags(ran, checkins.today()),
        size_signal=workload.size_signal(context.get("logged_participants")),
        unmentored=unmentored,
        mentoring_rule=workload.guidance()["mentoring"],
        today=checkins.today().isoformat(),
        **context,
    )


def card_top(pair) -> Markup:
    """Tonight's session and run sheet, how we step in, what might be difficult for the
    partner, and the half hour before: drawn once for each state of what they show, for each
    reader (the partner's words are the reader's partner's), and kept (issue 26)."""
    day = checkins.today()
    depends_on = (pair["id"], drawn.pair_versions(pair), day)
    return drawn.kept("card", current_user.id, depends_on, lambda: draw_card_top(pair, day))


def draw_card_top(pair, day) -> Markup:
    agreed = agreement.agreed(pair)
    strategies = agreement.with_guidelines(agreed["strategies"]) if agreed else []
    return Markup(
        render_block(
            "coworking/card.html",
            "card_top",
            pair=pair,
            agreed=agreed,
            strategies=[s for s in strategies if s["choice"] != "not_for_us"],
            talk=conversation.view(pair, current_user),
            guidance=guidance(),
            tonight=session_plans.tonight(pair, current_user.org_id, day),
            today=day.isoformat(),
        )
    )


@bp.get("/<int:pair_id>/card")
@role_required("facilitator")
def card_show(pair_id):
    return render_card(get_pair(pair_id))


def today() -> str:
    return checkins.today().isoformat()


def group_form(pair, unmentored, formdata=None) -> GroupLogForm:
    """A fresh log form: tonight's date, a new idempotency key, and the tick as this person
    answered it last time with this pair, unless `unmentored` says neither partner is
    experienced (issue 27, `workload.with_experienced_default`)."""
    return GroupLogForm(
        formdata=formdata,
        held_on=checkins.today(),
        with_experienced=workload.with_experienced_default(current_user.id, pair["id"], unmentored),
        # New on every response, so the card's ETag leaves it out (wellbeing/drawn.py).
        key=drawn.per_response(secrets.token_urlsafe(16)),
    )


@bp.post("/<int:pair_id>/group-sessions")
@role_required("facilitator")
@writing()
def group_log_add(pair_id):
    # Respect §3.12 (mentoring) and §4.9 (workload): dates and a tick, nothing about the group.
    pair = get_pair(pair_id, writing=True)
    form = GroupLogForm()
    if not form.validate():
        return render_card(pair, 422, group_form=form)
    participants = form.participants.data
    log_id = workload.log(
        current_user,
        pair["id"],
        form.held_on.data,
        form.with_experienced.data,
        participants,
        key=form.key.data,
    )
    logged = get_group_log(log_id)
    return render_card(pair, logged=logged, just_logged=True, logged_participants=participants)


@bp.post("/<int:pair_id>/group-sessions/<int:log_id>/undo")
@role_required("facilitator")
@writing()
def group_log_undo(pair_id, log_id):
    """Takes back a group logged from the card: the card's form comes back, ready again."""
    pair = get_pair(pair_id, writing=True)
    log = get_group_log(log_id)
    if log["pair_id"] != pair["id"]:
        abort(404)
    workload.remove(log)
    notice = _("Taken back: the group on %(date)s is no longer logged.", date=log["held_on"])
    return render_card(pair, logged=None, undone=notice)


# --- to bring to supervision (issue 27) --------------------------------------------------------


def render_to_bring(pair, status=200, **context):
    context.setdefault("form", SupervisionNoteForm(formdata=None))
    return render_template(
        "coworking/to_bring.html",
        pair=pair,
        notes=tobring.notes_of(current_user, pair["id"]),
        supervisors=supervisors_of(),
        **context,
    ), status


@bp.get("/<int:pair_id>/to-bring")
@role_required("facilitator")
def to_bring_show(pair_id):
    return render_to_bring(get_pair(pair_id))


@bp.post("/<int:pair_id>/to-bring")
@role_required("facilitator")
@writing()
def to_bring_add(pair_id):
    pair = get_pair(pair_id, writing=True)
    form = SupervisionNoteForm()
    if not form.validate():
        return render_to_bring(pair, 422, form=form)
    tobring.add(current_user, pair["id"], form.text.data.strip())
    return render_to_bring(pair, 201, notice=_("Kept. Only you can read it."))


@bp.get("/<int:pair_id>/to-bring/<int:note_id>/share")
@role_required("facilitator")
def to_bring_preview(pair_id, note_id):
    """The exact preview before a note moves to a wider class (docs/design.md "The data rule")."""
    pair = get_pair(pair_id)
    note = get_supervision_note(pair, note_id)
    return render_template(
        "coworking/to_bring_share.html", pair=pair, note=note, supervisors=supervisors_of()
    )


@bp.post("/<int:pair_id>/to-bring/<int:note_id>/share")
@role_required("facilitator")
@writing()
def to_bring_share(pair_id, note_id):
    pair = get_pair(pair_id, writing=True)
    note = get_supervision_note(pair, note_id)
    if not supervisors_of():
        return render_to_bring(
            pair, 409, notice=_("You don't have a supervisor yet: kept for you.")
        )
    tobring.share(note, True)
    notice = _("Shared with your supervisor. You can withdraw it at any time.")
    return render_to_bring(pair, notice=notice)


@bp.post("/<int:pair_id>/to-bring/<int:note_id>/withdraw")
@role_required("facilitator")
@writing()
def to_bring_withdraw(pair_id, note_id):
    pair = get_pair(pair_id)  # a note can be withdrawn or deleted after the pair ended
    tobring.share(get_supervision_note(pair, note_id), False)
    return render_to_bring(pair, notice=_("Withdrawn. Only you can read it again."))


@bp.post("/<int:pair_id>/to-bring/<int:note_id>/delete")
@role_required("facilitator")
@writing()
def to_bring_delete(pair_id, note_id):
    pair = get_pair(pair_id)  # a note can be withdrawn or deleted after the pair ended
    tobring.remove(get_supervision_note(pair, note_id))
    return render_to_bring(pair, notice=_("Deleted."))
