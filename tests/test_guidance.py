"""The rest of the guidelines and standards (issue 12), through the real pages.

Organisation One (`organisation_one.prepare`): Fran and Cole are a pair, Sol supervises, Ada is
the admin. Every passage the app quotes from a seed is checked against the seed's own text.
"""

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from organisation_one import text_of
from steps import page as html
from steps import post, sql, url, words

from wellbeing import content, workload
from wellbeing.db import sqlite3

SEEDS = Path(__file__).resolve().parents[1] / "sources"
SEED_FILES = {
    "000": "000_e008cabadd522271.txt",
    "002": "002_7416a2ecb8bae6d2.txt",
    "003": "003_f3cb83f70c74624b.txt",
    "004": "004_139287867ee7cf8b.txt",
}


def card(one, persona="facilitator") -> str:
    return html(one, persona, "coworking.card_show", pair_id=one.rows["pair"])


def log_group(one, persona="facilitator", **fields):
    form = {"held_on": date.today().isoformat(), "with_experienced": "y"} | fields
    form = {key: value for key, value in form.items() if value is not None}
    return post(one, persona, "coworking.group_log_add", form, pair_id=one.rows["pair"])


# --- the guidelines' words, exactly -----------------------------------------------------------


def seed_text(number: str, footnotes: bool = True) -> str:
    """A seed as the content copies it: markdown emphasis gone, lines and page breaks joined.
    Without `footnotes`, the footnote lines a page break leaves inside a paragraph are gone."""
    text = (SEEDS / SEED_FILES[number]).read_text(encoding="utf-8")
    text = re.sub(r"\*+", "", text)
    text = re.sub(r"^- ", "", text, flags=re.M)
    if not footnotes:
        text = re.sub(r"^ ?[¹²³⁴⁵⁶⁷⁸⁹].*$", "", text, flags=re.M)
    return re.sub(r"\s+", " ", text)


def quoted_passages() -> list[tuple[str, str]]:
    """(seed, passage) for every passage issue 12 quotes: the card's reminders and §3.14, why
    this matters, the Phoneline, §4.9, §3.13 and §3.12."""
    guide = content.guidelines()
    card_content, found = guide["coworking"]["card"], []
    for reminder in card_content["reminders"]:
        seed = "000" if reminder["source"].startswith("WWP EN") else "002"
        found += [(seed, p) for p in reminder["passages"] + reminder["examples"]]
    found += [("003", card_content["preparation"][k]) for k in ("separate", "more_time")]
    for section in guide["why_this_matters"]["sections"]:
        found += [("000", p) for p in section["passages"] + section.get("footnotes", [])]
    phoneline = guide["men_helpline"]["suggested"][0]
    found += [("002", phoneline["note"]), ("002", f"{phoneline['text']} ({phoneline['phone']})")]
    groups = guide["coworking"]["groups"]
    found += [("003", groups[k]) for k in ("mixed_gender", "numbers", "core_team")]
    supervision = guide["supervision"]
    found += [
        ("003", supervision["aside"]["text"]),
        ("003", supervision["training"]["responsibility"]),
    ]
    for group in supervision["training"]["groups"]:
        found += [("003", group["heading"])] + [("003", t["text"]) for t in group["topics"]]
    return found + safety_passages()


def safety_passages() -> list[tuple[str, str]]:
    """Issue 22's quotations (wellbeing/content/safety.json): the safety question's standard
    (Respect §4.4) and Section 8's "safety first", the note asking for helplines for men in the
    group room, seed 004 B.1 c and h, and Respect's list of ways men misuse a programme."""
    safety = content.safety()
    question, women = safety["question"], safety["womens_service"]
    return [
        ("003", question["standard"]),
        ("002", question["safer"]),
        ("000", safety["helplines"]["note"]),
        ("004", women["why"]),
        ("004", women["counter"]),
        ("003", women["misuse_heading"]),
        ("003", women["misuse_materials"]),
        *[("003", item) for item in women["misuse"]],
    ]


@pytest.mark.parametrize("seed, passage", quoted_passages())
def test_every_quoted_passage_is_the_seeds_own_words(seed, passage):
    passage = re.sub(r"\s+", " ", passage)
    assert passage in seed_text(seed) or passage in seed_text(seed, footnotes=False)


