"""Typed answers: JSON storage round-trips exactly and refuses what it did not write."""

import json
from decimal import Decimal

import pytest

from surveys.answers import (
    AnswerError,
    Answers,
    answers_from_json,
    answers_to_json,
    confidence_level,
    parse_answer,
)
from surveys.loader import get_survey
from surveys.model import Question, Section, Survey

PLANNING = get_survey("quarterly-planning", 1)


def full_answers():
    return Answers(
        {
            "proposed_target": Decimal("125000.50"),
            "confidence": "3",
            "rationale": "Pipeline of 3 deals; “quotes” and ünïcode survive.",
            "observations": (("Rival discounting 20%", "competitor"), ("Budgets frozen", None)),
            "proud": 4,
            "enps": 0,
            "pulse_comment": None,
        }
    )


def test_json_round_trip_is_exact():
    answers = full_answers()
    stored = json.loads(json.dumps(answers_to_json(PLANNING, answers)))
    restored = answers_from_json(PLANNING, stored)
    assert restored == answers
    assert set(restored) == set(answers)
    assert str(restored["proposed_target"]) == "125000.50"
    assert isinstance(restored["observations"], tuple)


def test_money_is_stored_as_an_exact_string():
    assert answers_to_json(PLANNING, full_answers())["proposed_target"] == "125000.50"


def test_observations_are_stored_as_text_and_tag_objects():
    stored = answers_to_json(PLANNING, full_answers())["observations"]
    assert stored == [
        {"text": "Rival discounting 20%", "tag": "competitor"},
        {"text": "Budgets frozen", "tag": None},
    ]


def test_multiple_choice_round_trips():
    question = Question("tools", "multiple_choice", "Which?", choices=("crm", "cpq", "bi"))
    survey = Survey("s", 1, "S", (Section("a", "A", False, (question,)),))
    answers = Answers({"tools": ("crm", "bi")})
    assert answers_to_json(survey, answers) == {"tools": ["crm", "bi"]}
    assert answers_from_json(survey, {"tools": ["crm", "bi"]}) == answers


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"proposed_target": "NaN"}, "proposed_target"),
        ({"proposed_target": 125000.5}, "expected a string"),
        ({"proud": 7}, "proud"),
        ({"proud": "4"}, "expected an integer"),
        ({"proud": True}, "expected an integer"),
        ({"confidence": "9"}, "confidence"),
        ({"rationale": "x" * 2001}, "too long"),
        ({"observations": [{"text": "a", "tag": "gossip"}]}, "tag"),
        ({"observations": [{"text": str(n)} for n in range(6)]}, "At most 5"),
        ({"nope": 1}, "no question 'nope'"),
    ],
)
def test_from_json_refuses_bad_stored_values(data, fragment):
    with pytest.raises(AnswerError, match=fragment):
        answers_from_json(PLANNING, data)


def test_answers_are_read_only():
    answers = full_answers()
    with pytest.raises(TypeError):
        answers.by_question["proud"] = 1
    with pytest.raises(AttributeError):
        answers.by_question = {}


def test_only_splits_attributed_from_confidential():
    answers = full_answers()
    attributed = answers.only(PLANNING.attributed_questions())
    confidential = answers.only(PLANNING.confidential_questions())
    assert set(attributed) == {"proposed_target", "confidence", "rationale", "observations"}
    assert set(confidential) == {"proud", "enps", "pulse_comment"}


def test_confidence_level_reads_the_choice_as_a_number():
    assert confidence_level("1") == 1
    assert confidence_level("5") == 5
    assert confidence_level(None) is None


def test_parse_answer_refuses_blank_required_unless_draft():
    question = PLANNING.bound("plan.proposed")
    with pytest.raises(AnswerError, match="needs an answer"):
        parse_answer(question, "  ")
    assert parse_answer(question, "  ", draft=True) is None
