"""Co-working pairs, through the real pages: Fran and Cole are a pair in Organisation One.

Organisation One is prepared in `organisation_one.prepare`: Fran has invited Cole to a second
pair ("Monday evening group", not answered yet), saved a first draft of their agreement
(version 1, revision 1), and both answered last week's check-in. Bea is a third facilitator
of the organisation, in no pair.
"""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from access_rules import RULES, method_of, prepared_rows
from conftest import PAIR_NAME, PEOPLE
from organisation_one import LAST_WEEK_MORE, PAIR_INVITATION_NAME, path_of, text_of
from steps import opened, post_to, share_answers, sql, strategy

from wellbeing.coworking import checkins
from wellbeing.permissions import get_pair

FRAN, COLE, BEA = (PEOPLE[who][0] for who in ("facilitator", "coworker", "bystander"))


# --- helpers ---------------------------------------------------------------------------------


def post(one, persona, endpoint, form=None, **url):
    return post_to(one, persona, path_of(one, endpoint, **url), form)


def get(one, persona, endpoint, **url):
    return one.client(persona).get(path_of(one, endpoint, **url))


def page(one, persona, endpoint, **url) -> str:
    return opened(get(one, persona, endpoint, **url))


def this_week_section(text: str) -> str:
    """The "This week" card of the check-in page, without the earlier weeks' timeline."""
    return re.search(r'id="this-week".*?</section>', text, re.S).group(0)


def confirm(one, persona, number=1, revision=1):
    form = {"number": str(number), "revision": str(revision)}
    return post(one, persona, "coworking.agreement_confirm", form)


def both_agree_version_one(one, words="Let's slow down for a moment.", signal="A nod"):
    assert (
        post(one, "facilitator", "coworking.agreement_save", strategy(words, signal)).status_code
        == 200
    )
    assert confirm(one, "facilitator", 1, 2).status_code == 200
    response = confirm(one, "coworker", 1, 2)
    assert "Agreed by both of you." in text_of(response)


def checkin(one, persona, more="", less=""):
    return post(one, persona, "coworking.checkin_submit", {"more": more, "less": less})


def this_monday() -> date:
    return checkins.monday_of(checkins.today())


def set_checkin_day(one, weekday: int):
    sql(one, "update pairs set checkin_day = ? where id = ?", [weekday, one.rows["pair"]])


# --- invitations and pairs -------------------------------------------------------------------


def test_invited_colleague_sees_the_invitation_on_home_and_accepts_it(one):
    bea_id = one.rows["bystander"]
    response = post(
        one,
        "facilitator",
        "coworking.invitation_create",
        {"colleague": bea_id, "name": "Friday morning group"},
    )
    assert response.status_code == 201
    assert "Invitation sent" in text_of(response)

    home = page(one, "bystander", "home.home")
    assert "1 invitation to co-work is waiting for you." in home
    index = page(one, "bystander", "coworking.pairs_index")
    assert "Friday morning group" in index
    assert f"{FRAN} would like to co-work with you." in index

    (invitation_id,) = sql(one, "select id from pair_invitations where invitee_id = ?", [bea_id])[0]
    accepted = post(one, "bystander", "coworking.invitation_accept", invitation_id=invitation_id)
    assert accepted.status_code == 302
    pair_page = text_of(one.client("bystander").get(accepted.location))
    assert "Friday morning group" in pair_page
    assert f"with {FRAN}" in pair_page
    # Now it is an answered invitation: it no longer shows, and can't be accepted twice.
    assert "invitation to co-work" not in page(one, "bystander", "home.home")
    again = post(one, "bystander", "coworking.invitation_accept", invitation_id=invitation_id)
    assert again.status_code == 404