def test_every_item_says_whether_the_words_are_the_guidelines_or_this_apps():
    guide = content.guidelines()
    assert "Wording kept as in the guidelines" not in guide["_source"]
    for key in ("before", "after"):
        assert {step["source"] for step in guide["coworking"]["card"][key]} == {"this app"}
    for key in ("gender", "experience"):
        assert {option["source"] for option in guide["coworking"]["power"][key]} == {"this app"}
    assert guide["checklist"]["title_source"] == guide["stance"]["title_source"] == "this app"


def test_a_video_is_linked_only_where_both_seeds_spell_its_id_the_same(one):
    page = html(one, "facilitator", "private.why_show")
    assert "https://youtu.be/BueaomwLiFc" in page  # "Impacts on practitioners": agreed
    assert "sII0tbQPCxo" not in page and "sllOtbQPCxo" not in page  # "shame and trauma": not
    assert "Video session: “Stance”, in the guidelines' own list of videos." in page
    assert "being checked" not in page


# --- 1. before a group, on the card -----------------------------------------------------------


def test_facilitator_reads_the_reminders_folded_on_the_card_each_with_its_source(one):
    page = card(one)
    for reminder in ("language", "collusion", "not_alone", "own_safety"):
        assert f'<details class="reminder" id="reminder-{reminder}">' in page
    text = words(page)
    assert "You pressured her to do something she wasn't into." in text
    assert "Inappropriately nodding/smiling as part of active listening." in text
    assert (
        "AVA, Section 8: Working with the perpetrator, 8. Victim safety: Do not work alone" in text
    )
    assert "WWP EN, Good practice in addressing sexualised violence, Stance: the paragraphs" in text


def test_card_says_planning_is_not_form_filling_and_newer_facilitators_need_longer(one):
    preparation = re.search(r'id="card-preparation">(.*?)</blockquote>', card(one), re.S).group(1)
    assert "Such time is separate from form-filling, record-keeping and tidying up." in preparation
    assert "Less experienced workers are likely to need more time." in preparation


def test_card_quotes_the_guidelines_and_leaves_the_apps_own_steps_plain(one):
    page = card(one)
    step = content.guidelines()["coworking"]["card"]["before"][0]["text"]
    assert f"<span>{step}</span>" in page  # this app's words: plain
    quoted = re.findall(r'<blockquote class="guidelines">(.*?)</blockquote>', page, re.S)
    assert any("strong defensiveness" in q for q in quoted)
    assert not any(step in q for q in quoted)


@pytest.mark.parametrize(
    "endpoint, words_from",
    [
        ("private.shoulds_show", lambda g: g["shoulds"]["introduction"]),
        ("private.stance_show", lambda g: g["stance"]["introduction"][0]),
        ("coworking.agreement_show", lambda g: g["coworking"]["agreement"]["introduction"]),
        ("coworking.checkins_show", lambda g: g["coworking"]["checkin"]["introduction"]),
    ],
)
def test_the_guidelines_introductions_are_shown_as_quotations(one, endpoint, words_from):
    values = {"pair_id": one.rows["pair"]} if endpoint.startswith("coworking") else {}
    page = html(one, "facilitator", endpoint, **values)
    quoted = re.findall(r'<blockquote class="guidelines">(.*?)</blockquote>', page, re.S)
    expected = words_from(content.guidelines())
    assert any(expected in q for q in quoted)


# --- 2. why this matters, before the private space ---------------------------------------------


def test_home_leads_to_why_this_matters_first_and_to_the_exercises_after(one):
    client = one.client("facilitator")
    why, vault = url(one, "private.why_show"), url(one, "private.vault_show")
    assert f'href="{why}"' in text_of(client.get(url(one, "home.home")))
    shown = client.get(why)
    assert "Impacts on practitioners" in text_of(shown)
    assert f'href="{vault}" id="why-skip"' in text_of(shown)  # skipped with one tap
    # Seen once on this phone: home goes straight to the exercises, and the private space
    # still links back to it.
    assert f'href="{vault}"' in text_of(client.get(url(one, "home.home")))
    assert f'href="{why}"' in text_of(client.get(vault))


def test_why_this_matters_quotes_trauma_shame_and_guilt(one):
    text = words(html(one, "facilitator", "private.why_show"))
    assert "Shame, in this document, is the sense that ‘there is something wrong with me’" in text
    assert "It is common for practitioners to be negatively affected by this work" in text


# --- 3. the Respect Phoneline --------------------------------------------------------------------


