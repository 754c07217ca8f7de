"""Form tokens masked afresh on every response (issue 26, "Bytes as sent").

Flask-WTF's form token is `payload.timestamp.signature` (itsdangerous): the payload is the
sign-in's raw token from the session, base64-encoded, the same bytes on every page of that
sign-in; the timestamp and the signature change once a second. Compressed beside text someone
else can choose, those repeating bytes are what a BREACH-style attack reads from the
compressed size (docs/operations.md "Compression and BREACH").

So no token leaves the server as itself. An HTML response sends it as
`base64url(mask + (mask XOR token))`, with a fresh random mask for each response: no byte of
it repeats between responses. Within one response every form carries the same masked token:
it is one random string the attacker can't know, so its repeats tell a compressed size
nothing, and they compress against each other (a fresh mask per form put the admin's people
page, with a form per person, over the 14 KB budget). A token sent back is
unmasked before Flask-WTF checks it (`MaskedCSRFProtect`), so its checks are unchanged: the
signature, the 8-hour limit (WTF_CSRF_TIME_LIMIT) and the match with the session's raw token.
An unmasked token (the passkey sign-in's JSON carries one) is still accepted: masking changes
what is sent, not what is valid.
"""

import base64
import re
import secrets
from functools import lru_cache

from flask import g, session
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer

# Where Flask-WTF keeps this request's token in `g`: its field name, which this app leaves at
# Flask-WTF's default (WTF_CSRF_FIELD_NAME is not a setting here).
FIELD = "csrf_token"
# Longer than any masked token (about 250 characters): anything longer is not unmasked.
MAX_SENT = 1024


def mask(token: str) -> str:
    plain = token.encode()
    pad = secrets.token_bytes(len(plain))
    hidden = (int.from_bytes(pad) ^ int.from_bytes(plain)).to_bytes(len(plain))
    return base64.urlsafe_b64encode(pad + hidden).rstrip(b"=").decode()


def unmask(sent: str) -> str:
    """The token a masked one hides; anything else as it came (Flask-WTF then refuses it, or
    accepts it as the plain token it is). A plain token has dots; base64url never does."""
    if not sent or "." in sent or len(sent) > MAX_SENT:
        return sent
    try:
        both = base64.urlsafe_b64decode(sent + "=" * (-len(sent) % 4))
    except ValueError:
        return sent
    half = len(both) // 2
    if not half or len(both) % 2:
        return sent
    pad, hidden = both[:half], both[half:]
    plain = (int.from_bytes(pad) ^ int.from_bytes(hidden)).to_bytes(half)
    try:
        return plain.decode("ascii")
    except UnicodeDecodeError:
        return sent


class MaskedCSRFProtect(CSRFProtect):
    """Flask-WTF's check of every POST, on the token as it was before masking.

    Every POST of this app is checked here before its view runs (none is exempt), and this
    marks the request valid (`g.csrf_valid`), so a form's own token field never checks the
    masked value itself."""

    def _get_csrf_token(self):
        return unmask(super()._get_csrf_token())


# What follows a token's payload: its timestamp and signature.
SIGNED_TAIL = re.compile(rb"\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def split_signed(body: bytes, payload: bytes) -> tuple[list[bytes], list[bytes]]:
    """`body` split at every token of this sign-in, whatever its timestamp (a page kept from an
    earlier request holds an older one): they share the payload. (texts, tokens), with one
    more text than tokens, the page being texts[0] + tokens[0] + texts[1] + …

    Found with `find`, not a pattern made from the payload: an anonymous phone's payload is new
    to each phone, and compiling a pattern for each one cost more than rendering its join
    page."""
    texts, tokens, start = [], [], 0
    at = body.find(payload)
    while at != -1:
        tail = SIGNED_TAIL.match(body, at + len(payload))
        if tail:
            texts.append(body[start:at])
            tokens.append(body[at : tail.end()])
            start = tail.end()
        at = body.find(payload, tail.end() if tail else at + 1)
    texts.append(body[start:] if start else body)
    return texts, tokens


def masked_join(texts: list[bytes], tokens: list[bytes]) -> bytes:
    """The page split by `split_signed` put together again, with one mask for each different
    token."""
    if not tokens:
        return texts[0]
    sent = {}
    parts = [texts[0]]
    for token, text in zip(tokens, texts[1:], strict=True):
        if token not in sent:
            sent[token] = mask(token.decode()).encode()
        parts += (sent[token], text)
    return b"".join(parts)


def mask_signed(body: bytes, payload: bytes) -> bytes:
    """Every token of this sign-in in `body` masked, with one mask for each different token."""
    return masked_join(*split_signed(body, payload))


def payload_of(token: str) -> bytes:
    """What every token of one sign-in starts with (its session's secret, signed)."""
    return token.split(".", 1)[0].encode()


# Flask-WTF's serializer, for its payload alone, which neither its key nor its salt changes.
PAYLOAD = URLSafeTimedSerializer("the payload is not signed")


def sign_in_payload() -> bytes | None:
    """What every form token of this session starts with, or None before it has a form secret.

    Read from the session when this response signed no token: a page kept whole
    (wellbeing/drawn.py `page`) holds the token of the response that drew it, and signing a
    new one only to learn its payload was a twentieth of a kept home's time (issue 26)."""
    if token := g.get(FIELD):
        return payload_of(token)
    secret = session.get(FIELD)
    return payload_of_secret(secret) if secret else None


@lru_cache(maxsize=4096)
def payload_of_secret(secret: str) -> bytes:
    """The same for every response of a session: its JSON, compressed where that is shorter and
    encoded, once, not for each of a room's thousand phones' polls (issue 26)."""
    return PAYLOAD.dump_payload(secret)


def mask_tokens(response):
    """Each token in an HTML response, masked afresh for this response (one mask for all its
    forms); `g.tokens_masked` then tells compression (wellbeing/compression.py) that no token
    is left as itself."""
    if response.mimetype != "text/html" or response.direct_passthrough:
        return response
    if response.status_code == 304:  # no body: a phone's poll of a room that has not changed
        return response
    if g.get("tokens_masked"):  # a page kept whole, masked from its pieces (wellbeing/drawn.py)
        return response
    payload = sign_in_payload()
    if payload:
        body = response.get_data()
        masked = mask_signed(body, payload)
        if masked is not body:
            response.set_data(masked)
    g.tokens_masked = True
    return response


def init_app(app):
    app.after_request(mask_tokens)
