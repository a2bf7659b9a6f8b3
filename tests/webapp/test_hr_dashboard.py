"""HR dashboard, `groundswell engagement --json` and its CSV: one Dashboard, suppressed the same way."""

from __future__ import annotations

import json

import pytest

from analysis import privacy
from tests.support.web import engagement_json, get_csv, login
from webapp.extensions import db as _db

SUPPRESSED = "fewer than 5 responses"
LIKERT = {"proud": 5, "recommend_employer": 4, "see_myself_here": 4, "manager_support": 5,
          "manager_feedback": 4, "tools_information": 2, "target_achievable": 3, "input_valued": 4}


@pytest.fixture
def engagement_org(app, make_person):
    """12 reps in "Big", 4 in "Tiny" (a group of 4), one manager; a closed and an open campaign."""
    from webapp.engagement import dashboard as eng_dashboard  # noqa: F401
    from webapp.engagement import results as eng_results
    from webapp.models import CampaignMember, EngagementResponse, Participation
    from webapp.store import campaigns

    eng_results.clear_cache()
    leader = make_person(role="leader", email="leader@example.test")
    m = make_person(role="manager", email="m@example.test", manager=leader)
    for i in range(16):
        make_person(role="rep", manager=m, territory=f"T{i % 3}", region="North" if i % 2 else "South",
                    department="Tiny" if i < 4 else "Big")
    make_person(role="hr", email="hr@example.test")
    make_person(role="admin", email="admin@example.test")

    def campaign(code, close):
        c = campaigns.open_campaign(name=f"Pulse {code}", template_id="quarterly-planning", template_version=1,
                                    period_code=code, audience=("rep",), has_plan=True)
        for i, member in enumerate(_db.session.query(CampaignMember).filter_by(campaign_id=c.id)):
            answers = {"likert": {k: (v + i) % 5 + 1 for k, v in LIKERT.items()}, "enps": i % 11,
                       "comments": {"pulse_comment": f"=HYPERLINK(\"x\") comment {i}"}}
            _db.session.add(EngagementResponse(campaign_id=c.id, manager_key=member.manager_key,
                                               region=member.region, territory=member.territory,
                                               department=member.department, tenure_band=member.tenure_band,
                                               answers=answers))
            _db.session.add(Participation(campaign_id=c.id, person_id=member.person_id))
        _db.session.commit()
        if close:
            campaigns.close_campaign(c.id)
        return c.id

    ids = {"closed": campaign("2026-Q3", True), "open": campaign("2026-Q4", False)}
    yield ids
    eng_results.clear_cache()


def test_a_group_of_four_says_why_it_is_hidden_on_page_json_and_csv(app, client, engagement_org):
    cid = engagement_org["closed"]
    login(client, "hr@example.test")
    page = client.get(f"/engagement?campaign={cid}&by=department")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    row = html[html.index('<td data-label="Group">Tiny</td>'):]
    assert row[:row.index("</tr>")].count(SUPPRESSED) >= 3  # participation: fewer than k invitees
    heat = html[html.index('<th scope="row">Tiny</th>'):]
    assert SUPPRESSED in heat[:heat.index("</tr>")]  # the heatmap row says why, not just blank

    data = engagement_json(app, "--campaign", str(cid), "--by", "department")
    tiny = next(g for g in data["results"]["groups"] if g["label"] == "Tiny")
    assert tiny == {"group": "department=Tiny", "suppressed": True, "reason": SUPPRESSED, "label": "Tiny",
                    "explanation": privacy.describe(privacy.REASON_TOO_FEW, 5)[1]}

    rows = get_csv(client, f"/engagement/export/heatmap.csv?campaign={cid}&by=department")
    tiny_row = next(r for r in rows if r[0] == "Tiny")
    assert set(tiny_row[1:]) == {SUPPRESSED}


def test_page_json_and_csv_agree(app, client, engagement_org):
    cid = engagement_org["closed"]
    login(client, "hr@example.test")
    data = engagement_json(app, "--campaign", "Pulse 2026-Q3", "--by", "region")
    rows = get_csv(client, f"/engagement/export/heatmap.csv?campaign={cid}&by=region")
    by_label = {r[0]: r for r in rows[1:]}
    for g in data["results"]["groups"]:
        row = by_label[g["label"]]
        if g["suppressed"]:
            assert row[1] == SUPPRESSED
        else:
            assert int(row[1]) == g["n"] and float(row[2]) == g["engagement_index"]


