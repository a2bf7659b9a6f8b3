"""Typed, immutable model of a survey definition."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from surveys.kinds import KIND_RULES


@dataclass(frozen=True)
class Driver:
    """A group of Likert items scored together; the outcome driver makes the engagement index."""

    id: str
    title: str
    outcome: bool = False
    description: str = ""


@dataclass(frozen=True)
class Question:
    """One question; `binds` tells the web app which part of a plan or response it feeds."""

    id: str
    kind: str
    text: str
    required: bool = False
    help: str = ""
    binds: str | None = None
    driver: str | None = None
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    max_length: int | None = None

    @property
    def text_limit(self) -> int | None:
        """Characters allowed per text (per observation for observation lists)."""
        return self.max_length or KIND_RULES[self.kind].max_length

    def choice_pairs(self) -> tuple[tuple[str, str], ...]:
        """Pair each choice value with its label, falling back to the value itself."""
        labels = self.choice_labels or self.choices
        return tuple(zip(self.choices, labels))


@dataclass(frozen=True)
class Section:
    """A page of questions; confidential sections are stored without the respondent's id."""

    id: str
    title: str
    confidential: bool
    questions: tuple[Question, ...]
    description: str = ""


@dataclass(frozen=True)
class Survey:
    """A versioned survey template; (id, version) identifies it for ever."""

    id: str
    version: int
    title: str
    sections: tuple[Section, ...]
    drivers: tuple[Driver, ...] = ()
    description: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def questions(self) -> Iterator[Question]:
        """Iterate all questions in definition order."""
        for section in self.sections:
            yield from section.questions

    def question(self, question_id: str) -> Question:
        """Return the question with this id; KeyError if there is none."""
        for question in self.questions():
            if question.id == question_id:
                return question
        raise KeyError(f"survey {self.id!r} v{self.version} has no question {question_id!r}")

    def section(self, section_id: str) -> Section:
        """Return the section with this id; KeyError if there is none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(f"survey {self.id!r} v{self.version} has no section {section_id!r}")

    def section_of(self, question_id: str) -> Section:
        """Return the section holding a question, which decides its confidentiality."""
        for section in self.sections:
            if any(q.id == question_id for q in section.questions):
                return section
        raise KeyError(f"survey {self.id!r} v{self.version} has no question {question_id!r}")

    def confidential_questions(self) -> tuple[Question, ...]:
        """Questions whose answers must be stored without the respondent's id."""
        return tuple(q for s in self.sections if s.confidential for q in s.questions)

    def attributed_questions(self) -> tuple[Question, ...]:
        """Questions whose answers are stored with the respondent (plan, observations)."""
        return tuple(q for s in self.sections if not s.confidential for q in s.questions)

    def bound(self, name: str) -> Question | None:
        """Return the (first) question bound to `name`, e.g. "plan.proposed", or None."""
        return next((q for q in self.questions() if q.binds == name), None)

    def bound_all(self, name: str) -> tuple[Question, ...]:
        """Return every question bound to `name`; for repeatable binds like engagement.comment."""
        return tuple(q for q in self.questions() if q.binds == name)

    def driver(self, driver_id: str) -> Driver:
        """Return the driver with this id; KeyError if there is none."""
        for driver in self.drivers:
            if driver.id == driver_id:
                return driver
        raise KeyError(f"survey {self.id!r} v{self.version} has no driver {driver_id!r}")

    def driver_questions(self, driver_id: str) -> tuple[Question, ...]:
        """Return the Likert items scored under one driver."""
        return tuple(q for q in self.questions() if q.driver == driver_id)

    def outcome_questions(self) -> tuple[Question, ...]:
        """Return the items of the outcome driver(s): the engagement index is computed on them."""
        outcome = {d.id for d in self.drivers if d.outcome}
        return tuple(q for q in self.questions() if q.driver in outcome)

    @property
    def has_plan(self) -> bool:
        """Whether answering this survey proposes a target."""
        return self.bound("plan.proposed") is not None

    @property
    def has_engagement(self) -> bool:
        """Whether this survey has confidential questions to store anonymously."""
        return bool(self.confidential_questions())
