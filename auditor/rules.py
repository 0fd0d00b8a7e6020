"""Rule files: one YAML file per rule, validated into frozen models at load time."""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from auditor.checks import CHECKS
from auditor.errors import RuleError
from auditor.frozen import FrozenModel
from auditor.model import TIERS, AssetClass, Level, Severity, Tier
from auditor.textfiles import Unreadable, parse_yaml

REQUIREMENT_ID = re.compile(r"^DR-\d{2}$")
RULE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{1,63}$")


class Remediation(FrozenModel):
    summary: str = Field(min_length=1)
    az_cli: str | None = None
    bicep: str | None = None


class CheckRef(FrozenModel):
    function: str
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("function")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in CHECKS:
            known = ", ".join(sorted(CHECKS))
            raise ValueError(f"unknown check function '{value}' (known: {known})")
        return value

    @model_validator(mode="after")
    def _params_fit(self) -> CheckRef:
        model = CHECKS[self.function].params
        try:
            model.model_validate(self.params)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"params of '{self.function}': {where}: {first['msg']}") from None
        return self


class Rule(FrozenModel):
    id: str
    title: str = Field(min_length=1)
    requirements: tuple[str, ...] = Field(min_length=1)
    asset_class: AssetClass
    levels: dict[Tier, Level]
    severity: Severity
    rationale: str = Field(min_length=1)
    remediation: Remediation
    docs: str = Field(pattern=r"^https://")
    check: CheckRef
    needs_secondary: bool = True

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError("expected letters, digits, '-', '_' or '.', starting with a letter")
        return value

    @field_validator("requirements")
    @classmethod
    def _requirement_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for req in value:
            if not REQUIREMENT_ID.match(req):
                raise ValueError(f"'{req}' is not a requirement id like DR-05")
        return value

    @field_validator("levels")
    @classmethod
    def _every_tier_monotone(cls, value: dict[Tier, Level]) -> dict[Tier, Level]:
        missing = [t.value for t in TIERS if t not in value]
        if missing:
            raise ValueError(f"a level is needed for every tier; missing {', '.join(missing)}")
        weights = [value[t].weight for t in TIERS]
        if weights != sorted(weights, reverse=True):
            raise ValueError(
                "levels may only weaken from hot/hot to hot/warm to hot/cold "
                "(readiness for a stricter tier must imply readiness for a looser one)"
            )
        return value


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error["loc"]) or "(top level)"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"field '{where}': {message}"


def rule_problems(data: Any, path: Path) -> tuple[Rule | None, list[str]]:
    """The rule of a file's data, or every problem it has (each field's, not the first)."""
    if not isinstance(data, dict):
        return None, [f"{path}: expected a mapping of rule fields"]
    try:
        rule = Rule.model_validate(data)
    except ValidationError as exc:
        return None, [f"{path}: {_describe(dict(e))}" for e in exc.errors()]
    if rule.id != path.stem:
        return None, [f"{path}: field 'id': '{rule.id}' must equal the file name '{path.stem}'"]
    return rule, []


def parse_rule(data: Any, path: Path) -> Rule:
    rule, problems = rule_problems(data, path)
    if rule is None:
        raise RuleError(problems[0], problems)
    return rule


def file_problems(path: Path) -> tuple[Rule | None, list[str]]:
    try:
        data = parse_yaml(path.read_text())
    except Unreadable as exc:
        return None, [f"{path}: {exc}"]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{path}: cannot read rule file: {exc}"]
    return rule_problems(data, path)


def load_file(path: Path) -> Rule:
    rule, problems = file_problems(path)
    if rule is None:
        raise RuleError(problems[0], problems)
    return rule


def rule_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise RuleError(f"{directory}: not a rule directory")
    return sorted(
        p
        for p in directory.rglob("*")
        if p.suffix in (".yaml", ".yml")
        and p.is_file()
        and "fixtures" not in p.relative_to(directory).parts
    )


def bundled_rules_dir() -> Path:
    """Rules shipped in the wheel (auditor/rules), or the checkout's rules/ folder."""
    packaged = Path(str(resources.files("auditor"))) / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


def problems(directories: Iterable[Path]) -> tuple[tuple[Rule, ...], list[str]]:
    """Every rule of the given directories, and every problem of every file (not just the
    first): a person fixing rule files sees all of them in one run."""
    rules: dict[str, tuple[Rule, Path]] = {}
    found: list[str] = []
    bundled = bundled_rules_dir()
    for directory in directories:
        try:
            paths = rule_files(directory)
        except RuleError as exc:
            found.append(str(exc))
            continue
        for path in paths:
            rule, wrong = file_problems(path)
            if rule is None:
                found += wrong
                continue
            if directory == bundled:  # a user's rule directory may be laid out as they like
                misplaced = _in_class_folder(rule, path, directory)
                if misplaced:
                    found.append(misplaced)
                    continue
            if rule.id in rules:
                first = rules[rule.id][1]
                found.append(f"{path}: field 'id': rule '{rule.id}' is already in {first}")
                continue
            rules[rule.id] = (rule, path)
    return tuple(sorted((r for r, _ in rules.values()), key=rule_sort_key)), found


def load_dirs(directories: Iterable[Path]) -> tuple[Rule, ...]:
    """Load every rule of the given directories; a bad file or a duplicate id refuses them all
    (the error lists every problem)."""
    loaded, found = problems(directories)
    if found:
        raise RuleError(found[0], found)
    return loaded


def _in_class_folder(rule: Rule, path: Path, directory: Path) -> str | None:
    """A bundled rule lives in rules/<asset_class>/: the folder a reader opens says its class."""
    expected = directory / rule.asset_class.value / path.name
    if path != expected:
        return (
            f"{path}: field 'asset_class': '{rule.asset_class.value}' must equal the rule's "
            f"folder (expected {expected})"
        )
    return None


def rule_sort_key(rule: Rule) -> tuple[str, str]:
    return (rule.requirements[0], rule.id)


def load(extra: Iterable[Path] = ()) -> tuple[Rule, ...]:
    return load_dirs([bundled_rules_dir(), *extra])
