"""Supervision through the real pages: Sol supervises; Fran and Cole pair in Organisation One.

docs/design.md "The data rule": a supervisor sees only the people assigned to them, their pairs,
and what a pair chose to share; every look is logged for the pair. Respect §3.12, §3.13 and §4.9
set the mentoring, supervision and workload figures.
"""

import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import PEOPLE
from organisation_one import text_of
from steps import (
    NOTE,
    agree_first_version,
    assign,
    consent_to_share,
    get,
    log_meeting,
    post,
    read,
    url,
    written,
)

from wellbeing import workload
from wellbeing.coworking import checkins
from wellbeing.db import sqlite3
from wellbeing.supervision import record

FRAN, COLE = PEOPLE["facilitator"][0], PEOPLE["coworker"][0]


# --- assigning and seeing ----------------------------------------------------------------------


def test_supervisor_sees_only_the_pairs_of_people_assigned_to_them(one):
    # Organisation One: the admin assigned Sol to Fran; Sid supervises nobody yet.
    pair = one.rows["pair"]
    assert get(one, "other_supervisor", "supervision.pair_show", pair_id=pair).status_code == 404
    assert FRAN not in read(one, "other_supervisor", "supervision.home")
    form = {"supervisor": one.rows["other_supervisor"], "supervisee": one.rows["coworker"]}
    assert post(one, "admin", "supervision.assignment_create", form).status_code == 201
    home = read(one, "other_supervisor", "supervision.home")
    assert FRAN in home and COLE in home  # Cole's pair, with both partners
    response = get(one, "other_supervisor", "supervision.pair_show", pair_id=pair)
    assert response.status_code == 200


def test_admin_removes_an_assignment_and_the_pair_is_gone_for_the_supervisor(one):
    assign(one)
    response = post(
        one, "admin", "supervision.assignment_remove", link_id=one.rows["supervision_link"]
    )
    assert "No longer assigned" in text_of(response)
    pair = one.rows["pair"]
    assert get(one, "supervisor", "supervision.pair_show", pair_id=pair).status_code == 404


def test_nobody_supervises_themselves(one):
    form = {"supervisor": one.rows["outsider"], "supervisee": one.rows["outsider"]}
    # Otto belongs to another organisation: not a choice in Organisation One's form at all.
    response = post(one, "admin", "supervision.assignment_create", form)
    assert response.status_code == 422


def test_supervisor_sees_the_agreement_only_once_both_partners_shared_it(one):
    assign(one)
    agree_first_version(one)
    pair = one.rows["pair"]
    consent_to_share(one, "agreement", "facilitator")
    assert get(one, "supervisor", "supervision.agreement_show", pair_id=pair).status_code == 404
    consent_to_share(one, "agreement", "coworker")
    assert get(one, "supervisor", "supervision.agreement_show", pair_id=pair).status_code == 200
    # Either partner withdraws: it is gone again.
    post(one, "coworker", "coworking.consent_withdraw", pair_id=pair, topic="agreement")
    assert get(one, "supervisor", "supervision.agreement_show", pair_id=pair).status_code == 404


def who_can_see(one, endpoint, pair) -> str:
    """The "Who can see this:" lines of one of the pair's pages, as Fran reads them."""
    shown = read(one, "facilitator", endpoint, pair_id=pair)
    return " | ".join(re.findall(r"Who can see this: ([^.]*\.[^.]*)", shown))


def test_the_pairs_pages_say_the_supervisor_sees_them_once_both_shared_and_not_after(one):
    # "A worker must never be surprised by what a supervisor can see": a tester read "Nobody
    # else" on an agreement the supervisor was already commenting on.
    assign(one)
    agree_first_version(one)
    pair = one.rows["pair"]
    nobody = "You and Cole Coworker. Nobody else, unless you both choose to share it"
    dates = "You and Cole Coworker. Your supervisor sees only the dates you answered"
    supervisor = "You, Cole Coworker and your supervisor: you both chose to share"
    agreement_pages = ("coworking.agreement_show", "coworking.card_show")
    for endpoint in agreement_pages:
        assert nobody in who_can_see(one, endpoint, pair)
    assert dates in who_can_see(one, "coworking.checkins_show", pair)

    consent_to_share(one, "agreement", "facilitator")  # one yes is not enough
    assert nobody in who_can_see(one, "coworking.agreement_show", pair)
    consent_to_share(one, "agreement", "coworker")
    consent_to_share(one, "checkins", "facilitator", "coworker")
    for endpoint in (*agreement_pages, "coworking.checkins_show"):
        lines = who_can_see(one, endpoint, pair)
        assert supervisor in lines and nobody not in lines and dates not in lines

    post(one, "coworker", "coworking.consent_withdraw", pair_id=pair, topic="agreement")
    post(one, "coworker", "coworking.consent_withdraw", pair_id=pair, topic="checkins")
    for endpoint in agreement_pages:
        assert supervisor not in who_can_see(one, endpoint, pair)
    assert dates in who_can_see(one, "coworking.checkins_show", pair)


