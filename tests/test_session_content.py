"""The sexual respect sessions are the guidelines' own: their timings, their words, their videos.

wellbeing/content/sexual_respect.json is checked against the guidelines' text itself (seed 000,
in the repository's sources/ folder), so a timing or a sentence cannot drift from them. Seed
001 is another extraction of the same guidelines; where the two disagree on a video id, neither
content file may link it (docs/content.md lists them for a person to check).
"""

import html
import re
from datetime import date
from pathlib import Path

import pytest

from wellbeing.content import guidelines, sexual_respect
from wellbeing.db import sqlite3

# The texts live in the repository (sources/README.md), so these checks never skip.
SEEDS = Path(__file__).resolve().parents[1] / "sources"
SEED = (SEEDS / "000_e008cabadd522271.txt").read_text(encoding="utf-8")
SEED_001 = (SEEDS / "001_bead3ae199a17d6a.txt").read_text(encoding="utf-8")

SESSIONS = sexual_respect()["sessions"]
EXTRAS = sexual_respect()["extras"]
ACTIVITIES = [activity for session in SESSIONS for activity in session["activities"]] + EXTRAS
FIELDS = {
    "key",
    "title",
    "heading",
    "minutes",
    "minutes_as_written",
    "source",
    "aim",
    "instructions",
    "questions",
    "points",
    "notes",
    "handouts",
    "videos",
    "footnotes",
}
# Fields only some activities have (issue 24): the continuums drawn from source 001, and the
# guidelines' own order where questions and their explanations interleave.
OPTIONAL_FIELDS = {"diagrams", "diagrams_source", "order", "order_source"}
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def seed_tables(text: str) -> dict[int, list[tuple[str, str]]]:
    """Each 'Sexual respect (N) – …' heading followed by its tab-separated timing table."""
    tables = {}
    lines = text.splitlines()
    for index, line in enumerate(lines):
        heading = re.match(r"Sexual respect \((\d)\) – ", line)
        if not heading:
            continue
        rows = []
        for row in lines[index + 1 :]:
            if "\t" in row:
                title, cell = row.split("\t")
                rows.append((title.strip(), cell.strip()))
            elif row.strip() or rows:
                break
        if rows:
            tables[int(heading.group(1))] = rows
    return tables


def normalise(text: str) -> str:
    """The words alone: markdown links as their text, no italics, all whitespace one space."""
    text = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    return " ".join(text.replace("*", "").split())


def without_footnotes(text: str) -> str:
    """The text as read on, without footnote lines that a page break put inside a paragraph."""
    return "\n".join(line for line in text.splitlines() if not line.startswith(tuple(SUPERSCRIPTS)))


WORDS = normalise(SEED)
WORDS_READ_ON = normalise(without_footnotes(SEED))
TABLES = seed_tables(SEED)


def in_the_guidelines(text: str) -> bool:
    return normalise(text) in WORDS or normalise(text) in WORDS_READ_ON


def test_the_seed_has_three_timing_tables():
    assert sorted(TABLES) == [1, 2, 3]
    assert [session["number"] for session in SESSIONS] == [1, 2, 3]


@pytest.mark.parametrize("number", [1, 2, 3])
def test_each_session_follows_the_guidelines_timing_table(number):
    session = SESSIONS[number - 1]
    activities = session["activities"]
    assert session["number"] == number
    assert [(a["title"], a["minutes_as_written"]) for a in activities] == TABLES[number]
    assert [a["minutes"] for a in activities] == [
        int(cell.split()[0]) for _, cell in TABLES[number]
    ]


def test_session_lengths_are_the_guidelines_sums_not_their_stated_length():
    from_the_seed = [sum(int(cell.split()[0]) for _, cell in TABLES[n]) for n in (1, 2, 3)]
    from_the_content = [sum(a["minutes"] for a in s["activities"]) for s in SESSIONS]
    assert from_the_seed == [120, 110, 95]
    assert from_the_content == [120, 110, 95]
    # The guidelines introduce the module as 'three 2.5 hour group work sessions'; their own
    # tables add up to less, and the content keeps both rather than choosing.
    assert "three 2.5 hour group work sessions" in WORDS
    assert sexual_respect()["stated_length_minutes"] == 150 == int(2.5 * 60)
    assert all(total != 150 for total in from_the_seed)


def test_the_unit_less_row_is_kept_as_written():
    impacts = next(a for a in ACTIVITIES if a["title"] == "Impacts of sexual pressuring")
    assert (impacts["minutes"], impacts["minutes_as_written"]) == (30, "30")


def test_extras_have_no_minutes():
    assert EXTRAS
    assert all(a["minutes"] is None and a["minutes_as_written"] is None for a in EXTRAS)


