"""The steps browser tests take, as a person takes them: open the private space, unlock it,
write and wait for "Saved", open the pair, back up, add a passkey.

Test modules share these and never import each other (tests/test_repository.py checks).
"""

import io
import json
import logging
import re
from pathlib import Path

from conftest import PAIR_NAME, PASSWORD, PEOPLE
from playwright.sync_api import expect

from wellbeing.db import sqlite3

from .conftest import TIMEOUT_MS

SCRIPTS = Path(__file__).resolve().parent / "scripts"


def script(name: str) -> str:
    """A script of tests/browser/scripts/ (linted by Biome there), to run with page.evaluate."""
    return (SCRIPTS / f"{name}.js").read_text(encoding="utf-8")


# The two rounds of the "shoulds" exercise, as the page names them.
ROUND_ONE = "I should/shouldn't..."
ROUND_TWO = "My partner should/shouldn't..."


def sign_in(page, who):
    """Sign in through the real form, as one of PEOPLE, and land on home."""
    name, email, _roles = PEOPLE[who]
    return sign_in_as(page, name, email, PASSWORD)


def sign_in_as(page, name, email, password):
    """Sign in through the real form with these details (a demo person's, say), and land on
    home, which greets them by name."""
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {name}")
    return page


def sign_out(page):
    page.locator("header").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("You're signed out.")).to_be_visible()


def post_form(page, path, data):
    """A form post with this phone's session and a form token from `path`, as its form sends it."""
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.request.get(path).text())
    response = page.request.post(path, form={"csrf_token": token.group(1), **data})
    assert response.ok, response.status
    return response


def service_worker_activated(page):
    """Wait until the page's service worker is activated; returns its scope.

    page.evaluate has no timeout of its own, so the wait gives up in the page.
    """
    return page.evaluate(script("service-worker-activated"), TIMEOUT_MS)


def controlled_by_service_worker(page):
    """Activated and controlling this page (a reload makes sure it is)."""
    service_worker_activated(page)
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def cache_names(page):
    return page.evaluate("caches.keys()")