def test_admin_adds_the_respect_phoneline_to_the_mens_helplines_with_one_button(one):
    # Issue 22: a line for perpetrators and for professionals, so never among staff support.
    staff = text_of(
        one.client("admin").get(url(one, "organisation.content_list", kind="support_contact"))
    )
    assert "Respect Phoneline" not in staff
    path = url(one, "organisation.content_list", kind="men_helpline")
    page = text_of(one.client("admin").get(path))
    assert "Suggested: Respect Phoneline" in page
    assert "For perpetrators and for professionals" in page
    suggestion = re.search(r'<section class="card calm suggestion".*?</section>', page, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', suggestion[0]))
    response = one.client("admin").post(path, data=fields)  # the button sends just these
    assert response.status_code == 302
    poster = text_of(one.client("facilitator").get(url(one, "safety.poster")))
    assert "Respect Phoneline" in poster and "0808 802 4040" in poster
    support = text_of(one.client("facilitator").get(url(one, "organisation.support_show")))
    assert "Respect Phoneline" not in support
    # Once added it is no longer suggested.
    assert "Suggested: Respect Phoneline" not in text_of(one.client("admin").get(path))


# --- 4. Respect §4.9: group size and a mixed-gender team ---------------------------------------


def test_a_group_of_more_than_twelve_is_logged_with_a_gentle_signal(one):
    response = log_group(one, participants="14")
    assert response.status_code == 200
    assert 'id="group-size-signal"' in text_of(response)
    assert "Ideal group numbers are 8-10 with a maximum of 12 men." in text_of(response)
    assert sql(one, "select participants from group_logs") == [(14,)]
    assert "14 men took part" in words(html(one, "facilitator", "supervision.mine_show"))


# 11 and 12 are above the ideal 8-10 and signalled gently (issue 24, tests/test_standards.py).
@pytest.mark.parametrize("participants, kept", [("10", 10), ("", None), (None, None)])
def test_a_group_of_twelve_or_an_untold_number_is_logged_without_a_signal(one, participants, kept):
    response = log_group(one, participants=participants)
    assert response.status_code == 200
    assert 'id="group-size-signal"' not in text_of(response)
    assert sql(one, "select participants from group_logs") == [(kept,)]


def test_a_group_size_that_is_not_a_number_is_refused_and_nothing_logged(one):
    assert log_group(one, participants="lots").status_code == 422
    assert sql(one, "select count(*) from group_logs") == [(0,)]


@pytest.mark.parametrize("gender, noted", [("Same gender", True), ("Mixed gender", False)])
def test_a_same_gender_pair_sees_the_mixed_gender_standard(one, gender, noted):
    form = {"gender": gender, "experience": "Both experienced"}
    response = post(one, "facilitator", "coworking.context_update", form, pair_id=one.rows["pair"])
    assert response.status_code == 200
    assert ('id="mixed-gender-standard"' in text_of(response)) == noted
    page = html(one, "coworker", "coworking.sharing_show", pair_id=one.rows["pair"])
    assert ("Programmes should always be delivered by a mixed gender team" in page) == noted


def test_their_supervisor_sees_the_standard_beside_a_same_gender_context(one):
    assign(one)
    form = {"gender": "Same gender", "experience": "Both experienced"}
    post(one, "facilitator", "coworking.context_update", form, pair_id=one.rows["pair"])
    path = url(one, "supervision.pair_show", pair_id=one.rows["pair"])
    assert 'id="mixed-gender-standard"' not in text_of(one.client("supervisor").get(path))
    post(one, "coworker", "coworking.consent_give", pair_id=one.rows["pair"], topic="context")
    assert 'id="mixed-gender-standard"' in text_of(one.client("supervisor").get(path))


# --- 5 and 6. the supervision record: §3.13 and §3.12 ------------------------------------------


def assign(one):
    form = {"supervisor": one.rows["supervisor"], "supervisee": one.rows["facilitator"]}
    assert post(one, "admin", "supervision.assignment_create", form).status_code == 201


def test_the_record_says_supervision_is_aside_from_line_management(one):
    assign(one)
    for persona, endpoint, values in (
        ("facilitator", "supervision.mine_show", {}),
        ("supervisor", "supervision.supervisee_show", {"user_id": one.rows["facilitator"]}),
    ):
        page = html(one, persona, endpoint, **values)
        assert 'id="aside-from-line-management"' in page
        assert "consultancy aside from line management" in page


def test_facilitator_ticks_their_training_and_their_supervisor_reads_it(one):
    assign(one)
    form = {"topics": ["dv_awareness", "groupwork_skills"]}
    response = post(one, "facilitator", "supervision.training_update", form)
    assert response.status_code == 302
    mine = html(one, "facilitator", "supervision.mine_show")
    assert 'value="dv_awareness" checked' in mine and 'value="risk" checked' not in mine
    theirs = words(
        html(one, "supervisor", "supervision.supervisee_show", user_id=one.rows["facilitator"])
    )
    assert "✓ Domestic violence awareness" in theirs
    assert "✓ Group-work skills" in theirs
    assert "Risk assessment and risk management (not ticked)" in theirs
    # Unticking takes it off; what stays keeps its first date.
    first = sql(one, "select ticked_at from training_topics where topic = 'dv_awareness'")
    post(one, "facilitator", "supervision.training_update", {"topics": ["dv_awareness"]})
    assert sql(one, "select topic from training_topics") == [("dv_awareness",)]
    assert sql(one, "select ticked_at from training_topics") == first


def test_a_training_topic_not_in_the_standard_is_refused(one):
    response = post(one, "facilitator", "supervision.training_update", {"topics": ["juggling"]})
    assert response.status_code == 422
    assert sql(one, "select count(*) from training_topics") == [(0,)]


def test_a_supervisor_has_no_form_to_tick_someone_elses_training(one):
    assign(one)
    page = html(one, "supervisor", "supervision.supervisee_show", user_id=one.rows["facilitator"])
    assert url(one, "supervision.training_update") not in page


def test_the_organisations_export_holds_who_had_which_training(one):
    post(one, "facilitator", "supervision.training_update", {"topics": ["risk"]})
    response = one.client("admin").get(url(one, "organisation.export_json"))
    exported = json.loads(response.get_data(as_text=True))
    assert [(t["facilitator"], t["topic"]) for t in exported["training_topics"]] == [
        ("Fran Facilitator", "risk")
    ]


def test_deleting_an_account_takes_its_training_record(one):
    post(one, "facilitator", "supervision.training_update", {"topics": ["risk"]})
    from wellbeing.home import lifecycle

    with one.app.app_context():
        lifecycle.delete(one.rows["facilitator"])
    assert sql(one, "select count(*) from training_topics") == [(0,)]


# --- 7. mentoring as §3.12 counts it ----------------------------------------------------------


def test_one_mentored_session_six_months_ago_is_not_mentoring_done(one):
    # Issue 24: the months run to today, and "at least" asks for both 6 months and 26 sessions.
    log_group(one, held_on=(date.today() - timedelta(days=200)).isoformat())
    text = words(html(one, "facilitator", "supervision.mine_show"))
    assert "Done:" not in text
    assert "1 of 26 sessions, and 6.6 of 6 months" in text


def test_six_months_of_mentored_sessions_is_done_and_shows_sessions_and_months(one):
    for days in (200, 100, 1):
        log_group(one, held_on=(date.today() - timedelta(days=days)).isoformat())
    text = words(html(one, "facilitator", "supervision.mine_show"))
    # Issue 24: "at least" is both, unless the organisation reads it as "either".
    assert "3 of 26 sessions, and 6.6 of 6 months, with an experienced co-worker: at least" in text
    with sqlite3.connect(one.database) as conn:
        conn.execute("update organisations set mentoring_reading = 'either'")
    conn.close()
    text = words(html(one, "facilitator", "supervision.mine_show"))
    assert "Done: 3 sessions over 6.6 months with an experienced co-worker." in text


def test_twenty_six_mentored_groups_is_done_within_six_months():
    today = date(2026, 12, 1)
    logs = [
        {"held_on": (today - timedelta(days=day)).isoformat(), "with_experienced": 1}
        for day in range(26)
    ]
    assert workload.mentoring(logs[:25], today, "either")["complete"] is False
    assert workload.mentoring(logs, today, "either")["complete"] is True
    # Issue 24: read as "at least" both, 26 groups within a month is not yet done.
    assert workload.mentoring(logs, today)["complete"] is False


def test_the_content_file_is_valid_json():
    json.loads((Path(content.__file__).parent / "en.json").read_text(encoding="utf-8"))
