"""The embedded SQLite profile (REL-4): WAL, busy timeout, foreign keys, and writers that never
see "database is locked" when many of them write plans and decisions at once."""

from __future__ import annotations

import subprocess
import sys
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from webapp.models import Decision, EngagementResponse, Participation, PlanSubmission

REPS = 10  # with the managers, below the pool's 15 connections
MANAGERS = 3
DRAFT_SAVES = 3


def test_every_sqlite_connection_gets_wal_busy_timeout_and_foreign_keys(app, db):
    connections = [db.engine.connect() for _ in range(3)]  # three pooled connections at once
    try:
        for conn in connections:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        for conn in connections:
            conn.close()


def test_sqlite_refuses_a_dangling_foreign_key(app, db):
    with pytest.raises(IntegrityError):
        db.session.add(PlanSubmission(person_id=999_999, period_id=999_999, status="draft", answers={}))
        db.session.commit()
    db.session.rollback()


@pytest.mark.both_databases
def test_concurrent_writers_never_see_database_is_locked(app, db, make_person):
    """Ten reps save drafts and submit while three managers decide, all at the same moment."""
    from webapp.store import campaigns, people, plans

    managers = [make_person(role="manager") for _ in range(MANAGERS)]
    reps = [make_person(role="rep", manager=managers[i % MANAGERS], territory=f"T-{i}")
            for i in range(REPS)]
    previous = people.ensure_period("2026-Q4")
    for rep in reps:  # last quarter's plans, waiting for a decision
        db.session.add(PlanSubmission(person_id=rep.id, period_id=previous.id, status="submitted",
                                      proposed=Decimal("90000"), answers={}))
    db.session.commit()
    campaign = campaigns.open_campaign(name="Planning 2027-Q1", template_id="quarterly-planning",
                                       template_version=1, period_code="2027-Q1",
                                       audience=("rep", "manager"), has_plan=True)
    waiting = {m.id: [p.id for p in db.session.scalars(
        select(PlanSubmission).join(PlanSubmission.person).where(
            PlanSubmission.period_id == previous.id))
        if p.person.manager_id == m.id] for m in managers}
    rep_ids, manager_ids, campaign_id = [r.id for r in reps], [m.id for m in managers], campaign.id
    barrier = threading.Barrier(REPS + MANAGERS, timeout=30)
    errors: list[str] = []

    def rep_work(person_id: int) -> None:
        with app.app_context():
            try:
                person = people.get_person(person_id)
                camp = campaigns.get_campaign(campaign_id)
                barrier.wait()
                for n in range(DRAFT_SAVES):
                    plans.save_answers(person, camp, plans.PlanInput(
                        proposed=Decimal(100000 + n), confidence=3, rationale=f"draft {n}",
                        observations=((f"customers said {n}", None),)), None, submit=False)
                plans.save_answers(person, camp, plans.PlanInput(
                    proposed=Decimal("120000"), confidence=4, rationale="final",
                    observations=(("budgets frozen", None), ("competitor discounting", None))),
                    plans.EngagementInput(likert={"proud": 4}, enps=8, comments={}), submit=True)
            except Exception as exc:  # reported below
                errors.append(f"rep {person_id}: {exc!r}")
            finally:
                db.session.remove()

    def manager_work(manager_id: int) -> None:
        with app.app_context():
            try:
                manager = people.get_person(manager_id)
                barrier.wait()
                for plan_id in waiting[manager_id]:
                    version = plans.get_plan(plan_id).version
                    plans.decide(manager, plan_id, action="adjust", expected_version=version,
                                 amount=Decimal("95000"), reason="market is soft")
            except Exception as exc:
                errors.append(f"manager {manager_id}: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=rep_work, args=(i,)) for i in rep_ids]
    threads += [threading.Thread(target=manager_work, args=(i,)) for i in manager_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    db.session.expire_all()
    count = lambda q: db.session.scalar(q)  # noqa: E731
    assert count(select(func.count()).select_from(PlanSubmission).where(
        PlanSubmission.campaign_id == campaign_id, PlanSubmission.status == "submitted")) == REPS
    assert count(select(func.count()).select_from(PlanSubmission).where(
        PlanSubmission.period_id == previous.id, PlanSubmission.status == "adjusted")) == REPS
    assert count(select(func.count()).select_from(Decision).where(Decision.action == "adjust")) == REPS
    assert count(select(func.count()).select_from(EngagementResponse)) == REPS
    assert count(select(func.count()).select_from(Participation)) == REPS


WRITER = """
import sys
from decimal import Decimal
from webapp import create_app
from webapp.extensions import db
from webapp.store import campaigns, people, plans

url, campaign_id, ids = sys.argv[1], int(sys.argv[2]), [int(i) for i in sys.argv[3].split(",")]
app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
with app.app_context():
    camp = campaigns.get_campaign(campaign_id)
    for person_id in ids:
        person = people.get_person(person_id)
        for n in range(3):
            plans.save_answers(person, camp, plans.PlanInput(
                proposed=Decimal(100000 + n), confidence=3, rationale=f"draft {n}",
                observations=((f"customers said {n}", None),)), None, submit=False)
        plans.save_answers(person, camp, plans.PlanInput(
            proposed=Decimal("120000"), confidence=4, rationale="final",
            observations=(("budgets frozen", None),)),
            plans.EngagementInput(likert={"proud": 4}, enps=8, comments={}), submit=True)
    db.engine.dispose()
"""


@pytest.mark.both_databases
def test_concurrent_writer_processes_never_see_database_is_locked(app, db, make_person):
    """Six processes (as gunicorn workers would be) write plans into one SQLite file at once."""
    from webapp.store import campaigns

    manager = make_person(role="manager")
    reps = [make_person(role="rep", manager=manager, territory=f"T-{i}") for i in range(24)]
    campaign = campaigns.open_campaign(name="Planning 2027-Q1", template_id="quarterly-planning",
                                       template_version=1, period_code="2027-Q1",
                                       audience=("rep",), has_plan=True)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    groups = [",".join(str(r.id) for r in reps[i::6]) for i in range(6)]
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(campaign.id), g],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for g in groups]
    results = [p.communicate(timeout=180) + (p.returncode,) for p in procs]
    assert [(rc, err[-500:]) for _, err, rc in results] == [(0, "")] * 6
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PlanSubmission).where(
        PlanSubmission.campaign_id == campaign.id, PlanSubmission.status == "submitted")) == 24
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 24
