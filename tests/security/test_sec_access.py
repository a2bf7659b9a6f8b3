"""AC-1, AC-2, AC-3, AC-5: deny by default on every method, the role × owner × action matrix over
every id-bearing route (enumerated from `app.url_map`, so a new route without a check fails), and
field-level protection against mass assignment."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from tests.support.web import EMAILS, login, plan_form, submit_plan, table_snapshot
from webapp.access import ALL_ROLES, PUBLIC_ENDPOINTS
from webapp.models import Campaign, PlanSubmission

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: Rules whose variable is a static file name, not an object id.
FILE_ROUTES = {"static", "bootstrap.static"}
R1_MARKERS = ("777,001", "R1-SECRET-RATIONALE", "R1-SECRET-OBSERVATION")
PEOPLE = ("r1", "r2", "r3", "m1", "m2", "leader", "hr", "admin")


def _filled(rule, value="1") -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", value, rule.rule)


# --- AC-1 ---------------------------------------------------------------------------------------


def test_anonymous_requests_with_every_method_are_never_served(app, client, org):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in PUBLIC_ENDPOINTS]
    for rule in rules:
        for method in METHODS:
            response = client.open(_filled(rule), method=method)
            code = response.status_code
            assert code in (302, 401, 405), (rule.rule, method, code)
            if code == 302:
                assert response.headers["Location"].startswith("/login"), (rule.rule, method)


def test_every_view_declares_its_roles(app):
    """Deny by default is only as good as the declarations: every endpoint is public or @allow'ed."""
    undeclared = [endpoint for endpoint, view in app.view_functions.items()
                  if endpoint not in PUBLIC_ENDPOINTS and not getattr(view, "_allowed_roles", None)]
    assert undeclared == []
    for endpoint, view in app.view_functions.items():
        roles = getattr(view, "_allowed_roles", ())
        assert set(roles) <= set(ALL_ROLES), endpoint


