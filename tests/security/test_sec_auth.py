"""AUTH-1..4 and SESS-1..2: password storage and policy, login throttling, sessions."""

from __future__ import annotations

import re

import pytest
from argon2 import extract_parameters
from argon2.low_level import Type
from sqlalchemy import func, select

from tests.support.servers import start_or_skip
from tests.support.web import EMAILS, PASSWORD, login, logout, make_app
from webapp.extensions import db as _db
from webapp.models import Person
from webapp.infra.passwords import MIN_LENGTH, PasswordPolicyError, check_policy, common_passwords

# --- AUTH-1 -------------------------------------------------------------------------------------


def test_stored_hash_is_argon2id_with_owasp_parameters(monkeypatch):
    """AUTH-1: the production hasher (not the cheap test one) meets OWASP's Argon2id minimum."""
    monkeypatch.undo()  # drop the cheap test hasher: check what production stores
    from webapp.infra.passwords import hash_password, verify_password

    stored = hash_password("a perfectly fine passphrase")
    assert stored.startswith("$argon2id$v=19$")
    params = extract_parameters(stored)
    assert params.type is Type.ID
    # OWASP: m ≥ 19 MiB with t ≥ 2 (or m ≥ 46 MiB with t = 1), p ≥ 1.
    assert (params.memory_cost >= 19 * 1024 and params.time_cost >= 2) or params.memory_cost >= 46 * 1024
    assert verify_password(stored, "a perfectly fine passphrase")
    assert not verify_password(stored, "a perfectly fine passphrasE")


def test_accounts_store_argon2id_hashes_never_the_password(org, db):
    for person in db.session.scalars(select(Person)):
        assert person.password_hash.startswith("$argon2id$")
        assert PASSWORD not in person.password_hash


# --- AUTH-2 -------------------------------------------------------------------------------------


def test_minimum_length_is_eight():
    with pytest.raises(PasswordPolicyError, match="at least 8"):
        check_policy("x7#kQ2p")
    check_policy("x7#kQ2pz")
    assert MIN_LENGTH == 8


@pytest.mark.parametrize("password", ["all lower case words here", "ZZZZYYYYXXXX-not-common",
                                      "83920174", "passphrase with spaces only"])
def test_no_composition_rules(password):
    check_policy(password)  # no "needs a digit / a capital / a symbol"


def test_long_passwords_are_accepted_and_not_truncated(app, client):
    from webapp.store import people

    long_password = "correct horse battery staple " * 4 + "and then some"  # 129 characters
    assert len(long_password) > 100
    people.create_person(email="long@example.test", name="Long", role="rep", password=long_password)
    # bcrypt would truncate at 72 bytes: a prefix of 72 or 64 characters must not log in.
    for prefix in (long_password[:64], long_password[:72], long_password[:-1]):
        assert login(client, "long@example.test", prefix).status_code == 401
    assert login(client, "long@example.test", long_password).status_code == 302


def test_the_shipped_common_password_list_is_substantial_and_refused():
    words = common_passwords()
    assert len(words) >= 2000
    assert all(len(w) >= MIN_LENGTH for w in words)
    for word in words:
        with pytest.raises(PasswordPolicyError, match="too common"):
            check_policy(word)


@pytest.mark.parametrize("password", ["password", "Password1", "PASSWORD123", "qwerty123", "iloveyou",
                                      "12345678", "1q2w3e4r5t", "Welcome2024", "letmein!", "football1"])
def test_well_known_common_passwords_are_refused(password):
    with pytest.raises(PasswordPolicyError, match="too common"):
        check_policy(password)


def test_create_user_refuses_a_common_password(app, db):
    from webapp.cli import cli

    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    result = app.test_cli_runner().invoke(args=["create-user", "x@example.test", "--role", "admin"],
                                          input="sunshine2024\nsunshine2024\n")
    assert result.exit_code != 0 and "too common" in result.output
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


# --- AUTH-3 -------------------------------------------------------------------------------------


def _attempt(client, email, password, ip):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_login_is_throttled_per_account_across_clients(client, org):
    for i in range(5):  # five failures, each from a different client
        assert _attempt(client, EMAILS["r1"], f"wrong-guess-{i}", f"10.0.0.{i}").status_code == 401
    blocked = _attempt(client, EMAILS["r1"], PASSWORD, "10.0.1.1")  # even the right password
    assert blocked.status_code == 429
    assert "Too many failed log-in attempts" in blocked.get_data(as_text=True)
    assert client.get("/plans/history").status_code == 302  # not logged in
    # Another account is not affected.
    assert _attempt(client, EMAILS["r2"], PASSWORD, "10.0.1.2").status_code == 302


def test_login_is_throttled_per_client_across_accounts(client, org):
    for i in range(20):  # one client tries one password on twenty accounts (password spraying)
        assert _attempt(client, f"user{i}@example.test", "Spring2027!x", "192.0.2.7").status_code == 401
    assert _attempt(client, EMAILS["r2"], PASSWORD, "192.0.2.7").status_code == 429
    assert _attempt(client, EMAILS["r2"], PASSWORD, "192.0.2.8").status_code == 302


