"""`auditor scan`: the options of a scan, handed to the scan workflow (auditor.scan.execute)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from auditor.cli import common
from auditor.cli.common import (
    COLOR_HELP,
    EXIT_CODES,
    chosen_formats,
    collector,
    format_options,
    live_options,
    max_snapshot_option,
    summary_options,
    usage_errors,
    width,
)
from auditor.log_analytics import command as log_analytics
from auditor.model import TIERS, Severity, Tier

SCAN_EPILOG = (
    EXIT_CODES
    + """

\b
Gates for CI (each breach exits 1; an incomplete scan still exits 3):
  --fail-under SCORE  a workload's score for its target is under SCORE (0-100)
  --fail-on SEVERITY  a fail or error finding that is required or recommended at its
                      workload's target has SEVERITY or higher

\b
Examples:
  auditor scan --demo
  auditor scan --subscription SUB1 --html report.html --json report.json
  auditor scan --snapshot estate.json.gz --config auditor.yaml --workload 'recsys*' -v
  auditor scan --management-group contoso-prod --fail-under 80 -q --junit results.xml"""
)


@click.command(
    "scan",
    epilog=SCAN_EPILOG,
    short_help="Scan an estate (live, a snapshot, the demo): readiness per workload and tier.",
)
@click.option("--demo", is_flag=True, help="Scan the bundled demo estate (and its config).")
@click.option(
    "--snapshot",
    "snapshot_path",
    metavar="PATH",
    help="Scan a saved snapshot (.json or .json.gz) offline.",
)
@click.option("--config", "config_path", metavar="PATH", help="Workloads, targets, attestations.")
@click.option(
    "--rules",
    "rule_dirs",
    metavar="DIR",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Add a directory of your own rule files (repeatable).",
)
@click.option(
    "--target",
    type=click.Choice([t.value for t in TIERS]),
    metavar="TIER",
    default=Tier.HOT_COLD.value,
    show_default=True,
    help="Target tier of workloads that set none: hot/hot, hot/warm or hot/cold.",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Judge attestation and waiver expiry at this date, YYYY-MM-DD (default: today).",
)
@click.option(
    "--waivers",
    "waivers_path",
    metavar="PATH",
    help="Accepted risks (YAML): each waives a rule on a workload or resources until a date.",
)
@click.option(
    "--history",
    "history_path",
    metavar="PATH",
    help="Append this run's scores, readiness and findings to a SQLite history database.",
)
@live_options
@max_snapshot_option
@click.option(
    "--save-snapshot",
    metavar="PATH",
    help="Also save what a live scan collected, to scan again offline.",
)
@format_options
@log_analytics.options
@click.option(
    "--fail-under",
    type=click.IntRange(0, 100),
    metavar="SCORE",
    help="Also exit 1 when a workload's score for its target is under SCORE (0-100).",
)
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity]),
    metavar="SEVERITY",
    help="Also exit 1 on a fail or error finding of SEVERITY (critical, high, medium, low, "
    "info) or higher that is required or recommended at its workload's target.",
)
@summary_options
@click.option("-v", "--verbose", is_flag=True, help="Show every finding with its evidence.")
@click.option("-q", "--quiet", is_flag=True, help="No terminal summary.")
@click.option("--color/--no-color", default=None, help=COLOR_HELP)
def scan_cmd(
    demo: bool,
    snapshot_path: str | None,
    config_path: str | None,
    rule_dirs: tuple[Path, ...],
    target: str,
    as_of: dt.datetime | None,
    waivers_path: str | None,
    history_path: str | None,
    max_snapshot_bytes: int,
    save_snapshot: str | None,
    verbose: bool,
    quiet: bool,
    color: bool | None,
    fail_under: int | None,
    fail_on: str | None,
    workload_patterns: tuple[str, ...],
    show: str | None,
    **outputs: str | None,
) -> int:
    """Scan an estate (live from Azure, a saved snapshot, or the demo) and report readiness
    per workload and tier."""
    from auditor import scan
    from auditor.gates import Gates
    from auditor.outputs import say
    from auditor.render import terminal

    common.not_both(quiet, verbose, show)
    live = common.live(outputs)  # the live options ride with the formats' in **outputs
    upload_to = log_analytics.take_options(outputs, live.cloud)
    request = scan.Request(
        demo=demo,
        snapshot=snapshot_path,
        live=live,
        config=config_path,
        rule_dirs=rule_dirs,
        waivers=waivers_path,
        target=Tier(target),
        as_of=as_of.date() if as_of else None,
        history=history_path,
        save_snapshot=save_snapshot,
        outputs=chosen_formats(outputs),
        gates=Gates(fail_under, Severity(fail_on) if fail_on else None),
        workloads=workload_patterns,
        max_snapshot_bytes=max_snapshot_bytes,
    )
    with usage_errors():
        outcome = scan.execute(request, collector(quiet))
    report = outcome.report
    stream = sys.stderr if outcome.to_stdout else sys.stdout
    if not quiet:
        summary = terminal.render(
            report, verbose=verbose, show=show, color=common.color(color, stream), width=width()
        )
        say(stream, summary)
    # each breach is one line after the summary (on stderr with --quiet: a CI log must say why
    # the run failed), then the exit code they make
    lines = [f"gate: {breach}\n" for breach in outcome.breaches]
    if outcome.exit_code != report.exit_code:
        lines.append(f"exit code {outcome.exit_code}: the gate(s) above\n")
    say(sys.stderr if quiet else stream, "".join(lines))
    return log_analytics.upload_report(
        report, upload_to, outcome.exit_code, history_path=history_path, quiet=quiet
    )