def test_colleague_from_another_organisation_cannot_be_invited(one):
    form = page(one, "facilitator", "coworking.pairs_index")
    choices = re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)<', form)
    # Only facilitators of Fran's own organisation, never Fran herself.
    assert {name for _, name in choices} == {COLE, BEA}

    for colleague in (one.rows["outsider"], one.rows["facilitator"], one.rows["supervisor"]):
        response = post(
            one,
            "facilitator",
            "coworking.invitation_create",
            {"colleague": colleague, "name": "Across the road group"},
        )
        assert response.status_code == 422
        assert 'value="Across the road group"' in response.get_data(as_text=True)
    assert sql(one, "select count(*) from pair_invitations")[0][0] == 1  # only the prepared one


def test_invitation_without_a_name_is_refused_with_a_message(one):
    response = post(
        one, "facilitator", "coworking.invitation_create", {"colleague": one.rows["bystander"]}
    )
    assert response.status_code == 422
    assert "Please give the pair a name." in text_of(response)


def test_invited_colleague_declines_and_it_is_no_longer_open(one):
    assert PAIR_INVITATION_NAME in page(one, "facilitator", "coworking.pairs_index")
    response = post(one, "coworker", "coworking.invitation_decline")
    assert response.status_code == 200
    assert "You declined." in text_of(response)
    assert sql(one, "select answer, pair_id from pair_invitations") == [("declined", None)]
    assert PAIR_INVITATION_NAME not in page(one, "facilitator", "coworking.pairs_index")
    assert post(one, "coworker", "coworking.invitation_accept").status_code == 404


def test_inviter_withdraws_and_the_colleague_can_no_longer_accept(one):
    response = post(one, "facilitator", "coworking.invitation_withdraw")
    assert response.status_code == 200
    assert "Invitation withdrawn." in text_of(response)
    assert PAIR_INVITATION_NAME not in page(one, "coworker", "coworking.pairs_index")
    assert "invitation to co-work" not in page(one, "coworker", "home.home")
    assert post(one, "coworker", "coworking.invitation_accept").status_code == 404
    assert sql(one, "select count(*) from pairs")[0][0] == 1


def test_facilitator_can_be_in_several_pairs(one):
    accepted = post(one, "coworker", "coworking.invitation_accept")
    assert accepted.status_code == 302
    second = int(accepted.location.rsplit("/", 1)[1])
    assert second != one.rows["pair"]

    for persona in ("facilitator", "coworker"):
        index = page(one, persona, "coworking.pairs_index")
        assert PAIR_NAME in index and PAIR_INVITATION_NAME in index
    # Each pair keeps its own words: a check-in in one is not in the other.
    assert checkin(one, "facilitator", more="Only for Thursdays").status_code == 200
    other = page(one, "facilitator", "coworking.checkins_show", pair_id=second)
    assert "Only for Thursdays" not in other
    assert PAIR_INVITATION_NAME in other


def test_ended_pair_refuses_every_change_but_stays_readable(one):
    pair_routes = sorted(e for e, rule in RULES.items() if rule.who == "pair")
    # Rows a route needs (a planned session) are made while the pair can still make them.
    for endpoint in pair_routes:
        prepared_rows(one, endpoint)
    ended = post(one, "facilitator", "coworking.pair_end")
    assert ended.status_code == 302

    for endpoint in pair_routes:
        for persona in ("facilitator", "coworker"):
            if method_of(endpoint) == "POST":
                form = RULES[endpoint].form
                response = post(one, persona, endpoint, form)
                # Withdrawing a yes to sharing, and passing on a safety concern (issue 22: a
                # concern is passed on whatever became of the pair), are the changes an ended
                # pair still takes.
                still = {"coworking.consent_withdraw": 200, "safety.passed_on": 303}
                expected = still.get(endpoint, 409)
                assert response.status_code == expected, (endpoint, persona)
            elif endpoint == "coworking.pair_end_confirm":
                assert get(one, persona, endpoint).status_code == 409
            else:
                text = page(one, persona, endpoint)
                assert "Its history stays here, read-only." in text, endpoint
    # Last week's words are still there to read.
    assert LAST_WEEK_MORE in page(one, "coworker", "coworking.checkins_show")
    assert "ended, kept read-only" in page(one, "coworker", "home.home")


