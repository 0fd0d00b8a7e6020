"""The scheduled-run examples parse, and every auditor command line in them exists in the CLI
with the options it uses."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from auditor.cli import cli

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = {
    "github": REPO / "examples" / "github-actions.yml",
    "azure": REPO / "examples" / "azure-pipelines.yml",
}
# `auditor` as a command word: at the start of a line or after `if`, `then`, `do`, `$(`, `|`...
COMMAND = re.compile(r"(?:^|[;&|(]|\b(?:if|then|do|else)\b)\s*auditor\s+([a-z][^|;&<>]*)")


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def auditor_commands(document: Any) -> list[list[str]]:
    """Every auditor command line in the scripts of a pipeline document, as argv lists."""
    commands = []
    for text in _strings(document):
        text = text.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith("#"):
                continue
            for match in COMMAND.finditer(line):
                commands.append(shlex.split(match.group(1)))
    return commands


def _resolve(argv: list[str]) -> tuple[list[str], click.Command, list[str]]:
    command: click.Command = cli
    path: list[str] = []
    rest = list(argv)
    while isinstance(command, click.Group) and rest and rest[0] in command.commands:
        path.append(rest.pop(0))
        command = command.commands[path[-1]]
    return path, command, rest


def _load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_auditor_command_in_the_examples_exists(name, run):
    commands = auditor_commands(_load(EXAMPLES[name]))
    used = {tuple(_resolve(argv)[0]) for argv in commands}
    assert {("scan",), ("diff",), ("history",)} <= used, used
    for argv in commands:
        path, command, rest = _resolve(argv)
        assert path and not isinstance(command, click.Group), f"not an auditor command: {argv}"
        known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
        known.add("--help")
        for token in rest:
            if token.startswith("-") and not token.startswith("-$"):
                assert token.split("=", 1)[0] in known, f"auditor {' '.join(path)}: no {token}"
        result = run(*path, "--help")
        assert result.code == 0, f"auditor {' '.join(path)} --help: {result.err}"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_options_gathered_in_shell_arrays_are_scan_options(name):
    """`formats=(--json ...)` and `waivers=(--waivers ...)` end up on the scan line; --junit is
    added only when `auditor scan --help` lists it."""
    scan = cli.commands["scan"]
    known = {opt for param in scan.params for opt in param.opts}
    text = EXAMPLES[name].read_text()
    flags = [
        token
        for body in re.findall(r"\b\w+\+?=\(([^)]*)\)", text)
        for token in shlex.split(body)
        if token.startswith("--")
    ]
    assert {"--json", "--html", "--waivers", "--junit"} <= set(flags)
    assert not [f for f in flags if f not in known and f != "--junit"]
    assert "grep -q -- '--junit' scan-help.txt" in text


def test_the_github_workflow_runs_nightly_with_oidc_and_gates_on_the_diff():
    workflow = _load(EXAMPLES["github"])
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["schedule"][0]["cron"].split()[2:] == ["*", "*", "*"]
    assert workflow["permissions"]["id-token"] == "write"
    steps = workflow["jobs"]["audit"]["steps"]
    uses = [step.get("uses", "") for step in steps]
    assert any(u.startswith("azure/login@") for u in uses)
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    login = next(s for s in steps if s.get("uses", "").startswith("azure/login@"))
    assert "client-secret" not in login["with"] and "creds" not in login["with"]
    scripts = "\n".join(step.get("run", "") for step in steps)
    assert "gh run list" in scripts and "--status success" in scripts
    assert "auditor diff previous/report.json" in scripts


def test_the_azure_pipeline_runs_nightly_even_without_commits():
    pipeline = _load(EXAMPLES["azure"])
    schedule = pipeline["schedules"][0]
    assert schedule["always"] is True and pipeline["trigger"] == "none"
    tasks = [step.get("task", "") for step in pipeline["steps"]]
    for task in ("AzureCLI@2", "DownloadPipelineArtifact@2", "PublishPipelineArtifact@1"):
        assert task in tasks
    assert "PublishTestResults@2" in tasks


def test_the_command_finder_finds_commands_where_shells_run_them():
    document = {
        "run": "if auditor scan --help | grep -q x; then\n"
        "  auditor diff a.json b.json \\\n    --json d.json  # compare\n"
        "fi\n# auditor frobnicate is a comment\nInstall auditor\n"
    }
    assert auditor_commands(document) == [
        ["scan", "--help"],
        ["diff", "a.json", "b.json", "--json", "d.json"],
    ]
