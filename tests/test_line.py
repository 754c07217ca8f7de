"""A training day's live 'Is this always abusive?' line, through the real stack (issue 6).

Organisation One already has a room opened by its facilitator (the trainer), which the co-worker
has joined (organisation_one.prepare). Phones here are test clients that join through the real
join form; the database is a real SQLite file built by the real migrations.
"""

import re
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import csrf_token
from flask import Flask
from organisation_one import text_of
from steps import WITHIN, words

from wellbeing.content import guidelines
from wellbeing.db import sqlite3
from wellbeing.line import rooms
from wellbeing.line.rooms import CODE_ALPHABET, CODE_LENGTH

JSON = {"Accept": "application/json"}
HTMX = {"HX-Request": "true"}
PRACTICES = [entry["text"] for entry in guidelines()["practice"]["entries"]]


def query(one, sql, params=()):
    conn = sqlite3.connect(one.database)
    found = conn.execute(sql, params).fetchall()
    conn.close()
    return found


def room_of(one) -> dict:
    conn = sqlite3.connect(one.database)
    conn.row_factory = sqlite3.Row
    room = dict(conn.execute("select * from rooms where id = ?", [one.rows["room"]]).fetchone())
    conn.close()
    return room


class Phone:
    """Someone with no account on their phone: joins through the join form, then places."""

    def __init__(self, one, code=None, address="127.0.0.1"):
        self.one = one
        self.client = one.app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address
        self.token = csrf_token(self.client, "/join")
        self.code = code or one.rows["room_code"]
        self.joined = self.client.post("/join", data={"code": self.code, "csrf_token": self.token})

    def place(self, position, practice=None, round_=None, seq=None, headers=JSON):
        room = room_of(self.one)
        form = {
            "practice": practice or room["practice_id"],
            "round": round_ or room["round"],
            "position": position,
            "csrf_token": self.token,
        }
        if seq is not None:
            form["seq"] = seq
        return self.client.post(f"/line/{self.code}/placement", data=form, headers=headers)

    def page(self, **headers):
        return self.client.get(f"/line/{self.code}", headers=headers)


def control(one, action, **form):
    trainer = one.client("facilitator")
    data = {"action": action, "csrf_token": one.form_token("facilitator"), **form}
    return trainer.post(f"/rooms/{one.rows['room']}/control", data=data)


def projector(one, **headers):
    return one.client("facilitator").get(f"/rooms/{one.rows['room']}/projector", headers=headers)


def dots(page: str) -> int:
    return len(re.findall(r'<circle class="room-dot"', page))


def everyone_places(one, positions):
    phones = [Phone(one) for _ in positions]
    for phone, position in zip(phones, positions, strict=True):
        assert phone.place(position).status_code == 200
    return phones


# --- opening and adapting a room ------------------------------------------------------------------


def test_trainer_opens_a_room_with_the_organisations_practices(one):
    trainer = one.client("facilitator")
    page = text_of(trainer.get("/rooms/"))
    opened_with = re.search(r'name="opened_with" type="hidden" value="([^"]+)"', page).group(1)
    form = {"opened_with": opened_with, "csrf_token": one.form_token("facilitator")}
    first = trainer.post("/rooms/", data=form)
    again = trainer.post("/rooms/", data=form)

    # A double tap on "Open a room" opens one room, not two.
    assert first.status_code == again.status_code == 302
    assert first.location == again.location
    room_id = int(first.location.rsplit("/", 1)[1])
    (code,) = query(one, "select code from rooms where id = ?", [room_id])[0]
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    texts = [
        t
        for (t,) in query(
            one, "select text from room_practices where room_id = ? order by position", [room_id]
        )
    ]
    assert texts == PRACTICES
    page = text_of(trainer.get(first.location))
    assert code in page
    assert "Reveal on the projector" in page
    assert f"/join?code={code}" in page
    assert 'aria-label="QR code that opens the join page for this room"' in page