# --- the new-partnership conversation --------------------------------------------------------


def test_partner_cannot_see_conversation_answers_before_both_shared(one):
    response = share_answers(one, "facilitator", materials="Fran finds the consent session hard")
    assert response.status_code == 200
    assert "sees your answers once they share theirs" in text_of(response)

    cole = page(one, "coworker", "coworking.conversation_show")
    assert "Fran finds the consent session hard" not in cole
    assert f"{FRAN} has shared their answers. You'll see them once you share yours." in cole
    assert "Fran finds the consent session hard" in page(
        one, "facilitator", "coworking.conversation_show"
    )

    response = share_answers(one, "coworker", want="Cole wants a signal before stepping in")
    assert "You can both read each other's answers now." in text_of(response)
    for persona in ("facilitator", "coworker"):
        text = page(one, persona, "coworking.conversation_show")
        assert "Fran finds the consent session hard" in text
        assert "Cole wants a signal before stepping in" in text


def test_attached_situations_are_shared_and_shown_on_the_card_after_both_shared(one):
    situations = ["A client describes his partner in sexual detail", "Jokes about consent"]
    share_answers(one, "facilitator", situations, situations="Graphic descriptions")
    stored = sql(one, "select answers_sealed from conversation_answers")
    assert len(stored) == 1 and "Jokes about consent" not in stored[0][0]

    card = page(one, "coworker", "coworking.card_show")
    assert "Jokes about consent" not in card and "Graphic descriptions" not in card
    assert "Shown here once you have both shared" in card

    share_answers(one, "coworker", together="Cole's own words about working together")
    card = page(one, "coworker", "coworking.card_show")
    assert f"What might be difficult for {FRAN}" in card
    for words in (*situations, "Graphic descriptions"):
        assert words in card
    # The card shows the partner's difficult spots, not your own words back to you.
    assert "Cole's own words about working together" not in card
    assert "Jokes about consent" not in page(one, "facilitator", "coworking.card_show")


def test_sharing_nothing_is_refused_with_a_clear_message(one):
    response = share_answers(one, "facilitator", materials="   ", situations="")
    assert response.status_code == 422
    assert "There is nothing to share yet. Write an answer first." in text_of(response)
    assert sql(one, "select count(*) from conversation_answers")[0][0] == 0


def test_answer_too_long_to_share_is_refused(one):
    response = share_answers(one, "facilitator", materials="x" * 3001)
    assert response.status_code == 422
    assert "One answer is too long to share." in text_of(response)
    assert sql(one, "select count(*) from conversation_answers")[0][0] == 0


# --- the redirection-strategy agreement ------------------------------------------------------


def test_first_save_of_an_agreement_is_version_one_waiting_for_both(one):
    pair_id = int(post(one, "coworker", "coworking.invitation_accept").location.rsplit("/", 1)[1])
    empty = page(one, "coworker", "coworking.agreement_show", pair_id=pair_id)
    assert "You haven't started your agreement yet." in empty
    assert 'name="number" value="0"' in empty

    form = strategy("Hold on, I want to come back to that.", number=0, rev=0)
    response = post(one, "coworker", "coworking.agreement_save", form, pair_id=pair_id)
    assert response.status_code == 200
    text = text_of(response)
    assert "Version 1 is a draft." in text
    assert "Hold on, I want to come back to that." in text
    versions = sql(
        one,
        "select number, revision, agreed_at from agreement_versions where pair_id = ?",
        [pair_id],
    )
    assert versions == [(1, 1, None)]


