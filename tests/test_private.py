"""The private space as the server sends it: page chrome only, never a way in for private text.

docs/design.md "The data rule": what a facilitator writes in the preparation exercises is encrypted
in their browser (static/vault/) and never reaches the server. So the private pages take no form
data at all, and the guidelines' wording comes from the content file. The browser half of the
proof is tests/browser/test_private_space.py.
"""

import html
import json
import re

import pytest
from conftest import import_map_hash, imports_on
from organisation_one import text_of

from wellbeing.content import guidelines
from wellbeing.pwa import PRIVATE_SHELL

EXERCISES = {
    "/private/shoulds": "shoulds",
    "/private/learning-about-sex": "learning_about_sex",
    "/private/painful-points": "painful_points",
    "/private/checklist": "checklist",
    "/private/norms": "norms",
    "/private/line": "solo_line",
    "/private/stance": "stance",
}
PRIVATE_PAGES = ["/private/", "/private/recovery-sheet", *EXERCISES]
SHOULDS = guidelines()["shoulds"]
LEARNING = guidelines()["learning_about_sex"]
PAINFUL = guidelines()["painful_points"]
NORMS = guidelines()["norms"]


def main_of(page: str) -> str:
    return page.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_every_private_page_says_only_you_can_see_this(one, path):
    response = one.client("facilitator").get(path)
    assert response.status_code == 200
    assert "Who can see this: Only you can see this." in re.sub(r"<[^>]+>", "", text_of(response))


@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_private_pages_have_no_field_the_browser_could_send(one, path):
    main = main_of(one.client("facilitator").get(path).get_data(as_text=True))
    # A field without a name is never part of a submitted form, even if the script fails.
    for field in re.findall(r"<(?:input|textarea|select)\b[^>]*>", main):
        assert " name=" not in field, field
    for form in re.findall(r"<form\b[^>]*>", main):
        assert "action=" not in form and "method=" not in form, form
        assert 'hx-boost="false"' in form, form


@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_private_pages_forbid_inline_script_and_style(one, path):
    response = one.client("facilitator").get(path)
    page = response.get_data(as_text=True)
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    # The one inline script is the import map, allowed by its hash alone.
    assert f"script-src 'self' {import_map_hash(page)};" in policy
    assert not re.search(r"\sstyle=|\son[a-z]+=", page)


def test_vault_is_named_for_the_person_and_loaded_by_one_url(one):
    page = one.client("facilitator").get("/private/").get_data(as_text=True)
    holder = re.search(r'data-vault="([^"]+)"', page)
    assert holder.group(1) == f"user-{one.rows['facilitator']}"
    # Every module imports "vault", which the page's import map turns into the versioned URL the
    # service worker keeps: one module, so one key, on every page.
    with one.app.test_request_context():
        from wellbeing.pwa import asset_url

        assert imports_on(page)["vault"] == asset_url("vault/index.js")
    # The top bar starts the private space (static/private/start.js) on every facilitator's page.
    assert 'data-module="private/start"' in page.split("</header>")[0]


def test_coworker_gets_their_own_vault_name(one):
    page = one.client("coworker").get("/private/").get_data(as_text=True)
    assert f'data-vault="user-{one.rows["coworker"]}"' in page


def test_lock_button_is_in_the_header_for_facilitators_only(one):
    for path in ("/", "/organisation/support", "/private/shoulds"):
        header = one.client("facilitator").get(path).get_data(as_text=True).split("</header>")[0]
        assert "data-lock" in header and ">Lock</button>" in header, path
    for persona in ("admin", "supervisor"):
        page = one.client(persona).get("/").get_data(as_text=True)
        assert "data-lock" not in page and "data-vault" not in page


def test_facilitator_finds_the_private_space_from_home(one):
    # The first time on this phone the way in shows "Why this matters" first (issue 12), whose
    # "Skip" leads to the private space; after that home links to the private space itself.
    facilitator = one.client("facilitator")
    assert 'href="/private/why"' in facilitator.get("/").get_data(as_text=True)
    assert 'href="/private/"' in facilitator.get("/private/why").get_data(as_text=True)
    assert 'href="/private/"' in facilitator.get("/").get_data(as_text=True)
    supervisor = one.client("supervisor").get("/").get_data(as_text=True)
    assert 'href="/private/"' not in supervisor and 'href="/private/why"' not in supervisor


