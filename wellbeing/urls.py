"""Links without values, built once: templates ask for the same few on every page.

Flask's `url_for` builds a link through the URL map each time; the page chrome and the home
page ask for a dozen that never change (`url_for('home.home')`), which was a tenth of the
home page's server time. A link with values, relative to a blueprint, or for another host is
built by Flask as before.
"""

from flask import current_app, request, url_for


def external_url(endpoint: str, **values) -> str:
    """A link to send to someone (an invitation, a reset, a room's join link): built from
    WELLBEING_BASE_URL, never from the Host header a request happened to carry (issue 21, L3).
    Without it, in development only (`check_production` requires it elsewhere), the request's
    own host."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, **values, _external=True)


def init_app(app):
    built = {}

    def cached_url_for(endpoint, **values):
        if values or endpoint.startswith("."):
            return url_for(endpoint, **values)
        # The script root is part of the link when the app is served below a path prefix.
        key = (endpoint, request.script_root)
        if key not in built:
            built[key] = url_for(endpoint)
        return built[key]

    app.jinja_env.globals["url_for"] = cached_url_for