def test_partners_saving_at_once_get_a_conflict_that_loses_nothing(one):
    fran = strategy("Fran's words: let's pause there.", signal="Fran's signal: a nod")
    cole = strategy("Cole's words: I'm curious why you ask.", signal="Cole's signal: a tap")
    assert post(one, "facilitator", "coworking.agreement_save", fran).status_code == 200

    response = post(one, "coworker", "coworking.agreement_save", cole)
    assert response.status_code == 409
    text = text_of(response)
    assert f"{FRAN} changed the agreement while you were editing" in text
    # Cole's typed words are still in the form, and Fran's are shown beside them.
    assert ">Cole's words: I'm curious why you ask.</textarea>" in text
    assert 'value="Cole\'s signal: a tap"' in text
    assert "Theirs: Fran's words: let's pause there." in text
    assert "Yours: Cole's words: I'm curious why you ask." in text
    # Saving again now starts from Fran's save (revision 2), so it is deliberate.
    assert 'name="revision" value="2"' in text
    assert "Fran's words" in page(one, "coworker", "coworking.agreement_show")
    assert "Cole's words" not in page(one, "coworker", "coworking.agreement_show")


def test_agreement_is_agreed_once_both_partners_confirm(one):
    response = confirm(one, "facilitator")
    assert "Confirmed. It is agreed once your co-worker confirms." in text_of(response)
    assert "You don't have an agreed version yet." in page(one, "coworker", "coworking.card_show")

    response = confirm(one, "coworker")
    assert response.status_code == 200
    assert "Agreed by both of you." in text_of(response)
    assert "Version 1 is agreed." in page(one, "facilitator", "coworking.agreement_show")
    card = page(one, "facilitator", "coworking.card_show")
    assert "I wonder how that question lands for my colleague." in card
    assert "A hand flat on the table" in card


def test_change_after_agreed_is_version_two_and_version_one_still_holds(one):
    both_agree_version_one(one, "Version one words", "Version one signal")

    changed = strategy("Version two words", "Version two signal", number=1, rev=2)
    response = post(one, "coworker", "coworking.agreement_save", changed)
    assert response.status_code == 200
    text = text_of(response)
    assert "Version 2 is a draft." in text
    assert "Version 1 still holds until you both confirm this one." in text
    card = page(one, "facilitator", "coworking.card_show")
    assert "Version one words" in card and "Version two words" not in card

    # Saving a change doesn't confirm it, not even for the one who saved it: both again.
    assert "Agreed" not in text_of(confirm(one, "coworker", 2, 1))
    card = page(one, "facilitator", "coworking.card_show")
    assert "Version one words" in card
    assert "Agreed by both of you." in text_of(confirm(one, "facilitator", 2, 1))
    card = page(one, "facilitator", "coworking.card_show")
    assert "Version two words" in card and "Version one words" not in card
    assert "Version one words" in page(
        one, "facilitator", "coworking.agreement_version_show", number=1
    )


def test_version_page_shows_what_changed(one):
    both_agree_version_one(one, "Version one words", "Version one signal")
    changed = strategy("Version two words", "Version one signal", number=1, rev=2)
    post(one, "facilitator", "coworking.agreement_save", changed)

    text = page(one, "coworker", "coworking.agreement_version_show", number=2)
    assert "What changed since version 1" in text
    assert "<del>Version one words</del>" in text
    assert "<ins>Version two words</ins>" in text
    # Only what changed is listed as a change.
    changes = re.search(r'class="differences">(.*?)</ul>', text, re.S).group(1)
    assert "Version one signal" not in changes
    for missing in (3, 0, 2**63):  # 2**63 is too big for SQLite: still simply not found
        response = get(one, "coworker", "coworking.agreement_version_show", number=missing)
        assert response.status_code == 404


def test_confirming_a_version_that_changed_since_it_was_read_is_refused(one):
    newer = strategy("Words changed after Cole read them", number=1, rev=1)
    assert post(one, "facilitator", "coworking.agreement_save", newer).status_code == 200

    response = confirm(one, "coworker", 1, 1)
    assert response.status_code == 409
    assert "It changed before you confirmed. Please read it again, then confirm." in text_of(
        response
    )
    assert sql(one, "select count(*) from agreement_confirmations")[0][0] == 0
    assert confirm(one, "coworker", 1, 2).status_code == 200