def test_trainer_adapts_the_rooms_practices_without_touching_the_organisations(one):
    trainer, token, room = (
        one.client("facilitator"),
        one.form_token("facilitator"),
        one.rows["room"],
    )
    base = f"/rooms/{room}/practices"
    added = trainer.post(
        base, data={"text": "Checking a partner's phone", "note": "", "csrf_token": token}
    )
    assert added.status_code == 302
    first, second = [
        p
        for (p,) in query(
            one, "select id from room_practices where room_id = ? order by position", [room]
        )
    ][:2]
    trainer.post(
        f"{base}/{first}",
        data={"text": "Sex outside the relationship", "note": "", "csrf_token": token},
    )
    trainer.post(f"{base}/{second}/move", data={"direction": "up", "csrf_token": token})
    trainer.post(f"{base}/{second}/remove", data={"csrf_token": token})

    texts = [
        t
        for (t,) in query(
            one, "select text from room_practices where room_id = ? order by position", [room]
        )
    ]
    assert texts == ["Sex outside the relationship", *PRACTICES[2:], "Checking a partner's phone"]
    organisation = organisation_practices(one)
    assert "Checking a partner's phone" not in organisation


def organisation_practices(one) -> list[str]:
    """Organisation One's practices for the line, in their order, as the admin left them."""
    return [
        t
        for (t,) in query(
            one,
            "select text from content_entries where kind ="
            " 'practice' and removed_at is null and org_id = ? order by position",
            [one.rows["organisation_one"]],
        )
    ]