def test_first_use_warns_that_a_lost_passphrase_means_lost_notes(one):
    page = html.unescape(one.client("facilitator").get("/private/").get_data(as_text=True))
    warning = page.index("If you lose your passphrase, your notes are lost.")
    assert "not an admin, not a supervisor, not us" in page
    assert "separate from your sign-in password" in page
    # Said before the passphrase is chosen, not afterwards.
    assert warning < page.index('id="new-passphrase"')


def test_shoulds_page_uses_the_guidelines_wording_from_the_content_file(one):
    page = text_of(one.client("facilitator").get("/private/shoulds"))
    for text in [
        SHOULDS["introduction"],
        SHOULDS["obvious"],
        SHOULDS["uncensored"],
        SHOULDS["review_intro"],
        *SHOULDS["prompts"],
        *(round["opening"] for round in SHOULDS["rounds"]),
    ]:
        assert text in page, text
    assert "Which ideas would you have <em>chosen</em>?" in page
    assert f'data-minutes="{SHOULDS["minutes"]}"' in page


def test_shoulds_content_keeps_the_guidelines_sentences():
    # Guidelines, "Inventory of 'shoulds'": the prompts are one sentence, split into a list.
    sentence = f"{SHOULDS['prompts_intro']} {', '.join(SHOULDS['prompts'])}."
    assert sentence == (
        "Try to cover areas including what you should or shouldn't do, how you should or "
        "shouldn't look, what you should or shouldn't want, what you should or shouldn't say."
    )
    assert SHOULDS["uncensored"] == (
        "Do not censor yourself \u2013 you don't have to share this with anyone."
    )
    assert [r["opening"] for r in SHOULDS["rounds"]] == [
        "I should/shouldn't...",
        "My partner should/shouldn't...",
    ]
    assert SHOULDS["minutes"] == 5


@pytest.mark.parametrize(
    "path, video",
    [
        ("/private/shoulds", "https://youtu.be/GJ-UH4R1Bfo"),  # "What helps"
        ("/private/learning-about-sex", "https://youtu.be/GJ-UH4R1Bfo"),
        ("/private/painful-points", "https://youtu.be/GJ-UH4R1Bfo"),
        ("/private/norms", "https://youtu.be/pyzF_W9Fa2M"),  # "Culture"
        ("/private/line", "https://youtu.be/GJ-UH4R1Bfo"),  # "What helps"
    ],
)
def test_each_exercise_links_its_video_session_safely(one, path, video):
    page = one.client("facilitator").get(path).get_data(as_text=True)
    link = re.search(rf'<a [^>]*href="{re.escape(video)}"[^>]*>', page).group(0)
    assert 'rel="noopener noreferrer"' in link


def test_stance_names_the_guidelines_section_while_its_video_id_is_checked(one):
    # The guidelines' two copies spell the "Stance" video's id differently (1QGoIRwtBfA and
    # 1QGolRwtBfA), so the page links neither and names the section (docs/content.md).
    page = html.unescape(one.client("facilitator").get("/private/stance").get_data(as_text=True))
    assert "Video session: “Stance”, in the guidelines' own list of videos." in page
    assert "being checked" not in page
    assert "1QGoIRwtBfA" not in page and "1QGolRwtBfA" not in page
    assert 'href="None"' not in page


@pytest.mark.parametrize("path", EXERCISES)
def test_vault_screen_lists_every_exercise_to_keep_for_offline(one, path):
    page = one.client("facilitator").get("/private/").get_data(as_text=True)
    # keepForOffline() fetches every data-offline link once the vault is open, so the service
    # worker has each exercise page before the signal goes.
    assert re.search(rf'<a class="tile" href="{path}" data-offline>', page), path
    assert guidelines()[EXERCISES[path]]["title"] in html.unescape(page)


