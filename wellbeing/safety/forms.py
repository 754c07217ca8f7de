"""The safety question's forms. Every field is a date, a time or a choice from a fixed list:
there is no text field, so no client detail can be typed into the app (docs/design.md "Her
safety first")."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from .. import clock, content
from ..forms import Length

PAST = timedelta(days=366)


def choices(kind: str) -> list[SelectChoice]:
    return [SelectChoice(item["id"], item["text"]) for item in content.safety()[kind]]


def not_in_future(form, field):
    if field.data and field.data > clock.local_now().replace(tzinfo=None) + timedelta(days=1):
        raise ValidationError(_l("That is still to come. When was it passed on?"))
    if field.data and field.data < clock.local_now().replace(tzinfo=None) - PAST:
        raise ValidationError(_l("Please give a date in the last year."))


class PassingOnForm(FlaskForm):
    """To which service, how and when: "by whom" is the person who sends the form."""

    to = SelectField(_l("To which service"), choices=choices("services"), default="womens_service")
    how = SelectField(_l("How"), choices=choices("ways"), default="phone")
    at = DateTimeLocalField(
        _l("When (leave empty for now)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional(), not_in_future],
    )
    # The day of the group the concern came from (the view sets it): a concern can't have
    # been passed on before it was heard, and the record may one day be read in court.
    evening = None

    def validate_at(self, field):
        if field.data and self.evening and field.data.date() < self.evening:
            raise ValidationError(
                _l("That is before the group the concern came from. When was it passed on?")
            )


class SafetyAnswerForm(PassingOnForm):
    held_on = DateField(
        _l("Date of the group"), validators=[InputRequired(_l("Please give the date."))]
    )
    answer = RadioField(
        content.safety()["question"]["text"],
        choices=[SelectChoice(a["id"], a["text"]) for a in content.safety()["question"]["answers"]],
        validators=[InputRequired(_l("Please choose one answer."))],
    )

    @property
    def evening(self):
        return self.held_on.data

    def validate_held_on(self, field):
        if field.data and abs(clock.today() - field.data) > PAST:
            raise ValidationError(_l("Please give a date in the last year."))


class SummaryForm(FlaskForm):
    """An admin's own plain-language summary of a session, for the women's support service."""

    summary = TextAreaField(
        _l("What the session covers, in plain language"),
        validators=[
            DataRequired(_l("Please fill this in, or go back to this app's wording.")),
            Length(max=3000, message=_l("Please keep it shorter.")),
        ],
    )
