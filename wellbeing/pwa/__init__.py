"""The installable app shell: manifest, service worker, offline page, versioned assets."""

import base64
import hashlib
import json
import re
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _

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
# from "vault"`. This one list feeds the import map in every page's head (base.html), the
# Content-Security-Policy's hash of that map (security.py), and the service worker's precache.
# PRIVATE_MODULES are cached the first time a private page or a before-session card is opened
# (with the network), so that everything those pages import opens offline from then on
# (issues 3 and 4), not at install: a first visit to the app stays light (issue 13).
PRIVATE_MODULES = {
    # The private space's start and the Lock button, on every facilitator's page.
    "exercises": "exercises.js",
    "session": "session.js",  # the vault this page opened, the Lock button and the idle lock
    # The vault: its API, then its format, cryptography, database, export file and merging.
    "vault": "vault.js",
    "vault-format": "vault-format.js",
    "vault-crypto": "vault-crypto.js",
    "vault-store": "vault-store.js",
    "vault-file": "vault-file.js",
    "vault-merge": "vault-merge.js",
    "vault-unlocks": "vault-unlocks.js",  # a passkey's and the recovery key's wraps (issue 15)
    # The encrypted server backup (restore on a new phone), and how two phones' copies merge.
    "backup": "backup.js",
    "backup-merge": "backup-merge.js",
    # What the screens share, then one module per screen (data-private="<screen>").
    "screens/shared": "screens/shared.js",
    "screens/forms": "screens/forms.js",
    "screens/record": "screens/record.js",
    "screens/vault": "screens/vault.js",  # and the recovery sheet
    # Issue 15: every way to open the vault, and passkeys (sign-in, and the PRF unlock).
    "screens/unlocks": "screens/unlocks.js",
    "passkeys": "passkeys.js",
    "screens/server-backup": "screens/server-backup.js",
    "screens/shoulds": "screens/shoulds.js",
    "screens/prompts": "screens/prompts.js",
    "screens/checklist": "screens/checklist.js",  # the discomfort checklist
    "screens/checklist-history": "screens/checklist-history.js",
    "screens/line": "screens/line.js",  # "Is this always abusive?" on your own
    "screens/stance": "screens/stance.js",  # the stance check
    # The before-session card's own flagged situations: the card opens offline (issue 4).
    "screens/card": "screens/card.js",
}
# For pages that never open offline, so never precached: the new-partnership conversation (it
# shares answers with the co-worker) and a training-day room.
NETWORK_MODULES = {"screens/conversation": "screens/conversation.js", "room": "room.js"}
MODULES = PRIVATE_MODULES | NETWORK_MODULES
PRIVATE_SHELL = list(PRIVATE_MODULES.values())


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
    body = {
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


@bp.get("/sw.js")
def sw():
    script = render_template(
        "pwa/sw.js",
        version=shell_version(),
        shell=[asset_url(name) for name in SHELL] + [url_for("pwa.offline")],
        private_shell=[asset_url(name) for name in PRIVATE_SHELL],
        offline=url_for("pwa.offline"),
        private=url_for("exercises.vault_show"),
        card=card_pattern(),
    )
    response = current_app.response_class(script, mimetype="text/javascript")
    # The browser must check for a new worker on every visit (no stale app shell).
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline():
    # Precached by the service worker, so it must hold nobody's data: shell_only hides it.
    return render_template("pwa/offline.html", shell_only=True)
