"""Scheduled campaigns with the clock controlled by the test: the campaign opens and closes at its
times, its audience is told once, reminders reach only those without a participation record, once
per round, and nothing happens twice across a scheduler restart (a fresh app on the same database)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.support.web import EMAILS, login, make_app, plan_form
from webapp.extensions import db as _db
from webapp.infra.scheduler import tick
from webapp.models import Campaign, CampaignSchedule, Job, OutboundMail
from webapp.store import schedules

OPENS = datetime(2027, 3, 20, 9, 0)
CLOSES = OPENS + timedelta(days=10)


@pytest.fixture
def app_overrides():
    return {"MAIL_CAPTURE": True}


@pytest.fixture
def schedule(app, org):
    return schedules.create_schedule(name="Planning 2027-Q2", template_id="quarterly-planning", template_version=1,
                                     period_code="2027-Q2", audience=("rep", "manager"), has_plan=True,
                                     opens_at=OPENS, closes_at=CLOSES, reminder_days="3,1")


def _restarted(app, tmp_path, now):
    """Tick from a new app (a restarted worker) on the same database."""
    fresh = make_app(tmp_path / "restart", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                     MAIL_CAPTURE=True)
    with fresh.app_context():
        summary = tick(now)
        _db.session.remove()
        _db.engine.dispose()  # the "restarted worker" stops: its connections close
    _db.session.expire_all()
    return summary


def _mail(kind):
    return sorted(_db.session.execute(select(OutboundMail.to_email).where(OutboundMail.kind == kind)).scalars())


def _campaigns(name="Planning 2027-Q2"):
    return _db.session.scalars(select(Campaign).where(Campaign.name == name)).all()


@pytest.mark.both_databases
def test_a_scheduled_campaign_opens_reminds_non_respondents_and_closes_once_each(app, org, schedule, tmp_path):
    audience = sorted(EMAILS[k] for k in ("m1", "m2", "r1", "r2", "r3"))

    assert tick(OPENS - timedelta(minutes=1)) == "Nothing due."
    assert _campaigns() == []

    tick(OPENS + timedelta(minutes=1))
    [campaign] = _campaigns()
    assert campaign.is_open and _mail("campaign_opened") == audience
    _restarted(app, tmp_path, OPENS + timedelta(minutes=2))
    assert len(_campaigns()) == 1 and _mail("campaign_opened") == audience  # not opened or told twice

    # r1 answers; the reminders three days before the close go to everyone else, once.
    rep = app.test_client()
    login(rep, EMAILS["r1"])
    assert rep.post(f"/campaigns/{campaign.id}/respond", data=plan_form()).status_code == 302
    first_round = CLOSES - timedelta(days=3) + timedelta(minutes=1)
    assert tick(CLOSES - timedelta(days=3) - timedelta(minutes=1)).count("reminders") == 0
    tick(first_round)
    expected = sorted(set(audience) - {EMAILS["r1"]})
    assert _mail("campaign_reminder") == expected
    _restarted(app, tmp_path, first_round + timedelta(minutes=5))
    tick(first_round + timedelta(hours=12))
    assert _mail("campaign_reminder") == expected  # once per round, across the restart

    second_round = CLOSES - timedelta(days=1) + timedelta(minutes=1)
    tick(second_round)
    _restarted(app, tmp_path, second_round)
    assert _mail("campaign_reminder") == sorted(expected * 2)

    tick(CLOSES + timedelta(minutes=1))
    _restarted(app, tmp_path, CLOSES + timedelta(minutes=2))
    tick(CLOSES + timedelta(hours=1))
    [campaign] = _campaigns()
    assert not campaign.is_open
    results_jobs = _db.session.scalars(select(Job).where(Job.kind == "engagement_results")).all()
    assert [j.parameters["campaign_id"] for j in results_jobs] == [campaign.id]  # closed and computed once
    assert _db.session.get(CampaignSchedule, schedule.id).closed_done


def test_reminders_are_never_sent_after_the_close(app, org, schedule):
    tick(OPENS + timedelta(minutes=1))
    tick(CLOSES + timedelta(minutes=1))
    assert _mail("campaign_reminder") == []


def test_a_schedule_whose_campaign_clashes_says_why_and_opens_nothing(app, org):
    clash = schedules.create_schedule(name="Second 2027-Q1", template_id="quarterly-planning", template_version=1,
                                      period_code="2027-Q1", audience=("rep",), has_plan=True,
                                      opens_at=OPENS, closes_at=CLOSES)
    tick(OPENS + timedelta(minutes=1))
    assert _campaigns("Second 2027-Q1") == []
    assert "already open" in _db.session.get(CampaignSchedule, clash.id).last_error


@pytest.mark.parametrize("opens, closes, days, message", [
    (OPENS, OPENS, "", "close after it opens"),
    (OPENS, CLOSES, "3,x", "whole numbers of days"),
    (OPENS, CLOSES, "0", "between 1 and"),
])
def test_a_schedule_that_makes_no_sense_is_refused(app, org, opens, closes, days, message):
    from webapp.store.errors import InvalidInput

    with pytest.raises(InvalidInput, match=message):
        schedules.create_schedule(name="X", template_id="quarterly-planning", template_version=1, period_code="2027-Q3",
                                  audience=("rep",), has_plan=True, opens_at=opens, closes_at=closes, reminder_days=days)
    assert _db.session.scalar(select(func.count()).select_from(CampaignSchedule)) == 0


def test_an_admin_schedules_on_the_campaigns_page_and_sees_it_on_the_jobs_page(app, org):
    c = app.test_client()
    login(c, EMAILS["admin"])
    r = c.post("/admin/campaigns/schedule", data={
        "schedule-name": "Pulse 2027-Q2", "schedule-template": "engagement-annual@1", "schedule-period": "2027-Q2",
        "schedule-audience": ["rep"], "schedule-opens_at": "2027-04-01T09:00", "schedule-closes_at": "2027-04-10T17:00",
        "schedule-reminder_days": "2"})
    assert r.status_code == 303
    page = c.get("/admin/jobs").get_data(as_text=True)
    assert "Pulse 2027-Q2" in page and "2027-04-01 09:00" in page and "waiting to open" in page
    bad = c.post("/admin/campaigns/schedule", data={
        "schedule-name": "Bad", "schedule-template": "engagement-annual@1", "schedule-period": "2027-Q2",
        "schedule-audience": ["rep"], "schedule-opens_at": "2027-04-10T09:00", "schedule-closes_at": "2027-04-01T17:00"},
        follow_redirects=True)
    assert "close after it opens" in bad.get_data(as_text=True)
    assert _db.session.scalar(select(func.count()).select_from(CampaignSchedule)) == 1


def test_the_scheduler_command_runs_once_at_a_given_time(app, org, schedule):
    from webapp.cli.schedule import scheduler_command

    result = app.test_cli_runner().invoke(scheduler_command, ["--once", "--now", "2027-03-20T09:30"])
    assert result.exit_code == 0, result.output
    assert "opened “Planning 2027-Q2” (5 told)" in result.output


def test_a_manually_opened_campaign_tells_its_audience(app, org):
    c = app.test_client()
    login(c, EMAILS["admin"])
    r = c.post("/admin/campaigns", data={"name": "Pulse", "template": "engagement-annual@1", "period": "2027-Q2",
                                         "audience": ["rep"]})
    assert r.status_code == 302
    assert _mail("campaign_opened") == sorted(EMAILS[k] for k in ("r1", "r2", "r3"))


def test_plan_decisions_and_waiting_plans_are_told_to_the_right_people_once(app, org):
    from tests.support.web import submit_plan
    from webapp.store import plans

    plan = submit_plan(app, org, "r1")
    tick()
    tick()
    assert _mail("plans_waiting") == [EMAILS["m1"]]  # one digest a day
    plans.decide(org["m1"], plan.id, action="return", expected_version=plan.version, reason="Add the renewals.")
    tick()
    tick()
    assert _mail("plan_decided") == [EMAILS["r1"]]
    text = _db.session.scalar(select(OutboundMail.text_body).where(OutboundMail.kind == "plan_decided"))
    assert "returned for revision by Max One" in text and "Add the renewals." in text


def test_an_action_is_told_to_its_owner_when_assigned_and_when_overdue(app, org):
    from datetime import date

    from webapp.store import actions

    actions.create_action(driver_id="manager", subject_label="Manager support", title="Coach the coaches",
                          owner_id=org["m1"].id, due_on=date(2027, 1, 15), period_code="2027-Q1",
                          created_by_id=org["hr"].id)
    tick()
    assert _mail("action_assigned") == [EMAILS["m1"]]
    tick(datetime(2027, 1, 20, 8, 0))
    tick(datetime(2027, 1, 21, 8, 0))
    assert _mail("action_overdue") == [EMAILS["m1"]]  # once, not every day
    assert _mail("action_assigned") == [EMAILS["m1"]]


def test_an_admin_turns_a_kind_off_and_it_is_no_longer_written(app, org):
    c = app.test_client()
    login(c, EMAILS["admin"])
    kinds = ["campaign_opened", "plan_decided", "plans_waiting", "action_assigned", "action_overdue"]
    assert c.post("/admin/notifications", data={"kind": kinds}).status_code == 303  # reminders off
    schedules.create_schedule(name="Planning 2027-Q2", template_id="quarterly-planning", template_version=1,
                              period_code="2027-Q2", audience=("rep",), has_plan=True, opens_at=OPENS,
                              closes_at=CLOSES, reminder_days="3")
    tick(OPENS + timedelta(minutes=1))
    tick(CLOSES - timedelta(days=2))
    assert len(_mail("campaign_opened")) == 3 and _mail("campaign_reminder") == []
