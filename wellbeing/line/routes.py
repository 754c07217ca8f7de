import secrets
import time

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import NotFound

from .. import content, seats
from ..db import writing
from ..errors import refuse
from ..extensions import htmx
from ..forms import whole_number
from ..fragments import render_page_or_block
from ..organisation.forms import PracticeForm
from ..permissions import device, get_room, get_seat, role_required, rooms_run_by
from ..urls import external_url
from . import bp, picture, rooms
from .forms import ControlForm, JoinForm, OpenRoomForm, RetentionForm

# The largest id SQLite can hold; a bigger number in a form is simply not valid.
MAX_ID = 2**63 - 1
# Watched live by projectors, polled by trainers' phones and posted to by every phone:
# these skip the retention check, which the room's other pages do as they open.
POLLED = {"line.room_show", "line.projector_show", "line.place_show", "line.placement_submit"}


@bp.before_request
def purge_expired_rooms():
    # docs/design.md "The data rule", class room: "deleted automatically after a set time". The
    # check is one read when nothing is due; `flask purge-rooms` does the same from a timer.
    if request.endpoint not in POLLED:
        rooms.purge()


def words() -> dict:
    """'always abusive' and 'never abusive', the guidelines' ends of the line, from the content."""
    return content.guidelines()["room_line"]


def not_modified_or(etag: str, template: str, block: str, context):
    """A poll whose room has not changed gets 304 at once, before `context()` is worked out;
    anything else gets the page or, for htmx, its block. The ETag is also in the block
    (data-etag), for static/app.js to send with the next poll."""
    if htmx and not htmx.boosted and request.headers.get("If-None-Match") == etag:
        return "", 304, {"ETag": etag}
    body, status = render_page_or_block(template, block, etag=etag, **context())
    return body, status, {"ETag": etag}


# --- the trainer ----------------------------------------------------------------------------------


@bp.get("/rooms/")
@role_required("facilitator")
def room_list():
    form = OpenRoomForm(formdata=None, opened_with=secrets.token_urlsafe(12))
    return render_template("line/rooms.html", rooms=rooms_run_by(), form=form, words=words())


@bp.post("/rooms/")
@role_required("facilitator")
@writing()
def room_open():
    form = OpenRoomForm()
    if not form.validate():
        flash(_("That didn't open a room. Please try again."), "error")
        return redirect(url_for("line.room_list"))
    room_id = rooms.open_room(current_user.org_id, current_user.id, form.opened_with.data)
    return redirect(url_for("line.room_show", room_id=room_id))


def room_context(room: dict) -> dict:
    practices = rooms.practices_of(room["id"])
    current = next((p for p in practices if p["id"] == room["practice_id"]), None)
    placed = rooms.positions(current["id"], room["round"]) if current else []
    return {
        "room": room,
        "practices": practices,
        "current": current,
        "number": practices.index(current) + 1 if current else 0,
        "placed": len(placed),
        "joined": rooms.joined(room),
        "words": words(),
        "questions": content.guidelines()["learning_about_sex"],
        "join_link": external_url("line.join_show", code=room["code"]),
        "qr": picture.qr_code(external_url("line.join_show", code=room["code"])),
        "seconds_left": rooms.seconds_left(room),
        "retention": rooms.retention_days(room["org_id"]),
    }


@bp.get("/rooms/<int:room_id>")
@role_required("facilitator")
def room_show(room_id):
    room = get_room(room_id)
    etag = f'"room-{room["id"]}-{room["version"]}"'
    return not_modified_or(etag, "line/room.html", "status", lambda: room_context(room))


@bp.post("/rooms/<int:room_id>/control")
@role_required("facilitator")
@writing()
def room_control(room_id):
    room = get_room(room_id)
    form = ControlForm()
    if not form.validate():
        flash(_("That button didn't work. Here is where the room is now."), "error")
        return redirect(url_for("line.room_show", room_id=room_id))
    outcome = rooms.control(
        room, form.action.data, form.stage.data, form.minutes.data, form.threshold.data
    )
    if outcome == "stale":
        flash(_("The room had already moved on, so nothing changed twice."), "info")
    elif outcome == "closed":
        flash(_("This room has ended. Its summary is below."), "info")
    return redirect(url_for("line.room_show", room_id=room_id))


# Every thread this worker may lend to a waiting projector is taken (rooms.wait_for_change):
# this projector polls for a while instead (static/room.js, STREAM_AGAIN_MS), and loses nothing.
POLL_INSTEAD = (
    "Every live wait on this server is taken: this projector polls for a while instead.",
    503,
    {"Retry-After": "15", "Content-Type": "text/plain; charset=utf-8"},
)