def test_every_role_outside_a_views_roles_gets_403_on_every_method(app, org):
    """The role half of the matrix, for every rule and every method the rule accepts."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        roles = app.view_functions[rule.endpoint]._allowed_roles
        for role in set(ALL_ROLES) - set(roles):
            who = {"rep": "r1", "manager": "m1", "leader": "leader", "hr": "hr", "admin": "admin"}[role]
            c = app.test_client()
            login(c, EMAILS[who])
            before = table_snapshot(org_db())
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                response = c.open(_filled(rule, str(org["campaign"].id)), method=method)
                assert response.status_code == 403, (rule.rule, method, role, response.status_code)
            assert table_snapshot(org_db()) == before, (rule.rule, role)


def org_db():
    from webapp.extensions import db

    return db


# --- AC-2: the object-level matrix --------------------------------------------------------------


@dataclass
class Case:
    """One request of the matrix: who, how, and whether they may do it."""

    who: str
    method: str
    url: str
    allowed: bool
    data: dict = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    mutates: bool = False  # an allowed case that changes data: run last, checked for success only
    json: dict | None = None


def _world(app, org, db):
    """r1 and r3 have submitted plans with recognisable contents; a theme and actions exist."""
    plan1 = submit_plan(app, org, "r1", proposed="777001", rationale="R1-SECRET-RATIONALE",
                        observations=("R1-SECRET-OBSERVATION about customers",))
    plan3 = submit_plan(app, org, "r3", proposed="333003", rationale="R3-SECRET-RATIONALE")
    from webapp.store import analysis

    run = analysis.replace_run(kind="observations", scope="all", parameters={}, n_texts=2,
                               themes=[analysis.ThemeRow(7, "THEME-SECRET-LABEL", ["discount"], 1,
                                                         ["R1-SECRET-OBSERVATION about customers"], 0.1)],
                               assignments=[(plan1.observations[0].id, 7, 0.9, 0.1)])
    return {"plan1": plan1, "plan3": plan3, "run": run, "theme_key": 7}


def _cases_plan_detail(w, org):
    allowed = {"r1", "m1", "leader", "admin"}
    return [Case(p, "GET", f"/plans/{w['plan1'].id}", p in allowed, secrets=R1_MARKERS) for p in PEOPLE]


def _cases_plan_decide(w, org):
    plan = w["plan1"]
    data = {"action": "adjust", "amount": "1", "reason": "mine now", "version": str(plan.version)}
    denied = [Case(p, "POST", f"/plans/{plan.id}/decide", False, data, R1_MARKERS)
              for p in PEOPLE if p not in ("m1", "leader")]
    # The leader is above r3 too; m1 is not: a manager of another branch is refused.
    denied.append(Case("m1", "POST", f"/plans/{w['plan3'].id}/decide", False,
                       {**data, "version": str(w["plan3"].version)}, ("R3-SECRET-RATIONALE", "333,003")))
    return denied + [Case("m1", "POST", f"/plans/{plan.id}/decide", True, data, mutates=True)]


def _cases_respond(w, org):
    url = f"/campaigns/{org['campaign'].id}/respond"
    cases = []
    for p in PEOPLE:
        # Everyone in the audience gets their own form; nobody sees r1's answers but r1.
        allowed = p in ("r1", "r2", "r3", "m1", "m2")
        cases.append(Case(p, "GET", url, allowed, secrets=R1_MARKERS if p != "r1" else ()))
        if p != "r1":
            cases.append(Case(p, "POST", url, allowed, plan_form(), secrets=R1_MARKERS, mutates=allowed))
    cases.append(Case("r1", "GET", "/campaigns/999999/respond", False))
    return cases


def _cases_admin_close(w, org):
    url = f"/admin/campaigns/{org['campaign'].id}/close"
    return ([Case(p, "POST", url, False) for p in PEOPLE if p != "admin"]
            + [Case("admin", "POST", url, True, mutates=True)])


def _cases_theme(w, org):
    url = f"/insights/themes/{w['theme_key']}?period=2027-Q1"
    return [Case(p, "GET", url, p in ("leader", "admin"), secrets=("THEME-SECRET-LABEL",) + R1_MARKERS)
            for p in PEOPLE]


def _cases_action_status(w, org):
    from datetime import date

    from webapp.store import actions

    theme_action = actions.create_action(theme_key=7, driver_id=None, subject_label="THEME-SECRET-LABEL",
                                         title="Call the banks", owner_id=org["leader"].id,
                                         due_on=date(2027, 3, 1), period_code="2027-Q1",
                                         created_by_id=org["leader"].id)
    url = f"/actions/{theme_action.id}/status"
    data = {"status": "done"}
    return ([Case(p, "POST", url, False, data) for p in PEOPLE if p not in ("leader", "admin")]
            + [Case("r1", "POST", "/actions/999999/status", False, data),
               Case("leader", "POST", url, True, data, mutates=True)])


def _cases_engagement_export(w, org):
    from webapp.engagement import tables  # noqa: F401 - the export's table registry must exist

    url = "/engagement/export/participation.csv"
    return [Case(p, "GET", url, False) for p in PEOPLE if p not in ("hr", "admin", "leader")]


def _cases_insights_export(w, org):
    # Every table the leader report exports; the theme table carries quotes, the roll-up amounts.
    from webapp.insights.tables import tables  # noqa: F401 - the export's table registry must exist

    cases = []
    for name in ("themes", "rollup", "accuracy", "theme-quotes", "no-such-table"):
        url = f"/insights/export/{name}.csv?period=2027-Q1"
        cases += [Case(p, "GET", url, False, secrets=("THEME-SECRET-LABEL",) + R1_MARKERS)
                  for p in PEOPLE if p not in ("leader", "admin")]
    return cases


def _cases_api_session(path: str, method: str = "GET"):
    """The API takes bearer tokens only: a session cookie gets 403 whoever it belongs to.

    The token × role × owner matrix of the API is in tests/webapp/test_api_access.py.
    """
    def build(w, org):
        url = path.format(plan=w["plan1"].id, person=org["r1"].id)
        data = {"action": "approve", "version": w["plan1"].version}
        return [Case(p, method, url, False, data if method == "POST" else {}, R1_MARKERS) for p in PEOPLE]

    return build


def _cases_token_revoke(w, org):
    from webapp.store import tokens

    token = tokens.create_token(org["r1"], name="R1 tool", days=30).token
    url = f"/tokens/{token.id}/revoke"
    return ([Case(p, "POST", url, False) for p in PEOPLE if p != "r1"]
            + [Case("r1", "POST", url, True, mutates=True)])


API_SECRETS = ("R1-SECRET-RATIONALE", "R1-SECRET-OBSERVATION", "777001")


def _cases_api_plan(w, org):
    allowed = {"r1", "m1", "leader", "admin"}
    return [Case(p, "GET", f"/api/v1/plans/{w['plan1'].id}", p in allowed, secrets=API_SECRETS) for p in PEOPLE]


def _cases_api_decide(w, org):
    plan = w["plan1"]
    body = {"action": "adjust", "amount": "1", "reason": "mine now", "version": plan.version}
    return ([Case(p, "POST", f"/api/v1/plans/{plan.id}/decision", False, secrets=API_SECRETS, json=body)
             for p in PEOPLE if p not in ("m1", "leader")]
            + [Case("m1", "POST", f"/api/v1/plans/{w['plan3'].id}/decision", False,
                    secrets=("R3-SECRET-RATIONALE", "333003"), json={**body, "version": w["plan3"].version}),
               Case("m1", "POST", f"/api/v1/plans/{plan.id}/decision", True, json=body, mutates=True)])


def _cases_api_person(w, org):
    return [Case(p, "GET", f"/api/v1/people/{org['r1'].id}", p == "admin", secrets=("r1@example.test",)
                 if p not in ("r1", "admin") else ()) for p in PEOPLE]


def _cases_token_revoke(w, org):
    from webapp.store import tokens

    new = tokens.create_token(org["r1"], name="r1's script", days=30)
    token_id = getattr(new, "id", None) or new.token.id
    url = f"/tokens/{token_id}/revoke"
    return ([Case(p, "POST", url, False) for p in PEOPLE if p != "r1"]
            + [Case("r1", "POST", url, True, mutates=True)])


def _cases_admin_person(action: str, method: str = "POST", data: dict | None = None, who: str = "r2"):
    """People administration: only admins, whoever the person is."""
    def build(w, org):
        url = f"/admin/people/{org[who].id}" + (f"/{action}" if action else "")
        return ([Case(p, method, url, False, dict(data or {})) for p in PEOPLE if p != "admin"]
                + [Case("admin", method, url, True, dict(data or {}), mutates=method == "POST")])
    return build


def _r1_invitation():
    from webapp import notifications
    from webapp.extensions import db
    from webapp.models import OutboundMail

    notifications.invite([notifications.people.person_by_email(EMAILS["r1"]).id])
    return db.session.scalars(select(OutboundMail).order_by(OutboundMail.id.desc())).first()


def _cases_outbox_message(w, org):
    mail = _r1_invitation()
    url = f"/admin/outbox/{mail.id}"
    return [Case(p, "GET", url, p == "admin", secrets=("/set-password/",)) for p in PEOPLE]


def _cases_my_message(w, org):
    mail = _r1_invitation()
    url = f"/me/messages/{mail.id}"
    return [Case(p, "GET", url, p == "r1", secrets=("/set-password/",)) for p in PEOPLE]


def _cases_set_password(w, org):
    mail = _r1_invitation()
    real = re.search(r"/set-password/\S+", mail.text_body).group(0)
    return ([Case(p, "GET", "/set-password/not-a-token-of-anyone", False) for p in PEOPLE]
            + [Case("r1", "GET", real, True)])


#: endpoint -> builder of its matrix. A rule with URL variables and no entry here fails the test
#: below: add the entry (who may, who may not, which secrets must not leak) with the route.
ID_ROUTES = {
    "plans.detail": _cases_plan_detail,
    "plans.decide": _cases_plan_decide,
    "respond.respond": _cases_respond,
    "admin.close": _cases_admin_close,
    "insights.theme": _cases_theme,
    "actions.status": _cases_action_status,
    "engagement.export": _cases_engagement_export,
    "insights.export": _cases_insights_export,
    "api.plan": _cases_api_session("/api/v1/plans/{plan}"),
    "api.decide": _cases_api_session("/api/v1/plans/{plan}/decision", "POST"),
    "api.person": _cases_api_session("/api/v1/people/{person}"),
    "tokens.revoke": _cases_token_revoke,
    "admin.person": _cases_admin_person("", "GET"),
    "admin.deactivate": _cases_admin_person("deactivate"),
    "admin.reactivate": _cases_admin_person("reactivate"),
    "admin.move_team": _cases_admin_person("move-team", data={"to_manager_email": EMAILS["m2"]}, who="m1"),
    "notifications.outbox_message": _cases_outbox_message,
    "notifications.my_message": _cases_my_message,
    "auth.set_password": _cases_set_password,
}


def test_every_id_bearing_route_has_a_matrix(app):
    id_routes = {r.endpoint for r in app.url_map.iter_rules() if r.arguments and r.endpoint not in FILE_ROUTES}
    unknown = sorted(id_routes - set(ID_ROUTES))
    assert unknown == [], f"id-bearing routes without an object-level check in ID_ROUTES: {unknown}"
    stale = sorted(set(ID_ROUTES) - {r.endpoint for r in app.url_map.iter_rules()})
    assert stale == [], f"ID_ROUTES names routes that no longer exist: {stale}"


@pytest.mark.parametrize("endpoint", sorted(ID_ROUTES))
def test_object_level_matrix(app, org, db, endpoint):
    if endpoint not in app.view_functions:
        pytest.fail(f"{endpoint} is in ID_ROUTES but not registered")
    world = _world(app, org, db)
    cases = ID_ROUTES[endpoint](world, org)
    assert any(not c.allowed for c in cases)
    for case in sorted(cases, key=lambda c: c.mutates):
        c = app.test_client()
        assert login(c, EMAILS[case.who]).status_code == 302
        before = table_snapshot(db)
        if case.json is not None:
            response = c.open(case.url, method=case.method, json=case.json)
        else:
            response = c.open(case.url, method=case.method, data=case.data)
        body = response.get_data(as_text=True)
        label = (endpoint, case.who, case.method, case.url, response.status_code)
        if case.allowed:
            assert response.status_code in (200, 302, 303), label  # 303: Post/Redirect/Get
        else:
            assert response.status_code in (403, 404), label
            assert table_snapshot(db) == before, label
            for secret in case.secrets:
                assert secret not in body, label + (secret,)
        response.close()
    # The marker check is meaningful: the owner does see the data the others may not.
    if endpoint == "plans.detail":
        c = app.test_client()
        login(c, EMAILS["r1"])
        assert all(s in c.get(f"/plans/{world['plan1'].id}").get_data(as_text=True) for s in R1_MARKERS)


def test_hr_sees_no_individual_targets_anywhere(app, org, db):
    _world(app, org, db)
    c = app.test_client()
    login(c, EMAILS["hr"])
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in PUBLIC_ENDPOINTS or rule.arguments:
            continue
        response = c.get(rule.rule)
        body = response.get_data(as_text=True)
        response.close()
        for secret in R1_MARKERS + ("333,003", "R3-SECRET-RATIONALE"):
            assert secret not in body, (rule.rule, secret)


# --- AC-3 ---------------------------------------------------------------------------------------


EXTRA_FIELDS = {"approved": "999999", "status": "approved", "person_id": "{r2}", "manager_id": "{r3}",
                "owner": "{r2}", "version": "99", "campaign_id": "999", "territory_id": "999",
                "decided_at": "2020-01-01", "role": "admin"}


def test_rep_cannot_set_protected_fields_by_adding_them(app, client, org, db):
    extra = {k: v.format(r2=org["r2"].id, r3=org["r3"].id) for k, v in EXTRA_FIELDS.items()}
    login(client, EMAILS["r1"])
    assert client.post(f"/campaigns/{org['campaign'].id}/respond", data=plan_form(**extra)).status_code == 302
    plan = db.session.scalar(select(PlanSubmission).where(PlanSubmission.period_id == org["campaign"].period_id))
    assert plan.person_id == org["r1"].id and plan.status == "submitted" and plan.approved is None
    assert plan.campaign_id == org["campaign"].id and plan.version < 99
    assert org["r1"].manager_id == org["m1"].id and org["r1"].role == "rep"
    assert not set(EXTRA_FIELDS) & set(plan.answers)


def test_manager_cannot_smuggle_fields_into_a_decision(app, org, db):
    plan = submit_plan(app, org, "r1")
    c = app.test_client()
    login(c, EMAILS["m1"])
    response = c.post(f"/plans/{plan.id}/decide", data={
        "action": "approve", "version": str(plan.version), "approved": "1", "person_id": str(org["m1"].id),
        "status": "adjusted", "proposed": "5"})
    assert response.status_code == 302
    db.session.expire_all()
    assert plan.status == "approved" and plan.approved == plan.proposed and plan.person_id == org["r1"].id


def test_admin_campaign_form_ignores_status_fields(app, org, db):
    c = app.test_client()
    login(c, EMAILS["admin"])
    c.post("/admin/campaigns", data={"name": "Pulse", "template": "engagement-annual@1", "period": "2027-05",
                                     "audience": ["rep"], "status": "closed", "id": "1"})
    campaign = db.session.scalar(select(Campaign).where(Campaign.name == "Pulse"))
    assert campaign.status == "open" and campaign.id != 1
    assert db.session.get(Campaign, org["campaign"].id).name == "Planning 2027-Q1"


# --- AC-5 ---------------------------------------------------------------------------------------


def test_the_store_refuses_decisions_outside_the_chain_whatever_the_entry_point(app, org, db):
    """The CLI and any API reach `plans.decide` too: it checks the chain itself, not just the view."""
    from webapp.store import plans
    from webapp.store.errors import NotAllowed

    plan = submit_plan(app, org, "r1")
    for who in ("m2", "r2", "r1"):
        with pytest.raises(NotAllowed):
            plans.decide(org[who], plan.id, action="approve", expected_version=plan.version)
    db.session.expire_all()
    assert plan.status == "submitted"