def test_rewording_with_nothing_keeps_what_was_typed_and_says_why(one):
    trainer, room = one.client("facilitator"), one.rows["room"]
    practice = one.rows["room_practice"]
    response = trainer.post(
        f"/rooms/{room}/practices/{practice}",
        data={"text": "   ", "note": "kept note", "csrf_token": one.form_token("facilitator")},
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "Please fill this in." in page
    assert "kept note" in page


def test_room_list_can_become_the_organisations_list_for_later_training_days(one):
    trainer, room = one.client("facilitator"), one.rows["room"]
    token = one.form_token("facilitator")
    trainer.post(
        f"/rooms/{room}/practices",
        data={"text": "Tracking a partner's location", "note": "", "csrf_token": token},
    )
    assert (
        trainer.post(f"/rooms/{room}/practices/save", data={"csrf_token": token}).status_code == 302
    )
    organisation = organisation_practices(one)
    assert organisation == [*PRACTICES, "Tracking a partner's location"]
    # The admin's own page shows the new list.
    page = text_of(one.client("admin").get("/organisation/content/practice"))
    assert "Tracking a partner's location" in page


# --- joining --------------------------------------------------------------------------------------


def test_person_joins_with_the_code_as_typed_without_an_account(one):
    code = one.rows["room_code"]
    typed = f" {code[:3].lower()}-{code[3:].lower()} "
    phone = Phone(one, code=typed)
    assert phone.joined.status_code == 302
    assert phone.joined.location == f"/line/{code}"
    phone.code = code
    page = text_of(phone.page())
    assert PRACTICES[0] in page
    assert "Not placed yet" in page
    trainer = text_of(one.client("facilitator").get(f"/rooms/{one.rows['room']}"))
    assert "2 have joined · 0 have placed" in trainer


def test_joining_twice_is_the_same_person(one):
    phone = Phone(one)
    again = phone.client.post("/join", data={"code": phone.code, "csrf_token": phone.token})
    assert again.status_code == 302
    assert query(one, "select count(*) from participants")[0][0] == 2  # the co-worker and this one


NO_OPEN_ROOM = "We can't find an open room with that code."


def test_unknown_code_says_so_and_keeps_what_was_typed(one):
    phone = Phone(one, code="KKKKKK")
    assert phone.joined.status_code == 422
    page = text_of(phone.joined)
    assert NO_OPEN_ROOM in page
    assert 'value="KKKKKK"' in page


def test_ended_room_cant_be_joined_and_takes_no_more_places(one):
    early = Phone(one)
    control(one, "end")
    late = Phone(one)
    assert late.joined.status_code == 422
    # The same words as an unknown code: the answer doesn't say the room existed.
    assert NO_OPEN_ROOM in text_of(late.joined)
    response = early.place(400)
    assert response.status_code == 410
    assert "This room has ended" in response.get_json()["message"]


def test_late_joiners_find_the_code_on_the_projector_all_along(one):
    everyone_places(one, [100, 200, 300])
    control(one, "next")
    page = text_of(projector(one))
    assert one.rows["room_code"] in page
    assert "Join on your phone" in page


def test_a_code_answers_the_same_whether_the_room_exists_has_ended_or_not(one):
    """Issue 11, finding 5: GET /line/<code> said whether a room exists (302 against 404, ended
    rooms too). Anyone without a seat now gets the same answer for every code."""
    real = one.rows["room_code"]
    outsider = one.app.test_client()

    def answer(code):
        response = outsider.get(f"/line/{code}")
        return response.status_code, response.location

    assert answer(real) == (302, f"/join?code={real}")
    assert answer("KKKKKK") == (302, "/join?code=KKKKKK")
    control(one, "end")
    assert answer(real) == (302, f"/join?code={real}")


def test_guessing_codes_is_limited_per_client(one):
    """Issue 11, finding 5: 60 guesses took 0.23 s. After the limit every code that client
    tries, right code included, waits (else the answer would tell a guesser which codes are
    real); another client is not held up."""
    one.app.config["ROOM_MAX_FAILED_LOOKUPS"] = 5
    guesser = one.app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    statuses = [guesser.get(f"/line/GUESS{n}").status_code for n in range(5)]
    assert statuses == [302] * 5
    refused = guesser.get("/line/GUESS6")
    assert refused.status_code == 429
    assert "Too many codes tried" in text_of(refused)
    # A right code without a seat only leads to the join page (issue 21, M1: never counted).
    assert guesser.get(f"/line/{one.rows['room_code']}").status_code == 302
    token = csrf_token(guesser, "/join")
    posted = guesser.post("/join", data={"code": one.rows["room_code"], "csrf_token": token})
    assert posted.status_code == 429
    # Someone else at another address joins as usual.
    assert Phone(one, address="198.51.100.7").joined.status_code == 302


def test_one_device_holds_one_seat_even_replaying_its_first_cookie(one):
    """Issue 11, finding 4: one pre-join cookie made 30 seats."""
    phone = one.app.test_client()
    token = csrf_token(phone, "/join")
    before_joining = phone.get_cookie("session").value
    before = query(one, "select count(*) from participants")[0][0]
    for _ in range(30):
        phone.set_cookie("session", before_joining)
        sent = phone.post("/join", data={"code": one.rows["room_code"], "csrf_token": token})
        assert sent.status_code == 302
    assert query(one, "select count(*) from participants")[0][0] == before + 1


def test_seats_are_limited_per_room_and_per_client(one):
    one.app.config["ROOM_MAX_SEATS_PER_CLIENT"] = 2
    assert [Phone(one, address="192.0.2.1").joined.status_code for _ in range(3)] == [302, 302, 429]
    one.app.config["ROOM_MAX_SEATS"] = 4  # the co-worker and two phones are in: one seat left
    assert Phone(one, address="192.0.2.2").joined.status_code == 302
    full = Phone(one, address="192.0.2.3")
    assert full.joined.status_code == 422
    assert "This room is full" in text_of(full.joined)


def test_no_page_ties_a_first_name_to_a_place(one):
    """Issue 11, finding 4: "3 people have joined: Jo" beside three dots, two of them fake.
    No first name is asked for or kept; the trainer sees counts; the join page says in plain
    words what is kept."""
    join_page = one.app.test_client().get("/join").get_data(as_text=True)
    assert "first name" not in join_page.lower()
    assert "never whose dot is whose" in join_page
    # Issue 27: what is kept, said without mentioning names at all, and the one retention figure.
    assert "The server keeps only a random key for this phone and its places." in join_page
    assert "Everything in a room is deleted 30 days after it was opened." in join_page
    phone = one.app.test_client()
    token = csrf_token(phone, "/join")
    form = {"code": one.rows["room_code"], "first_name": "Jo", "csrf_token": token}
    assert phone.post("/join", data=form).status_code == 302
    assert query(one, "select count(*) from participants where first_name is not null")[0][0] == 0
    # What the trainer reads: not the page's markup, whose random form tokens may spell "Jo".
    trainer = words(one.client("facilitator").get(f"/rooms/{one.rows['room']}").get_data(True))
    assert not re.search(r"\bJo\b", trainer) and "2 have joined" in trainer


def test_the_trainer_raises_the_threshold_and_the_projector_waits_for_it(one):
    """Issue 11, finding 4: a small group can be picked out at 3; the trainer raises it."""
    control(one, "reveal")
    everyone_places(one, [100, 500, 900])
    assert dots(text_of(projector(one))) == 3
    assert control(one, "threshold", threshold="5").status_code == 302
    assert room_of(one)["threshold"] == 5
    page = text_of(projector(one))
    assert dots(page) == 0 and "once at least 5 people have placed" in page
    trainer = text_of(one.client("facilitator").get(f"/rooms/{one.rows['room']}"))
    assert "until at least 5 people have placed" in trainer
    for refused in ("2", "11", "ten"):
        control(one, "threshold", threshold=refused)
        assert room_of(one)["threshold"] == 5
    everyone_places(one, [300, 700])
    assert dots(text_of(projector(one))) == 5


# --- placing --------------------------------------------------------------------------------------


def test_place_is_kept_and_shown_back_to_the_person_only_as_words(one):
    phone = Phone(one)
    response = phone.place(120)
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "placed"
    page = text_of(phone.page())
    assert "Placed: Very near “always abusive”" in page
    assert 'value="120"' in page


@pytest.mark.parametrize("position", ["-1", "1001", "abc", "", "1e309", "99999999999999999999999"])
def test_place_off_the_line_gets_a_clear_message(one, position):
    phone = Phone(one)
    response = phone.place(position)
    assert response.status_code == 422
    assert "That place isn't on the line" in response.get_json()["message"]
    assert query(one, "select count(*) from placements")[0][0] == 0


def test_place_off_the_line_without_javascript_shows_the_page_again(one):
    response = Phone(one).place("1001", headers={})
    assert response.status_code == 422
    page = text_of(response)
    assert "That place isn't on the line" in page
    assert PRACTICES[0] in page


def test_form_without_javascript_places_and_comes_back_to_the_line(one):
    phone = Phone(one)
    response = phone.place(800, headers={})
    assert response.status_code == 303
    assert "Placed." in text_of(phone.client.get(response.location))


def test_double_submit_is_one_place(one):
    phone = Phone(one)
    first = phone.place(300, seq=5).get_json()
    second = phone.place(300, seq=5).get_json()
    assert first["outcome"] == second["outcome"] == "placed"
    assert first["version"] == second["version"]  # nothing changed the second time
    assert query(one, "select count(*), max(position) from placements") == [(1, 300)]


def test_late_retry_never_undoes_a_newer_move(one):
    phone = Phone(one)
    phone.place(300, seq=10)
    phone.place(700, seq=11)
    late = phone.place(300, seq=10)  # the first send, arriving after the second
    assert late.status_code == 200
    assert query(one, "select position from placements") == [(700,)]


def test_place_for_a_practice_the_trainer_has_left_is_not_kept(one):
    phone = Phone(one)
    old_practice = room_of(one)["practice_id"]
    control(one, "next")
    response = phone.place(200, practice=old_practice, round_=1)
    assert response.status_code == 409
    assert "The trainer has moved on" in response.get_json()["message"]
    assert query(one, "select count(*) from placements")[0][0] == 0


# --- who sees what --------------------------------------------------------------------------------


def test_participant_cannot_run_the_room_or_see_the_projector(one):
    phone = Phone(one)
    room = one.rows["room"]
    for path in (f"/rooms/{room}", f"/rooms/{room}/projector", f"/rooms/{room}/summary"):
        assert phone.client.get(path).location.startswith("/signin")
    response = phone.client.post(
        f"/rooms/{room}/control", data={"action": "reveal", "csrf_token": phone.token}
    )
    assert response.status_code == 302 and response.location.startswith("/signin")
    assert room_of(one)["revealed"] == 0


def test_colleague_and_other_organisation_cannot_run_the_room(one):
    room = one.rows["room"]
    for persona, status in (("coworker", 403), ("outsider", 404)):
        response = one.client(persona).post(
            f"/rooms/{room}/control",
            data={"action": "reveal", "csrf_token": one.form_token(persona)},
        )
        assert response.status_code == status
    assert room_of(one)["revealed"] == 0


def test_participant_never_sees_anyone_elses_place(one):
    phones = everyone_places(one, [110, 220, 330, 440])
    control(one, "reveal")
    page = text_of(phones[0].page())
    assert dots(page) == 0
    for position in ("220", "330", "440"):
        assert f'value="{position}"' not in page


def test_projector_shows_nothing_by_place_until_three_have_placed(one):
    everyone_places(one, [100, 900])
    control(one, "reveal")
    page = text_of(projector(one))
    assert dots(page) == 0
    assert "2 of 3 have placed" in page  # the co-worker joined but hasn't placed
    assert "once at least 3 people have placed" in page

    everyone_places(one, [500])
    page = text_of(projector(one))
    assert dots(page) == 3
    assert "3 of 4 have placed" in page


def test_hidden_projector_counts_but_never_draws(one):
    everyone_places(one, [100, 500, 900])
    page = text_of(projector(one))
    assert dots(page) == 0
    assert "3 of 4 have placed" in page
    assert "Places are hidden for now" in page
    control(one, "reveal")
    assert dots(text_of(projector(one))) == 3
    control(one, "hide")
    assert dots(text_of(projector(one))) == 0


def test_projector_never_shows_a_right_answer(one):
    everyone_places(one, [0, 500, 1000])
    control(one, "reveal")
    page = text_of(projector(one)).lower()
    assert "right answer" not in page and "correct" not in page
    assert "you do not need to define where the line of abusiveness is" in page
    assert "why are you where you are?" in page


def test_instruction_about_domestic_violence_can_be_added_for_everyone(one):
    phone = Phone(one)
    consider = guidelines()["room_line"]["consider"]
    assert consider not in text_of(projector(one))
    control(one, "context_on")
    assert consider in text_of(projector(one))
    assert consider in text_of(phone.page())


def test_second_round_shows_who_moved(one):
    phones = everyone_places(one, [100, 500, 900])
    control(one, "second_round")
    for phone, position in zip(phones, [100, 700, 400], strict=True):
        assert phone.place(position).status_code == 200
    control(one, "reveal")
    page = text_of(projector(one))
    assert "Before the discussion" in page and "After the discussion" in page
    assert page.count('class="room-move"') == 2  # two moved, one stayed
    assert "2 people moved" in page
    # Each person sees their own first-round place as a reminder, nobody else's.
    assert "In the first round you were: In the middle" in text_of(phones[1].page())


def test_repeated_button_changes_the_room_once(one):
    stage = room_of(one)["stage_version"]
    before = room_of(one)["practice_id"]
    trainer = one.client("facilitator")
    form = {"action": "next", "stage": stage, "csrf_token": one.form_token("facilitator")}
    trainer.post(f"/rooms/{one.rows['room']}/control", data=form)
    moved = room_of(one)["practice_id"]
    # The same button, tapped twice.
    response = trainer.post(f"/rooms/{one.rows['room']}/control", data=form)
    assert response.status_code == 302
    assert room_of(one)["practice_id"] == moved != before
    page = text_of(trainer.get(response.location))
    assert "nothing changed twice" in page


def test_learning_about_sex_questions_with_a_timer_and_private_notes(one):
    anonymous = Phone(one)
    control(one, "questions", minutes="7")
    page = text_of(projector(one))
    for prompt in guidelines()["learning_about_sex"]["prompts"]:
        assert prompt["text"] in page
    assert re.search(r'data-countdown="(41\d|420)"', page)
    # Signed-in facilitators can jot private notes in their own vault; nothing is sent here.
    coworker = text_of(one.client("coworker").get(f"/line/{one.rows['room_code']}"))
    assert "Jot private notes in your vault" in coworker
    assert "/private/learning-about-sex" in coworker
    assert "Jot private notes" not in text_of(anonymous.page())
    assert anonymous.place(300).status_code == 409


def test_timer_minutes_out_of_range_change_nothing(one):
    response = control(one, "questions", minutes="600")
    assert response.status_code == 302
    assert room_of(one)["view"] == "line"


# --- live updates ---------------------------------------------------------------------------------


def test_projector_poll_is_304_until_someone_moves(one):
    first = projector(one)
    etag = first.headers["ETag"]
    assert projector(one, **HTMX, **{"If-None-Match": etag}).status_code == 304
    Phone(one).place(250)
    changed = projector(one, **HTMX, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    # The new ETag is in the block too, for static/app.js to send with the next poll.
    assert f'data-etag="{changed.headers["ETag"]}"' in text_of(changed)
    # The block alone, not the whole page, for htmx.
    assert "<html" not in text_of(changed)


def live_picture(one, etag, wait):
    """The projector's live request (static/room.js): answered when the room changes."""
    path = f"/rooms/{one.rows['room']}/projector?wait={wait}"
    started = time.monotonic()
    answer = one.client("facilitator").get(path, headers={**HTMX, "If-None-Match": etag})
    return answer, time.monotonic() - started


def test_a_live_projector_is_answered_the_moment_someone_places(one):
    phone = Phone(one)  # joining changes the projector's count too: before its ETag is read
    etag = projector(one).headers["ETag"]
    # Someone places while the projector's request waits, from another thread as from another
    # worker: a commit on another connection.
    placing = threading.Timer(0.3, lambda: phone.place(250))
    # Timed from before the timer starts: the request itself starts a little later.
    started = time.monotonic()
    placing.start()
    answer, _ = live_picture(one, etag, wait=10)
    took = time.monotonic() - started
    placing.join()
    assert answer.status_code == 200
    assert answer.headers["ETag"] != etag
    assert f'data-etag="{answer.headers["ETag"]}"' in text_of(answer)
    assert 0.3 <= took < 3, took  # not at once, and long before the 10 s were up


def test_a_live_projector_with_nothing_new_waits_then_answers_304(one):
    etag = projector(one).headers["ETag"]
    answer, took = live_picture(one, etag, wait=0.4)
    assert answer.status_code == 304
    assert took >= 0.4
    # A stale ETag is answered at once, and a wait that is not a number never waits.
    assert live_picture(one, '"projector-0-0"', wait=10)[0].status_code == 200
    answer, took = live_picture(one, etag, wait="nan")
    assert answer.status_code == 304 and took < 1


def test_a_projector_beyond_the_threads_a_worker_lends_to_waiting_is_told_to_poll(one):
    """WELLBEING_THREADS is 2 here: one thread may wait, so one is always left for the phones."""
    assert one.app.config["THREADS"] == 2
    phone = Phone(one)
    etag = projector(one).headers["ETag"]
    first = {}
    waiting = threading.Thread(target=lambda: first.update(answer=live_picture(one, etag, 10)))
    waiting.start()
    time.sleep(0.5)  # the first projector's request is waiting now
    # A second projector (another tab, a page reloaded while its old request still waits).
    answer, took = live_picture(one, etag, wait=10)
    assert answer.status_code == 503 and took < 1
    assert answer.headers["Retry-After"] == "15"  # static/room.js polls for that long
    # Its plain polls still show the room, and the first one is still live.
    phone.place(250)
    waiting.join(timeout=5)
    assert first["answer"][0].status_code == 200
    polled = projector(one, **HTMX, **{"If-None-Match": etag})
    assert (
        polled.status_code == 200 and polled.headers["ETag"] == first["answer"][0].headers["ETag"]
    )
    # The thread is lent again once the first request has its answer.
    answer, took = live_picture(one, polled.headers["ETag"], wait=0.3)
    assert answer.status_code == 304 and took >= 0.3


def test_an_empty_threads_setting_lends_as_the_default_does():
    """`WELLBEING_THREADS=` (an empty line in the environment file) is the default of 2, as the
    server reads it (wellbeing/serving.py): one thread may wait, not an app that won't start."""
    app = Flask(__name__)
    app.config["THREADS"] = ""
    rooms.init_waits(app)
    waits = app.extensions[rooms.WAITS]
    assert waits.acquire(blocking=False)
    assert not waits.acquire(blocking=False)


def test_hiding_and_revealing_never_redraw_a_phone_while_someone_is_placing(one):
    phone = Phone(one)
    etag = phone.page().headers["ETag"]
    for action in ("reveal", "hide", "reveal"):
        assert control(one, action).status_code == 302
        assert phone.page(**HTMX, **{"If-None-Match": etag}).status_code == 304
    # The projector does change.
    assert room_of(one)["revealed"] == 1


def test_full_page_is_never_a_304(one):
    etag = projector(one).headers["ETag"]
    assert projector(one, **{"If-None-Match": etag}).status_code == 200


def test_phone_poll_changes_only_when_the_trainer_moves_on(one):
    phone = Phone(one)
    etag = phone.page().headers["ETag"]
    Phone(one).place(250)  # somebody else moving doesn't wake every phone
    assert phone.page(**HTMX, **{"If-None-Match": etag}).status_code == 304
    control(one, "next")
    moved_on = phone.page(**HTMX, **{"If-None-Match": etag})
    assert moved_on.status_code == 200
    assert PRACTICES[1] in text_of(moved_on)


# --- summary and retention ------------------------------------------------------------------------


def test_summary_counts_per_stretch_with_no_individual_places(one):
    everyone_places(one, [0, 10, 450, 980])
    control(one, "next")
    everyone_places(one, [100, 200])
    control(one, "end")
    page = text_of(one.client("facilitator").get(f"/rooms/{one.rows['room']}/summary"))
    first, second = page.split(PRACTICES[1])[0], page.split(PRACTICES[1])[1]
    assert re.search(r"At or near “always abusive”</span> <strong>2</strong>", first)
    assert re.search(r"Around the middle</span> <strong>1</strong>", first)
    assert "2 people placed: fewer than 3, so nothing is shown." in second.split(PRACTICES[2])[0]
    assert "room-dot" not in page
    assert "data-print" in page


def counted_per_stretch(page: str) -> dict[str, int]:
    found = re.findall(r"<li><span>([^<]+)</span> <strong>(\d+)</strong></li>", page)
    return {name: int(n) for name, n in found}


def test_a_phone_says_the_stretch_the_projector_and_the_summary_count_it_in(one):
    """The tester's room: 420, 560 and 820 were told 'Nearer “always abusive”', 'Nearer “never
    abusive”' twice, and counted 'Around the middle' twice and 'At or near “never abusive”'."""
    phones = everyone_places(one, [420, 560, 820])
    told = [
        re.search(r"data-place-state>Placed: (.+?)\. You can move", text_of(phone.page())).group(1)
        for phone in phones
    ]
    stretches = [WITHIN.get(said, said) for said in told]
    control(one, "reveal")
    on_the_projector = counted_per_stretch(text_of(projector(one)))
    control(one, "end")
    summary = text_of(one.client("facilitator").get(f"/rooms/{one.rows['room']}/summary"))
    for counted in (on_the_projector, counted_per_stretch(summary)):
        assert len(counted) == 5 and set(stretches) <= set(counted), (told, counted)
        assert counted == {name: stretches.count(name) for name in counted}, told


def test_every_place_is_told_in_words_of_the_stretch_it_is_counted_in(one):
    from wellbeing.line.picture import band_names, band_of, place_words
    from wellbeing.line.routes import words

    with one.app.test_request_context():
        names, ends = band_names(words()), words()
        for place in range(0, 1001):
            said = place_words(place, ends)
            assert WITHIN.get(said, said) == names[band_of(place)], (place, said)


def set_clock(one, days):
    opened = datetime.fromisoformat(room_of(one)["created_at"])
    one.app.config["CLOCK"] = lambda: opened + timedelta(days=days, seconds=1)
    # The whole app reads this clock (wellbeing/clock.py): the facilitator's sign-in, which
    # lasts 14 days, would end too, and this test is about the room.
    one.app.config["SESSION_LIFETIME_HOURS"] = (days + 1) * 24


def room_rows(one) -> int:
    return sum(
        query(one, f"select count(*) from {table}")[0][0]
        for table in ("rooms", "room_practices", "participants", "placements")
    )


def test_room_is_deleted_after_thirty_days(one):
    everyone_places(one, [100, 200, 300])
    set_clock(one, 29)
    assert one.app.test_client().get("/join").status_code == 200
    assert room_of(one)

    set_clock(one, 30)
    one.app.test_client().get("/join")
    assert room_rows(one) == 0
    response = one.client("facilitator").get(f"/rooms/{one.rows['room']}/summary")
    assert response.status_code == 404
    phone = Phone(one)
    assert NO_OPEN_ROOM in text_of(phone.joined)


def test_organisation_sets_how_long_rooms_are_kept(one):
    admin = one.client("admin")
    bad = admin.post(
        "/rooms/retention", data={"days": "400", "csrf_token": one.form_token("admin")}
    )
    assert bad.status_code == 422
    assert "Choose between 1 and 365 days." in text_of(bad)
    assert 'value="400"' in text_of(bad)
    good = admin.post("/rooms/retention", data={"days": "7", "csrf_token": one.form_token("admin")})
    assert good.status_code == 302
    set_clock(one, 6)
    one.app.test_client().get("/join")
    assert room_of(one)
    set_clock(one, 7)
    one.app.test_client().get("/join")
    assert room_rows(one) == 0


def test_purge_command_deletes_expired_rooms_and_leaves_no_trace_in_the_file(one):
    Phone(one).place(150)
    (seat,) = query(one, "select token_hash from participants order by id desc limit 1")[0]
    set_clock(one, 31)
    with one.app.app_context():
        result = one.app.test_cli_runner().invoke(args=["purge-rooms"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 training-day room." in result.output
    assert room_rows(one) == 0
    conn = sqlite3.connect(one.database)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    files = [Path(one.database), Path(f"{one.database}-wal")]
    stored = b"".join(f.read_bytes() for f in files if f.exists())
    assert seat.encode() not in stored


def test_purge_leaves_rooms_still_within_their_time(one):
    now = datetime.now(UTC)
    one.app.config["CLOCK"] = lambda: now + timedelta(days=3)
    with one.app.app_context():
        result = one.app.test_cli_runner().invoke(args=["purge-rooms"])
    assert "Deleted 0 training-day rooms." in result.output
    assert room_of(one)


def test_place_without_its_form_token_is_refused(one):
    phone = Phone(one)
    room = room_of(one)
    form = {"practice": room["practice_id"], "round": 1, "position": 300}
    response = phone.client.post(f"/line/{phone.code}/placement", data=form, headers=JSON)
    assert response.status_code == 400
    assert query(one, "select count(*) from placements")[0][0] == 0


# --- the picture's layout -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "positions",
    [
        [500] * 12 + [0, 5, 10, 1000, 990] + list(range(0, 1001, 25)),
        # A room of 1,000, smaller dots: crowds at the ends and the middle, the rest spread.
        [0] * 100 + [1000] * 100 + [500] * 100 + [(n * 37) % 1001 for n in range(700)],
    ],
    ids=["a small room", "a room of 1000"],
)
def test_dots_on_the_projector_never_hide_each_other(positions):
    from wellbeing.line.picture import strip

    laid_out = strip(positions)
    assert len(laid_out.dots) == len(positions)
    gap = 2 * laid_out.radius
    for index, (x, y) in enumerate(laid_out.dots):
        for other_x, other_y in laid_out.dots[index + 1 :]:
            assert (x - other_x) ** 2 + (y - other_y) ** 2 >= gap**2
        assert 0 < y < laid_out.axis


def every_pair_layout(positions: list[int]) -> list[tuple[float, int]]:
    """The projector's layout as first written: each dot, left to right, takes the lowest level
    free of every dot before it that is less than a gap away."""
    from wellbeing.line.picture import x_of

    gap = 2 * (14 if len(positions) <= 60 else 9) + 2
    taken = []
    for position in sorted(positions):
        x = x_of(position)
        near = {level for other, level in taken if x - other < gap}
        taken.append((x, min(set(range(len(near) + 1)) - near)))
    return taken


def test_the_window_lays_out_every_room_as_comparing_every_dot_did():
    """picture.strip looks only at the dots a gap to a dot's left (docs/benchmarks.md): the same
    picture as comparing each dot with every dot before it, for 3,000 random rooms of 0 to 120
    people and 10 of 1,000, crowded at the ends and the middle as rooms are."""
    import random

    from wellbeing.line.picture import strip

    rng = random.Random(26)
    crowded = (0, 500, 1000)
    sizes = [rng.randint(0, 120) for _ in range(3000)] + [1000] * 10
    for size in sizes:
        positions = [
            rng.choice(crowded) if rng.random() < 0.3 else rng.randint(0, 1000) for _ in range(size)
        ]
        laid_out, expected = strip(positions), every_pair_layout(positions)
        levels = max((level for _, level in expected), default=0) + 1
        assert laid_out.height == levels * (2 * laid_out.radius + 2) + 40
        assert laid_out.dots == [
            (x, laid_out.axis - laid_out.radius - 2 - level * (2 * laid_out.radius + 2))
            for x, level in expected
        ]


def test_stretches_of_the_line_cover_it_end_to_end():
    from wellbeing.line.picture import band_counts

    assert band_counts([0, 200, 201, 400, 401, 600, 601, 800, 801, 1000]) == [2, 2, 2, 2, 2]