@pytest.mark.parametrize("path", EXERCISES)
def test_nothing_in_an_exercise_is_required(one, path):
    main = main_of(one.client("facilitator").get(path).get_data(as_text=True))
    for field in re.findall(r"<(?:input|textarea|select)\b[^>]*>", main):
        assert not re.search(r"\srequired\b", field), field
    assert "Nothing is required." in html.unescape(main)


def test_learning_about_sex_asks_the_guidelines_three_questions(one):
    page = text_of(one.client("facilitator").get("/private/learning-about-sex"))
    for prompt in LEARNING["prompts"]:
        assert f'data-answer="{prompt["id"]}"' in page
        assert f">{prompt['text']}</label>" in page, prompt
    assert [prompt["text"] for prompt in LEARNING["prompts"]] == [
        "What experiences, stories and language gave you your learning about sex?",
        "From whom did you hear them?",
        "What messages did you receive from these different sources?",
    ]
    assert LEARNING["introduction"] in page
    assert (
        "This exercise can be done alone, but is most useful to do as a team with your colleagues."
        in page
    )


def test_learning_about_sex_points_to_the_team_version_on_training_days(one):
    main = main_of(
        one.client("facilitator").get("/private/learning-about-sex").get_data(as_text=True)
    )
    # Issue 6: a training-day room shows the three questions to small groups, with a timer.
    assert "On a training day your trainer can show these questions" in html.unescape(main)
    links = re.findall(r'href="([^"]+)"', main)
    assert all(link.startswith(("https://youtu.be/", "/private/")) for link in links), links


def test_painful_points_content_note_comes_before_the_inventory(one):
    page = html.unescape(
        one.client("facilitator").get("/private/painful-points").get_data(as_text=True)
    )
    main = main_of(page)
    note = main.index('data-when="note"')
    assert "can be uncomfortable, painful, and even traumatic" in main
    assert "You don't have to share this with anyone." in main
    # Before the vault's own screens, the guidelines' text and every box of the inventory.
    assert note < main.index('data-when="locked"') < main.index("<textarea")
    assert note < main.index(PAINFUL["introduction"][0])
    # The worker chooses: go on, or leave for the private space (or their support contacts).
    assert 'data-action="read-note"' in main
    assert 'href="/private/"' in main[note:] and 'href="/organisation/support"' in main[note:]
    assert "data-content-note" in page


def test_painful_points_is_one_inventory_then_a_separate_optional_harm_section(one):
    main = html.unescape(
        main_of(one.client("facilitator").get("/private/painful-points").get_data(as_text=True))
    )
    assert [c["text"] for c in PAINFUL["categories"]] == [
        "Poor sexual boundaries in non-intimate relationships",
        "Experiences of child sexual abuse",
        "Adolescent sexual exploitation",
        "Sexual harassment \u2013 including in the street, school or in the workplace",
        "The use of pornography that is felt to be abusive as a concept or for the people in it",
        "BDSM or other sexual practices that are not 'clean' in terms of consent, impacts,"
        " receptivity and exploitation of vulnerabilities",
        "Sexual pressuring \u2013 from sulking, to moodiness to pestering to verbal abuse to force",
        "Sexual disrespect and swears",
    ]
    for category in PAINFUL["categories"]:
        # A closed <details> per category: the worker opens only what they choose.
        assert f"<summary>{category['text']}</summary>" in main, category
        assert f'data-answer="{category["id"]}"' in main
        assert f'data-answer="{category["id"]}:' not in main
    # Issue 24: one box per category, the clues box, and "Harm I may have done" on its own,
    # after the whole inventory: never beside "Experiences of child sexual abuse".
    assert main.count("<textarea") == len(PAINFUL["categories"]) + 2
    harm = main.index('data-answer="harm"')
    assert harm > main.index('data-answer="disrespect"')
    assert main.index("<summary>Experiences of child sexual abuse</summary>") < harm
    abuse = main.split("<summary>Experiences of child sexual abuse</summary>")[1].split(
        "</details>"
    )[0]
    assert "perpetrated" not in abuse and "Harm" not in abuse
    assert "Harm I may have done" in main
    assert PAINFUL["harm"]["intro"] in main
    assert '<details class="prompt" data-prompt open' not in main
    assert PAINFUL["inventory_intro"].endswith("This inventory can include:")


