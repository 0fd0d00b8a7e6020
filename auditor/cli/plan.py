"""`auditor plan WORKLOAD`: the ordered steps that take a workload to its target, with the
estate's own names; auditor runs none of them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from auditor.cli.common import collector, usage_errors, width
from auditor.cli.sources import request, source_options, write_files

TIER_CHOICES = ("hot/hot", "hot/warm", "hot/cold")

PLAN_EPILOG = """\b
Exit codes:
  0  the workload is ready for the target: the plan holds advisories only
  1  a step blocks the target
  2  bad input or usage (an unknown workload, arguments)
  3  a step could not be judged: the scan could not see everything

\b
Examples:
  auditor plan fraud-scoring --demo
  auditor plan recsys --demo --target hot/warm --markdown ticket.md --script fix.sh
  auditor plan churn --snapshot estate.json --config auditor.yaml --bicep secondary.bicep"""


@click.command(
    "plan",
    epilog=PLAN_EPILOG,
    short_help="The ordered steps that take a workload to its target (az, Bicep).",
)
@click.argument("workload")
@click.option(
    "--target",
    type=click.Choice(TIER_CHOICES),
    metavar="TIER",
    help="The tier to plan for: hot/hot, hot/warm or hot/cold (default: the workload's own).",
)
@source_options
@click.option("--markdown", "out_markdown", metavar="PATH", help="Write the plan as a ticket.")
@click.option("--script", "out_script", metavar="PATH", help="Write a commented shell script.")
@click.option("--bicep", "out_bicep", metavar="PATH", help="Write the declarative part as Bicep.")
@click.option("-q", "--quiet", is_flag=True, help="No terminal output.")
def plan_cmd(
    workload: str,
    target: str | None,
    out_markdown: str | None,
    out_script: str | None,
    out_bicep: str | None,
    quiet: bool,
    **options: Any,
) -> int:
    """The ordered steps that take WORKLOAD to its target, with az commands filled with the
    estate's names (docs/plan.md). auditor runs none of them."""
    from auditor import outputs, plan, scan
    from auditor.model import Tier
    from auditor.render import plan_bicep, plan_markdown, plan_script, plan_text

    req = request(options, {})
    files = [("--markdown", out_markdown), ("--script", out_script), ("--bicep", out_bicep)]
    with usage_errors():
        scan.check(req)
    outputs.check_paths(files, scan.inputs(req))
    judged = scan.judged(req, collector(quiet))
    made = plan.build(judged.report, judged.estate, workload, Tier(target) if target else None)
    renderers: dict[str, Callable[[Any], str]] = {
        "--markdown": plan_markdown.render,
        "--script": plan_script.render,
        "--bicep": plan_bicep.render,
    }
    write_files(files, lambda option: renderers[option](made).encode())
    if not quiet:
        columns = width()
        text = plan_text.render(made, width=columns)
        outputs.say(sys.stdout, text)
    return made.exit_code
