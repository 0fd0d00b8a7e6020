"""Golden fixtures: every rule's cases under tests/fixtures/rules give the expected findings,
and `auditor rules test` runs a user rule directory's cases."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from auditor import rules, rules_testing

FIXTURES = Path(__file__).parent / "fixtures"
RULE_CASES = FIXTURES / "rules"
USER_RULES = FIXTURES / "user-rules"
CASES = rules_testing.case_dirs(RULE_CASES)
RULES = rules.load()


def _generator() -> ModuleType:
    path = FIXTURES / "make_rule_fixtures.py"
    spec = importlib.util.spec_from_file_location("make_rule_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case_gives_the_expected_findings(case: Path) -> None:
    result = rules_testing.run_case(case, RULES)
    assert result.ok, "; ".join(result.problems)


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    lacking = rules_testing.coverage(
        rules_testing.case_names(RULE_CASES), (rule.id for rule in RULES)
    )
    assert not lacking, "; ".join(f"{r.rule}: {', '.join(r.problems)}" for r in lacking)


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


def test_committed_user_rule_fixtures_are_what_the_generator_writes(tmp_path: Path) -> None:
    _generator().write_user_cases(tmp_path)
    committed = USER_RULES / "fixtures"
    assert _tree(tmp_path) == _tree(committed), (
        "run `python3 -m tests.fixtures.make_rule_fixtures` and review the diff"
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
