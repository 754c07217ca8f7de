"""An admin invites a supervisor with a one-time link; no email is ever sent."""

import re

from playwright.sync_api import expect

from .steps import sign_in

NEW_PASSWORD = "a quiet room before group"


def test_admin_invites_a_supervisor_who_joins_once(context, page, new_context, live_server):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "admin")
    page.goto("/organisation/people")
    page.get_by_label("Supervisor: reviews what pairs choose to share").check()
    page.get_by_role("button", name="Create invitation link").click()
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    link = page.get_by_label(
        re.compile(r"^Link for whoever you give it to · supervisor · expires ")
    ).input_value()
    assert link.startswith(f"{live_server.url}/invite/")
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link

    newcomer = new_context().new_page()
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Join Organisation One")
    expect(newcomer.get_by_text("You've been invited as: supervisor.")).to_be_visible()
    newcomer.get_by_label("Your name").fill("Sam Newcomer")
    newcomer.get_by_label("Email").fill("sam@one.example")
    newcomer.get_by_label("Choose a password").fill("too short")
    newcomer.get_by_label("Type it again").fill("too short")
    newcomer.get_by_role("button", name="Join and sign in").click()

    expect(newcomer.get_by_text("Use at least 10 characters.")).to_be_visible()
    expect(newcomer.get_by_label("Your name")).to_have_value("Sam Newcomer")
    expect(newcomer.get_by_label("Email")).to_have_value("sam@one.example")

    newcomer.get_by_label("Choose a password").fill(NEW_PASSWORD)
    newcomer.get_by_label("Type it again").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Join and sign in").click()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Hello, Sam Newcomer")
    expect(newcomer.get_by_role("heading", name="Supervision")).to_be_visible()
    assert newcomer.url == f"{live_server.url}/"

    someone_else = new_context().new_page()
    someone_else.goto(link)
    expect(someone_else.get_by_role("heading", level=1)).to_have_text(
        "This invitation link doesn't work"
    )
    expect(someone_else.get_by_role("button", name="Join and sign in")).to_have_count(0)
