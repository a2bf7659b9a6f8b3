"""Build a WTForms form class from a survey definition and read typed answers back out of it."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import wtforms
from wtforms.fields import (
    Field,
    FieldList,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.utils import unset_value
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from surveys.answers import (
    TOO_MANY_OBSERVATIONS,
    AnswerError,
    Answers,
    form_data_from_answers,
    parse_answer,
)
from surveys.kinds import (LIKERT5_CHOICES, MAX_OBSERVATIONS, OBSERVATION_TAGS, SCALE0_10_CHOICES, question_kind,
                           register)
from surveys.model import Question, Section, Survey

__all__ = [
    "ObservationListField",
    "build_form_class",
    "form_data_from_answers",
    "form_sections",
    "parse_answers",
    "validate_for_draft",
]

# Set on a form instance only while validate_for_draft() runs.
_DRAFT_FLAG = "_surveys_validating_draft"

Validators = list[Callable[[Any, Field], None]]
FieldBuilder = Callable[[Question, Validators], Any]  # returns an UnboundField


class _AnswerCheck:
    """Run the kind's parser as the field's validator, so form and JSON rules can't drift apart."""

    def __init__(self, question: Question) -> None:
        self.question = question

    def __call__(self, form: Any, field: Field) -> None:
        draft = getattr(form, _DRAFT_FLAG, False)
        try:
            parse_answer(self.question, field.data, draft=draft)
        except AnswerError as exc:
            raise StopValidation(str(exc)) from None


def _choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _text_attrs(question: Question) -> dict[str, Any]:
    return {"maxlength": question.text_limit}