@bp.get("/rooms/<int:room_id>/projector")
@role_required("facilitator")
def projector_show(room_id):
    room = get_room(room_id)
    etag = f'"projector-{room["id"]}-{room["version"]}"'
    # The projector's live view (static/room.js): `?wait=<seconds>` with the ETag it shows holds
    # the request until the room changes, then answers with the new picture; a room that has
    # not changed by then answers 304 and the projector asks again (docs/design.md, "A live
    # projector"). Without `wait` it is a plain poll, as a projector that lost its stream does.
    wait = request.args.get("wait", type=float)
    if wait and htmx and request.headers.get("If-None-Match") == etag:
        if not rooms.wait_for_change(room["id"], room["version"], wait):
            return POLL_INSTEAD
        room = get_room(room_id)
        etag = f'"projector-{room["id"]}-{room["version"]}"'

    def context():
        shared = room_context(room)
        return shared | picture_context(room, shared)

    return not_modified_or(etag, "line/projector.html", "picture", context)


def picture_context(room: dict, context: dict) -> dict:
    """What the projector may show: nothing by place while hidden or below the threshold."""
    current = context["current"]
    if current is None:
        return {"strip": None, "moves": None, "bands": None}
    placed = rooms.positions(current["id"], room["round"])
    shown = room["revealed"] and picture.enough(len(placed), room["threshold"])
    if not shown:
        return {"strip": None, "moves": None, "bands": None}
    bands = picture.band_counts(placed)
    if room["round"] == 2:
        return {
            "strip": None,
            "moves": picture.moves(rooms.moves(current["id"]), placed),
            "bands": bands,
        }
    return {"strip": picture.strip(placed), "moves": None, "bands": bands}


@bp.get("/rooms/<int:room_id>/summary")
@role_required("facilitator")
def summary_show(room_id):
    room = get_room(room_id)
    rounds = []
    for practice in rooms.practices_of(room["id"]):
        first, second = (rooms.positions(practice["id"], n) for n in (1, 2))
        moved = [pair for pair in rooms.moves(practice["id"]) if pair[0] != pair[1]]
        rounds.append({"practice": practice, "first": first, "second": second, "moved": moved})
    return render_template(
        "line/summary.html", room=room, rounds=rounds, words=words(), picture=picture
    )


# --- adapting the room's practices ----------------------------------------------------------------


def render_practices(room, status=200, **context):
    context.setdefault("form", PracticeForm(formdata=None))
    return render_template(
        "line/practices.html",
        room=room,
        practices=rooms.practices_of(room["id"]),
        **context,
    ), status


def get_room_practice(room, practice_id):
    practice = rooms.practice_in(room, practice_id)
    if practice is None:
        refuse(NotFound, _("That practice isn't in this room's list any more."))
    return practice


@bp.get("/rooms/<int:room_id>/practices")
@role_required("facilitator")
def practices_show(room_id):
    room = get_room(room_id)
    return render_practices(room, editing=request.args.get("edit", type=int))


@bp.post("/rooms/<int:room_id>/practices")
@role_required("facilitator")
@writing()
def practice_add(room_id):
    room = get_room(room_id)
    form = PracticeForm()
    if not form.validate():
        return render_practices(room, 422, form=form)
    rooms.add_practice(room, **form.entry_fields())
    return redirect(url_for("line.practices_show", room_id=room_id))


@bp.post("/rooms/<int:room_id>/practices/<int:practice_id>")
@role_required("facilitator")
@writing()
def practice_update(room_id, practice_id):
    room = get_room(room_id)
    practice = get_room_practice(room, practice_id)
    form = PracticeForm()
    if not form.validate():
        return render_practices(room, 422, editing=practice_id, edit_form=form)
    rooms.reword_practice(room, practice, **form.entry_fields())
    return redirect(url_for("line.practices_show", room_id=room_id))


@bp.post("/rooms/<int:room_id>/practices/<int:practice_id>/move")
@role_required("facilitator")
@writing()
def practice_move(room_id, practice_id):
    room = get_room(room_id)
    practice = get_room_practice(room, practice_id)
    rooms.move_practice(room, practice, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("line.practices_show", room_id=room_id))


@bp.post("/rooms/<int:room_id>/practices/<int:practice_id>/remove")
@role_required("facilitator")
@writing()
def practice_remove(room_id, practice_id):
    room = get_room(room_id)
    rooms.remove_practice(room, get_room_practice(room, practice_id))
    return redirect(url_for("line.practices_show", room_id=room_id))


@bp.post("/rooms/<int:room_id>/practices/save")
@role_required("facilitator")
@writing()
def practices_save(room_id):
    room = get_room(room_id)
    rooms.save_as_organisation_list(room)
    flash(_("Saved. Your organisation's list of practices is now this room's list."), "success")
    return redirect(url_for("line.practices_show", room_id=room_id))


# --- the organisation's retention time ------------------------------------------------------------


@bp.get("/rooms/retention")
@role_required("admin")
def retention_show():
    form = RetentionForm(formdata=None, days=rooms.retention_days(current_user.org_id))
    return render_template("line/retention.html", form=form)


@bp.post("/rooms/retention")
@role_required("admin")
@writing()
def retention_update():
    form = RetentionForm()
    if not form.validate():
        return render_template("line/retention.html", form=form), 422
    rooms.set_retention_days(current_user.org_id, form.days.data)
    flash(_("Saved. Rooms older than %(n)s days are deleted.", n=form.days.data), "success")
    return redirect(url_for("line.retention_show"))


