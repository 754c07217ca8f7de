"""Flask's signed session cookie, each cookie's check kept (issue 26).

A signed-in person's every request sends the same cookie until their session changes. Checking
its signature, undoing its compression and reading its JSON took 28 µs of a kept home's 400
(7%) in-process, on every request. Here a cookie that passed the check is kept, with the moment
it was signed, in a bounded LRU in each worker; each later request with the very same cookie
checks only its age, against the same lifetime, as the check itself would, and reads its JSON
into a session of its own.

What this does not change: a cookie is kept only after Flask's own check passed, for the current
key and its fallbacks (a new key checks everything again), so a forged or altered cookie is
checked and refused on every request, exactly as before. A session's content is never shared
between requests: each gets its own, read from the kept JSON. Whether the sign-in it names is
still valid (signed out, reset, switched off) is checked on every request, in the database
(wellbeing/people/signins.py `load_person`), as before.
"""

import time
from functools import lru_cache

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

# Cookies kept per worker: a training day's 1,000 phones each have one, beside the staff.
CHECKED = 4096


class CheckedOnceSessions(SecureCookieSessionInterface):
    def open_session(self, app, request):
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        keys = signing_keys(app)
        try:
            content, signed_at = self.checked(keys, cookie)
        except BadSignature:
            return self.session_class()
        if not within_lifetime(app, signed_at):
            return self.session_class()
        opened = self.session_class(self.serializer.loads(content))
        # How this cookie passed: wellbeing/replay.py asks again whether it still would.
        opened.signed = (keys, signed_at)
        return opened

    @lru_cache(maxsize=CHECKED)  # noqa: B019 (one instance per app, for the app's lifetime)
    def checked(self, keys: tuple, cookie: str) -> tuple[str, int]:
        """The cookie's content as JSON, and when it was signed; BadSignature if it fails the
        check (not kept: a failure is checked again next time)."""
        content, signed_at = self.signer(keys).loads(cookie, return_timestamp=True)
        return self.serializer.dumps(content), int(signed_at.timestamp())

    def signer(self, keys: tuple) -> URLSafeTimedSerializer:
        """Flask's serializer, built as Flask 3.1's `get_signing_serializer` builds it, for these
        keys (the last is the current one, the others its fallbacks): that method reads them from
        the app, and the kept check is keyed by the keys themselves."""
        return URLSafeTimedSerializer(
            list(keys),
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )


def signing_keys(app) -> tuple:
    """The keys a cookie may be signed with: the fallbacks, then the current one."""
    return (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)


def within_lifetime(app, signed_at: int) -> bool:
    """itsdangerous's own test of a signature's age, in whole seconds."""
    age = int(time.time()) - signed_at
    return 0 <= age <= int(app.permanent_session_lifetime.total_seconds())


def still_signed(app, signed: tuple) -> bool:
    """Whether a cookie that passed (`signed`, as open_session kept it) would pass now."""
    keys, signed_at = signed
    return keys == signing_keys(app) and within_lifetime(app, signed_at)


def init_app(app):
    app.session_interface = CheckedOnceSessions()
