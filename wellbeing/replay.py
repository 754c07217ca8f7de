"""A kept page sent again without Flask's request cycle (issue 26: home ÷ hello ≥ 0.5).

The signed-in home is kept whole (wellbeing/drawn.py `page`), yet Flask's cycle around it, from
reading the request and loading the person to the after-request steps that add headers, ETag,
masking and the session, was most of a kept home's 0.30 ms in-process.

So, in front of Flask, each answer that sent a kept page is kept too, under everything the
request that got it sent: its path, its address and every header, cookies and all
(`request_key`; only Connection and Keep-Alive are left out, which say nothing of what is
asked). The same request again is answered the same way, without Flask, once these
are checked afresh, as Flask's cycle would check them:

1. the session cookie would still pass its check: the signing keys are the ones it passed
   with (any change of keys goes to Flask), and it is within its lifetime (wellbeing/sessions.py
   `still_signed`);
2. the sign-in it names is still good, by Flask-Login's own loader (`load_user`): not signed
   out, reset, run out or switched off; and
3. the page's key (drawn.py `page_key`), worked out afresh for that person from the database
   and the clock (their versions, the day, the zone, the stretch of their form tokens' time),
   is the key the page was kept under (`Offer.still_sent`).

It never writes: a request whose view would write something beside drawing (the supervisor's
look, logged once an hour for each pair, coworking/oversight.py `log_looks`) goes to Flask.

Anything else, and anything that goes wrong on the way, goes to Flask, which draws, checks and
answers as always. What is sent is what Flask sent: its status and headers as they were
(Content-Length aside), and the page with its form tokens masked afresh, compressed again
when that answer was.

Only an answer Flask's own cycle marked as a kept page, sent whole, is kept (drawn.py
`answer_conditionally`): a GET with no query, a 200 with no Set-Cookie (a session that
changed, a message shown once, a sign-in made fresh: all set a cookie). No answer is ever
sent to a request that differs from the one that got it in any header (another person's
cookie, another language, an If-None-Match), so nothing one person was sent reaches another.
"""

from flask import Flask

from .accounts import load_user
from .compression import page_bytes
from .drawn import OFFERED, Offer
from .formtokens import masked_join
from .sessions import still_signed

# Not part of what a client asked for: a new connection or not.
UNASKED = ("HTTP_CONNECTION", "HTTP_KEEP_ALIVE")


class Answer:
    """An answer Flask gave: the page it sent (`offer`), its status and its headers, in their
    order, with the place of its Content-Length."""

    __slots__ = ("offer", "status", "headers", "length_at", "coding")

    def __init__(self, offer: Offer, status: str, headers: list[tuple[str, str]]):
        self.offer, self.status, self.headers = offer, status, list(headers)
        names = [name.lower() for name, _ in headers]
        self.length_at = names.index("content-length")
        self.coding = (
            headers[names.index("content-encoding")][1] if "content-encoding" in names else None
        )

    def headers_for(self, body: bytes) -> list[tuple[str, str]]:
        headers = list(self.headers)
        headers[self.length_at] = (headers[self.length_at][0], str(len(body)))
        return headers


def request_key(environ: dict) -> tuple | None:
    """Everything a request asks with, or None for one never answered again (not a GET, or
    with a query)."""
    if environ["REQUEST_METHOD"] != "GET" or environ.get("QUERY_STRING"):
        return None
    return (
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ["wsgi.url_scheme"],
        environ.get("REMOTE_ADDR"),
        environ.get("CONTENT_TYPE"),
        environ.get("CONTENT_LENGTH"),
        *sorted(
            (name, value)
            for name, value in environ.items()
            if name.startswith("HTTP_") and name not in UNASKED
        ),
    )


class Replay:
    """The WSGI app in front of Flask's (`init_app`)."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.sent = 0  # answers sent again (tests count them)

    def __call__(self, environ, start_response):
        key = request_key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        answers = self.app.extensions["kept_answers"]
        answer = answers.peek(key)
        if answer is not None:
            body = self.again(answer)
            if body is not None:
                self.sent += 1
                start_response(answer.status, answer.headers_for(body))
                return [body]
            answers.drop(key)  # stale: Flask answers, and keeps its answer if it may
        heard = []

        def listen(status, headers, exc_info=None):
            heard[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, listen)
        offer = environ.get(OFFERED)
        if offer is not None and heard and heard[0].startswith("200 "):
            status, headers = heard
            names = {name.lower() for name, _ in headers}
            if "set-cookie" not in names and "content-length" in names:
                answers.put(key, Answer(offer, status, headers))
        return body

    def again(self, answer: Answer) -> bytes | None:
        """The page to send again, or None if Flask must answer (see the module's docstring)."""
        offer = answer.offer
        if not still_signed(self.app, offer.signed):
            return None
        try:
            with self.app.app_context():
                person = load_user(offer.signin)
                if person is None or not offer.still_sent(person):
                    return None
        except Exception:  # Flask answers, and says so as it always does (a busy database: 503)
            self.app.logger.warning("A kept answer was not sent again", exc_info=True)
            return None
        body = masked_join(*offer.page.pieces)
        return page_bytes(body, answer.coding) if answer.coding else body


def init_app(app: Flask):
    app.wsgi_app = Replay(app, app.wsgi_app)
