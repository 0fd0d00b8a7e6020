"""`auditor plan`: for each bundled rule with a failing case, the plan's step with the estate's
names, its views (terminal at 80 columns, Markdown, script, Bicep), and the generated commands
checked against azure-cli's own command table."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from auditor import config, demo, plan, rules, scan, snapshot
from auditor.estate import build
from auditor.model import Tier
from auditor.render import plan_bicep, plan_markdown, plan_script, plan_text
from tests.rules.kit import AS_OF, Case

HERE = Path(__file__).parent
RULES = rules.load()
AZCLI_ENV = "AUDITOR_AZURE_CLI_PYTHON"


def _failing_cases() -> dict[str, Case]:
    """The first failing case of each bundled rule (tests/rules/<RULE-ID>/cases.py)."""
    found: dict[str, Case] = {}
    for path in sorted((HERE / "rules").glob("*/cases.py")):
        name = f"tests.rules.plan_cases_{path.parent.name.replace('-', '_')}"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        for case in module.cases.cases:
            first = case.findings[0]
            if first["rule"] == case.rule and first["status"] == "fail":
                found.setdefault(case.rule, case)
    return found


CASES = _failing_cases()


@cache
def _plan(rule: str) -> plan.Plan:
    case = CASES[rule]
    snap = snapshot.validate(case.snapshot, case.name)
    report = scan.run(snap, config.parse(case.config, case.name), RULES, as_of=case.as_of)
    workload = case.findings[0]["workload"]
    return plan.build(report, build(snap), workload, Tier.HOT_HOT)


def _step(rule: str) -> plan.Step:
    steps = [s for s in _plan(rule).steps if s.rule == rule]
    assert len(steps) == 1, [s.rule for s in _plan(rule).steps]
    return steps[0]


def _all_text(step: plan.Step) -> str:
    return "\n".join([c.text for c in step.commands] + [f.content for f in step.files])


# What each rule's step must name, from its first failing case (the kit's pair: fraud, eastus ->
# westus, rg-fraud; cluster cpu-cluster of 8 Standard_DS3_v2 nodes, 4 vCPUs each).
EXPECTED = {
    "DR-01": ["az ml workspace create --name mlw-fraud-westus", "--location westus", "acrfraud"],
    "DR-04": ["az storage account create --name stfraudwestus", "--location westus"],
    "DR-05": ["az ml workspace create --name mlw-fraud-westus", "vaults/kv-fraud"],
    "DR-06": ["az acr", "acrfraud"],
    "DR-07": ["az monitor app-insights component create", "--location westus"],
    "DR-08": ["az ml compute", "--name cpu-cluster", "--max-instances 8"],
    "DR-09": [
        "az quota update",
        "--resource-type dedicated",
        "locations/westus",
        "--limit-object value=32",
    ],
    "DR-10": ["az ml online-deployment create", "online-deployment-score-blue.yml"],
    "DR-10-CAPACITY": ["az ml online-deployment update --name blue --endpoint-name score"],
    "DR-11": ["az ml registry update --file registry-mlr-fraud.yml", "location: westus"],
    "DR-13": ["az ml batch-deployment create"],
    "DR-14": ["az role assignment create", "--scope /subscriptions/", "mlw-fraud-westus"],
    "DR-15": ["mlw-fraud-westus"],
    "DR-22": ["--resource-group rg-fraud"],
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_plan_has_a_step_for_each_rule_with_a_failing_case(rule: str) -> None:
    step = _step(rule)
    assert step.why == next(f.message for f in _findings(rule) if f.rule == rule), (
        "the step says why with the finding's message"
    )
    assert step.commands or step.notes, f"{rule}: a step with neither commands nor notes"
    text = _all_text(step)
    for fragment in EXPECTED.get(rule, []):
        assert fragment in text, f"{rule}: {fragment!r} not in\n{text}"
    # A value the estate cannot tell is a marked placeholder, and a note says what to fill in.
    for name in step.placeholders:
        assert any(f"<{name}>" in note for note in step.notes), f"{rule}: <{name}> unexplained"
    assert "<rg>" not in text and "<ws-secondary>" not in text, text


@cache
def _findings(rule: str) -> tuple:  # type: ignore[type-arg]
    case = CASES[rule]
    snap = snapshot.validate(case.snapshot, case.name)
    report = scan.run(snap, config.parse(case.config, case.name), RULES, as_of=AS_OF)
    return report.findings


@pytest.mark.parametrize("rule", sorted(CASES))
def test_views_of_each_plan(rule: str, tmp_path: Path) -> None:
    current = _plan(rule)
    text = plan_text.render(current, width=80)
    for line in text.splitlines():
        # Only a word longer than a line (a resource id) may overflow: never split.
        if len(line) > 80:
            assert len(line.split()[-2 if line.endswith("\\") else -1]) > 60, line
    script = plan_script.render(current)
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script
    path = tmp_path / "plan.sh"
    path.write_text(script)
    subprocess.run(["bash", "-n", str(path)], check=True)
    for command in current.commands:
        assert f"run az {command.args[1]}" in script  # echoed by run() before it runs
    markdown = plan_markdown.render(current)
    assert markdown.startswith(f"# Change: {current.workload} to hot/hot")
    bicep = plan_bicep.render(current)
    symbols = re.findall(r"^resource (\w+) ", bicep, re.MULTILINE)
    assert len(symbols) == len(set(symbols)), f"a Bicep symbol declared twice: {symbols}"


def test_script_refuses_to_run_without_its_placeholders(tmp_path: Path) -> None:
    current = _plan("DR-15")
    assert ("vnet-secondary", plan.FILL_IN["vnet-secondary"]) in current.placeholders
    path = tmp_path / "plan.sh"
    path.write_text(plan_script.render(current))
    done = subprocess.run(
        ["bash", str(path)], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}
    )
    assert done.returncode != 0
    assert "VNET_SECONDARY" in done.stderr
    assert "az" not in done.stdout  # nothing ran


@cache
def _demo() -> tuple:  # type: ignore[type-arg]
    snap = snapshot.load(demo.snapshot_path())
    report = scan.run(snap, config.load(demo.config_path()), RULES, as_of=AS_OF)
    return report, build(snap)


def test_demo_recsys_blockers_first_with_the_quota_to_request() -> None:
    report, estate = _demo()
    current = plan.build(report, estate, "recsys")
    assert [s.rule for s in current.steps] == [
        "DR-04", "DR-06", "DR-09", "DR-09-SHARED", "DR-15", "DR-22", "DR-19"
    ]  # fmt: skip
    assert [s.blocking for s in current.steps] == [True, True, True, True, False, False, False]
    # recsys alone fails over into northeurope: the shared pool needs what DR-09 asks for
    for rule in ("DR-09", "DR-09-SHARED"):
        quota = next(s for s in current.steps if s.rule == rule)
        assert any(
            "--limit-object value=96" in c.text and "northeurope" in c.text for c in quota.commands
        )
    text = plan_text.render(current, width=80)
    assert "1. [blocks] DR-04" in text and "5. [recommended] DR-15" in text


def test_demo_churn_at_hot_warm_is_ready_with_advisories_and_at_hot_hot_is_not() -> None:
    report, estate = _demo()
    warm = plan.build(report, estate, "churn-prediction", Tier.HOT_WARM)
    assert warm.ready and warm.advisories
    hot = plan.build(report, estate, "churn-prediction", Tier.HOT_HOT)
    assert {s.rule for s in hot.blockers} == {"DR-08", "DR-10-CAPACITY"}
    capacity = next(s for s in hot.steps if s.rule == "DR-10-CAPACITY")
    assert "--set instance_count=4" in capacity.commands[0].text


def test_lone_workspace_gets_a_secondary_in_the_paired_region_and_the_rest_waits() -> None:
    report, estate = _demo()
    current = plan.build(report, estate, "mlw-sandbox-uksouth")
    assert [s.rule for s in current.steps] == ["DR-01"]
    step = current.steps[0]
    assert any("--location ukwest" in c.text for c in step.commands)
    assert any("DR-04" in note and "wait" in note for note in step.notes)
    assert (
        "resource mlwSandboxUkwest 'Microsoft.MachineLearningServices/workspaces"
        in plan_bicep.render(current)
    )


def test_unknown_workload_is_a_clear_error() -> None:
    report, estate = _demo()
    with pytest.raises(plan.PlanError, match=r"no workload named 'nope'.*recsys"):
        plan.build(report, estate, "nope")


# -- the commands against azure-cli's command table --------------------------------------------

# Commands of CLI extensions, which are not on PyPI: the ml extension is checked against a list
# derived from its source (tests/azcli/ml_extension.json); the others are not checked. `afd`
# left the azure-cli package (2.91 has no cdn module): this test is how that was found.
UNCHECKED = (("quota",), ("monitor", "app-insights"), ("k8s-extension",), ("afd",))
# Options az adds to every command when it runs.
GLOBAL = {
    "--subscription",
    "--output",
    "-o",
    "--query",
    "--only-show-errors",
    "--debug",
    "--verbose",
}


def _generated() -> list[plan.Command]:
    commands = [c for rule in CASES for c in _plan(rule).commands]
    report, estate = _demo()
    for result in report.workloads:
        commands += plan.build(report, estate, result.name, Tier.HOT_HOT).commands
    return commands


def test_ml_commands_match_the_ml_extension_source() -> None:
    known = json.loads((HERE / "azcli" / "ml_extension.json").read_text())["commands"]
    problems = []
    for command in _generated():
        name = " ".join(command.group[1:])
        if command.group[1:2] != ("ml",):
            continue
        if name not in known:
            problems.append(f"{name}: not an ml command")
            continue
        problems += [
            f"{name}: no option {o}"
            for o in command.options
            if o not in known[name] and o not in GLOBAL
        ]
    assert not problems, problems


def test_commands_match_azure_cli_command_table() -> None:
    python = os.environ.get(AZCLI_ENV)
    if not python:
        pytest.skip(
            f"{AZCLI_ENV} is not set (the python of a venv with azure-cli; .ci/run sets it)"
        )
    commands = [
        c
        for c in _generated()
        if c.group[1:2] != ("ml",) and not any(c.group[1 : 1 + len(u)] == u for u in UNCHECKED)
    ]
    names = sorted({" ".join(c.group[1:]) for c in commands})
    done = subprocess.run(
        [python, str(HERE / "azcli" / "probe.py")],
        input=json.dumps(names),
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    table = json.loads(done.stdout)
    problems = []
    for command in commands:
        name = " ".join(command.group[1:])
        options = table.get(name)
        if options is None:
            problems.append(f"az {name}: not a command of azure-cli")
            continue
        problems += [
            f"az {name}: no option {o}"
            for o in command.options
            if o not in options and o not in GLOBAL
        ]
    assert not problems, sorted(set(problems))


def test_cli_plan_writes_the_ticket_script_and_bicep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditor.cli import main

    paths = {k: tmp_path / f"plan.{k}" for k in ("md", "sh", "bicep")}
    code = main(
        [
            "plan",
            "recsys",
            "--demo",
            "--as-of",
            "2026-11-26",
            "--markdown",
            str(paths["md"]),
            "--script",
            str(paths["sh"]),
            "--bicep",
            str(paths["bicep"]),
        ]
    )
    assert code == 1  # steps block the target
    out = capsys.readouterr().out
    assert "1. [blocks] DR-04" in out
    assert paths["md"].read_text().startswith("# Change: recsys to hot/cold")
    subprocess.run(["bash", "-n", str(paths["sh"])], check=True)
    assert "resource strecsysnortheurope 'Microsoft.Storage" in paths["bicep"].read_text()
    assert main(["plan", "nope", "--demo"]) == 2
    assert "no workload named 'nope'" in capsys.readouterr().err
