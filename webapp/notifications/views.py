"""Mail pages: the admin outbox (what was sent or captured), which kinds are on, and each person's own messages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField

from webapp.access import ALL_ROLES, allow
from webapp.notifications import KINDS
from webapp.store import outbox
from webapp.store.errors import StoreError

bp = Blueprint("notifications", __name__, template_folder="templates")


class SettingsForm(FlaskForm):
    submit = SubmitField("Save")


@bp.route("/admin/outbox", endpoint="outbox")
@allow("admin")
def outbox_page():
    return render_template("notifications/outbox.html", mails=outbox.recent_mail(200),
                           capture=current_app.config["MAIL_CAPTURE"], kinds=KINDS)


@bp.route("/admin/outbox/<int:mail_id>", endpoint="outbox_message")
@allow("admin")
def outbox_message(mail_id: int):
    try:
        mail = outbox.get_mail(mail_id)
    except StoreError:
        abort(404)
    return render_template("notifications/message.html", mail=mail, back=url_for("notifications.outbox"))


@bp.route("/admin/notifications", methods=["GET", "POST"], endpoint="settings")
@allow("admin")
def settings():
    form = SettingsForm()
    if form.validate_on_submit():
        chosen = set(request.form.getlist("kind"))
        outbox.set_kinds_enabled({k: k in chosen for k, kind in KINDS.items() if kind.optional})
        flash("Notification settings saved.", "success")
        return redirect(url_for("notifications.settings"), code=303)
    return render_template("notifications/settings.html", form=form, kinds=KINDS, off=outbox.disabled_kinds())


@bp.route("/me/messages", endpoint="mine")
@allow(*ALL_ROLES)
def mine():
    return render_template("notifications/mine.html", mails=outbox.mail_for(current_user.id))


@bp.route("/me/messages/<int:mail_id>", endpoint="my_message")
@allow(*ALL_ROLES)
def my_message(mail_id: int):
    mails = {m.id: m for m in outbox.mail_for(current_user.id, limit=1000)}
    if mail_id not in mails:
        abort(404)
    return render_template("notifications/message.html", mail=mails[mail_id], back=url_for("notifications.mine"))