def test_norms_page_reflects_on_identity_power_the_elephant_and_culture(one):
    page = html.unescape(text_of(one.client("facilitator").get("/private/norms")))
    assert [prompt["heading"] for prompt in NORMS["prompts"]] == [
        "Identity and power",
        "Naming the elephant in the room",
        "Culture",
    ]
    for prompt in NORMS["prompts"]:
        assert f"<h3>{prompt['heading']}</h3>" in page
        assert f'data-answer="{prompt["id"]}"' in page
        for passage in prompt["passages"]:
            assert passage in page
    assert "name the 'elephant in the room'" in page
    assert "<em>It's unusual to have a serious conversation about sex isn't it?</em>" in page
    assert "gender, sexual orientation, age, race and ethnicity" in page


def test_private_pages_open_offline_and_nothing_else_is_kept(one):
    script = one.client("anonymous").get("/sw.js").get_data(as_text=True)
    assert 'const PRIVATE = "/private/";' in script
    assert "private/start.js" in PRIVATE_SHELL and "vault/index.js" in PRIVATE_SHELL
    # Cached on the first visit to a private page, before the page is shown (issue 13).
    shell = json.loads(re.search(r"const PRIVATE_SHELL = (\[.*?\]);", script).group(1))
    assert any(url.startswith("/static/vault/index.js?v=") for url in shell)
    assert any(url.startswith("/static/private/start.js?v=") for url in shell)
    # Pages are stored in two places, a visit and the refresh after a deploy (issue 23), each
    # only a real 200 page made for the person whose cache it is; the other two puts are the
    # shell's scripts after a deploy: fetched afresh (only an ok answer), or else copied from
    # an older version's cache.
    assert script.count("cache.put(") == 4
    assert "if (!response.ok) throw new Error" in script
    assert "if (keepable(response) && isMark(mark))" in script
    assert "if (keepable(response, true) && forSamePerson && keptThere)" in script
    # A redirect is never kept, but for the refresh's, once it checked that the redirect led to
    # a page the worker keeps (issue 25: a module page kept under /sessions/ is now /module/'s).
    assert "response.ok && followed" in script
    assert "const followed = redirectedToKept || !response.redirected;" in script


def test_recovery_sheet_never_asks_for_the_passphrase(one):
    main = main_of(one.client("facilitator").get("/private/recovery-sheet").get_data(as_text=True))
    assert "<input" not in main and "<textarea" not in main
    assert "Never write the passphrase itself here." in html.unescape(main)


CHECKLIST = guidelines()["checklist"]


def test_checklist_uses_the_guidelines_wording_from_the_content_file(one):
    page = html.unescape(text_of(one.client("facilitator").get("/private/checklist")))
    # Guidelines, "Know your painful points", exactly as written there.
    assert CHECKLIST["instruction"] == (
        "go through the checklist of these below and scale from 1-5 how uncomfortable they"
        " would be for you"
    )
    assert CHECKLIST["instruction"] in page and CHECKLIST["introduction"] in page
    assert CHECKLIST["column"] == "Discomfort level 1-5" and CHECKLIST["column"] in page
    assert "Nothing is shared until you choose to, and you'll see exactly what first." in page
    assert "https://youtu.be/GJ-UH4R1Bfo" in page


def test_checklist_offers_the_organisations_situations(one):
    page = html.unescape(one.client("facilitator").get("/private/checklist").get_data(as_text=True))
    situations = re.findall(
        r'<li data-situation="situation-\d+" data-note="[^"]*">([^<]+)</li>', page
    )
    assert situations == [entry["text"] for entry in guidelines()["situation"]["entries"]]
    assert len(situations) == 13


