"""The `send_mail` background job: deliver one stored message over SMTP, retrying, or capture it."""

from __future__ import annotations

import time

from flask import current_app

from webapp.infra.jobs import JobRefused
from webapp.infra.mail import MailNotSent, send
from webapp.store import outbox


def deliver(job, report) -> str:
    """Send the job's messages (or keep them in the outbox in demo/development); idempotent."""
    ids = job.parameters.get("mail_ids") or [job.parameters["mail_id"]]
    done, failures = [], []
    for n, mail_id in enumerate(ids, start=1):
        try:
            done.append(_deliver_one(int(mail_id), report if len(ids) == 1 else (lambda p, m: None)))
        except MailNotSent as exc:
            failures.append(str(exc))
        if len(ids) > 1:
            report(n / len(ids), f"{n}/{len(ids)} messages")
    if failures:
        raise JobRefused(failures[0] if len(ids) == 1 else
                         f"{len(failures)} of {len(ids)} messages not sent; the first: {failures[0]}")
    return done[0] if len(done) == 1 else f"{len(done)} messages delivered."


def _deliver_one(mail_id: int, report) -> str:
    row = outbox.get_mail(mail_id)
    if row.state in ("sent", "captured"):
        return f"Already {row.state}."
    if row.state == "failed":  # a retry from the Jobs page
        outbox.requeue_mail(row.id)
    config = current_app.config
    if config["MAIL_CAPTURE"]:
        outbox.mark_delivered(row.id, "captured")
        return f"Captured in the outbox for {row.to_email} (no SMTP server configured)."
    attempts, delay = int(config["MAIL_ATTEMPTS"]), float(config["MAIL_RETRY_DELAY"])
    reason = ""
    for attempt in range(1, attempts + 1):
        try:
            send(to=row.to_email, subject=row.subject, text=row.text_body, html=row.html_body)
        except MailNotSent as exc:
            reason = str(exc)
            report(attempt / (attempts + 1), f"attempt {attempt} of {attempts} failed")
            if attempt < attempts:
                time.sleep(delay * 2 ** (attempt - 1))
            continue
        outbox.mark_delivered(row.id, "sent")
        return f"Sent to {row.to_email}" + (f" (attempt {attempt})." if attempt > 1 else ".")
    message = f"Mail to {row.to_email} not sent after {attempts} attempts: {reason}."
    outbox.mark_failed(row.id, message)
    raise MailNotSent(message)