def test_nothing_hr_can_obtain_is_small_or_disclosive(app, client, engagement_org):
    """Collect every group HR can see in any breakdown (page JSON mirror) and check them together."""
    from webapp.engagement import dashboard as eng_dashboard
    from webapp.store import engagement

    cid = engagement_org["closed"]
    k = app.config["MIN_GROUP_SIZE"]
    records = engagement.records(cid)
    from analysis.engagement import role_groups

    groups = role_groups(records, engagement.parent_map(cid))
    shown = {}
    for by in eng_dashboard.BY_CHOICES:
        data = engagement_json(app, "--campaign", str(cid), "--by", by)
        for g in data["results"]["groups"] + [data["results"]["overall"]]:
            if not g["suppressed"]:
                shown[g["group"]] = groups[g["group"]]
                assert g["n"] >= k
    assert all(len(m) >= k for m in shown.values())
    assert not privacy.is_disclosive(list(shown.values()), [r.key for r in records])


def test_an_open_campaign_shows_participation_only(app, client, engagement_org):
    oid = engagement_org["open"]
    login(client, "hr@example.test")
    html = client.get(f"/engagement?campaign={oid}").get_data(as_text=True)
    assert "still open" in html and "Drivers by" not in html and "HYPERLINK" not in html
    data = engagement_json(app, "--campaign", str(oid))
    assert data["results"] is None
    assert data["participation"][0]["invited"] == 16
    assert client.get(f"/engagement/export/heatmap.csv?campaign={oid}").status_code == 404


def test_comments_are_neutralised_in_csv(app, client, engagement_org):
    login(client, "hr@example.test")
    rows = get_csv(client, f"/engagement/export/comments.csv?campaign={engagement_org['closed']}")
    texts = [r[0] for r in rows[1:]]
    assert texts and all(t.startswith("'=") or t == SUPPRESSED for t in texts)


def test_leaders_see_the_organisation_only(app, client, engagement_org):
    login(client, "leader@example.test")
    page = client.get(f"/engagement?campaign={engagement_org['closed']}")
    assert page.status_code == 200
    assert "Tiny" not in page.get_data(as_text=True)
    # A breakdown asked for in the URL is ignored: leaders have none.
    asked = client.get(f"/engagement?campaign={engagement_org['closed']}&by=department")
    assert asked.status_code == 200 and "Tiny" not in asked.get_data(as_text=True)
    data = engagement_json(app, "--campaign", str(engagement_org["closed"]), "--role", "leader")
    assert data["by"] is None and data["results"]["groups"] == []


@pytest.mark.parametrize("email", ["r@example.test", "m@example.test"])
def test_reps_and_managers_are_refused(app, client, engagement_org, make_person, email):
    from webapp.models import Person

    person = _db.session.query(Person).filter_by(role="rep").first() if email.startswith("r@") else \
        _db.session.query(Person).filter_by(email=email).one()
    login(client, person.email)
    assert client.get("/engagement").status_code == 403
    assert client.get("/engagement/export/trend.csv").status_code == 403


def test_hr_cannot_see_individual_targets(app, client, engagement_org):
    from webapp.models import Person, PlanSubmission
    from webapp.store.people import ensure_period

    rep = _db.session.query(Person).filter_by(role="rep").first()
    plan = PlanSubmission(person_id=rep.id, period_id=ensure_period("2026-Q3").id, status="submitted",
                          proposed=100000, answers={})
    _db.session.add(plan)
    _db.session.commit()
    login(client, "hr@example.test")
    for url in (f"/plans/{plan.id}", "/plans/history", "/queue", "/rollup"):
        assert client.get(url).status_code == 403, url


def test_dashboard_renders_charts_without_inline_script(app, client, engagement_org):
    login(client, "hr@example.test")
    html = client.get(f"/engagement?campaign={engagement_org['closed']}&by=region").get_data(as_text=True)
    assert 'type="application/json" data-chart="chart-trend"' in html
    assert "/assets/plotly.min.js" in html and "charts.js" in html
    import re

    for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html):
        assert 'type="application/json"' in tag, tag


