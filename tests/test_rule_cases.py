"""The bundled rules' cases (tests/rules/<RULE-ID>/cases.py) give the expected findings, built
and scanned in memory; `auditor rules test` runs a user rule directory's case files."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from auditor import config, rules, rules_testing, snapshot
from tests.rules.kit import Case

HERE = Path(__file__).parent
RULE_CASES = HERE / "rules"
FIXTURES = HERE / "fixtures"
USER_RULES = FIXTURES / "user-rules"
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


# -- the example user rules (tests/fixtures/user-rules) ----------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.glob("*/*/*")) if p.is_file()
    }


def test_committed_user_rule_fixtures_are_what_the_generator_writes(tmp_path: Path) -> None:
    generator = _load(FIXTURES / "make_user_rule_fixtures.py", "make_user_rule_fixtures")
    generator.write_user_cases(tmp_path)
    committed = USER_RULES / "fixtures"
    assert _tree(tmp_path) == _tree(committed), (
        "run `python3 -m tests.fixtures.make_user_rule_fixtures` and review the diff"
    )


# -- auditor rules test DIR ---------------------------------------------------------------------


def test_rules_test_runs_a_user_rule_directory(run) -> None:
    result = run("rules", "test", str(USER_RULES))
    assert result.code == 0, result.out + result.err
    assert "PASS  CONTOSO-AKS-3Z/fail-two-zones" in result.out
    assert "4 case(s): 4 passed, 0 failed" in result.out


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(USER_RULES, target)
    return target


def test_rules_test_fails_a_case_whose_findings_differ(run, tmp_path: Path) -> None:
    rule_dir = _copy(tmp_path)
    expected = rule_dir / "fixtures/CONTOSO-AKS-3Z/fail-two-zones/expected.yaml"
    document = yaml.safe_load(expected.read_text())
    document["findings"][0]["status"] = "pass"
    expected.write_text(yaml.safe_dump(document))
    result = run("rules", "test", str(rule_dir))
    assert result.code == 1
    assert "FAIL  CONTOSO-AKS-3Z/fail-two-zones" in result.out
    assert "CONTOSO-AKS-3Z on fraud: expected pass, found fail" in result.out
    assert "4 case(s): 3 passed, 1 failed" in result.out


def test_rules_test_fails_a_rule_without_a_failing_case(run, tmp_path: Path) -> None:
    rule_dir = _copy(tmp_path)
    shutil.rmtree(rule_dir / "fixtures/CONTOSO-TRAINING-DATA/fail-no-training-datastore")
    result = run("rules", "test", str(rule_dir))
    assert result.code == 1
    assert "FAIL  CONTOSO-TRAINING-DATA/(cases)" in result.out and "no fail* case" in result.out


def test_rules_test_bad_input_exits_2(run, tmp_path: Path) -> None:
    rule_dir = _copy(tmp_path)
    assert run("rules", "test", str(tmp_path / "nowhere")).code == 2
    shutil.rmtree(rule_dir / "fixtures")
    missing = run("rules", "test", str(rule_dir))
    assert missing.code == 2 and "no fixtures directory" in missing.err
    rule_dir = _copy(tmp_path / "again")
    expected = rule_dir / "fixtures/CONTOSO-AKS-3Z/pass-three-zones/expected.yaml"
    expected.write_text("description: x\nas_of: 2026-11-26\nfindings: []\n")
    bad = run("rules", "test", str(rule_dir))
    assert bad.code == 2 and "expected.yaml: field 'findings'" in bad.err
