"""Load survey definitions from TOML and refuse any that are not exactly right."""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable
from importlib import resources
from importlib.resources.abc import Traversable
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any

from surveys.kinds import BINDS, KIND_RULES, MAX_TEXT_LIMIT
from surveys.model import Driver, Question, Section, Survey

SURVEY_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
# Question ids become form field names, so they must be identifiers.
ITEM_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
# Names a wtforms/Flask-WTF form already uses; a question with one would shadow it.
RESERVED_IDS = frozenset(
    {
        "data", "errors", "form_errors", "meta", "process", "populate_obj", "validate",
        "csrf_token", "hidden_tag", "is_submitted", "validate_on_submit", "extra_validators",
    }
)


class SurveyDefinitionError(ValueError):
    """A survey definition is malformed; the message names the file, the item and the problem."""


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_int(value: Any) -> bool:
    return type(value) is int  # bool is an int subclass and must not pass


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# key -> (type check, type name for messages, required)
Schema = dict[str, tuple[Callable[[Any], bool], str, bool]]

SURVEY_SCHEMA: Schema = {
    "id": (_is_str, "a string", True),
    "version": (_is_int, "an integer", True),
    "title": (_is_str, "a string", True),
    "description": (_is_str, "a string", False),
    "drivers": (_is_list, "an array of tables", False),
    "sections": (_is_list, "an array of tables", True),
}
DRIVER_SCHEMA: Schema = {
    "id": (_is_str, "a string", True),
    "title": (_is_str, "a string", True),
    "outcome": (_is_bool, "true or false", False),
    "description": (_is_str, "a string", False),
}
SECTION_SCHEMA: Schema = {
    "id": (_is_str, "a string", True),
    "title": (_is_str, "a string", True),
    "confidential": (_is_bool, "true or false", True),
    "description": (_is_str, "a string", False),
    "questions": (_is_list, "an array of tables", True),
}
QUESTION_SCHEMA: Schema = {
    "id": (_is_str, "a string", True),
    "kind": (_is_str, "a string", True),
    "text": (_is_str, "a string", True),
    "required": (_is_bool, "true or false", False),
    "help": (_is_str, "a string", False),
    "binds": (_is_str, "a string", False),
    "driver": (_is_str, "a string", False),
    "choices": (_is_str_list, "an array of strings", False),
    "choice_labels": (_is_str_list, "an array of strings", False),
    "max_length": (_is_int, "an integer", False),
}


class _Reporter:
    """Builds errors that name the file and the item, so an author can find the line."""

    def __init__(self, filename: str) -> None:
        self.filename = filename

    def fail(self, where: str, problem: str) -> SurveyDefinitionError:
        return SurveyDefinitionError(f"{self.filename}: {where}: {problem}")

    def check_table(self, table: Any, schema: Schema, where: str) -> None:
        if not isinstance(table, dict):
            raise self.fail(where, "must be a table")
        for key in table:
            if key not in schema:
                raise self.fail(where, f"unknown key {key!r}")
        for key, (check, type_name, required) in schema.items():
            if key not in table:
                if required:
                    raise self.fail(where, f"missing key {key!r}")
            elif not check(table[key]):
                raise self.fail(where, f"{key!r} must be {type_name}")

    def check_id(self, value: str, pattern: re.Pattern[str], where: str) -> None:
        if not pattern.fullmatch(value):
            raise self.fail(where, f"id must match {pattern.pattern}")


def _where(kind: str, table: Any, position: int) -> str:
    """Name an item by id when it has a usable one, else by position."""
    item_id = table.get("id") if isinstance(table, dict) else None
    return f"{kind} {item_id!r}" if isinstance(item_id, str) else f"{kind} #{position}"


def _parse_driver(r: _Reporter, table: Any, position: int) -> Driver:
    where = _where("driver", table, position)
    r.check_table(table, DRIVER_SCHEMA, where)
    r.check_id(table["id"], ITEM_ID, where)
    return Driver(
        id=table["id"],
        title=table["title"],
        outcome=table.get("outcome", False),
        description=table.get("description", ""),
    )


