"""`auditor collect`: a live estate saved as a snapshot, to scan later offline."""

from __future__ import annotations

import click

from auditor.cli.common import EXIT_CODES, collector, live_options


@click.command("collect", epilog=EXIT_CODES)
@live_options
@click.option(
    "--output",
    "-o",
    metavar="PATH",
    required=True,
    help="Snapshot file to write (.json, or .json.gz to compress).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
def collect_cmd(
    subscriptions: tuple[str, ...],
    management_groups: tuple[str, ...],
    cloud: str,
    arm_endpoint: str | None,
    concurrency: int,
    batch_size: int,
    request_timeout: float,
    deadline: float,
    output: str,
    quiet: bool,
) -> int:
    """Collect the estate from Azure into a snapshot, to scan later offline."""
    from auditor import outputs, scan
    from auditor.report import EXIT_INCOMPLETE

    outputs.check_paths([("--output", output)])
    live = scan.Live(
        subscriptions,
        management_groups,
        cloud,
        arm_endpoint,
        concurrency,
        batch_size,
        request_timeout,
        deadline,
    )
    document = collector(quiet)(live)
    scan.save(document, output)
    errors = len(document["errors"])
    click.echo(
        f"wrote {output}: {len(document['resources'])} resources, {len(document['arm'])} ARM "
        f"reads, {errors} error(s)",
        err=True,
    )
    return EXIT_INCOMPLETE if errors else 0