def _build_money(question: Question, validators: Validators) -> Any:
    return StringField(
        question.text,
        validators,
        description=question.help,
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


def _radio(pairs_of: Callable[[Question], Iterable[tuple[str, str]]]) -> FieldBuilder:
    def build(question: Question, validators: Validators) -> Any:
        # validate_choice=False: the answer check gives a clearer message for a forged value.
        return RadioField(
            question.text,
            validators,
            choices=_choices(pairs_of(question)),
            validate_choice=False,
            description=question.help,
        )

    return build


def _text(field_class: type[Field]) -> FieldBuilder:
    def build(question: Question, validators: Validators) -> Any:
        return field_class(
            question.text, validators, description=question.help, render_kw=_text_attrs(question)
        )

    return build


def _build_multiple(question: Question, validators: Validators) -> Any:
    return SelectMultipleField(
        question.text,
        validators,
        choices=_choices(question.choice_pairs()),
        validate_choice=False,
        description=question.help,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class ObservationListField(FieldList):
    """Five rows of (text, tag), named `<qid>-<n>-text` / `<qid>-<n>-tag` for n in 0..4.

    Plain FieldList drops rows past max_entries without a word; a sixth row posted here is an
    error on the field instead, because silently losing what someone wrote is worse.
    """

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        row_key = re.compile(rf"{re.escape(self.name)}-(\d+)-(?:text|tag)")
        self.overflow = bool(formdata) and any(
            int(m.group(1)) >= MAX_OBSERVATIONS
            for m in map(row_key.fullmatch, formdata or ())
            if m
        )
        super().process(formdata, data, extra_filters)
        for position, row in enumerate(self.entries, start=1):
            row.label.text = f"Observation {position}"
            row.form.text.label.text = f"Observation {position}"
            row.form.tag.label.text = f"Tag for observation {position}"

    def validate(self, form: Any, extra_validators: Any = ()) -> bool:
        super().validate(form, extra_validators)
        if self.overflow and TOO_MANY_OBSERVATIONS not in self.errors:
            self.errors.insert(0, TOO_MANY_OBSERVATIONS)
        return not self.errors


_TAG_CHOICES = _choices([("", "No tag"), *((t, t.capitalize()) for t in OBSERVATION_TAGS)])


def _build_observations(question: Question, validators: Validators) -> Any:
    # Rows are a plain wtforms.Form whatever the outer base: CSRF belongs to the outer form.
    row = type(
        "ObservationRow",
        (wtforms.Form,),
        {
            "text": StringField("Observation", render_kw=_text_attrs(question)),
            "tag": SelectField("Tag", choices=_TAG_CHOICES, validate_choice=False),
        },
    )
    return ObservationListField(
        FormField(row),
        question.text,
        validators,
        min_entries=MAX_OBSERVATIONS,
        description=question.help,
    )


_FIELDS: dict[str, FieldBuilder] = {
    "money": _build_money,
    "likert5": _radio(lambda q: LIKERT5_CHOICES),
    "scale0_10": _radio(lambda q: SCALE0_10_CHOICES),
    "short_text": _text(StringField),
    "long_text": _text(TextAreaField),
    "single_choice": _radio(Question.choice_pairs),
    "multiple_choice": _build_multiple,
    "observation_list": _build_observations,
}
for _name, _field in _FIELDS.items():
    register(_name, field=_field)


def _chosen_sections(survey: Survey, sections: Iterable[str] | None) -> tuple[Section, ...]:
    if sections is None:
        return survey.sections
    wanted = set(sections)
    unknown = wanted - {s.id for s in survey.sections}
    if unknown:
        raise KeyError(f"survey {survey.id!r} has no section(s) {sorted(unknown)}")
    return tuple(s for s in survey.sections if s.id in wanted)


# Built classes by (survey object, chosen section ids, base). A form class holds no per-request
# state (fields are bound to each instance), so one class serves every request and thread, as a
# statically declared form would. Keyed by the survey object's identity, which the entry keeps
# alive (so the id can't be reused), never by (id, version): two different Survey objects can
# carry the same id and version (tests, definitions being edited). Bounded, least recently used.
_FORM_CLASS_CACHE_SIZE = 128
_form_classes: OrderedDict[tuple, tuple[Survey, type]] = OrderedDict()
_form_classes_lock = threading.Lock()


def build_form_class(
    survey: Survey, base: type = wtforms.Form, *, sections: Iterable[str] | None = None
) -> type:
    """Return a form class with one field per question, named by question id.

    `sections` limits the form to some section ids (e.g. only the attributed ones).
    `base` may be flask_wtf.FlaskForm; nothing here depends on plain wtforms.Form.
    The class is built once per (survey, section set, base) and then reused.
    """
    chosen = None if sections is None else frozenset(sections)
    key = (id(survey), chosen, base)
    with _form_classes_lock:
        hit = _form_classes.get(key)
        if hit is not None and hit[0] is survey:
            _form_classes.move_to_end(key)
            return hit[1]
    form_class = _build_form_class(survey, base, chosen)
    with _form_classes_lock:
        _form_classes[key] = (survey, form_class)
        _form_classes.move_to_end(key)
        while len(_form_classes) > _FORM_CLASS_CACHE_SIZE:
            _form_classes.popitem(last=False)
    return form_class


def _build_form_class(survey: Survey, base: type, sections: Iterable[str] | None) -> type:
    attrs: dict[str, Any] = {}
    for section in _chosen_sections(survey, sections):
        for question in section.questions:
            if hasattr(base, question.id):
                raise ValueError(f"question id {question.id!r} clashes with {base.__name__}")
            attrs[question.id] = question_kind(question.kind).field(question, [_AnswerCheck(question)])
    # The base's metaclass (FormMeta) must build the class, hence type(base).
    return type(base)(f"SurveyForm_{survey.id}_v{survey.version}", (base,), attrs)


def validate_for_draft(form: Any, extra_validators: Any = None) -> bool:
    """Validate as for saving a draft: blank required answers pass, bad values still fail.

    It calls form.validate(), so a FlaskForm's CSRF check still runs.
    """
    setattr(form, _DRAFT_FLAG, True)
    try:
        return form.validate(extra_validators=extra_validators)
    finally:
        setattr(form, _DRAFT_FLAG, False)


def parse_answers(survey: Survey, form: Any) -> Answers:
    """Read typed answers from a validated form; blank answers become None.

    Call only after validate() or validate_for_draft() returned True: a bad value raises.
    """
    return Answers(
        {
            q.id: parse_answer(q, form[q.id].data, draft=True)
            for q in survey.questions()
            if q.id in form
        }
    )


def form_sections(survey: Survey, form: Any) -> list[tuple[Section, list[tuple[Question, Field]]]]:
    """Group the form's fields by section, in order, for section-by-section templates."""
    grouped = []
    for section in survey.sections:
        items = [(q, form[q.id]) for q in section.questions if q.id in form]
        if items:
            grouped.append((section, items))
    return grouped