def test_supervisor_sees_checkin_dates_and_content_only_when_both_share_it(one):
    assign(one)
    pair = one.rows["pair"]
    with one.app.app_context():
        week = checkins.monday_of(checkins.today()) - timedelta(weeks=1)
    shown = read(one, "supervisor", "supervision.pair_show", pair_id=pair)
    assert "You see the dates only" in shown
    with sqlite3.connect(one.database) as conn:
        answered = conn.execute(
            "select count(*) from checkins where pair_id = ? and week = ?", [pair, week.isoformat()]
        ).fetchone()[0]
    conn.close()
    assert answered == 2  # Organisation One: both answered last week
    consent_to_share(one, "checkins", "facilitator")
    shown = read(one, "supervisor", "supervision.pair_show", pair_id=pair)
    assert "You see the dates only" in shown
    consent_to_share(one, "checkins", "coworker")
    shown = read(one, "supervisor", "supervision.pair_show", pair_id=pair)
    assert "You see the dates only" not in shown
    assert written(week) in shown


def test_either_partner_withdraws_sharing_after_the_pair_has_ended(one):
    """Issue 11, finding 2: after the pair ended, withdrawing still works, and no supervisor,
    including one assigned after the end, reads the check-in words any more."""
    from organisation_one import LAST_WEEK_MORE

    assign(one)
    pair = one.rows["pair"]
    consent_to_share(one, "checkins", "facilitator", "coworker")
    assert post(one, "facilitator", "coworking.pair_end", pair_id=pair).status_code in (200, 302)
    form = {"supervisor": one.rows["other_supervisor"], "supervisee": one.rows["coworker"]}
    assert post(one, "admin", "supervision.assignment_create", form).status_code == 201
    for supervisor in ("supervisor", "other_supervisor"):
        assert LAST_WEEK_MORE in read(one, supervisor, "supervision.pair_show", pair_id=pair)
    sharing = read(one, "coworker", "coworking.sharing_show", pair_id=pair)
    assert "Withdraw my yes" in sharing and "Yes, share this" not in sharing
    withdrawn = post(one, "coworker", "coworking.consent_withdraw", pair_id=pair, topic="checkins")
    assert withdrawn.status_code == 200
    assert "Withdrawn. It is no longer shared." in text_of(withdrawn)
    for supervisor in ("supervisor", "other_supervisor"):
        shown = read(one, supervisor, "supervision.pair_show", pair_id=pair)
        assert LAST_WEEK_MORE not in shown and "You see the dates only" in shown
    # Giving a yes is a change to the pair: an ended pair refuses it.
    given = post(one, "coworker", "coworking.consent_give", pair_id=pair, topic="checkins")
    assert given.status_code == 409


def test_every_supervisor_view_is_logged_for_the_pair_to_see(one):
    assign(one)
    agree_first_version(one)
    consent_to_share(one, "agreement", "facilitator", "coworker")
    pair = one.rows["pair"]
    before = read(one, "facilitator", "coworking.sharing_show", pair_id=pair)
    assert "Nobody from supervision has looked" in before
    read(one, "supervisor", "supervision.agreement_show", pair_id=pair)
    log = read(one, "coworker", "coworking.sharing_show", pair_id=pair)
    assert f"{PEOPLE['supervisor'][0]}: your agreement" in log
    assert f"{PEOPLE['supervisor'][0]}: your check-in dates" not in log
    read(one, "supervisor", "supervision.home")
    log = read(one, "facilitator", "coworking.sharing_show", pair_id=pair)
    assert f"{PEOPLE['supervisor'][0]}: your check-in dates" in log