def test_every_activity_has_every_field():
    for activity in ACTIVITIES:
        assert set(activity) - OPTIONAL_FIELDS == FIELDS, activity["key"]
        assert set(activity["points"]) == {"intro", "items"}, activity["key"]
        assert all(set(h) - {"use"} == {"title", "paragraphs"} for h in activity["handouts"])


def test_keys_are_unique_across_the_file():
    keys = [s["key"] for s in SESSIONS] + [a["key"] for a in ACTIVITIES]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", key) for key in keys), keys


def test_headings_are_the_guidelines_headings():
    lines = {line.strip() for line in SEED.splitlines()}
    for activity in ACTIVITIES:
        if activity["heading"] is not None:
            assert activity["heading"] in lines, activity["key"]
    check_in = next(a for a in ACTIVITIES if a["title"] == "Check-in")
    assert check_in["heading"] is None and check_in["instructions"] == []


def wording(activity: dict):
    yield from activity["questions"]
    yield from activity["instructions"]
    yield from activity["notes"]
    yield from activity["footnotes"]
    yield from [text for text in [activity["aim"], activity["points"]["intro"]] if text]
    yield from activity["points"]["items"]
    for handout in activity["handouts"]:
        yield from handout["paragraphs"]


@pytest.mark.parametrize("activity", ACTIVITIES, ids=[a["key"] for a in ACTIVITIES])
def test_the_words_are_the_guidelines_own(activity):
    drifted = [text for text in wording(activity) if not in_the_guidelines(text)]
    assert not drifted


def test_the_module_and_session_words_are_the_guidelines_own():
    texts = [sexual_respect()["introduction"]]
    for session in SESSIONS:
        texts += [session["title"], *session["trajectory"], *session["trajectory_footnotes"]]
    assert [text for text in texts if not in_the_guidelines(text)] == []


def test_no_italic_markers_or_list_dashes_are_left():
    for activity in ACTIVITIES:
        for text in wording(activity):
            assert "*" not in text and not text.startswith("- "), (activity["key"], text)


