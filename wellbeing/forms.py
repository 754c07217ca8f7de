"""Form fields shared by more than one blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

MIN_PASSWORD = 10
# Enough to catch typos; an address is only ever a sign-in name here, never mailed.
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def new_password_fields():
    """A new password and its confirmation, with the same rules everywhere."""
    password = PasswordField(
        _l("Choose a password"),
        validators=[
            InputRequired(_l("Please choose a password.")),
            Length(
                min=MIN_PASSWORD,
                max=256,
                message=_l("Use at least %(n)s characters.", n=MIN_PASSWORD),
            ),
        ],
        description=_l("At least %(n)s characters. A short sentence works well.", n=MIN_PASSWORD),
    )
    confirm = PasswordField(
        _l("Type it again"),
        validators=[EqualTo("password", _l("The two passwords don't match."))],
    )
    return password, confirm
