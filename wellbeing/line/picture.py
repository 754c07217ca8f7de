"""The room's combined picture, laid out on the server and drawn as SVG by the templates.

docs/design.md: charts of shared data are drawn on the server as SVG. The picture never says where
the line of abusiveness is: "You do not need to define where the line of abusiveness is for all
examples" (guidelines, Is this always abusive?). So there is no marker, colour or label for a
'right answer': only where people are.
"""

from collections import Counter, deque
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import count

import segno
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .rooms import LINE_END, THRESHOLD

# The picture's own units (its viewBox); it scales to the projector's width.
WIDTH = 1000
MARGIN = 30
# Five stretches of the line, for the words that go with a place and the summary's counts.
BANDS = 5


def x_of(position: int) -> float:
    return MARGIN + position * (WIDTH - 2 * MARGIN) / LINE_END


def band_of(position: int) -> int:
    return min(BANDS - 1, position * BANDS // (LINE_END + 1))


def band_counts(positions: list[int]) -> list[int]:
    counts = [0] * BANDS
    for position in positions:
        counts[band_of(position)] += 1
    return counts


@dataclass
class Strip:
    """Dots stacked along the line, one per person, none hiding another."""

    dots: list[tuple[float, float]] = field(default_factory=list)
    radius: int = 14
    height: int = 80
    axis: float = 60

    def circles(self) -> Markup:
        """The dots as SVG. Written here, not in the template: the template escaped three
        attributes a dot, 3,000 for a room of 1,000, half the time of each projector answer;
        they are numbers, which need no escaping."""
        r = self.radius
        return Markup(
            "".join(
                f'<circle class="room-dot" cx="{x:.1f}" cy="{y:.1f}" r="{r}"/>'
                for x, y in self.dots
            )
        )


def strip(positions: list[int]) -> Strip:
    radius = 14 if len(positions) <= 60 else 9
    gap = 2 * radius + 2
    taken: list[tuple[float, int]] = []
    # Left to right, each dot takes the lowest level free of the dots less than a gap to its
    # left: only those can touch it. Looking at every dot placed before made a room of 1,000
    # take half a million steps for each picture (docs/benchmarks.md); the window keeps it to
    # the few dots nearby.
    window: deque[tuple[float, int]] = deque()
    near = Counter()  # the window's dots by level, counted as they come and go
    for position in sorted(positions):
        x = x_of(position)
        while window and x - window[0][0] >= gap:
            near[window.popleft()[1]] -= 1
        level = next(n for n in count() if not near[n])
        near[level] += 1
        taken.append((x, level))
        window.append((x, level))
    levels = max((level for _, level in taken), default=0) + 1
    height = levels * gap + 40
    axis = height - 30
    dots = [(x, axis - radius - 2 - level * gap) for x, level in taken]
    return Strip(dots=dots, radius=radius, height=height, axis=axis)


@dataclass
class Moves:
    """Second round: a line from each person's place before the discussion to after it."""

    lines: list[tuple[float, float]]
    after_only: list[float]
    before_y: int = 40
    after_y: int = 200
    height: int = 240
    moved: int = 0


def moves(pairs: list[tuple[int, int]], after: list[int]) -> Moves:
    """`after` is every second-round place; people who placed only then get a dot alone."""
    lines = [(x_of(before), x_of(later)) for before, later in pairs]
    paired_after = sorted(later for _, later in pairs)
    remaining = list(after)
    for later in paired_after:
        if later in remaining:
            remaining.remove(later)
    moved = sum(1 for before, later in pairs if before != later)
    return Moves(lines=lines, after_only=[x_of(p) for p in remaining], moved=moved)


def enough(count: int, threshold: int = THRESHOLD) -> bool:
    """k-anonymity for a room: nothing is drawn or counted by place below its threshold
    (THRESHOLD unless the trainer raised it)."""
    return count >= max(threshold, THRESHOLD)


def place_words(position: int | None, words: dict) -> str:
    """Words for a place, as the phone's screen reader says it (static/room.js does the same)."""
    if position is None:
        return _("Not placed yet")
    ends = {"always": words["always"], "never": words["never"]}
    if position == 0:
        return _("At “%(always)s”", **ends)
    if position <= 150:
        return _("Very near “%(always)s”", **ends)
    if position < 500:
        return _("Nearer “%(always)s”", **ends)
    if position == 500:
        return _("In the middle")
    if position < 850:
        return _("Nearer “%(never)s”", **ends)
    if position < LINE_END:
        return _("Very near “%(never)s”", **ends)
    return _("At “%(never)s”", **ends)


def band_names(words: dict) -> list[str]:
    ends = {"always": words["always"], "never": words["never"]}
    return [
        _("At or near “%(always)s”", **ends),
        _("Nearer “%(always)s”", **ends),
        _("Around the middle"),
        _("Nearer “%(never)s”", **ends),
        _("At or near “%(never)s”", **ends),
    ]


@lru_cache(maxsize=64)
def qr_code(link: str) -> Markup:
    """The join link as an inline SVG QR code, drawn here so no other site sees the link."""
    svg = segno.make(link, error="m").svg_inline(scale=1, border=2, omitsize=True, dark="#000")
    label = escape(_("QR code that opens the join page for this room"))
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))
