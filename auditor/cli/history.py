"""`auditor history`: the trend per workload and tier from a history database."""

from __future__ import annotations

import json
import sys

import click

from auditor.cli import common
from auditor.cli.common import COLOR_HELP, width


@click.command("history")
@click.argument("path", metavar="PATH")
@click.option(
    "--workload",
    "workloads",
    metavar="NAME",
    multiple=True,
    help="Only this workload (repeatable).",
)
@click.option(
    "--last", type=click.IntRange(1, 10_000), default=10, show_default=True, help="Runs to show."
)
@click.option("--json", "as_json", is_flag=True, help="Print the trend as JSON.")
@click.option("--color/--no-color", default=None, help=COLOR_HELP)
def history_cmd(
    path: str, workloads: tuple[str, ...], last: int, as_json: bool, color: bool | None
) -> int:
    """Show the trend per workload and tier from a history database (auditor scan --history):
    for the last runs, when, the score and whether it was ready."""
    from auditor import history
    from auditor.render import history_text

    result = history.trend(path, workloads=workloads, last=last)
    if as_json:
        click.echo(json.dumps(history.document(path, result), indent=2, ensure_ascii=False))
        return 0
    text = history_text.render(path, result, color=common.color(color, sys.stdout), width=width())
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0
