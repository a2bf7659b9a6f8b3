"""HR dashboard comments: under their comment themes, with counts and a search, only where the rules allow."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.web import engagement_json, get_csv, login
from webapp.extensions import db as _db

LIKERT = {"proud": 5, "recommend_employer": 4, "see_myself_here": 4, "manager_support": 5,
          "manager_feedback": 4, "tools_information": 2, "target_achievable": 3, "input_valued": 4}
#: theme key -> (label, comment texts); "travel" and "parking" have fewer than 5 people each.
THEMES = {
    1: ("Pay rises", [f"pay rises are too small this year {i}" for i in range(8)]),
    2: ("CRM tools", [f"the CRM tools are slow on the road {i}" for i in range(6)]),
    3: ("Client travel", [f"too much travel to clients each week {i}" for i in range(4)]),
    4: ("Office parking", [f"parking at the office is full {i}" for i in range(2)]),
}


def _campaign(code: str, comments: list[str | None]):
    """A closed pulse campaign; member i answers with comments[i] (None: no comment). Returns (id, keys)."""
    from webapp.models import CampaignMember, EngagementResponse, Participation
    from webapp.store import campaigns

    c = campaigns.open_campaign(name=f"Pulse {code}", template_id="quarterly-planning", template_version=1,
                                period_code=code, audience=("rep",), has_plan=True)
    keys = []
    members = _db.session.query(CampaignMember).filter_by(campaign_id=c.id).order_by(CampaignMember.id).all()
    for i, member in enumerate(members):
        text = comments[i] if i < len(comments) else None
        answers = {"likert": {k: (v + i) % 5 + 1 for k, v in LIKERT.items()}, "enps": i % 11,
                   "comments": {"pulse_comment": text} if text else {}}
        response = EngagementResponse(campaign_id=c.id, manager_key=member.manager_key, region=member.region,
                                      territory=member.territory, department=member.department,
                                      tenure_band=member.tenure_band, answers=answers)
        _db.session.add(response)
        _db.session.add(Participation(campaign_id=c.id, person_id=member.person_id))
        _db.session.flush()
        keys.append(response.key)
    _db.session.commit()
    campaigns.close_campaign(c.id)
    return c.id, keys


@pytest.fixture
def commented(app, make_person):
    """20 reps under three managers (10, 6 and 4: "Tiny", who all wrote about travel); two closed
    campaigns: one where everyone commented (four themes), one where only 3 people did; a comments run."""
    from webapp.engagement import results as eng_results
    from webapp.store import analysis as analysis_store
    from webapp.store import engagement as store

    eng_results.clear_cache()
    leader = make_person(role="leader", email="leader@example.test")
    managers = [make_person(role="manager", email=f"m{i}@example.test", manager=leader) for i in (1, 2, 3)]
    sizes = (10, 6, 4)
    for m, size in zip(managers, sizes):
        for i in range(size):
            make_person(role="rep", manager=m, territory=f"T{i % 2}", region="North" if i % 2 else "South",
                        department="Tiny" if m is managers[2] else "Big")
    make_person(role="hr", email="hr@example.test")
    # Members come in person order: m1's 10 reps, m2's 6, then m3's 4 (Tiny): Tiny wrote about travel.
    texts = (THEMES[1][1] + THEMES[2][1][:4] + THEMES[4][1] + THEMES[2][1][4:] + THEMES[3][1])
    theme_of = {t: key for key, (_, ts) in THEMES.items() for t in ts}
    full, full_keys = _campaign("2026-Q2", texts)
    few_texts = ["pay rises are too small this year a", "pay rises are too small this year b",
                 "the CRM tools are slow on the road c"]
    few, few_keys = _campaign("2026-Q3", few_texts)
    themes = [analysis_store.ThemeRow(key, label, (label.split()[0].lower(),), len(ts), (), 0.1 * key)
              for key, (label, ts) in THEMES.items()]
    assignments = [(k, "pulse_comment", theme_of[t]) for k, t in zip(full_keys, texts)]
    assignments += [(k, "pulse_comment", 1 if "pay" in t else 2) for k, t in zip(few_keys, few_texts)]
    counts = {}
    for cid, pairs in ((full, zip(full_keys, texts)), (few, zip(few_keys, few_texts))):
        for _, t in pairs:
            key = theme_of.get(t, 1 if "pay" in t else 2)
            n, s = counts.get((cid, key), (0, 0.1 * key))
            counts[(cid, key)] = (n + 1, s)
    store.replace_comment_run(parameters={}, themes=themes, counts=counts, n_texts=len(assignments),
                              assignments=assignments)
    yield {"full": full, "few": few}
    eng_results.clear_cache()


def _section(html: str) -> str:
    """The page's comments section: from its heading to the actions."""
    start = html.index('id="comments"')
    return html[start:html.index("Actions on drivers", start)]


