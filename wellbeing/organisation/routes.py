import json

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import Conflict

from .. import clock, content, people, standards, workload
from ..coworking import checkins
from ..db import writing
from ..errors import refuse
from ..extensions import htmx
from ..fragments import render_page_or_block
from ..home import lifecycle
from ..people.members import members, pending_invitations, revoke_invitation
from ..permissions import get_in_organisation, role_required
from ..urls import external_url
from . import bp, export, team
from .forms import KIND_FORMS, InvitationForm, StandardsForm

KIND = "<any(practice,situation,support_contact,womens_service,men_helpline):kind>"
# Only lists that come from the guidelines can go back to them (content.RESETTABLE).
RESETTABLE_KIND = "<any(practice,situation):kind>"


# --- people and invitations ------------------------------------------------------------


def render_people(status=200, **context):
    context.setdefault("form", InvitationForm())
    return render_page_or_block(
        "organisation/people.html",
        "people",
        status,
        members=members(current_user.org_id),
        invitations=pending_invitations(current_user.org_id),
        **context,
    )


@bp.get("/people")
@role_required("admin")
def people_list():
    return render_people()


@bp.post("/invitations")
@role_required("admin")
@writing()
def invitation_create():
    form = InvitationForm()
    if not form.validate():
        return render_people(422, form=form)
    token = people.create_invitation(
        current_user.org_id,
        form.roles.data,
        form.email.data or "",
        current_user.id,
        name=form.name.data or "",
    )
    link = external_url("accounts.invitation_show", token=token)
    # Issue 27: the new link says whom and which role it is for, and when it expires.
    found = people.find_invitation(token)
    made = dict(found, roles=found["roles"].split(","))
    return render_people(201, new_link=link, made=made, form=InvitationForm(formdata=None))


@bp.post("/invitations/<int:invitation_id>/revoke")
@role_required("admin")
@writing()
def invitation_revoke(invitation_id):
    revoke_invitation(get_in_organisation("invitations", invitation_id)["id"])
    return render_people(notice=_("Invitation withdrawn. Its link no longer works."))


def get_person(user_id: int) -> dict:
    """Someone in the admin's organisation who hasn't been deleted, or 404."""
    person = get_in_organisation("users", user_id)
    if person["deleted_at"]:
        abort(404)
    return person


def get_other_person(user_id: int) -> dict:
    """As get_person, but never the admin themselves: they leave from their own account page
    (which asks for their password), not by switching themselves off here."""
    person = get_person(user_id)
    if person["id"] == current_user.id:
        refuse(Conflict, _("You can't do this to yourself here. Use your account page."))
    return person


def switch(user_id: int, change, notice: str):
    """Switch someone off or on again (home/lifecycle.py) and say what that did."""
    person = get_other_person(user_id)
    change(person["id"])
    if not htmx:
        # From the confirmation page: back to the list, where a reload sends nothing again.
        flash(notice % {"name": person["name"]}, "success")
        return redirect(url_for("organisation.people_list"), 303)
    return render_people(notice=notice % {"name": person["name"]})


@bp.get("/people/<int:user_id>/disable")
@role_required("admin")
def person_disable_confirm(user_id):
    """Switching off asks first, and says what happens to their pair and supervision."""
    person = get_other_person(user_id)
    return render_template(
        "organisation/person_disable.html",
        person=person,
        around=lifecycle.consequences(person["id"]),
    )


@bp.post("/people/<int:user_id>/disable")
@role_required("admin")
@writing()
def person_disable(user_id):
    notice = _l(
        "%(name)s is switched off: signed out everywhere, their pairs ended and their"
        " supervision assignments removed."
    )
    return switch(user_id, lifecycle.disable, str(notice))


@bp.post("/people/<int:user_id>/enable")
@role_required("admin")
@writing()
def person_enable(user_id):
    notice = _l(
        "%(name)s can sign in again. Pairs and supervision assignments that ended stay ended."
    )
    return switch(user_id, lifecycle.enable, str(notice))


@bp.get("/people/<int:user_id>/delete")
@role_required("admin")
def person_delete_confirm(user_id):
    person = get_other_person(user_id)
    return render_template(
        "organisation/person_delete.html",
        person=person,
        around=lifecycle.consequences(person["id"]),
    )


@bp.post("/people/<int:user_id>/delete")
@role_required("admin")
def person_delete(user_id):
    # Not @writing(): lifecycle.delete turns on secure_delete before its own transaction.
    person = get_other_person(user_id)
    lifecycle.delete(person["id"])
    flash(_("%(name)s is deleted.", name=person["name"]), "success")
    return redirect(url_for("organisation.people_list"), 303)


@bp.post("/people/<int:user_id>/reset")
@role_required("admin")
@writing()
def reset_create(user_id):
    person = get_person(user_id)
    token = people.create_password_reset(person["id"], current_user.id)
    link = external_url("accounts.reset_show", token=token)
    return render_people(201, reset_for=person, reset_link=link)


# --- adapting content to local context ---------------------------------------------------


def render_entries(kind, status=200, removed=None, **context):
    context.setdefault("form", KIND_FORMS[kind](formdata=None))
    context["removed"] = get_entry(removed) if removed else None
    if context.get("editing") and "edit_form" not in context:
        context["edit_form"] = KIND_FORMS[kind](data=get_entry(context["editing"]))
    return render_page_or_block(
        "organisation/content.html",
        "entries",
        status,
        kind=kind,
        entries=content.entries(current_user.org_id, kind),
        resettable=kind in content.RESETTABLE,
        suggested=content.suggested(current_user.org_id, kind),
        **context,
    )


