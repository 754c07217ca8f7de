"""Flask extensions, created here so blueprints can import them without a cycle."""

from flask_babel import Babel
from flask_htmx import HTMX
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
htmx = HTMX()
babel = Babel()
