"""Notifications by email: which kinds exist, composing one from its templates, invitations and resets.

A notification is written once (its dedupe key is unique) and handed to a background job that
sends it (webapp.notifications.delivery); nothing here talks to an SMTP server.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app

from webapp.infra import jobs
from webapp.store import invitations, outbox, people


@dataclass(frozen=True)
class Kind:
    label: str
    optional: bool = True  # admins may turn it off; sign-in links are always on


KINDS: dict[str, Kind] = {
    "invite": Kind("Invitation to set a password", optional=False),
    "reset": Kind("Password reset link", optional=False),
    "campaign_opened": Kind("A campaign opened (to its audience)"),
    "campaign_reminder": Kind("Reminder before a campaign closes (to those who have not answered)"),
    "plan_decided": Kind("Plan approved, adjusted or returned (to the rep)"),
    "plans_waiting": Kind("Plans waiting for a decision (daily digest to each manager)"),
    "action_assigned": Kind("Action assigned (to its owner)"),
    "action_overdue": Kind("Action overdue (to its owner)"),
}


def external_url(endpoint: str, **values) -> str:
    """An absolute link on GROUNDSWELL_BASE_URL (never on a request's Host header)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"] + path


def _render(name: str, context: dict) -> str:
    """Render a mail template with only its own context: no page context processors, which need a
    request (mail is also written by the scheduler and jobs). HTML templates autoescape."""
    return current_app.jinja_env.get_template(name).render(**context)


def enabled(kind: str) -> bool:
    return not KINDS[kind].optional or kind not in outbox.disabled_kinds()


def compose(kind: str, person, dedupe_key: str, *, secret: str | None = None, send: bool = True, **context):
    """Write one notification for a person from its templates and queue it (unless `send` is False:
    the caller queues a batch with `send_batch`); None if its kind is off or it exists already."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not person.active or not enabled(kind) or outbox.has_mail(dedupe_key):
        return None
    context = {"person": person, "base_url": current_app.config["BASE_URL"],
               "messages_url": external_url("notifications.mine"), **context}
    subject = " ".join(_render(f"mail/{kind}.subject.txt", context).split())
    row = outbox.write_mail(person_id=person.id, to_email=person.email, kind=kind, dedupe_key=dedupe_key,
                            subject=subject, text_body=_render(f"mail/{kind}.txt", context),
                            html_body=_render(f"mail/{kind}.html", context), secret=secret)
    if row is not None and send:
        jobs.start("send_mail", {"mail_ids": [row.id]})
    return row


def send_batch(rows) -> None:
    """Queue one background job delivering these messages (each retried on its own)."""
    ids = [row.id for row in rows if row is not None]
    if ids:
        jobs.start("send_mail", {"mail_ids": ids})


def campaign_opened(campaign_id: int) -> int:
    """Tell a campaign's audience that it is open; return how many messages were written."""
    from webapp.store import campaigns, schedules

    campaign = campaigns.get_campaign(campaign_id)
    schedule = schedules.schedule_for(campaign_id)
    link = external_url("respond.respond", campaign_id=campaign_id)
    rows = [compose("campaign_opened", person, f"opened:{campaign_id}:{person.id}", send=False, campaign=campaign,
                    link=link, closes_at=schedule.closes_at if schedule else None)
            for person in schedules.audience(campaign_id)]
    send_batch(rows)
    return sum(1 for row in rows if row is not None)


def invite(person_ids: list[int]) -> int:
    """Invite people to sign in (a set-password link, or the SSO page when SSO is the only way)."""
    sent = 0
    sso_only = current_app.config.get("SSO_ONLY")
    for person_id in dict.fromkeys(person_ids):
        person = people.get_person(person_id)
        if person is None or not person.active:
            continue
        if sso_only:
            link, secret = external_url("auth.login"), None
        else:
            token = invitations.issue_link(person.id, "invite", current_app.config["INVITE_TTL_HOURS"])
            link = secret = external_url("auth.set_password", token=token)
        if compose("invite", person, f"invite:{person.id}:{secrets.token_hex(8)}", secret=secret, link=link,
                   sso_only=sso_only, hours=current_app.config["INVITE_TTL_HOURS"]):
            sent += 1
    return sent


def password_reset(email: str) -> None:
    """Send a reset link if an active person has this address; silently nothing otherwise."""
    person = invitations.person_for_reset(email)
    if person is None:
        return
    token = invitations.issue_link(person.id, "reset", current_app.config["RESET_TTL_HOURS"])
    link = external_url("auth.set_password", token=token)
    compose("reset", person, f"reset:{person.id}:{secrets.token_hex(8)}", secret=link, link=link,
            hours=current_app.config["RESET_TTL_HOURS"])
