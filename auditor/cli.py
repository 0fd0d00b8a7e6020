"""The command line: parses arguments, calls the library, maps errors to exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click
import yaml

from auditor import __version__, demo, rules, scan, snapshot, waivers
from auditor import config as config_mod
from auditor.atomic import Chunk, Staging, write_atomic
from auditor.collect.auth import CLOUDS, ENDPOINT_ENV
from auditor.errors import AuditorError, RenderError
from auditor.gates import Gates, breaches
from auditor.gates import exit_code as gated_exit_code
from auditor.model import TIERS, Severity, Tier
from auditor.render import FORMATS, Format, terminal
from auditor.render.console import visible
from auditor.report import EXIT_INCOMPLETE, EXIT_USAGE, Report

EXIT_CODES = """\b
Exit codes:
  0  every workload is ready for its target tier and the scan is complete
  1  a workload is not ready for its target tier
  2  bad input or usage (snapshot, config, rule file, arguments)
  3  the scan is incomplete: something could not be collected (wins over 1)"""

SCAN_EPILOG = (
    EXIT_CODES
    + """

\b
Gates for CI (each breach exits 1; an incomplete scan still exits 3):
  --fail-under SCORE  a workload's score for its target is under SCORE (0-100)
  --fail-on SEVERITY  a fail or error finding that is required or recommended at its
                      workload's target has SEVERITY or higher"""
)


def _fail(message: str) -> None:
    # one line, whatever the file or the estate put in the message
    click.echo(f"auditor: error: {visible(message)}", err=True)


