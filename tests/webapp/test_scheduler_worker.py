"""With Redis, `groundswell worker` runs the schedules: the worker process keeps one scheduler tick on
the RQ queue, a work horse runs it against the database, and a second worker (a restart) running a
second tick opens and reminds nothing twice. Real Redis, real worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.servers import start_or_skip
from webapp.infra import jobs
from webapp.infra.scheduler import TICK_JOB_ID, keep_ticking_on_rq, last_tick
from webapp.models import Campaign, OutboundMail
from webapp.models.types import utcnow
from webapp.store import schedules


@pytest.fixture(scope="module")
def redis_server():
    from tests.webapp.dbservers import RedisServer

    server = start_or_skip(RedisServer.start, "Redis")
    yield server
    server.destroy()


def _queue_one_tick(url: str) -> None:
    queue = jobs.queue(url)
    ticking = keep_ticking_on_rq(url, 0.05)
    deadline = time.monotonic() + 10
    while TICK_JOB_ID not in queue.job_ids:
        assert time.monotonic() < deadline, "no tick was queued"
        time.sleep(0.05)
    ticking.stop.set()
    ticking.join(5)
    queue.connection.close()


def _worker(app, url: str) -> None:
    env = {**os.environ, "GROUNDSWELL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "GROUNDSWELL_REDIS_URL": url, "GROUNDSWELL_SECRET_KEY": "worker-test", "GROUNDSWELL_MAIL_CAPTURE": "1"}
    out = subprocess.run([str(Path(sys.executable).parent / "groundswell"), "worker", "--burst"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]


def test_the_worker_runs_scheduled_ticks_once_across_a_restart(app, org, db, redis_server):
    app.config["REDIS_URL"] = redis_server.url
    jobs.queue(redis_server.url).empty()
    now = utcnow()
    schedules.create_schedule(name="Planning 2027-Q2", template_id="quarterly-planning", template_version=1,
                              period_code="2027-Q2", audience=("rep",), has_plan=True,
                              opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), reminder_days="2")
    _queue_one_tick(redis_server.url)
    _worker(app, redis_server.url)
    db.session.expire_all()
    count = lambda kind: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(OutboundMail).where(OutboundMail.kind == kind))
    assert db.session.scalar(select(func.count()).select_from(Campaign).where(Campaign.name == "Planning 2027-Q2")) == 1
    assert count("campaign_opened") == 3 and count("campaign_reminder") == 3
    assert {m.state for m in db.session.scalars(select(OutboundMail))} == {"captured"}  # sent by the worker too
    assert "opened “Planning 2027-Q2”" in last_tick()

    _queue_one_tick(redis_server.url)  # a restarted worker, a second tick
    _worker(app, redis_server.url)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Campaign).where(Campaign.name == "Planning 2027-Q2")) == 1
    assert count("campaign_opened") == 3 and count("campaign_reminder") == 3
