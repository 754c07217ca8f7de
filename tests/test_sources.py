"""Sources by name (issue 24): people read the document and its section, never a file number.

`wellbeing/content/sources.json` is the one table of the documents the content quotes. Every
footer a person sees names one of them ("Respect, Principles and minimum standards of practice,
§3.14"), and no page, walked as every persona, says "seed" (the maintainers' old word for a file
in sources/).
"""

import html
import json
import re
from pathlib import Path

import pytest
from access_rules import RULES, routes
from organisation_one import PERSONAS, path_of

from wellbeing import content
from wellbeing.module import adapted

ROOT = Path(__file__).resolve().parents[1]
SEED_WORD = re.compile(r"\bseeds?\b", re.IGNORECASE)


def visible_text(page: str) -> str:
    """What a person reads or hears: text between tags, and the labels a screen reader says."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.DOTALL)
    spoken = re.findall(r'(?:aria-label|alt|title|placeholder)="([^"]*)"', page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + " ".join(spoken))


def cited_documents() -> list[str]:
    return [source["cite_as"] for source in content.sources()["sources"]]


def test_the_table_of_sources_names_each_file_in_sources_with_title_publisher_and_year():
    table = content.sources()["sources"]
    readme = (ROOT / "sources" / "README.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in (ROOT / "sources").glob("*.txt"))
    assert sorted(s["file"] for s in table) == files
    for source in table:
        assert source["title"] and source["publisher"] and source["sections_used"], source
        assert "year" in source
        assert source["file"] in readme
    by_number = {s["number"]: s for s in table}
    assert by_number["000"]["title"] == (
        "Good practice in addressing sexualised violence: Guidelines document"
    )
    assert by_number["000"]["authors"] == ["Kate Iwi", "Nathan Eisenstadt"]
    assert by_number["000"]["year"] == 2020


def shown_sources(node, key=""):
    """Every `source` string a page can show (the maintainers' `_source` notes aside)."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name.startswith("_") or name.startswith("seed_"):
                continue
            yield from shown_sources(value, name)
    elif isinstance(node, list):
        for value in node:
            yield from shown_sources(value, key)
    elif isinstance(node, str) and key in ("source", "before_source", "after_source"):
        yield node


FOOTERS = sorted(
    set(shown_sources(json.loads((ROOT / "wellbeing/content/en.json").read_text())))
    | set(shown_sources(adapted.module()))
)


@pytest.mark.parametrize("footer", [f for f in FOOTERS if f.startswith(("WWP", "Respect", "AVA"))])
def test_every_quoted_footer_names_a_document_then_its_section(footer):
    document = next((d for d in cited_documents() if footer.startswith(d + ", ")), None)
    assert document, footer
    assert footer[len(document) + 2 :].strip()


def test_no_footer_names_a_file():
    for footer in FOOTERS:
        assert not SEED_WORD.search(footer), footer
        assert not re.search(r"\b00\d\b", footer), footer


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_says_seed_to_anyone(one, persona):
    """Every GET route in the app's URL map, with Organisation One's sample ids, as `persona`."""
    said = {}
    client = one.client(persona)
    for endpoint, method in routes():
        if method != "GET" or RULES[endpoint].who == "token" and persona != "anonymous":
            continue
        response = client.get(path_of(one, endpoint))
        if response.mimetype != "text/html":
            continue
        text = visible_text(response.get_data(as_text=True))
        if SEED_WORD.search(text):
            said[endpoint] = SEED_WORD.findall(text)
    assert said == {}


def test_no_session_activity_or_print_page_says_seed(one):
    client = one.client("facilitator")
    for path in every_session_page():
        text = visible_text(client.get(path).get_data(as_text=True))
        assert not SEED_WORD.search(text), path


def every_session_page() -> list[str]:
    found = ["/module/"]
    for session in adapted.module()["sessions"]:
        found += [f"/module/{session['key']}", f"/module/{session['key']}/print"]
    found += [f"/module/activities/{key}" for key in adapted.guideline_activities()]
    return found
