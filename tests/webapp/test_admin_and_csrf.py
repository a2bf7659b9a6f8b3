"""Admin opens and closes campaigns; with CSRF on, a POST without a token changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.web import csrf_token, login, make_app, plan_form
from webapp.extensions import db as _db
from webapp.models import Campaign, CampaignMember, PlanSubmission


def test_admin_opens_and_closes_a_campaign(client, org, db):
    login(client, "admin@example.test")
    bad = client.post("/admin/campaigns", data={"name": "Q2", "template": "quarterly-planning@1",
                                                 "period": "2027-Q5", "audience": ["rep"]})
    assert bad.status_code == 400 and "YYYY-Qn" in bad.get_data(as_text=True)
    ok = client.post("/admin/campaigns", data={"name": "Pulse 2027-04", "template": "engagement-annual@1",
                                               "period": "2027-04", "audience": ["rep", "manager"]})
    assert ok.status_code == 302
    campaign = db.session.scalar(select(Campaign).where(Campaign.name == "Pulse 2027-04"))
    members = db.session.scalar(select(func.count()).select_from(CampaignMember)
                                .where(CampaignMember.campaign_id == campaign.id))
    assert members == 5  # 3 reps + 2 managers, frozen at opening
    client.post(f"/admin/campaigns/{campaign.id}/close")
    db.session.expire_all()
    assert campaign.status == "closed"


def test_closed_campaign_refuses_answers(client, org, db):
    from webapp.store import campaigns

    campaigns.close_campaign(org["campaign"].id)
    login(client, "r1@example.test")
    client.post(f"/campaigns/{org['campaign'].id}/respond", data=plan_form())
    assert db.session.scalar(select(func.count()).select_from(PlanSubmission)
                             .where(PlanSubmission.campaign_id == org["campaign"].id)) == 0


@pytest.fixture
def csrf_client(tmp_path, make_person):
    app = make_app(tmp_path / "csrf", WTF_CSRF_ENABLED=True)  # creates the folder
    with app.app_context():
        _db.create_all()
        from webapp.store import people

        people.create_person(email="r@example.test", name="R", role="rep", password="correct-horse-battery")
        yield app.test_client()
        _db.session.remove()
        _db.engine.dispose()


def test_post_without_csrf_token_is_refused(csrf_client):
    response = csrf_client.post("/login", data={"email": "r@example.test", "password": "correct-horse-battery"})
    assert response.status_code == 400
    page = csrf_client.get("/login").get_data(as_text=True)
    response = csrf_client.post("/login", data={"email": "r@example.test", "password": "correct-horse-battery",
                                                "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert csrf_client.post("/logout").status_code == 400  # no token: still logged in
    assert csrf_client.get("/plans/history").status_code == 200


def test_closing_a_campaign_prepares_results_in_a_background_job(client, org, db):
    from webapp.models import Job

    login(client, "admin@example.test")
    response = client.post(f"/admin/campaigns/{org['campaign'].id}/close")
    assert response.status_code == 302
    job = db.session.scalar(select(Job).where(Job.kind == "engagement_results"))
    assert job is not None and job.parameters == {"campaign_id": org["campaign"].id}
    assert job.state == "finished"  # JOBS_INLINE=sync in tests; a thread or RQ worker otherwise