def videos_in(data):
    """Every video anywhere in a content file: under a "video" key or in a "videos" list."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "video" and isinstance(value, dict):
                yield value
            elif key == "videos":
                yield from value
            else:
                yield from videos_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from videos_in(value)


def video_id(url: str) -> str:
    found = re.search(r"(?:youtu\.be/|youtube\.com/watch\?v=)([\w-]+)", url)
    return found.group(1) if found else url


def seed_video_ids(text: str) -> set[str]:
    return set(re.findall(r"(?:youtu\.be/|youtube\.com/watch\?v=)([\w-]{11})", text))


def confusable(video: str) -> str:
    """An id as it reads when capital I, small l and 1 (and 0 and O) cannot be told apart."""
    return video.translate(str.maketrans("Il1O", "lllo")).replace("0", "o")


ALL_VIDEOS = list(videos_in(guidelines())) + list(videos_in(sexual_respect()))


def test_every_video_links_what_the_seed_links():
    linked = [video["url"] for video in videos_in(sexual_respect()) if video["url"]]
    assert linked
    assert [url for url in linked if url not in SEED] == []


def test_the_seeds_disagree_on_exactly_four_video_ids():
    only_000 = seed_video_ids(SEED) - seed_video_ids(SEED_001)
    only_001 = seed_video_ids(SEED_001) - seed_video_ids(SEED)
    pairs = {
        (a, b) for a in only_000 for b in only_001 if confusable(a) == confusable(b) and a != b
    }
    assert pairs == {
        ("sII0tbQPCxo", "sllOtbQPCxo"),
        ("1QGoIRwtBfA", "1QGolRwtBfA"),
        ("eb1foXN-k4I", "eblfoXN-k4I"),
        ("siJAS_g-lqM", "siJAS_g-IqM"),
    }


def test_no_content_links_a_video_id_the_seeds_disagree_on():
    assert len(ALL_VIDEOS) > 10
    for video in ALL_VIDEOS:
        if video["url"] is None:
            continue
        found = video_id(video["url"])
        assert found in SEED and found in SEED_001, video


def test_an_unlinked_video_names_both_ids_and_the_guidelines_section():
    unverified = [video for video in ALL_VIDEOS if video["url"] is None]
    # "shame and trauma" (sII0tbQPCxo / sllOtbQPCxo) is in en.json's why_this_matters (issue 12).
    expected = {"1QGoIRwtBfA", "siJAS_g-lqM", "sII0tbQPCxo"}
    assert {v["video_unverified"]["seed_000"] for v in unverified} == expected
    for video in unverified:
        ids = video["video_unverified"]
        assert ids["seed_000"] in SEED and ids["seed_001"] in SEED_001, video
        assert ids["seed_000"] != ids["seed_001"]
        assert ids["seed_000"] not in SEED_001 and ids["seed_001"] not in SEED
        assert ids["section"], video


# --- what the pages show (issue 24) ----------------------------------------------------------


def page_words(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(text).split())


def every_session_page() -> list[str]:
    found = ["/module/"]
    for session in SESSIONS:
        found += [f"/module/{session['key']}", f"/module/{session['key']}/print"]
    return found + [f"/module/activities/{activity['key']}" for activity in ACTIVITIES]


def test_no_page_links_to_none(one):
    client = one.client("facilitator")
    for path in every_session_page():
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert 'href="None"' not in page and 'href=""' not in page, path
    # The clip whose id the two extractions spell differently is named, never linked.
    clip = page_words(client.get("/module/activities/status_motivated_sharing"))
    assert "The clip on sharing indecent images" in clip


def scenario() -> dict:
    return next(a for a in ACTIVITIES if a["key"] == "sexual_abuse_scenario")


def test_the_continuum_diagrams_use_the_guidelines_words_and_show_on_the_page_and_in_print(one):
    words_001 = " ".join(SEED_001.split())
    diagrams = scenario()["diagrams"]
    assert [d["id"] for d in diagrams] == ["consent", "receptivity"]
    for diagram in diagrams:
        assert diagram["after"] in scenario()["instructions"]
        assert normalise(diagram["title"]) in WORDS
        for line in diagram["continua"]:
            for label in (line.get(k) for k in ("label", "left", "right", "mark")):
                assert label is None or label in words_001, label
            # Source 001 sets "non-abusive / abusive" over "behaviour / behaviour" in columns.
            for label in (line.get(k) for k in ("left_above", "right_above")):
                assert label is None or all(w in words_001 for w in label.split()), label
    client = one.client("facilitator")
    for path in ("/module/activities/sexual_abuse_scenario", "/module/sexual_pressuring/print"):
        page = client.get(path).get_data(as_text=True)
        for diagram in ("consent", "receptivity"):
            figure = page.split(f'id="continuum-{diagram}"')[1].split("</figure>")[0]
            assert "<svg" in figure and "<line" in figure, path
        consent = page.split('id="continuum-consent"')[1].split("</figure>")[0]
        for label in ("consensual activity", "violent sexual assault", "line of non-consent"):
            assert f">{label}</text>" in consent
        receptivity = page.split('id="continuum-receptivity"')[1].split("</figure>")[0]
        for label in ("receptive (active)", "receptive (passive)", "coercion"):
            assert f">{label}</text>" in receptivity
        # Each drawing comes right after the instruction that asks for it.
        draw = page.index("Draw the continuum on the flipchart")
        assert draw < page.index('id="continuum-consent"') < page.index("If Johnny tries x")


def test_the_trajectory_and_its_footnote_show_on_the_session_page_and_in_print(one):
    client = one.client("facilitator")
    footnote = "Receptivity = positive responsiveness, interest"
    session = SESSIONS[1]
    assert any(footnote in f for f in session["trajectory_footnotes"])
    for path in (f"/module/{session['key']}", f"/module/{session['key']}/print"):
        shown = page_words(client.get(path))
        assert footnote in shown, path
    for session in SESSIONS:
        shown = page_words(client.get(f"/module/{session['key']}/print"))
        assert "Trajectory of the session" in shown
        for paragraph in session["trajectory"]:
            assert " ".join(paragraph.split()) in shown, session["key"]


def in_sequence(text: str, parts: list[str]) -> bool:
    """Each part is found in `text` after the one before it."""
    at = -1
    for part in parts:
        at = text.find(part[:80], at + 1)
        if at == -1:
            return False
    return True


def test_session_three_reads_in_the_guidelines_order_story_first(one):
    activity = next(a for a in ACTIVITIES if a["key"] == "ingredients_revisited")
    parts = []
    for ref in activity["order"]:
        kind, index = ref.split(":")
        found = activity[kind] if kind != "points" else activity["points"]["items"]
        text = found[int(index)]
        parts.append(text["paragraphs"][0] if kind == "handouts" else text)
    # The order is the guidelines' own: each part later in their text than the one before.
    assert in_sequence(WORDS_READ_ON, [normalise(text) for text in parts])
    # Every part is in the order once.
    kinds = ("instructions", "questions", "handouts")
    assert sum(len(activity[k]) for k in kinds) + len(activity["points"]["items"]) == len(
        activity["order"]
    )
    page = page_words(one.client("facilitator").get("/module/activities/ingredients_revisited"))
    assert in_sequence(page, [" ".join(text.split()) for text in parts])
    # The story is read aloud before the first question; each question before its explanation.
    assert page.index("Read aloud: Scenario: Carla and Dan") < page.index("Ask: How could Dan")
    bad_mood = page.index("Why do you think Dan gets in a bad mood")
    assert bad_mood < page.index("It is likely to be partly about feeling rejected")


def test_the_cards_run_sheet_holds_every_activitys_points_and_handouts(one):
    client = one.client("facilitator")
    pair = one.rows["pair"]
    for session in SESSIONS:
        # Tonight's plan, as the plan form stores it (the form is tested in test_module.py).
        with sqlite3.connect(one.database) as conn:
            conn.execute("delete from session_plans")
            conn.execute(
                "insert into session_plans (pair_id, held_on, starts_at, session_key, leads,"
                " version, updated_at) values (?, ?, '18:30', ?, '{}', 1, '')",
                [pair, date.today().isoformat(), session["key"]],
            )
        conn.close()
        card = page_words(client.get(f"/pairs/{pair}/card"))
        for activity in session["activities"]:
            texts = activity["points"]["items"] + [v["title"] for v in activity["videos"]]
            texts += activity["footnotes"] + [h["paragraphs"][0] for h in activity["handouts"]]
            for text in texts:
                assert " ".join(text.split())[:80] in card, (session["key"], text[:60])


ORDERED = [a for a in ACTIVITIES if "order" in a]


def parts_in_order(activity: dict) -> list[str]:
    """The words of each part an activity's `order` names, videos aside (their titles are ours)."""
    parts = []
    for ref in activity["order"]:
        kind, index = ref.split(":")
        if kind == "videos":
            continue
        found = activity["points"]["items"] if kind == "points" else activity[kind]
        text = found[int(index)]
        parts.append(text["paragraphs"][0] if kind == "handouts" else text)
    return parts


