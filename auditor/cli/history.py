"""`auditor history`: the trend per workload and tier from a history database."""

from __future__ import annotations

import json
import sys

import click

from auditor.cli import common
from auditor.cli.common import COLOR_HELP, width

HISTORY_EPILOG = """\b
Exit codes:
  0  the trend was shown
  2  bad input or usage (not a history database, a --workload it does not hold)

\b
Examples:
  auditor history dr-history.sqlite
  auditor history dr-history.sqlite --workload fraud-scoring --last 30
  auditor history dr-history.sqlite --json trend.json"""


@click.command(
    "history",
    epilog=HISTORY_EPILOG,
    short_help="Show the trend per workload and tier from a history database.",
)
@click.argument("path", metavar="PATH")
@click.option(
    "--workload",
    "workloads",
    metavar="NAME",
    multiple=True,
    help="Only this workload (repeatable).",
)
@click.option(
    "--last",
    metavar="N",
    type=click.IntRange(1, 10_000),
    default=10,
    show_default=True,
    help="Runs to show.",
)
@click.option(
    "--json",
    "out_json",
    metavar="PATH",
    is_flag=False,
    flag_value="-",
    help="Write the trend as JSON to PATH, '-' for stdout (a bare --json, as before: stdout).",
)
@click.option("--color/--no-color", default=None, help=COLOR_HELP)
def history_cmd(
    path: str, workloads: tuple[str, ...], last: int, out_json: str | None, color: bool | None
) -> int:
    """Show the trend per workload and tier from a history database (auditor scan --history):
    for the last runs, when, the score and whether it was ready."""
    from auditor import history, outputs
    from auditor.render import history_text

    outputs.check_paths([("--json", out_json)], [("PATH", path)])
    result = history.trend(path, workloads=workloads, last=last)
    if out_json:
        document = json.dumps(history.document(path, result), indent=2, ensure_ascii=False)
        outputs.write(out_json, (document + "\n").encode())
        return 0
    text = history_text.render(path, result, color=common.color(color, sys.stdout), width=width())
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0
