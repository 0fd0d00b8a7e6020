"""Golden fixtures of rules: each case directory (a snapshot, an optional config and the
findings it must give) is scanned and its expectations checked; `auditor rules test` runs a
rule directory's cases; tests/test_rule_cases.py runs the bundled rules' cases, built in memory
(tests/rules/<RULE-ID>/cases.py), through the same check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor import config, rules, scan, snapshot
from auditor.errors import RuleError
from auditor.model import Status
from auditor.rules import Rule
from auditor.textfiles import Unreadable, parse_yaml

CASE_FILES = frozenset({"snapshot.json", "expected.yaml", "config.yaml"})
CASE_KEYS = frozenset({"description", "as_of", "findings"})
FINDING_KEYS = frozenset({"workload", "rule", "status", "message_contains", "notes_contain"})
CASE_PREFIXES = ("pass", "fail")  # every rule needs at least one case of each


@dataclass(frozen=True)
class CaseResult:
    """One case's verdict: what did not match (nothing when it passed)."""

    rule: str
    case: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def name(self) -> str:
        return f"{self.rule}/{self.case}"


def _bad(path: Path | str, message: str) -> RuleError:
    return RuleError(f"{path}: {message}")


def load_expected(case: Path) -> dict[str, Any]:
    """The case's expected.yaml, validated; a malformed one is bad input (RuleError)."""
    path = case / "expected.yaml"
    try:
        expected = parse_yaml(path.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(path, f"cannot read: {exc}") from None
    except Unreadable as exc:
        raise _bad(path, str(exc)) from None
    return validate_expected(expected, path)


def validate_expected(expected: Any, path: Path | str) -> dict[str, Any]:
    """An expected document (as expected.yaml holds it), validated; `path` names it in errors."""
    if not isinstance(expected, dict):
        raise _bad(path, "expected a mapping with description, as_of and findings")
    unknown = sorted(set(expected) - CASE_KEYS)
    if unknown:
        raise _bad(path, f"field '{unknown[0]}': unknown (expected {', '.join(sorted(CASE_KEYS))})")
    if not isinstance(expected.get("description"), str):
        raise _bad(path, "field 'description': a sentence saying what the case shows is needed")
    if not isinstance(expected.get("as_of"), dt.date):
        raise _bad(path, "field 'as_of': a date YYYY-MM-DD is needed")
    findings = expected.get("findings")
    if not isinstance(findings, list) or not findings:
        raise _bad(path, "field 'findings': a list of at least one expected finding is needed")
    for index, finding in enumerate(findings):
        where = f"field 'findings.{index}'"
        if not isinstance(finding, dict):
            raise _bad(path, f"{where}: expected a mapping")
        unknown = sorted(set(finding) - FINDING_KEYS)
        if unknown:
            raise _bad(path, f"{where}.{unknown[0]}: unknown")
        for key in ("workload", "rule", "status"):
            if not isinstance(finding.get(key), str):
                raise _bad(path, f"{where}.{key}: a string is needed")
        try:
            Status(finding["status"])
        except ValueError:
            known = ", ".join(s.value for s in Status)
            raise _bad(
                path, f"{where}.status: '{finding['status']}' is not one of {known}"
            ) from None
        for key in ("message_contains", "notes_contain"):
            value = finding.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _bad(path, f"{where}.{key}: a list of strings is needed")
    return expected


def compare(report: Any, expected: dict[str, Any], rule: str) -> list[str]:
    """What in the report does not match the expected findings."""
    problems = []
    if rule not in {f["rule"] for f in expected["findings"]}:
        problems.append(f"the case must state what its own rule ({rule}) finds")
    for want in expected["findings"]:
        found = [
            f for f in report.findings if (f.workload, f.rule) == (want["workload"], want["rule"])
        ]
        label = f"{want['rule']} on {want['workload']}"
        if len(found) != 1:
            problems.append(f"{label}: {len(found)} findings, expected exactly one")
            continue
        finding = found[0]
        if finding.status.value != want["status"]:
            problems.append(
                f"{label}: expected {want['status']}, found {finding.status.value} "
                f"({finding.message!r})"
            )
        for text in want.get("message_contains", []):
            if text not in finding.message:
                problems.append(
                    f"{label}: the message does not contain {text!r}: {finding.message!r}"
                )
        for text in want.get("notes_contain", []):
            if not any(text in note for note in finding.notes):
                problems.append(
                    f"{label}: no note contains {text!r} (notes: {list(finding.notes)})"
                )
    return problems


def run_case(case: Path, loaded: Sequence[Rule]) -> CaseResult:
    """Scan one case directory with the given rules and compare with its expectations."""
    rule, name = case.parent.name, case.name
    problems = [f"unexpected file {p.name}" for p in case.iterdir() if p.name not in CASE_FILES]
    if not (case / "snapshot.json").is_file():
        raise _bad(case, "no snapshot.json")
    expected = load_expected(case)
    cfg_path = case / "config.yaml"
    cfg = config.load(cfg_path) if cfg_path.exists() else config.Config()
    result = check(rule, name, snapshot.load(case / "snapshot.json"), cfg, expected, loaded)
    return CaseResult(rule, name, (*problems, *result.problems))


def check(
    rule: str,
    name: str,
    estate: snapshot.Snapshot,
    cfg: config.Config,
    expected: dict[str, Any],
    loaded: Sequence[Rule],
) -> CaseResult:
    """Scan one case held in memory (a validated snapshot, a config and an expected document
    that passed validate_expected) and compare with its expectations."""
    report = scan.run(estate, cfg, loaded, as_of=expected["as_of"])
    return CaseResult(rule, name, tuple(compare(report, expected, rule)))


def case_dirs(root: Path) -> list[Path]:
    """The case directories under root/<RULE>/<case>/, in order."""
    return sorted(p for p in root.glob("*/*") if p.is_dir())


def case_names(root: Path) -> dict[str, list[str]]:
    """The case names under root/<RULE>/<case>/, by rule."""
    names: dict[str, list[str]] = {}
    for case in case_dirs(root):
        names.setdefault(case.parent.name, []).append(case.name)
    return names


def coverage(cases: Mapping[str, Iterable[str]], rule_ids: Iterable[str]) -> list[CaseResult]:
    """A failing result for each rule without a pass* or a fail* case (cases: names by rule)."""
    lacking = []
    for rule_id in rule_ids:
        names = list(cases.get(rule_id, ()))
        missing = [
            f"no {prefix}* case"
            for prefix in CASE_PREFIXES
            if not any(n.startswith(prefix) for n in names)
        ]
        if missing:
            lacking.append(CaseResult(rule_id, "(cases)", tuple(missing)))
    return lacking


def run_directory(rule_dir: Path) -> list[CaseResult]:
    """Run the fixtures of a rule directory, DIR/fixtures/<RULE>/<case>/, with the bundled
    rules and the directory's own; each of the directory's rules needs a pass* and a fail*
    case. Bad input (no fixtures, an invalid rule or expected.yaml) raises RuleError."""
    root = rule_dir / "fixtures"
    bundled = rules.bundled_rules_dir()
    own_only = rule_dir.resolve() == bundled.resolve()
    own = rules.load_dirs([rule_dir])
    loaded = own if own_only else rules.load_dirs([bundled, rule_dir])
    if not root.is_dir():
        raise _bad(rule_dir, "no fixtures directory (expected DIR/fixtures/<RULE>/<case>/)")
    cases = case_dirs(root)
    if not cases:
        raise _bad(root, "no case directories (expected <RULE>/<case>/ with snapshot.json)")
    known = {r.id for r in loaded}
    results = []
    for case in cases:
        if case.parent.name not in known:
            results.append(CaseResult(case.parent.name, case.name, ("no rule has this id",)))
            continue
        results.append(run_case(case, loaded))
    return results + coverage(case_names(root), (r.id for r in own))
