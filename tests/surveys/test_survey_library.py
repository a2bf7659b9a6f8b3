"""The shipped survey templates load, validate and say what the product needs."""

from importlib import resources

import pytest

from surveys.kinds import KINDS
from surveys.loader import get_survey, list_surveys, load_library, load_survey

LIBRARY = resources.files("surveys") / "library"
SHIPPED = sorted(f.name for f in LIBRARY.iterdir() if f.name.endswith(".toml"))


@pytest.mark.parametrize("filename", SHIPPED)
def test_each_shipped_template_loads(filename):
    survey = load_survey(LIBRARY / filename)
    assert filename == f"{survey.id}.toml" or filename.startswith(f"{survey.id}.v")
    assert all(q.kind in KINDS for q in survey.questions())


def test_library_holds_both_templates_at_version_1():
    assert {("quarterly-planning", 1), ("engagement-annual", 1)} <= set(load_library())


def test_quarterly_planning_binds_plan_observations_and_engagement():
    survey = get_survey("quarterly-planning")
    assert survey.has_plan
    assert survey.bound("plan.proposed").kind == "money"
    assert survey.bound("plan.confidence").choices == ("1", "2", "3", "4", "5")
    assert survey.bound("plan.rationale").kind == "long_text"
    assert survey.bound("observations").text == "What are you seeing from customers?"
    assert survey.bound("engagement.enps").kind == "scale0_10"
    assert len(survey.bound_all("engagement.comment")) == 1
    likert = [q for q in survey.questions() if q.kind == "likert5"]
    assert 6 <= len(likert) <= 10
    assert survey.outcome_questions()


def test_quarterly_planning_keeps_plan_attributed_and_pulse_confidential():
    survey = get_survey("quarterly-planning")
    attributed = {q.id for q in survey.attributed_questions()}
    confidential = {q.id for q in survey.confidential_questions()}
    assert {"proposed_target", "confidence", "rationale", "observations"} == attributed
    assert all(q.kind == "likert5" or q.binds for q in survey.confidential_questions())
    assert not attributed & confidential


def test_engagement_annual_is_confidential_and_broad():
    survey = get_survey("engagement-annual", 1)
    assert not survey.has_plan
    assert not survey.attributed_questions()
    likert = [q for q in survey.questions() if q.kind == "likert5"]
    assert len(likert) >= 20
    assert len({q.driver for q in likert}) >= 6
    assert [d.id for d in survey.drivers if d.outcome] == ["engagement"]
    assert survey.bound("engagement.enps") is not None
    assert len(survey.bound_all("engagement.comment")) == 2


def test_get_survey_without_version_returns_the_latest():
    latest = get_survey("quarterly-planning")
    assert latest.version == max(s.version for s in list_surveys() if s.id == latest.id)


def test_get_survey_unknown_raises_key_error():
    with pytest.raises(KeyError):
        get_survey("no-such-survey")
    with pytest.raises(KeyError):
        get_survey("quarterly-planning", 999)


def test_list_surveys_latest_only_has_one_per_id():
    ids = [s.id for s in list_surveys(latest_only=True)]
    assert len(ids) == len(set(ids))
