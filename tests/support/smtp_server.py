"""A real SMTP server for tests (aiosmtpd) with STARTTLS and AUTH, on 127.0.0.1.

`SmtpServer.start(tmp_path)` writes a self-signed certificate for localhost, serves STARTTLS with
it and requires login (`USERNAME`/`PASSWORD`) after TLS. Point ``SSL_CERT_FILE`` at
`server.cert_file` so the client verifies the certificate as it would a real one. Received
messages are parsed into `email.message.EmailMessage` objects in `server.messages`; set
`server.refuse = "550 ..."` to refuse every recipient.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import ipaddress
import socket
import ssl
import threading
from pathlib import Path

USERNAME = "mailer"
PASSWORD = "smtp-secret-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class _Handler:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.server.attempts += 1
        if self.server.refuse:
            return self.server.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(message)
            self.server.logins.append(session.authenticated)
        return "250 Message accepted"


class SmtpServer:
    def __init__(self, folder: Path):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.cert_file, key_file = _certificate(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, key_file)
        self.messages: list = []
        self.logins: list = []
        self.attempts = 0
        self.refuse: str | None = None
        self.lock = threading.Lock()
        self.port = free_port()

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == USERNAME.encode() and auth_data.password == PASSWORD.encode()
            return AuthResult(success=ok)

        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      server_hostname="localhost", tls_context=context, require_starttls=True,
                                      auth_required=True, auth_require_tls=True, authenticator=authenticator)

    @classmethod
    def start(cls, folder: Path) -> "SmtpServer":
        server = cls(folder)
        server._controller.start()
        return server

    def stop(self) -> None:
        self._controller.stop()

    def config(self) -> dict:
        """App settings that deliver to this server over STARTTLS with authentication."""
        return {"MAIL_CAPTURE": False, "MAIL_SERVER": "localhost", "MAIL_PORT": self.port, "MAIL_USE_TLS": True,
                "MAIL_USE_SSL": False, "MAIL_USERNAME": USERNAME, "MAIL_PASSWORD": PASSWORD,
                "MAIL_RETRY_DELAY": 0.0, "MAIL_ATTEMPTS": 3, "MAIL_TIMEOUT": 10}

    @staticmethod
    def text_of(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html_of(message) -> str:
        return message.get_body(preferencelist=("html",)).get_content()
