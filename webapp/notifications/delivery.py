"""The `send_mail` background job: deliver one stored message over SMTP, retrying, or capture it."""

from __future__ import annotations

import time

from flask import current_app

from webapp.infra.jobs import JobRefused
from webapp.infra.mail import MailNotSent, send
from webapp.store import outbox


def deliver(job, report) -> str:
    """Send the job's message (or keep it in the outbox in demo/development); idempotent."""
    row = outbox.get_mail(int(job.parameters["mail_id"]))
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
    raise JobRefused(message)
