"""Time at the organisation's place (issue 25): "today" and the Monday a week starts on are
the organisation's, in its time zone, and dates people read are written as people write them.
Through the real pages of Organisation One, with the app's clock set (wellbeing/clock.py).
"""

import re
from datetime import UTC, datetime

from organisation_one import text_of
from steps import page, post, set_clock, set_time_zone, sql

from wellbeing.db import sqlite3

# A Sunday evening in London is already Monday in Berlin: 00:30 on Monday 30 November.
SUNDAY_NIGHT = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
THURSDAY_EVENING = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


def set_zone(one, zone):
    sql(one, "update organisations set time_zone = ?", [zone])


def test_a_check_in_at_half_past_midnight_in_berlin_belongs_to_the_berlin_week(one):
    set_clock(one, SUNDAY_NIGHT)
    set_zone(one, "Europe/Berlin")
    shown = page(one, "facilitator", "coworking.checkins_show", pair_id=one.rows["pair"])
    assert "from Monday 30 November" in shown


def test_the_same_moment_in_london_is_still_the_week_before(one):
    set_clock(one, SUNDAY_NIGHT)
    shown = page(one, "facilitator", "coworking.checkins_show", pair_id=one.rows["pair"])
    assert "from Monday 23 November" in shown


def test_an_admin_sets_the_organisations_time_zone_and_today_moves_with_it(one):
    set_clock(one, SUNDAY_NIGHT)
    set_time_zone(one, "Europe/Berlin")
    settings = page(one, "admin", "organisation.standards_show")
    assert re.search(r'<option selected value="Europe/Berlin"', settings)
    shown = page(one, "facilitator", "coworking.checkins_show", pair_id=one.rows["pair"])
    assert "from Monday 30 November" in shown


def test_a_time_zone_not_offered_is_refused_and_the_choices_typed_come_back(one):
    form = {
        "mentoring_reading": "either",
        "mentoring_target_minutes": "150",
        "group_supervision_counts": "shared",
        "time_zone": "Mars/Olympus_Mons",
    }
    response = post(one, "admin", "organisation.standards_update", form)
    assert response.status_code == 422
    assert re.search(r'<input checked[^>]* value="either"', text_of(response))
    with sqlite3.connect(one.database) as conn:
        assert conn.execute("select time_zone from organisations").fetchone()[0] == (
            "Europe/London"
        )


def test_the_account_page_says_when_each_sign_in_began_as_people_write_it(one):
    set_clock(one, THURSDAY_EVENING)
    with sqlite3.connect(one.database) as conn:
        conn.execute(
            "update signins set created_at = '2026-12-03T17:30:00+00:00' where user_id = ?",
            [one.rows["admin"]],
        )
    shown = page(one, "admin", "accounts.account_show")
    assert "Thursday 3 December, 17:30" in shown
    assert "2026-12-03" not in shown
    set_zone(one, "Europe/Berlin")
    assert "Thursday 3 December, 18:30" in page(one, "admin", "accounts.account_show")


def test_the_cards_run_sheet_names_the_day_in_words(one):
    set_clock(one, THURSDAY_EVENING)
    form = {
        "held_on": "2026-12-03",
        "starts_at": "18:30",
        "session_key": "sexual_pressuring",
        "base": 0,
        "action": "save",
    }
    response = post(one, "facilitator", "module.plan_save", form, pair_id=one.rows["pair"])
    assert response.status_code == 200, text_of(response)
    card = page(one, "coworker", "coworking.card_show", pair_id=one.rows["pair"])
    tonight = card[card.index("card-tonight-heading") : card.index('class="run-sheet"')]
    assert "Thursday 3 December ·" in tonight
    assert "2026-12-03" not in tonight
