"""What the commands share: option groups, exit-code epilogs, colour and width, one-line errors.

Imported by `auditor --help`: nothing here imports the rules, the renderers, pydantic, jsonschema
or azure at import time (the commands import what they use when they run)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor.azure import CLOUD_NAMES, ENDPOINT_ENV
from auditor.errors import UsageError
from auditor.render import FORMATS

if TYPE_CHECKING:
    from auditor.scan import Collect, Live

EXIT_CODES = """\b
Exit codes:
  0  every workload is ready for its target tier and the scan is complete
  1  a workload is not ready for its target tier
  2  bad input or usage (snapshot, config, rule file, arguments)
  3  the scan is incomplete: something could not be collected (or, live, no credential
     gave a token), or --log-analytics rows could not be sent (they wait in the spool);
     wins over 1"""

COLOR_HELP = "Force colour on or off (NO_COLOR is honoured)."


def fail(message: str) -> None:
    from auditor.render.console import visible

    # one line, whatever the file or the estate put in the message
    click.echo(f"auditor: error: {visible(message)}", err=True)


def color(option: bool | None, stream: Any) -> bool:
    if option is not None:
        return option
    return bool(stream.isatty()) and "NO_COLOR" not in os.environ


def width() -> int:
    """The terminal summary's width: COLUMNS, else the terminal's, else 80."""
    from auditor.render.console import terminal_width

    return terminal_width()


# terminal.Show's values (tests/test_terminal.py keeps them equal), not imported for --help
SHOW_CHOICES = ("failing", "blocking", "all")


def summary_options(command: Any) -> Any:
    """--workload and --show, on every command that writes the terminal summary."""
    command = click.option(
        "--show",
        type=click.Choice(SHOW_CHOICES),
        metavar="WHICH",
        help="Findings the terminal summary lists per workload: failing (the default), "
        "blocking (only what blocks the target) or all (-v: all, with evidence).",
    )(command)
    return click.option(
        "--workload",
        "workload_patterns",
        metavar="NAME",
        multiple=True,
        help="Only the workloads matching NAME, a glob in any case (repeatable): the summary "
        "and every report.",
    )(command)


def not_both(quiet: bool, verbose: bool, show: str | None = None) -> None:
    """-q asks for no summary, -v and --show for more or other of it: a usage error, not a
    silent choice."""
    if quiet and verbose:
        raise click.UsageError("-q/--quiet and -v/--verbose contradict each other: choose one")
    if quiet and show is not None:
        raise click.UsageError(
            f"-q/--quiet prints no summary for --show {show} to choose from: drop one of them"
        )


@contextmanager
def usage_errors() -> Iterator[None]:
    """The library's usage errors shown as click shows its own: with the command's usage."""
    try:
        yield
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None


def live_options(command: Any) -> Any:
    options = [
        click.option(
            "--subscription",
            "subscriptions",
            metavar="ID",
            multiple=True,
            help="Read this subscription (repeatable). No scope: every readable subscription.",
        ),
        click.option(
            "--management-group",
            "management_groups",
            metavar="NAME",
            multiple=True,
            help="Read the subscriptions under this management group (repeatable).",
        ),
        click.option(
            "--cloud",
            type=click.Choice(sorted(CLOUD_NAMES)),
            metavar="CLOUD",
            default="AzureCloud",
            show_default=True,
            help=f"Azure cloud: {', '.join(sorted(CLOUD_NAMES))}.",
        ),
        click.option(
            "--arm-endpoint",
            metavar="URL",
            envvar=ENDPOINT_ENV,
            help=f"Another Resource Manager endpoint (also {ENDPOINT_ENV}); "
            "plain http only on loopback.",
        ),
        click.option(
            "--concurrency",
            metavar="N",
            type=click.IntRange(1, 64),
            default=8,
            show_default=True,
            help="ARM reads in flight at once.",
        ),
        click.option(
            "--batch-size",
            metavar="N",
            type=click.IntRange(1, 1000),
            default=1000,
            show_default=True,
            help="Subscriptions per Resource Graph request.",
        ),
        click.option(
            "--request-timeout",
            metavar="SECONDS",
            type=click.FloatRange(0, min_open=True),
            default=60.0,
            show_default=True,
            help="Seconds to connect, and to wait for each part of an answer.",
        ),
        click.option(
            "--deadline",
            metavar="SECONDS",
            type=click.FloatRange(0, min_open=True),
            default=1800.0,
            show_default=True,
            help="Seconds the collection may take; what is not read by then is an error.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def live(options: dict[str, Any]) -> Live:
    """The live options' values (see live_options), popped from a command's keyword arguments."""
    from auditor import scan

    return scan.Live(
        options.pop("subscriptions"),
        options.pop("management_groups"),
        options.pop("cloud"),
        options.pop("arm_endpoint"),
        options.pop("concurrency"),
        options.pop("batch_size"),
        options.pop("request_timeout"),
        options.pop("deadline"),
    )


def format_options(command: Any) -> Any:
    for fmt in reversed(FORMATS):
        command = click.option(fmt.option, f"out_{fmt.name}", metavar="PATH", help=fmt.help)(
            command
        )
    return command


def chosen_formats(options: dict[str, str | None]) -> dict[str, str | None]:
    """The format options' values by format name (`out_json` -> `json`)."""
    return {fmt.name: options.get(f"out_{fmt.name}") for fmt in FORMATS}


rules_option = click.option(
    "--rules",
    "rule_dirs",
    metavar="DIR",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Also load this directory of rule files (repeatable).",
)


def collector(quiet: bool) -> Collect:
    """Collects a live estate with a progress display on stderr (none with --quiet)."""

    def collect(live: Live) -> dict[str, Any]:
        from auditor.collect.auth import credential, resolve_target, sign_in
        from auditor.collect.run import Collector, Options
        from auditor.progress import PlainLog, RichProgress, Silent

        target = resolve_target(live.cloud, live.arm_endpoint)
        cred = credential(target)
        sign_in(target, cred)  # before any progress display: a failed sign-in is one line
        options = Options(
            subscriptions=live.subscriptions,
            management_groups=live.management_groups,
            concurrency=live.concurrency,
            batch_size=live.batch_size,
            request_timeout=live.request_timeout,
            deadline=live.deadline,
        )
        display: RichProgress | PlainLog | Silent
        if quiet:
            display = Silent()
        elif sys.stderr.isatty():
            display = RichProgress(sys.stderr)
        else:
            display = PlainLog(sys.stderr)
        with display:
            return Collector(target, cred, options, display).run()

    return collect


# auditor.snapshot.MAX_BYTES, not imported for --help (tests/test_cli.py keeps them equal)
MAX_SNAPSHOT_BYTES = 2 * 1024**3

max_snapshot_option = click.option(
    "--max-snapshot-bytes",
    metavar="BYTES",
    type=click.IntRange(1),
    default=MAX_SNAPSHOT_BYTES,
    show_default=True,
    help="Refuse a saved snapshot larger than BYTES once decompressed, before reading it whole.",
)
