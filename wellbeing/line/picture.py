"""The room's combined picture, laid out on the server and drawn as SVG by the templates.

docs/design.md: charts of shared data are drawn on the server as SVG. The picture never says where
the line of abusiveness is: "You do not need to define where the line of abusiveness is for all
examples" (guidelines, Is this always abusive?). So there is no marker, colour or label for a
'right answer': only where people are.
"""

from bisect import bisect_left
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
# The stretches of the line: the one definition of them, for the words a phone says for a place
# (here, and static/room.js, which reads PLACES from the place page's data-places), the
# projector's counts and the summary's. Each stretch has its name on the projector and the
# summary, and the words a phone says for the places in it, each with the highest place they
# cover: the stretch's own name, or a point inside it said more exactly ("At" an end, "Very
# near" it, "In the middle"), so a phone never tells a person words the projector counts
# elsewhere.
STRETCHES = (
    ("at_or_near_always", ((0, "at_always"), (200, "near_always"))),
    ("nearer_always", ((400, "nearer_always"),)),
    ("around_middle", ((499, "around_middle"), (500, "middle"), (600, "around_middle"))),
    ("nearer_never", ((800, "nearer_never"),)),
    ("at_or_near_never", ((LINE_END - 1, "near_never"), (LINE_END, "at_never"))),
)
BANDS = len(STRETCHES)
# The highest place in each stretch, and each of the phone's words with the highest place it covers.
BAND_LAST = tuple(places[-1][0] for _name, places in STRETCHES)
PLACES = tuple(place for _name, places in STRETCHES for place in places)
PLACE_LAST = tuple(last for last, _key in PLACES)


def x_of(position: int) -> float:
    return MARGIN + position * (WIDTH - 2 * MARGIN) / LINE_END


def band_of(position: int) -> int:
    return min(BANDS - 1, bisect_left(BAND_LAST, position))


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


def phrases(words: dict) -> dict[str, str]:
    """The words of STRETCHES, in the page's language, with the content's ends of the line."""
    ends = {"always": words["always"], "never": words["never"]}
    return {
        "at_always": _("At “%(always)s”", **ends),
        "near_always": _("Very near “%(always)s”", **ends),
        "at_or_near_always": _("At or near “%(always)s”", **ends),
        "nearer_always": _("Nearer “%(always)s”", **ends),
        "around_middle": _("Around the middle"),
        "middle": _("In the middle"),
        "nearer_never": _("Nearer “%(never)s”", **ends),
        "near_never": _("Very near “%(never)s”", **ends),
        "at_or_near_never": _("At or near “%(never)s”", **ends),
        "at_never": _("At “%(never)s”", **ends),
    }


def place_words(position: int | None, words: dict) -> str:
    """Words for a place, as the phone says it (static/room.js reads them from place_stops)."""
    if position is None:
        return _("Not placed yet")
    _last, key = PLACES[min(len(PLACES) - 1, bisect_left(PLACE_LAST, position))]
    return phrases(words)[key]


def place_stops(words: dict) -> list[tuple[int, str]]:
    """The phone's words with the highest place each covers, for static/room.js (data-places)."""
    said = phrases(words)
    return [(last, said[key]) for last, key in PLACES]


def band_names(words: dict) -> list[str]:
    said = phrases(words)
    return [said[name] for name, _places in STRETCHES]


@lru_cache(maxsize=64)
def qr_code(link: str) -> Markup:
    """The join link as an inline SVG QR code, drawn here so no other site sees the link."""
    svg = segno.make(link, error="m").svg_inline(scale=1, border=2, omitsize=True, dark="#000")
    label = escape(_("QR code that opens the join page for this room"))
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))
