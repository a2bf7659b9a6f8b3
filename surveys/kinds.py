"""The fixed vocabulary of survey definitions: question kinds, binds and their rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

OBSERVATION_TAGS = ("competitor", "pricing", "product", "demand", "budget", "service", "other")
MAX_OBSERVATIONS = 5

LIKERT5_CHOICES = (
    ("1", "Strongly disagree"),
    ("2", "Disagree"),
    ("3", "Neither agree nor disagree"),
    ("4", "Agree"),
    ("5", "Strongly agree"),
)
SCALE0_10_CHOICES = tuple((str(n), str(n)) for n in range(11))

# plan.confidence is a single_choice with exactly these values, so every template's
# confidence means the same thing and the web app can read it as an int.
CONFIDENCE_CHOICES = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class KindRule:
    """What a definition may or must say for one question kind."""

    choices: bool = False  # True: `choices` required; False: forbidden
    driver: bool = False  # True: `driver` required; False: forbidden
    max_length: int | None = None  # default text limit; None: `max_length` forbidden


@dataclass
class QuestionKind:
    """Everything one question kind means, in one registry entry (CTFd's challenge-type registry).

    ``rule`` says what a definition may or must write for it; ``answer`` (a `surveys.answers.AnswerKind`)
    reads, checks, stores and re-displays its answers; ``field`` builds its form field. The last
    two are registered by `surveys.answers` and `surveys.forms` when they load (`register`), so
    this module, and the loader that validates definitions, need neither wtforms nor the parsers.
    """

    name: str
    rule: KindRule
    answer: Any = None
    field: Any = None


QUESTION_KINDS: dict[str, QuestionKind] = {
    name: QuestionKind(name, rule) for name, rule in {
        "money": KindRule(),
        "likert5": KindRule(driver=True),
        "scale0_10": KindRule(),
        "short_text": KindRule(max_length=300),
        "long_text": KindRule(max_length=2000),
        "single_choice": KindRule(choices=True),
        "multiple_choice": KindRule(choices=True),
        "observation_list": KindRule(max_length=300),  # the limit applies to each observation
    }.items()
}
KINDS = tuple(QUESTION_KINDS)
#: Read-only view of each kind's definition rule (what the loader checks).
KIND_RULES: Mapping[str, KindRule] = MappingProxyType({name: k.rule for name, k in QUESTION_KINDS.items()})


def register(name: str, *, answer: Any = None, field: Any = None) -> None:
    """Attach a kind's answer handling or field builder to its entry; each once, for known kinds only."""
    entry = QUESTION_KINDS.get(name)
    if entry is None:
        raise ValueError(f"unknown question kind {name!r}")
    for part, value in (("answer", answer), ("field", field)):
        if value is None:
            continue
        if getattr(entry, part) is not None and getattr(entry, part) is not value:
            raise ValueError(f"question kind {name!r} already has its {part}")
        setattr(entry, part, value)


def question_kind(name: str) -> QuestionKind:
    """The registry entry of a kind (KeyError for an unknown kind)."""
    return QUESTION_KINDS[name]

# A limit a definition may set, so a typo like 200000 cannot open the door to huge posts.
MAX_TEXT_LIMIT = 10_000


@dataclass(frozen=True)
class BindRule:
    """Where a bind may be used: which kinds, which section type, how often."""

    kinds: frozenset[str]
    confidential: bool
    repeatable: bool = False
    choices: tuple[str, ...] | None = None  # exact choices required, if any
    required: bool = False  # the question must be required


BINDS: dict[str, BindRule] = {
    "plan.proposed": BindRule(frozenset({"money"}), confidential=False, required=True),
    "plan.confidence": BindRule(
        frozenset({"single_choice"}), confidential=False, choices=CONFIDENCE_CHOICES
    ),
    "plan.rationale": BindRule(frozenset({"long_text"}), confidential=False),
    "observations": BindRule(frozenset({"observation_list"}), confidential=False),
    "engagement.enps": BindRule(frozenset({"scale0_10"}), confidential=True),
    # A survey may ask for several comments ("what helps", "what gets in the way").
    "engagement.comment": BindRule(frozenset({"long_text"}), confidential=True, repeatable=True),
}
