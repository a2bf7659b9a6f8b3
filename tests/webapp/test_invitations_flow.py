"""Invitations and password resets end to end, delivered to a real SMTP server (aiosmtpd with
STARTTLS and AUTH) that the test starts: the admin imports people on the page, the invitations
arrive, a rep sets a password through the link and signs in, the link then refuses a second use;
expired links, forgotten passwords without account enumeration, and an SMTP server that refuses
or is down (retries, then a clear failed job, nothing else changed)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.support.smtp_server import SmtpServer, free_port
from tests.support.web import login, table_snapshot
from webapp.models import Job, OutboundMail, Person, SignInLink
from webapp.models.types import utcnow

HEADER = "email,name,role,manager_email,region,territory,department,hire_date"
PEOPLE = "\n".join([HEADER,
                    "boss@example.test,Bea Boss,manager,,North,,Sales,",
                    "rita@example.test,Rita Rep,rep,boss@example.test,North,North-1,Sales,2021-02-01",
                    "ravi@example.test,Ravi Rep,rep,boss@example.test,North,North-2,Sales,"]) + "\n"
NEW_PASSWORD = "a long walk by the river"


@pytest.fixture(scope="module")
def smtp(tmp_path_factory):
    server = SmtpServer.start(tmp_path_factory.mktemp("smtp"))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def trust_test_certificate(smtp, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp.cert_file))
    smtp.messages.clear()
    smtp.attempts = 0
    smtp.refuse = None


@pytest.fixture
def app_overrides(smtp):
    return {**smtp.config(), "BASE_URL": "http://groundswell.example"}


@pytest.fixture
def admin(app, make_person):
    person = make_person(role="admin", email="admin@example.test", name="Ada Admin")
    c = app.test_client()
    assert login(c, person.email).status_code == 302
    return c


def _import(c, text=PEOPLE):
    page = c.post("/admin/people/import", data={"file": (io.BytesIO(text.encode()), "people.csv"), "invite": "y"},
                  content_type="multipart/form-data").get_data(as_text=True)
    form = dict(re.findall(r'name="(filename|content|deactivate_missing|invite)" type="hidden" value="([^"]*)"', page))
    return c.post("/admin/people/import/apply", data=form)


def _link(message) -> str:
    text = SmtpServer.text_of(message)
    url = re.search(r"http://groundswell\.example(/set-password/\S+)", text)
    assert url, text
    return url.group(1)


def _to(smtp, address):
    return [m for m in smtp.messages if m["To"] == address]


@pytest.mark.both_databases
def test_imported_people_are_invited_and_a_link_sets_a_password_once(app, admin, smtp, db):
    assert _import(admin).status_code == 303
    assert sorted(m["To"] for m in smtp.messages) == ["boss@example.test", "ravi@example.test", "rita@example.test"]
    assert all(smtp.logins)  # delivered after STARTTLS and AUTH
    message = _to(smtp, "rita@example.test")[0]
    assert "Set your password" in SmtpServer.html_of(message)
    path = _link(message)
    token = path.rsplit("/", 1)[1]

    # The token is stored only as a hash; once sent, the copy of the mail no longer holds it.
    assert token not in repr(table_snapshot(db))
    assert db.session.scalar(select(OutboundMail.state).where(OutboundMail.to_email == "rita@example.test")) == "sent"

    rep = app.test_client()
    page = rep.get(path)
    assert page.status_code == 200 and "rita@example.test" in page.get_data(as_text=True)
    done = rep.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303
    assert login(rep, "rita@example.test", NEW_PASSWORD).status_code == 302
    assert rep.get("/").status_code == 200

    again = app.test_client().post(path, data={"password": "another fine password", "confirm": "another fine password"})
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert login(app.test_client(), "rita@example.test", "another fine password").status_code == 401


def test_an_expired_link_is_refused_and_changes_nothing(app, admin, smtp, db):
    _import(admin)
    path = _link(_to(smtp, "ravi@example.test")[0])
    db.session.execute(update(SignInLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    before = table_snapshot(db)
    r = app.test_client().post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 410 and "expired" in r.get_data(as_text=True)
    assert table_snapshot(db) == before


def test_a_made_up_link_is_refused(app, admin):
    r = app.test_client().get("/set-password/not-a-real-token")
    assert r.status_code == 404 and "not valid" in r.get_data(as_text=True)


def test_a_weak_password_is_refused_and_the_link_still_works(app, admin, smtp, db):
    _import(admin)
    path = _link(_to(smtp, "ravi@example.test")[0])
    r = app.test_client().post(path, data={"password": "short", "confirm": "short"})
    assert r.status_code == 400
    assert db.session.scalar(select(SignInLink.used_at).where(SignInLink.used_at.is_not(None))) is None
    assert app.test_client().post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303


def test_forgot_password_answers_the_same_for_unknown_addresses_and_mails_only_real_ones(app, admin, smtp, db):
    _import(admin)
    smtp.messages.clear()
    c = app.test_client()
    known = c.post("/forgot-password", data={"email": "rita@example.test"}, follow_redirects=True)
    unknown = c.post("/forgot-password", data={"email": "nobody@example.test"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731  (the CSRF token differs)
    assert strip(known) == strip(unknown)
    assert [m["To"] for m in smtp.messages] == ["rita@example.test"]
    # Both requests did the same work: one background job each, with the same result.
    resets = db.session.scalars(select(Job).where(Job.kind == "password_reset")).all()
    assert [(j.state, j.message) for j in resets] == [("finished", "Done.")] * 2
    path = _link(smtp.messages[0])
    assert "reset" in SmtpServer.text_of(smtp.messages[0]).lower()
    assert c.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303
    assert login(app.test_client(), "rita@example.test", NEW_PASSWORD).status_code == 302


def test_a_new_reset_link_retires_the_older_one(app, admin, smtp):
    _import(admin)
    c = app.test_client()
    c.post("/forgot-password", data={"email": "rita@example.test"})
    c.post("/forgot-password", data={"email": "rita@example.test"})
    first, second = [_link(m) for m in _to(smtp, "rita@example.test")[1:]]
    assert c.get(first).status_code == 410  # retired: expired now
    assert c.get(second).status_code == 200


def test_a_refusing_smtp_server_is_retried_then_the_job_fails_with_the_reason(app, admin, smtp, db):
    smtp.refuse = "550 5.1.1 mailbox unavailable"
    assert _import(admin).status_code == 303
    assert smtp.messages == [] and smtp.attempts == 9  # three attempts for each of three invitations
    jobs = db.session.scalars(select(Job).where(Job.kind == "send_mail")).all()
    assert {j.state for j in jobs} == {"failed"}
    assert "not sent after 3 attempts" in jobs[0].error and "550" in jobs[0].error
    assert db.session.scalar(select(Person).where(Person.email == "rita@example.test")) is not None  # import stands
    assert {m.state for m in db.session.scalars(select(OutboundMail))} == {"failed"}

    # Fixed, a retry from the Jobs page delivers it.
    smtp.refuse = None
    assert admin.post("/admin/jobs/retry", data={"job_id": str(jobs[0].id)}).status_code == 303
    assert len(smtp.messages) == 1


def test_an_smtp_server_that_is_down_gives_a_clear_failed_job(app, admin, db):
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    from webapp.infra.mail import mail

    mail.init_app(app)
    admin.post("/admin/people", data={"email": "new@example.test", "name": "Nia New", "role": "rep", "invite": "y"})
    job = db.session.scalar(select(Job).where(Job.kind == "send_mail"))
    assert job.state == "failed" and "cannot be reached" in job.error
    assert db.session.scalar(select(Person).where(Person.email == "new@example.test")) is not None


def test_in_capture_mode_mail_waits_in_the_outbox_and_is_not_sent(app, admin, smtp):
    app.config["MAIL_CAPTURE"] = True
    _import(admin)
    assert smtp.messages == []
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "captured" in page and "rita@example.test" in page
    mail_page = admin.get("/admin/outbox/1").get_data(as_text=True)
    assert "/set-password/" in mail_page


def test_each_person_sees_what_was_sent_to_them_and_nothing_else(app, admin, smtp):
    _import(admin)
    rep = app.test_client()
    rep.post(_link(_to(smtp, "rita@example.test")[0]), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    login(rep, "rita@example.test", NEW_PASSWORD)
    page = rep.get("/me/messages").get_data(as_text=True)
    assert "You are invited to Groundswell" in page
    assert rep.get("/admin/outbox").status_code == 403
    ids = re.findall(r"/me/messages/(\d+)", page)
    assert len(ids) == 1
    others = {"1", "2", "3"} - set(ids)
    assert all(rep.get(f"/me/messages/{i}").status_code == 404 for i in others)
