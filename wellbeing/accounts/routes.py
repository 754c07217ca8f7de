import json

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from .. import people
from ..db import first_row, writing
from ..security import safe_next
from . import bp, passkeys
from .forms import (
    GenderForm,
    InvitationAcceptForm,
    PasswordResetForm,
    RecheckForm,
    SignInForm,
)


@bp.get("/account")
@login_required
def account_show():
    """Your own account: recent sign-ins and every password reset, with who made it."""
    return _account_page(RecheckForm(formdata=None))


def _account_page(check_form, status=200, **context):
    page = render_template(
        "accounts/account.html",
        signins=people.signins_of(current_user.id),
        resets=people.resets_of(current_user.id),
        current_signin=people.token_hash(current_user.signin_token),
        passkeys=passkeys.passkeys_of(current_user.id),
        recently_checked=people.recently_checked(current_user),
        check_form=check_form,
        **(context | {"gender_form": context.get("gender_form") or gender_form()}),
    )
    return page, status


@bp.post("/account/check")
@login_required
def account_check():
    """Issue 21, H2: the password typed again, so that a passkey can be added in the next
    few minutes. Wrong passwords count with sign-in failures, under the same limit."""
    form = RecheckForm()
    if not form.validate():
        return _account_page(form, 422)
    refusal = password_refusal(form.password.data)
    if refusal:
        form.password.errors.append(refusal[0])
        return _account_page(form, refusal[1])
    people.mark_checked(current_user.signin_token)
    minutes = current_app.config["RECENT_CHECK_MINUTES"]
    flash(_("Thank you. For %(n)s minutes you can add a passkey.", n=minutes), "success")
    return redirect(url_for("accounts.account_show") + "#passkeys-heading")


def password_refusal(password: str) -> tuple[str, int] | None:
    """The signed-in person's own password checked again (the re-check, deleting the
    account): None if right, else (message, status). Counted with sign-in failures, under the
    same per-account limit, so it is no faster a way to guess (issue 21, L4)."""
    email = current_user.email
    wait = people.signin_wait_minutes(email)
    if wait:
        message = _("Too many tries. For your safety, please wait %(n)s minutes.", n=wait)
        return str(message), 429
    if not people.check_password(people.find_by_email(email), password):
        people.record_signin_failure(email)
        return str(_("That isn't your password.")), 422
    people.clear_signin_failures(email)
    return None


def gender_form(formdata=None) -> GenderForm:
    person = first_row("select gender_sealed from users where id = ?", [current_user.id])
    return GenderForm(formdata=formdata, gender=people.gender_of(person))


@bp.post("/account/gender")
@login_required
@writing()
def gender_update():
    # Respect §4.9, issue 24: each worker's own optional entry; only "mixed or not" leaves here.
    form = gender_form(request.form)
    if not form.validate():
        return _account_page(RecheckForm(formdata=None), 422, gender_form=form)
    people.set_gender(current_user.id, form.gender.data or "")
    flash(_("Saved. Only you see it; your admins see only whether a pair is mixed."), "success")
    return redirect(url_for("accounts.account_show"), 303)


def json_answer() -> dict:
    """The JSON body a page's fetch() sent; anything else is a 400, nested too deep included
    (issue 21, L1: 50,000 levels raised a RecursionError, and a 500)."""
    try:
        answer = json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError):
        abort(400)
    if not isinstance(answer, dict):
        abort(400)
    return answer


def needs_recent_check():
    """Adding a passkey: only within RECENT_CHECK_MINUTES of a password or passkey check."""
    if not people.recently_checked(current_user):
        message = _("For your safety, please type your password again before adding a passkey.")
        abort(make_response(jsonify(error="check", message=str(message)), 403))


@bp.post("/account/passkeys/new")
@login_required
def passkey_register_options():
    """Issue 15: a challenge for navigator.credentials.create(), kept on the server."""
    needs_recent_check()
    try:
        return jsonify(passkeys.registration_options(current_user))
    except passkeys.TooMany:
        return too_many_challenges()


