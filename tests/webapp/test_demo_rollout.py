"""The demo shows roll-out: invitations and reminders captured in the outbox, a scheduled campaign."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from webapp.models import CampaignSchedule, OutboundMail, Participation


@pytest.fixture
def app_overrides():
    return {"MAIL_CAPTURE": True}


def test_the_demo_rollout_fills_the_outbox_and_schedules_a_campaign(app, db):
    from webapp.cli import cli
    from webapp.demo.rollout import show_rollout

    runner = app.test_cli_runner()
    assert runner.invoke(cli.commands["seed-demo"], ["--reps", "20", "--periods", "2"]).exit_code == 0
    summary = show_rollout()
    assert "3 invitations" in summary and "reminders" in summary
    mails = db.session.scalars(select(OutboundMail)).all()
    assert {m.state for m in mails} == {"captured"}
    invited = sorted(m.to_email for m in mails if m.kind == "invite")
    assert invited == ["manager2@demo.test", "rep2@demo.test", "rep3@demo.test"]
    reminded = {m.person_id for m in mails if m.kind == "campaign_reminder"}
    [attached] = db.session.scalars(select(CampaignSchedule).where(CampaignSchedule.campaign_id.is_not(None))).all()
    answered = set(db.session.scalars(select(Participation.person_id).where(
        Participation.campaign_id == attached.campaign_id)))
    assert reminded and not reminded & answered
    waiting = db.session.scalars(select(CampaignSchedule).where(CampaignSchedule.campaign_id.is_(None))).all()
    assert [s.name.startswith("Engagement pulse") for s in waiting] == [True]

    c = app.test_client()
    c.post("/login", data={"email": "admin@demo.test", "password": "groundswell-demo"})
    page = c.get("/admin/outbox").get_data(as_text=True)
    assert "You are invited to Groundswell" in page and "Reminder:" in page
    assert "waiting to open" in c.get("/admin/jobs").get_data(as_text=True)
