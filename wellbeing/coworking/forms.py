from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from .. import content
from ..forms import Length, NumberRange
from .checkins import MAX_ANSWER, MAX_REPLY

QUESTIONS = content.guidelines()["coworking"]["checkin"]

WEEKDAYS = [
    SelectChoice(0, _l("Monday")),
    SelectChoice(1, _l("Tuesday")),
    SelectChoice(2, _l("Wednesday")),
    SelectChoice(3, _l("Thursday")),
    SelectChoice(4, _l("Friday")),
    SelectChoice(5, _l("Saturday")),
    SelectChoice(6, _l("Sunday")),
]


class PairInvitationForm(FlaskForm):
    colleague = SelectField(
        _l("Who would you like to co-work with?"),
        coerce=int,
        validators=[InputRequired(_l("Choose a colleague."))],
    )
    name = StringField(
        _l("Name your pair"),
        description=_l("Usually the group you run together, e.g. “Tuesday evening group”."),
        validators=[
            DataRequired(_l("Please give the pair a name.")),
            Length(max=80, message=_l("Please keep it under 80 characters.")),
        ],
    )


def answer_box(label, max_length):
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=max_length, message=_l("Please keep it shorter."))],
    )


class CheckinForm(FlaskForm):
    # Guidelines, Support and supervision: "What would you want more of from me?" and "What
    # would you want less of from me?". Blank is a fine answer: "Nothing this week".
    # The labels are the guidelines' questions, read from the content (en.json coworking.checkin).
    more = answer_box(QUESTIONS["more"], MAX_ANSWER)
    less = answer_box(QUESTIONS["less"], MAX_ANSWER)


class CheckinReplyForm(FlaskForm):
    reply = StringField(
        _l("Reply"),
        description=_l("A few words, e.g. “thanks — I'll try that”."),
        validators=[
            DataRequired(_l("Please write a few words, or leave it.")),
            Length(max=MAX_REPLY, message=_l("Please keep it short.")),
        ],
    )


class CheckinDayForm(FlaskForm):
    day = SelectField(_l("Our check-in day"), coerce=int, choices=WEEKDAYS)


class ContextForm(FlaskForm):
    # Guidelines: "power dynamics (such as gender and experience) are inevitably at work".
    gender = RadioField(_l("Gender mix"), validators=[InputRequired(_l("Choose one."))])
    experience = RadioField(_l("Experience"), validators=[InputRequired(_l("Choose one."))])


class GroupLogForm(FlaskForm):
    held_on = DateField(
        _l("Date of the group"), validators=[InputRequired(_l("Please give the date."))]
    )
    with_experienced = BooleanField(_l("With an experienced co-worker"))
    # Issue 27: a random key made with the form, so a second send of it logs nothing more.
    key = HiddenField(validators=[Optional(), Length(min=8, max=64)])
    # Respect §4.9 (ideal 8-10, at most 12): optional, and more than 12 is accepted and
    # gently noted, never refused. The upper bound only catches a slip of the thumb.
    participants = IntegerField(
        _l("How many men took part (optional)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=99, message=_l("A number from 1 to 99, please.")),
        ],
    )


class SupervisionNoteForm(FlaskForm):
    # Issue 27: the debrief's "Anything to take to supervision?", kept for the writer alone
    # until they share it. Short: an agenda item, not a case note (no client details).
    text = TextAreaField(
        _l("To bring to supervision"),
        validators=[
            InputRequired(_l("Please write the note, or leave this for now.")),
            Length(max=500, message=_l("Please keep it under 500 characters.")),
        ],
    )