def after_change(kind, **context):
    """htmx swaps the list in place; a plain form post goes back to the list."""
    if htmx and not htmx.boosted:
        return render_entries(kind, **context)
    return redirect(url_for("organisation.content_list", kind=kind, **context))


@bp.get(f"/content/{KIND}")
@role_required("admin")
def content_list(kind):
    editing = request.args.get("edit", type=int)
    removed = request.args.get("removed", type=int)
    return render_entries(kind, editing=editing, removed=removed)


@bp.post(f"/content/{KIND}")
@role_required("admin")
@writing()
def content_add(kind):
    form = KIND_FORMS[kind]()
    if not form.validate():
        return render_entries(kind, 422, form=form)
    content.add(current_user.org_id, kind, form.entry_fields())
    return after_change(kind)


@bp.get(f"/content/{RESETTABLE_KIND}/reset")
@role_required("admin")
def content_reset_confirm(kind):
    return render_entries(kind, confirming_reset=True)


@bp.post(f"/content/{RESETTABLE_KIND}/reset")
@role_required("admin")
@writing()
def content_reset(kind):
    content.reset_to_guidelines(current_user.org_id, kind)
    return after_change(kind)


def get_entry(entry_id):
    return get_in_organisation("content_entries", entry_id)


@bp.post("/entries/<int:entry_id>")
@role_required("admin")
@writing()
def entry_update(entry_id):
    entry = get_entry(entry_id)
    form = KIND_FORMS[entry["kind"]]()
    if not form.validate():
        return render_entries(entry["kind"], 422, editing=entry_id, edit_form=form)
    content.update(entry_id, form.entry_fields())
    return after_change(entry["kind"])


@bp.post("/entries/<int:entry_id>/move")
@role_required("admin")
@writing()
def entry_move(entry_id):
    entry = get_entry(entry_id)
    content.move(entry, -1 if request.form.get("direction") == "up" else 1)
    return after_change(entry["kind"])


@bp.post("/entries/<int:entry_id>/remove")
@role_required("admin")
@writing()
def entry_remove(entry_id):
    entry = get_entry(entry_id)
    content.remove(entry_id)
    return after_change(entry["kind"], removed=entry_id)


@bp.post("/entries/<int:entry_id>/restore")
@role_required("admin")
@writing()
def entry_restore(entry_id):
    entry = get_entry(entry_id)
    content.restore(entry_id)
    return after_change(entry["kind"])


# --- support contacts, one tap away for everyone ------------------------------------------


@bp.get("/support")
@login_required
def support_show():
    return render_page_or_block(
        "organisation/support.html",
        "contacts",
        contacts=content.entries(current_user.org_id, "support_contact"),
    )


# --- the standards as the organisation reads them, and its team (issue 24) --------------------


def render_standards(status=200, **context):
    readings = standards.of(current_user.org_id)
    context.setdefault("form", StandardsForm(formdata=None, **readings))
    return render_template(
        "organisation/standards.html",
        supervision=content.guidelines()["supervision"],
        readings=readings,
        **context,
    ), status


@bp.get("/standards")
@role_required("admin")
def standards_show():
    return render_standards()


@bp.post("/standards")
@role_required("admin")
@writing()
def standards_update():
    # A form sent without a zone (an older page) keeps the organisation's own.
    form = StandardsForm(time_zone=clock.zone_name())
    if not form.validate():
        return render_standards(422, form=form)
    standards.save(current_user.org_id, form.data)
    flash(_("Saved. Every record now reads the standards this way."), "success")
    return redirect(url_for("organisation.standards_show"), 303)


@bp.get("/team")
@role_required("admin")
def team_show():
    today = checkins.today()
    return render_template(
        "organisation/team.html",
        groups=team.rule(),
        mentoring_rule=workload.guidance()["mentoring"],
        core=team.core_team(current_user.org_id, today),
        mixes=team.pair_mixes(current_user.org_id),
        people=team.people(current_user.org_id, today),
        unmentored=workload.unmentored_pairs(current_user.org_id, today),
    )


@bp.post("/people/<int:user_id>/experienced")
@role_required("admin")
@writing()
def experienced_update(user_id):
    # Respect §3.12's "experienced co-worker": someone who came with experience from elsewhere.
    person = get_person(user_id)
    team.mark_experienced(person["id"], request.form.get("experienced") == "yes")
    return redirect(url_for("organisation.team_show"), 303)


# --- exporting the organisation's shared records (issue 5) ------------------------------------


@bp.get("/export")
@role_required("admin")
def export_show():
    return render_template(
        "organisation/export.html", tables=export.TABLES, left_out=export.LEFT_OUT
    )


@bp.get("/export.json")
@role_required("admin")
def export_json():
    body = json.dumps(export.everything(current_user.org_id), indent=2, ensure_ascii=False)
    return download(body, "application/json", "organisation.json")


@bp.get(f"/export/<any({','.join(export.TABLES)}):table>.csv")
@role_required("admin")
def export_csv(table):
    return download(export.as_csv(current_user.org_id, table), "text/csv", f"{table}.csv")


def download(body: str, mimetype: str, filename: str):
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