def test_pair_adds_and_removes_a_strategy_of_its_own(one):
    form = strategy("Shared words") | {
        "s1-id": "new",
        "s1-title": "A client talks over the group rules",
        "s1-who": "Whoever is nearer the flipchart",
        "s1-words": "Let's look at the rules we agreed together.",
        "s1-signal": "Pointing at the flipchart",
    }
    response = post(one, "facilitator", "coworking.agreement_save", form)
    assert response.status_code == 200
    text = text_of(response)
    assert "A client talks over the group rules" in text
    own_id = re.search(r'name="s1-id" value="(own-\d+)"', text).group(1)

    removed = strategy("Shared words", rev=2) | {
        "s1-id": own_id,
        "s1-title": "A client talks over the group rules",
        "s1-remove": "1",
    }
    text = text_of(post(one, "facilitator", "coworking.agreement_save", removed))
    assert "A client talks over the group rules" not in text
    assert "Shared words" in text


def test_own_strategy_needs_to_say_when_it_is_for(one):
    form = strategy("Shared words") | {"s1-id": "new", "s1-words": "Words with no situation"}
    response = post(one, "facilitator", "coworking.agreement_save", form)
    assert response.status_code == 422
    text = text_of(response)
    assert "Please say when this strategy is for" in text
    assert ">Words with no situation</textarea>" in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("s0-words", "w" * 1001, "Please keep each answer under 1000 characters."),
        ("s0-signal", "s" * 301, "Please keep each answer under 300 characters."),
        ("s0-who", "o" * 201, "Please keep each answer under 200 characters."),
        ("s0-choice", "maybe later", "Please choose one of the options."),
    ],
)
def test_agreement_problem_is_shown_and_every_typed_word_kept(one, field, value, message):
    form = strategy("Typed before the problem", signal="Typed signal") | {field: value}
    response = post(one, "facilitator", "coworking.agreement_save", form)
    assert response.status_code == 422
    text = text_of(response)
    assert message in text
    assert "Everything you typed is still here." in text
    if field != "s0-choice":
        assert value in text
    if field != "s0-words":
        assert ">Typed before the problem</textarea>" in text
    assert sql(one, "select revision from agreement_versions") == [(1,)]


# --- the before-session card -----------------------------------------------------------------


def test_card_shows_agreed_strategies_but_not_those_not_for_us(one):
    form = strategy("Words for confrontation", signal="Tap on the knee") | {
        "s1-id": "invasive",
        "s1-choice": "not_for_us",
        "s1-who": "Nobody",
        "s1-words": "Words we decided against",
        "s1-signal": "",
    }
    post(one, "facilitator", "coworking.agreement_save", form)
    confirm(one, "facilitator", 1, 2)
    confirm(one, "coworker", 1, 2)

    card = page(one, "coworker", "coworking.card_show")
    assert "A client gets confrontational with one facilitator" in card
    assert "Words for confrontation" in card and "Tap on the knee" in card
    assert "A client asks one facilitator invasive questions" not in card
    assert "Words we decided against" not in card
    # Respect §3.14: the half hour before and after the group.
    assert "The half hour before" in card and "the half-hour debrief" in card


# --- weekly check-ins ------------------------------------------------------------------------


def test_partner_cannot_see_checkin_before_both_answered(one):
    response = checkin(one, "facilitator", more="More eye contact", less="Fewer interruptions")
    assert response.status_code == 200

    cole = page(one, "coworker", "coworking.checkins_show")
    assert "More eye contact" not in cole and "Fewer interruptions" not in cole
    assert f"{FRAN} has answered." in cole
    fran = this_week_section(page(one, "facilitator", "coworking.checkins_show"))
    assert "More eye contact" in fran
    assert "Your answers, waiting for" in fran

    response = checkin(one, "coworker", more="More time to plan")
    assert "More eye contact" in text_of(response)  # revealed at the moment Cole answers
    for persona in ("facilitator", "coworker"):
        week = this_week_section(page(one, persona, "coworking.checkins_show"))
        for words in ("More eye contact", "Fewer interruptions", "More time to plan"):
            assert words in week
        assert "This week's check-in is done." in week


