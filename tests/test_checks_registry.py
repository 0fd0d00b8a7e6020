"""A rule's check function is one module; the docs' function table and rule folders hold."""

from __future__ import annotations

import pkgutil
import re
import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor import checks, rules
from auditor.checks import CHECKS
from auditor.errors import RuleError
from tests.conftest import CliResult

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(found.name for found in pkgutil.iter_modules(checks.__path__))
CHECK_MODULES = [name for name in MODULES if name != "kit"]


def test_every_check_module_registers_exactly_its_own_name() -> None:
    registered: dict[str, list[str]] = defaultdict(list)
    for name, spec in CHECKS.items():
        registered[spec.function.__module__].append(name)
    assert "kit" in MODULES
    assert {module: registered[f"auditor.checks.{module}"] for module in CHECK_MODULES} == {
        module: [module] for module in CHECK_MODULES
    }
    # and nothing is registered from anywhere else: the kit, another package, a test
    assert sorted(registered) == [f"auditor.checks.{module}" for module in CHECK_MODULES]


def test_every_bundled_rule_names_a_registered_check() -> None:
    used = {rule.check.function for rule in rules.load()}
    assert used <= set(CHECKS)
    assert used, "no bundled rule loaded"


def _function_table() -> dict[str, tuple[list[str], list[str]]]:
    """The table of check functions in docs/writing-rules.md: function -> (params, judges)."""
    lines = (ROOT / "docs" / "writing-rules.md").read_text().splitlines()
    start = lines.index("| function | params | judges |")
    table: dict[str, tuple[list[str], list[str]]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        function, params, judges = (cell.strip() for cell in line.strip().strip("|").split("|"))
        name = function.strip("`")
        assert name not in table, f"{name} is in the table twice"
        table[name] = (sorted(re.findall(r"`(\w+)`", params)), re.findall(r"DR-\d{2}", judges))
    return table


def test_the_docs_list_every_check_function_with_its_params() -> None:
    table = _function_table()
    assert {name: params for name, (params, _) in table.items()} == {
        name: sorted(spec.params.model_fields) for name, spec in CHECKS.items()
    }


def test_the_docs_name_the_requirements_each_function_judges_in_the_bundled_rules() -> None:
    judged: dict[str, set[str]] = defaultdict(set)
    for rule in rules.load():
        judged[rule.check.function].update(rule.requirements)
    assert {name: judges for name, (_, judges) in _function_table().items()} == {
        name: sorted(judged[name]) for name in CHECKS
    }


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled rules, loaded as the bundled rules, to move a rule around in."""
    copy = tmp_path / "rules"
    shutil.copytree(rules.bundled_rules_dir(), copy)
    monkeypatch.setattr(rules, "bundled_rules_dir", lambda: copy)
    return copy


def test_a_bundled_rule_outside_its_class_folder_is_refused(
    bundled: Path, run: Callable[..., CliResult]
) -> None:
    (bundled / "foundation" / "DR-04.yaml").rename(bundled / "training" / "DR-04.yaml")
    expected = (
        f"{bundled}/training/DR-04.yaml: field 'asset_class': 'foundation' must equal the "
        f"rule's folder (expected {bundled}/foundation/DR-04.yaml)"
    )
    with pytest.raises(RuleError) as raised:
        rules.load()
    assert str(raised.value) == expected
    result = run("rules", "list")
    assert (result.code, result.out, result.err) == (2, "", f"auditor: error: {expected}\n")


def test_a_bundled_rule_outside_any_class_folder_is_refused(bundled: Path) -> None:
    (bundled / "inference" / "DR-25.yaml").rename(bundled / "DR-25.yaml")
    with pytest.raises(RuleError, match=r"DR-25.yaml: field 'asset_class': 'inference' must"):
        rules.load()


def test_a_users_rule_directory_keeps_its_own_layout(bundled: Path, tmp_path: Path) -> None:
    mine = tmp_path / "my-rules" / "anywhere"
    mine.mkdir(parents=True)
    text = (bundled / "foundation" / "DR-05.yaml").read_text()
    (mine / "CONTOSO-KV.yaml").write_text(text.replace("id: DR-05", "id: CONTOSO-KV"))
    loaded = rules.load([tmp_path / "my-rules"])
    assert "CONTOSO-KV" in {rule.id for rule in loaded}