def _parse_question(r: _Reporter, table: Any, position: int) -> Question:
    where = _where("question", table, position)
    r.check_table(table, QUESTION_SCHEMA, where)
    r.check_id(table["id"], ITEM_ID, where)
    if table["id"] in RESERVED_IDS:
        raise r.fail(where, "id is reserved by the form machinery; choose another")
    kind = table["kind"]
    rule = KIND_RULES.get(kind)
    if rule is None:
        raise r.fail(where, f"unknown kind {kind!r} (known: {', '.join(KIND_RULES)})")
    if not table["text"].strip():
        raise r.fail(where, "text must not be empty")

    if rule.driver and "driver" not in table:
        raise r.fail(where, f"{kind} needs a driver")
    if not rule.driver and "driver" in table:
        raise r.fail(where, f"{kind} cannot have a driver (only likert5 items are scored)")

    choices = tuple(table.get("choices", ()))
    labels = tuple(table.get("choice_labels", ()))
    if rule.choices:
        if len(choices) < 2:
            raise r.fail(where, f"{kind} needs at least two choices")
        if len(set(choices)) != len(choices) or not all(c.strip() for c in choices):
            raise r.fail(where, "choices must be distinct and non-empty")
        if labels and len(labels) != len(choices):
            raise r.fail(where, "choice_labels must have one label per choice")
    elif "choices" in table or "choice_labels" in table:
        raise r.fail(where, f"{kind} cannot have choices")

    max_length = table.get("max_length")
    if max_length is not None:
        if rule.max_length is None:
            raise r.fail(where, f"{kind} cannot have max_length")
        if not 1 <= max_length <= MAX_TEXT_LIMIT:
            raise r.fail(where, f"max_length must be between 1 and {MAX_TEXT_LIMIT}")

    return Question(
        id=table["id"],
        kind=kind,
        text=table["text"],
        required=table.get("required", False),
        help=table.get("help", ""),
        binds=table.get("binds"),
        driver=table.get("driver"),
        choices=choices,
        choice_labels=labels,
        max_length=max_length,
    )


def _parse_section(r: _Reporter, table: Any, position: int) -> Section:
    where = _where("section", table, position)
    r.check_table(table, SECTION_SCHEMA, where)
    r.check_id(table["id"], ITEM_ID, where)
    if not table["questions"]:
        raise r.fail(where, "needs at least one question")
    return Section(
        id=table["id"],
        title=table["title"],
        confidential=table["confidential"],
        description=table.get("description", ""),
        questions=tuple(
            _parse_question(r, q, n) for n, q in enumerate(table["questions"], start=1)
        ),
    )