def test_closing_stores_the_results_and_reopening_forgets_them(app, engagement_org):
    """Results are computed once after close (the close route's background job) into
    `campaign_result`; the stored JSON decodes to the very result of the suppression call;
    reopening deletes it; a missing row is computed for the page without being written."""
    from webapp.engagement import dashboard as eng_dashboard
    from webapp.engagement import results as eng_results
    from webapp.models import CampaignResult
    from webapp.store import campaigns, engagement

    cid = engagement_org["closed"]
    k = app.config["MIN_GROUP_SIZE"]
    with app.app_context():
        assert eng_results.store_engagement_results(cid, k)  # what the job started at close runs
        rows = _db.session.query(CampaignResult).filter_by(campaign_id=cid, k=k).all()
        assert {r.scope for r in rows} == set(eng_results.SCOPES)
        ref = engagement.find_campaign(cid)
        for r in rows:
            assert eng_results.decode_results(r.result) == eng_results.compute_results(ref, r.scope, k)
        before = eng_dashboard.dashboard(cid, "hr", k, "department")
        campaigns.reopen_campaign(cid)
        assert _db.session.query(CampaignResult).filter_by(campaign_id=cid).count() == 0
        campaigns.close_campaign(cid)
        eng_results.store_engagement_results(cid, k)
        assert _db.session.query(CampaignResult).filter_by(campaign_id=cid).count() == len(eng_results.SCOPES)
        engagement.forget_results(cid)
        after = eng_dashboard.dashboard(cid, "hr", k, "department")  # computed for the page, not written
        assert _db.session.query(CampaignResult).filter_by(campaign_id=cid).count() == 0
    assert after.results == before.results


def test_comments_reach_the_theme_engine_in_content_order_not_key_order(app, engagement_org):
    """Responses carry random keys; the comments run must not depend on them (same comments, same themes)."""
    import uuid

    from sqlalchemy import select

    from webapp.models import EngagementResponse
    from webapp.store.engagement import closed_campaign_comments

    before = closed_campaign_comments()
    assert [c.text for c in before] == sorted(c.text for c in before)
    assert {c.campaign_id for c in before} == {engagement_org["closed"]}  # the open campaign's stay out
    for response in _db.session.scalars(select(EngagementResponse)):
        response.key = uuid.uuid4().hex  # as if the same answers had been stored in another order
    _db.session.commit()
    assert closed_campaign_comments() == before


def _stored_rows(cid):
    from webapp.models import CampaignResult

    _db.session.expire_all()
    return {r.scope: (r.created_at, r.inputs, r.result)
            for r in _db.session.query(CampaignResult).filter_by(campaign_id=cid)}


def test_analyze_recomputes_only_results_whose_inputs_changed(app, engagement_org, monkeypatch):
    """Closed campaigns take no answers: analyze keeps their stored results unless an input changed."""
    from tests.support.analyze_fixtures import run_analyze
    from webapp.engagement import dashboard as eng_dashboard  # noqa: F401
    from webapp.engagement import results as eng_results
    from webapp.models import Person

    cid = engagement_org["closed"]
    first = run_analyze(app)
    assert "Dashboard results of 1 closed campaign(s) stored" in first.output
    stored = _stored_rows(cid)
    assert set(stored) == set(eng_results.SCOPES) and all(inputs for _, inputs, _ in stored.values())

    again = run_analyze(app)
    assert "Dashboard results of the 1 closed campaign(s) unchanged: kept as stored." in again.output
    assert _stored_rows(cid) == stored  # the very rows: not rewritten

    # the hierarchy is frozen at launch: a manager's new manager is not an input (nothing recomputed)
    m = _db.session.query(Person).filter_by(email="m@example.test").one()
    m.manager_id = _db.session.query(Person).filter_by(email="admin@example.test").one().id
    _db.session.commit()
    assert "unchanged: kept as stored" in run_analyze(app).output
    assert _stored_rows(cid) == stored

    # a change in the code that computes results (statistics, suppression) recomputes them too
    monkeypatch.setattr(eng_results, "_code_fingerprint", lambda: "a fixed suppression rule")
    assert "Dashboard results of 1 closed campaign(s) stored" in run_analyze(app).output

    # rows stored before the digest existed (NULL) are recomputed once
    from webapp.models import CampaignResult

    _db.session.query(CampaignResult).update({"inputs": None})
    _db.session.commit()
    assert "Dashboard results of 1 closed campaign(s) stored" in run_analyze(app).output
    assert "unchanged: kept as stored" in run_analyze(app).output


