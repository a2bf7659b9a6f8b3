"""build_form_class reuses a built class only for the same survey object, section set and base."""

import threading

import wtforms
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from surveys import forms
from surveys.forms import build_form_class
from surveys.loader import get_survey
from surveys.model import Question, Section, Survey

PLANNING = get_survey("quarterly-planning", 1)


def _survey(question_id: str, text: str = "How much?") -> Survey:
    # Same id and version every time: only the object (and its questions) differs.
    return Survey("cache-test", 1, "Cache test",
                  (Section("s", "S", False, (Question(id=question_id, kind="money", text=text),)),))


def test_same_survey_sections_and_base_reuse_the_class():
    a = build_form_class(PLANNING, sections=["plan", "field"])
    assert build_form_class(PLANNING, sections=["field", "plan"]) is a  # order does not matter
    assert build_form_class(PLANNING, sections=("plan", "field")) is a


def test_different_sections_give_different_classes():
    plan_only = build_form_class(PLANNING, sections=["plan"])
    both = build_form_class(PLANNING, sections=["plan", "field"])
    everything = build_form_class(PLANNING)
    assert len({plan_only, both, everything}) == 3
    assert "observations" not in plan_only() and "observations" in both()
    assert {f.name for f in everything()} == {q.id for q in PLANNING.questions()}


def test_different_surveys_with_the_same_id_and_version_give_different_classes():
    first, second = _survey("amount"), _survey("budget")
    assert "amount" in build_form_class(first)() and "budget" not in build_form_class(first)()
    assert "budget" in build_form_class(second)() and "amount" not in build_form_class(second)()
    # Equal content, another object: still its own class (the key is the object, not its id).
    third = _survey("amount", text="Another label")
    assert build_form_class(third)().amount.label.text == "Another label"


def test_different_bases_give_different_classes():
    plain = build_form_class(PLANNING, sections=["plan"])
    flask = build_form_class(PLANNING, base=FlaskForm, sections=["plan"])
    assert plain is not flask
    assert issubclass(flask, FlaskForm) and not issubclass(plain, FlaskForm)
    assert issubclass(plain, wtforms.Form)


def test_instances_of_a_cached_class_share_no_state():
    form_class = build_form_class(PLANNING, sections=["plan", "field"])
    good = form_class(formdata=MultiDict({"proposed_target": "125000", "confidence": "4",
                                          "rationale": "ok", "observations-0-text": "x"}))
    bad = form_class(formdata=MultiDict({"proposed_target": "lots", "confidence": "9"}))
    assert not bad.validate()
    assert good.validate(), good.errors
    assert good.errors == {} and bad.errors
    assert good.proposed_target.data == "125000" and bad.proposed_target.data == "lots"


def test_unknown_sections_still_fail_every_time():
    import pytest

    for _ in range(2):
        with pytest.raises(KeyError):
            build_form_class(PLANNING, sections=["nope"])


def test_cache_is_bounded_and_thread_safe(monkeypatch):
    monkeypatch.setattr(forms, "_FORM_CLASS_CACHE_SIZE", 4)
    surveys = [_survey(f"q{i}") for i in range(12)]
    results: dict[int, list[type]] = {i: [] for i in range(12)}

    def work():
        for i, survey in enumerate(surveys):
            results[i].append(build_form_class(survey))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(forms._form_classes) <= 4
    for i, classes in results.items():
        assert all(f"q{i}" in c() for c in classes)