def test_checklist_follows_the_organisations_own_list(one):
    from wellbeing import content

    with one.app.app_context():
        org = one.rows["organisation_one"]
        first = content.entries(org, "situation")[0]
        content.remove(first["id"])
        added = content.add(org, "situation", {"text": "A man who laughs off fear", "note": ""})
    page = html.unescape(one.client("facilitator").get("/private/checklist").get_data(as_text=True))
    assert f'data-situation="situation-{first["id"]}"' not in page
    assert (
        f'<li data-situation="situation-{added}" data-note="">A man who laughs off fear</li>'
        in page
    )


def test_checklist_module_is_versioned_and_kept_for_offline(one):
    page = one.client("facilitator").get("/private/checklist").get_data(as_text=True)
    script = one.client("anonymous").get("/sw.js").get_data(as_text=True)
    with one.app.test_request_context():
        from wellbeing.pwa import asset_url

        url = asset_url("screens/checklist.js")
    # app.js imports the screen by the name the page gives it (data-module): the page's import
    # map gives the URL the service worker keeps.
    assert 'data-module="screens/checklist"' in page
    assert imports_on(page)["screens/checklist"] == url
    assert "screens/checklist.js" in PRIVATE_SHELL and json.dumps(url) in script


LINE = guidelines()["solo_line"]
STANCE = guidelines()["stance"]


def test_line_on_your_own_offers_the_organisations_practices_with_their_footnotes(one):
    from wellbeing import content

    with one.app.app_context():
        practices = content.entries(one.rows["organisation_one"], "practice")
        content.add(
            one.rows["organisation_one"],
            "practice",
            {"text": "A practice added locally", "note": ""},
        )
    main = html.unescape(
        main_of(one.client("facilitator").get("/private/line").get_data(as_text=True))
    )
    for practice in practices:
        assert f'<h3 id="practice-{practice["id"]}">{practice["text"]}</h3>' in main
        if practice["note"]:
            assert practice["note"] in main
    # "Feel free to add and remove practices": the organisation's list, not the guidelines'.
    assert "A practice added locally" in main
    assert "BDSM = Bondage & Discipline, Dominance & Submission, Sadism & Masochism" in main
    # One native range input per practice: drag, tap, keyboard and screen reader all work.
    assert main.count('type="range"') == len(practices) + 1
    assert "You do not need to define where the line of abusiveness is" in main
    assert LINE["always"] == "always abusive" and LINE["never"] == "never abusive"


def test_stance_check_uses_the_guidelines_five_columns_and_both_lists(one):
    main = html.unescape(
        main_of(one.client("facilitator").get("/private/stance").get_data(as_text=True))
    )
    assert [column["heading"] for column in STANCE["columns"]] == [
        "Collusive Stance",
        "Earlier in cycle of change or hyper-aroused",
        "Neutral Useful Stance",
        "Later in cycle of change or hypo-aroused",
        "Persecutory Stance",
    ]
    for column in STANCE["columns"]:
        assert f'value="{column["id"]}"' in main
        for description in column["descriptions"]:
            assert f"<li>{description}</li>" in main
    assert main.count('type="radio"') == 5
    assert [pull["heading"] for pull in STANCE["pulls"]] == [
        "Connecting and grounding",
        "Leaning the other way",
    ]
    assert "Persevering in returning to the issue of abuse." in main
    assert "what would it say about you if it weren't difficult?" in main
    assert "stay in the neutral zone of the continuum of stance" in main
    # No scores, streaks or badges about feelings.
    for word in ("score", "streak", "badge"):
        assert word not in main.lower()


def test_line_and_stance_screens_are_loaded_from_the_shell(one):
    page = one.client("facilitator").get("/private/stance").get_data(as_text=True)
    with one.app.test_request_context():
        from wellbeing.pwa import asset_url

        assert imports_on(page)["screens/stance"] == asset_url("screens/stance.js")
    assert "screens/stance.js" in PRIVATE_SHELL and "screens/line.js" in PRIVATE_SHELL