def _reader_gone(stream: Any) -> None:
    """The reader of a pipe went away (`auditor scan ... | head`): what else is written there
    goes nowhere, and the scan still ends with its own exit code (not 0, not a traceback)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError):  # not a real file (tests capture it)
        pass
    finally:
        os.close(devnull)


def _say(stream: Any, text: str) -> None:
    """Text to a stream the reader may have closed."""
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        _reader_gone(stream)


def _cannot_write(path: str, exc: OSError, what: str = "report") -> RenderError:
    return RenderError(f"{path}: cannot write {what}: {exc.strerror or exc}")


def _write(path: str, payload: bytes | Iterable[Chunk], what: str = "report") -> None:
    if path == "-":
        try:
            for chunk in [payload] if isinstance(payload, bytes) else payload:
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
        except BrokenPipeError:
            _reader_gone(sys.stdout)
        return
    try:
        write_atomic(Path(path), payload)
    except OSError as exc:
        raise _cannot_write(path, exc, what) from None


def _color(option: bool | None, stream: Any) -> bool:
    if option is not None:
        return option
    return bool(stream.isatty()) and "NO_COLOR" not in os.environ


def _live_options(command: Any) -> Any:
    options = [
        click.option(
            "--subscription",
            "subscriptions",
            metavar="ID",
            multiple=True,
            help="Scan this subscription (repeatable). No scope: every readable subscription.",
        ),
        click.option(
            "--management-group",
            "management_groups",
            metavar="NAME",
            multiple=True,
            help="Scan the subscriptions under this management group (repeatable).",
        ),
        click.option(
            "--cloud",
            type=click.Choice(sorted(CLOUDS)),
            default="AzureCloud",
            show_default=True,
            help="Azure cloud.",
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
            type=click.IntRange(1, 64),
            default=8,
            show_default=True,
            help="ARM reads in flight at once.",
        ),
        click.option(
            "--batch-size",
            type=click.IntRange(1, 1000),
            default=1000,
            show_default=True,
            help="Subscriptions per Resource Graph request.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _collect(
    subscriptions: tuple[str, ...],
    management_groups: tuple[str, ...],
    cloud: str,
    arm_endpoint: str | None,
    concurrency: int,
    batch_size: int,
    quiet: bool,
) -> dict[str, Any]:
    from auditor.collect import Collector, Options
    from auditor.collect.auth import credential, resolve_target
    from auditor.progress import PlainLog, RichProgress, Silent

    target = resolve_target(cloud, arm_endpoint)
    options = Options(
        subscriptions=subscriptions,
        management_groups=management_groups,
        concurrency=concurrency,
        batch_size=batch_size,
    )
    display: RichProgress | PlainLog | Silent
    if quiet:
        display = Silent()
    elif sys.stderr.isatty():
        display = RichProgress(sys.stderr)
    else:
        display = PlainLog(sys.stderr)
    with display:
        return Collector(target, credential(target), options, display).run()


def _save(document: dict[str, Any], path: str) -> None:
    try:
        snapshot.dump(document, path)
    except OSError as exc:
        raise _cannot_write(path, exc, "snapshot") from None


@click.group(
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": 100,
        "terminal_width": 100,
    },
    epilog=EXIT_CODES,
)
@click.version_option(__version__, prog_name="auditor")
def cli() -> None:
    """Azure Machine Learning disaster-recovery readiness scanner.

    Tells, with evidence, whether each primary/secondary workspace pair is ready for
    hot/hot, hot/warm and hot/cold failover, following Microsoft's Azure ML guidance.
    """


def _format_options(command: Any) -> Any:
    for fmt in reversed(FORMATS):
        command = click.option(fmt.option, f"out_{fmt.name}", metavar="PATH", help=fmt.help)(
            command
        )
    return command


@cli.command(epilog=SCAN_EPILOG)
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
    default=Tier.HOT_COLD.value,
    show_default=True,
    help="Target tier of workloads that set none.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Judge attestation and waiver expiry at this date (default: today).",
)
@click.option(
    "--waivers",
    "waivers_path",
    metavar="FILE",
    help="Accepted risks (YAML): each waives a rule on a workload or resources until a date.",
)
@click.option(
    "--history",
    "history_path",
    metavar="PATH",
    help="Append this run's scores, readiness and findings to a SQLite history database.",
)
@_live_options
@click.option(
    "--save-snapshot",
    metavar="PATH",
    help="Also save what a live scan collected, to scan again offline.",
)
@_format_options
@click.option(
    "--fail-under",
    type=click.IntRange(0, 100),
    metavar="SCORE",
    help="Also exit 1 when a workload's score for its target is under SCORE (0-100).",
)
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity]),
    help="Also exit 1 on a fail or error finding of this severity or higher that is "
    "required or recommended at its workload's target.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show every finding with its evidence.")
@click.option("-q", "--quiet", is_flag=True, help="No terminal summary.")
@click.option(
    "--color/--no-color", default=None, help="Force colour on or off (NO_COLOR is honoured)."
)
def scan_cmd(
    demo: bool,
    snapshot_path: str | None,
    config_path: str | None,
    rule_dirs: tuple[Path, ...],
    target: str,
    as_of: dt.datetime | None,
    waivers_path: str | None,
    history_path: str | None,
    subscriptions: tuple[str, ...],
    management_groups: tuple[str, ...],
    cloud: str,
    arm_endpoint: str | None,
    concurrency: int,
    batch_size: int,
    save_snapshot: str | None,
    verbose: bool,
    quiet: bool,
    color: bool | None,
    fail_under: int | None,
    fail_on: str | None,
    **outputs: str | None,
) -> int:
    """Scan an estate (live from Azure, a saved snapshot, or the demo) and report readiness
    per workload and tier."""
    if demo and snapshot_path:
        raise click.UsageError("--demo and --snapshot are exclusive: choose one")
    live = not demo and not snapshot_path
    if not live and (subscriptions or management_groups or save_snapshot):
        raise click.UsageError(
            "--subscription, --management-group and --save-snapshot are for live scans"
        )
    if live:
        document = _collect(
            subscriptions, management_groups, cloud, arm_endpoint, concurrency, batch_size, quiet
        )
        if save_snapshot:
            _save(document, save_snapshot)
        snap = snapshot.validate(document, "live")
    else:
        snap = snapshot.load(demo_snapshot() if demo else Path(str(snapshot_path)))
    if config_path:
        config = config_mod.load(config_path)
    elif demo:
        config = config_mod.load(demo_config())
    else:
        config = config_mod.Config()
    loaded = rules.load(rule_dirs)
    accepted = waivers.load(waivers_path) if waivers_path else ()
    waivers.check_rules(accepted, (r.id for r in loaded), str(waivers_path))
    report = scan.run(
        snap,
        config,
        loaded,
        default_target=Tier(target),
        as_of=as_of.date() if as_of else None,
        waivers=accepted,
    )
    to_stdout = _to_stdout(outputs)
    gates = Gates(fail_under, Severity(fail_on) if fail_on else None)
    run_id, trend = (
        _record(history_path, report, gated_exit_code(report, gates))
        if history_path
        else (None, None)
    )
    try:
        stream = _emit(
            report,
            outputs,
            lambda fmt: _render_with_trend(fmt, report, trend),
            to_stdout=to_stdout,
            verbose=verbose,
            quiet=quiet,
            color=color,
        )
    except BaseException:
        if history_path and run_id is not None:
            from auditor import history

            history.forget(history_path, run_id)  # the run did not land: not in the history
        raise
    return _gated(report, gates, quiet=quiet, stream=stream)


def _to_stdout(outputs: dict[str, str | None]) -> bool:
    """Whether a format goes to stdout ('-'); at most one may. An empty path is a usage
    error, not a format quietly left out."""
    for fmt in FORMATS:
        if outputs.get(f"out_{fmt.name}") == "":
            raise click.UsageError(f"{fmt.option} needs a path ('-' for stdout)")
    chosen = [fmt for fmt in FORMATS if outputs.get(f"out_{fmt.name}") == "-"]
    if len(chosen) > 1:
        raise click.UsageError("only one format can be written to stdout ('-')")
    return bool(chosen)


def _emit(
    report: Report,
    outputs: dict[str, str | None],
    render: Any,
    *,
    to_stdout: bool,
    verbose: bool,
    quiet: bool,
    color: bool | None,
) -> Any:
    """Write every requested format, then the terminal summary (to stderr when a format went
    to stdout); returns the stream the summary went to. The files are replaced together once
    all are written: when one cannot be, none of the others is touched."""
    with Staging() as staging:
        for fmt in FORMATS:
            path = outputs.get(f"out_{fmt.name}")
            if path and path != "-":
                try:
                    staging.write(path, render(fmt))
                except OSError as exc:
                    raise _cannot_write(path, exc) from None
        for fmt in FORMATS:
            if outputs.get(f"out_{fmt.name}") == "-":
                _write("-", render(fmt))
    stream = sys.stderr if to_stdout else sys.stdout
    if not quiet:
        width = shutil.get_terminal_size((120, 40)).columns
        text = terminal.render(report, verbose=verbose, color=_color(color, stream), width=width)
        _say(stream, text)
    return stream


HTML_TREND_RUNS = 12


def _record(path: str, report: Report, exit_code: int) -> tuple[int, dict[str, Any]]:
    """Append the run to the history; its run id, and the trend of this report's workloads
    for the HTML."""
    from auditor import history

    run_id = history.record(path, report, exit_code=exit_code)
    names = tuple(w.name for w in report.workloads)
    trend = history.document(path, history.trend(path, workloads=names, last=HTML_TREND_RUNS))
    return run_id, trend


def _render_with_trend(
    fmt: Format, report: Report, trend: dict[str, Any] | None
) -> bytes | Iterable[Chunk]:
    if fmt.name == "html" and trend is not None:
        from auditor.render import html

        rendered: bytes = html.render(report, history=trend)
        return rendered
    return fmt.produce(report)


cli.add_command(scan_cmd, name="scan")


@cli.command(name="plan")
@click.argument("workload")
@click.option("--demo", is_flag=True, help="Plan from the bundled demo estate (and its config).")
@click.option("--snapshot", "snapshot_path", metavar="PATH", help="Plan from a saved snapshot.")
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
    help="The tier to plan for (default: the workload's own target).",
)
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Judge at date.")
@click.option("--waivers", "waivers_path", metavar="FILE", help="Accepted risks (YAML).")
@_live_options
@click.option("--markdown", "out_markdown", metavar="PATH", help="Write the plan as a ticket.")
@click.option("--script", "out_script", metavar="PATH", help="Write a commented shell script.")
@click.option("--bicep", "out_bicep", metavar="PATH", help="Write the declarative part as Bicep.")
@click.option("-q", "--quiet", is_flag=True, help="No terminal output.")
def plan_cmd(
    workload: str,
    demo: bool,
    snapshot_path: str | None,
    config_path: str | None,
    rule_dirs: tuple[Path, ...],
    target: str | None,
    as_of: dt.datetime | None,
    waivers_path: str | None,
    subscriptions: tuple[str, ...],
    management_groups: tuple[str, ...],
    cloud: str,
    arm_endpoint: str | None,
    concurrency: int,
    batch_size: int,
    out_markdown: str | None,
    out_script: str | None,
    out_bicep: str | None,
    quiet: bool,
) -> int:
    """The ordered steps that take WORKLOAD to its target, with az commands filled with the
    estate's names (docs/plan.md). auditor runs none of them."""
    from auditor import plan
    from auditor.estate import build
    from auditor.render import plan_bicep, plan_markdown, plan_script, plan_text

    if demo and snapshot_path:
        raise click.UsageError("--demo and --snapshot are exclusive: choose one")
    if demo or snapshot_path:
        if subscriptions or management_groups:
            raise click.UsageError("--subscription and --management-group are for live scans")
        snap = snapshot.load(demo_snapshot() if demo else Path(str(snapshot_path)))
    else:
        document = _collect(
            subscriptions, management_groups, cloud, arm_endpoint, concurrency, batch_size, quiet
        )
        snap = snapshot.validate(document, "live")
    if config_path:
        config = config_mod.load(config_path)
    elif demo:
        config = config_mod.load(demo_config())
    else:
        config = config_mod.Config()
    loaded = rules.load(rule_dirs)
    accepted = waivers.load(waivers_path) if waivers_path else ()
    waivers.check_rules(accepted, (r.id for r in loaded), str(waivers_path))
    report = scan.run(snap, config, loaded, as_of=as_of.date() if as_of else None, waivers=accepted)
    made = plan.build(report, build(snap), workload, Tier(target) if target else None)
    with Staging() as staging:
        for path, render in (
            (out_markdown, plan_markdown.render),
            (out_script, plan_script.render),
            (out_bicep, plan_bicep.render),
        ):
            if path:
                try:
                    staging.write(path, render(made).encode())
                except OSError as exc:
                    raise _cannot_write(path, exc, "plan") from None
    if not quiet:
        width = min(shutil.get_terminal_size((80, 40)).columns, 100)
        _say(sys.stdout, plan_text.render(made, width=width))
    return made.exit_code


