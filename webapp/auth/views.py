"""Login and logout; OpenID Connect sign-in; set-password links (invitations, resets) and forgot password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from webapp.access import ALL_ROLES, allow
from webapp.auth import oidc
from webapp.extensions import limiter
from webapp.infra import jobs
from webapp.infra.passwords import PasswordPolicyError, verify_password
from webapp.store import invitations, people

bp = Blueprint("auth", __name__, template_folder="templates")

LOGIN_FAILED = "Email or password is not right."
THROTTLED = "Too many failed log-in attempts. Wait a few minutes, then try again."


def _account_key() -> str:
    """Key for per-account limits: the email typed in, whether or not such an account exists."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response) -> bool:
    # Only failed attempts use up the allowance; a successful log-in costs nothing.
    return response.status_code == 401


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    submit = SubmitField("Log in")


class ForgotForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Send me a link")


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField("New password again", validators=[DataRequired(), Length(max=256)])
    submit = SubmitField("Set password")


class LogoutForm(FlaskForm):
    submit = SubmitField("Log out")


def _safe_next(target: str | None) -> str:
    """Only follow a relative `next` on our own site (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key,
               methods=["POST"], deduct_when=_failed, error_message=THROTTLED, scope="login-account")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_CLIENT"], methods=["POST"],
               deduct_when=_failed, error_message=THROTTLED, scope="login-client")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if current_app.config.get("SSO_ONLY") and request.method == "POST":
        flash("Sign in with your organisation's account; passwords are not used here.", "danger")
        return render_template("auth/login.html", form=form), 403
    if form.validate_on_submit():
        person = people.person_by_email(form.email.data)
        ok = verify_password(person.password_hash if person else None, form.password.data)
        if person is not None and ok and person.active:
            session.clear()  # a fresh session at login
            login_user(person)
            return redirect(_safe_next(request.args.get("next")))
        flash(LOGIN_FAILED, "danger")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


FORGOT_SENT = ("If an account exists for that address, we have sent it a link to choose a new password. "
               "The link works once and expires in a few hours.")


@bp.route("/forgot-password", methods=["GET", "POST"], endpoint="forgot_password")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_CLIENT"], methods=["POST"], scope="forgot-client")
def forgot_password():
    form = ForgotForm()
    if current_app.config.get("SSO_ONLY"):
        flash("Sign in with your organisation's account; passwords are not used here.", "info")
        return redirect(url_for("auth.login"))
    if form.validate_on_submit():
        # The same answer, and the same work in this request, whether or not the address has an
        # account (no enumeration, not even by timing): a background job looks it up and writes the mail.
        jobs.start("password_reset", {"email": form.email.data.strip().lower()[:254]})
        flash(FORGOT_SENT, "info")
        return redirect(url_for("auth.login"), code=303)
    return render_template("auth/forgot.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/set-password/<token>", methods=["GET", "POST"], endpoint="set_password")
def set_password(token: str):
    form = SetPasswordForm()
    try:
        holder = invitations.check_link(token)
    except invitations.LinkRefused as exc:  # 404 for a link that never existed, 410 for a used or expired one
        return render_template("auth/set_password.html", form=None, refused=str(exc)), exc.status
    if form.validate_on_submit():
        if form.password.data != form.confirm.data:
            form.confirm.errors.append("The two passwords are not the same.")
        else:
            try:
                invitations.use_link(token, form.password.data)
            except invitations.LinkRefused as exc:
                return render_template("auth/set_password.html", form=None, refused=str(exc)), exc.status
            except PasswordPolicyError as exc:
                form.password.errors.append(str(exc))
            else:
                flash("Your password is set. Log in with it now.", "success")
                return redirect(url_for("auth.login"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/set_password.html", form=form, holder=holder), status


SSO_UNKNOWN = ("Your organisation's account ({email}) is not a Groundswell user here. "
               "Ask an administrator to add or invite you.")


@bp.route("/login/sso", methods=["GET"], endpoint="sso_login")
def sso_login():
    """Send the browser to the organisation's OpenID provider (the GET starts a login, it writes no data)."""
    if not oidc.enabled():
        abort(404)
    try:
        return oidc.start(url_for("auth.sso_callback", _external=True))
    except oidc.SsoRefused as exc:
        flash(str(exc), "danger")
        return redirect(url_for("auth.login"))


@bp.route("/login/sso/callback", methods=["GET"], endpoint="sso_callback")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_CLIENT"], deduct_when=_failed, error_message=THROTTLED,
               scope="sso-client")
def sso_callback():
    if not oidc.enabled():
        abort(404)
    try:
        identity = oidc.finish()
    except oidc.SsoRefused as exc:
        flash(str(exc), "danger")
        return render_template("auth/login.html", form=LoginForm()), 401
    person = people.person_by_email(identity.email)
    if person is None or not person.active:
        flash(SSO_UNKNOWN.format(email=identity.email), "danger")
        return render_template("auth/login.html", form=LoginForm()), 401
    session.clear()  # a fresh session at login
    login_user(person)
    return redirect(url_for("home.index"))


@bp.app_context_processor
def _sign_in_options():
    return {"sso_enabled": oidc.enabled(), "sso_only": current_app.config.get("SSO_ONLY", False)}


@bp.route("/logout", methods=["POST"])
@allow(*ALL_ROLES)
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        people.end_sessions(current_user)
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.app_errorhandler(429)
def _throttled(error):
    """The same page and status whether the account exists or not."""
    form = LoginForm()
    flash(THROTTLED, "danger")
    return render_template("auth/login.html", form=form), 429


@bp.app_context_processor
def _logout_form():
    """Every page's navigation bar carries the logout form (POST, with CSRF)."""
    return {"logout_form": LogoutForm()}
