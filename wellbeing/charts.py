"""Charts of shared data, drawn on the server as SVG (DESIGN: architecture).

Built as strings here rather than in a Jinja macro: the supervisor's home draws a strip for
every pair (issue 5: 50 supervisees), and a macro per square was most of that page's time.
Every value in the markup is a number, a date or a fixed class name, and text is escaped.
"""

from markupsafe import Markup, escape

WEEK = 22  # one week's square, in px
GAP = 6
STATUSES = ("done", "missed", "this-week")


def rhythm_figure(weeks: list[dict], chart_id: str, said: dict) -> Markup:
    """The check-in weeks as squares (done filled, missed hollow, this week dashed: CSS), a
    legend, and the same weeks as a list for screen readers. `said` holds the words: `title`
    and one per status (`done`, `missed`, `this-week`)."""
    wide = max(len(weeks), 1) * (WEEK + GAP)
    title_id = f"{escape(chart_id)}-title"
    squares = "".join(
        f'<rect class="week-{week["status"]}" x="{n * (WEEK + GAP) + 2}" y="2"'
        f' width="{WEEK}" height="{WEEK}" rx="5"></rect>'
        for n, week in enumerate(weeks)
    )
    legend = "".join(
        f'<li><span class="key week-{status}" aria-hidden="true"></span>{escape(said[status])}</li>'
        for status in STATUSES
    )
    spoken = "".join(
        f"<li>{week['week'].isoformat()}: {escape(said[week['status']])}</li>" for week in weeks
    )
    return Markup(
        f'<figure class="rhythm"><svg class="rhythm-strip" viewBox="0 0 {wide} {WEEK + 4}"'
        f' width="{wide}" height="{WEEK + 4}" role="img" aria-labelledby="{title_id}">'
        f'<title id="{title_id}">{escape(said["title"])}</title>{squares}</svg>'
        f'<figcaption><ul class="rhythm-legend">{legend}</ul>'
        # The same weeks as text, for screen readers: the picture alone says nothing to them.
        f'<ul class="visually-hidden">{spoken}</ul></figcaption></figure>'
    )


def init_app(app):
    app.add_template_global(rhythm_figure)