def test_blank_checkin_answer_reads_nothing_this_week(one):
    checkin(one, "facilitator")
    checkin(one, "coworker", more="Keep the timings", less="")
    week = this_week_section(page(one, "coworker", "coworking.checkins_show"))
    # Fran left both empty, Cole one: three "Nothing this week" in all.
    assert week.count("Nothing this week") == 3
    assert "Keep the timings" in week


def test_a_checkin_answer_past_its_limit_is_refused_with_every_word_kept(one):
    # A browser cuts a paste at an input's maxlength without a word: a tester's 2,300-character
    # answer arrived as 2,000. No maxlength, so the server says it and keeps it all.
    assert "maxlength" not in page(one, "facilitator", "coworking.checkins_show")
    long = " ".join(f"word{n}" for n in range(400))[: checkins.MAX_ANSWER + 300]
    before = sql(one, "select count(*) from checkins")
    response = checkin(one, "facilitator", more=long)
    assert response.status_code == 422
    shown = text_of(response)
    assert "Please keep it shorter." in shown and long in shown
    assert sql(one, "select count(*) from checkins") == before


def test_checkin_can_change_until_revealed_but_not_after(one):
    checkin(one, "facilitator", more="First thought")
    assert checkin(one, "facilitator", more="Second thought").status_code == 200
    checkin(one, "coworker", less="Shorter rounds")
    week = this_week_section(page(one, "coworker", "coworking.checkins_show"))
    assert "Second thought" in week and "First thought" not in week

    response = checkin(one, "facilitator", more="Third thought, too late")
    assert response.status_code == 409
    assert "This week's answers are open." in text_of(response)
    assert "Third thought" not in page(one, "coworker", "coworking.checkins_show")


def test_partner_replies_to_a_revealed_checkin(one):
    week = this_monday().isoformat()
    checkin(one, "facilitator", more="Say when you need a break")
    # Nothing to reply to until both have answered.
    before = post(one, "coworker", "coworking.checkin_reply", {"reply": "ok"}, week=week)
    assert before.status_code == 404
    checkin(one, "coworker", less="Fewer long pauses")

    response = post(
        one, "coworker", "coworking.checkin_reply", {"reply": "thanks — I'll try that"}, week=week
    )
    assert response.status_code == 200
    fran = this_week_section(page(one, "facilitator", "coworking.checkins_show"))
    assert f"{COLE} replied: thanks — I'll try that" in fran
    assert "Your reply: thanks — I'll try that" in this_week_section(
        page(one, "coworker", "coworking.checkins_show")
    )


def test_empty_reply_is_refused_with_a_message(one):
    checkin(one, "facilitator", more="Say when you need a break")
    checkin(one, "coworker", less="Fewer long pauses")
    week = this_monday().isoformat()
    response = post(one, "coworker", "coworking.checkin_reply", {"reply": "  "}, week=week)
    assert response.status_code == 422
    assert "Please write a few words, or leave it." in text_of(response)
    response = post(one, "coworker", "coworking.checkin_reply", {"reply": "x" * 301}, week=week)
    assert response.status_code == 422
    assert "Please keep it short." in text_of(response)
    assert sql(one, "select count(*) from checkins where reply_sealed is not null") == [(0,)]


@pytest.mark.parametrize(
    "week", ["2024-05-07", "2024-13-01", "last-week", "2024-5-6", "0001-01-01x"]
)
def test_week_in_a_reply_link_must_be_a_monday(one, week):
    response = post(one, "coworker", "coworking.checkin_reply", {"reply": "thanks"}, week=week)
    assert response.status_code == 404


