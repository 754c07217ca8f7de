"""The sexual respect sessions are the guidelines' own: their timings, their words, their videos.

wellbeing/content/sexual_respect.json is checked against the guidelines' text itself (seed 000,
in the repository's sources/ folder), so a timing or a sentence cannot drift from them. Seed
001 is another extraction of the same guidelines; where the two disagree on a video id, neither
content file may link it (docs/content.md lists them for a person to check).
"""

import re
from pathlib import Path

import pytest

from wellbeing.content import guidelines, sexual_respect

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
        assert set(activity) == FIELDS, activity["key"]
        assert set(activity["points"]) == {"intro", "items"}, activity["key"]
        assert all(set(h) == {"title", "paragraphs"} for h in activity["handouts"])


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
