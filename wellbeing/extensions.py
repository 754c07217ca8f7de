"""Flask extensions, created here so blueprints can import them without a cycle."""

from flask_babel import Babel
from flask_htmx import HTMX

from .formtokens import MaskedCSRFProtect

# Flask-WTF's check, on form tokens masked afresh on every response (wellbeing/formtokens.py).
csrf = MaskedCSRFProtect()
htmx = HTMX()
babel = Babel()
