"""Golden fixtures: every rule's cases under tests/fixtures/rules give the expected findings."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from auditor import config, rules, scan, snapshot
from auditor.model import Status

FIXTURES = Path(__file__).parent / "fixtures"
RULE_CASES = FIXTURES / "rules"
CASES = sorted(p for p in RULE_CASES.glob("*/*") if p.is_dir())
RULES = rules.load()

CASE_KEYS = {"description", "as_of", "findings"}
FINDING_KEYS = {"workload", "rule", "status", "message_contains", "notes_contain"}
CASE_FILES = {"snapshot.json", "expected.yaml", "config.yaml"}


def _generator() -> ModuleType:
    path = FIXTURES / "make_rule_fixtures.py"
    spec = importlib.util.spec_from_file_location("make_rule_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def _expected(case: Path) -> dict[str, Any]:
    expected = yaml.safe_load((case / "expected.yaml").read_text())
    assert isinstance(expected, dict) and set(expected) <= CASE_KEYS, f"{case}: keys {CASE_KEYS}"
    assert isinstance(expected.get("description"), str), f"{case}: a description is needed"
    assert isinstance(expected.get("as_of"), dt.date), f"{case}: as_of: YYYY-MM-DD is needed"
    findings = expected.get("findings")
    assert isinstance(findings, list) and findings, f"{case}: at least one expected finding"
    for finding in findings:
        assert set(finding) <= FINDING_KEYS, f"{case}: finding keys are {sorted(FINDING_KEYS)}"
        Status(finding["status"])
    return expected


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case_gives_the_expected_findings(case: Path) -> None:
    assert {p.name for p in case.iterdir()} <= CASE_FILES, f"{case}: unexpected files"
    expected = _expected(case)
    loaded = snapshot.load(case / "snapshot.json")
    cfg_path = case / "config.yaml"
    cfg = config.load(cfg_path) if cfg_path.exists() else config.Config()
    report = scan.run(loaded, cfg, RULES, as_of=expected["as_of"])
    assert case.parent.name in {f["rule"] for f in expected["findings"]}, (
        f"{case}: the case must state what its own rule ({case.parent.name}) finds"
    )
    for want in expected["findings"]:
        found = [
            f for f in report.findings if (f.workload, f.rule) == (want["workload"], want["rule"])
        ]
        seen = sorted({(f.workload, f.rule) for f in report.findings})
        assert len(found) == 1, f"no single finding of {want['rule']} on {want['workload']}: {seen}"
        finding = found[0]
        where = f"{want['rule']} on {want['workload']}: {finding.message!r}"
        assert finding.status.value == want["status"], where
        for text in want.get("message_contains", []):
            assert text in finding.message, where
        for text in want.get("notes_contain", []):
            assert any(text in note for note in finding.notes), f"{where}, notes {finding.notes}"


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    lacking = []
    for rule in RULES:
        names = [p.name for p in (RULE_CASES / rule.id).glob("*") if p.is_dir()]
        for prefix in ("pass", "fail"):
            if not any(name.startswith(prefix) for name in names):
                lacking.append(f"{rule.id} has no {prefix}* case")
    assert not lacking, "; ".join(lacking)


def test_every_case_directory_names_a_rule() -> None:
    known = {rule.id for rule in RULES}
    unknown = sorted(p.name for p in RULE_CASES.iterdir() if p.is_dir() and p.name not in known)
    assert not unknown, f"fixture directories for unknown rules: {unknown}"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.glob("*/*/*")) if p.is_file()
    }


def test_committed_fixtures_are_what_the_generator_writes(tmp_path: Path) -> None:
    _generator().write_all(tmp_path)
    generated, committed = _tree(tmp_path), _tree(RULE_CASES)
    stale = sorted(set(committed) - set(generated))
    missing = sorted(set(generated) - set(committed))
    changed = sorted(k for k in set(generated) & set(committed) if generated[k] != committed[k])
    assert not (stale or missing or changed), (
        "run `python3 -m tests.fixtures.make_rule_fixtures` and review the diff: "
        f"stale {stale[:5]}, missing {missing[:5]}, changed {changed[:5]}"
    )
