"""The strict Content Security Policy holds in a real browser: nothing blocked, nothing broken.

security.py allows no inline script or style and no eval; htmx is configured for that in
base.html. A violation would show up as a console message or a securitypolicyviolation event.
"""

from playwright.sync_api import expect

from .steps import REPORT_VIOLATIONS, messages_are_harmless, sign_in, sign_out


def test_admin_goes_through_the_main_pages_without_policy_violations_or_errors(context, page):
    messages, errors = [], []
    context.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/offline")
    page.goto("/signin")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("Please enter your email.")).to_be_visible()
    sign_in(page, "admin")
    page.get_by_role("link", name="Support", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support")
    page.locator("header").get_by_role("link", name="Wellbeing").click()
    page.get_by_role("link", name="People and invitations").click()
    page.get_by_label("Facilitator: runs groups, prepares, co-works").check()
    page.get_by_role("button", name="Create invitation link").click()
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Manage Cole Coworker").click()
    page.get_by_role("button", name="Password reset link for Cole Coworker").click()
    expect(page.locator("#reset-link")).to_be_visible()

    page.goto("/organisation/content/practice")
    page.locator(".entry").first.get_by_role("link", name="Edit").click()
    page.get_by_role("link", name="Cancel").click()
    page.locator(".entry").first.get_by_role("button", name="Remove").click()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Please fill this in.")).to_be_visible()
    page.get_by_role("link", name="Go back to the guidelines' list…").click()
    page.get_by_role("link", name="Keep my list").click()
    expect(page.get_by_role("link", name="Go back to the guidelines' list…")).to_be_visible()
    sign_out(page)

    policy = [message for message in messages if "Content Security Policy" in message]
    assert not policy, "\n".join(policy)
    assert not errors, "\n".join(errors)
    assert messages_are_harmless(messages), "\n".join(messages)