def _headings(section: str) -> dict[str, int]:
    return {label.strip(): int(n) for label, n in
            re.findall(r'<h3 class="h6 mb-1">([^<]+?) <span class="badge[^"]*">(\d+) comments?</span>', section)}


def test_comments_are_listed_under_their_themes_with_counts(app, client, commented):
    cid = commented["full"]
    login(client, "hr@example.test")
    section = _section(client.get(f"/engagement?campaign={cid}").get_data(as_text=True))
    assert _headings(section) == {"Pay rises": 8, "CRM tools": 6, "Other comments": 6}
    at = {label: section.index(f'mb-1">{label} <span') for label in ("Pay rises", "CRM tools", "Other comments")}
    assert at["Pay rises"] < at["CRM tools"] < at["Other comments"]
    pay = section[at["Pay rises"]:at["CRM tools"]]
    assert pay.count("<li>") == 8 and all(f"pay rises are too small this year {i}" in pay for i in range(8))

    data = engagement_json(app, "--campaign", str(cid))["results"]
    groups = {g["label"]: g for g in data["comment_groups"]}
    assert {k: g["count"] for k, g in groups.items()} == {"Pay rises": 8, "CRM tools": 6, "Other comments": 6}
    assert groups["Other comments"]["theme_id"] is None
    assert sorted(groups["CRM tools"]["comments"]) == sorted(THEMES[2][1])
    assert [(t["label"], t["count"]) for t in data["comment_themes"]] == [("Pay rises", 8), ("CRM tools", 6)]

    rows = get_csv(client, f"/engagement/export/comments.csv?campaign={cid}")
    assert rows[0] == ["Comment", "Theme"]
    assert sorted(r[0] for r in rows[1:] if r[1] == "Other comments") == sorted(THEMES[3][1] + THEMES[4][1])


def test_a_theme_written_by_fewer_than_k_people_has_no_heading_and_no_count(app, client, commented):
    """"Client travel" (4 people, all of team m3) and "Office parking" (2) are pooled: no label, no count."""
    cid = commented["full"]
    login(client, "hr@example.test")
    html = client.get(f"/engagement?campaign={cid}").get_data(as_text=True)
    for label in ("Client travel", "Office parking"):
        assert label not in html
    themes_csv = get_csv(client, f"/engagement/export/comment_themes.csv?campaign={cid}")
    assert [(r[0], r[2]) for r in themes_csv[1:]] == [("Pay rises", "8"), ("CRM tools", "6"), ("Other comments", "6")]
    data = json.dumps(engagement_json(app, "--campaign", str(cid)))
    assert "Client travel" not in data and "Office parking" not in data


def test_the_pool_of_small_themes_never_holds_fewer_than_k_people():
    """The pool is the total minus the shown themes: below k, the smallest shown theme joins it."""
    from webapp.engagement.comments import shown_themes

    people = {1: set("abcdefgh"), 2: set("ijklmn"), 3: set("opq")}
    assert shown_themes(people, 5) == {1}  # 3 alone would be a pool of 3: theme 2 (6) joins it
    assert shown_themes({1: set("abcdefgh"), 2: set("ijklm"), 3: set("nopqr")}, 5) == {1, 2, 3}
    assert shown_themes({1: set("abcde"), 2: set("fg")}, 5) == set()  # everything pooled
    # people, not comments: two comments each by the same 3 people are a theme of 3
    assert shown_themes({1: set("abcdefgh"), 2: set("abc"), 3: set("ijklm")}, 5) == {1}


