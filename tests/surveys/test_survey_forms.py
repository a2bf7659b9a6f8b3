"""Survey forms: one field per question, strict server-side checks, typed answers out."""

from decimal import Decimal

import pytest
import wtforms
from werkzeug.datastructures import MultiDict

from surveys.answers import Answers, form_data_from_answers
from surveys.forms import (
    build_form_class,
    form_sections,
    parse_answers,
    validate_for_draft,
)
from surveys.kinds import KINDS, OBSERVATION_TAGS
from surveys.loader import get_survey
from surveys.model import Question, Section, Survey

PLANNING = get_survey("quarterly-planning", 1)
# As a browser posts it: every rendered observation row arrives, empty or not.
EMPTY_ROWS = {f"observations-{n}-{part}": "" for n in range(5) for part in ("text", "tag")}
VALID_PLAN = {
    **EMPTY_ROWS,
    "proposed_target": "125000",
    "confidence": "4",
    "rationale": "Two renewals and one expansion.",
    "observations-0-text": "Customers delay purchases to next year",
    "observations-0-tag": "budget",
}


def make_form(survey=PLANNING, data=None, **kwargs):
    form_class = build_form_class(survey, **kwargs)
    return form_class(formdata=MultiDict(data if data is not None else VALID_PLAN))


def plan_form(**overrides):
    data = dict(VALID_PLAN)
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return make_form(data=data, sections=["plan", "field"])


def every_kind_survey():
    questions = tuple(
        Question(id=f"q_{kind}", kind=kind, text=f"A {kind} question", **extra)
        for kind, extra in {
            "money": {},
            "likert5": {"driver": "engagement"},
            "scale0_10": {},
            "short_text": {},
            "long_text": {},
            "single_choice": {"choices": ("a", "b")},
            "multiple_choice": {"choices": ("a", "b", "c")},
            "observation_list": {},
        }.items()
    )
    return Survey("all", 1, "All kinds", (Section("s", "S", True, questions),))


def test_every_kind_has_one_registry_entry_with_rule_answer_and_field():
    from surveys.kinds import QUESTION_KINDS, register

    assert set(QUESTION_KINDS) == set(KINDS)
    for name, kind in QUESTION_KINDS.items():
        assert kind.name == name and kind.rule is not None
        assert kind.answer is not None and callable(kind.answer.parse), name
        assert callable(kind.field), name
    with pytest.raises(ValueError, match="unknown question kind"):
        register("slider", field=lambda q, v: None)
    with pytest.raises(ValueError, match="already has its field"):
        register("money", field=lambda q, v: None)


def test_form_has_a_labelled_field_per_question():
    form = build_form_class(every_kind_survey())()
    for kind in KINDS:
        field = form[f"q_{kind}"]
        assert field.label.text == f"A {kind} question"


def test_observation_rows_are_five_labelled_text_and_tag_pairs():
    form = build_form_class(PLANNING)()
    rows = list(form["observations"])
    assert len(rows) == 5
    for n, row in enumerate(rows):
        assert row.form.text.name == f"observations-{n}-text"
        assert row.form.tag.name == f"observations-{n}-tag"
        assert row.form.text.label.text == f"Observation {n + 1}"
        assert row.form.tag.label.text == f"Tag for observation {n + 1}"
        assert f'for="observations-{n}-text"' in str(row.form.text.label)


def test_tag_select_offers_no_tag_and_every_tag():
    tag_field = build_form_class(PLANNING)()["observations"][0].form.tag
    assert [c.value for c in tag_field.iter_choices()] == ["", *OBSERVATION_TAGS]


def test_sections_limit_the_fields():
    form = build_form_class(PLANNING, sections=["plan"])()
    assert "proposed_target" in form
    assert "observations" not in form
    assert "proud" not in form


def test_unknown_section_is_refused():
    with pytest.raises(KeyError):
        build_form_class(PLANNING, sections=["nope"])


def test_form_sections_group_fields_in_order():
    form = build_form_class(PLANNING)()
    grouped = form_sections(PLANNING, form)
    assert [s.id for s, _ in grouped] == ["plan", "field", "pulse"]
    plan_items = grouped[0][1]
    assert [q.id for q, _ in plan_items] == ["proposed_target", "confidence", "rationale"]
    assert all(field is form[q.id] for q, field in plan_items)


def test_valid_plan_parses_to_typed_values():
    form = plan_form()
    assert form.validate(), form.errors
    answers = parse_answers(PLANNING, form)
    assert answers["proposed_target"] == Decimal("125000.00")
    assert answers["proposed_target"].as_tuple().exponent == -2
    assert answers["confidence"] == "4"
    assert answers["rationale"] == "Two renewals and one expansion."
    assert answers["observations"] == (("Customers delay purchases to next year", "budget"),)
    assert "proud" not in answers