# Runs in every page before its own scripts, so a blocked style or script can't pass unseen.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.violatedDirective}`
    + ` blocked ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


# A form with errors is answered with 422 on purpose; the browser and htmx both note it.
EXPECTED_ERRORS = ("the server responded with a status of 422", "Response Status Error Code 422")


def messages_are_harmless(messages):
    return all(
        not message.startswith("error:") or any(note in message for note in EXPECTED_ERRORS)
        for message in messages
    )


PASSPHRASE = "a quiet room with the door shut"


MARKER = "MARKER-7f3c I should always know the right thing to say"


class RecordingApp:
    """Wraps the live app and keeps every request as the server received it."""

    def __init__(self, app):
        self.app, self.received = app, []

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        headers = " ".join(f"{k}={v}" for k, v in environ.items() if k.startswith("HTTP_"))
        line = f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO')}?"
        self.received.append(f"{line}{environ.get('QUERY_STRING', '')} {headers}".encode() + body)
        return self.app(environ, start_response)


def heading(page, text):
    expect(page.get_by_role("heading", name=text)).to_be_visible()


def create_vault(page, passphrase=PASSPHRASE):
    page.goto("/private/")
    heading(page, "Before you start: choose a passphrase")
    page.get_by_label("Choose a passphrase", exact=True).fill(passphrase)
    page.get_by_label("Type it again", exact=True).fill(passphrase)
    page.get_by_role("button", name="Create my private space").click()
    heading(page, "Your private space is ready")


def fran_with_a_private_space(page, passphrase=PASSPHRASE):
    """Fran signs in on this phone and creates her private space."""
    sign_in(page, "facilitator")
    create_vault(page, passphrase)
    return page


def a_phone_with_a_vault(new_context, passphrase=PASSPHRASE):
    """Another phone, where Fran signs in and creates her private space."""
    return fran_with_a_private_space(new_context().new_page(), passphrase)


def unlock(page, passphrase=PASSPHRASE):
    heading(page, "Your private space is locked")
    page.get_by_label("Your passphrase", exact=True).fill(passphrase)
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("heading", name="Your private space is locked")).to_be_hidden()


def lock(page):
    page.locator("header").get_by_role("button", name="Lock").click()
    heading(page, "Your private space is locked")
    expect(page.locator("header").get_by_role("button", name="Locked")).to_be_visible()


def start_inventory(page):
    page.get_by_role("link", name="Inventory of 'shoulds'").click()
    page.get_by_role("button", name="Start a new inventory").click()
    expect(page.get_by_role("heading", name=f"Round 1 of 2: {ROUND_ONE}")).to_be_visible()


def writing(page):
    return page.get_by_role("textbox", name=ROUND_ONE, exact=True)


def saved(page):
    """Waits for the autosave after the last change ("Saving…" until then), of every record
    on the page: a page can keep two (the checklist keeps a rating and the person's own
    situations), and leaving while one is still saving would lose it."""
    expect(page.locator("[data-saved]:visible")).to_contain_text(
        "Saved on this phone, encrypted, at"
    )
    page.wait_for_function(
        "() => ![...document.querySelectorAll('[data-saved]')]"
        ".some((note) => note.textContent === note.dataset.saving)"
    )


class Recording:
    """Everything that could carry a private note away: each request that leaves the page, each
    request the server receives, the console, page errors, the log and the files on disk."""

    def __init__(self, context, page, live_server, caplog):
        caplog.set_level(logging.DEBUG)
        self.messages, self.errors, self.left_the_page = [], [], []
        context.add_init_script(REPORT_VIOLATIONS)
        page.on("console", lambda message: self.messages.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.received = RecordingApp(live_server.server.app)
        live_server.server.app = self.received
        context.on(
            "request",
            lambda request: self.left_the_page.append(
                f"{request.method} {request.url} {request.headers}".encode()
                + (request.post_data_buffer or b"")
            ),
        )

    def assert_nothing_left_the_phone(self, markers, tmp_path, caplog, capfd):
        # The strict Content Security Policy holds, and the module ran without errors.
        assert not self.errors, "\n".join(self.errors)
        assert messages_are_harmless(self.messages), "\n".join(self.messages)
        assert self.received.received and self.left_the_page
        for marker in (*markers, "MARKER-"):
            raw = marker.encode()
            assert not [r for r in self.left_the_page if raw in r], (
                "a request from the page held it"
            )
            assert not [r for r in self.received.received if raw in r], "the server received it"
            for stored in tmp_path.rglob("*"):
                if stored.is_file():
                    assert raw not in stored.read_bytes(), stored
            assert marker not in caplog.text
            out, err = capfd.readouterr()
            assert marker not in out and marker not in err


def sign_out_from_the_vault(page):
    page.locator("header").get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You're signed out.")).to_be_visible()


def answer_box(page, name):
    return page.get_by_role("textbox", name=name, exact=True)


def reload_and_unlock(page):
    page.reload()
    unlock(page)


def open_the_pair(page, name=PAIR_NAME):
    """From home to the pair's page; returns its path, e.g. /pairs/1."""
    page.goto("/")
    page.get_by_role("link", name=name, exact=True).click()
    heading(page, name)
    expect(page).to_have_url(re.compile(r"/pairs/\d+$"))
    return page.url.removeprefix(re.match(r"https?://[^/]+", page.url).group(0))


HOMOPHOBIC = "Men who make homophobic comments in groups"


# The idle lock would fire when the clock jumps a month; this test is not about idling.
NO_IDLE_LOCK = "localStorage.setItem('wellbeing:vault-idle-minutes', '1000000')"


def rating(page, situation, number):
    group = page.get_by_role("group", name=situation, exact=True)
    return group.get_by_role("radio", name=re.compile(rf"^{number}\b"))


def kept_for_later(page, situation):
    return page.get_by_role("checkbox", name=f"Keep for sharing later ({situation})")


def past_the_content_note(page):
    """Issue 27: the checklist opens with its content note, once per tab; go on past it."""
    either = page.get_by_role(
        "button", name=re.compile("^(Start a new rating|Go on to the checklist)$")
    )
    expect(either).to_be_visible()
    go_on = page.get_by_role("button", name="Go on to the checklist")
    if go_on.is_visible():
        go_on.click()


def start_rating(page):
    past_the_content_note(page)
    page.get_by_role("button", name="Start a new rating").click()
    heading(page, "Discomfort level 1-5")


PHONE_NAME = "Fran's phone"


def add_passkey(page, name=PHONE_NAME):
    page.goto("/account")
    page.get_by_label("Name for a new passkey").fill(name)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("[data-passkey-list]")).to_contain_text(name)


def sign_in_with_passkey(page):
    page.get_by_role("button", name="Sign in with a passkey").click()


BACK_UP = "Back up to the server (encrypted)"


def back_up(page, expected="Backed up to the server, encrypted."):
    page.get_by_role("button", name=BACK_UP).click()
    expect(page.locator("[data-server-status]")).to_contain_text(expected)


def latest_backup(tmp_path) -> tuple[int, dict]:
    """The latest backup's version and file in the live server's database (the fixture's file)."""
    with sqlite3.connect(tmp_path / "wellbeing.db") as conn:
        version, text = conn.execute(
            "select version, file from vault_backups order by version desc limit 1"
        ).fetchone()
    conn.close()
    return version, json.loads(text)


def server_copy(tmp_path) -> dict:
    return latest_backup(tmp_path)[1]


PUT = """async ([kind, id, value]) => {
  const holder = document.querySelector("[data-vault]");
  const vault = (await import("vault")).openVault(holder.dataset.vault);
  await vault.put(kind, id, value);
}"""


def write_note(page, record_id, text):
    note = {
        "startedAt": "2024-05-01T09:30:00.000Z",
        "finishedAt": None,
        "answers": {"culture": text},
    }
    page.evaluate(PUT, ["norms", record_id, note])


OLDER = "The server sent back an older backup than one this phone has already seen"


def put_back_as_newest(tmp_path, version, change=lambda file: file):
    """What a broken or malicious server could do: hand back an old backup (or a changed one)
    as its newest version, straight in the database file."""
    with sqlite3.connect(tmp_path / "wellbeing.db") as conn:
        user_id, text, size, created = conn.execute(
            "select user_id, file, size, created_at from vault_backups where version = ?",
            [version],
        ).fetchone()
        (newest,) = conn.execute("select max(version) from vault_backups").fetchone()
        text = json.dumps(change(json.loads(text)))
        conn.execute(
            "insert into vault_backups (user_id, version, file, size, created_at)"
            " values (?, ?, ?, ?, ?)",
            [user_id, newest + 1, text, size, created],
        )
    conn.close()
    return newest + 1


# --- a training-day room ----------------------------------------------------------------------

SLIDER = "Your place on the line from “always abusive” to “never abusive”"
LAPTOP = {"width": 1280, "height": 800}  # the projector's screen


def join(new_context, code):
    phone = new_context().new_page()
    phone.goto("/join")
    phone.get_by_label("Room code").fill(code.lower())
    phone.get_by_role("button", name="Join", exact=True).click()
    expect(phone.get_by_role("slider", name=SLIDER)).to_be_visible()
    # static/room.js is a module loaded after the page: until it runs, a move sends nothing.
    expect(phone.locator("form.placement[data-live]")).to_be_attached()
    return phone


def open_a_room(new_context):
    """Fran opens a training-day room on her phone: (her page, the room's code)."""
    trainer = new_context().new_page()
    sign_in(trainer, "facilitator")
    trainer.get_by_role("link", name="Open a room").click()
    trainer.get_by_role("button", name="Open a room").click()
    title = trainer.get_by_role("heading", level=1)
    expect(title).to_contain_text("Training day room ")
    return trainer, title.inner_text().rsplit(" ", 1)[1]