def test_the_search_filters_the_comments_on_the_server(app, client, commented):
    cid = commented["full"]
    login(client, "hr@example.test")
    html = client.get(f"/engagement?campaign={cid}&q=CRM+tools").get_data(as_text=True)
    section = _section(html)
    assert '<input type="search" id="q" name="q" value="CRM tools"' in section
    assert "<strong>6</strong> of 20 comments contain “CRM tools”" in section
    assert section.count("<li>") == 6 and "pay rises" not in section
    assert _headings(section) == {"CRM tools": 6}
    rows = get_csv(client, f"/engagement/export/comments.csv?campaign={cid}&q=CRM+tools")
    assert len(rows) == 7 and all("CRM" in r[0] for r in rows[1:])
    for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html):
        assert 'type="application/json"' in tag, tag  # the search needs no inline script (CSP)
    nothing = _section(client.get(f"/engagement?campaign={cid}&q=zebra").get_data(as_text=True))
    assert "<strong>0</strong> of 20" in nothing and "<li>" not in nothing


def test_the_search_cannot_count_the_comments_of_a_group(app, client, commented):
    """Team m3 ("Tiny", 4 people) wrote every travel comment. No breakdown, team or parameter narrows the
    comments: the search counts over the whole organisation, the same whatever else the URL says."""
    cid = commented["full"]
    login(client, "hr@example.test")
    base = _section(client.get(f"/engagement?campaign={cid}&q=travel").get_data(as_text=True))
    assert "<strong>4</strong> of 20 comments" in base
    for extra in ("&by=department", "&by=manager", "&by=manager_tree", "&by=region", "&department=Tiny",
                  "&team=manager%3Dm3%40example.test", "&group=department%3DTiny"):
        section = _section(client.get(f"/engagement?campaign={cid}&q=travel{extra}").get_data(as_text=True))
        strip = lambda s: re.sub(r'<input type="hidden" name="by" value="[^"]*">|by=[a-z_]+', "", s)
        assert strip(section) == strip(base), extra
    team = client.get(f"/engagement/team?campaign={cid}&team=manager%3Dm3%40example.test&q=travel")
    assert team.status_code == 200
    assert "travel to clients" not in team.get_data(as_text=True)  # never per team


def test_too_few_commenters_show_no_comments_no_count_and_no_search(app, client, commented):
    cid = commented["few"]  # 3 people commented: fewer than k
    login(client, "hr@example.test")
    for url in (f"/engagement?campaign={cid}", f"/engagement?campaign={cid}&q=pay",
                f"/engagement?campaign={cid}&q=pay&by=department"):
        section = _section(client.get(url).get_data(as_text=True))
        assert "fewer than 5 responses" in section
        assert "pay rises" not in section and "CRM" not in section and "<li>" not in section
        assert 'name="q"' not in section and "contain" not in section
        assert not re.search(r"\d+ comments?\b", section)
    data = engagement_json(app, "--campaign", str(cid))["results"]
    assert data["comments"] is None and data["comment_groups"] is None and data["comment_themes"] is None
    rows = get_csv(client, f"/engagement/export/comments.csv?campaign={cid}&q=pay")
    assert rows[1:] == [["fewer than 5 responses", ""]]
    assert client.get(f"/engagement/export/comment_themes.csv?campaign={cid}").status_code == 404


def test_comments_never_carry_a_response_key(app, client, commented):
    from webapp.models import EngagementResponse

    keys = [k for (k,) in _db.session.query(EngagementResponse.key)]
    login(client, "hr@example.test")
    cid = commented["full"]
    outputs = [client.get(f"/engagement?campaign={cid}").get_data(as_text=True),
               client.get(f"/engagement/export/comments.csv?campaign={cid}").get_data(as_text=True),
               json.dumps(engagement_json(app, "--campaign", str(cid)))]
    for out in outputs:
        assert not any(k in out for k in keys)


def test_analyze_stores_each_comments_theme_by_its_answer(app, engagement_like_org, observations):
    """`groundswell analyze` keeps the theme of each comment answer (response key, question), nothing else."""
    from sqlalchemy import inspect

    from tests.support.analyze_fixtures import run_analyze
    from webapp.models import CommentThemeAssignment, EngagementResponse

    out = run_analyze(app).output
    assert "comment themes over 30 engagement comments" in out, out
    rows = _db.session.query(CommentThemeAssignment).all()
    answered = {r.key: r.answers["comments"] for r in _db.session.query(EngagementResponse)}
    assert len(rows) == sum(len(c) for c in answered.values()) > 0
    assert all(r.question_id in answered[r.response_key] for r in rows)
    columns = {c["name"] for c in inspect(_db.engine).get_columns("comment_theme_assignment")}
    assert columns == {"run_id", "response_key", "question_id", "theme_key"}


