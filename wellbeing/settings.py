"""Every setting the app reads, with its default and meaning: the one table.

A deployment sets any of them in the environment with the `WELLBEING_` prefix, for example
`WELLBEING_TRUSTED_PROXIES=1` (Flask's `from_prefixed_env`: values are read as JSON where they
parse, so numbers, `true`/`false` and lists work). `create_app` takes its defaults from here,
`docs/configuration.md` is written from here (`make config-doc`), and a test fails if the app
reads a setting this table lacks.

Run as a module, it prints docs/configuration.md.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    meaning: str
    # "deployment": set by the organisation's IT person; "tests": set only by the test suite
    # (never from the environment in production).
    kind: str = "deployment"


# The instance folder is read before the app exists, so it is the one setting taken straight
# from the environment (wellbeing/__init__.py).
INSTANCE_PATH = "WELLBEING_INSTANCE_PATH"

SETTINGS = (
    Setting(
        "INSTANCE_PATH",
        "instance/ beside the code",
        "Folder for the secrets (`secret_key`, `atrest-keys.json`) and, unless `DATABASE` says "
        "otherwise, the database. Keep it out of the code's folder on a server (`/var/lib/…`).",
    ),
    Setting(
        "BIND",
        "127.0.0.1:8000",
        "Where the server listens, HOST:PORT, the host an address or a name looked up at start"
        " (read by wellbeing/serving.py; `make run` sets it).",
    ),
    Setting(
        "WORKERS",
        2,
        "How many worker processes the server runs (read by wellbeing/serving.py).",
    ),
    Setting(
        "THREADS",
        2,
        "How many requests each worker runs at once. A projector's live picture waits in one of"
        " them; at most all but one wait, and a projector beyond that polls every 0.5 s and asks"
        " to wait again after 15 s (read by wellbeing/serving.py and the app; docs/design.md"
        ' "A live projector").',
    ),
    Setting(
        "DATABASE",
        None,
        "Path of the SQLite database file. Default: `wellbeing.db` in the instance folder.",
    ),
    Setting(
        "DATABASE_PRAGMAS",
        (),
        "Extra `PRAGMA`s run on every connection, as a JSON list, e.g. "
        '`["max_page_count = 262144"]` to cap the file at 1 GiB (docs/operations.md).',
    ),
    Setting(
        "SECRET_KEY",
        None,
        "Signs session cookies and form tokens. Default: generated once into "
        "`instance/secret_key`. Rotate it with `SECRET_KEY_FALLBACKS` (docs/operations.md).",
    ),
    Setting(
        "SECRET_KEY_FALLBACKS",
        [],
        "Earlier secret keys, as a JSON list, still accepted for session cookies, so rotating "
        "the key signs nobody out (a form opened before the change asks to be sent again).",
    ),
    Setting(
        "ATREST_KEYS",
        None,
        "The at-rest key ring for pair and supervision text. Default: generated once into "
        "`instance/atrest-keys.json`; rotate with `flask --app app rotate-key`.",
    ),
    Setting(
        "TRUSTED_HOSTS",
        None,
        "Required in production: the host names the app answers to, comma-separated (Flask's "
        "`TRUSTED_HOSTS`); any other `Host` gets a plain 400. `make run` needs none.",
    ),
    Setting(
        "BASE_URL",
        None,
        "Required in production: the address people open the app at, e.g. "
        "`https://wellbeing.example.org`. Invitation, reset and room links are built from it, "
        "and passkeys' relying party by default.",
    ),
    Setting(
        "WRITE_WAIT_SECONDS",
        20,
        "How long a save waits behind the other saves of its worker before it answers "
        '503 "try again" with what was typed kept (docs/design.md "Writing to the database").',
    ),
    Setting(
        "ARGON2_PARAMETERS",
        {},
        "Argon2id's cost for new password hashes (`time_cost`, `memory_cost`, `parallelism`); "
        "empty means the library's defaults (RFC 9106). Only the test suite lowers it.",
        kind="tests",
    ),
    Setting(
        "RECENT_CHECK_MINUTES",
        5,
        'Adding a passkey needs a password or passkey check this recent ("sudo mode").',
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        True,
        "The session cookie travels only over HTTPS. Only `make run` on plain http://127.0.0.1 "
        "sets it to `false`.",
    ),
    Setting("SESSION_LIFETIME_HOURS", 14 * 24, "A sign-in lasts at most this long."),
    Setting(
        "SIGNIN_WINDOW_MINUTES",
        15,
        "Window for counting failed sign-ins; older failures are deleted as new ones are written.",
    ),
    Setting(
        "SIGNIN_MAX_FAILURES_PER_EMAIL",
        5,
        "Failed sign-ins per email within the window before it is refused for a while.",
    ),
    Setting("INVITATION_DAYS", 7, "An invitation link works for this many days."),
    Setting("RESET_HOURS", 24, "A password reset link works for this many hours."),
    Setting(
        "WTF_CSRF_TIME_LIMIT",
        8 * 3600,
        "Seconds a form's token stays valid; an older one asks the person to try again.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "How many reverse proxies in front of the server to believe `X-Forwarded-*` headers from: "
        "1 behind Caddy or nginx, 0 (never trust them) when nothing is in front.",
    ),
    Setting(
        "PLACEMENT_SYNCHRONOUS",
        "NORMAL",
        "SQLite `synchronous` for a training-day placement: `NORMAL` survives a crash of the "
        "app, `FULL` a power cut too (docs/operations.md).",
    ),
    Setting(
        "HEALTH_MIN_FREE_MB",
        200,
        "`/healthz` answers 503 when less than this much disk is free beside the database.",
    ),
    Setting(
        "ROOM_MAX_SEATS",
        300,
        "Most people in one training-day room: a training day is at most a few hundred, and fake "
        "seats made to pick one real person out can't crowd a room beyond this.",
    ),
    Setting(
        "ROOM_MAX_SEATS_PER_CLIENT",
        250,
        "Most new seats one network address may take in a room in 10 minutes: wide, because a "
        "whole venue often shares one address (with one seat per device it keeps fakes few).",
    ),
    Setting(
        "ROOM_MAX_FAILED_LOOKUPS",
        200,
        "Wrong room codes one network address may try in an hour before it must wait. Only "
        "wrong codes count; sized for a room of 300 behind one venue address, so everyone there "
        "may mistype 199 codes between them and every right code still joins.",
    ),
    Setting(
        "ROOM_MAX_FAILED_LOOKUPS_PER_DEVICE",
        20,
        "Wrong room codes one phone (its device cookie) may try in an hour; after that, that "
        "phone alone waits.",
    ),
    Setting(
        "PASSKEY_CHALLENGES_PER_ADDRESS",
        120,
        "Passkey challenges one network address may ask for in 10 minutes: a whole office "
        "signing in at once stays well under it, and anonymous writes can't flood the table.",
    ),
    Setting(
        "WEBAUTHN_RP_ID",
        None,
        "The passkeys' relying party id: the site's host name, e.g. `wellbeing.example.org`. "
        "Default: the host of the request. Set it in production.",
    ),
    Setting(
        "WEBAUTHN_ORIGIN",
        None,
        "The origin passkeys are made for, e.g. `https://wellbeing.example.org`. Default: the "
        "request's. Set it in production.",
    ),
    Setting(
        "CLOCK",
        None,
        "A function returning the current time in UTC, so tests can move time on.",
        kind="tests",
    ),
    Setting(
        "WRITES_OUTSIDE_WRITING",
        None,
        "A list the test suite passes to catch any write made outside `db.writing()`.",
        kind="tests",
    ),
)

BY_NAME = {setting.name: setting for setting in SETTINGS}
# Read before the app exists (the instance folder) or by the server, not by the app.
SERVER_ONLY = {"INSTANCE_PATH", "BIND", "WORKERS"}


def chosen(name: str, value):
    """A setting as it was set, or its default where it is unset or empty (`WELLBEING_THREADS=`,
    an empty line in the environment file): the server and the app read it alike."""
    return value or BY_NAME[name].default


def defaults() -> dict:
    """The defaults create_app starts from; settings with no fixed default are left unset."""
    return {
        s.name: s.default
        for s in SETTINGS
        if s.default is not None and s.kind == "deployment" and s.name not in SERVER_ONLY
    }


def shown(value) -> str:
    if value is None:
        return "(see meaning)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list | tuple):
        return f"`{list(value)}`".replace("'", '"')
    return f"`{value}`" if not isinstance(value, str) or "/" not in value else value


def reference() -> str:
    """docs/configuration.md, written from the table."""
    lines = [
        "# Configuration",
        "",
        "<!-- Written by `make config-doc` from wellbeing/settings.py; edit that table. -->",
        "",
        "Every setting is read from the environment with the `WELLBEING_` prefix, for example",
        "`WELLBEING_TRUSTED_PROXIES=1`. Values are read as JSON where they parse (numbers,",
        "`true`/`false`, lists), otherwise as text. On a server, put them in the systemd unit's",
        "`Environment=` lines or an `EnvironmentFile` (docs/deployment.md).",
        "",
        "| setting | default | meaning |",
        "|---|---|---|",
    ]
    for s in SETTINGS:
        if s.kind == "deployment":
            lines.append(f"| `WELLBEING_{s.name}` | {shown(s.default)} | {s.meaning} |")
    lines += [
        "",
        "Set only by the test suite, never in production:",
        "",
    ]
    lines += [f"- `{s.name}`: {s.meaning}" for s in SETTINGS if s.kind == "tests"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(reference(), end="")