def too_many_challenges():
    message = _("Too many tries from here. Please wait a few minutes, or use your password.")
    return jsonify(error="too-many", message=str(message)), 429


@bp.post("/account/passkeys")
@login_required
def passkey_add():
    needs_recent_check()
    try:
        passkey = passkeys.add(current_user, json_answer())
    except passkeys.Refused:
        message = _("That passkey couldn't be added. Nothing was changed; please try again.")
        return jsonify(error="refused", message=message), 422
    return jsonify(id=passkey["id"], name=passkey["name"], credentialId=passkey["credential_id"])


@bp.post("/account/passkeys/<int:passkey_id>/remove")
@login_required
def passkey_remove(passkey_id):
    # Only the person's own: the delete names their id, so another's passkey id removes nothing.
    if passkeys.remove(current_user.id, passkey_id):
        flash(_("The passkey is removed. It can't sign in to your account any more."), "success")
    return redirect(url_for("accounts.account_show"))


@bp.get("/signin")
def signin_show():
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    return render_template("accounts/signin.html", form=SignInForm())


@bp.post("/signin")
def signin_submit():
    form = SignInForm()
    if not form.validate():
        return render_template("accounts/signin.html", form=form), 422
    email = form.email.data
    wait = people.signin_wait_minutes(email)
    if wait:
        message = _("Too many tries. For your safety, please wait %(n)s minutes.", n=wait)
        return render_template("accounts/signin.html", form=form, refusal=message), 429
    user = people.find_by_email(email)
    if not people.check_password(user, form.password.data):
        people.record_signin_failure(email)
        message = _("That email and password don't match. Please try again.")
        return render_template("accounts/signin.html", form=form, refusal=message), 422
    people.clear_signin_failures(email)
    if user["disabled_at"]:
        message = _("This account is switched off. Please talk to your organisation's admin.")
        return render_template("accounts/signin.html", form=form, refusal=message), 403
    sign_in(user)
    return redirect(safe_next(request.args.get("next")) or url_for("home.home"))


def new_form_token():
    """Issue 21, L5: a form token from before sign-in is no good after it. Flask-WTF keeps its
    secret in the session: a new one makes every token made before this moment fail."""
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)


def sign_in(user: dict):
    """A new sign-in kept on the server (so signing out revokes it), by password or by passkey."""
    # Issue 11, finding 3: a reset of their password is told once, at the next sign-in, with
    # who made the link; so is the removal of their passkeys (issue 21).
    reset = people.reset_untold(user["id"])
    browser = people.browser_of(request.headers.get("User-Agent", ""))
    new_form_token()
    login_user(people.load_person(people.start_signin(user["id"], browser)))
    removed = user.get("passkeys_removed_at")
    if removed and removed != user.get("passkeys_removal_told"):
        people.told_of_passkey_removal(user["id"], removed)
        because = user.get("passkeys_removed_because")
        flash(
            _(
                "Your passkeys were removed on %(date)s, when your password was reset. Add"
                " them again on your account page if you want them.",
                date=removed[:10],
            )
            if because == "reset"
            else _(
                "Your passkeys were removed on %(date)s, when your account was switched off."
                " Add them again on your account page if you want them.",
                date=removed[:10],
            ),
            "info",
        )
    if reset:
        people.told_of_resets(user["id"])
        flash(
            _(
                "Your password was reset on %(date)s with a link %(admin)s made. If you didn't"
                " ask for that, tell your organisation's admin. Your sign-ins are on your"
                " account page.",
                date=reset["used_at"][:10],
                admin=reset["made_by"] or _("an admin"),
            ),
            "info",
        )


@bp.post("/signin/passkey/options")
def passkey_signin_options():
    """Issue 15: a challenge for navigator.credentials.get(), kept on the server."""
    try:
        return jsonify(passkeys.signin_options())
    except passkeys.TooMany:
        return too_many_challenges()