def test_a_code_fix_recomputes_a_closed_campaign_against_what_was_already_shown(app, engagement_org, monkeypatch):
    """An old rule hid the whole organisation and showed "Big" (12 of the 16 respondents; "Tiny" has
    4). The fixed rule prefers the whole organisation and would hide "Big" instead: shown one after
    the other, all minus Big is Tiny's four answers. The recompute keeps what was shown and hides
    the rest, so the two versions together still disclose nothing."""
    from analysis.engagement import OVERALL
    from tests.support.analyze_fixtures import run_analyze
    from webapp.engagement import results as eng_results

    cid = engagement_org["closed"]

    def shown(scope="full"):
        _, _, text = _stored_rows(cid)[scope]
        res = eng_results.decode_results(text)
        return {name for name, g in res.groups.items() if not g.suppressed}, res

    real = privacy.suppress_groups

    def old_rule(sets, k, **options):  # hiding Big cost more than hiding everything equal to the whole
        return real(sets, k, **{**options, "weights": {"department=Big": 1e6}})

    with monkeypatch.context() as old_code:
        old_code.setattr(privacy, "suppress_groups", old_rule)
        old_code.setattr(eng_results, "_code_fingerprint", lambda: "the old rule")
        run_analyze(app)
    first, _ = shown()
    assert "department=Big" in first and OVERALL not in first  # what HR saw under the old rule

    monkeypatch.setattr(eng_results, "_code_fingerprint", lambda: "the fixed rule")
    assert "Dashboard results of 1 closed campaign(s) stored" in run_analyze(app).output
    second, res = shown()
    assert first <= second  # nothing once shown is taken back
    assert res.groups[OVERALL].suppressed and res.groups[OVERALL].reason == privacy.REASON_PROTECTS_OTHER
    # Computed alone, the fixed rule shows the organisation and hides Big: the leak the check prevents.
    fresh = eng_results.compute_results(next(c for c in eng_results.store.list_campaigns() if c.id == cid),
                                        "full", app.config["MIN_GROUP_SIZE"])
    assert not fresh.groups[OVERALL].suppressed and fresh.groups["department=Big"].suppressed


def test_a_new_minimum_group_size_recomputes_the_results(app, engagement_org):
    from tests.support.analyze_fixtures import run_analyze
    from webapp.models import CampaignResult

    run_analyze(app)
    app.config["MIN_GROUP_SIZE"] = 6
    assert "Dashboard results of 1 closed campaign(s) stored" in run_analyze(app).output
    assert {r.k for r in _db.session.query(CampaignResult)} == {6}


def test_a_reorganisation_after_launch_changes_nothing_a_closed_campaign_shows(app, make_person):
    """Fixed at launch: two teams of 6 under two managers, one director above both. After close the
    second manager moves under another director and analyze recomputes; every breakdown of the
    campaign reads exactly as before (the manager trees come from the chain frozen at open).

    Before the chain was frozen, the director's whole-team group lost the moved team (12 -> 6):
    comparing the two published versions isolated the moved team's answers.
    """
    from webapp.engagement import results as eng_results
    from webapp.models import CampaignMember, EngagementResponse, Participation, Person
    from webapp.store import campaigns

    eng_results.clear_cache()
    director = make_person(role="leader", email="director@example.test")
    other = make_person(role="leader", email="other@example.test")
    managers = [make_person(role="manager", email=f"m{j}@example.test", manager=director) for j in range(2)]
    for j, manager in enumerate(managers):
        for i in range(6):
            make_person(role="rep", manager=manager, territory=f"T{j}", region="North", department="Sales")
    make_person(role="hr", email="hr@example.test")
    c = campaigns.open_campaign(name="Pulse", template_id="quarterly-planning", template_version=1,
                                period_code="2026-Q3", audience=("rep",), has_plan=True)
    for i, member in enumerate(_db.session.query(CampaignMember).filter_by(campaign_id=c.id)):
        _db.session.add(EngagementResponse(
            campaign_id=c.id, manager_key=member.manager_key, region=member.region, territory=member.territory,
            department=member.department, tenure_band=member.tenure_band,
            answers={"likert": {k: (v + i) % 5 + 1 for k, v in LIKERT.items()}, "enps": i % 11, "comments": {}}))
        _db.session.add(Participation(campaign_id=c.id, person_id=member.person_id))
    _db.session.commit()
    campaigns.close_campaign(c.id)
    k = app.config["MIN_GROUP_SIZE"]
    eng_results.store_closed_results(k, replace=True, skip_unchanged=True)
    before = {by: engagement_json(app, "--campaign", str(c.id), "--by", by) for by in ("manager", "manager_tree")}
    assert "director@example.test" in json.dumps(before["manager_tree"])

    moved = _db.session.query(Person).filter_by(email="m1@example.test").one()
    moved.manager_id = other.id  # the reorganisation, after the campaign closed
    _db.session.commit()
    eng_results.clear_cache()
    eng_results.store_closed_results(k, replace=True, skip_unchanged=True)  # what `groundswell analyze` runs
    after = {by: engagement_json(app, "--campaign", str(c.id), "--by", by) for by in ("manager", "manager_tree")}
    assert after == before


