"""Roll-out in a real browser (Playwright, /usr/bin/chromium) on a live server over a fresh
database: the admin imports people on the page (preview, then apply); the invitations reach a real
SMTP server (aiosmtpd, STARTTLS + AUTH) from background jobs; an invited rep sets a password through
the link and signs in; a second use of the link is refused; sign-in through a real local OpenID
provider works, and an unknown email is refused. Console errors and JS dialogs on our pages fail it."""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest

from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, OidcProvider
from tests.support.smtp_server import SmtpServer, free_port

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
ADMIN_PASSWORD = "a sturdy admin passphrase"
NEW_PASSWORD = "rivers run to the sea"
PEOPLE = b"""email,name,role,manager_email,region,territory,department,hire_date
boss@example.test,Bea Boss,manager,,North,,Sales,
rita@example.test,Rita Rep,rep,boss@example.test,North,North-1,Sales,2021-02-01
ravi@example.test,Ravi Rep,rep,boss@example.test,North,North-2,Sales,
"""

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright pip package is not installed")
if not CHROMIUM.exists():  # pragma: no cover - CI installs it
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser tests: /usr/bin/chromium is missing", pytrace=False)
    pytest.skip("chromium is not installed at /usr/bin/chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from argon2 import PasswordHasher
    from werkzeug.serving import make_server

    from webapp import create_app
    from webapp.extensions import db
    from webapp.infra import passwords
    from webapp.store import people

    folder = tmp_path_factory.mktemp("rollout")
    smtp = SmtpServer.start(folder)
    previous_cert = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(smtp.cert_file)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    provider = OidcProvider.start(free_port(), f"{base}/login/sso/callback", {
        "rita-sso": {"email": "rita@example.test", "email_verified": True, "name": "Rita Rep"},
        "stranger": {"email": "stranger@example.test", "email_verified": True, "name": "Stan Ger"}})
    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    app = create_app({"SECRET_KEY": "browser-rollout", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'fresh.db'}",
                      "BASE_URL": base, "OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                      "OIDC_CLIENT_SECRET": CLIENT_SECRET, **smtp.config()})
    with app.app_context():
        db.create_all()
        people.create_person(email="admin@example.test", name="Ada Admin", role="admin", password=ADMIN_PASSWORD)
        db.session.remove()
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield {"url": base, "smtp": smtp, "folder": folder}
    httpd.shutdown()
    thread.join(10)
    provider.stop()
    smtp.stop()
    with app.app_context():
        db.engine.dispose()
    passwords._hasher = original
    if previous_cert is None:
        os.environ.pop("SSL_CERT_FILE", None)
    else:
        os.environ["SSL_CERT_FILE"] = previous_cert


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Tab:
    """A fresh browser context; console errors and dialogs on our own pages are recorded."""

    def __init__(self, browser, base):
        self.base = base
        self.context = browser.new_context(base_url=base)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.page.url.startswith(base)
                     and self.problems.append(f"console: {m.text}"))
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))

    def login(self, email, password):
        self.page.goto("/login")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("#submit")

    def close(self, expected_status: int | None = None):
        """Close; a refusal page's own status (Chromium logs any 4xx) is the only console error allowed."""
        self.context.close()
        allowed = f"status of {expected_status} " if expected_status else None
        assert [p for p in self.problems if not (allowed and allowed in p)] == []


def _wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_import_invite_set_password_sign_in_and_single_sign_on(live, browser):
    smtp = live["smtp"]
    admin = Tab(browser, live["url"])
    admin.login("admin@example.test", ADMIN_PASSWORD)
    admin.page.goto("/admin/people/import")
    admin.page.set_input_files("#file", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE}])
    admin.page.check("#invite")
    admin.page.click("#submit")
    assert admin.page.inner_text("td.created") == "3"
    assert admin.page.inner_text("td.deactivated") == "0"
    admin.page.click("text=Apply these changes")
    admin.page.wait_for_url(re.compile(r".*/admin/people$"))
    assert "3 created" in admin.page.inner_text(".alert-success")

    _wait_for(lambda: len(smtp.messages) == 3)  # sent by background jobs, after the page answered
    [message] = [m for m in smtp.messages if m["To"] == "rita@example.test"]
    link = re.search(r"(http://127\.0\.0\.1:\d+/set-password/\S+)", SmtpServer.text_of(message)).group(1)

    rep = Tab(browser, live["url"])
    rep.page.goto(link)
    rep.page.fill("#password", NEW_PASSWORD)
    rep.page.fill("#confirm", NEW_PASSWORD)
    rep.page.click("#submit")
    rep.page.wait_for_url(re.compile(r".*/login$"))
    rep.login("rita@example.test", NEW_PASSWORD)
    rep.page.wait_for_url(re.compile(r".*/$"))
    assert "Rita Rep" in rep.page.inner_text("nav")
    rep.page.goto("/me/messages")
    assert "You are invited to Groundswell" in rep.page.inner_text("main")

    again = Tab(browser, live["url"])
    again.page.goto(link)
    assert "already used" in again.page.inner_text("#link-refused")
    again.close(expected_status=410)
    rep.close()

    sso = Tab(browser, live["url"])
    sso.page.goto("/login")
    sso.page.click("#sso-login")
    _provider_login(sso.page, "rita-sso")
    sso.page.wait_for_url(re.compile(re.escape(live["url"]) + r"/$"))
    assert "Rita Rep" in sso.page.inner_text("nav")
    sso.close()

    stranger = Tab(browser, live["url"])
    stranger.page.goto("/login")
    stranger.page.click("#sso-login")
    _provider_login(stranger.page, "stranger")
    stranger.page.wait_for_url(re.compile(re.escape(live["url"]) + r"/login/sso/callback.*"))
    assert "not a Groundswell user" in stranger.page.inner_text(".alert-danger")
    stranger.page.goto("/")
    assert "/login" in stranger.page.url
    stranger.close(expected_status=401)
    admin.close()


def _provider_login(page, login: str) -> None:
    """node-oidc-provider's development pages: a login form, then a consent form."""
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any")
    page.click("button[type=submit]")
    for _ in range(3):  # the consent page, when the provider asks
        page.wait_for_load_state()
        if not page.url.startswith("http://127.0.0.1") or "/interaction/" not in page.url:
            return
        button = page.query_selector("button[type=submit][autofocus], button[type=submit]")
        if button is None:
            return
        button.click()
