"""Her safety first (issue 22; docs/design.md "Her safety first").

- The debrief's safety question: after a group, did anything tonight raise a concern for the
  safety of a partner, a child or anyone else? (Respect §4.4.) One answer per pair and evening
  (checks.py). The app holds no client data: there is no free text for it anywhere, only that a
  concern was raised and when, how, to which kind of service and by whom it was passed on.
- "Not yet passed on" stays on both partners' home screens until one of them marks it passed on.
- The pair sees it; their supervisor when the pair shares "sessions"; the admin sees counts.
- The helplines for the men, printed as a poster for the group room (seed 000's note for
  facilitators in "Learning about sex").
- For each Sexual Respect session, a page for the women's support service: what it covers, how
  men may misuse it (Respect §1.5.1, §5.4.1), and when the organisation's groups run it. The
  women's support worker role reads these pages and nothing of pairs, supervision or private
  space.
"""

from flask import Blueprint

bp = Blueprint("safety", __name__)

from . import routes  # noqa: E402, F401
