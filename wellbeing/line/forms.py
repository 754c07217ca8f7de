from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Optional, Regexp

from ..forms import Length, NumberRange
from .rooms import CONTROLS, MAX_MINUTES, MAX_RETENTION_DAYS, MAX_THRESHOLD, THRESHOLD

# A whole number that SQLite can hold; anything else is simply not a valid value.
BIG = 2**62


class OpenRoomForm(FlaskForm):
    # A fresh value on each page, so two taps on "Open a room" open one room.
    opened_with = HiddenField(validators=[InputRequired(), Length(min=8, max=64)])


class JoinForm(FlaskForm):
    code = StringField(
        _l("Room code"),
        validators=[InputRequired(_l("Please type the code shown on the projector."))],
        description=_l("The letters and numbers on the projector, for example K7PMXA."),
    )


class ControlForm(FlaskForm):
    action = StringField(validators=[InputRequired(), Regexp(f"^({'|'.join(CONTROLS)})$")])
    # What the room looked like when the button was shown: a second tap changes nothing.
    stage = IntegerField(validators=[Optional(), NumberRange(0, BIG)])
    minutes = IntegerField(
        _l("Minutes for the small groups"),
        validators=[
            Optional(),
            NumberRange(
                1, MAX_MINUTES, message=_l("Choose between 1 and %(n)s minutes.", n=MAX_MINUTES)
            ),
        ],
    )
    threshold = IntegerField(
        _l("Show places only once this many have placed"),
        validators=[Optional(), NumberRange(THRESHOLD, MAX_THRESHOLD)],
    )


class RetentionForm(FlaskForm):
    days = IntegerField(
        _l("Delete training-day rooms after this many days"),
        validators=[
            InputRequired(_l("Please give a number of days.")),
            NumberRange(
                1,
                MAX_RETENTION_DAYS,
                message=_l("Choose between 1 and %(n)s days.", n=MAX_RETENTION_DAYS),
            ),
        ],
        description=_l(
            "Everything in a room is deleted this long after it was opened:"
            " the practices, who joined and every place."
        ),
    )
