"""Passkeys (WebAuthn, issue 15): a person adds them on their account page and signs in with one.

Plain functions around the `webauthn` package. The server keeps only each passkey's public key
and counter. Challenges are kept here too (never in the cookie): each is used at most once and
refused after CHALLENGE_SECONDS, so a recorded sign-in can't be played back.

The relying party id and origin come from WELLBEING_WEBAUTHN_RP_ID and WELLBEING_WEBAUTHN_ORIGIN;
without them, from WELLBEING_BASE_URL (required in production); without that, in development,
the host the request came to (so `localhost` works). A passkey is bound to the site's name for
good (docs/operations.md "Passkeys: the relying party").
"""

import json
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import webauthn
from flask import current_app, request
from webauthn.helpers import bytes_to_base64url, options_to_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .. import limits
from ..clock import later, moment, now
from ..db import first_row, rows, storable, writing

# A challenge older than this is refused: long enough to find the phone's fingerprint reader.
CHALLENGE_SECONDS = 120
NAME_LENGTH = 60


# Challenges one client address may ask for in this window: PASSKEY_CHALLENGES_PER_ADDRESS
# (wellbeing/settings.py; issue 21, L6: 255 anonymous writes a second were accepted).
CHALLENGE_WINDOW_MINUTES = 10


class Refused(Exception):
    """The browser's answer proved no passkey: an expired challenge, a bad signature..."""


class TooMany(Exception):
    """This address asked for too many challenges in the window."""


def relying_party() -> tuple[str, str]:
    """(rp id, origin): WELLBEING_WEBAUTHN_RP_ID and _ORIGIN if set, else WELLBEING_BASE_URL's
    host name and origin, else (in development only) the request's own host."""
    config = current_app.config
    base = urlsplit(config.get("BASE_URL") or request.host_url)
    rp_id = config.get("WEBAUTHN_RP_ID") or base.hostname
    origin = config.get("WEBAUTHN_ORIGIN") or f"{base.scheme}://{base.netloc}"
    return rp_id, origin


# --- challenges ------------------------------------------------------------------------------


def issue_challenge(purpose: str, user_id: int | None = None) -> tuple[str, bytes]:
    """A new random challenge, kept by a random id; old ones are swept away at the same time
    (by `created_at`, indexed). Raises TooMany when this address has asked for too many."""
    challenge_id, challenge = secrets.token_urlsafe(24), secrets.token_bytes(32)
    oldest = later(seconds=-CHALLENGE_SECONDS)
    counted = "challenge::" + limits.address()
    allowed = int(current_app.config["PASSKEY_CHALLENGES_PER_ADDRESS"])
    with writing() as db:
        if limits.over(counted, allowed, CHALLENGE_WINDOW_MINUTES):
            raise TooMany(counted)
        limits.count_against(counted)
        db.execute("delete from webauthn_challenges where created_at < ?", [oldest])
        db["webauthn_challenges"].insert(
            {
                "id": challenge_id,
                "challenge": challenge,
                "user_id": user_id,
                "purpose": purpose,
                "created_at": now(),
            }
        )
    return challenge_id, challenge


def take_challenge(challenge_id, purpose: str, user_id: int | None = None) -> bytes:
    """The challenge, deleted as it is read (single use, even when the answer then fails).
    Refused when unknown, for another purpose or person, or older than CHALLENGE_SECONDS."""
    if not isinstance(challenge_id, str):
        raise Refused("no challenge")
    with writing() as db:
        row = first_row("select * from webauthn_challenges where id = ?", [challenge_id])
        db.execute("delete from webauthn_challenges where id = ?", [challenge_id])
    if row is None:
        raise Refused("unknown or used challenge")
    made = datetime.fromisoformat(row["created_at"])
    if moment() - made > timedelta(seconds=CHALLENGE_SECONDS):
        raise Refused("expired challenge")
    if row["purpose"] != purpose or row["user_id"] != user_id:
        raise Refused("challenge for something else")
    return row["challenge"]


# --- adding a passkey ------------------------------------------------------------------------