def test_every_kind_parses_to_its_type():
    survey = every_kind_survey()
    data = MultiDict(
        [
            ("q_money", " 1,250.5 "),
            ("q_likert5", "5"),
            ("q_scale0_10", "0"),
            ("q_short_text", "  hello  "),
            ("q_long_text", "line one\nline two\n"),
            ("q_single_choice", "b"),
            ("q_multiple_choice", "c"),
            ("q_multiple_choice", "a"),
            ("q_observation_list-0-text", ""),
            ("q_observation_list-1-text", " first "),
            ("q_observation_list-2-text", "second"),
            ("q_observation_list-2-tag", "pricing"),
        ]
    )
    form = build_form_class(survey)(formdata=data)
    assert form.validate(), form.errors
    answers = parse_answers(survey, form)
    assert isinstance(answers, Answers)
    assert answers == {
        "q_money": Decimal("1250.50"),
        "q_likert5": 5,
        "q_scale0_10": 0,
        "q_short_text": "hello",
        "q_long_text": "line one\nline two",
        "q_single_choice": "b",
        "q_multiple_choice": ("a", "c"),
        "q_observation_list": (("first", None), ("second", "pricing")),
    }


def test_unanswered_optional_questions_parse_to_none():
    survey = every_kind_survey()
    form = build_form_class(survey)(formdata=MultiDict())
    assert form.validate(), form.errors
    assert set(parse_answers(survey, form).values()) == {None}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "greater than 0"),
        ("0", "greater than 0"),
        ("lots", "Enter an amount"),
        ("NaN", "finite"),
        ("nan", "finite"),
        ("Infinity", "finite"),
        ("-inf", "finite"),
        ("sNaN", "finite"),
        ("100.123", "two decimal places"),
        ("1000000000000.01", "at most"),
        ("1e5", "Enter an amount"),
        ("1_000", "Enter an amount"),
        ("1,00", "Enter an amount"),
        ("9" * 500, "Enter an amount"),
    ],
)
def test_bad_money_is_a_field_error(value, message):
    form = plan_form(proposed_target=value)
    assert not form.validate()
    assert len(form.proposed_target.errors) == 1
    assert message in form.proposed_target.errors[0]


@pytest.mark.parametrize(
    "value", ["1", "0.01", "125000.5", "125,000.50", "1000000000000", "12.30"]
)
def test_good_money_is_accepted(value):
    form = plan_form(proposed_target=value)
    assert form.validate(), form.errors


def test_money_keeps_two_decimal_places_with_trailing_zero():
    form = plan_form(proposed_target="12.300")
    assert form.validate(), form.errors
    assert str(parse_answers(PLANNING, form)["proposed_target"]) == "12.30"


def pulse_form(**data):
    return make_form(data=data, sections=["pulse"])


@pytest.mark.parametrize("value", ["7", "0", "6", "-1", "3.5", "x", "٣"])
def test_likert_outside_1_to_5_is_a_field_error(value):
    form = pulse_form(proud=value)
    assert not form.validate()
    assert form.proud.errors == ["Choose a whole number from 1 to 5."]


@pytest.mark.parametrize("value", ["11", "-1", "10.0", "ten"])
def test_scale_outside_0_to_10_is_a_field_error(value):
    form = pulse_form(enps=value)
    assert not form.validate()
    assert form.enps.errors == ["Choose a whole number from 0 to 10."]


def test_scale_bounds_are_accepted():
    for value, expected in (("0", 0), ("10", 10)):
        form = pulse_form(enps=value)
        assert form.validate(), form.errors
        assert parse_answers(PLANNING, form)["enps"] == expected


def test_ten_thousand_character_text_is_a_field_error():
    form = plan_form(rationale="x" * 10_000)
    assert not form.validate()
    assert form.rationale.errors == [
        "The answer is too long: 10000 characters, at most 2000 allowed."
    ]


def test_text_at_the_limit_is_accepted():
    form = plan_form(rationale="x" * 2000)
    assert form.validate(), form.errors


def test_short_text_default_limit_is_300():
    survey = every_kind_survey()
    form = build_form_class(survey)(formdata=MultiDict({"q_short_text": "y" * 301}))
    assert not form.validate()
    assert "at most 300" in form.q_short_text.errors[0]


def test_nul_byte_in_text_is_a_field_error():
    form = plan_form(rationale="fine\x00not fine")
    assert not form.validate()
    assert form.rationale.errors == ["The answer contains a NUL character, which is not allowed."]


def test_nul_byte_in_observation_is_a_field_error():
    form = plan_form(**{"observations-1-text": "bad\x00"})
    assert not form.validate()
    assert form.observations.errors == [
        "Observation 2 contains a NUL character, which is not allowed."
    ]


def test_overlong_observation_is_a_field_error():
    form = plan_form(**{"observations-0-text": "z" * 301})
    assert not form.validate()
    assert "Observation 1 is too long" in form.observations.errors[0]


def test_choice_not_in_the_list_is_a_field_error():
    form = plan_form(confidence="9")
    assert not form.validate()
    assert form.confidence.errors == ["Choose one of the options."]


def test_multiple_choice_outside_the_list_is_a_field_error():
    survey = every_kind_survey()
    data = MultiDict([("q_multiple_choice", "a"), ("q_multiple_choice", "zzz")])
    form = build_form_class(survey)(formdata=data)
    assert not form.validate()
    assert form.q_multiple_choice.errors == ["Choose only from the options."]


