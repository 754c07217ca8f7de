"""The practitioner wellbeing and supervision app: application factory."""

import os
from pathlib import Path

from flask import Flask
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    accounts,
    charts,
    clock,
    compression,
    coworking,
    db,
    drawn,
    errors,
    formtokens,
    health,
    home,
    keys,
    line,
    module,
    organisation,
    private,
    pwa,
    replay,
    safety,
    security,
    sessions,
    settings,
    supervision,
    urls,
)
from .extensions import babel, csrf, htmx
from .private.backup import MAX_BODY_BYTES
from .version import VERSION as __version__

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config=None):
    app = Flask(
        __name__,
        # Secrets and the database live here; WELLBEING_INSTANCE_PATH moves them (e.g. /srv).
        instance_path=os.environ.get(settings.INSTANCE_PATH) or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # Every setting's default and meaning is in wellbeing/settings.py (docs/configuration.md).
    app.config.from_mapping(settings.defaults())
    app.config.from_mapping(
        DATABASE=str(Path(app.instance_path) / "wellbeing.db"),
        # Fixed, not settings: the session cookie is never readable by scripts nor sent on
        # cross-site requests, and the interface's source language is English.
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE="en",
        # The largest body any request may send: a private-space backup, at most 5 MB
        # (wellbeing/private/backup.py). Anything larger is refused before it is read.
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
    )
    # Deployment settings from the environment, e.g. WELLBEING_DATABASE=/srv/wellbeing.db.
    app.config.from_prefixed_env("WELLBEING")
    if test_config:
        app.config.update(test_config)
    check_production(app)
    # In front of Flask, behind ProxyFix: it sees the request as Flask would (wellbeing/replay.py).
    replay.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.jinja_env.globals["app_version"] = __version__
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    keys.load_instance_secrets(app)
    sessions.init_app(app)

    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, timezone_selector=clock.time_zone_of_request)
    use_source_text_when_untranslated(app)
    db.init_app(app)
    clock.init_app(app)
    security.init_app(app)
    compression.init_app(app)
    # After compression, so they run before it (Flask runs these in reverse): a page's ETag is
    # taken, then its form tokens are masked, then it may be compressed (issue 26).
    formtokens.init_app(app)
    drawn.init_app(app)
    errors.init_app(app)
    charts.init_app(app)
    urls.init_app(app)
    accounts.init_app(app)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(organisation.bp)
    app.register_blueprint(private.bp)
    app.register_blueprint(coworking.bp)
    app.register_blueprint(supervision.bp)
    app.register_blueprint(module.bp)
    app.register_blueprint(line.bp)
    app.register_blueprint(safety.bp)
    app.register_blueprint(pwa.bp)
    app.register_blueprint(health.bp)

    from . import cli

    cli.init_app(app)
    return app


class NotConfigured(RuntimeError):
    """A production setting is missing: the app refuses to start rather than guess."""


def check_production(app):
    """WELLBEING_TRUSTED_HOSTS and WELLBEING_BASE_URL, read and checked (issue 21, L3).

    Without TRUSTED_HOSTS, whatever Host header a request carries becomes the host of every
    link the app builds. So in production (the session cookie is Secure, and it is neither a
    test nor debug) both are required; `make run` (plain http on this machine) needs neither.
    A comma-separated list is accepted for TRUSTED_HOSTS as well as a JSON list."""
    hosts = app.config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        hosts = [host.strip() for host in hosts.split(",") if host.strip()]
    app.config["TRUSTED_HOSTS"] = hosts or None
    base_url = (app.config.get("BASE_URL") or "").rstrip("/") or None
    app.config["BASE_URL"] = base_url
    production = app.config["SESSION_COOKIE_SECURE"] and not app.config["TESTING"] and not app.debug
    if not production:
        return
    missing = [
        name
        for name, value in (("WELLBEING_TRUSTED_HOSTS", hosts), ("WELLBEING_BASE_URL", base_url))
        if not value
    ]
    if missing:
        raise NotConfigured(
            f"Set {' and '.join(missing)} (docs/operations.md, First deployment): the host"
            " names this server answers to, and the https address people open it at."
        )


def use_source_text_when_untranslated(app):
    """With no compiled translation, templates show the English source text as written.

    Flask-Babel looks up the locale and its catalogue again for every `_()` in a template;
    on the home page that was a fifth of the render time (docs/benchmarks.md). Once a
    translation is compiled into wellbeing/translations/, Flask-Babel's lookups are kept.
    """
    if any((Path(app.root_path) / "translations").glob("*/LC_MESSAGES/*.mo")):
        return

    # Plain functions in place of Jinja's newstyle wrappers (which pass the template context
    # to each call), with the same meaning: the source text is the template's own, so it is
    # Markup, and every value put into it is escaped (Markup's %), `num` included for ngettext.
    # Positional-only, so a template's own variable may be called `text`, `singular` or `n`.
    def gettext(text, /, **variables):
        # Without a % in it, formatting would change nothing, so it is skipped.
        return Markup(text) % variables if "%" in text else Markup(text)

    def ngettext(singular, plural, n, /, **variables):
        return gettext(singular if n == 1 else plural, num=n, **variables)

    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
