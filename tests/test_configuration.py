"""Every setting is in one table, the reference is written from it, and rotating a secret signs
nobody out (issue 20)."""

import re
import subprocess
from pathlib import Path

from conftest import PEOPLE, make_app, sign_in

from wellbeing import keys, seats, settings
from wellbeing.db import sqlite3

ROOT = Path(__file__).resolve().parents[1]
# What the app reads: app.config["X"], config.get("X"), a room limit("X"), or WELLBEING_X in any
# file a deployment uses.
READS = re.compile(
    r"""config(?:\[|\.get\()\s*["']([A-Z][A-Z0-9_]+)["']|limit\(["']([A-Z][A-Z0-9_]+)["']\)"""
    r"""|WELLBEING_([A-Z][A-Z0-9_]+)"""
)
# Flask's own switches, set by the test suite only.
FLASK_OWN = {"TESTING", "SERVER_NAME"}


def settings_the_app_reads() -> set[str]:
    names = subprocess.run(
        ["git", "ls-files", "wellbeing", "app.py", "Makefile", "deploy", "docs", "README.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    found = set()
    for name in names:
        path = ROOT / name
        if path.suffix in {".png", ".ico"} or not path.is_file():
            continue
        for match in READS.finditer(path.read_text(encoding="utf-8", errors="ignore")):
            found.add(next(group for group in match.groups() if group))
    return found


def test_the_app_reads_no_setting_the_table_lacks():
    unknown = settings_the_app_reads() - set(settings.BY_NAME) - FLASK_OWN
    assert unknown == set(), f"add these to wellbeing/settings.py: {sorted(unknown)}"


def test_the_scan_finds_a_setting_read_anywhere(tmp_path):
    """The scan itself can fail: a made-up read is found."""
    text = 'x = current_app.config.get("MADE_UP_SETTING") or os.environ["WELLBEING_OTHER_ONE"]'
    found = {next(g for g in m.groups() if g) for m in READS.finditer(text)}
    assert found == {"MADE_UP_SETTING", "OTHER_ONE"}


def test_the_configuration_reference_is_the_one_the_table_makes():
    written = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert written == settings.reference(), "run `make config-doc`"
    for setting in settings.SETTINGS:
        if setting.kind == "deployment":
            assert f"`WELLBEING_{setting.name}`" in written


def test_the_app_starts_from_the_tables_defaults(app):
    for name, default in settings.defaults().items():
        if name not in {"SECRET_KEY", "DATABASE"}:
            assert app.config[name] == default, name


def test_a_rotated_secret_key_signs_nobody_out(template_db, tmp_path):
    database = tmp_path / "wellbeing.db"
    database.write_bytes(template_db.read_bytes())
    before = make_app(database)
    client = sign_in(before.test_client(), "facilitator")
    assert client.get("/").status_code == 200

    rotated = make_app(database)
    rotated.config.update(SECRET_KEY="a-new-secret", SECRET_KEY_FALLBACKS=["test-secret-key"])
    still = rotated.test_client()
    still.set_cookie("session", client.get_cookie("session").value)
    assert still.get("/").status_code == 200, "the old key must still open the session"

    without = make_app(database)
    without.config.update(SECRET_KEY="a-new-secret")
    dropped = without.test_client()
    dropped.set_cookie("session", client.get_cookie("session").value)
    assert dropped.get("/").status_code == 302, "without the fallback the cookie means nothing"


def test_seats_have_their_own_key_derived_from_the_secret(app):
    """The secret key is never used as a second key: the seat HMAC's key is HKDF of it under
    its own label."""
    seat_key = app.extensions["seat_key"]
    assert seat_key == keys.derived_key("test-secret-key", keys.SEAT_KEY_LABEL)
    assert seat_key not in (b"test-secret-key", keys.derived_key("test-secret-key", b"other"))
    with app.app_context():
        import hashlib
        import hmac

        plain = hmac.new(b"test-secret-key", b"seat:d:1", hashlib.sha256).hexdigest()
        assert seats.seat_token("d", 1) != plain


def test_failed_signins_older_than_the_window_are_deleted(app, client):
    old = "2020-01-01T00:00:00+00:00"
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.execute(
            "insert into signin_failures (key, at) values ('email:typo@nowhere.example', ?)", [old]
        )
    conn.close()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/signin").text)
    client.post(
        "/signin",
        data={"email": PEOPLE["admin"][1], "password": "wrong", "csrf_token": token.group(1)},
    )
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        left = [row[0] for row in conn.execute("select key from signin_failures")]
    conn.close()
    assert left == ["email:" + PEOPLE["admin"][1]]