def test_unknown_observation_tag_is_a_field_error():
    form = plan_form(**{"observations-0-tag": "gossip"})
    assert not form.validate()
    assert form.observations.errors == ["Observation 1: choose a tag from the list."]


def test_tag_without_text_is_a_field_error():
    form = plan_form(**{"observations-2-tag": "pricing"})
    assert not form.validate()
    assert form.observations.errors == [
        "Observation 3: write the observation or clear its tag."
    ]


def test_five_observations_are_accepted():
    rows = {f"observations-{n}-text": f"seen {n}" for n in range(5)}
    form = plan_form(**rows)
    assert form.validate(), form.errors
    assert len(parse_answers(PLANNING, form)["observations"]) == 5


def test_sixth_observation_is_a_field_error_not_dropped():
    rows = {f"observations-{n}-text": f"seen {n}" for n in range(6)}
    form = plan_form(**rows)
    assert not form.validate()
    assert "At most 5 observations." in form.observations.errors


def test_sixth_observation_row_even_if_empty_is_an_error():
    form = plan_form(**{"observations-5-text": ""})
    assert not form.validate()
    assert form.observations.errors == ["At most 5 observations."]


def test_far_observation_index_is_an_error():
    form = plan_form(**{"observations-99-text": "sneaky"})
    assert not form.validate()
    assert form.observations.errors == ["At most 5 observations."]


def test_sixth_observation_is_an_error_in_draft_too():
    form = plan_form(**{"observations-5-text": "extra"})
    assert not validate_for_draft(form)
    assert "At most 5 observations." in form.observations.errors


@pytest.mark.parametrize(
    "missing",
    ["proposed_target", "confidence", "rationale", "observations-0-text"],
)
def test_missing_required_answer_is_a_field_error(missing):
    form = plan_form(**{missing: None, "observations-0-tag": None})
    assert not form.validate()
    field = form[missing.split("-")[0]]
    assert field.errors == ["This question needs an answer."]


def test_whitespace_only_counts_as_missing():
    form = plan_form(rationale="   \n ")
    assert not form.validate()
    assert form.rationale.errors == ["This question needs an answer."]


def test_draft_may_skip_required_answers():
    form = make_form(data={"proposed_target": "5000"}, sections=["plan", "field"])
    assert not form.validate()
    assert validate_for_draft(form), form.errors
    answers = parse_answers(PLANNING, form)
    assert answers == {
        "proposed_target": Decimal("5000.00"),
        "confidence": None,
        "rationale": None,
        "observations": None,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("proposed_target", "NaN"),
        ("proposed_target", "-1"),
        ("rationale", "x" * 10_000),
        ("rationale", "\x00"),
        ("confidence", "7"),
    ],
)
def test_draft_still_refuses_bad_values(field, value):
    form = make_form(data={field: value}, sections=["plan", "field"])
    assert not validate_for_draft(form)
    assert form[field].errors


def test_draft_still_refuses_likert_7():
    form = pulse_form(proud="7")
    assert not validate_for_draft(form)
    assert form.proud.errors


def test_draft_mode_does_not_stick_to_the_form():
    form = make_form(data={}, sections=["plan"])
    assert validate_for_draft(form)
    assert not form.validate()


def test_form_data_from_answers_prefills_a_form_that_parses_back():
    form = plan_form(**{"observations-1-text": "Rival cut prices", "observations-1-tag": ""})
    assert form.validate(), form.errors
    answers = parse_answers(PLANNING, form)
    form_class = build_form_class(PLANNING, sections=["plan", "field"])
    reopened = form_class(data=form_data_from_answers(PLANNING, answers))
    assert reopened.proposed_target.data == "125000.00"
    assert reopened.observations[1].form.text.data == "Rival cut prices"
    assert len(reopened.observations.entries) == 5
    assert reopened.validate(), reopened.errors
    assert parse_answers(PLANNING, reopened) == answers


def test_prefilled_radio_is_rendered_checked():
    form_class = build_form_class(PLANNING, sections=["pulse"])
    form = form_class(data=form_data_from_answers(PLANNING, Answers({"proud": 4, "enps": 9})))
    checked = [option.data for option in form.proud if option.checked]
    assert checked == ["4"]
    assert [option.data for option in form.enps if option.checked] == ["9"]


def test_question_id_clashing_with_base_is_refused():
    clashing = Survey(
        "x", 1, "X", (Section("s", "S", False, (Question("validate", "short_text", "?"),)),)
    )
    with pytest.raises(ValueError, match="clashes"):
        build_form_class(clashing)


def test_builder_works_with_a_form_subclass_and_its_metaclass():
    class CustomBase(wtforms.Form):
        extra = wtforms.StringField("Extra")

    form = build_form_class(PLANNING, base=CustomBase, sections=["plan"])(
        formdata=MultiDict(VALID_PLAN)
    )
    assert isinstance(form, CustomBase)
    assert list(form._fields)[0] == "extra"
    assert form.validate(), form.errors
