"""A page and its htmx update come from the same template, so they cannot drift apart."""

from flask import render_template
from jinja2_fragments.flask import render_block

from .extensions import htmx


def render_page_or_block(template: str, block: str, status: int = 200, **context):
    """The whole page for a normal or boosted request; only `block` for an htmx update."""
    if htmx and not htmx.boosted:
        return render_block(template, block, **context), status
    return render_template(template, **context), status