# --- people in the room ---------------------------------------------------------------------------


@bp.get("/join")
def join_show():
    code = seats.normalise_code(request.args.get("code"))
    device()  # the browser's id goes into its cookie with the form token
    form = JoinForm(formdata=None, code=code)
    return render_template("line/join.html", form=form, retention=rooms.join_retention_days())


@bp.post("/join")
def join_submit():
    form = JoinForm()
    room = room_to_join(form) if form.validate() else None
    if room is None:
        return render_template(
            "line/join.html", form=form, retention=rooms.join_retention_days()
        ), 422
    outcome = rooms.join(room, seats.seat_token(device(), room["id"]))
    if outcome in JOIN_REFUSED:
        status, message = JOIN_REFUSED[outcome]
        form.code.errors = [str(message)]
        return render_template(
            "line/join.html", form=form, retention=rooms.join_retention_days()
        ), status
    return redirect(url_for("line.place_show", code=room["code"]))


# An unknown code and a room that has ended get the same words (issue 11, finding 5): the
# answer never says whether a room with that code exists.
NO_OPEN_ROOM = _l(
    "We can't find an open room with that code. Please check it on the projector;"
    " a room closes when its training day ends."
)


# What a join that found the room gets, when it can't have a seat (issue 11, finding 4).
JOIN_REFUSED = {
    "closed": (422, NO_OPEN_ROOM),
    "full": (422, _l("This room is full. Please ask the trainer.")),
    "too_many": (
        429,
        _l("Too many people have joined this room from here. Please ask the trainer."),
    ),
}


def room_to_join(form: JoinForm) -> dict | None:
    """The open room the code names, or None with a message on the code field."""
    seats.stop_guessing()
    room = seats.room_by_code(form.code.data)
    if room is None or room["ended_at"]:
        seats.refuse_guessing()
        form.code.errors = [*form.code.errors, NO_OPEN_ROOM]
        return None
    return room


def seat_context(room, participant, **context):
    current = rooms.practice_in(room, room["practice_id"]) if room["practice_id"] else None
    own = rooms.own_place(participant, current["id"], room["round"]) if current else None
    before = (
        rooms.own_place(participant, current["id"], 1) if current and room["round"] == 2 else None
    )
    return {
        "room": room,
        "current": current,
        "own": own,
        "before": before,
        "words": words(),
        "questions": content.guidelines()["learning_about_sex"],
        **context,
    }


@bp.get("/line/<code>")
def place_show(code):
    room, participant = get_seat(code)
    etag = f'"seat-{room["id"]}-{room["stage_version"]}-{participant["id"]}"'
    return not_modified_or(etag, "line/place.html", "seat", lambda: seat_context(room, participant))


PLACEMENT_MESSAGES = {
    "placed": (200, _l("Placed.")),
    "moved_on": (
        409,
        _l("The trainer has moved on, so that place wasn't kept. Here is the room now."),
    ),
    "closed": (410, _l("This room has ended. Thank you for taking part.")),
    "outside": (
        422,
        _l("That place isn't on the line. Please choose a place between the two ends."),
    ),
    "unchosen": (422, _l("Nothing placed yet: tap the line where you stand first.")),
}


def placement_fields(form) -> tuple[int, int, int, int] | None:
    """(practice, round, position, seq) from the phone's form, or None if any is not valid.

    Read by hand, not with a FlaskForm: 200 phones send this once a second each (docs/design.md
    budget: a room of 200 phones), and building the form's fields and their translated labels took a
    quarter of the request. CSRFProtect still checks the form token before this view runs."""
    practice = whole_number(form.get("practice"), 1, MAX_ID)
    round_ = whole_number(form.get("round"), 1, 2)
    position = whole_number(form.get("position"), 0, rooms.LINE_END)
    seq = whole_number(form.get("seq") or str(time.time_ns() // 1_000_000), 0, MAX_ID)
    if None in (practice, round_, position, seq):
        return None
    return practice, round_, position, seq


@bp.post("/line/<code>/placement")
def placement_submit(code):
    room, participant = get_seat(code)
    placement = placement_fields(request.form)
    # Issue 27: a first place the person never chose (the form's hidden middle, sent without a
    # tap) is not an answer, so it is never recorded.
    if request.form.get("unchosen") and "yes" not in request.form.getlist("chosen"):
        outcome, version = "unchosen", room["version"]
    elif placement:
        outcome, version = rooms.place(room, participant, *placement)
    else:
        outcome, version = "outside", room["version"]
    status, message = PLACEMENT_MESSAGES[outcome]
    if request.accept_mimetypes.best == "application/json":
        return jsonify(outcome=outcome, message=str(message), version=version), status
    if outcome in ("outside", "unchosen"):
        context = seat_context(room, participant, problem=str(message), etag="")
        return render_template("line/place.html", **context), 422
    flash(str(message), "success" if outcome == "placed" else "info")
    return redirect(url_for("line.place_show", code=room["code"]), 303)