def test_a_reload_within_the_hour_adds_no_second_log_entry(one):
    assign(one)
    for _ in range(3):
        read(one, "supervisor", "supervision.home")
    with sqlite3.connect(one.database) as conn:
        count = conn.execute("select count(*) from supervision_views").fetchone()[0]
    conn.close()
    assert count == 1


# --- reviewing a shared agreement ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "shown"),
    [
        ("comment", "Good to see the signal agreed", "Comment"),
        ("reviewed", "", "Reviewed"),
        ("change", "Please agree who steps in on humour", "A change asked for"),
    ],
)
def test_pair_sees_the_supervisors_review_on_their_agreement(one, kind, text, shown):
    assign(one)
    agree_first_version(one)
    consent_to_share(one, "agreement", "facilitator", "coworker")
    pair = one.rows["pair"]
    form = {"kind": kind, "text": text}
    response = post(one, "supervisor", "supervision.review_add", form, pair_id=pair)
    assert response.status_code == 200
    agreement_page = read(one, "coworker", "coworking.agreement_show", pair_id=pair)
    assert shown in agreement_page
    assert text in agreement_page


def test_marking_reviewed_takes_the_agreement_off_the_waiting_list(one):
    assign(one)
    agree_first_version(one)
    consent_to_share(one, "agreement", "facilitator", "coworker")
    assert "waiting for your review" in read(one, "supervisor", "supervision.home")
    form = {"kind": "reviewed"}
    post(one, "supervisor", "supervision.review_add", form, pair_id=one.rows["pair"])
    assert "waiting for your review" not in read(one, "supervisor", "supervision.home")


def test_asking_for_a_change_without_words_is_refused_and_keeps_the_choice(one):
    assign(one)
    agree_first_version(one)
    consent_to_share(one, "agreement", "facilitator", "coworker")
    form = {"kind": "change", "text": "  "}
    response = post(one, "supervisor", "supervision.review_add", form, pair_id=one.rows["pair"])
    assert response.status_code == 422
    body = text_of(response)
    assert "Please write what you'd like to say to the pair." in body
    assert re.search(r'<input checked[^>]*value="change"', response.get_data(as_text=True))


# --- the supervision record -------------------------------------------------------------------


def test_supervisee_reads_the_notes_about_them(one):
    assign(one)
    assert log_meeting(one).status_code == 302
    assert NOTE in read(one, "facilitator", "supervision.mine_show")
    assert NOTE not in read(one, "coworker", "supervision.mine_show")


def test_supervisor_only_note_shows_as_existing_but_never_its_words(one):
    assign(one)
    assert log_meeting(one, supervisor_only="y").status_code == 302
    mine = read(one, "facilitator", "supervision.mine_show")
    assert NOTE not in mine
    assert "There is a note for the supervisor only." in mine
    shown = read(one, "supervisor", "supervision.supervisee_show", user_id=one.rows["facilitator"])
    assert NOTE in shown


def test_a_note_for_one_supervisor_never_reaches_another_supervisor_of_that_person(one):
    """Issue 11, finding 1: Sid, assigned to Fran after Sol wrote a note for himself only,
    sees that the note exists but not its words, on the person's page and after a refused
    form on it."""
    assign(one)
    assert log_meeting(one, supervisor_only="y").status_code == 302
    form = {"supervisor": one.rows["other_supervisor"], "supervisee": one.rows["facilitator"]}
    assert post(one, "admin", "supervision.assignment_create", form).status_code == 201
    fran = one.rows["facilitator"]
    shown = read(one, "other_supervisor", "supervision.supervisee_show", user_id=fran)
    assert NOTE not in shown and "Marked for you only" not in shown
    assert "There is a note for the supervisor only." in shown
    refused = post(
        one, "other_supervisor", "supervision.target_update", {"minutes": "-5"}, user_id=fran
    )
    assert refused.status_code == 422 and NOTE not in text_of(refused)
    # Sol, who wrote it, still reads it.
    assert NOTE in read(one, "supervisor", "supervision.supervisee_show", user_id=fran)