@pytest.fixture
def engagement_like_org(app, make_person):
    """30 reps, one closed campaign, each with a comment about one of three subjects."""
    from webapp.engagement import results as eng_results

    eng_results.clear_cache()
    m = make_person(role="manager", email="m@example.test")
    for i in range(30):
        make_person(role="rep", manager=m, territory=f"T{i % 3}")
    subjects = ["pay rises are too small for the work we do", "the CRM tools are slow and crash on the road",
                "too much travel to clients every single week"]
    _campaign("2026-Q2", [f"{subjects[i % 3]} {i}" for i in range(30)])
    yield
    eng_results.clear_cache()


def test_a_theme_is_sized_by_the_people_who_wrote_in_it_not_by_comments(monkeypatch):
    """The annual survey asks two comment questions: 3 people writing twice each are a theme of 3."""
    from webapp.engagement import comments as view
    from webapp.store.engagement import CampaignRef

    pay = [(f"p{i}", f"pay is low {i}", 1) for i in range(8)]
    tools = [(f"t{i}", f"tools are slow {i}{q}", 2) for i in range(3) for q in "ab"]
    monkeypatch.setattr(view.store, "comment_assignments", lambda cid: pay + tools)
    monkeypatch.setattr(view.store, "comment_theme_counts",
                        lambda cid: [(1, "Pay", ["pay"], 8, 0.1), (2, "Tools", ["tools"], 6, 0.2)])
    ref = CampaignRef(1, "Annual", "2026-Q4", "engagement-annual", 1, "closed")
    shown = view.comment_view(ref, tuple(t for _, t, _ in pay + tools), 5)
    # "Tools" has 6 comments but 3 people: pooled; the pool of 3 would give it away, so "Pay" joins it
    assert [(g.label, g.count) for g in shown.groups] == [("All comments", 14)]
    assert shown.themes == ()


#: theme key -> (label, comments): "Team spirit" is mostly warm with two angry comments (plain mean +0.30,
#: but its 90% interval runs from below 0 to far above it), "Manager support" is warm throughout.
MIXED = [f"I love this team, the support is great {i}" for i in range(4)] + \
    [f"the targets are terrible and I hate the awful pressure {i}" for i in range(2)]
WARM = [f"great support from my manager, really good and helpful {i}" for i in range(6)]
SENTIMENT_THEMES = {1: ("Team spirit", MIXED), 2: ("Manager support", WARM),
                    3: ("Office parking", [f"parking at the office is full {i}" for i in range(3)]),
                    4: ("Client travel", [f"too much travel to clients each week {i}" for i in range(2)])}


@pytest.fixture
def felt(app, make_person):
    """17 reps, one closed campaign, everyone commented; a comments run storing each theme's plain mean,
    as `groundswell analyze` does."""
    from analysis.sentiment import sentiment_scores
    from webapp.engagement import results as eng_results
    from webapp.store import analysis as analysis_store
    from webapp.store import engagement as store

    eng_results.clear_cache()
    m = make_person(role="manager", email="m@example.test", manager=make_person(role="leader"))
    for i in range(17):
        make_person(role="rep", manager=m, territory=f"T{i % 2}", department="Big")
    make_person(role="hr", email="hr@example.test")
    texts = [t for _, ts in SENTIMENT_THEMES.values() for t in ts]
    cid, keys = _campaign("2026-Q2", texts)
    theme_of = {t: key for key, (_, ts) in SENTIMENT_THEMES.items() for t in ts}
    means = {key: sum(sentiment_scores(ts)) / len(ts) for key, (_, ts) in SENTIMENT_THEMES.items()}
    store.replace_comment_run(
        parameters={}, n_texts=len(texts),
        themes=[analysis_store.ThemeRow(key, label, (label.split()[0].lower(),), len(ts), (), means[key])
                for key, (label, ts) in SENTIMENT_THEMES.items()],
        counts={(cid, key): (len(ts), means[key]) for key, (_, ts) in SENTIMENT_THEMES.items()},
        assignments=[(k, "pulse_comment", theme_of[t]) for k, t in zip(keys, texts)])
    yield {"campaign": cid, "means": means}
    eng_results.clear_cache()


