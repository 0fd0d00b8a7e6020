"""`auditor rules`: list, show, validate and test rules."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import click

from auditor.cli.common import fail, rules_option
from auditor.model import TIERS


@click.group(
    "rules",
    short_help="List, show, validate and test rules.",
    epilog="""\b
Examples:
  auditor rules list
  auditor rules show DR-06
  auditor rules validate ./our-rules
  auditor rules test ./our-rules""",
)
def rules_group() -> None:
    """List, show, validate and test rules (rules/<class>/<RULE-ID>.yaml; your own with
    --rules DIR, docs/writing-rules.md)."""


# The ladder's marks, as the README shows them (auditor.model.Level values).
MARKS = {"required": "R", "recommended": "r", "manual": "M", "not_applicable": "\u2013"}
LEGEND = (
    "levels per tier (hot/hot hot/warm hot/cold): R required, r recommended, M manual, "
    "\u2013 not applicable"
)


@rules_group.command(
    "list",
    short_help="List every rule: requirements, class, severity, levels per tier.",
    epilog="""\b
Examples:
  auditor rules list
  auditor rules list --rules ./our-rules
  auditor rules list --json | jq '.[].id'""",
)
@rules_option
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON (on stdout).")
def rules_list(rule_dirs: tuple[Path, ...], as_json: bool) -> int:
    """List every rule with its requirements, class, severity and level per tier (R required,
    r recommended, M manual, \u2013 not applicable; tiers hot/hot, hot/warm, hot/cold)."""
    from auditor import rules

    loaded = rules.load(rule_dirs)
    if as_json:
        click.echo(json.dumps([r.model_dump(mode="json") for r in loaded], indent=2))
        return 0
    rows = [("RULE", "REQUIREMENTS", "CLASS", "SEVERITY", "LEVELS", "TITLE")]
    for rule in loaded:
        levels = " ".join(MARKS.get(rule.levels[t].value, "?") for t in TIERS)
        rows.append(
            (
                rule.id,
                ",".join(rule.requirements),
                rule.asset_class.value,
                rule.severity.value,
                levels,
                rule.title,
            )
        )
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]))
    click.echo(f"\n{LEGEND}")
    return 0


@rules_group.command(
    "show",
    short_help="Show a rule, or every rule citing a requirement (DR-10).",
    epilog="""\b
Exit codes:
  0  shown
  2  no rule or requirement with that id, or a bad rule file

\b
Examples:
  auditor rules show DR-06
  auditor rules show DR-10        # DR-10 and DR-10-CAPACITY, which cites DR-10
  auditor rules show OUR-01 --rules ./our-rules""",
)
@click.argument("rule_id", metavar="ID")
@rules_option
def rules_show(rule_id: str, rule_dirs: tuple[Path, ...]) -> int:
    """Show a rule as text: what it checks, its levels, why, and how to fix it (az CLI and
    Bicep as code blocks). A requirement id (DR-10) shows every rule citing it."""
    from auditor import rules

    loaded = rules.load(rule_dirs)
    wanted = rule_id.upper()
    chosen = [r for r in loaded if r.id.upper() == wanted or wanted in r.requirements]
    if not chosen:
        raise click.BadParameter(f"no rule or requirement '{rule_id}'", param_hint="ID")
    click.echo("\n\n".join(_rule_text(rule) for rule in chosen))
    return 0


def _rule_text(rule: Any) -> str:
    """One rule for a person: fields on lines, prose wrapped, code in fenced blocks (copied as
    they are: never wrapped or indented)."""
    levels = ", ".join(f"{t.value} {rule.levels[t].value}" for t in TIERS)
    params = ", ".join(f"{k}={json.dumps(v)}" for k, v in rule.check.params.items())
    lines = [
        f"{rule.id}: {rule.title}",
        "",
        f"  requirements  {', '.join(rule.requirements)}",
        f"  class         {rule.asset_class.value}",
        f"  severity      {rule.severity.value}",
        f"  levels        {levels}",
        f"  check         {rule.check.function}({params})",
        f"  docs          {rule.docs}",
        "",
        "Why",
        *_wrapped(rule.rationale),
        "",
        "Fix",
        *_wrapped(rule.remediation.summary),
    ]
    for label, lang, code in (
        ("az CLI", "bash", rule.remediation.az_cli),
        ("Bicep", "bicep", rule.remediation.bicep),
    ):
        if code:
            lines += ["", f"{label}:", f"```{lang}", code.rstrip("\n"), "```"]
    return "\n".join(lines)


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), width=88, initial_indent="  ", subsequent_indent="  "
    )


@rules_group.command(
    "validate",
    short_help="Check rule files: every problem of every file, in one run.",
    epilog="""\b
Exit codes:
  0  every rule file is valid
  2  problems (one line each: the file, the field, what was expected)

\b
Examples:
  auditor rules validate
  auditor rules validate ./our-rules""",
)
@click.argument(
    "directory", metavar="DIR", required=False, type=click.Path(file_okay=False, path_type=Path)
)
def rules_validate(directory: Path | None) -> int:
    """Validate a rule directory (default: the bundled rules), as `scan --rules DIR` would
    load it: beside the bundled rules, whose ids it must not reuse. Every problem of every file
    is listed."""
    from auditor import rules
    from auditor.report import EXIT_USAGE

    dirs = [rules.bundled_rules_dir(), *([directory] if directory else [])]
    loaded, problems = rules.problems(dirs)
    for problem in problems:
        fail(problem)
    where = directory or "bundled rules"
    if len(problems) > 1:
        fail(f"{where}: {len(problems)} problems")
    if problems:
        return EXIT_USAGE
    bundled = len(loaded) if directory is None else len(rules.load_dirs(dirs[:1]))
    count = len(loaded) if directory is None else len(loaded) - bundled
    click.echo(f"{count} rule(s) valid in {where}")
    return 0


@rules_group.command(
    "test",
    short_help="Run a rule directory's golden fixtures: PASS or FAIL per case.",
    epilog="""\b
Exit codes:
  0  every case passed
  1  a case failed, or a rule lacks a pass* or fail* case
  2  bad input (a rule file, a fixture)

\b
Examples:
  auditor rules test ./our-rules
  auditor rules validate ./our-rules && auditor rules test ./our-rules""",
)
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
def rules_test(directory: Path) -> int:
    """Run a rule directory's golden fixtures (DIR/fixtures/<RULE>/<case>/): PASS or FAIL per
    case; exit 1 when a case fails or a rule lacks a pass* or fail* case, 2 on bad input."""
    from auditor import rules_testing

    results = rules_testing.run_directory(directory)
    for result in results:
        click.echo(f"{'PASS' if result.ok else 'FAIL'}  {result.name}")
        for problem in result.problems:
            click.echo(f"      {problem}")
    failed = sum(1 for r in results if not r.ok)
    click.echo(f"{len(results)} case(s): {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0