def test_supervision_notes_and_reviews_are_never_stored_readable(one):
    assign(one)
    agree_first_version(one)
    consent_to_share(one, "agreement", "facilitator", "coworker")
    log_meeting(one, notes="A marker for the notes QZX-NOTE-1")
    form = {"kind": "change", "text": "A marker for the review QZX-REVIEW-2"}
    post(one, "supervisor", "supervision.review_add", form, pair_id=one.rows["pair"])
    assert "QZX-REVIEW-2" in read(
        one, "facilitator", "coworking.agreement_show", pair_id=one.rows["pair"]
    )
    with sqlite3.connect(one.database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        sealed = conn.execute(
            "select notes_sealed from supervision_meetings union all"
            " select text_sealed from agreement_reviews"
        ).fetchall()
    conn.close()
    assert sealed and all(value.startswith("aes1.") for (value,) in sealed)
    files = [one.database, Path(f"{one.database}-wal"), Path(f"{one.database}-shm")]
    stored = b"".join(f.read_bytes() for f in files if f.exists())
    assert b"QZX-NOTE-1" not in stored
    assert b"QZX-REVIEW-2" not in stored


def test_individual_session_is_with_one_person_and_nothing_typed_is_lost(one):
    assign(one)
    assign(one, "coworker")
    people = [one.rows["facilitator"], one.rows["coworker"]]
    response = log_meeting(one, supervisees=people, notes="Kept words 123")
    assert response.status_code == 422
    body = text_of(response)
    assert "An individual session is with one person." in body
    assert "Kept words 123" in body


@pytest.mark.parametrize("minutes", ["2" + "0" * 320, "-" + "9" * 400, "700"])
def test_minutes_out_of_range_however_long_are_refused_and_kept_as_typed(one, minutes):
    """A number too large for a float made wtforms' own range check raise (a 500, found by
    tests/test_fuzz.py): it is refused as any number out of range is."""
    assign(one)
    response = log_meeting(one, minutes=minutes, notes="Kept words 456")
    assert response.status_code == 422
    body = text_of(response)
    assert "Between 5 and 600 minutes, please." in body
    assert minutes in body and "Kept words 456" in body


def test_a_range_with_one_end_compares_a_number_too_large_for_a_float_as_it_is(one):
    from wtforms import Form, IntegerField
    from wtforms.validators import ValidationError

    from wellbeing.forms import NumberRange

    huge = int("9" * 400)
    with one.app.test_request_context():
        field = IntegerField().bind(Form(), "n")
        field.data = huge
        NumberRange(min=0)(None, field)  # within: no error
        for refusing in (NumberRange(max=10), NumberRange(min=0, max=10, message="No.")):
            with pytest.raises(ValidationError):
                refusing(None, field)
        field.data = -huge
        with pytest.raises(ValidationError):
            NumberRange(min=0)(None, field)
        assert field.data == -huge  # the number as it was given


def test_month_view_shows_a_shortfall_against_the_minimum(one):
    # Issue 24: a month that has ended is "under the target"; the month in progress only "so far".
    assign(one)
    last_month = date.today().replace(day=1) - timedelta(days=1)
    log_meeting(one, minutes="45", held_on=last_month.isoformat())
    log_meeting(one, minutes="45")
    shown = read(one, "supervisor", "supervision.supervisee_show", user_id=one.rows["facilitator"])
    this_month = date.today().strftime("%B %Y")
    assert f"{last_month.strftime('%B %Y')}: 0.8 hours · under the target" in shown
    assert f"{this_month}: 0.8 hours so far this month" in shown
    assert f"{this_month}: 0.8 hours · under the target" not in shown


def test_areas_not_touched_in_three_months_are_named(one):
    assign(one)
    log_meeting(one, areas=["impact"])
    shown = read(one, "supervisor", "supervision.supervisee_show", user_id=one.rows["facilitator"])
    untouched = shown.split("Not touched in the last three months:")[1]
    assert "Delivery style" in untouched
    assert "Exploring the personal impact of the work" not in untouched


def test_a_higher_target_for_an_inexperienced_worker(one):
    assign(one)
    user = one.rows["facilitator"]
    response = post(one, "supervisor", "supervision.target_update", {"minutes": "60"}, user_id=user)
    assert response.status_code == 422  # below the Respect minimum of 90
    assert "Between 90 and 2400 minutes" in text_of(response)
    form = {"minutes": "180"}
    response = post(one, "supervisor", "supervision.target_update", form, user_id=user)
    assert response.status_code == 302
    log_meeting(one, minutes="120")
    shown = read(one, "supervisor", "supervision.supervisee_show", user_id=user)
    assert "under the target" in shown.split("Hours of supervision")[1].split("Areas covered")[0]


def test_supervisor_cannot_open_the_record_of_someone_not_assigned(one):
    user = one.rows["facilitator"]
    response = get(one, "other_supervisor", "supervision.supervisee_show", user_id=user)
    assert response.status_code == 404
    assert get(one, "supervisor", "supervision.supervisee_show", user_id=user).status_code == 200


# --- mentoring and workload -------------------------------------------------------------------


def log_group(one, persona="facilitator", held_on=None, experienced=True):
    form = {"held_on": (held_on or date.today()).isoformat()}
    if experienced:
        form["with_experienced"] = "y"
    return post(one, persona, "coworking.group_log_add", form, pair_id=one.rows["pair"])


def test_three_groups_in_a_day_is_a_signal_to_the_worker_and_supervisor_never_a_block(one):
    assign(one)
    for _ in range(2):
        assert "advise no more than two a day" not in text_of(log_group(one))
    third = log_group(one)
    assert third.status_code == 200  # logged all the same
    assert "advise no more than two a day" in text_of(third)
    assert "ran more groups than advised" in read(one, "supervisor", "supervision.home")


def test_four_groups_in_a_week_is_a_signal(one):
    monday = date.today() - timedelta(days=date.today().weekday()) - timedelta(weeks=1)
    for day in range(4):
        log_group(one, held_on=monday + timedelta(days=day))
    mine = read(one, "facilitator", "supervision.mine_show")
    assert f"4 groups in the week of {written(monday)}" in mine


def test_mentoring_progress_counts_sessions_with_an_experienced_coworker(one):
    for weeks in range(3):
        log_group(one, held_on=date.today() - timedelta(weeks=weeks))
    log_group(one, experienced=False)
    mine = read(one, "facilitator", "supervision.mine_show")
    assert "3 of 26 sessions" in mine


def test_a_logged_group_can_be_taken_back(one):
    log_group(one)
    with sqlite3.connect(one.database) as conn:
        (log_id,) = conn.execute("select id from group_logs").fetchone()
    conn.close()
    # Someone else's log is not theirs to remove.
    response = post(one, "coworker", "supervision.group_log_remove", log_id=log_id)
    assert response.status_code == 404
    response = post(one, "facilitator", "supervision.group_log_remove", log_id=log_id)
    assert response.status_code == 302
    assert "None logged yet." in read(one, "facilitator", "supervision.mine_show")


@pytest.mark.parametrize(
    "days",
    [
        [0, 0, 0],  # three on one day
        [0, 1, 2, 3],  # four in one week
        [0, 0, 7, 7],  # two a day in two weeks: fine
        [5, 6, 7, 8],  # Saturday to Tuesday: two weeks, fine
        [],
    ],
)
def test_the_supervisors_list_flags_the_same_people_as_the_workers_own_page(one, days):
    monday = date(2026, 11, 2)
    logs = [{"held_on": (monday + timedelta(days=d)).isoformat()} for d in days]
    with one.app.app_context():
        with sqlite3.connect(one.database) as conn:
            conn.executemany(
                "insert into group_logs (user_id, held_on, with_experienced, created_at)"
                " values (?, ?, 1, '2026-11-01')",
                [(one.rows["facilitator"], log["held_on"]) for log in logs],
            )
        conn.close()
        today = monday + timedelta(days=14)
        one_by_one = bool(workload.flags(logs, today))
        all_at_once = one.rows["facilitator"] in workload.flagged_people(
            [one.rows["facilitator"]], today
        )
    assert one_by_one == all_at_once


def test_month_start_counts_back_across_a_year():
    assert record.month_start(date(2026, 2, 10), 3) == date(2025, 11, 1)
    assert record.month_start(date(2026, 12, 31), -1) == date(2027, 1, 1)


# --- export ------------------------------------------------------------------------------------


def test_export_holds_the_organisations_records_but_no_pair_writing_or_notes(one):
    assign(one)
    log_meeting(one, notes="Never exported QZX-2")
    response = get(one, "admin", "organisation.export_json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    exported = json.loads(body)
    assert "QZX-2" not in body
    with sqlite3.connect(one.database) as conn:
        conn.row_factory = sqlite3.Row
        week = conn.execute("select * from checkins limit 1").fetchone()
    conn.close()
    assert week["more_sealed"] not in body
    assert {p["name"] for p in exported["people"]} >= {FRAN, COLE}
    assert exported["supervision_meetings"][0]["minutes"] == 60
    assert "Organisation Two" not in body and PEOPLE["outsider"][0] not in body


def test_export_as_csv_one_table_at_a_time(one):
    response = get(one, "admin", "organisation.export_csv", table="people")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("id,name,email")
    assert any(FRAN in line for line in lines)


def test_export_leaves_pair_names_out(one):
    """Issue 11: a pair's name is pair data, so the admin's export doesn't hold it."""
    from conftest import PAIR_NAME

    body = get(one, "admin", "organisation.export_json").get_data(as_text=True)
    assert PAIR_NAME not in body and json.loads(body)["pairs"][0]["members"]
    csv_text = get(one, "admin", "organisation.export_csv", table="pairs").get_data(as_text=True)
    assert PAIR_NAME not in csv_text and "name" not in csv_text.splitlines()[0].split(",")


@pytest.mark.parametrize(
    "typed", ['=HYPERLINK("http://evil.example","Click")', "+1+1", "-2", "@SUM(A1)"]
)
def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(one, typed):
    with sqlite3.connect(one.database) as conn:
        conn.execute("update users set name = ? where id = ?", [typed, one.rows["facilitator"]])
    conn.close()
    response = get(one, "admin", "organisation.export_csv", table="people")
    cells = [row for row in csv.reader(io.StringIO(response.get_data(as_text=True)))]
    names = [row[1] for row in cells[1:]]
    assert "'" + typed in names and typed not in names


def test_context_shows_on_the_supervisors_home_only_when_both_agreed(one):
    pair = one.rows["pair"]
    form = {"gender": "Mixed gender", "experience": "Both experienced"}
    post(one, "facilitator", "coworking.context_update", form, pair_id=pair)
    assert "They recorded:" not in read(one, "supervisor", "supervision.home")
    consent_to_share(one, "context", "coworker")
    home = read(one, "supervisor", "supervision.home")
    assert "They recorded: Mixed gender · Both experienced" in home
    assert "your power context" in read(one, "facilitator", "coworking.sharing_show", pair_id=pair)


def test_the_supervisors_home_is_never_stale(one):
    # The caseload is drawn once for each state of what it shows (m010 counts every change),
    # so any change, even one made outside the app's pages, shows at once.
    assert FRAN in read(one, "supervisor", "supervision.home")
    with sqlite3.connect(one.database) as conn:
        conn.execute(
            "update users set name = 'Frankie Facilitator' where id = ?", [one.rows["facilitator"]]
        )
    conn.close()
    home = read(one, "supervisor", "supervision.home")
    assert "Frankie Facilitator" in home and FRAN not in home
    # A check-in both answer this week fills this week's square at once.
    week = checkins.monday_of(date.today()).isoformat()
    assert f"{week}: both answered" not in home
    with sqlite3.connect(one.database) as conn:
        for who in ("facilitator", "coworker"):
            conn.execute(
                "insert into checkins (pair_id, week, user_id, more_sealed, less_sealed,"
                " answered_at) values (?, ?, ?, 'x', 'x', '2026-01-01')",
                [one.rows["pair"], week, one.rows[who]],
            )
    conn.close()
    assert f"{week}: both answered" in read(one, "supervisor", "supervision.home")


def test_supervisor_removes_a_session_they_logged_and_it_leaves_the_record(one):
    log_meeting(one)
    user = one.rows["facilitator"]
    shown = read(one, "supervisor", "supervision.supervisee_show", user_id=user)
    assert "Remove this session" in shown and NOTE in shown
    with sqlite3.connect(one.database) as conn:
        (meeting_id,) = conn.execute("select max(id) from supervision_meetings").fetchone()
    conn.close()
    # Another supervisor can't, and doesn't even see the button on a record that isn't theirs.
    response = post(one, "other_supervisor", "supervision.meeting_remove", meeting_id=meeting_id)
    assert response.status_code == 404
    path = url(one, "supervision.meeting_remove", meeting_id=meeting_id)
    data = {"csrf_token": one.form_token("supervisor")}
    response = one.client("supervisor").post(path, data=data, follow_redirects=True)
    assert response.request.path == url(one, "supervision.supervisee_show", user_id=user)
    shown = text_of(response)
    assert "Session removed." in shown and NOTE not in shown
    assert NOTE not in read(one, "facilitator", "supervision.mine_show")