def registration_options(person) -> dict:
    """What navigator.credentials.create() needs, plus the challenge's id to send back."""
    rp_id, _origin = relying_party()
    challenge_id, challenge = issue_challenge("register", person.id)
    options = webauthn.generate_registration_options(
        rp_id=rp_id,
        rp_name="Practitioner wellbeing",
        user_name=person.email,
        user_display_name=person.name,
        # Not the email: the authenticator keeps this, and it needn't say who someone is.
        user_id=f"user-{person.id}".encode(),
        challenge=challenge,
        timeout=CHALLENGE_SECONDS * 1000,
        # A discoverable credential, so sign-in needs no email: one touch.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(p["credential_id"]))
            for p in passkeys_of(person.id)
        ],
    )
    return {"challengeId": challenge_id, "publicKey": json.loads(options_to_json(options))}


def clean_name(name) -> str:
    name = " ".join(str(name or "").split())[:NAME_LENGTH]
    return name or "A passkey"


def add(person, answer: dict) -> dict:
    """Checks the browser's answer to the registration challenge and keeps the new passkey."""
    rp_id, origin = relying_party()
    challenge = take_challenge(answer.get("challengeId"), "register", person.id)
    try:
        verified = webauthn.verify_registration_response(
            credential=answer.get("credential"),
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as error:
        raise Refused(str(error)) from error
    with writing() as db:
        credential_id = bytes_to_base64url(verified.credential_id)
        if first_row("select id from passkeys where credential_id = ?", [credential_id]):
            raise Refused("this passkey is already added")
        passkey = {
            "user_id": person.id,
            "credential_id": credential_id,
            "public_key": verified.credential_public_key,
            "sign_count": verified.sign_count,
            "name": clean_name(answer.get("name")),
            "created_at": now(),
        }
        passkey["id"] = db["passkeys"].insert(passkey).last_pk
    return passkey


# --- signing in ------------------------------------------------------------------------------


def signin_options() -> dict:
    """For navigator.credentials.get(): no list of credentials, so the phone offers its own."""
    rp_id, _origin = relying_party()
    challenge_id, challenge = issue_challenge("signin")
    options = webauthn.generate_authentication_options(
        rp_id=rp_id,
        challenge=challenge,
        timeout=CHALLENGE_SECONDS * 1000,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return {"challengeId": challenge_id, "publicKey": json.loads(options_to_json(options))}


def verify_signin(answer: dict) -> dict:
    """The signed-in person's users row, for an assertion by one of their passkeys. The passkey's
    counter and last use are updated in the same transaction. Raises Refused."""
    rp_id, origin = relying_party()
    credential = answer.get("credential")
    credential_id = credential.get("id") if isinstance(credential, dict) else None
    challenge = take_challenge(answer.get("challengeId"), "signin")
    if not isinstance(credential_id, str):
        # A list or an object here reached SQLite as a parameter: a 500 (issue 21, L1).
        raise Refused("no credential id")
    with writing() as db:
        passkey = first_row(
            "select passkeys.* from passkeys join users on users.id = passkeys.user_id"
            " where credential_id = ? and users.deleted_at is null",
            [credential_id],
        )
        if passkey is None:
            raise Refused("unknown passkey")
        try:
            verified = webauthn.verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=rp_id,
                expected_origin=origin,
                credential_public_key=passkey["public_key"],
                credential_current_sign_count=passkey["sign_count"],
                require_user_verification=True,
            )
        except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as error:
            raise Refused(str(error)) from error
        db["passkeys"].update(
            passkey["id"], {"sign_count": verified.new_sign_count, "last_used_at": now()}
        )
    return first_row("select * from users where id = ?", [passkey["user_id"]])


# --- a person's own passkeys ---------------------------------------------------------------


def passkeys_of(user_id: int) -> list[dict]:
    """A person's passkeys, without the public keys, oldest first."""
    return rows(
        "select id, credential_id, name, created_at, last_used_at from passkeys"
        " where user_id = ? order by created_at, id",
        [user_id],
    )


def remove(user_id: int, passkey_id: int) -> bool:
    """Removes one of the person's own passkeys; someone else's id removes nothing."""
    if not storable(passkey_id):
        return False
    with writing() as db:
        gone = db.execute(
            "delete from passkeys where id = ? and user_id = ?", [passkey_id, user_id]
        )
    return gone.rowcount == 1
