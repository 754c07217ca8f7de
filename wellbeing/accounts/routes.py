from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..coworking import checkins
from ..coworking.pairs import invitations_waiting
from ..organisation.people import summary
from ..permissions import pairs_of
from ..security import safe_next
from . import bp, people
from .forms import InvitationAcceptForm, PasswordResetForm, SignInForm


@bp.get("/")
@login_required
def home():
    facilitator = current_user.has_role("facilitator")
    pairs = pairs_of() if facilitator else []
    today = checkins.today()
    return render_template(
        "accounts/home.html",
        pairs=pairs,
        states={pair["id"]: checkins.state(pair, current_user, today) for pair in pairs},
        invited=invitations_waiting(current_user) if facilitator else 0,
        summary=summary(current_user.org_id) if current_user.has_role("admin") else None,
    )


@bp.get("/signin")
def signin_show():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
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
    login_user(people.load_person(people.start_session(user["id"])))
    return redirect(safe_next(request.args.get("next")) or url_for("accounts.home"))


@bp.post("/signout")
def signout():
    if current_user.is_authenticated:
        people.revoke_session(current_user.session_token)
        logout_user()
    # The page this lands on tells the service worker to clear its caches.
    return redirect(url_for("accounts.signin_show", signed_out=1))


@bp.get("/invite/<token>")
def invitation_show(token):
    invitation = people.find_invitation(token)
    form = InvitationAcceptForm(email=invitation["email"] if invitation else "")
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
    if user_id is None:  # someone used the link a moment earlier
        return _invitation_page(None, form)
    login_user(people.load_person(people.start_session(user_id)))
    flash(_("Welcome, %(name)s.", name=form.name.data.strip()), "success")
    return redirect(url_for("accounts.home"))


def _invitation_page(invitation, form, status=200):
    status = 410 if invitation is None else status
    return render_template("accounts/invitation.html", invitation=invitation, form=form), status


@bp.get("/reset/<token>")
def reset_show(token):
    return _reset_page(people.find_password_reset(token), PasswordResetForm())


@bp.post("/reset/<token>")
def reset_submit(token):
    reset = people.find_password_reset(token)
    form = PasswordResetForm()
    if reset is None or not form.validate():
        return _reset_page(reset, form, 422)
    if not people.use_password_reset(reset, form.password.data):
        return _reset_page(None, form)  # someone used the link a moment earlier
    if current_user.is_authenticated and current_user.id == reset["user_id"]:
        logout_user()  # their sessions are already revoked; this clears the cookie too
    flash(_("Your password is changed. Please sign in with it."), "success")
    return redirect(url_for("accounts.signin_show"))


def _reset_page(reset, form, status=200):
    if reset is None:
        status = 410
    return render_template("accounts/reset.html", reset=reset, form=form), status
