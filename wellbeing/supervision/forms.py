from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from ..forms import Length, NumberRange
from .record import MAX_NOTES


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AssignmentForm(FlaskForm):
    supervisor = SelectField(_l("Supervisor"), coerce=int)
    supervisee = SelectField(_l("Supervises"), coerce=int)


class ReviewForm(FlaskForm):
    kind = RadioField(
        _l("What would you like to do?"),
        choices=[
            SelectChoice("comment", _l("Comment")),
            SelectChoice("reviewed", _l("Mark this version reviewed")),
            SelectChoice("change", _l("Ask for a change")),
        ],
        validators=[InputRequired(_l("Choose one."))],
    )
    text = TextAreaField(
        _l("Your words to the pair"),
        description=_l("Needed for a comment or a change; optional when marking reviewed."),
        # No Optional(): it would stop validate_text from asking for words when they're needed.
        validators=[Length(max=2000, message=_l("Please keep it shorter."))],
    )

    def validate_text(self, field):
        if self.kind.data in ("comment", "change") and not (field.data or "").strip():
            raise ValidationError(_l("Please write what you'd like to say to the pair."))


class MeetingForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[InputRequired(_l("Please give the date."))])
    minutes = IntegerField(
        _l("How long, in minutes"),
        validators=[
            InputRequired(_l("Please say how long it was, in minutes.")),
            NumberRange(min=5, max=600, message=_l("Between 5 and 600 minutes, please.")),
        ],
    )
    format = RadioField(
        _l("Individual or group"),
        choices=[SelectChoice("individual", _l("Individual")), SelectChoice("group", _l("Group"))],
        default="individual",
        validators=[InputRequired(_l("Choose one."))],
    )
    supervisees = CheckboxesField(
        _l("Who was there"), coerce=int, validators=[InputRequired(_l("Choose at least one."))]
    )
    areas = CheckboxesField(_l("Which areas did it cover? (Respect standards §3.13)"))
    notes = TextAreaField(
        _l("Notes (optional)"),
        description=_l(
            "Encrypted at rest. The people you supervise can read the notes about them, "
            "unless you mark them for you only; then they see that a note exists."
        ),
        validators=[Optional(), Length(max=MAX_NOTES, message=_l("Please keep it shorter."))],
    )
    supervisor_only = BooleanField(_l("Notes for me only"))
    # Respect §3.13: "aside from line management with appropriate external supervisors".
    # Not required: an unsaid answer is kept as unsaid.
    external = RadioField(
        _l("Was this supervision external to line management?"),
        choices=[
            SelectChoice("yes", _l("Yes, external to line management")),
            SelectChoice("no", _l("No, within line management")),
        ],
        validators=[Optional()],
    )

    def validate_supervisees(self, field):
        if self.format.data == "individual" and len(field.data or []) > 1:
            raise ValidationError(_l("An individual session is with one person."))


class TrainingForm(FlaskForm):
    # Respect §3.12's topics; the choices come from the content (supervision/training.py).
    topics = CheckboxesField(_l("Training you have had"))


class TargetForm(FlaskForm):
    minutes = IntegerField(
        _l("Monthly target, in minutes"),
        description=_l("At least 90 (1.5 hours), the Respect minimum. Newer staff need more."),
        validators=[
            InputRequired(_l("Please give a number of minutes.")),
            NumberRange(min=90, max=2400, message=_l("Between 90 and 2400 minutes, please.")),
        ],
    )
