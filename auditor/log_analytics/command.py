"""The command-line side of the Log Analytics upload: the options of `scan` and `report`, what
they do once the reports are written, and the `auditor upload SPOOL` command."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor.azure import CLOUD_NAMES
from auditor.errors import LogAnalyticsError

if TYPE_CHECKING:  # the upload machinery is imported when an upload is asked for, not for --help
    from auditor.log_analytics import upload
    from auditor.report import Report

# auditor.report.EXIT_INCOMPLETE, not imported for --help
EXIT_INCOMPLETE = 3

ENDPOINT_ENV = "AUDITOR_LOG_ANALYTICS"
RULE_ENV = "AUDITOR_DCR"
_NAMES = ("log_analytics", "dcr", "streams", "spool")


def _destination_options(command: Any) -> Any:
    options = [
        click.option(
            "--log-analytics",
            "log_analytics",
            metavar="ENDPOINT",
            envvar=ENDPOINT_ENV,
            help="Send the findings, workloads and run to Azure Monitor Logs through this data "
            f"collection endpoint (also {ENDPOINT_ENV}); plain http only on loopback.",
        ),
        click.option(
            "--dcr",
            metavar="ID",
            envvar=RULE_ENV,
            help=f"Immutable id (dcr-...) of the data collection rule (also {RULE_ENV}).",
        ),
        click.option(
            "--stream",
            "streams",
            metavar="[KIND=]NAME",
            multiple=True,
            help="Stream of the findings (default Custom-AuditorFinding_CL), or workload=NAME / "
            "run=NAME (repeatable).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def options(command: Any) -> Any:
    """--log-analytics, --dcr, --stream and --spool, for `scan` and `report`."""
    command = click.option(
        "--spool",
        metavar="DIR",
        help="Where rows that could not be sent wait for `auditor upload` (default: beside "
        "--history, else the working directory).",
    )(command)
    return _destination_options(command)


@dataclass(frozen=True)
class Request:
    dest: upload.Destination | None
    spool: str | None


def take_options(kwargs: dict[str, Any], cloud: str | None) -> Request:
    """Pops this module's options from a command's keyword arguments and checks them, before
    any work is done (a bad --dcr is exit 2 at once, not after a scan). `cloud` None: the
    report's own, checked when it is known."""
    endpoint, rule, streams, spool = (kwargs.pop(name, None) for name in _NAMES)
    if not endpoint:
        if rule or streams or spool:
            raise click.UsageError("--dcr, --stream and --spool go with --log-analytics ENDPOINT")
        return Request(None, None)
    from auditor.log_analytics import upload

    return Request(upload.destination(endpoint, rule, streams or (), cloud or "AzureCloud"), spool)


def _credential(cloud: str) -> Any:
    from auditor.collect.auth import credential, resolve_target

    return credential(resolve_target(cloud, None))


def _say(text: str) -> None:
    from auditor.render.console import visible

    sys.stderr.write(visible(text) + "\n")
    sys.stderr.flush()


def _counts(counts: dict[str, int]) -> str:
    from auditor.log_analytics.rows import KINDS

    return ", ".join(f"{counts[k]} {k}" for k in KINDS)


def _retry_hint(path: Path, dest: upload.Destination) -> str:
    from auditor.log_analytics.rows import TABLES

    streams = "".join(
        f" --stream {kind}={name}"
        for kind, name in dest.streams.items()
        if name != TABLES[kind].stream
    )
    return f"auditor upload {path} --log-analytics {dest.endpoint} --dcr {dest.rule_id}{streams}"


def _report_problems(outcome: upload.Outcome, dest: upload.Destination) -> None:
    for line in outcome.problems:
        _say(f"log analytics: error: {line}")
    total = outcome.sent_total + outcome.unsent_total
    where = f", kept in {outcome.spool}" if outcome.spool else ""
    unsent = outcome.unsent_total
    _say(f"log analytics: upload incomplete: {unsent} of {total} row(s) not sent{where}")
    if outcome.spool:
        _say(f"send them with: {_retry_hint(outcome.spool, dest)}")
    _say(f"exit code {EXIT_INCOMPLETE}: the upload is incomplete")


def upload_report(
    report: Report, request: Request, code: int, *, history_path: str | None, quiet: bool
) -> int:
    """Send a report's rows when --log-analytics was given; the command's exit code: 3 while
    rows are unsent (kept in the spool), else `code`."""
    dest = request.dest
    if dest is None:
        return code
    from auditor.log_analytics import upload
    from auditor.log_analytics.rows import rows
    from auditor.render.common import scan_id

    if dest.cloud != report.scan.cloud and report.scan.cloud in upload.SCOPES:
        dest = upload.Destination(dest.endpoint, dest.rule_id, dest.streams, report.scan.cloud)
    spool_dir = request.spool or (
        str(Path(history_path).resolve().parent) if history_path else os.getcwd()
    )
    outcome = upload.upload_rows(
        rows(report), scan_id(report), dest, _credential(dest.cloud), spool_dir
    )
    if outcome.complete:
        if not quiet:
            _say(f"log analytics: sent {_counts(outcome.sent)} row(s) to {dest.rule_id}")
        return code
    _report_problems(outcome, dest)
    return EXIT_INCOMPLETE


UPLOAD_EXIT_CODES = """\b
Exit codes:
  0  every spooled row was sent (the spool files are removed)
  2  bad input or usage (not a spool, a bad endpoint or rule id, arguments)
  3  rows are still unsent: they stay in the spool, for the next `auditor upload`

\b
Examples:
  auditor upload ./spool --log-analytics https://dce.example.monitor.azure.com --dcr dcr-0123
  auditor upload ./spool -q    # with AUDITOR_LOG_ANALYTICS and AUDITOR_DCR set"""


@click.command(
    "upload",
    epilog=UPLOAD_EXIT_CODES,
    short_help="Send the rows a --log-analytics upload could not send (a spool).",
)
@click.argument("spool_path", metavar="SPOOL")
@_destination_options
@click.option(
    "--cloud",
    type=click.Choice(sorted(CLOUD_NAMES)),
    metavar="CLOUD",
    default="AzureCloud",
    show_default=True,
    help=f"Azure cloud of the endpoint: {', '.join(sorted(CLOUD_NAMES))}.",
)
@click.option("-q", "--quiet", is_flag=True, help="Say nothing when every row was sent.")
def upload_cmd(
    spool_path: str,
    log_analytics: str | None,
    dcr: str | None,
    streams: tuple[str, ...],
    cloud: str,
    quiet: bool,
) -> int:
    """Send the rows a scan could not send to Azure Monitor Logs (a spool file, or a directory
    of them, written by scan/report --log-analytics). Rows sent leave the spool: none is sent
    twice."""
    if not log_analytics:
        raise LogAnalyticsError("auditor upload needs --log-analytics ENDPOINT and --dcr ID")
    from auditor.log_analytics import upload

    dest = upload.destination(log_analytics, dcr, streams, cloud)
    files = upload.spool_files(spool_path)
    if not files:
        if not quiet:
            _say(f"log analytics: nothing to send in {spool_path}")
        return 0
    for file in files:
        upload.read_spool(file)  # every file is checked before anything is sent
    outcome = upload.upload_spool(spool_path, dest, _credential(cloud))
    if outcome.complete:
        if not quiet:
            _say(f"log analytics: sent {_counts(outcome.sent)} row(s) to {dest.rule_id}")
        return 0
    _report_problems(outcome, dest)
    return EXIT_INCOMPLETE