@pytest.mark.parametrize("activity", ORDERED, ids=[a["key"] for a in ORDERED])
def test_an_ordered_activity_keeps_the_guidelines_order_and_every_part_once(activity, one):
    assert in_sequence(WORDS_READ_ON, [normalise(text) for text in parts_in_order(activity)])
    counts = {"points": len(activity["points"]["items"])}
    for kind in ("instructions", "questions", "handouts", "videos"):
        counts[kind] = len(activity[kind])
    refs = [ref.split(":")[0] for ref in activity["order"]]
    assert {kind: refs.count(kind) for kind in counts} == counts
    assert len(set(activity["order"])) == len(activity["order"])
    page = page_words(one.client("facilitator").get(f"/module/activities/{activity['key']}"))
    assert in_sequence(page, [" ".join(text.split()) for text in parts_in_order(activity)])


def test_status_motivated_sharing_keeps_its_two_question_sets_apart(one):
    page = page_words(one.client("facilitator").get("/module/activities/status_motivated_sharing"))
    bystander = page.index("What would you say to them to try to convince them")
    clip = page.index("Video: The clip on sharing indecent images")
    assert bystander < page.index("Alternatively, you can show them the following clip") < clip
    assert clip < page.index("Why does this young man show his friends indecent images")


def test_reality_checking_reads_out_its_scenario_first(one):
    page = page_words(one.client("facilitator").get("/module/activities/reality_checking"))
    scenario = page.index("Read aloud: Scenario: James and Rita")
    assert page.index("Read out the following scenario:") < scenario
    assert scenario < page.index("James' partner Rita has ended their relationship.")
    assert page.index("He is considering sharing pictures") < page.index(
        "If you asked James about how he is behaving"
    )
    revenge = page_words(
        one.client("facilitator").get("/module/activities/revenge_motivated_sharing")
    )
    assert "James' partner Rita" not in revenge


def test_read_aloud_and_handout_are_labelled_as_the_guidelines_use_them(one):
    client = one.client("facilitator")
    scary = page_words(client.get("/module/activities/consent_within_a_scary_relationship"))
    assert "Read aloud: Scenario: Carla and Dan" in scary
    assert "Handout" not in scary
    bdsm = page_words(client.get("/module/activities/bdsm"))
    assert "Read aloud: Quote from a 17 year old, UK teenager" in bdsm
    partners = page_words(client.get("/module/activities/talking_about_sex"))
    assert "The men can ask their partners some of the following:" in partners
    assert "Handout" not in partners
    scenario = page_words(client.get("/module/activities/sexual_abuse_scenario"))
    assert "Handout - Sexual abuse scenario" in scenario


def test_the_norms_keep_the_guidelines_word_against_moralistic_arguments(one):
    [paragraph] = [p for p in guidelines()["norms"]["introduction"] if "moralistic" in p]
    assert in_the_guidelines(paragraph)
    assert paragraph in html.unescape(
        one.client("facilitator").get("/private/norms").get_data(True)
    )