def test_reply_to_last_week_is_kept(one):
    response = post(one, "facilitator", "coworking.checkin_reply", {"reply": "Noted, thank you"})
    assert response.status_code == 200
    assert f"{FRAN} replied: Noted, thank you" in page(one, "coworker", "coworking.checkins_show")


def test_pair_changes_its_checkin_day_for_both(one):
    response = post(one, "coworker", "coworking.checkin_day_update", {"day": "3"})
    assert response.status_code == 200
    assert "Check-in day changed for both of you." in text_of(response)
    assert sql(one, "select checkin_day from pairs") == [(3,)]
    fran = page(one, "facilitator", "coworking.checkins_show")
    assert re.search(r'<option selected value="3">Thursday</option>', fran)

    for day in ("7", "-1", "Thursday", ""):
        response = post(one, "coworker", "coworking.checkin_day_update", {"day": day})
        assert response.status_code == 422, day
    assert sql(one, "select checkin_day from pairs") == [(3,)]


@pytest.mark.parametrize(
    ("checkin_day", "today", "expected"),
    [
        # The week of Monday 6 May 2024.
        (3, date(2024, 5, 6), "upcoming"),
        (3, date(2024, 5, 8), "upcoming"),
        (3, date(2024, 5, 9), "due"),
        (3, date(2024, 5, 11), "due"),
        (3, date(2024, 5, 12), "overdue"),
        (0, date(2024, 5, 6), "due"),
        (0, date(2024, 5, 9), "overdue"),
    ],
)
def test_checkin_is_upcoming_then_due_then_gently_overdue(one, checkin_day, today, expected):
    set_checkin_day(one, checkin_day)
    fran = SimpleNamespace(id=one.rows["facilitator"], org_id=one.rows["organisation_one"])
    with one.app.app_context():
        pair = get_pair(one.rows["pair"], member=fran)
        assert checkins.state(pair, fran, today) == expected


def test_checkin_states_after_answering(one):
    fran = SimpleNamespace(id=one.rows["facilitator"], org_id=one.rows["organisation_one"])
    cole = SimpleNamespace(id=one.rows["coworker"], org_id=one.rows["organisation_one"])
    with one.app.app_context():
        pair = get_pair(one.rows["pair"], member=fran)
        week = this_monday()
        checkins.submit(pair, fran, week, "More", "")
        assert checkins.state(pair, fran, checkins.today()) == "waiting"
        checkins.submit(get_pair(one.rows["pair"], member=cole), cole, week, "", "")
        assert checkins.state(pair, fran, checkins.today()) == "done"


def test_home_shows_a_due_checkin_gently_and_never_a_streak_or_score(one):
    set_checkin_day(one, checkins.today().weekday())
    home = page(one, "facilitator", "home.home")
    assert "This week's check-in is due." in home
    assert 'class="state-due"' in home

    # Overdue, where this week allows it: still gentle, never a failure.
    if checkins.today().weekday() >= 3:
        set_checkin_day(one, 0)
        home = page(one, "facilitator", "home.home")
        assert "This week's check-in is still open, whenever you're ready." in home

    for endpoint in ("home.home", "coworking.pair_show", "coworking.checkins_show"):
        text = page(one, "facilitator", endpoint).lower()
        for word in ("streak", "score", "badge", "failed", "you missed"):
            assert word not in text, (endpoint, word)


