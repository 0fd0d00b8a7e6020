"""`auditor report`: a saved JSON report rendered again in any format, offline."""

from __future__ import annotations

import sys

import click

from auditor.cli import common
from auditor.cli.common import (
    COLOR_HELP,
    chosen_formats,
    format_options,
    summary_options,
    usage_errors,
    width,
)
from auditor.log_analytics import command as log_analytics

REPORT_EXIT_CODES = """\b
Exit codes:
  0  the formats were written
  2  bad input or usage (a file that is not an auditor JSON report, arguments)
  3  --log-analytics: rows could not be sent (they wait in the spool)

\b
Examples:
  auditor report report.json --html report.html
  auditor report report.json --workload fraud-scoring --show all
  auditor report report.json --junit results.xml --markdown summary.md -q"""


@click.command(
    "report",
    epilog=REPORT_EXIT_CODES,
    short_help="Render a saved JSON report again in any format, offline.",
)
@click.argument("source", metavar="FROM.json")
@format_options
@log_analytics.options
@summary_options
@click.option(
    "--history",
    "history_path",
    metavar="PATH",
    help="Show the trend this history database holds in the HTML report, as the scan that "
    "recorded it did (read only: nothing is recorded).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show every finding with its evidence.")
@click.option("-q", "--quiet", is_flag=True, help="No terminal summary.")
@click.option("--color/--no-color", default=None, help=COLOR_HELP)
def report_cmd(
    source: str,
    verbose: bool,
    quiet: bool,
    color: bool | None,
    workload_patterns: tuple[str, ...],
    show: str | None,
    history_path: str | None,
    **outputs: str | None,
) -> int:
    """Render a saved JSON report (auditor scan --json; plain or gzip-compressed) again in any
    format, offline: no Azure, no snapshot."""
    from auditor import outputs as outputs_mod
    from auditor import report_file, scan
    from auditor.render import terminal
    from auditor.report import select

    common.not_both(quiet, verbose, show)
    upload_to = log_analytics.take_options(outputs, None)
    chosen = chosen_formats(outputs)
    with usage_errors():
        to_stdout = outputs_mod.to_stdout(chosen)
    outputs_mod.check_paths(
        outputs_mod.format_paths(chosen), [("FROM.json", source), ("--history", history_path)]
    )
    report = select(report_file.load(source), workload_patterns)
    scan.write_outputs(report, chosen, history=history_path, record=False)
    if not quiet:
        stream = sys.stderr if to_stdout else sys.stdout
        summary = terminal.render(
            report, verbose=verbose, show=show, color=common.color(color, stream), width=width()
        )
        outputs_mod.say(stream, summary)
    return log_analytics.upload_report(report, upload_to, 0, history_path=None, quiet=quiet)