def _without_tokens(html: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', html)


def test_throttled_unknown_and_known_accounts_look_the_same(app, org):
    pages = []
    for email in (EMAILS["r1"], "nobody@example.test"):
        c = app.test_client()
        failures = [_attempt(c, email, "wrong-guess", "198.51.100.1" if "r1" in email else "198.51.100.2")
                    for _ in range(5)]
        assert {r.status_code for r in failures} == {401}
        blocked = _attempt(c, email, "wrong-guess", "198.51.100.3")
        pages.append((blocked.status_code, _without_tokens(blocked.get_data(as_text=True))))
    assert pages[0] == pages[1] and pages[0][0] == 429


def test_successful_logins_do_not_use_up_the_allowance(client, org):
    for _ in range(12):
        assert _attempt(client, EMAILS["r1"], PASSWORD, "203.0.113.9").status_code == 302
        logout(client)


def test_limiter_storage_comes_from_the_environment(tmp_path):
    from webapp.config import load_config

    assert load_config(str(tmp_path), {})["RATELIMIT_STORAGE_URI"] == "memory://"
    env = {"GROUNDSWELL_RATELIMIT_STORAGE_URL": "redis://cache:6379/2"}
    assert load_config(str(tmp_path), env)["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/2"


def test_several_workers_refuse_per_process_counters():
    from flask import Flask

    from webapp.extensions import require_shared_limiter_storage

    app = Flask(__name__)
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    with pytest.raises(RuntimeError, match="shared by all workers"):
        require_shared_limiter_storage(app)
    app.config["RATELIMIT_STORAGE_URI"] = "redis://localhost:6379/0"
    require_shared_limiter_storage(app)


@pytest.fixture
def redis_url():
    pytest.importorskip("redis", reason="the redis client is needed for shared limiter storage")
    from tests.webapp.dbservers import RedisServer

    server = start_or_skip(RedisServer.start, "Redis")
    yield server.url
    server.destroy()


def _worker(tmp_path, storage):
    """A fresh app on the same database, as another worker process would build it."""
    return make_app(tmp_path, RATELIMIT_STORAGE_URI=storage)


def test_workers_share_login_counters_through_redis(tmp_path, redis_url):
    from webapp.store import people

    first = _worker(tmp_path / "w", redis_url)
    with first.app_context():
        _db.create_all()
        people.create_person(email="r@example.test", name="R", role="rep", password=PASSWORD)
        for i in range(3):
            assert _attempt(first.test_client(), "r@example.test", "nope-nope", f"10.9.0.{i}").status_code == 401
        _db.engine.dispose()
    second = _worker(tmp_path / "w", redis_url)  # the next requests land on another worker
    with second.app_context():
        for i in range(2):
            assert _attempt(second.test_client(), "r@example.test", "nope-nope", f"10.9.1.{i}").status_code == 401
        assert _attempt(second.test_client(), "r@example.test", PASSWORD, "10.9.2.1").status_code == 429
        _db.engine.dispose()


# --- AUTH-4 -------------------------------------------------------------------------------------


def test_no_default_accounts_outside_demo_mode(tmp_path):
    from flask_migrate import upgrade

    from webapp import MIGRATIONS_DIR
    from webapp.cli import cli

    app = make_app(tmp_path / "fresh")
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        assert _db.session.scalar(select(func.count()).select_from(Person)) == 0
        client = app.test_client()
        for email in ("admin@demo.test", "admin@example.test", "admin"):
            assert login(client, email, "groundswell-demo").status_code == 401
        for name, command in cli.commands.items():
            app.cli.add_command(command, name)
        result = app.test_cli_runner().invoke(args=["create-user", "first@example.test", "--role", "admin"],
                                              input="first-admin-passphrase\nfirst-admin-passphrase\n")
        assert result.exit_code == 0, result.output
        assert login(client, "first@example.test", "first-admin-passphrase").status_code == 302
        _db.session.remove()
        _db.engine.dispose()


# --- SESS-1 -------------------------------------------------------------------------------------


def _session_cookie_header(response) -> str:
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert cookies, "login set no session cookie"
    return cookies[-1]


def test_session_cookie_is_httponly_and_samesite_lax(client, org):
    header = _session_cookie_header(login(client, EMAILS["r1"]))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_session_cookie_is_secure_outside_local_development(tmp_path, monkeypatch):
    from webapp.store import people

    monkeypatch.setenv("GROUNDSWELL_SECURE_COOKIES", "1")
    app = make_app(tmp_path / "prod")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        _db.create_all()
        people.create_person(email="r@example.test", name="R", role="rep", password=PASSWORD)
        header = _session_cookie_header(app.test_client().post(
            "/login", data={"email": "r@example.test", "password": PASSWORD}, base_url="https://localhost"))
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
        _db.session.remove()
        _db.engine.dispose()


# --- SESS-2 -------------------------------------------------------------------------------------


def test_login_starts_a_fresh_session(client, org):
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker before login"  # session fixation attempt
        before = dict(sess)
    assert "planted" in before
    login(client, EMAILS["r1"])
    with client.session_transaction() as sess:
        assert "planted" not in sess  # nothing carried over from the anonymous session
        assert sess["_user_id"] == org["r1"].get_id()


def test_cookie_captured_before_logout_is_dead_on_every_page(app, client, org):
    login(client, EMAILS["m1"])
    cookie = client.get_cookie("session").value
    pages = ["/", "/plans/history", "/queue", "/rollup"]
    assert all(client.get(p).status_code == 200 for p in pages)
    logout(client)
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    for page in pages:
        response = replay.get(page)
        assert response.status_code == 302 and "/login" in response.headers["Location"], page


def test_changing_the_password_ends_other_sessions(app, client, org, db):
    from webapp.store import people

    login(client, EMAILS["r1"])
    assert client.get("/plans/history").status_code == 200
    people.set_password(db.session.get(Person, org["r1"].id), "a brand new passphrase")
    assert client.get("/plans/history").status_code == 302


def test_a_disabled_user_cannot_log_in_again(client, org, db):
    from webapp.store import people

    people.set_active(db.session.get(Person, org["r1"].id), False)
    response = login(client, EMAILS["r1"])
    assert response.status_code == 401
    assert "Email or password is not right." in response.get_data(as_text=True)