def _theme_block(section: str, label: str) -> str:
    start = section.index(f'mb-1">{label} <span')
    return section[start:section.index("</section>", start)]


def test_a_comment_themes_sentiment_is_unclear_where_the_rule_is_unsure_not_its_plain_mean(app, client, felt):
    """The leader report's rule (`theme_sentiment_summary`): "Team spirit" reads unclear, with the reason,
    instead of "positive +0.30"; "Manager support" is sure and shows its band and mean."""
    cid, mixed_mean = felt["campaign"], felt["means"][1]
    assert f"{mixed_mean:+.2f}" == "+0.30"
    login(client, "hr@example.test")
    section = _section(client.get(f"/engagement?campaign={cid}").get_data(as_text=True))
    assert _headings(section) == {"Team spirit": 6, "Manager support": 6, "Other comments": 5}  # parking, travel

    mixed = _theme_block(section, "Team spirit")
    line = mixed[mixed.index('class="small mb-1 comment-sentiment"'):]
    line = line[:line.index("</p>")]
    assert 'sentiment-unclear' in line and ">unclear</span>" in line
    assert "unsure: the 90% interval of the mean, -0.30 to +0.90, spans more than one of" in line
    assert "+0.30" not in line and "sentiment-positive" not in line

    warm = _theme_block(section, "Manager support")
    assert '<span class="sentiment sentiment-positive"' in warm and "positive +0.92" in warm
    assert "mean of 6 texts; 90% interval +0.92 to +0.92" in warm

    # the scale and the rule beside it, in the leader report's own words
    from markupsafe import escape

    from analysis.sentiment import RULE_EXPLANATION, SCALE_EXPLANATION
    from webapp.insights.report import SENTIMENT_RULE
    assert RULE_EXPLANATION == SENTIMENT_RULE
    legend = section[section.index('id="sentiment-legend"'):]
    legend = legend[:legend.index("</p>")]
    assert str(escape(SCALE_EXPLANATION)) in legend and str(escape(RULE_EXPLANATION)) in legend

    rows = get_csv(client, f"/engagement/export/comment_themes.csv?campaign={cid}")
    assert rows[0] == ["Theme", "Key terms", "Comments", "Share (%)", "Sentiment",
                       "Sentiment shown", "Sentiment band", "Sentiment note"]
    by_label = {r[0]: r for r in rows[1:]}
    assert by_label["Team spirit"][5:7] == ["unclear", ""] and by_label["Team spirit"][7].startswith("unsure:")
    assert by_label["Manager support"][5:] == ["yes", "positive", ""]
    assert by_label["Other comments"][4:7] == ["", "", ""]

    data = engagement_json(app, "--campaign", str(cid))["results"]
    themes = {t["label"]: t for t in data["comment_themes"]}
    assert themes["Team spirit"]["sentiment_shown"] is False and themes["Team spirit"]["sentiment_band"] is None
    assert themes["Team spirit"]["sentiment_reason"].startswith("unsure:")
    assert (themes["Manager support"]["sentiment_shown"], themes["Manager support"]["sentiment_band"]) == \
        (True, "positive")
    assert data["sentiment_rule"] == RULE_EXPLANATION and data["sentiment_scale"] == SCALE_EXPLANATION


def test_a_comment_themes_sentiment_is_the_same_whatever_order_the_comments_come_in():
    """The page shuffles the comments on every request; the seeded bootstrap must not see that order."""
    from webapp.engagement.comments import theme_sentiments

    texts = MIXED + [f"the new bonus scheme is fine but the rollout was a mess {i}" for i in range(3)]
    first = theme_sentiments({7: texts})[7]
    assert all(theme_sentiments({7: list(reversed(texts[i:] + texts[:i]))})[7] == first for i in range(len(texts)))


def test_the_pool_of_small_comment_themes_has_no_sentiment(app, client, felt):
    login(client, "hr@example.test")
    section = _section(client.get(f"/engagement?campaign={felt['campaign']}").get_data(as_text=True))
    pool = section[section.index('mb-1">Other comments <span'):]
    assert "comment-sentiment" not in pool[:pool.index("</section>")]
