"""Charts of shared data, drawn on the server as SVG (docs/design.md: architecture).

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


# A session's shape: one bar 100 units wide, a segment per activity as wide as its minutes.
SHADES = 4


def session_figure(steps: list[dict], chart_id: str, title: str) -> Markup:
    """The running activities of a session as one bar (issue 12: "pictures where people would
    rather look than read"), with the same steps as a list for screen readers."""
    whole = sum(step["minutes"] for step in steps) or 1
    x, segments = 0.0, []
    for n, step in enumerate(steps):
        wide = 100 * step["minutes"] / whole
        segments.append(
            f'<rect class="shade-{n % SHADES}" x="{x:.2f}" y="0" width="{wide:.2f}" height="10">'
            f"<title>{escape(step['title'])}: {step['minutes']}</title></rect>"
        )
        x += wide
    title_id = f"{escape(chart_id)}-title"
    spoken = "".join(f"<li>{escape(s['title'])}: {s['minutes']}</li>" for s in steps)
    return Markup(
        f'<figure class="session-shape"><svg viewBox="0 0 100 10" preserveAspectRatio="none"'
        f' role="img" aria-labelledby="{title_id}"><title id="{title_id}">{escape(title)}</title>'
        f'{"".join(segments)}</svg><ul class="visually-hidden">{spoken}</ul></figure>'
    )


def init_app(app):
    app.add_template_global(rhythm_figure)
    app.add_template_global(session_figure)
