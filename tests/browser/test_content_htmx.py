"""An admin adapts the practice list in place with htmx, without full page loads.

The guidelines: "Feel free to add and remove practices to fit what you think is most relevant
to your local context."
"""

import json

from playwright.sync_api import expect

from wellbeing.content import guidelines

from .steps import sign_in

GUIDELINES = [entry["text"] for entry in guidelines()["practice"]["entries"]]
EDITED = "Having sex with people outside of the relationship, without telling them"


def practices(page):
    return [
        text.strip()
        for text in page.locator(".entry .entry-text > span:first-child").all_text_contents()
    ]


def is_htmx_post(request):
    return request.method == "POST" and request.headers.get("hx-request") == "true"


MARK_THE_PAGE = """() => {
  window.stillTheSamePage = true;
  document.querySelector("h1").stillTheSameHeading = true;
}"""


def swapped_in_place(page):
    """No page load, and not even a boosted swap of the body: only the list was replaced."""
    return page.evaluate(
        "window.stillTheSamePage === true"
        " && document.querySelector('h1').stillTheSameHeading === true"
    )


def test_admin_adapts_the_practice_list_in_place(page):
    sign_in(page, "admin")
    page.goto("/organisation/content/practice")
    expect(page.get_by_role("heading", level=1)).to_have_text("Practices for the line")
    assert practices(page) == GUIDELINES
    page.evaluate(MARK_THE_PAGE)
    htmx_posts = []
    page.on(
        "request", lambda request: htmx_posts.append(request) if is_htmx_post(request) else None
    )

    # Edit the first practice inline and save it.
    page.get_by_role("link", name=f"Edit: {GUIDELINES[0][:20]}").click()
    field = page.locator("#entries").get_by_label("Practice", exact=True)
    expect(field).to_have_value(GUIDELINES[0])
    field.fill(EDITED)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".entry").first).to_contain_text(EDITED)
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    assert practices(page) == [EDITED, *GUIDELINES[1:]]

    # Remove one, then undo: it comes back in the same place.
    before = practices(page)
    page.get_by_role("button", name=f"Remove: {GUIDELINES[2][:20]}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Removed “{GUIDELINES[2]}”")
    assert GUIDELINES[2] not in practices(page)
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)
    assert practices(page) == before

    # Move one down.
    page.get_by_role("button", name=f"Move down: {GUIDELINES[3][:20]}").click()
    expect(page.locator(".entry").nth(4)).to_contain_text(GUIDELINES[3])
    assert practices(page) == [*before[:3], before[4], before[3], *before[5:]]

    # Adding with no text shows the problem and keeps what else was typed.
    add_form = page.locator("form", has=page.get_by_role("button", name="Add", exact=True))
    add_form.get_by_label("Definition or footnote (optional)").fill("Only in our region")
    add_form.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Please fill this in.")).to_be_visible()
    expect(add_form.get_by_label("Practice", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(add_form.get_by_label("Definition or footnote (optional)")).to_have_value(
        "Only in our region"
    )
    assert swapped_in_place(page), "an update replaced more than the list"

    # Every htmx request carried the CSRF token from the body's hx-headers.
    hx_headers = page.locator("body").get_attribute("hx-headers")
    assert hx_headers, "the body has no hx-headers with the CSRF token"
    token = json.loads(hx_headers)["X-CSRFToken"]
    assert len(htmx_posts) == 5, [request.url for request in htmx_posts]
    for request in htmx_posts:
        assert request.headers.get("x-csrftoken") == token, request.url

    # Going back to the guidelines' list asks first, then puts it back exactly.
    page.get_by_role("link", name="Go back to the guidelines' list…").click()
    expect(page.get_by_role("alert")).to_contain_text("Put back the guidelines' own list?")
    page.get_by_role("button", name="Yes, use the guidelines' list").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator(".entry").first).to_contain_text(GUIDELINES[0])
    assert practices(page) == GUIDELINES
    assert page.url.endswith("/organisation/content/practice")
