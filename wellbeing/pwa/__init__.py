"""The installable app shell: manifest, service worker, offline page, versioned assets."""

import base64
import hashlib
import hmac
import json
import re
from functools import cache
from pathlib import Path

import click
from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import compression

bp = Blueprint("pwa", __name__)

THEME_COLOUR = "#1f5f5b"
BACKGROUND_COLOUR = "#f7f5f0"
HTMX = "htmx-2.0.11.min.js"
# The static shell the service worker precaches when it installs: what every page needs.
# Pages are never precached except /offline. Issue 13: a first visit was 63.6 KB with the
# install, most of it the private space's scripts, which a new person may never open.
SHELL = [
    "app.css",
    "app.js",
    HTMX,
    # Only the icon pages show; the browser fetches the PNG icons itself when installing,
    # so precaching them would only add 26 KB to a first visit (docs/design.md: about 60 KB in all).
    "icons/icon.svg",
]
# The browser modules, by the name they import each other with (habit 11): `import { openVault }
# from "vault"`. The name is the file's path in static/ without ".js", and a folder's index.js
# answers to the folder's name ("vault" is vault/index.js, "vault/format" is vault/format.js).
# Built from the files, so a new module is in the map by being there. This one list feeds the
# import map in every page's head (base.html), the Content-Security-Policy's hash of that map
# (security.py), and the service worker's precache. app.js and htmx are loaded by URL, not by name.
STATIC = Path(__file__).parents[2] / "static"
BY_URL = {"app.js", HTMX}


def module_name(filename: str) -> str:
    """The name a module is imported by: "vault/format" for "vault/format.js"."""
    return filename.removesuffix(".js").removesuffix("/index")


def modules_in(static: Path = STATIC) -> dict[str, str]:
    """Every browser module in `static`, by its name: {"vault": "vault/index.js", …}."""
    files = sorted(path.relative_to(static).as_posix() for path in static.rglob("*.js"))
    return {module_name(name): name for name in files if name not in BY_URL}


MODULES = modules_in()
# The modules in a folder (the private space's and what it stands on: vault/, backup/, private/,
# screens/, shared/) are cached the first time a private page or a before-session card is opened
# (with the network), so that everything those pages import opens offline from then on (issues
# 3 and 4), not at install: a first visit to the app stays light (issue 13). The top-level ones
# are for pages that never open offline (a training-day room, the sign-in and account pages'
# passkeys), and so is the new-partnership conversation, which shares answers with the co-worker.
NETWORK_ONLY = {"screens/conversation"}
PRIVATE_SHELL = [
    filename for name, filename in MODULES.items() if "/" in filename and name not in NETWORK_ONLY
]


@cache
def _fingerprint(static_folder: str, filename: str) -> str:
    return hashlib.sha256((Path(static_folder) / filename).read_bytes()).hexdigest()[:12]


@bp.app_template_global("asset")
def asset_url(filename: str) -> str:
    """A URL that changes whenever the file does, so it can be cached for a year.

    Built once per file and app: every page asks for six of these (docs/benchmarks.md)."""
    urls = current_app.extensions.setdefault("asset_urls", {})
    if filename not in urls:
        version = _fingerprint(current_app.static_folder, filename)
        urls[filename] = url_for("static", filename=filename, v=version)
    return urls[filename]


def import_map() -> tuple[str, str]:
    """The import map's JSON, exactly as every page sends it, and its CSP source expression.

    Built once per app, like the URLs in it. The page outputs this very string, so the hash the
    Content-Security-Policy allows (by hash alone, nothing inline wholesale) is the hash of what
    the browser reads."""
    built = current_app.extensions.get("import_map")
    if built is None:
        imports = {name: asset_url(filename) for name, filename in MODULES.items()}
        # "<" escaped: the JSON sits inside a <script> element, so it can never close it.
        text = json.dumps({"imports": imports}, separators=(",", ":")).replace("<", "\\u003c")
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        built = current_app.extensions["import_map"] = (text, f"'sha256-{digest}'")
    return built


@bp.app_template_global("import_map")
def import_map_json() -> str:
    return import_map()[0]


def shell_version() -> str:
    joined = "".join(asset_url(name) for name in SHELL + PRIVATE_SHELL)
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


@bp.get("/manifest.webmanifest")
def manifest():
    shortcut_icon = [{"src": asset_url("icons/icon-192.png"), "sizes": "192x192"}]
    body = {
        # The app's identity for the browser: stays "/" even if start_url ever changes.
        "id": "/",
        "lang": str(get_locale() or "en"),
        "name": _("Practitioner wellbeing"),
        "short_name": _("Wellbeing"),
        "description": _("Prepare, co-work and take care of yourself in perpetrator programmes."),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": asset_url("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": asset_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": asset_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": asset_url("icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        # Shown by the browser's install dialog; phone-sized copies of docs/screenshots.
        "screenshots": [
            {
                "src": asset_url(f"screenshots/{name}.png"),
                "sizes": "360x640",
                "type": "image/png",
                "form_factor": "narrow",
                "label": label,
            }
            for name, label in (
                ("card", _("Tonight's card, offline once opened")),
                ("private", _("Your private space, encrypted on your phone")),
                ("support", _("Support, one tap away")),
            )
        ],
        # A long press on the installed icon. Tonight's card goes to the person's own card
        # (pwa.tonight), which the service worker also opens offline.
        "shortcuts": [
            {"name": _("Tonight's card"), "url": url_for("pwa.tonight"), "icons": shortcut_icon},
            {
                "name": _("Support"),
                "url": url_for("organisation.support_show"),
                "icons": shortcut_icon,
            },
            {"name": _("Join a room"), "url": url_for("line.join_show"), "icons": shortcut_icon},
        ],
    }
    return current_app.response_class(json.dumps(body), mimetype="application/manifest+json")


