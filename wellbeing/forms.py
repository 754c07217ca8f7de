"""Form fields shared by more than one blueprint."""

import sys

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, ValidationError, validators
from wtforms.validators import EqualTo, InputRequired
from zxcvbn import zxcvbn

MIN_PASSWORD = 10


def whole_number(text: str | None, low: int, high: int) -> int | None:
    """A whole number typed or sent in a form, within [low, high], or None. isdecimal, not
    isdigit: "2²" is a digit to Python but not a number to int()."""
    text = (text or "").strip()
    if not text.isdecimal() or len(text) > 19:
        return None
    number = int(text)
    return number if low <= number <= high else None


class NumberRange(validators.NumberRange):
    """wtforms' own, for a whole number of any size. Its check asks math.isnan(), which raises
    OverflowError for a number too large for a float: a 320-digit "minutes" was a 500 (the
    fuzzer, tests/test_fuzz.py). Such a number is compared as the whole number it is."""

    def __call__(self, form, field):
        data = field.data
        if not (isinstance(data, int) and abs(data) > sys.float_info.max):
            return super().__call__(form, field)
        if (self.min is None or data >= self.min) and (self.max is None or data <= self.max):
            return None
        message = self.message or field.gettext("Number must be between %(min)s and %(max)s.")
        raise ValidationError(message % {"min": self.min, "max": self.max})


class Length(validators.Length):
    """wtforms' own, without the `maxlength` it puts on the input. A browser cuts a pasted text
    at `maxlength` without a word (a tester's 2,300-character check-in answer arrived as 2,000),
    where this check answers "Please keep it shorter" with every word typed still there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_flags.pop("maxlength", None)


# Enough to catch typos; an address is only ever a sign-in name here, never mailed.
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


# zxcvbn's score, 0 to 4: 3 is "safely unguessable" against an online attack that is slowed
# down (zxcvbn's own scale). It runs here, with its own word lists: no network.
MIN_STRENGTH = 3


def hard_to_guess(form, field):
    """Refuse a password that zxcvbn rates easy to guess (issue 11: `aaaaaaaaaa` got in). The
    person's own name and email count as easy words."""
    if not field.data or len(field.data) < MIN_PASSWORD:
        return  # the length rule already says what to do
    own_words = [
        getattr(form, name).data or "" for name in ("name", "email") if hasattr(form, name)
    ]
    # zxcvbn refuses more than 72 characters; the first 72 of a long password say enough.
    if zxcvbn(field.data[:72], user_inputs=own_words)["score"] < MIN_STRENGTH:
        raise ValidationError(
            _l(
                "That password would be easy for someone else to guess. Try three or four"
                " words that don't belong together, like a short sentence only you would write."
            )
        )


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
            hard_to_guess,
        ],
        description=_l("At least %(n)s characters. A short sentence works well.", n=MIN_PASSWORD),
    )
    confirm = PasswordField(
        _l("Type it again"),
        validators=[EqualTo("password", _l("The two passwords don't match."))],
    )
    return password, confirm
