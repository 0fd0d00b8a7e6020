"""The command line: parses arguments, calls the library, maps errors to exit codes.

One module per command group; each command imports what it uses when it runs, so that
`auditor --help` and `auditor COMMAND --help` start quickly."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from auditor import __version__
from auditor.cli.collect import collect_cmd
from auditor.cli.common import EXIT_CODES, fail
from auditor.cli.config import config_group, init_cmd
from auditor.cli.diff import diff_cmd
from auditor.cli.history import history_cmd
from auditor.cli.plan import plan_cmd
from auditor.cli.report import report_cmd
from auditor.cli.rules import rules_group
from auditor.cli.scan import scan_cmd
from auditor.cli.schema import schema_cmd
from auditor.cli.whatif import whatif_cmd
from auditor.errors import AuditorError, SignInError
from auditor.log_analytics.command import upload_cmd

# The exit code of bad input or usage (auditor.report.EXIT_USAGE, not imported for --help).
EXIT_USAGE = 2
# auditor.report.EXIT_INCOMPLETE: nothing could be collected, readiness cannot be proven
EXIT_INCOMPLETE = 3
EXIT_ABORTED = 130


@click.group(
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": 100,
        "terminal_width": 100,
    },
    epilog=EXIT_CODES
    + """

\b
Examples:
  auditor scan --demo
  auditor scan --subscription SUB1 --html report.html
  auditor rules show DR-06
  auditor COMMAND --help

\b
Shell completion (bash; zsh and fish alike, README.md):
  eval "$(_AUDITOR_COMPLETE=bash_source auditor)"
""",
)
@click.version_option(__version__, prog_name="auditor")
def cli() -> None:
    """Azure Machine Learning disaster-recovery readiness scanner.

    Tells, with evidence, whether each primary/secondary workspace pair is ready for
    hot/hot, hot/warm and hot/cold failover, following Microsoft's Azure ML guidance.
    """


for _command in (
    scan_cmd,
    collect_cmd,
    rules_group,
    schema_cmd,
    report_cmd,
    diff_cmd,
    history_cmd,
    init_cmd,
    config_group,
    plan_cmd,
    whatif_cmd,
    upload_cmd,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (never raises for bad input)."""
    args = list(argv) if argv is not None else sys.argv[1:]
    try:
        result = cli.main(args=args, prog_name="auditor", standalone_mode=False)
    except click.exceptions.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        fail("aborted")
        return EXIT_ABORTED
    except SignInError as exc:
        fail(str(exc))
        return EXIT_INCOMPLETE
    except AuditorError as exc:
        for problem in exc.problems:  # every problem of the input files, one line each
            fail(problem)
        if len(exc.problems) > 1:
            fail(f"{len(exc.problems)} problems")
        return EXIT_USAGE
    except BrokenPipeError:
        return 0
    return result if isinstance(result, int) else 0


def entry() -> None:
    sys.exit(main())