def _check_unique(r: _Reporter, kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise r.fail(f"{kind} {item_id!r}", "id is used more than once")
        seen.add(item_id)


def _check_binds(r: _Reporter, survey: Survey) -> None:
    """Binds feed the web app's plan and engagement storage, so their placement is checked."""
    used: set[str] = set()
    for section in survey.sections:
        for q in section.questions:
            if q.binds is None:
                continue
            where = f"question {q.id!r}"
            rule = BINDS.get(q.binds)
            if rule is None:
                raise r.fail(where, f"unknown bind {q.binds!r} (known: {', '.join(BINDS)})")
            if q.kind not in rule.kinds:
                raise r.fail(where, f"{q.binds} must be {' or '.join(sorted(rule.kinds))}")
            if q.binds in used and not rule.repeatable:
                raise r.fail(where, f"{q.binds} is bound more than once")
            used.add(q.binds)
            if section.confidential != rule.confidential:
                place = "a confidential" if rule.confidential else "a non-confidential"
                raise r.fail(where, f"{q.binds} must be in {place} section")
            if rule.choices is not None and q.choices != rule.choices:
                raise r.fail(where, f"{q.binds} needs choices {list(rule.choices)}")
            if rule.required and not q.required:
                raise r.fail(where, f"{q.binds} must be required")
    if any(b.startswith("plan.") for b in used) and "plan.proposed" not in used:
        raise r.fail("survey", "plan questions need a question bound to plan.proposed")


def _check_drivers(r: _Reporter, survey: Survey) -> None:
    """Likert items are confidential and scored per driver; unused drivers are likely typos."""
    known = {d.id for d in survey.drivers}
    used: set[str] = set()
    for section in survey.sections:
        for q in section.questions:
            if q.driver is None:
                continue
            where = f"question {q.id!r}"
            if q.driver not in known:
                raise r.fail(where, f"unknown driver {q.driver!r}")
            if not section.confidential:
                raise r.fail(where, "likert5 items must be in a confidential section")
            used.add(q.driver)
    for driver in survey.drivers:
        if driver.id not in used:
            raise r.fail(f"driver {driver.id!r}", "has no likert5 items")
    if used and not any(d.outcome for d in survey.drivers):
        raise r.fail("survey", "likert5 items need an outcome driver (outcome = true)")


def parse_survey(data: dict[str, Any], filename: str) -> Survey:
    """Validate a decoded definition and build its Survey; `filename` is used in errors."""
    r = _Reporter(filename)
    r.check_table(data, SURVEY_SCHEMA, "survey")
    r.check_id(data["id"], SURVEY_ID, "survey")
    if data["version"] < 1:
        raise r.fail("survey", "version must be 1 or more")
    if not data["sections"]:
        raise r.fail("survey", "needs at least one section")
    survey = Survey(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        description=data.get("description", ""),
        drivers=tuple(_parse_driver(r, d, n) for n, d in enumerate(data.get("drivers", []), 1)),
        sections=tuple(_parse_section(r, s, n) for n, s in enumerate(data["sections"], 1)),
    )
    _check_unique(r, "driver", [d.id for d in survey.drivers])
    _check_unique(r, "section", [s.id for s in survey.sections])
    _check_unique(r, "question", [q.id for q in survey.questions()])
    _check_drivers(r, survey)
    _check_binds(r, survey)
    return survey


def load_survey(path: str | PathLike[str] | Traversable) -> Survey:
    """Read and validate one TOML definition."""
    source = path if isinstance(path, Traversable) else Path(path)
    try:
        data = tomllib.loads(source.read_bytes().decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SurveyDefinitionError(f"{source.name}: not valid TOML: {exc}") from exc
    return parse_survey(data, source.name)


def _library_files(directory: str | PathLike[str] | None) -> list[Traversable]:
    root = resources.files("surveys") / "library" if directory is None else Path(directory)
    return sorted((f for f in root.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def load_library(directory: str | PathLike[str] | None = None) -> dict[tuple[str, int], Survey]:
    """Load every definition in a directory (default: the shipped library) by (id, version)."""
    library: dict[tuple[str, int], Survey] = {}
    for source in _library_files(directory):
        survey = load_survey(source)
        if survey.key in library:
            raise SurveyDefinitionError(
                f"{source.name}: survey: {survey.id!r} version {survey.version} "
                "is defined in another file too"
            )
        library[survey.key] = survey
    return library


@functools.cache
def _shipped() -> MappingProxyType[tuple[str, int], Survey]:
    """The shipped library never changes while the process runs, so read it once."""
    return MappingProxyType(load_library())


def get_survey(survey_id: str, version: int | None = None) -> Survey:
    """Return a shipped survey, its latest version when `version` is None; KeyError if unknown."""
    library = _shipped()
    if version is None:
        versions = [v for (sid, v) in library if sid == survey_id]
        if not versions:
            raise KeyError(f"no survey {survey_id!r}")
        version = max(versions)
    try:
        return library[(survey_id, version)]
    except KeyError:
        raise KeyError(f"no survey {survey_id!r} version {version}") from None


def list_surveys(*, latest_only: bool = False) -> list[Survey]:
    """List shipped surveys sorted by id and version (only each id's latest if asked)."""
    surveys = sorted(_shipped().values(), key=lambda s: s.key)
    if latest_only:
        latest = {s.id: s for s in surveys}
        return list(latest.values())
    return surveys
