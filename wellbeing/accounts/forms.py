from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp

from ..forms import EMAIL, Length, new_password_fields


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email"), validators=[InputRequired(_l("Please enter your email.")), Length(max=254)]
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Please enter your password.")), Length(max=1024)],
    )


class InvitationAcceptForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        # DataRequired: a name of only spaces would be stored as an empty name.
        validators=[DataRequired(_l("Please tell us your name.")), Length(max=80)],
        description=_l("Shown to colleagues in your organisation."),
    )
    email = EmailField(
        _l("Email"),
        validators=[
            InputRequired(_l("Please enter your email.")),
            Regexp(EMAIL, message=_l("That doesn't look like an email address.")),
            Length(max=254),
        ],
        description=_l("You sign in with this. We never send you email."),
    )
    password, confirm = new_password_fields()


class PasswordResetForm(FlaskForm):
    password, confirm = new_password_fields()


class AccountDeleteForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Please type your password to confirm.")), Length(max=1024)],
        description=_l("So that nobody else can delete your account from a phone left open."),
    )


class RecheckForm(FlaskForm):
    """Issue 21, H2: the password once more, before adding a passkey."""

    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Please type your password.")), Length(max=1024)],
        description=_l("So that nobody else can add a passkey from a phone left open."),
    )


class GenderForm(FlaskForm):
    # Respect §4.9 "a mixed gender team": each worker's own, optional entry (issue 24).
    gender = RadioField(
        _l("Your gender (optional)"),
        choices=[
            SelectChoice("", _l("I'd rather not say")),
            SelectChoice("woman", _l("Woman")),
            SelectChoice("man", _l("Man")),
            SelectChoice("own", _l("I describe it another way")),
        ],
        default="",
        validators=[Optional()],
    )
