"""Single sign-on against a real OpenID Connect provider started by the test (node-oidc-provider):
a known person signs in by their verified email; an unknown email, an unverified email, a wrong
state and a wrong nonce are refused with a clear message and change nothing; SSO-only turns
password sign-in off."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, OidcProvider
from tests.support.smtp_server import free_port
from tests.support.web import EMAILS, login, table_snapshot

REDIRECT = "http://localhost/login/sso/callback"
ACCOUNTS = {
    "rae": {"email": EMAILS["r1"].upper(), "email_verified": True, "name": "Rae One"},
    "stranger": {"email": "stranger@example.test", "email_verified": True, "name": "Stan Ger"},
    "unverified": {"email": EMAILS["r2"], "email_verified": False, "name": "Rob Two"},
}


@pytest.fixture(scope="module")
def provider():
    server = OidcProvider.start(free_port(), REDIRECT, ACCOUNTS)
    yield server
    server.stop()


@pytest.fixture
def app_overrides(provider):
    return {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET}


def _callback(c, provider, account: str) -> str:
    start = c.get("/login/sso")
    assert start.status_code == 302 and start.headers["Location"].startswith(provider.issuer)
    back = provider.sign_in(start.headers["Location"], account, REDIRECT)
    parts = urlsplit(back)
    return f"{parts.path}?{parts.query}"


def test_a_known_person_signs_in_by_verified_email(app, org, provider):
    c = app.test_client()
    assert "Sign in with your organisation" in c.get("/login").get_data(as_text=True)
    done = c.get(_callback(c, provider, "rae"))
    assert done.status_code == 302, done.get_data(as_text=True)
    page = c.get("/")
    assert page.status_code == 200 and "Rae One" in page.get_data(as_text=True)


def test_an_unknown_email_is_refused_and_nothing_changes(app, org, provider, db):
    c = app.test_client()
    before = table_snapshot(db)
    refused = c.get(_callback(c, provider, "stranger"))
    assert refused.status_code == 401
    assert "stranger@example.test" in refused.get_data(as_text=True) and "not a Groundswell user" in refused.get_data(as_text=True)
    assert c.get("/").status_code == 302
    assert table_snapshot(db) == before


def test_an_unverified_email_is_refused(app, org, provider):
    c = app.test_client()
    refused = c.get(_callback(c, provider, "unverified"))
    assert refused.status_code == 401 and "no verified email" in refused.get_data(as_text=True)
    assert c.get("/").status_code == 302


def test_a_wrong_state_is_refused(app, org, provider):
    c = app.test_client()
    path = _callback(c, provider, "rae")
    forged = path.replace("state=", "state=x")
    refused = c.get(forged)
    assert refused.status_code == 401 and "state mismatch" in refused.get_data(as_text=True)
    assert c.get("/").status_code == 302


def test_a_callback_from_another_browser_is_refused(app, org, provider):
    mine, theirs = app.test_client(), app.test_client()
    path = _callback(mine, provider, "rae")
    refused = theirs.get(path)  # no login started in this browser: no state
    assert refused.status_code == 401 and "state mismatch" in refused.get_data(as_text=True)


def test_a_wrong_nonce_is_refused(app, org, provider):
    c = app.test_client()
    path = _callback(c, provider, "rae")
    with c.session_transaction() as session:
        for key, value in session.items():
            if key.startswith("_state_oidc_"):
                value["data"]["nonce"] = "a-nonce-from-another-login"
                session[key] = value
    refused = c.get(path)
    assert refused.status_code == 401 and "could not be verified" in refused.get_data(as_text=True)
    assert c.get("/").status_code == 302


def test_sso_only_refuses_passwords_and_hides_the_form(app, org, provider):
    app.config["SSO_ONLY"] = True
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    assert 'type="password"' not in page and "Sign in with your organisation" in page
    assert login(c, EMAILS["r1"]).status_code == 403
    assert c.get("/forgot-password").status_code == 302
    assert c.get(_callback(c, provider, "rae")).status_code == 302
