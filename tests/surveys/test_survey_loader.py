"""Definition errors name the file, the item and the problem."""

import re
import textwrap

import pytest

from surveys.loader import SurveyDefinitionError, load_library, load_survey

HEADER = """
id = "demo"
version = 1
title = "Demo"
"""

PLAN = """
[[sections]]
id = "plan"
title = "Plan"
confidential = false

[[sections.questions]]
id = "target"
kind = "money"
text = "Your target?"
required = true
binds = "plan.proposed"
"""

PULSE = """
[[drivers]]
id = "engagement"
title = "Engagement"
outcome = true

[[sections]]
id = "pulse"
title = "Pulse"
confidential = true

[[sections.questions]]
id = "proud"
kind = "likert5"
driver = "engagement"
text = "I am proud to work here."
"""


def write(tmp_path, body, name="demo.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(HEADER) + textwrap.dedent(body), encoding="utf-8")
    return path


def error_of(path):
    with pytest.raises(SurveyDefinitionError) as caught:
        load_survey(path)
    return str(caught.value)


def test_valid_minimal_definition_loads(tmp_path):
    survey = load_survey(write(tmp_path, PLAN + PULSE))
    assert survey.has_plan
    assert [q.id for q in survey.questions()] == ["target", "proud"]


def test_likert_without_driver_names_file_question_and_problem(tmp_path):
    body = PULSE.replace('driver = "engagement"\n', "")
    message = error_of(write(tmp_path, body, name="quarterly-planning.toml"))
    assert message == "quarterly-planning.toml: question 'proud': likert5 needs a driver"


QUESTION_ERRORS = [
    # (replace this, with this, expected message fragment)
    ('kind = "money"', 'kind = "currency"', "question 'target': unknown kind 'currency'"),
    ("required = true", "reqired = true", "question 'target': unknown key 'reqired'"),
    ('text = "Your target?"\n', "", "question 'target': missing key 'text'"),
    ("required = true", 'required = "yes"', "question 'target': 'required' must be true or false"),
    ('binds = "plan.proposed"', 'binds = "plan.target"', "question 'target': unknown bind"),
    ("required = true\n", "", "question 'target': plan.proposed must be required"),
    ('kind = "money"', 'kind = "short_text"', "question 'target': plan.proposed must be money"),
    ('id = "target"', 'id = "Target-1"', "question 'Target-1': id must match"),
    ('id = "target"', 'id = "data"', "question 'data': id is reserved"),
    ("required = true", 'choices = ["a", "b"]\nrequired = true', "money cannot have choices"),
    ("required = true", "max_length = 10\nrequired = true", "money cannot have max_length"),
]


@pytest.mark.parametrize(("old", "new", "expected"), QUESTION_ERRORS)
def test_question_errors_name_file_and_question(tmp_path, old, new, expected):
    message = error_of(write(tmp_path, PLAN.replace(old, new)))
    assert message.startswith("demo.toml: ")
    assert expected in message


def test_unknown_driver_is_an_error(tmp_path):
    message = error_of(write(tmp_path, PULSE.replace('driver = "engagement"', 'driver = "mood"')))
    assert message == "demo.toml: question 'proud': unknown driver 'mood'"


def test_likert_needs_an_outcome_driver(tmp_path):
    message = error_of(write(tmp_path, PULSE.replace("outcome = true", "outcome = false")))
    assert message == "demo.toml: survey: likert5 items need an outcome driver (outcome = true)"


def test_driver_without_items_is_an_error(tmp_path):
    extra = '\n[[drivers]]\nid = "growth"\ntitle = "Growth"\n'
    message = error_of(write(tmp_path, extra + PULSE))
    assert message == "demo.toml: driver 'growth': has no likert5 items"


def test_likert_outside_confidential_section_is_an_error(tmp_path):
    body = PULSE.replace("confidential = true", "confidential = false")
    message = error_of(write(tmp_path, body))
    assert message == (
        "demo.toml: question 'proud': likert5 items must be in a confidential section"
    )


def test_plan_bind_in_confidential_section_is_an_error(tmp_path):
    body = PLAN.replace("confidential = false", "confidential = true")
    message = error_of(write(tmp_path, body))
    assert message == (
        "demo.toml: question 'target': plan.proposed must be in a non-confidential section"
    )


def test_engagement_bind_in_attributed_section_is_an_error(tmp_path):
    body = PLAN + """
[[sections.questions]]
id = "enps"
kind = "scale0_10"
text = "Recommend?"
binds = "engagement.enps"
"""
    message = error_of(write(tmp_path, body))
    assert message == (
        "demo.toml: question 'enps': engagement.enps must be in a confidential section"
    )


def test_single_use_bind_twice_is_an_error(tmp_path):
    second = PLAN.split("[[sections.questions]]")[1].replace('id = "target"', 'id = "target2"')
    message = error_of(write(tmp_path, PLAN + "[[sections.questions]]" + second))
    assert message == "demo.toml: question 'target2': plan.proposed is bound more than once"


def test_engagement_comment_may_be_bound_twice(tmp_path):
    comments = "".join(
        f'\n[[sections.questions]]\nid = "c{n}"\nkind = "long_text"\ntext = "Comment?"\n'
        'binds = "engagement.comment"\n'
        for n in (1, 2)
    )
    survey = load_survey(write(tmp_path, PULSE + comments))
    assert [q.id for q in survey.bound_all("engagement.comment")] == ["c1", "c2"]


def test_duplicate_question_ids_are_an_error(tmp_path):
    body = PLAN + PULSE.replace('id = "proud"', 'id = "target"')
    message = error_of(write(tmp_path, body))
    assert message == "demo.toml: question 'target': id is used more than once"


def test_confidence_bind_needs_choices_1_to_5(tmp_path):
    body = PLAN + """
[[sections.questions]]
id = "confidence"
kind = "single_choice"
text = "How sure?"
binds = "plan.confidence"
choices = ["low", "high"]
"""
    message = error_of(write(tmp_path, body))
    expected = r"demo\.toml: question 'confidence': plan\.confidence needs choices .*"
    assert re.fullmatch(expected, message)


def test_choice_kind_without_choices_is_an_error(tmp_path):
    body = PLAN + '\n[[sections.questions]]\nid = "pick"\nkind = "single_choice"\ntext = "Pick"\n'
    message = error_of(write(tmp_path, body))
    assert message == "demo.toml: question 'pick': single_choice needs at least two choices"


def test_choice_labels_must_match_choices(tmp_path):
    body = PLAN + (
        '\n[[sections.questions]]\nid = "pick"\nkind = "multiple_choice"\ntext = "Pick"\n'
        'choices = ["a", "b"]\nchoice_labels = ["A"]\n'
    )
    message = error_of(write(tmp_path, body))
    assert message == "demo.toml: question 'pick': choice_labels must have one label per choice"


def test_unknown_top_level_key_is_an_error(tmp_path):
    message = error_of(write(tmp_path, 'titel = "typo"\n' + PLAN))
    assert message == "demo.toml: survey: unknown key 'titel'"


def test_unknown_section_key_is_an_error(tmp_path):
    body = PLAN.replace("confidential = false", "confidental = false")
    message = error_of(write(tmp_path, body))
    assert message == "demo.toml: section 'plan': unknown key 'confidental'"


def test_missing_top_level_key_is_an_error(tmp_path):
    path = tmp_path / "demo.toml"
    path.write_text('id = "demo"\nversion = 1\n' + PLAN, encoding="utf-8")
    assert error_of(path) == "demo.toml: survey: missing key 'title'"


def test_version_must_be_a_positive_integer(tmp_path):
    path = tmp_path / "demo.toml"
    path.write_text(HEADER.replace("version = 1", 'version = "1"') + PLAN, encoding="utf-8")
    assert error_of(path) == "demo.toml: survey: 'version' must be an integer"


def test_section_without_questions_is_an_error(tmp_path):
    body = '[[sections]]\nid = "empty"\ntitle = "Empty"\nconfidential = false\nquestions = []\n'
    message = error_of(write(tmp_path, body))
    assert message == "demo.toml: section 'empty': needs at least one question"


def test_invalid_toml_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("id = \n", encoding="utf-8")
    assert error_of(path).startswith("broken.toml: not valid TOML")


def test_same_id_and_version_in_two_files_is_an_error(tmp_path):
    write(tmp_path, PLAN, name="a.toml")
    write(tmp_path, PLAN, name="b.toml")
    with pytest.raises(SurveyDefinitionError, match=r"^b\.toml: survey: 'demo' version 1"):
        load_library(tmp_path)
