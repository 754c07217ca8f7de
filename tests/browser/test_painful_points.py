"""Know your painful points in the layout of issue 24, with a vault written in the earlier one.

The guidelines ask for one inventory "of traumatic/shaming experiences, including those you have
experienced or those you may have perpetrated". The earlier layout put "What you may have
perpetrated" beside every category, "Experiences of child sexual abuse" included; the new one
has one box per category and a separate, optional "Harm I may have done" after the inventory.
A worker's existing records must come through without losing a word.
"""

from playwright.sync_api import expect

from .steps import fran_with_a_private_space

PASSPHRASE = "a quiet room with the door shut"
OLD_ID = "painful-points-2026-01-05T19:00:00.000Z"
# Every key the earlier layout wrote: an experienced and a perpetrated box per category, and the
# clues box. Markers are the worker's own words.
OLD_ANSWERS = {
    "harassment:experienced": "MARKER-H1 shouted at on the way home",
    "child-sexual-abuse:experienced": "MARKER-C1 something I keep to myself",
    "pressuring:experienced": "MARKER-P1 an ex who sulked",
    "pressuring:perpetrated": "MARKER-P2 I pestered once",
    "boundaries:perpetrated": "MARKER-B2 jokes at work",
    "clues": "MARKER-K1 raised voices",
}
CATEGORY = {
    "harassment": "Sexual harassment – including in the street, school or in the workplace",
    "child-sexual-abuse": "Experiences of child sexual abuse",
    "pressuring": "Sexual pressuring – from sulking, to moodiness to pestering to verbal abuse"
    " to force",
    "boundaries": "Poor sexual boundaries in non-intimate relationships",
}


def create_vault(page):
    page.goto("/private/")
    page.get_by_label("Choose a passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_label("Type it again", exact=True).fill(PASSPHRASE)
    page.get_by_role("button", name="Create my private space").click()
    expect(page.get_by_role("heading", name="Your private space is ready")).to_be_visible()


def in_vault(page, body, arg=None):
    """Runs `body` with `vault`: the page's own vault module (through its import map), unlocked."""
    return page.evaluate(
        "async (arg) => {\n"
        "const { openVault } = await import('vault');\n"
        "const vault = openVault(document.querySelector('[data-vault]').dataset.vault);\n"
        f"if (!vault.isUnlocked()) await vault.unlock({PASSPHRASE!r});\n"
        f"{body}\n}}",
        arg,
    )


def box(page, name):
    return page.get_by_role("textbox", name=name, exact=True)


def test_an_inventory_in_the_earlier_layout_opens_with_every_entry_in_the_new_one(page):
    fran_with_a_private_space(page)
    in_vault(
        page,
        "await vault.put('painful-points', arg.id, arg.value);",
        {
            "id": OLD_ID,
            "value": {
                "startedAt": "2026-01-05T19:00:00.000Z",
                "finishedAt": None,
                "answers": OLD_ANSWERS,
            },
        },
    )
    page.goto("/private/painful-points")
    page.get_by_role("button", name="Go on to the exercise").click()
    expect(page.get_by_role("heading", name="Your private space is locked")).to_be_visible()
    page.get_by_label("Your passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_role("button", name="Unlock").click()
    page.locator("[data-past] button").first.click()
    expect(page.get_by_role("heading", name="Your inventory")).to_be_visible()

    # Each experienced answer is now the category's one box, opened because it has words.
    for key in ("harassment", "child-sexual-abuse", "pressuring"):
        expect(box(page, f"In your own words ({CATEGORY[key]})")).to_have_value(
            OLD_ANSWERS[f"{key}:experienced"]
        )
    expect(
        box(page, "From your own experiences, you may get clues as to what would trigger you.")
    ).to_have_value(OLD_ANSWERS["clues"])
    # Each perpetrated answer is in "Harm I may have done", under its category, in the
    # inventory's order; nothing of it is beside a category any more.
    harm = (
        f"{CATEGORY['boundaries']}:\n{OLD_ANSWERS['boundaries:perpetrated']}\n\n"
        f"{CATEGORY['pressuring']}:\n{OLD_ANSWERS['pressuring:perpetrated']}"
    )
    expect(box(page, "Harm I may have done")).to_have_value(harm)
    expect(page.get_by_role("textbox", name="What you may have perpetrated")).to_have_count(0)

    # Every word the worker wrote is on the screen.
    shown = page.evaluate(
        "() => [...document.querySelectorAll('[data-answer]')].map((b) => b.value).join('\\n')"
    )
    for text in OLD_ANSWERS.values():
        assert text in shown

    # The next save keeps the new layout, still with every word.
    box(page, "Harm I may have done").press("End")
    box(page, "Harm I may have done").type(" ")
    expect(page.locator("[data-saved]:visible")).to_contain_text("Saved on this phone, encrypted")
    page.wait_for_function(
        "() => ![...document.querySelectorAll('[data-saved]')]"
        ".some((note) => note.textContent === note.dataset.saving)"
    )
    stored = in_vault(page, "return (await vault.get(arg)).value.answers;", OLD_ID)
    assert set(stored) == {"harassment", "child-sexual-abuse", "pressuring", "clues", "harm"}
    assert stored["harm"].strip() == harm
    for text in OLD_ANSWERS.values():
        assert text in "\n".join(stored.values())
