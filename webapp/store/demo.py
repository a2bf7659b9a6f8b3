"""Write a generated demo organisation into the database in one transaction."""

from __future__ import annotations

from sqlalchemy import select

from surveys.loader import get_survey
from webapp.demo.generator import DEMO_PASSWORD, DemoOrg
from webapp.extensions import db
from webapp.models import (
    Actual,
    Campaign,
    CampaignMember,
    Decision,
    EngagementResponse,
    Observation,
    Participation,
    Person,
    PlanSubmission,
    TopDownTarget,
)
from webapp.models.types import utcnow
from webapp.infra.passwords import hash_password
from webapp.store.campaigns import open_campaign
from webapp.store.errors import InvalidInput
from webapp.store.people import count_people, ensure_period, ensure_territory


def load_demo_org(org: DemoOrg) -> dict[str, int]:
    """Write the org; refuses a database that already has people. Returns row counts."""
    if count_people():
        raise InvalidInput("The database already has people; the demo loads only into an empty one.")
    # One hash for every demo login: they share the published demo password anyway, and hashing
    # a hundred Argon2id passwords would slow `groundswell demo` down for nothing.
    password_hash = hash_password(DEMO_PASSWORD)
    by_email: dict[str, Person] = {}
    for p in org.people:
        person = Person(email=p.email, name=p.name, role=p.role,
                        manager=by_email.get(p.manager_email) if p.manager_email else None,
                        territory=ensure_territory(p.territory, p.region) if p.territory else None,
                        department=p.department, hire_date=p.hire_date, password_hash=password_hash,
                        active=True, session_version=1)
        db.session.add(person)
        by_email[p.email] = person
    db.session.flush()
    periods = {code: ensure_period(code) for code in [*org.periods, org.open_period]}
    campaigns: dict[str, Campaign] = {}
    for c in org.campaigns:
        survey = get_survey(c.template_id)
        campaign = open_campaign(name=c.name, template_id=survey.id, template_version=survey.version,
                                 period_code=c.period, audience=("rep", "manager"),
                                 has_plan=survey.has_plan, commit=False)
        campaigns[c.name] = campaign
        members = {m.person_id: m for m in db.session.scalars(
            select(CampaignMember).where(CampaignMember.campaign_id == campaign.id))}
        for r in c.responses:
            m = members[by_email[r.email].id]
            db.session.add(EngagementResponse(
                campaign_id=campaign.id, manager_key=m.manager_key, region=m.region,
                territory=m.territory, department=m.department, tenure_band=m.tenure_band,
                answers={"likert": r.likert, "enps": r.enps, "comments": r.comments}))
            db.session.add(Participation(campaign_id=campaign.id, person_id=m.person_id))
        if c.status == "closed":
            campaign.status, campaign.closed_at = "closed", utcnow()
    plan_campaign = {c.period: campaigns[c.name] for c in org.campaigns if c.template_id == "quarterly-planning"}
    for p in org.plans:
        person = by_email[p.email]
        plan = PlanSubmission(person_id=person.id, period_id=periods[p.period].id,
                              campaign_id=plan_campaign[p.period].id, territory_id=person.territory_id,
                              status=p.status, proposed=p.proposed, confidence=p.confidence,
                              rationale=p.rationale, approved=p.approved, answers={},
                              submitted_at=utcnow(), decided_at=utcnow() if p.decided_by else None)
        db.session.add(plan)
        db.session.flush()
        db.session.add(Decision(submission_id=plan.id, actor_id=person.id, action="submitted",
                                new_amount=p.proposed))
        if p.decided_by:
            action = "adjust" if p.status == "adjusted" else "approve"
            db.session.add(Decision(submission_id=plan.id, actor_id=by_email[p.decided_by].id,
                                    action=action, old_amount=p.proposed, new_amount=p.approved,
                                    reason=p.reason))
        for position, o in enumerate(p.observations):
            db.session.add(Observation(external_id=o.external_id, person_id=person.id,
                                       territory_id=person.territory_id, period_id=plan.period_id,
                                       submission_id=plan.id, position=position, text=o.text, tag=o.tag))
    for email, code, amount in org.top_down:
        db.session.add(TopDownTarget(person_id=by_email[email].id, period_id=periods[code].id, amount=amount))
    for email, code, amount in org.actuals:
        db.session.add(Actual(person_id=by_email[email].id, period_id=periods[code].id, amount=amount))
    db.session.commit()
    return {"people": len(org.people), "plans": len(org.plans),
            "observations": sum(len(p.observations) for p in org.plans),
            "responses": sum(len(c.responses) for c in org.campaigns), "campaigns": len(org.campaigns)}
