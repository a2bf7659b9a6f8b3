"""HR's view of one manager team: the team's rows of the published results, hidden where they are hidden."""

from __future__ import annotations

import re
from urllib.parse import quote

from tests.support.web import login
from tests.webapp import test_engagement_comments as _comments

TOO_FEW = "fewer than 5 responses"
PROTECTED = "hidden so that another group can&#39;t be worked out"

commented = _comments.commented  # the fixture, found by name


def _page(client, cid, team=None):
    url = f"/engagement/team?campaign={cid}" + (f"&team={quote(team)}" if team else "")
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_every_team_shows_exactly_the_dashboards_row_for_it(app, client, commented):
    """The same suppressed numbers as the dashboard's manager breakdowns, team by team."""
    from webapp.engagement.dashboard import dashboard
    from webapp.engagement.teams import team_view

    cid, k = commented["full"], app.config["MIN_GROUP_SIZE"]
    teams = team_view(cid, "hr", k).teams
    assert {t.group for t in teams} >= {"manager=m1@example.test", "manager=m2@example.test",
                                         "manager=m3@example.test", "manager_tree=leader@example.test"}
    for t in teams:
        board = dashboard(cid, "hr", k, t.group.split("=")[0])
        view = team_view(cid, "hr", k, t.group)
        assert view.summary == board.results.groups[t.group], t.group
        assert view.participation == board.results.participation[t.group], t.group


def test_a_team_page_shows_its_numbers_or_says_why_they_are_hidden(app, client, commented):
    from webapp.engagement.teams import team_view

    cid, k = commented["full"], app.config["MIN_GROUP_SIZE"]
    login(client, "hr@example.test")
    shown = _page(client, cid, "manager=m1@example.test")
    s = team_view(cid, "hr", k, "manager=m1@example.test").summary
    assert not s.suppressed and s.n == 10
    cards = shown[shown.index('id="team-cards"'):shown.index('id="team-drivers"')]
    assert "10 of 10 invited answered" in cards and f"{s.engagement_index:.0f}%" in cards
    assert f"{s.enps:+.0f} points" in cards
    drivers = shown[shown.index('id="team-drivers"'):]
    for score in s.driver_scores.values():
        if score is not None:
            assert f"{score:.0f}%" in drivers

    small = _page(client, cid, "manager=m3@example.test")  # 4 people
    cards = small[small.index('id="team-cards"'):]
    assert TOO_FEW in cards and "invited answered" not in cards and "%</div>" not in cards
    # 20 = m1's 10 + m2's 6 + m3's 4: showing m2 would give m3 away, so it says so
    hidden = _page(client, cid, "manager=m2@example.test")
    assert team_view(cid, "hr", k, "manager=m2@example.test").summary.suppressed
    cards = hidden[hidden.index('id="team-cards"'):]
    assert PROTECTED in cards and "invited answered" not in cards
    assert "travel to clients" not in small  # no comments per team


def test_the_team_view_computes_no_aggregate_of_its_own(app, client, commented, monkeypatch):
    """With the closed campaigns' results stored, the team view only reads them: no suppression call runs."""
    import analysis.engagement
    from webapp.engagement import results as eng_results

    eng_results.store_closed_results(app.config["MIN_GROUP_SIZE"])

    def refuse(*args, **kwargs):
        raise AssertionError("a fresh aggregate was computed")

    monkeypatch.setattr(eng_results, "campaign_results", refuse)
    monkeypatch.setattr(analysis.engagement, "campaign_results", refuse)
    monkeypatch.setattr(analysis.engagement, "summarise_groups", refuse)
    login(client, "hr@example.test")
    assert "10 of 10 invited answered" in _page(client, commented["full"], "manager=m1@example.test")


def test_a_team_trend_runs_across_the_closed_campaigns(app, client, commented):
    login(client, "hr@example.test")
    html = _page(client, commented["full"], "manager_tree=leader@example.test")
    table = html[html.index('id="table-team_trend"'):]
    table = table[:table.index("</table>")]
    assert re.findall(r'<td data-label="Campaign">(Pulse [^<]+)</td>', table) == ["Pulse 2026-Q2", "Pulse 2026-Q3"]
    assert 'data-chart="chart-team-trend"' in html


def test_only_hr_and_admins_open_team_views_and_only_for_manager_teams(app, client, commented, make_person):
    cid = commented["full"]
    login(client, "hr@example.test")
    assert client.get(f"/engagement/team?campaign={cid}&team=nobody").status_code == 404
    assert client.get(f"/engagement/team?campaign={cid}&team={quote('department=Tiny')}").status_code == 404
    for role in ("leader", "manager", "rep"):
        person = make_person(role=role)
        client.post("/logout")
        login(client, person.email)
        assert client.get(f"/engagement/team?campaign={cid}").status_code == 403, role


def test_an_open_campaign_shows_a_teams_participation_only(app, client, commented):
    from tests.webapp.test_engagement_comments import _campaign  # noqa: F401
    from webapp.extensions import db
    from webapp.models import CampaignMember, Participation
    from webapp.store import campaigns

    c = campaigns.open_campaign(name="Pulse open", template_id="quarterly-planning", template_version=1,
                                period_code="2026-Q4", audience=("rep",), has_plan=True)
    for member in db.session.query(CampaignMember).filter_by(campaign_id=c.id):
        db.session.add(Participation(campaign_id=c.id, person_id=member.person_id))
    db.session.commit()
    login(client, "hr@example.test")
    html = _page(client, c.id, "manager=m1@example.test")
    assert "still open" in html and "10 of 10 invited answered" in html
    cards = html[html.index('id="team-cards"'):html.index("Across campaigns")]
    assert "Engagement index" not in cards and 'id="team-drivers"' not in html


def test_a_team_hidden_in_every_campaign_gets_no_empty_chart(app, client, commented):
    """Team m3 (4 people) is hidden in both campaigns: a chart of axes and a legend with no line on it said
    nothing; the page says why there is no chart and the table gives each reason."""
    login(client, "hr@example.test")
    html = _page(client, commented["full"], "manager=m3@example.test")
    assert 'data-chart="chart-team-trend"' not in html
    assert 'id="team-trend-no-chart"' in html and 'id="table-team_trend"' in html
    shown = _page(client, commented["full"], "manager=m1@example.test")
    assert 'data-chart="chart-team-trend"' in shown and 'id="team-trend-no-chart"' not in shown
