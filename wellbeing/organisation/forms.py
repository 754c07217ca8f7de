from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp

from .. import standards
from ..forms import EMAIL, Length, NumberRange

ROLE_CHOICES = [
    SelectChoice("facilitator", _l("Facilitator: runs groups, prepares, co-works")),
    SelectChoice("supervisor", _l("Supervisor: reviews what pairs choose to share")),
    SelectChoice("admin", _l("Admin: invites people and adapts content")),
    SelectChoice(
        "womens_support",
        _l(
            "Women's support worker: reads what each session covers and how men may misuse"
            " it; sees nothing of pairs, supervision or anyone's private space"
        ),
    ),
]


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class InvitationForm(FlaskForm):
    email = StringField(
        _l("Their email (optional)"),
        validators=[
            Optional(),
            Regexp(EMAIL, message=_l("That doesn't look like an email address.")),
            Length(max=254),
        ],
        description=_l("Only this address can use the link, and they sign in with it."),
    )
    name = StringField(
        _l("Their name (optional)"),
        # No longer than the name they join with (accounts/forms.py), which it fills in.
        validators=[Optional(), Length(max=80)],
        description=_l("So you can tell the links apart. They can change it."),
    )
    roles = CheckboxesField(
        _l("Roles"),
        choices=ROLE_CHOICES,
        validators=[InputRequired(_l("Choose at least one role."))],
    )


class EntryForm(FlaskForm):
    def entry_fields(self) -> dict:
        """What is stored for an entry: every field but the form token, trimmed."""
        return {
            name: (field.data or "").strip()
            for name, field in self._fields.items()
            if name != "csrf_token"
        }


def text_field(label, required=True, max_length=300, area=False):
    # DataRequired, not InputRequired: text of only spaces would be stored as an empty entry.
    validators = [DataRequired(_l("Please fill this in."))] if required else [Optional()]
    validators.append(Length(max=max_length, message=_l("Please keep it shorter.")))
    return (TextAreaField if area else StringField)(label, validators=validators)


class PracticeForm(EntryForm):
    text = text_field(_l("Practice"))
    note = text_field(_l("Definition or footnote (optional)"), required=False, area=True)


class SituationForm(EntryForm):
    text = text_field(_l("Situation"), max_length=600, area=True)


class SupportContactForm(EntryForm):
    text = text_field(_l("Name"), max_length=120)
    phone = StringField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            Regexp(r"^\+?[0-9 ()-]{3,25}$", message=_l("Use digits, spaces and + only.")),
        ],
    )
    link = StringField(
        _l("Web link (optional)"),
        validators=[
            Optional(),
            Regexp(r"^https://\S+$", message=_l("Use a full link starting with https://")),
            Length(max=300),
        ],
    )
    note = text_field(_l("When and for whom (optional)"), required=False, max_length=300)


class WomensServiceForm(EntryForm):
    """Issue 22: the women's support service that safety concerns are passed to."""

    text = text_field(_l("Name of the service"), max_length=120)
    phone = SupportContactForm.phone
    email = StringField(
        _l("Secure email (optional)"),
        validators=[
            Optional(),
            Regexp(EMAIL, message=_l("That doesn't look like an email address.")),
            Length(max=254),
        ],
    )
    note = text_field(_l("Hours (optional)"), required=False, max_length=300)


class MenHelplineForm(EntryForm):
    """Issue 22: helplines for the men, printed as a poster for the group room."""

    text = text_field(_l("Name"), max_length=120)
    phone = SupportContactForm.phone
    link = SupportContactForm.link
    note = text_field(_l("When and for whom (optional)"), required=False, max_length=300)


# The form for each kind of organisation content.
KIND_FORMS = {
    "practice": PracticeForm,
    "situation": SituationForm,
    "support_contact": SupportContactForm,
    "womens_service": WomensServiceForm,
    "men_helpline": MenHelplineForm,
}


class StandardsForm(FlaskForm):
    """How the organisation reads the Respect standards where they leave it a choice (issue 24,
    wellbeing/standards.py). Each choice is shown beside the standard's own words."""

    mentoring_reading = RadioField(
        _l("Mentoring (§3.12): “at least 6 months or 26 sessions”"),
        choices=[
            SelectChoice(
                "at_least", _l("At least both: 6 months and 26 sessions (this app's reading)")
            ),
            SelectChoice("either", _l("Either: 6 months or 26 sessions, whichever comes first")),
        ],
        validators=[InputRequired(_l("Choose one."))],
    )
    mentoring_target_minutes = IntegerField(
        _l("Monthly supervision target while in mentoring, in minutes (§3.13)"),
        description=_l("Inexperienced staff will require more than 90 minutes. 120 is 2 hours."),
        validators=[
            InputRequired(_l("Please give a number of minutes.")),
            NumberRange(min=90, max=2400, message=_l("Between 90 and 2400 minutes, please.")),
        ],
    )
    group_supervision_counts = RadioField(
        _l("How a group supervision session counts for each person in it"),
        choices=[
            SelectChoice("full", _l("In full for each person")),
            SelectChoice("shared", _l("Shared between the people in it")),
        ],
        validators=[InputRequired(_l("Choose one."))],
    )
    time_zone = SelectField(
        _l("Your organisation's time zone"),
        description=_l("Today, and the Monday a week starts on, are the days where you are."),
        choices=[SelectChoice(name, name.replace("_", " ")) for name in standards.TIME_ZONES],
        # DataRequired, not InputRequired: a form sent without a zone keeps the organisation's.
        validators=[DataRequired(_l("Choose one."))],
    )