def demo_snapshot() -> Path:
    return demo.snapshot_path()


def demo_config() -> Path:
    return demo.config_path()


@cli.command("collect", epilog=EXIT_CODES)
@_live_options
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
    output: str,
    quiet: bool,
) -> int:
    """Collect the estate from Azure into a snapshot, to scan later offline."""
    document = _collect(
        subscriptions, management_groups, cloud, arm_endpoint, concurrency, batch_size, quiet
    )
    _save(document, output)
    errors = len(document["errors"])
    click.echo(
        f"wrote {output}: {len(document['resources'])} resources, {len(document['arm'])} ARM "
        f"reads, {errors} error(s)",
        err=True,
    )
    return EXIT_INCOMPLETE if errors else 0


@cli.group("rules")
def rules_group() -> None:
    """List, show, validate and test rules."""


_rules_option = click.option(
    "--rules",
    "rule_dirs",
    metavar="DIR",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Also load this directory of rule files (repeatable).",
)


@rules_group.command("list")
@_rules_option
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def rules_list(rule_dirs: tuple[Path, ...], as_json: bool) -> int:
    """List every rule with its requirements and level per tier."""
    loaded = rules.load(rule_dirs)
    if as_json:
        click.echo(json.dumps([r.model_dump(mode="json") for r in loaded], indent=2))
        return 0
    header = f"{'RULE':<16} {'REQUIREMENTS':<13} {'CLASS':<11} {'SEVERITY':<9} "
    header += " ".join(f"{t.value:<11}" for t in TIERS) + " TITLE"
    click.echo(header)
    for rule in loaded:
        levels = " ".join(f"{rule.levels[t].value:<11}" for t in TIERS)
        click.echo(
            f"{rule.id:<16} {','.join(rule.requirements):<13} {rule.asset_class.value:<11} "
            f"{rule.severity.value:<9} {levels} {rule.title}"
        )
    return 0


