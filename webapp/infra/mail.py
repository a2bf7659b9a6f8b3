"""Sending one message over SMTP (Flask-Mailman: STARTTLS or SSL, authentication), text + HTML.

Only background jobs call `send` (webapp.notifications.delivery); a page never waits for SMTP.
"""

from __future__ import annotations

import smtplib
import socket
import ssl

from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, Mail

mail = Mail()


class MailNotSent(Exception):
    """The SMTP server refused the message or could not be reached; the message says which."""


def init_app(app: Flask) -> None:
    mail.init_app(app)


def send(*, to: str, subject: str, text: str, html: str) -> None:
    """Send one message to one address, raising MailNotSent with a reason fit for the Jobs page."""
    config = current_app.config
    where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    connection = mail.get_connection(fail_silently=False)
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=config["MAIL_DEFAULT_SENDER"],
                                     to=[to], connection=connection)
    message.attach_alternative(html, "text/html")
    try:
        # Opened here and closed in `finally`: the backend leaves its socket open when a send fails.
        connection.open()
        try:
            message.send(fail_silently=False)
        finally:
            _close(connection)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailNotSent(f"the SMTP server at {where} refused the login ({exc.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = ", ".join(f"{code} {reason.decode(errors='replace') if isinstance(reason, bytes) else reason}"
                          for code, reason in exc.recipients.values())
        raise MailNotSent(f"the SMTP server at {where} refused the recipient {to}: {codes}") from None
    except smtplib.SMTPResponseException as exc:
        reason = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        raise MailNotSent(f"the SMTP server at {where} refused the message: {exc.smtp_code} {reason}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailNotSent(f"the SMTP server at {where} does not support what was asked ({exc}); "
                          "check GROUNDSWELL_SMTP_STARTTLS") from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise MailNotSent(f"SMTP with {where} failed: {exc}") from None
    except (ConnectionError, socket.timeout, socket.gaierror, OSError) as exc:
        raise MailNotSent(f"the SMTP server at {where} cannot be reached: {exc}") from None


def _close(connection) -> None:
    smtp = connection.connection
    try:
        connection.close()
    except Exception:  # noqa: BLE001  (the message's fate is already decided; only the socket is left)
        pass
    finally:
        if smtp is not None:
            smtp.close()