@bp.post("/signin/passkey")
def passkey_signin():
    """The page's fetch() sends the passkey's answer; the page then goes on to `next` itself,
    keeping its memory (the vault's key, when the same touch opened it)."""
    try:
        user = passkeys.verify_signin(json_answer())
    except passkeys.Refused:
        message = _("That passkey didn't sign you in. Try again, or use your password.")
        return jsonify(error="refused", message=message), 422
    if user["disabled_at"]:
        message = _("This account is switched off. Please talk to your organisation's admin.")
        return jsonify(error="disabled", message=message), 403
    if current_user.is_authenticated:
        people.revoke_signin(current_user.signin_token)
    sign_in(user)
    # The vault's name (not secret) tells the page which private space this touch may open.
    vault = f"user-{user['id']}" if current_user.has_role("facilitator") else None
    return jsonify(
        next=safe_next(request.args.get("next")) or url_for("home.home"),
        vault=vault,
        # The form token changed at sign-in: the page sends the new one from now on.
        csrfToken=generate_csrf(),
    )


@bp.post("/signout")
def signout():
    if current_user.is_authenticated:
        people.revoke_signin(current_user.signin_token)
        logout_user()
    # The page this lands on tells the service worker to clear its caches.
    return redirect(url_for("accounts.signin_show", signed_out=1))


@bp.get("/invite/<token>")
def invitation_show(token):
    invitation = people.find_invitation(token)
    # What the admin typed starts the form off (the admin's form says "They can change it").
    # Only on GET: after a POST the form holds what the person typed, not these.
    form = InvitationAcceptForm(
        name=(invitation["name"] or "") if invitation else "",
        email=invitation["email"] if invitation else "",
    )
    return _invitation_page(invitation, form)


@bp.post("/invite/<token>")
def invitation_accept(token):
    invitation = people.find_invitation(token)
    form = InvitationAcceptForm()
    if invitation is None or current_user.is_authenticated or not form.validate():
        return _invitation_page(invitation, form, 422)
    if not people.invitation_is_for(invitation, form.email.data):
        # The admin named who this link is for (issue 11): a forwarded link can't be used.
        form.email.errors.append(
            _(
                "This invitation is for another email address."
                " Please ask your admin for your own link."
            )
        )
        return _invitation_page(invitation, form, 422)
    try:
        user_id = people.accept_invitation(
            invitation, form.email.data, form.name.data, form.password.data
        )
    except people.EmailTaken:
        form.email.errors.append(_("That email already has an account. Try signing in."))
        return _invitation_page(invitation, form, 422)
    except people.LinkInUse:
        return _invitation_page(invitation, form, 409, in_use=True)
    if user_id is None:  # someone used the link a moment earlier
        return _invitation_page(None, form)
    new_form_token()
    login_user(people.load_person(people.start_signin(user_id)))
    flash(_("Welcome, %(name)s.", name=form.name.data.strip()), "success")
    return redirect(url_for("home.home"))


def _invitation_page(invitation, form, status=200, in_use=False):
    status = 410 if invitation is None else status
    page = render_template(
        "accounts/invitation.html", invitation=invitation, form=form, in_use=in_use
    )
    return page, status


@bp.get("/reset/<token>")
def reset_show(token):
    return _reset_page(people.find_password_reset(token), PasswordResetForm())


@bp.post("/reset/<token>")
def reset_submit(token):
    reset = people.find_password_reset(token)
    form = PasswordResetForm()
    if reset is None or not form.validate():
        return _reset_page(reset, form, 422)
    try:
        if not people.use_password_reset(reset, form.password.data):
            return _reset_page(None, form)  # someone used the link a moment earlier
    except people.LinkInUse:
        return _reset_page(reset, form, 409, in_use=True)
    if current_user.is_authenticated and current_user.id == reset["user_id"]:
        logout_user()  # their sign-ins are already revoked; this clears the cookie too
    flash(_("Your password is changed. Please sign in with it."), "success")
    return redirect(url_for("accounts.signin_show"))


def _reset_page(reset, form, status=200, in_use=False):
    if reset is None:
        status = 410
    return render_template("accounts/reset.html", reset=reset, form=form, in_use=in_use), status