def test_live_participation_moves_only_in_batches_of_k(app, make_person):
    """While a campaign is open, its counts are released k submissions at a time: the 6th to 9th
    answers change nothing HR sees, the 10th moves every count at once; one submission never does."""
    from webapp.engagement import results as eng_results
    from webapp.models import CampaignMember, Participation
    from webapp.store import campaigns

    eng_results.clear_cache()
    m = make_person(role="manager", email="m@example.test")
    for i in range(12):
        make_person(role="rep", manager=m, territory="T1", region="North" if i < 6 else "South", department="Sales")
    make_person(role="hr", email="hr@example.test")
    c = campaigns.open_campaign(name="Pulse", template_id="quarterly-planning", template_version=1,
                                period_code="2026-Q4", audience=("rep",), has_plan=True)
    members = list(_db.session.query(CampaignMember).filter_by(campaign_id=c.id).order_by(CampaignMember.id))

    def answered_count():
        data = engagement_json(app, "--campaign", str(c.id), "--by", "region")
        return {p["group"]: p.get("submitted") for p in data["participation"]}

    seen = []
    for member in members[:11]:
        _db.session.add(Participation(campaign_id=c.id, person_id=member.person_id))
        _db.session.commit()
        seen.append(answered_count()["all"])
    assert seen == [0, 0, 0, 0, 5, 5, 5, 5, 5, 10, 10]


def test_the_dashboards_tables_read_as_cards_at_phone_width(app, client, engagement_org):
    """At 375 px the trend, participation and heatmap tables were wider than the screen and cut off mid-word
    (captions too) inside their scroll boxes; now each is a card list there (groundswell.css, .card-list), every
    cell labelled with its column, and a hidden cell's reason written out instead of only on hover."""
    import re

    cid = engagement_org["closed"]
    login(client, "hr@example.test")
    html = client.get(f"/engagement?campaign={cid}&by=region").get_data(as_text=True)  # North, South: 8 each
    for table_id in ("table-trend", "table-participation", "heatmap"):
        tag = re.search(rf'<table class="([^"]*)" id="{table_id}">', html)
        assert tag and "card-list" in tag.group(1).split(), table_id
        table = html[tag.start():html.index("</table>", tag.start())]
        heads = set(re.findall(r'<th scope="col">([^<]+)</th>', table))
        labels = re.findall(r'<td data-label="([^"]+)"', table)
        assert labels and len(labels) == len(re.findall(r"<td[ >]", table)) - table.count('colspan="'), table_id
        if table_id != "heatmap":  # the heatmap's short heads gain their units in the labels
            assert set(labels) <= heads, table_id
    heat = html[html.index('id="heatmap"'):html.index("</table>", html.index('id="heatmap"'))]
    assert {"Responses", "Engagement index (%)", "eNPS (points)"} <= set(re.findall(r'data-label="([^"]+)"', heat))
    assert "visually-hidden" not in heat  # reasons sit in .cell-why, which phone width shows
    # the trend chart gives way to its table at phone width, and says so
    assert re.search(r'<div class="chart-wide"><div id="chart-trend"', html)


def test_the_page_opens_on_a_breakdown_with_numbers_and_says_when_one_has_none(app, client, engagement_org):
    """Every department is hidden here (Tiny has 4; Big would give Tiny away as the rest of the
    organisation): opened without a choice, the page shows regions instead, and asked for
    departments it says that none can be shown and where numbers are. Exports and the CLI keep
    the first breakdown, so a script's default never depends on the data."""
    cid = engagement_org["closed"]
    login(client, "hr@example.test")
    html = client.get(f"/engagement?campaign={cid}").get_data(as_text=True)
    assert '<option value="region" selected>' in html and 'id="breakdown-hidden"' not in html
    assert '<th scope="row">North</th>' in html
    html = client.get(f"/engagement?campaign={cid}&by=department").get_data(as_text=True)
    note = html[html.index('id="breakdown-hidden"'):]
    note = note[:note.index("</div>")]
    assert "No department can show its numbers" in note and "by=region" in note
    assert engagement_json(app, "--campaign", str(cid))["by"] == "department"
