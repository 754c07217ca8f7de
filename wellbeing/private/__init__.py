"""Private preparation exercises, kept in the worker's own vault (issue 3).

docs/design.md "The data rule": everything a worker writes here is private. It is encrypted in the
browser by static/vault/ and kept in IndexedDB on their own phone. The server renders only the
page chrome: these views take no form data, and nothing private is ever sent to them. The
optional server backup (backup.py) receives only the vault's export file: ciphertext.
"""

import re

from flask import Blueprint, make_response, render_template
from flask_login import current_user
from markupsafe import Markup, escape

from .. import content
from ..permissions import role_required

bp = Blueprint("private", __name__, url_prefix="/private")
STARRED = re.compile(r"\*([^*]+)\*")
# Set once "Why this matters" has been shown on this device, so that the way in from home goes
# straight to the exercises afterwards. It says only that the page was seen: no data.
WHY_SEEN = "why_seen"

# The encrypted server backup of the vault lives in backup.py, on this blueprint.
from . import backup  # noqa: E402, F401


@bp.app_template_filter("emphasis")
def emphasis(text: str) -> Markup:
    """The guidelines' *stressed* words, as <em>: "Which ideas would you have *chosen*?"."""
    return Markup(STARRED.sub(r"<em>\1</em>", str(escape(text))))


@bp.get("/")
@role_required("facilitator")
def vault_show():
    return render_template("private/vault.html", guidelines=content.guidelines())


@bp.get("/why")
@role_required("facilitator")
def why_show():
    # Issue 12: the guidelines' "Impacts on practitioners" and what they mean by trauma, shame
    # and guilt, shown once before the private exercises (home links here until it has been
    # seen), always skippable, and linked from the private space to come back to.
    page = render_template("private/why.html", why=content.guidelines()["why_this_matters"])
    response = make_response(page)
    response.set_cookie(WHY_SEEN, "1", max_age=400 * 24 * 3600, httponly=True, samesite="Lax")
    return response


@bp.get("/recovery-sheet")
@role_required("facilitator")
def recovery_sheet_show():
    return render_template("private/recovery_sheet.html")


@bp.get("/shoulds")
@role_required("facilitator")
def shoulds_show():
    # The guidelines' wording comes from the content file, never from the template.
    return render_template("private/shoulds.html", shoulds=content.guidelines()["shoulds"])


# The guidelines' wording for each page below comes from the content file, never the template.


@bp.get("/learning-about-sex")
@role_required("facilitator")
def learning_about_sex_show():
    # Guidelines, "Exercises for worker preparation and ongoing wellbeing": Learning about sex.
    exercise = content.guidelines()["learning_about_sex"]
    return render_template("private/learning_about_sex.html", exercise=exercise)


@bp.get("/painful-points")
@role_required("facilitator")
def painful_points_show():
    # Guidelines, "Exercises for worker preparation and ongoing wellbeing": Know your painful
    # points. The 1-5 discomfort checklist that follows it there is an exercise of its own.
    exercise = content.guidelines()["painful_points"]
    return render_template("private/painful_points.html", exercise=exercise)


@bp.get("/checklist")
@role_required("facilitator")
def checklist_show():
    # Guidelines, "Know your painful points": "go through the checklist of these below and scale
    # from 1-5 how uncomfortable they would be for you". The situations are the organisation's
    # adapted list; the worker's own situations and every rating stay in their vault.
    situations = content.entries(current_user.org_id, "situation")
    exercise = content.guidelines()["checklist"]
    return render_template("private/checklist.html", exercise=exercise, situations=situations)


@bp.get("/norms")
@role_required("facilitator")
def norms_show():
    # Guidelines, "Norms, expectations and beliefs": identity and power, the elephant in the
    # room, culture.
    return render_template("private/norms.html", exercise=content.guidelines()["norms"])


@bp.get("/line")
@role_required("facilitator")
def line_show():
    # Guidelines, "Scrutinise your beliefs and expectations": Is this always abusive?, done on
    # your own. The practices are the organisation's adapted list ("Feel free to add and remove
    # practices"), with their footnotes.
    practices = content.entries(current_user.org_id, "practice")
    exercise = content.guidelines()["solo_line"]
    return render_template("private/line.html", exercise=exercise, practices=practices)


@bp.get("/stance")
@role_required("facilitator")
def stance_show():
    # Guidelines, "Stance": the continuum of stance, its five columns, and the connecting and
    # grounding and leaning the other way lists.
    return render_template("private/stance.html", exercise=content.guidelines()["stance"])
