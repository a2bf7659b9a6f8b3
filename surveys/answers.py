"""Turn raw answers into typed values, check them, and store them as JSON, one kind at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from surveys.kinds import CONFIDENCE_CHOICES, MAX_OBSERVATIONS, OBSERVATION_TAGS, question_kind, register
from surveys.model import Question, Survey
from surveys.values import (  # noqa: F401  (MONEY_MAX, CENT: re-exported for callers)
    CENT,
    MONEY_MAX,
    ValueRefused,
    parse_choice,
    parse_integer,
    parse_money,
    parse_text,
)

TOO_MANY_OBSERVATIONS = f"At most {MAX_OBSERVATIONS} observations."
REQUIRED = "This question needs an answer."

Observation = tuple[str, str | None]


# One exception for every refused value, whichever parser refused it.
AnswerError = ValueRefused


@dataclass(frozen=True)
class Answers(Mapping[str, Any]):
    """Typed answers by question id; an unanswered question maps to None."""

    by_question: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Copy into a read-only view so a frozen Answers really cannot change.
        object.__setattr__(self, "by_question", MappingProxyType(dict(self.by_question)))

    def __getitem__(self, question_id: str) -> Any:
        return self.by_question[question_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_question)

    def __len__(self) -> int:
        return len(self.by_question)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return dict(self.by_question) == dict(other.items())

    def only(self, questions: Iterable[Question]) -> Answers:
        """Keep the answers to these questions, e.g. `survey.confidential_questions()`."""
        ids = {q.id for q in questions}
        return Answers({k: v for k, v in self.by_question.items() if k in ids})


def _text_of(raw: Any) -> str:
    return "" if raw is None else str(raw)


def _check_text(text: str, question: Question, what: str = "The answer") -> str:
    """Refuse what would poison storage or exports: NUL bytes, lone surrogates, overlong texts."""
    return parse_text(text, max_len=question.text_limit, what=what)


# --- blank checks: what counts as "no answer" for required-ness and drafts ------------------


def _blank_text(raw: Any) -> bool:
    return not _text_of(raw).strip()


def _blank_list(raw: Any) -> bool:
    return not raw


def _blank_rows(raw: Any) -> bool:
    return not any(_row_text(row).strip() or _row_tag(row) for row in raw or ())


# --- parsers: raw (form-shaped) value -> typed value; raise AnswerError -----------------------


def _parse_money(raw: Any, question: Question) -> Decimal:
    return parse_money(raw)


def _int_in(low: int, high: int) -> Callable[[Any, Question], int]:
    def parse(raw: Any, question: Question) -> int:
        return parse_integer(raw, low, high)

    return parse


def _parse_text(raw: Any, question: Question) -> str:
    return _check_text(_text_of(raw), question)


def _parse_single(raw: Any, question: Question) -> str:
    return parse_choice(raw, question.choices)


def _parse_multiple(raw: Any, question: Question) -> tuple[str, ...]:
    values = [raw] if isinstance(raw, str) else list(raw or ())
    if any(not isinstance(v, str) or v not in question.choices for v in values):
        raise AnswerError("Choose only from the options.")
    # Keep the definition's order and drop repeats, so equal selections store equally.
    return tuple(c for c in question.choices if c in values)


def _row_text(row: Any) -> str:
    return _text_of(row.get("text") if isinstance(row, Mapping) else None)


def _row_tag(row: Any) -> str:
    return _text_of(row.get("tag") if isinstance(row, Mapping) else None)


def _parse_observations(raw: Any, question: Question) -> tuple[Observation, ...]:
    rows = list(raw or ())
    if not all(isinstance(row, Mapping) for row in rows):
        raise AnswerError("Observations are malformed.")
    observations: list[Observation] = []
    for position, row in enumerate(rows, start=1):
        text, tag = _row_text(row), _row_tag(row)
        if tag and tag not in OBSERVATION_TAGS:
            raise AnswerError(f"Observation {position}: choose a tag from the list.")
        text = _check_text(text, question, what=f"Observation {position}")
        if not text:
            if tag:
                raise AnswerError(
                    f"Observation {position}: write the observation or clear its tag."
                )
            continue  # an empty row is simply not an observation
        observations.append((text, tag or None))
    if len(observations) > MAX_OBSERVATIONS:
        raise AnswerError(TOO_MANY_OBSERVATIONS)
    return tuple(observations)


# --- JSON: typed value <-> JSON value, and typed value -> raw form value ---------------------


def _same(value: Any) -> Any:
    return value


def _money_json(value: Decimal) -> str:
    return str(value)  # a string keeps the exact amount; a JSON float would not


def _int_from_json(parse: Callable[[Any, Question], int]) -> Callable[[Any, Question], int]:
    def from_json(data: Any, question: Question) -> int:
        if type(data) is not int:
            raise AnswerError("expected an integer")
        return parse(data, question)

    return from_json


def _str_from_json(parse: Callable[[Any, Question], Any]) -> Callable[[Any, Question], Any]:
    def from_json(data: Any, question: Question) -> Any:
        if not isinstance(data, str):
            raise AnswerError("expected a string")
        return parse(data, question)

    return from_json


def _multiple_from_json(data: Any, question: Question) -> tuple[str, ...]:
    if not isinstance(data, list):
        raise AnswerError("expected a list")
    return _parse_multiple(data, question)


def _observations_json(value: tuple[Observation, ...]) -> list[dict[str, str | None]]:
    return [{"text": text, "tag": tag} for text, tag in value]


def _observations_from_json(data: Any, question: Question) -> tuple[Observation, ...]:
    if not isinstance(data, list):
        raise AnswerError("expected a list")
    return _parse_observations(data, question)


def _observations_form(value: tuple[Observation, ...]) -> list[dict[str, str]]:
    return [{"text": text, "tag": tag or ""} for text, tag in value]


@dataclass(frozen=True)
class AnswerKind:
    """How one question kind reads, checks, stores and re-displays its answers."""

    blank: Callable[[Any], bool]
    parse: Callable[[Any, Question], Any]
    to_json: Callable[[Any], Any]
    from_json: Callable[[Any, Question], Any]
    to_form: Callable[[Any], Any]


_likert = _int_in(1, 5)
_scale = _int_in(0, 10)

_ANSWERS: dict[str, AnswerKind] = {
    "money": AnswerKind(_blank_text, _parse_money, _money_json, _str_from_json(_parse_money), str),
    "likert5": AnswerKind(_blank_text, _likert, _same, _int_from_json(_likert), str),
    "scale0_10": AnswerKind(_blank_text, _scale, _same, _int_from_json(_scale), str),
    "short_text": AnswerKind(_blank_text, _parse_text, _same, _str_from_json(_parse_text), _same),
    "long_text": AnswerKind(_blank_text, _parse_text, _same, _str_from_json(_parse_text), _same),
    "single_choice": AnswerKind(
        _blank_text, _parse_single, _same, _str_from_json(_parse_single), _same
    ),
    "multiple_choice": AnswerKind(_blank_list, _parse_multiple, list, _multiple_from_json, list),
    "observation_list": AnswerKind(
        _blank_rows, _parse_observations, _observations_json, _observations_from_json,
        _observations_form,
    ),
}
for _name, _answer in _ANSWERS.items():
    register(_name, answer=_answer)


def _answer_kind(kind: str) -> AnswerKind:
    return question_kind(kind).answer


def parse_answer(question: Question, raw: Any, *, draft: bool = False) -> Any:
    """Check one raw answer and return its typed value, None when blank.

    A blank required answer is refused unless `draft` is true; bad values are refused always.
    """
    kind = _answer_kind(question.kind)
    if kind.blank(raw):
        if question.required and not draft:
            raise AnswerError(REQUIRED)
        return None
    value = kind.parse(raw, question)
    # Rows that were all blank parse to nothing: that is no answer, not an empty one.
    return value if value != () else None


def confidence_level(value: str | None) -> int | None:
    """Read a plan.confidence answer ("1".."5") as the number it stands for."""
    return None if value is None else CONFIDENCE_CHOICES.index(value) + 1


def answers_to_json(survey: Survey, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Encode answers as a JSON-ready dict, keeping unanswered questions as null."""
    return {
        qid: None if value is None else _answer_kind(survey.question(qid).kind).to_json(value)
        for qid, value in answers.items()
    }


def answers_from_json(survey: Survey, data: Mapping[str, Any]) -> Answers:
    """Decode what answers_to_json produced, re-checking every value; ValueError if it's off."""
    if not isinstance(data, Mapping):
        raise AnswerError("stored answers must be a JSON object")
    values: dict[str, Any] = {}
    for qid, item in data.items():
        try:
            question = survey.question(qid)
        except KeyError:
            raise AnswerError(f"{survey.id} v{survey.version} has no question {qid!r}") from None
        try:
            kind = _answer_kind(question.kind)
            values[qid] = None if item is None else kind.from_json(item, question)
        except AnswerError as exc:
            raise AnswerError(f"question {qid!r}: {exc}") from None
    return Answers(values)


def form_data_from_answers(survey: Survey, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Turn stored answers into `data=` for a form class, to re-open a draft for editing."""
    return {
        qid: None if value is None else _answer_kind(survey.question(qid).kind).to_form(value)
        for qid, value in answers.items()
    }
