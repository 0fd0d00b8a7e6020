"""The bundled rules' cases (tests/rules/<RULE-ID>/cases.py) give the expected findings, built
and scanned in memory through rules_testing, the comparison `auditor rules test` makes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from auditor import config, rules, rules_testing, snapshot
from tests.rules.kit import Case

HERE = Path(__file__).parent
RULE_CASES = HERE / "rules"
RULES = rules.load()


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def rule_cases() -> dict[str, list[Case]]:
    """Every bundled rule's cases, by the name of the folder that holds them."""
    found = {}
    for path in sorted(RULE_CASES.glob("*/cases.py")):
        folder = path.parent.name
        module = _load(path, f"tests.rules.cases_{folder.replace('-', '_')}")
        assert module.cases.rule == folder, f"{path} holds the cases of {module.cases.rule}"
        found[folder] = module.cases.cases
    return found


CASES = rule_cases()


@pytest.mark.parametrize(
    "case", [c for cases in CASES.values() for c in cases], ids=lambda c: f"{c.rule}/{c.name}"
)
def test_case_gives_the_expected_findings(case: Case) -> None:
    source = f"tests/rules/{case.rule}/cases.py: {case.name}"
    expected = rules_testing.validate_expected(case.expected, source)
    estate = snapshot.validate(case.snapshot, source)
    cfg = config.parse(case.config, source)
    result = rules_testing.check(case.rule, case.name, estate, cfg, expected, RULES)
    assert result.ok, "; ".join(result.problems)


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    names = {rule: [c.name for c in cases] for rule, cases in CASES.items()}
    lacking = rules_testing.coverage(names, (rule.id for rule in RULES))
    assert not lacking, "; ".join(f"{r.rule}: {', '.join(r.problems)}" for r in lacking)


def test_every_cases_folder_names_a_rule() -> None:
    known = {rule.id for rule in RULES}
    folders = {p.name for p in RULE_CASES.iterdir() if p.is_dir() and p.name != "__pycache__"}
    unknown = sorted(folders - known)
    assert not unknown, f"case folders for unknown rules: {unknown}"
    assert folders == set(CASES), f"folders without a cases.py: {sorted(folders - set(CASES))}"
