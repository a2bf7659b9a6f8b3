"""Tests for analysis.engagement: metrics on known answers and suppression of every aggregate."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import privacy
from analysis.engagement import (
    OVERALL,
    SUPPRESSED_REASON,
    CampaignSummary,
    ResponseRecord,
    attribute_groups,
    manager_tree_groups,
    participation,
    summarise_groups,
    trend,
)

DRIVERS = {"q1": "growth", "q2": "growth", "q3": "recognition", "e1": "engagement", "e2": "engagement"}
_keys = itertools.count()


def make_response(*, likert=None, enps=None, comments=(), **attributes):
    """Build a response; every item answered 4 unless overridden."""
    answers = {item: 4 for item in DRIVERS}
    answers.update(likert or {})
    attrs = {"manager": "m1", "region": "West", "department": "sales", "tenure_band": "1-3y"}
    attrs.update(attributes)
    return ResponseRecord(f"k{next(_keys)}", answers, enps, tuple(comments), attrs)


def test_invalid_answers_are_refused():
    with pytest.raises(ValueError):
        ResponseRecord("k", {"q1": 6})
    with pytest.raises(ValueError):
        ResponseRecord("k", {}, enps=11)


def test_enps_known_answer():
    # 4 promoters, 3 passives, 3 detractors of 10: eNPS = 40 - 30 = 10 points.
    scores = [10, 9, 9, 10, 8, 7, 7, 6, 0, 3]
    records = [make_response(enps=s) for s in scores]
    s = summarise_groups(records, attribute_groups(records, ()), DRIVERS, "engagement")[OVERALL]
    assert (s.promoters_pct, s.detractors_pct, s.enps, s.n_enps) == (40.0, 30.0, 10.0, 10)


def test_favourable_driver_scores_and_engagement_index():
    records = [
        make_response(likert={"q1": 5, "q2": 2, "q3": 4, "e1": 4, "e2": 5}),
        make_response(likert={"q1": 3, "q2": 4, "q3": 1, "e1": 2, "e2": 4}),
        make_response(likert={"q1": 4, "q2": 4, "q3": 5, "e1": 1, "e2": 1}),
        make_response(likert={"q1": 1, "q2": 5, "q3": 4, "e1": 5, "e2": 3}),
        make_response(likert={"q1": 2, "q2": 2, "q3": 2, "e1": 4, "e2": 4}),
    ]
    s = summarise_groups(records, attribute_groups(records, ()), DRIVERS, "engagement")[OVERALL]
    assert s.n == 5 and not s.suppressed
    assert s.favourable["q1"] == pytest.approx(40.0)
    assert s.driver_scores["growth"] == pytest.approx(100 * 5 / 10)
    assert s.driver_scores["recognition"] == pytest.approx(60.0)
    assert s.engagement_index == pytest.approx(100 * 6 / 10)


def test_participation_rate_and_suppression():
    p = participation(20, 15, group="region=West", k=5)
    assert (p.rate, p.invited, p.submitted, p.suppressed) == (75.0, 20, 15, False)
    small = participation(4, 4, k=5)
    assert small.suppressed and small.reason == SUPPRESSED_REASON and small.rate is None and small.invited is None
    with pytest.raises(ValueError):
        participation(3, 4)


def test_group_of_four_is_suppressed_with_no_numbers():
    records = [make_response(region="West") for _ in range(10)] + [make_response(region="North") for _ in range(4)]
    out = summarise_groups(records, attribute_groups(records, ("region",)), DRIVERS, "engagement", k=5)
    north = out["region=North"]
    assert north.suppressed and north.reason == SUPPRESSED_REASON == "fewer than k responses"
    assert north.n is None and north.engagement_index is None and north.enps is None
    assert north.favourable == {} and north.driver_scores == {} and north.comments is None
    # The difference between all (14) and West (10) is the 4 in North: West is suppressed too.
    assert out["region=West"].suppressed
    assert not out[OVERALL].suppressed


def test_team_of_six_in_department_of_seven():
    records = [make_response(manager="m1", department="ops") for _ in range(6)] + [make_response(manager="m2", department="ops")]
    groups = {**attribute_groups(records, ("department",), include_overall=False),
              **attribute_groups(records, ("manager",), include_overall=False)}
    out = summarise_groups(records, groups, DRIVERS, "engagement", k=5)
    assert out["department=ops"].suppressed != out["manager=m1"].suppressed
    visible = [groups[n] for n, s in out.items() if not s.suppressed]
    assert not privacy.is_disclosive(visible)


def test_skipped_item_cannot_single_anyone_out():
    # Everyone answers q1 except one person in a team of 5 inside a department of 10: the item's
    # respondent sets differ by 1 from the group, so q1 must be hidden where it would leak.
    records = [make_response(manager="m1") for _ in range(5)] + [make_response(manager="m2") for _ in range(5)]
    records[0] = ResponseRecord(records[0].key, {i: 4 for i in DRIVERS if i != "q1"}, None, (), dict(records[0].attributes))
    groups = {"all": frozenset(r.key for r in records), "team": frozenset(r.key for r in records[:5])}
    out = summarise_groups(records, groups, DRIVERS, "engagement", k=5)
    assert not out["all"].suppressed and not out["team"].suppressed
    assert out["team"].favourable["q1"] is None  # only 4 answered q1 in the team
    assert out["all"].favourable["q1"] is not None


def test_distributions_need_two_k():
    records = [make_response(likert={"q1": 1 + i % 5}) for i in range(9)]
    out = summarise_groups(records, {"all": [r.key for r in records]}, DRIVERS, "engagement", k=5, distributions=True)
    assert out["all"].distributions["q1"] is None
    records.append(make_response(likert={"q1": 5}))
    out = summarise_groups(records, {"all": [r.key for r in records]}, DRIVERS, "engagement", k=5, distributions=True)
    assert out["all"].distributions["q1"] == (2, 2, 2, 2, 2)


def test_driver_impact_is_spearman_and_signed():
    records = []
    for level in (1, 2, 3, 4, 5) * 3:
        records.append(make_response(likert={"q1": level, "q2": level, "e1": level, "e2": level, "q3": 3}))
    out = summarise_groups(records, {"all": [r.key for r in records]}, DRIVERS, "engagement", impact=True)
    impacts = {i.driver_id: i for i in out["all"].driver_impact}
    assert set(impacts) == {"growth", "recognition"}
    assert impacts["growth"].method == "spearman" and impacts["growth"].rho == pytest.approx(1.0)
    assert impacts["recognition"].rho is None  # constant driver score: correlation undefined


def test_comments_are_shown_shuffled_only_for_enough_commenters():
    records = [make_response(comments=(f"c{i}",)) for i in range(6)]
    groups = {"all": [r.key for r in records]}
    out = summarise_groups(records, groups, DRIVERS, "engagement", comments=True, random_state=0)
    assert sorted(out["all"].comments) == [f"c{i}" for i in range(6)]
    assert out == summarise_groups(records, groups, DRIVERS, "engagement", comments=True, random_state=0)
    few = [make_response(comments=("only me",))] + [make_response() for _ in range(6)]
    out = summarise_groups(few, {"all": [r.key for r in few]}, DRIVERS, "engagement", comments=True)
    assert not out["all"].suppressed and out["all"].comments is None


def test_manager_tree_groups_include_indirect_reports():
    records = [make_response(manager="m2"), make_response(manager="m3"), make_response(manager="m1")]
    groups = manager_tree_groups(records, {"m1": None, "m2": "m1", "m3": "m2"})
    assert groups["manager_tree=m1"] == {r.key for r in records}
    assert groups["manager_tree=m2"] == {records[0].key, records[1].key}
    assert groups["manager_tree=m3"] == {records[1].key}


def test_unknown_member_key_is_an_error():
    with pytest.raises(ValueError):
        summarise_groups([], {"all": ["ghost"]}, DRIVERS, "engagement")


def test_trend_changes_against_previous_campaign():
    def campaign(cid, favourable_count, n=10):
        recs = [make_response(likert={"e1": 5 if i < favourable_count else 2, "e2": 5 if i < favourable_count else 2}, enps=10)
                for i in range(n)]
        summary = summarise_groups(recs, {"all": [r.key for r in recs]}, DRIVERS, "engagement")["all"]
        return CampaignSummary(cid, summary, participation(20, n))

    points = trend([campaign("2026-Q3", 5), campaign("2026-Q4", 7), campaign("2027-Q1", 7, n=3)])
    assert [p.engagement_index for p in points] == [50.0, 70.0, None]
    assert points[0].change_engagement_index is None
    assert points[1].change_engagement_index == pytest.approx(20.0)
    assert points[1].change_participation_rate == pytest.approx(0.0)
    assert points[2].suppressed and points[2].change_engagement_index is None and points[2].change_enps is None


@st.composite
def campaigns(draw):
    n = draw(st.integers(min_value=0, max_value=30))
    records = []
    for i in range(n):
        likert = {item: draw(st.integers(1, 5)) for item in DRIVERS if draw(st.integers(0, 9)) > 0}
        records.append(
            ResponseRecord(
                f"p{i}",
                likert,
                draw(st.one_of(st.none(), st.integers(0, 10))),
                (),
                {
                    "manager": draw(st.sampled_from(["m1", "m2", "m3"])),
                    "region": draw(st.sampled_from(["N", "S"])),
                    "tenure_band": draw(st.sampled_from(["<1y", "1-3y", "3y+"])),
                },
            )
        )
    return records, draw(st.integers(3, 5))


@settings(max_examples=60, deadline=None)
@given(campaigns())
def test_every_shown_aggregate_is_safe(campaign):
    records, k = campaign
    groups = {
        **attribute_groups(records, ("region", "tenure_band")),
        **manager_tree_groups(records, {"m1": None, "m2": "m1", "m3": "m1"}),
    }
    out = summarise_groups(records, groups, DRIVERS, "engagement", k=k, distributions=True)
    by_key = {r.key: r for r in records}
    for s in out.values():
        assert s.suppressed or s.n >= k
        if s.suppressed:
            assert s.reason in privacy.REASONS and s.n is None and not s.favourable and s.enps is None
            assert (s.reason == SUPPRESSED_REASON) == (len(groups[s.group]) < k)
    for item in DRIVERS:
        shown = [
            frozenset(key for key in groups[name] if item in by_key[key].likert)
            for name, s in out.items()
            if not s.suppressed and s.favourable[item] is not None
        ]
        assert all(len(g) >= k for g in shown)
        assert not privacy.is_disclosive(shown)
        counts = [s.distributions[item] for s in out.values() if not s.suppressed and s.distributions[item]]
        assert all(sum(c) >= 2 * k for c in counts)
    enps_shown = [
        frozenset(key for key in groups[name] if by_key[key].enps is not None)
        for name, s in out.items()
        if not s.suppressed and s.enps is not None
    ]
    assert all(len(g) >= k for g in enps_shown) and not privacy.is_disclosive(enps_shown)
