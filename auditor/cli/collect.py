"""`auditor collect`: a live estate saved as a snapshot, to scan later offline."""

from __future__ import annotations

from typing import Any

import click

from auditor.cli import common
from auditor.cli.common import collector, fail, live_options

# The errors printed after a collection (the snapshot records them all).
SHOWN_ERRORS = 10


COLLECT_EPILOG = """\b
Exit codes:
  0  the snapshot was written and holds every read
  2  bad input or usage (arguments, an output that would overwrite an input)
  3  incomplete: the snapshot was written, but some reads failed (listed, and recorded in
     it); or no credential gave a token, and nothing was collected or written

\b
Examples:
  auditor collect --subscription SUB1 --subscription SUB2 -o estate.json.gz
  auditor collect --management-group contoso-prod -o estate.json.gz -q
  auditor scan --snapshot estate.json.gz --config auditor.yaml --html report.html"""


@click.command(
    "collect",
    epilog=COLLECT_EPILOG,
    short_help="Save a live estate as a snapshot, to scan later offline.",
)
@live_options
@click.option(
    "--output",
    "-o",
    metavar="PATH",
    required=True,
    help="Snapshot file to write (.json, or .json.gz to compress).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
def collect_cmd(output: str, quiet: bool, **options: Any) -> int:
    """Collect the estate from Azure into a snapshot, to scan later offline (auditor scan
    --snapshot PATH): no rules run, nothing is judged. Each read that failed is listed (the
    first ten) and recorded in the snapshot."""
    from auditor import outputs, scan
    from auditor.report import EXIT_INCOMPLETE

    outputs.check_paths([("--output", output)])
    live = common.live(options)
    document = collector(quiet)(live)
    scan.save(document, output)
    errors = document["errors"]
    click.echo(
        f"wrote {output}: {len(document['resources'])} resources, {len(document['arm'])} ARM "
        f"reads, {len(errors)} error(s)",
        err=True,
    )
    # what could not be read, even with --quiet: a snapshot with errors is incomplete, and the
    # person (or the CI log) must see why without opening it
    for entry in errors[:SHOWN_ERRORS]:
        fail(error_line(entry))
    if len(errors) > SHOWN_ERRORS:
        fail(f'... and {len(errors) - SHOWN_ERRORS} more error(s), all in {output} ("errors")')
    return EXIT_INCOMPLETE if errors else 0


def error_line(entry: dict[str, Any]) -> str:
    """One recorded error as one line: the request, then what Azure answered."""
    status = f"{entry['status']} " if entry.get("status") is not None else ""
    answer = f"{status}{entry.get('code') or ''}".strip()
    return f"{entry.get('request')}: {answer}: {entry.get('message')}".replace(": : ", ": ")