@rules_group.command("show")
@click.argument("rule_id")
@_rules_option
def rules_show(rule_id: str, rule_dirs: tuple[Path, ...]) -> int:
    """Show one rule (or every rule citing a requirement id such as DR-10)."""
    loaded = rules.load(rule_dirs)
    chosen = [r for r in loaded if r.id.lower() == rule_id.lower()]
    if not chosen:
        chosen = [r for r in loaded if rule_id.upper() in r.requirements]
    if not chosen:
        raise click.BadParameter(f"no rule or requirement '{rule_id}'", param_hint="RULE_ID")
    for rule in chosen:
        click.echo(yaml.safe_dump(rule.model_dump(mode="json"), sort_keys=False, width=100))
    return 0


@rules_group.command("validate")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def rules_validate(directory: Path | None) -> int:
    """Validate a rule directory (default: the bundled rules), as `scan --rules DIR` would
    load it: beside the bundled rules, whose ids it must not reuse."""
    bundled = rules.load_dirs([rules.bundled_rules_dir()])
    if directory is None:
        click.echo(f"{len(bundled)} rule(s) valid in bundled rules")
        return 0
    loaded = rules.load([directory])
    click.echo(f"{len(loaded) - len(bundled)} rule(s) valid in {directory}")
    return 0


@rules_group.command("test")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def rules_test(directory: Path) -> int:
    """Run a rule directory's golden fixtures (DIR/fixtures/<RULE>/<case>/): PASS or FAIL per
    case; exit 1 when a case fails or a rule lacks a pass* or fail* case, 2 on bad input."""
    from auditor import rules_testing

    results = rules_testing.run_directory(directory)
    for result in results:
        click.echo(f"{'PASS' if result.ok else 'FAIL'}  {result.name}")
        for problem in result.problems:
            click.echo(f"      {problem}")
    failed = sum(1 for r in results if not r.ok)
    click.echo(f"{len(results)} case(s): {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


@cli.command("schema")
@click.argument("which", type=click.Choice(["snapshot", "report", "finding-event"]))
def schema_cmd(which: str) -> int:
    """Print the JSON Schema of the snapshot format, of the JSON report, or of one line of the
    NDJSON output (finding-event)."""
    if which == "snapshot":
        document = snapshot.schema()
    elif which == "finding-event":
        from auditor.render import ndjson

        document = ndjson.schema()
    else:
        from auditor.render import json_report

        document = json_report.schema()
    click.echo(json.dumps(document, indent=2))
    return 0


def _gated(report: Report, gates: Gates, *, quiet: bool, stream: Any) -> int:
    """The exit code with the gates applied; each breach is one line after the summary (on
    stderr with --quiet: a CI log must say why the run failed), then the exit code they make."""
    found = breaches(report, gates)
    code = gated_exit_code(report, gates)
    lines = [f"gate: {breach}\n" for breach in found]
    if code != report.exit_code:
        lines.append(f"exit code {code}: the gate(s) above\n")
    _say(sys.stderr if quiet else stream, "".join(lines))
    return code


REPORT_EXIT_CODES = """\b
Exit codes:
  0  the formats were written
  2  bad input or usage (a file that is not an auditor JSON report, arguments)"""


@cli.command("report", epilog=REPORT_EXIT_CODES)
@click.argument("source", metavar="FROM.json")
@_format_options
@click.option("-v", "--verbose", is_flag=True, help="Show every finding with its evidence.")
@click.option("-q", "--quiet", is_flag=True, help="No terminal summary.")
@click.option(
    "--color/--no-color", default=None, help="Force colour on or off (NO_COLOR is honoured)."
)
def report_cmd(
    source: str, verbose: bool, quiet: bool, color: bool | None, **outputs: str | None
) -> int:
    """Render a saved JSON report (auditor scan --json) again in any format, offline: no
    Azure, no snapshot."""
    from auditor.render import json_report

    to_stdout = _to_stdout(outputs)
    report = json_report.load(source)
    _emit(
        report,
        outputs,
        lambda fmt: fmt.produce(report),
        to_stdout=to_stdout,
        verbose=verbose,
        quiet=quiet,
        color=color,
    )
    return 0


DIFF_EXIT_CODES = """\b
Exit codes:
  0  no workload lost readiness
  1  readiness regressed: a workload in both reports lost readiness for a tier or its target
  2  bad input or usage (a file that is not an auditor JSON report, arguments)"""


@cli.command("diff", epilog=DIFF_EXIT_CODES)
@click.argument("old", metavar="OLD.json")
@click.argument("new", metavar="NEW.json")
@click.option(
    "--json", "out_json", metavar="PATH", help="Write the diff as JSON to PATH, '-' for stdout."
)
@click.option("-q", "--quiet", is_flag=True, help="No terminal summary.")
@click.option(
    "--color/--no-color", default=None, help="Force colour on or off (NO_COLOR is honoured)."
)
def diff_cmd(old: str, new: str, out_json: str | None, quiet: bool, color: bool | None) -> int:
    """Compare two JSON reports by their stable finding ids: new, fixed and regressed findings,
    readiness and scores per workload and tier, workloads added and removed."""
    from auditor import diff
    from auditor.render import diff_text

    result = diff.compare(diff.load_report(old), diff.load_report(new))
    if out_json:
        payload = json.dumps(diff.document(result), indent=2, ensure_ascii=False) + "\n"
        _write(out_json, payload.encode())
    if not quiet:
        stream = sys.stderr if out_json == "-" else sys.stdout
        width = shutil.get_terminal_size((120, 40)).columns
        stream.write(diff_text.render(result, color=_color(color, stream), width=width))
        stream.flush()
    return result.exit_code


@cli.command("history")
@click.argument("path", metavar="PATH")
@click.option(
    "--workload",
    "workloads",
    metavar="NAME",
    multiple=True,
    help="Only this workload (repeatable).",
)
@click.option(
    "--last", type=click.IntRange(1, 10_000), default=10, show_default=True, help="Runs to show."
)
@click.option("--json", "as_json", is_flag=True, help="Print the trend as JSON.")
@click.option(
    "--color/--no-color", default=None, help="Force colour on or off (NO_COLOR is honoured)."
)
def history_cmd(
    path: str, workloads: tuple[str, ...], last: int, as_json: bool, color: bool | None
) -> int:
    """Show the trend per workload and tier from a history database (auditor scan --history):
    for the last runs, when, the score and whether it was ready."""
    from auditor import history
    from auditor.render import history_text

    result = history.trend(path, workloads=workloads, last=last)
    if as_json:
        click.echo(json.dumps(history.document(path, result), indent=2, ensure_ascii=False))
        return 0
    width = shutil.get_terminal_size((120, 40)).columns
    text = history_text.render(path, result, color=_color(color, sys.stdout), width=width)
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


@cli.command("init")
@click.option("--snapshot", "snapshot_path", metavar="PATH", help="Propose from this snapshot.")
@click.option("--demo", is_flag=True, help="Propose from the bundled demo estate.")
@click.option(
    "--output",
    "-o",
    metavar="PATH",
    default="auditor.yaml",
    show_default=True,
    help="Config file to write, '-' for stdout.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option(
    "--target",
    type=click.Choice([t.value for t in TIERS]),
    default=Tier.HOT_COLD.value,
    show_default=True,
    help="Target tier proposed for workloads without a dr-target tag.",
)
def init_cmd(snapshot_path: str | None, demo: bool, output: str, force: bool, target: str) -> int:
    """Write a starter auditor.yaml: the workspace pairs a snapshot suggests, and why, for a
    person to confirm."""
    from auditor import config_tools
    from auditor.errors import ConfigError
    from auditor.estate import build

    if demo == bool(snapshot_path):
        raise click.UsageError("give one of --snapshot PATH or --demo")
    source = demo_snapshot() if demo else Path(str(snapshot_path))
    estate = build(snapshot.load(source))
    against = "--demo" if demo else f"--snapshot {source}"
    validate = f"auditor config validate {'auditor.yaml' if output == '-' else output} {against}"
    origin = "the demo estate" if demo else str(source)
    text, proposed = config_tools.propose(estate, origin, validate, Tier(target))
    if output == "-":
        _write(output, text.encode())
        return 0
    if Path(output).exists() and not force:
        raise ConfigError(f"{output}: already exists; not replaced (use --force)")
    _write(output, text.encode(), "the configuration")
    kinds = ", ".join(
        f"{n} {kind}"
        for kind in ("tags", "discovered", "standalone")
        if (n := sum(1 for w in proposed if w.source == kind))
    )
    click.echo(
        f"wrote {output}: {len(proposed)} workload(s) proposed ({kinds or 'none'}); review it, "
        f"then run: {validate}",
        err=True,
    )
    return 0


@cli.group("config")
def config_group() -> None:
    """Check a configuration file."""


@config_group.command("validate")
@click.argument("config_path", metavar="CONFIG")
@click.option(
    "--snapshot",
    "snapshot_path",
    metavar="PATH",
    help="Also check the config against this estate (workspace ids).",
)
@click.option("--demo", is_flag=True, help="Check against the bundled demo estate.")
def config_validate(config_path: str, snapshot_path: str | None, demo: bool) -> int:
    """Check a config: its schema, and with a snapshot, that every workspace it names exists.
    Exit 0 when valid, 2 on problems (one line each)."""
    from auditor import config_tools
    from auditor.estate import build

    if demo and snapshot_path:
        raise click.UsageError("--demo and --snapshot are exclusive: choose one")
    loaded, problems = config_mod.problems(config_path)
    notes: list[str] = []
    if loaded is not None and (snapshot_path or demo):
        source = demo_snapshot() if demo else Path(str(snapshot_path))
        checked = config_tools.against_estate(loaded, build(snapshot.load(source)), config_path)
        problems, notes = checked.problems, checked.notes
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{config_path}: {len(problems)} problem(s)", err=True)
        return EXIT_USAGE
    assert loaded is not None
    where = "; every workspace it names is in the snapshot" if (snapshot_path or demo) else ""
    click.echo(f"{config_path}: valid ({len(loaded.workloads)} workload(s){where})")
    for note in notes:
        click.echo(f"note: {note}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (never raises for bad input)."""
    args = list(argv) if argv is not None else sys.argv[1:]
    try:
        result = cli.main(args=args, prog_name="auditor", standalone_mode=False)
    except click.exceptions.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        _fail("aborted")
        return 130
    except AuditorError as exc:
        _fail(str(exc))
        return EXIT_USAGE
    except BrokenPipeError:
        return 0
    return result if isinstance(result, int) else 0


def entry() -> None:
    sys.exit(main())