def test_rhythm_strip_shows_weeks_done_and_missed(one):
    started = this_monday() - timedelta(weeks=4)
    sql(one, "update pairs set created_at = ?", [f"{started.isoformat()}T09:00:00+00:00"])
    fran = SimpleNamespace(id=one.rows["facilitator"], org_id=one.rows["organisation_one"])
    with one.app.app_context():
        pair = get_pair(one.rows["pair"], member=fran)
        # Three weeks ago only Fran answered: that week has no check-in.
        checkins.submit(pair, fran, this_monday() - timedelta(weeks=3), "Only Fran", "")

    for endpoint in ("coworking.checkins_show", "coworking.pair_show", "coworking.sharing_show"):
        text = page(one, "coworker", endpoint)
        strip = re.search(r'<svg class="rhythm-strip".*?</svg>', text, re.S).group(0)
        weeks = re.findall(r'<rect class="week-([\w-]+)"', strip)
        assert weeks == ["missed", "missed", "missed", "done", "this-week"], endpoint
    # Only Fran's own answer that week: Cole sees that she answered, never what.
    text = page(one, "coworker", "coworking.checkins_show")
    assert "Only Fran" not in text
    assert f"only {FRAN} answered" in text


# --- what the pair shares with supervision ---------------------------------------------------


def consents(one, topic):
    found = sql(one, "select user_id from pair_consents where topic = ?", [topic])
    return {user_id for (user_id,) in found}


@pytest.mark.parametrize("topic", ["agreement", "checkins"])
def test_sharing_needs_both_partners_and_either_can_withdraw(one, topic):
    fran_id, cole_id = one.rows["facilitator"], one.rows["coworker"]
    response = post(one, "facilitator", "coworking.consent_give", topic=topic)
    assert response.status_code == 200
    assert consents(one, topic) == {fran_id}
    cole = page(one, "coworker", "coworking.sharing_show")
    assert f"{FRAN}: yes" in cole
    assert f"You and {FRAN} only." in cole

    post(one, "coworker", "coworking.consent_give", topic=topic)
    assert consents(one, topic) == {fran_id, cole_id}
    assert f"You, {COLE} and your supervisor" in page(one, "facilitator", "coworking.sharing_show")

    response = post(one, "coworker", "coworking.consent_withdraw", topic=topic)
    assert "Withdrawn. It is no longer shared." in text_of(response)
    assert consents(one, topic) == {fran_id}
    other = "checkins" if topic == "agreement" else "agreement"
    assert consents(one, other) == set()


def test_power_context_needs_both_and_a_change_asks_the_other_again(one):
    fran_id, cole_id = one.rows["facilitator"], one.rows["coworker"]
    # Nothing to agree to before it is recorded.
    assert post(one, "coworker", "coworking.consent_give", topic="context").status_code == 409

    context = {"gender": "Mixed gender", "experience": "Both experienced"}
    response = post(one, "facilitator", "coworking.context_update", context)
    assert response.status_code == 200
    assert consents(one, "context") == {fran_id}
    post(one, "coworker", "coworking.consent_give", topic="context")
    assert consents(one, "context") == {fran_id, cole_id}

    newer = context | {"experience": "Both of us are new to this work"}
    post(one, "coworker", "coworking.context_update", newer)
    assert consents(one, "context") == {cole_id}
    fran = page(one, "facilitator", "coworking.sharing_show")
    assert "Both of us are new to this work" in fran
    assert f"{COLE}: yes" in fran

    response = post(one, "facilitator", "coworking.context_forget")
    assert "Removed. Nothing about it is kept." in text_of(response)
    assert consents(one, "context") == set()
    assert sql(one, "select context_sealed from pairs") == [(None,)]


def test_power_context_must_be_one_of_the_choices(one):
    form = {"gender": "Someone's own words here", "experience": "Both experienced"}
    response = post(one, "facilitator", "coworking.context_update", form)
    assert response.status_code == 422
    assert sql(one, "select context_sealed from pairs") == [(None,)]
    assert consents(one, "context") == set()


# --- who sees what ---------------------------------------------------------------------------


def test_third_facilitator_never_sees_the_pair(one):
    checkin(one, "facilitator", more="Between us two")
    index = page(one, "bystander", "coworking.pairs_index")
    assert PAIR_NAME not in index and PAIR_INVITATION_NAME not in index
    assert PAIR_NAME not in page(one, "bystander", "home.home")
    assert get(one, "bystander", "coworking.checkins_show").status_code == 404
