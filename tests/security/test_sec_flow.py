"""CSRF-1 (every POST route refuses a missing token), INJ-1/2 (property tests: bad input → 400 and
no row), AC-4 (workflow order as a state machine), ANON-1/5, REL-2/3, and bandit on the packages."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import inspect, select

from tests.support.web import EMAILS, csrf_token, login, make_app, plan_form, row_counts, submit_plan, table_snapshot
from webapp.access import PUBLIC_ENDPOINTS
from webapp.extensions import db as _db
from webapp.models import PlanSubmission

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None,
                            max_examples=30, derandomize=True)

# --- CSRF-1 -------------------------------------------------------------------------------------


def test_every_post_route_refuses_a_missing_or_foreign_token(tmp_path, make_person):
    app = make_app(tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    with app.app_context():
        _db.create_all()
        from webapp.store import people

        people.create_person(email="a@example.test", name="A", role="admin", password="correct-horse-battery")
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        assert client.post("/login", data={"email": "a@example.test", "password": "correct-horse-battery",
                                           "csrf_token": csrf_token(page)}).status_code == 302
        other = app.test_client()
        foreign = csrf_token(other.get("/login").get_data(as_text=True))  # another session's token
        posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint not in PUBLIC_ENDPOINTS]
        assert posts
        before = table_snapshot(_db)
        for rule in posts:
            url = rule.rule.replace("<int:campaign_id>", "1").replace("<int:plan_id>", "1")
            url = url.replace("<int:action_id>", "1").replace("<int:token_id>", "1")
            url = re.sub(r"<int:[a-z_]+>", "1", url)  # any other id (people, themes, …)
            # The JSON API is CSRF-exempt because a session cookie never authenticates it: 403.
            expected = 403 if rule.endpoint.startswith("api.") else 400
            for data in ({}, {"csrf_token": foreign}, {"csrf_token": "forged"}):
                response = client.post(url, data=data)
                assert response.status_code == expected, (rule.rule, data, response.status_code)
        assert table_snapshot(_db) == before
        assert client.get("/admin/people").status_code == 200  # still logged in: logout was refused too
        _db.session.remove()
        _db.engine.dispose()


# --- INJ-2 --------------------------------------------------------------------------------------

GOOD_MONEY = r"^(?:[1-9]\d{0,2}(?:,\d{3})*|[1-9]\d*|0)(?:\.\d{1,2})?$"

bad_money = st.one_of(
    st.sampled_from(["NaN", "nan", "Infinity", "-Infinity", "inf", "1e5", "1E+3", "0", "0.00", "-1", "-0.01",
                     "1.001", "1,00", "1_000", "0x10", "١٢٣", "12 000", "1000000000000.01", "9" * 40, "",
                     " ", "1.2.3", "$100", "100€", "+5", "\x00100"]),
    st.text(alphabet=st.characters(blacklist_categories=["Nd"]), min_size=1, max_size=20)
    .filter(lambda s: s.strip() != ""),
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda f: not (f == f) or f in (float("inf"), float("-inf"))
                                                          or f <= 0).map(repr),
    st.decimals(min_value=0, max_value=10**6, places=3).filter(lambda d: d != d.quantize(1) and
                                                               d.as_tuple().exponent == -3 and
                                                               d != d.quantize(type(d)("0.01"))).map(str),
)
bad_likert = st.one_of(st.integers().filter(lambda n: not 1 <= n <= 5).map(str),
                       st.sampled_from(["3.0", "٣", "three", "1e0", "\x003", "+3", "0x3", "3 3"]))
# (A blank Likert answer is allowed: engagement items are optional, "prefer not to say".)
bad_text = st.one_of(
    st.text(min_size=0, max_size=40).map(lambda s: s + "\x00" + s),
    st.integers(min_value=2001, max_value=6000).map(lambda n: "y" * n),
)


def _assert_refused(app, org, data):
    c = app.test_client()
    login(c, EMAILS["r1"])
    before = row_counts(_db)
    response = c.post(f"/campaigns/{org['campaign'].id}/respond", data=data)
    assert response.status_code == 400, (data, response.status_code)
    assert row_counts(_db) == before


@FIXTURE_SETTINGS
@given(value=bad_money)
def test_bad_money_is_refused_and_writes_nothing(app, org, value):
    import re

    if re.fullmatch(GOOD_MONEY, value.strip()) and 0 < float(value.replace(",", "")) <= 10**12:
        return  # a well-formed amount slipped through the generator
    _assert_refused(app, org, plan_form(proposed=value))


@FIXTURE_SETTINGS
@given(value=bad_likert, item=st.sampled_from(["proud", "manager_support", "confidence", "enps"]))
def test_bad_scale_answers_are_refused_and_write_nothing(app, org, value, item):
    if item == "enps" and value.isascii() and value.isdigit() and 0 <= int(value) <= 10:
        return
    _assert_refused(app, org, plan_form(**{item: value}))


@FIXTURE_SETTINGS
@given(value=bad_text, where=st.sampled_from(["rationale", "observation", "pulse_comment"]))
def test_bad_text_is_refused_and_writes_nothing(app, org, value, where):
    if where == "observation":
        data = plan_form(observations=(value,))
    else:
        data = plan_form(**{where: value})
    _assert_refused(app, org, data)


@FIXTURE_SETTINGS
@given(amount=bad_money)
def test_bad_adjustment_amounts_are_refused(app, org, amount):
    import re

    if re.fullmatch(GOOD_MONEY, amount.strip()) and 0 < float(amount.replace(",", "")) <= 10**12:
        return
    plan = _db.session.scalar(select(PlanSubmission).where(PlanSubmission.status == "submitted")) \
        or submit_plan(app, org, "r1")
    c = app.test_client()
    login(c, EMAILS["m1"])
    before = table_snapshot(_db)
    response = c.post(f"/plans/{plan.id}/decide", data={"action": "adjust", "amount": amount, "reason": "r",
                                                       "version": str(plan.version)})
    assert response.status_code == 400
    assert table_snapshot(_db) == before


def test_sort_and_filter_parameters_come_from_an_allowlist(app, org):
    """INJ-1: a grouping or filter outside the allowlist is refused, never spliced into SQL."""
    submit_plan(app, org, "r1")
    c = app.test_client()
    login(c, EMAILS["leader"])
    for by in ("region;DROP TABLE person", "person.password_hash", "1=1", "name"):
        assert c.get(f"/rollup?by={by}").status_code == 400
    for period in ("2027-Q1' OR '1'='1", "2027-Q1;--"):
        assert c.get(f"/rollup?period={period}").status_code == 404
    assert c.get("/insights?region=North' OR 1=1--&period=2027-Q1").status_code in (200, 404)
    assert row_counts(_db)["person"] == 8


# --- AC-4 ---------------------------------------------------------------------------------------


class PlanWorkflow(RuleBasedStateMachine):
    """Draft → submitted → approved/adjusted/returned; returned → submitted; nothing after a decision;
    nothing at all once the campaign is closed. The model predicts each answer; the app must agree."""

    def __init__(self):
        super().__init__()
        self.app = make_app(_STATE["tmp"] / f"sm{next(_STATE['n'])}", MIN_GROUP_SIZE=3)
        self.ctx = self.app.app_context()
        self.ctx.push()
        _db.create_all()
        from webapp.store import campaigns, people

        pw = "correct-horse-battery"
        self.manager = people.create_person(email="m@example.test", name="M", role="manager", password=pw)
        people.create_person(email="r@example.test", name="R", role="rep", manager=self.manager, password=pw,
                             territory="T", region="R")
        self.campaign = campaigns.open_campaign(name="C", template_id="quarterly-planning", template_version=1,
                                                period_code="2027-Q1", audience=("rep",), has_plan=True)
        self.rep_client = self.app.test_client()
        self.mgr_client = self.app.test_client()
        login(self.rep_client, "r@example.test")
        login(self.mgr_client, "m@example.test")
        self.status = None  # the model: None (no plan), draft, submitted, approved, adjusted, returned
        self.open = True
        self.answered = False

    def teardown(self):
        _db.session.remove()
        _db.engine.dispose()
        self.ctx.pop()

    def _plan(self):
        return _db.session.scalar(select(PlanSubmission))

    @rule(proposed=st.sampled_from(["1000", "2500.50"]))
    def save_draft(self, proposed):
        r = self.rep_client.post(f"/campaigns/{self.campaign.id}/respond",
                                 data=plan_form(proposed=proposed, action="draft", likert=None, enps=None, comment=None))
        if self.open and self.status in (None, "draft", "returned"):
            assert r.status_code == 302
            self.status = "draft" if self.status is None else self.status
        elif not self.open or self.status in ("approved", "adjusted"):
            assert r.status_code in (200, 302, 409)  # a read-only page or a refusal, never a change
        else:  # submitted: a draft cannot un-submit
            assert r.status_code in (302, 409)

    @rule()
    def submit(self):
        data = plan_form(likert=None if self.answered else 4, enps=None if self.answered else "9",
                         comment=None if self.answered else "ok")
        r = self.rep_client.post(f"/campaigns/{self.campaign.id}/respond", data=data)
        if self.open and self.status in (None, "draft", "submitted", "returned"):
            assert r.status_code == 302
            self.status, self.answered = "submitted", True
        else:
            assert r.status_code in (200, 302, 409)

    @rule(action=st.sampled_from(["approve", "adjust", "return"]))
    def decide(self, action):
        plan = self._plan()
        if plan is None:
            return
        r = self.mgr_client.post(f"/plans/{plan.id}/decide", data={
            "action": action, "amount": "900", "reason": "because", "version": str(plan.version)})
        if self.status == "submitted":
            assert r.status_code == 302
            self.status = {"approve": "approved", "adjust": "adjusted", "return": "returned"}[action]
        else:
            assert r.status_code in (400, 409), (self.status, action, r.status_code)

    @precondition(lambda self: self.open)
    @rule()
    def close(self):
        from webapp.store import campaigns

        campaigns.close_campaign(self.campaign.id)
        self.open = False

    @invariant()
    def stored_status_matches_the_model(self):
        if not hasattr(self, "app"):
            return
        _db.session.expire_all()
        plan = self._plan()
        assert (plan.status if plan else None) == self.status
        if plan is not None and self.status in ("approved", "adjusted"):
            assert plan.approved is not None
        if plan is not None and self.status in ("draft", "submitted"):
            assert plan.approved is None


_STATE: dict = {}


def test_plan_workflow_order(tmp_path):
    import itertools

    _STATE.update(tmp=tmp_path, n=itertools.count())
    PlanWorkflow.TestCase.settings = settings(max_examples=15, stateful_step_count=12, deadline=None,
                                              derandomize=True)
    PlanWorkflow.TestCase().runTest()


# --- ANON-1 / ANON-5 ----------------------------------------------------------------------------


def test_engagement_rows_hold_no_person_link_on_any_database(app, org):
    """ANON-1, database-agnostic: read from the model metadata and the live schema alike."""
    from webapp.models import EngagementResponse

    person_like = ("person", "email", "user", "ip", "addr", "agent", "name", "submitted_at", "created",
                   "_at", "time", "date", "id")
    for source in (EngagementResponse.__table__.columns.keys(),
                   [c["name"] for c in inspect(_db.engine).get_columns("engagement_response")]):
        for column in source:
            if column in ("key", "campaign_id", "manager_key"):
                continue
            assert not any(word in column for word in person_like), column
    fks = {fk.column.table.name for fk in EngagementResponse.__table__.foreign_keys}
    assert fks == {"campaign"}
    pk = [c.name for c in EngagementResponse.__table__.primary_key.columns]
    assert pk == ["key"]


def test_engagement_keys_are_random_not_sequential(app, org):
    from webapp.models import EngagementResponse

    for who in ("r1", "r2", "r3"):
        submit_plan(app, org, who)
    keys = list(_db.session.scalars(select(EngagementResponse.key)))
    assert len(keys) == 3 and len({k[:8] for k in keys}) == 3
    assert all(len(k) == 32 and int(k, 16) for k in keys)


def test_no_engagement_results_while_the_campaign_is_open(app, org):
    """ANON-5: with enough answers for any threshold, an open campaign shows participation only."""
    from webapp.models import CampaignMember
    from webapp.store import people

    extra = []
    for i in range(6):
        extra.append(people.create_person(email=f"x{i}@example.test", name=f"X{i}", role="rep", manager=org["m1"],
                                          territory="North-1", region="North", password="correct-horse-battery"))
        _db.session.add(CampaignMember(campaign_id=org["campaign"].id, person_id=extra[-1].id,
                                       manager_key=EMAILS["m1"], region="North", territory="North-1",
                                       department="Sales"))
    _db.session.commit()
    for i in range(6):
        c = app.test_client()
        login(c, f"x{i}@example.test")
        assert c.post(f"/campaigns/{org['campaign'].id}/respond",
                      data=plan_form(likert=2, enps="3", comment="UNIQUE-OPEN-COMMENT")).status_code == 302
    hr = app.test_client()
    login(hr, EMAILS["hr"])
    bodies = [hr.get(f"/engagement?campaign={org['campaign'].id}{q}").get_data(as_text=True)
              for q in ("", "&by=manager", "&by=region", "&by=territory", "&by=department", "&by=tenure")]
    for body in bodies:
        assert "UNIQUE-OPEN-COMMENT" not in body
        assert "eNPS" not in body or "-100" not in body  # all detractors: the score must not show
    # After closing, the same data becomes visible (the check above is not vacuous).
    from webapp.store import campaigns

    campaigns.close_campaign(org["campaign"].id)
    try:
        from webapp.store import engagement
        from webapp.engagement import dashboard as eng_dashboard, results as eng_results  # noqa: F401

        eng_results.clear_cache()
    except (ImportError, AttributeError):  # pragma: no cover
        pass
    after = hr.get(f"/engagement?campaign={org['campaign'].id}").get_data(as_text=True)
    assert "-100" in after or "UNIQUE-OPEN-COMMENT" in after


# --- REL-2 / REL-3 ------------------------------------------------------------------------------


def test_every_successful_post_redirects(app, org):
    """REL-2: Post/Redirect/Get — a refresh after a successful POST re-sends nothing."""
    plan = submit_plan(app, org, "r1")
    m1 = app.test_client()
    login(m1, EMAILS["m1"])
    decision = m1.post(f"/plans/{plan.id}/decide", data={"action": "approve", "version": str(plan.version)})
    assert decision.status_code == 302
    before = row_counts(_db)
    again = m1.post(f"/plans/{plan.id}/decide", data={"action": "approve", "version": str(plan.version)})
    assert again.status_code in (400, 409) and row_counts(_db) == before
    admin = app.test_client()
    login(admin, EMAILS["admin"])
    data = {"name": "Pulse", "template": "engagement-annual@1", "period": "2027-06", "audience": ["rep"]}
    assert admin.post("/admin/campaigns", data=data).status_code == 302
    before = row_counts(_db)
    admin.post("/admin/campaigns", data=data)  # the double click
    assert row_counts(_db)["campaign"] == before["campaign"]


def test_stale_decision_from_another_manager_of_the_chain_gets_409(app, org):
    """REL-3: the version seen travels with the form; the later decision is refused, the first stands."""
    plan = submit_plan(app, org, "r1")
    seen = str(plan.version)
    # The rep updates the submission after the manager opened it: the manager's form is stale.
    submit_plan(app, org, "r1", proposed="130000")
    m1 = app.test_client()
    login(m1, EMAILS["m1"])
    stale = m1.post(f"/plans/{plan.id}/decide", data={"action": "approve", "version": seen})
    assert stale.status_code == 409
    _db.session.expire_all()
    assert plan.status == "submitted" and plan.approved is None


# --- bandit -------------------------------------------------------------------------------------


def test_bandit_finds_nothing_of_medium_severity_or_above():
    bandit = shutil.which("bandit", path=str(Path(sys.executable).parent)) or shutil.which("bandit")
    assert bandit is not None, "bandit is not installed (it is in the test extra)"
    result = subprocess.run([bandit, "-q", "-r", "webapp", "analysis", "surveys", "-ll", "-f", "txt"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


# --- ANON-2 / ANON-5 (membership) ---------------------------------------------------------------


def test_participation_and_answers_share_one_transaction(app, org, monkeypatch):
    """ANON-2: a failure between the answer rows and the participation row leaves neither."""
    from webapp.store import campaigns, plans
    from webapp.store.plans import EngagementInput, PlanInput

    before = row_counts(_db)

    def broken(**kwargs):
        raise RuntimeError("the disk filled up between the two writes")

    monkeypatch.setattr(plans, "Participation", broken)
    with pytest.raises(RuntimeError):
        plans.save_answers(org["r1"], campaigns.get_campaign(org["campaign"].id),
                           PlanInput(proposed=None, rationale="x", observations=(("seen", None),)),
                           EngagementInput(likert={"proud": 4}, enps=9, comments={}), submit=True)
    _db.session.rollback()  # what the request teardown does
    assert row_counts(_db) == before


def test_group_membership_is_frozen_at_launch(app, org, db):
    """ANON-5: moving a person after launch does not move their answer into another group."""
    from webapp.models import EngagementResponse, Person
    from webapp.store import people

    r1 = db.session.get(Person, org["r1"].id)
    r1.manager_id = org["m2"].id
    r1.territory = people.ensure_territory("South-9", "South")
    db.session.commit()
    submit_plan(app, org, "r1")
    response = db.session.scalar(select(EngagementResponse))
    assert response.manager_key == EMAILS["m1"] and response.territory == "North-1" and response.region == "North"
