"""`auditor what-if`: what a regional outage does to every workload at once."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from auditor.cli.common import COLOR_HELP, collector, usage_errors, width
from auditor.cli.sources import request, source_options, write_files

WHATIF_EPILOG = """\b
Exit codes:
  0  every workload with its primary in the region keeps serving at its target
  1  a workload with its primary in the region does not
  2  bad input or usage (snapshot, config, rule file, arguments)
  3  the scan could not see everything, or a verdict is unknown (wins over 1);
     with --all-regions, the worst code of every region

\b
Examples:
  auditor what-if --region-down eastus --demo
  auditor what-if --all-regions --demo
  auditor what-if --region-down westeurope --snapshot estate.json --config auditor.yaml \\
      --json what-if.json
  auditor what-if --region-down eastus --subscription SUB --html outage.html"""


@click.command(
    "what-if",
    epilog=WHATIF_EPILOG,
    short_help="What losing a region does to every workload at once.",
)
@click.option(
    "--region-down",
    "region",
    metavar="REGION",
    help="The region lost (a programmatic name such as eastus, or 'East US').",
)
@click.option(
    "--all-regions",
    is_flag=True,
    help="Lose every region the estate uses in turn: a matrix ranked by blast radius.",
)
@click.option(
    "--target",
    "default_target",
    type=click.Choice(("hot/hot", "hot/warm", "hot/cold")),
    metavar="TIER",
    default="hot/cold",
    show_default=True,
    help="Target tier of workloads that set none: hot/hot, hot/warm or hot/cold.",
)
@source_options
@click.option(
    "--json", "out_json", metavar="PATH", help="Write the what-if document (JSON) to PATH."
)
@click.option(
    "--html",
    "out_html",
    metavar="PATH",
    help="Write the HTML report of the scan with the what-if section to PATH.",
)
@click.option("--all", "show_all", is_flag=True, help="List untouched workloads too.")
@click.option("-q", "--quiet", is_flag=True, help="No terminal output.")
@click.option("--color/--no-color", default=None, help=COLOR_HELP)
def whatif_cmd(
    region: str | None,
    all_regions: bool,
    out_json: str | None,
    out_html: str | None,
    show_all: bool,
    quiet: bool,
    color: bool | None,
    **options: Any,
) -> int:
    """If a region goes down tonight: which workloads keep serving, which come back in hours,
    which are gone, and why (docs/what-if.md)."""
    from auditor import outputs, scan, whatif
    from auditor.cli import common
    from auditor.render import whatif_text

    if bool(region) == all_regions:
        raise click.UsageError("give one of --region-down REGION or --all-regions")
    req = request(options, {})
    files = [("--json", out_json), ("--html", out_html)]
    with usage_errors():
        scan.check(req)
    outputs.check_paths(files, scan.inputs(req))
    judged = scan.judged(req, collector(quiet))
    report, estate = judged.report, judged.estate
    if region:
        outlooks: tuple[whatif.RegionDown, ...] = (whatif.region_down(report, estate, region),)
    else:
        outlooks = whatif.all_regions(report, estate)
    mode = "region-down" if region else "all-regions"
    document = whatif.document(report, outlooks, mode)

    def render(option: str) -> bytes:
        if option == "--json":
            return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
        from auditor.render import html

        return html.render(report, whatif=document)

    write_files(files, render)
    if not quiet:
        paint = common.color(color, sys.stdout)
        if region:
            text = whatif_text.render_region(
                outlooks[0], color=paint, width=width(), show_all=show_all
            )
        else:
            text = whatif_text.render_matrix(outlooks, color=paint, width=width())
        outputs.say(sys.stdout, text)
    return int(document["exit_code"])
