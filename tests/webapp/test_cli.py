"""The `groundswell` CLI through Click's runner: create-user, seed-demo, demo, db upgrade."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from webapp.cli import demo as commands
from webapp.models import Campaign, EngagementResponse, Observation, Person, PlanSubmission, Region, Territory


@pytest.fixture
def runner(app):
    from webapp.cli import cli

    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    return app.test_cli_runner()


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_user_makes_a_login(runner, client, db):
    result = runner.invoke(args=["create-user", "boss@example.test", "--role", "admin", "--name", "Boss"],
                           input="a-long-enough-secret\na-long-enough-secret\n")
    assert result.exit_code == 0, result.output
    response = client.post("/login", data={"email": "boss@example.test", "password": "a-long-enough-secret"})
    assert response.status_code == 302


@pytest.mark.parametrize(("password", "message"), [("short", "at least 8"), ("password123", "too common")])
def test_create_user_refuses_weak_passwords(runner, db, password, message):
    result = runner.invoke(args=["create-user", "x@example.test", "--role", "rep"],
                           input=f"{password}\n{password}\n")
    assert result.exit_code != 0 and message in result.output
    assert _count(db, Person) == 0


def test_seed_demo_builds_the_organisation(runner, db):
    result = runner.invoke(args=["seed-demo", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert _count(db, Region) >= 3 and _count(db, Territory) >= 12
    roles = dict(db.session.execute(select(Person.role, func.count()).group_by(Person.role)).all())
    assert roles["rep"] >= 80 and roles["manager"] >= 8
    assert roles["leader"] == roles["hr"] == roles["admin"] == 1
    rep1 = db.session.scalar(select(Person).where(Person.email == "rep1@demo.test"))
    assert rep1.manager.email == "manager1@demo.test"
    periods = db.session.scalars(select(Campaign).where(Campaign.template_id == "quarterly-planning"))
    statuses = sorted(c.status for c in periods)
    assert statuses.count("closed") >= 6 and statuses.count("open") == 1
    assert _count(db, Observation) > 500 and _count(db, EngagementResponse) > 300
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "already has people" in again.output


def test_seed_demo_is_reproducible(runner, db, app):
    runner.invoke(args=["seed-demo", "--seed", "5", "--reps", "20", "--periods", "3"])
    first = sorted(db.session.scalars(select(Observation.text)))
    proposed = sorted(db.session.scalars(select(PlanSubmission.proposed)))
    db.drop_all()
    db.create_all()
    runner.invoke(args=["seed-demo", "--seed", "5", "--reps", "20", "--periods", "3"])
    assert sorted(db.session.scalars(select(Observation.text))) == first
    assert sorted(db.session.scalars(select(PlanSubmission.proposed))) == proposed


def test_demo_seeds_prints_logins_and_serves(runner, db, monkeypatch):
    served = {}
    monkeypatch.setattr(commands, "_serve", lambda host, port: served.update(host=host, port=port))
    db.drop_all()  # `demo` runs the migrations itself
    result = runner.invoke(args=["demo", "--port", "5055"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5055/" in result.output
    for login in ("admin@demo.test", "leader@demo.test", "hr@demo.test", "manager1@demo.test", "rep1@demo.test"):
        assert login in result.output
    assert served == {"host": "127.0.0.1", "port": 5055}
    assert _count(db, Person) > 90


def test_demo_logins_work(runner, client, db):
    runner.invoke(args=["seed-demo"])
    for email in ("admin@demo.test", "leader@demo.test", "hr@demo.test", "manager1@demo.test", "rep1@demo.test"):
        response = client.post("/login", data={"email": email, "password": "groundswell-demo"})
        assert response.status_code == 302, email
        client.post("/logout")
