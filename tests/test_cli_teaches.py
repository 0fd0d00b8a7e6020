"""Help and messages that teach (issue 13): rules shown as text, the ladder as marks, every
problem of a file in one run, examples and exit codes in every command's help."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest

from auditor.cli import cli

BAD_RULE = """\
id: X-01
title: ""
requirements: [DR-1]
asset_class: foundation
severity: huge
levels: {hot/hot: required, hot/warm: required, hot/cold: required}
rationale: r
remediation: {summary: s}
docs: http://example.com
check: {function: shared_geo_replicated_registry, params: {sku: Premium}}
"""

WS = "/subscriptions/x/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces"
BAD_CONFIG = f"""\
workloads:
  - name: a
    primary: {WS}/one
    target: hot/lukewarm
  - name: b
    primary: {WS}/two
    colour: blue
  - name: c
    primary: {WS}/three
  - primary: {WS}/four
"""


def test_rules_show_prints_text_with_code_blocks_and_every_rule_citing_a_requirement(run):
    result = run("rules", "show", "DR-06")
    assert result.code == 0
    text = result.out
    assert text.startswith("DR-06: One Premium container registry")
    assert "\nWhy\n" in text and "\nFix\n" in text
    # the code as it is in the rule file, fenced, unescaped and unwrapped
    assert "```bash\naz acr update --name <registry> --sku Premium\n" in text
    assert "```bicep\nresource registry 'Microsoft.ContainerRegistry/registries@2023-07-01'" in text
    assert "\\n" not in text and "|-" not in text
    shown = re.findall(r"^(\S+): ", run("rules", "show", "dr-10").out, re.MULTILINE)
    assert shown == ["DR-10", "DR-10-CAPACITY"]
    shown = re.findall(r"^(DR-\S+): ", run("rules", "show", "DR-09").out, re.MULTILINE)
    assert shown == ["DR-09", "DR-09-SHARED"]
    assert run("rules", "show", "DR-99").code == 2


def test_rules_list_prints_the_ladder_as_marks_in_aligned_columns(run):
    lines = run("rules", "list").out.splitlines()
    header, rows = lines[0], [line for line in lines[1:] if line.startswith("DR-")]
    title_at = header.index("TITLE")
    levels_at = header.index("LEVELS")
    assert all(row[title_at - 1] == " " and row[title_at] != " " for row in rows)
    marks = {row.split()[0]: row[levels_at : levels_at + 5] for row in rows}
    assert marks["DR-01"] == "R R R"
    assert marks["DR-08"] == "R r r"
    assert marks["DR-10"] == "R R \u2013"
    assert marks["DR-10-CAPACITY"] == "R \u2013 \u2013"
    assert marks["DR-21"] == "M M M"
    assert lines[-1].endswith("M manual, \u2013 not applicable")


def test_rules_validate_lists_every_problem_of_every_file(run, tmp_path):
    (tmp_path / "X-01.yaml").write_text(BAD_RULE)
    (tmp_path / "X-02.yaml").write_text("id: X-02\ntitle: t\n")
    result = run("rules", "validate", str(tmp_path))
    assert result.code == 2
    lines = result.err.splitlines()
    x01 = [line for line in lines if "X-01.yaml" in line]
    assert [line.split("field ")[1].split(":")[0] for line in x01] == [
        "'title'",
        "'requirements'",
        "'severity'",
        "'docs'",
    ]
    assert any("X-02.yaml: field 'check': Field required" in line for line in lines)
    assert lines[-1] == f"auditor: error: {tmp_path}: {len(lines) - 1} problems"


def test_config_validate_lists_schema_and_estate_problems_in_one_run(run, tmp_path):
    path = tmp_path / "auditor.yaml"
    path.write_text(BAD_CONFIG)
    result = run("config", "validate", str(path), "--demo")
    assert result.code == 2
    assert result.err.splitlines() == [
        f"{path}: field 'workloads.0.target': Input should be 'hot/hot', 'hot/warm' or 'hot/cold'",
        f"{path}: field 'workloads.1.colour': Extra inputs are not permitted",
        f"{path}: field 'workloads.3.name': Field required",
        f"{path}: workloads.2 (c): primary {WS}/three is not in the snapshot",
        f"{path}: 4 problem(s)",
    ]


def test_a_scan_lists_the_problems_of_config_rules_and_waivers_together(run, tmp_path):
    config = tmp_path / "auditor.yaml"
    config.write_text(BAD_CONFIG)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "X-01.yaml").write_text(BAD_RULE)
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - rule: DR-06\n")
    result = run(
        "scan", "--demo", "--config", str(config), "--rules", str(rules), "--waivers", str(waivers)
    )
    assert result.code == 2 and result.out == ""
    lines = result.err.splitlines()
    assert sum("auditor.yaml: field" in line for line in lines) == 3
    assert sum("X-01.yaml: field" in line for line in lines) == 4
    assert any("waivers.yaml: field 'waivers.0" in line for line in lines)
    assert lines[-1] == f"auditor: error: {len(lines) - 1} problems"


# -- help ---------------------------------------------------------------------------------------


def _commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []

    def walk(prefix: str, command: click.Command) -> None:
        found.append((prefix, command))
        if isinstance(command, click.Group):
            for name, sub in sorted(command.commands.items()):
                walk(f"{prefix} {name}".strip(), sub)

    walk("", cli)
    return found


COMMANDS = _commands()


@pytest.mark.parametrize(("name", "command"), COMMANDS[1:], ids=[n for n, _ in COMMANDS[1:]])
def test_every_command_has_a_purpose_examples_and_word_metavars(run, name, command):
    result = run(*name.split(), "--help")
    assert result.code == 0
    text = result.out
    examples = (
        text.split("Examples:\n")[1].split("\n\n")[0].splitlines() if "Examples:" in text else []
    )
    # an example may go on over lines ending in a backslash
    starts = [
        line for n, line in enumerate(examples) if n == 0 or not examples[n - 1].endswith("\\")
    ]
    assert 2 <= len(starts) <= 4, text
    assert all(line.strip().startswith("auditor ") for line in starts)
    purpose = command.get_short_help_str(limit=1000)
    assert purpose and "..." not in purpose and len(purpose) <= 80
    options = text.split("Options:\n")[1].split("\n\n")[0]
    # metavars are words: no strptime patterns, no type names, no choice lists in brackets
    for wrong in ("[%", "TEXT", "INTEGER", "FLOAT", "RANGE", "[AzureC", "[failing|", "[hot/"):
        assert wrong not in options, (wrong, options)


def test_the_full_command_list_shows_in_auditor_help(run):
    text = run("--help").out
    listed = text.split("Commands:\n")[1].split("\n\n")[0]
    assert "..." not in listed and "\u2026" not in listed
    for name, command in cli.commands.items():
        assert f"  {name} " in listed
        purpose = command.get_short_help_str(limit=1000)
        assert " ".join(purpose.split()) in " ".join(listed.split())


def test_collect_help_speaks_of_collecting(run):
    text = run("collect", "--help").out
    assert "a workload is not ready" not in text
    assert "Scan this subscription" not in text
    assert "3  incomplete: the snapshot was written, but some reads failed" in text


@pytest.mark.parametrize("command", ["scan", "report"])
def test_quiet_and_verbose_together_are_a_usage_error(run, command, tmp_path):
    source = ["--demo"] if command == "scan" else [str(tmp_path / "r.json")]
    result = run(command, *source, "-q", "-v")
    assert result.code == 2
    assert "-q/--quiet and -v/--verbose contradict each other" in result.err


@pytest.mark.parametrize("command", ["scan", "report"])
def test_quiet_with_show_is_a_usage_error(run, command, tmp_path):
    source = ["--demo"] if command == "scan" else [str(tmp_path / "r.json")]
    result = run(command, *source, "-q", "--show", "blocking")
    assert result.code == 2
    assert "-q/--quiet prints no summary for --show blocking" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "r.json").exists()


def test_history_json_takes_a_path_like_every_other_command(run, tmp_path):
    db = tmp_path / "h.sqlite"
    scan = run("scan", "--demo", "--history", str(db), "-q", "--as-of", "2026-11-26")
    assert scan.code in (0, 1), scan.err
    out = tmp_path / "trend.json"
    assert run("history", str(db), "--json", str(out)).code == 0
    import json

    written = json.loads(out.read_text())
    assert json.loads(run("history", str(db), "--json", "-").out) == written
    # the old flag, kept: a bare --json still prints to stdout
    assert json.loads(run("history", str(db), "--json").out) == written
    refused = run("history", str(db), "--json", str(db))
    assert refused.code == 2 and not refused.out


README = Path(__file__).parent.parent / "README.md"


def test_the_readme_command_list_is_the_cli_s(run):
    readme = README.read_text()
    excerpt = readme.split("<!-- auditor --help: commands")[1].split("```text\n")[1]
    excerpt = excerpt.split("```")[0]
    help_text = run("--help").out
    listed = "Commands:\n" + help_text.split("Commands:\n")[1].split("\n\n")[0] + "\n"
    assert excerpt == listed


def test_shell_completion_is_documented_and_works():
    import os
    import subprocess
    import sys

    readme = README.read_text()
    assert 'eval "$(_AUDITOR_COMPLETE=bash_source auditor)"' in readme
    env = {**os.environ, "_AUDITOR_COMPLETE": "bash_source"}
    done = subprocess.run(
        [sys.executable, "-m", "auditor"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "complete -o nosort -F _auditor_completion auditor" in done.stdout


def test_no_help_imports_anything_heavy():
    """Every command's --help answers at once (benchmarks/bench_startup.py measures it): run
    all of them in one process, then look at what was imported."""
    import subprocess
    import sys

    from tests.test_scan_workflow import HEAVY

    argvs = [[*name.split(), "--help"] for name, _ in COMMANDS]
    code = (
        "import sys, json; from auditor.cli import main\n"
        f"for argv in json.loads({json.dumps(json.dumps(argvs))}):\n"
        "    assert main(argv) == 0, argv\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Usage: auditor") == len(argvs)
    assert [m for m in done.stderr.splitlines() if m.startswith(HEAVY)] == []


def test_an_estate_without_workspaces_says_so(run, demo_doc, write_json):
    demo_doc.update(resources=[], arm=[], tables={})
    result = run("scan", "--snapshot", str(write_json(demo_doc)))
    assert result.code == 0, result.err
    assert "no workloads: the estate holds no Azure ML workspace" in result.out
    assert "0 of 0 workloads ready for their target" in result.out
