"""The fixed vocabulary of survey definitions: question kinds, binds and their rules."""

from __future__ import annotations

from dataclasses import dataclass

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


KIND_RULES: dict[str, KindRule] = {
    "money": KindRule(),
    "likert5": KindRule(driver=True),
    "scale0_10": KindRule(),
    "short_text": KindRule(max_length=300),
    "long_text": KindRule(max_length=2000),
    "single_choice": KindRule(choices=True),
    "multiple_choice": KindRule(choices=True),
    "observation_list": KindRule(max_length=300),  # the limit applies to each observation
}
KINDS = tuple(KIND_RULES)

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
