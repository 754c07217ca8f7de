"""The practitioner wellbeing and supervision app: application factory."""

import os
from pathlib import Path

from flask import Flask
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    accounts,
    charts,
    compression,
    coworking,
    db,
    errors,
    exercises,
    health,
    keys,
    line,
    organisation,
    pwa,
    safety,
    security,
    sessions,
    supervision,
    urls,
)
from .extensions import babel, csrf, htmx

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config=None):
    app = Flask(
        __name__,
        # Secrets and the database live here; WELLBEING_INSTANCE_PATH moves them (e.g. /srv).
        instance_path=os.environ.get("WELLBEING_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(
        DATABASE=str(Path(app.instance_path) / "wellbeing.db"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # A signed-in session lasts at most this long, even if never signed out.
        SESSION_LIFETIME_HOURS=14 * 24,
        # Sign-in rate limit: failures per window, per account (accounts/people.py).
        SIGNIN_WINDOW_MINUTES=15,
        SIGNIN_MAX_FAILURES_PER_EMAIL=5,
        # The session cookie only travels over HTTPS. `make run` (plain http on localhost)
        # sets WELLBEING_SESSION_COOKIE_SECURE=false; nothing else should (issue 11).
        SESSION_COOKIE_SECURE=True,
        INVITATION_DAYS=7,
        RESET_HOURS=24,
        # An expired form token should say "please try again", never crash.
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        BABEL_DEFAULT_LOCALE="en",
        # How many reverse proxies to believe X-Forwarded-* headers from (docs/operations.md).
        TRUSTED_PROXIES=0,
        # A training-day place commits without an fsync (wellbeing/line/rooms.py, place):
        # "NORMAL" survives a crash of the app, not a power cut. "FULL" for every write.
        PLACEMENT_SYNCHRONOUS="NORMAL",
    )
    # Deployment settings from the environment, e.g. WELLBEING_DATABASE=/srv/wellbeing.db.
    app.config.from_prefixed_env("WELLBEING")
    if test_config:
        app.config.update(test_config)
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    keys.load_instance_secrets(app)

    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app)
    use_source_text_when_untranslated(app)
    db.init_app(app)
    security.init_app(app)
    compression.init_app(app)
    errors.init_app(app)
    charts.init_app(app)
    urls.init_app(app)
    accounts.init_app(app)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(organisation.bp)
    app.register_blueprint(exercises.bp)
    app.register_blueprint(coworking.bp)
    app.register_blueprint(supervision.bp)
    app.register_blueprint(sessions.bp)
    app.register_blueprint(line.bp)
    app.register_blueprint(safety.bp)
    app.register_blueprint(pwa.bp)
    app.register_blueprint(health.bp)

    from . import cli

    cli.init_app(app)
    return app


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