def card_pattern() -> str:
    """The before-session cards' paths as a JavaScript regular expression's source, and (issue
    22) the pages for the women's support service, which open offline once opened like the card:
    they hold only the organisation's content and dates, nobody's words."""
    card = url_for("coworking.card_show", pair_id=987654321)
    card = re.escape(card).replace("987654321", r"\d+").replace("/", r"\/")
    womens = url_for("safety.womens_page", key="KEY987654321")
    womens = re.escape(womens).replace("KEY987654321", r"[a-z_]+").replace("/", r"\/")
    return f"^(?:{card}|{womens})$"


def guidelines_pattern() -> str:
    """The module's pages a person reads (not the timing forms), as a regular
    expression's source: kept once visited, so a run sheet's notes open offline (issue 23)."""
    start = re.escape(url_for("module.module_show")).replace("/", r"\/")
    return "^" + start + r"(?:[^\/]+(?:\/print)?|activities\/[^\/]+)?$"


def worker_script() -> str:
    """The service worker as the app sends it: templates/pwa/sw.js filled in with this app's
    URLs. A Jinja template, so `make lint` has Biome lint what this returns (`flask pwa worker`)."""
    return render_template(
        "pwa/sw.js",
        version=shell_version(),
        shell=[asset_url(name) for name in SHELL] + [url_for("pwa.offline")],
        private_shell=[asset_url(name) for name in PRIVATE_SHELL],
        offline=url_for("pwa.offline"),
        private=url_for("private.vault_show"),
        card=card_pattern(),
        guidelines=guidelines_pattern(),
        tonight=url_for("pwa.tonight"),
        signout=url_for("accounts.signout"),
        person_header=PERSON_HEADER,
    )


@bp.cli.command("worker")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def worker_command(path):
    """Writes the service worker as the app sends it to PATH, for Biome to lint (make lint)."""
    with current_app.test_request_context():
        Path(path).write_text(worker_script())


@bp.get("/sw.js")
def sw():
    script = worker_script()
    # The browser must check for a new worker on every visit (no stale app shell), and an
    # unchanged worker answers 304 to its ETag (issue 23): a check costs a few hundred bytes.
    # Compressed, the ETag gains "-br" or "-gz" (wellbeing/compression.py); any one matches.
    etag = hashlib.sha256(script.encode()).hexdigest()[:24]
    for known in compression.etags(etag):
        if request.if_none_match.contains(known):
            response = current_app.response_class(status=304)
            response.set_etag(known)
            break
    else:
        response = current_app.response_class(script, mimetype="text/javascript")
        response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline():
    # Precached by the service worker, so it must hold nobody's data: shell_only hides it.
    # What this phone can open offline is listed by static/app.js from the worker's caches.
    return render_template("pwa/offline.html", shell_only=True)


@bp.get("/install")
def install():
    """How to put the app on the home screen: iPhone's Share menu, Android's install."""
    return render_template("pwa/install.html")


@bp.get("/tonight")
@login_required
def tonight():
    """The manifest's "Tonight's card" shortcut: the card of the person's one open pair, or
    home to choose when there are several (or none). Offline the worker opens the card kept."""
    from ..permissions import pairs_of

    open_pairs = [pair for pair in pairs_of() if not pair["ended_at"]]
    if current_user.has_role("facilitator") and len(open_pairs) == 1:
        return redirect(url_for("coworking.card_show", pair_id=open_pairs[0]["id"]))
    return redirect(url_for("home.home"))


# --- who is signed in on this phone, for the service worker (issue 21, H1) --------------
# Every page says who it was made for: a mark per person, the same on every page of theirs
# and meaning nothing outside this server (an HMAC of their id). The worker keeps each
# person's private pages in a cache named by their mark, and drops every other person's
# cache as soon as a page names someone else or nobody. So any end of a sign-in (sign-out,
# expiry, a reset, a switch-off, a deletion, another person signing in) clears the pages the
# next time the phone loads a page. docs/design.md "No signal".
PERSON_HEADER = "Wellbeing-Person"


def person_mark(person=None) -> str:
    """The person's mark (the signed-in person's by default), or "" for nobody."""
    person = person or current_user
    if not person.is_authenticated:
        return ""
    # A key derived for this job alone (wellbeing/keys.py), never the secret key itself.
    digest = hmac.new(
        current_app.extensions["mark_key"], f"sw-person:{person.id}".encode(), hashlib.sha256
    )
    return "p" + digest.hexdigest()[:24]


@bp.app_template_global("sw_person")
def sw_person() -> str:
    return person_mark()


@bp.after_app_request
def name_the_person(response):
    """Every page tells the worker who it was made for; the offline page (nobody's) does not.

    Only when the request already knows who is signed in (every page built from base.html
    asks): looking it up here could fail after the response was made, e.g. a busy database's
    503 page, and a page that never asked says nothing."""
    person = g.get("_login_user")
    if person is not None and response.mimetype == "text/html":
        if request.endpoint != "pwa.offline":
            response.headers[PERSON_HEADER] = person_mark(person) or "nobody"
    return response
