"""`auditor rules`: list, show, validate and test rules."""

from __future__ import annotations

import json
from pathlib import Path

import click

from auditor.cli.common import rules_option
from auditor.model import TIERS


@click.group("rules")
def rules_group() -> None:
    """List, show, validate and test rules."""


@rules_group.command("list")
@rules_option
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def rules_list(rule_dirs: tuple[Path, ...], as_json: bool) -> int:
    """List every rule with its requirements and level per tier."""
    from auditor import rules

    loaded = rules.load(rule_dirs)
    if as_json:
        click.echo(json.dumps([r.model_dump(mode="json") for r in loaded], indent=2))
        return 0
    header = f"{'RULE':<16} {'REQUIREMENTS':<13} {'CLASS':<11} {'SEVERITY':<9} "
    header += " ".join(f"{t.value:<11}" for t in TIERS) + " TITLE"
    click.echo(header)
    for rule in loaded:
        levels = " ".join(f"{rule.levels[t].value:<11}" for t in TIERS)
        click.echo(
            f"{rule.id:<16} {','.join(rule.requirements):<13} {rule.asset_class.value:<11} "
            f"{rule.severity.value:<9} {levels} {rule.title}"
        )
    return 0


@rules_group.command("show")
@click.argument("rule_id")
@rules_option
def rules_show(rule_id: str, rule_dirs: tuple[Path, ...]) -> int:
    """Show one rule (or every rule citing a requirement id such as DR-10)."""
    import yaml

    from auditor import rules

    loaded = rules.load(rule_dirs)
    chosen = [r for r in loaded if r.id.lower() == rule_id.lower()]
    if not chosen:
        chosen = [r for r in loaded if rule_id.upper() in r.requirements]
    if not chosen:
        raise click.BadParameter(f"no rule or requirement '{rule_id}'", param_hint="RULE_ID")
    for rule in chosen:
        click.echo(yaml.safe_dump(rule.model_dump(mode="json"), sort_keys=False, width=100))
    return 0


@rules_group.command("validate")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def rules_validate(directory: Path | None) -> int:
    """Validate a rule directory (default: the bundled rules), as `scan --rules DIR` would
    load it: beside the bundled rules, whose ids it must not reuse."""
    from auditor import rules

    bundled = rules.load_dirs([rules.bundled_rules_dir()])
    if directory is None:
        click.echo(f"{len(bundled)} rule(s) valid in bundled rules")
        return 0
    loaded = rules.load([directory])
    click.echo(f"{len(loaded) - len(bundled)} rule(s) valid in {directory}")
    return 0


@rules_group.command("test")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
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
