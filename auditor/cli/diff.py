"""`auditor diff`: what moved between two JSON reports; exit 1 when readiness regressed."""

from __future__ import annotations

import json
import sys

import click

from auditor.cli import common
from auditor.cli.common import COLOR_HELP, width

DIFF_EXIT_CODES = """\b
Exit codes:
  0  no workload lost readiness
  1  readiness regressed: a workload in both reports lost readiness for a tier or its target
  2  bad input or usage (a file that is not an auditor JSON report, arguments)

\b
Examples:
  auditor diff yesterday.json today.json
  auditor diff yesterday.json today.json --json diff.json -q
  auditor diff last-good.json report.json --json - | jq .summary"""


@click.command(
    "diff",
    epilog=DIFF_EXIT_CODES,
    short_help="Compare two JSON reports: new, fixed and regressed findings.",
)
@click.argument("old", metavar="OLD.json")
@click.argument("new", metavar="NEW.json")
@click.option(
    "--json", "out_json", metavar="PATH", help="Write the diff as JSON to PATH, '-' for stdout."
)
@click.option("-q", "--quiet", is_flag=True, help="No terminal summary.")
@click.option("--color/--no-color", default=None, help=COLOR_HELP)
def diff_cmd(old: str, new: str, out_json: str | None, quiet: bool, color: bool | None) -> int:
    """Compare two JSON reports (plain or gzip-compressed) by their stable finding ids: new,
    fixed and regressed findings, readiness and scores per workload and tier, workloads added
    and removed."""
    from auditor import diff, outputs
    from auditor.render import diff_text

    outputs.check_paths([("--json", out_json)], [("OLD.json", old), ("NEW.json", new)])
    result = diff.compare(diff.load_report(old), diff.load_report(new))
    if out_json:
        payload = json.dumps(diff.document(result), indent=2, ensure_ascii=False) + "\n"
        outputs.write(out_json, payload.encode())
    if not quiet:
        stream = sys.stderr if out_json == "-" else sys.stdout
        text = diff_text.render(result, color=common.color(color, stream), width=width())
        stream.write(text)
        stream.flush()
    return result.exit_code
