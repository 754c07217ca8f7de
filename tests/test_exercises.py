"""The private space as the server sends it: page chrome only, never a way in for private text.

DESIGN "The data rule": what a facilitator writes in the preparation exercises is encrypted in
their browser (static/vault.js) and never reaches the server. So the private pages take no form
data at all, and the guidelines' wording comes from the content file. The browser half of the
proof is tests/browser/test_private_space.py.
"""

import html
import json
import re

import pytest
from organisation_one import text_of

from wellbeing.content import guidelines
from wellbeing.pwa import SHELL

PRIVATE_PAGES = ["/private/", "/private/shoulds", "/private/recovery-sheet"]
SHOULDS = guidelines()["shoulds"]


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
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"\sstyle=|\son[a-z]+=", page)


def test_vault_is_named_for_the_person_and_loaded_by_one_url(one):
    page = one.client("facilitator").get("/private/").get_data(as_text=True)
    holder = re.search(r'data-vault="([^"]+)" data-vault-module="([^"]+)"', page)
    assert holder.group(1) == f"user-{one.rows['facilitator']}"
    # The same versioned URL the service worker keeps: one module, so one key, on every page.
    with one.app.test_request_context():
        from wellbeing.pwa import asset_url

        assert holder.group(2) == asset_url("vault.js")
        assert f'src="{asset_url("exercises.js")}"' in page


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
    assert 'href="/private/"' in one.client("facilitator").get("/").get_data(as_text=True)
    assert 'href="/private/"' not in one.client("supervisor").get("/").get_data(as_text=True)


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


def test_shoulds_links_the_what_helps_video_safely(one):
    page = one.client("facilitator").get("/private/shoulds").get_data(as_text=True)
    link = re.search(r'<a [^>]*href="https://youtu.be/GJ-UH4R1Bfo"[^>]*>', page).group(0)
    assert 'rel="noopener noreferrer"' in link


def test_private_pages_open_offline_and_nothing_else_is_kept(one):
    script = one.client("anonymous").get("/sw.js").get_data(as_text=True)
    assert 'const PRIVATE = "/private/";' in script
    assert "exercises.js" in SHELL and "vault.js" in SHELL
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", script).group(1))
    assert any(url.startswith("/static/vault.js?v=") for url in shell)
    assert any(url.startswith("/static/exercises.js?v=") for url in shell)
    # The one place pages are stored: only under /private/, and only real 200 pages.
    assert script.count("cache.put(") == 1
    assert "response.ok && !response.redirected" in script


def test_recovery_sheet_never_asks_for_the_passphrase(one):
    main = main_of(one.client("facilitator").get("/private/recovery-sheet").get_data(as_text=True))
    assert "<input" not in main and "<textarea" not in main
    assert "Never write the passphrase itself here." in html.unescape(main)
