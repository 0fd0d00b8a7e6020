"""One scan: snapshot -> estate -> workloads -> findings -> report, live and offline alike
(`run`); and the scan workflow around it (`execute`): a request in, a report written out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from auditor import __version__, outputs
from auditor import config as config_mod
from auditor import rules as rules_mod
from auditor import snapshot as snapshot_mod
from auditor import waivers as waivers_mod
from auditor.atomic import Chunk
from auditor.azure import get_path
from auditor.config import Config
from auditor.engine import apply_waivers, evaluate
from auditor.errors import AuditorError, UsageError
from auditor.estate import Estate, build
from auditor.gates import Gates, breaches
from auditor.gates import exit_code as gated_exit_code
from auditor.heap import paused_gc
from auditor.model import Tier
from auditor.render import Format
from auditor.report import Report, ScanInfo, WorkloadResult, select
from auditor.rules import Rule
from auditor.scoring import ladder, score_target
from auditor.snapshot import Snapshot
from auditor.topology import topology
from auditor.waivers import Waiver
from auditor.workloads import resolve


def _errors(estate: Estate) -> tuple[dict[str, Any], ...]:
    recorded = [
        {
            "source": str(err.get("source")),
            "request": str(err.get("request")),
            "status": err.get("status"),
            "code": err.get("code"),
            "message": str(err.get("message")),
            **({"subscription": err["subscription"]} if err.get("subscription") else {}),
        }
        for err in estate.snapshot.errors
    ]
    failed_reads = [
        {
            "source": "arm",
            "request": f"GET {read.path}",
            "status": read.status,
            "code": str(code)
            if isinstance(code := get_path(read.body, "error.code"), str)
            else None,
            "message": read.describe_failure(),
        }
        for read in estate.arm_reads.values()
        if not read.ok and not any(read.path.lower() in str(e["request"]).lower() for e in recorded)
    ]
    malformed = [
        {
            "source": "snapshot",
            "request": problem.split(":", 1)[0],
            "status": None,
            "code": "MalformedRow",
            "message": problem,
        }
        for problem in estate.problems
    ]
    return tuple(recorded + failed_reads + malformed)


@paused_gc()
def run(
    snapshot: Snapshot,
    config: Config,
    rules: Sequence[Rule],
    *,
    default_target: Tier = Tier.HOT_COLD,
    as_of: dt.date | None = None,
    source: str | None = None,
    now: dt.datetime | None = None,
    waivers: Sequence[Waiver] = (),
) -> Report:
    return judge(
        build(snapshot),
        config,
        rules,
        default_target=default_target,
        as_of=as_of,
        source=source,
        now=now,
        waivers=waivers,
    )


def judge(
    estate: Estate,
    config: Config,
    rules: Sequence[Rule],
    *,
    default_target: Tier = Tier.HOT_COLD,
    as_of: dt.date | None = None,
    source: str | None = None,
    now: dt.datetime | None = None,
    waivers: Sequence[Waiver] = (),
) -> Report:
    """The scan of an estate already built (run builds it from the snapshot)."""
    now = now or dt.datetime.now(dt.UTC)
    as_of = as_of or now.date()
    snapshot = estate.snapshot
    workloads, notes = resolve(estate, config, default_target)
    findings, waived = apply_waivers(evaluate(estate, workloads, rules, as_of), waivers, as_of)
    by_workload: dict[str, list[Any]] = {w.name: [] for w in workloads}
    for finding in findings:
        by_workload[finding.workload].append(finding)
    results = []
    for workload in workloads:
        mine = by_workload[workload.name]
        primary = estate.get(workload.primary)
        secondary = estate.get(workload.secondary) if workload.secondary else None
        results.append(
            WorkloadResult(
                workload=workload,
                primary_region=primary.location or None if primary else None,
                secondary_region=secondary.location or None if secondary else None,
                tiers=ladder(mine),
                target=score_target(mine),
                findings=tuple(mine),
                topology_source=partial(topology, estate, workload, mine),
            )
        )
    results.sort(key=lambda r: r.name)
    ordered = sorted(findings, key=lambda f: (f.workload, f.requirements[0], f.rule))
    scan = ScanInfo(
        source=source or str(snapshot.data.get("origin") or "snapshot"),
        collected_at=snapshot.collected_at,
        cloud=snapshot.cloud,
        scope=dict(snapshot.scope),
        errors=_errors(estate),
        notes=tuple(notes),
        rules=tuple(r.id for r in rules),
        as_of=as_of,
        error_findings=sum(1 for f in findings if f.unseen),
    )
    return Report(
        tool_version=__version__,
        generated_at=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        scan=scan,
        workloads=tuple(results),
        findings=tuple(ordered),
        waivers=waived,
    )


# -- the workflow ------------------------------------------------------------------------------

HTML_TREND_RUNS = 12


@dataclass(frozen=True)
class Live:
    """Where and how a live scan collects (the collector's options)."""

    subscriptions: tuple[str, ...] = ()
    management_groups: tuple[str, ...] = ()
    cloud: str = "AzureCloud"
    arm_endpoint: str | None = None
    concurrency: int = 8
    batch_size: int = 1000
    request_timeout: float = 60.0
    deadline: float = 1800.0


@dataclass(frozen=True)
class Request:
    """One scan as a user asks for it: the estate (the demo, a saved snapshot, or live), the
    files that shape the verdicts, and where the outputs go (format name -> path, '-' for
    stdout)."""

    demo: bool = False
    snapshot: str | None = None
    live: Live = field(default_factory=Live)
    config: str | None = None
    rule_dirs: tuple[Path, ...] = ()
    waivers: str | None = None
    target: Tier = Tier.HOT_COLD
    as_of: dt.date | None = None
    history: str | None = None
    save_snapshot: str | None = None
    outputs: Mapping[str, str | None] = field(default_factory=dict)
    gates: Gates = field(default_factory=Gates)
    # --workload: only the workloads matching these globs, in the summary and every report
    workloads: tuple[str, ...] = ()
    # --max-snapshot-bytes: a saved snapshot larger than this (decompressed) is refused
    max_snapshot_bytes: int = snapshot_mod.MAX_BYTES

    @property
    def is_live(self) -> bool:
        return not self.demo and not self.snapshot


@dataclass(frozen=True)
class Outcome:
    """What a scan came to: the report, every output written, and the exit code with the
    gates applied (`breaches` says why it differs from the report's own)."""

    report: Report
    exit_code: int
    breaches: tuple[str, ...]
    to_stdout: bool  # a format went to stdout: the terminal summary goes to stderr


# Collects a live estate: the snapshot document.
Collect = Callable[[Live], dict[str, Any]]


def check(request: Request) -> bool:
    """The request's arguments agree with each other; whether a format goes to stdout."""
    if request.demo and request.snapshot:
        raise UsageError("--demo and --snapshot are exclusive: choose one")
    live = request.live
    if not request.is_live and (
        live.subscriptions or live.management_groups or request.save_snapshot
    ):
        raise UsageError(
            "--subscription, --management-group and --save-snapshot are for live scans"
        )
    to_stdout = outputs.to_stdout(request.outputs)
    outputs.check_paths(
        [*outputs.format_paths(request.outputs), ("--save-snapshot", request.save_snapshot)],
        inputs(request),
    )
    return to_stdout


def inputs(request: Request) -> list[outputs.Named]:
    """Every file the request reads (and the history it appends to)."""
    from auditor import demo

    named: list[outputs.Named] = [
        ("--snapshot", request.snapshot),
        ("--config", request.config),
        ("--waivers", request.waivers),
        ("--history", request.history),
    ]
    if request.demo:
        named += [("--demo", str(demo.snapshot_path())), ("--demo", str(demo.config_path()))]
    for directory in request.rule_dirs:
        if directory.is_dir():
            named += [("--rules", str(path)) for path in rules_mod.rule_files(directory)]
    return named


@dataclass(frozen=True)
class Judged:
    """A scan's report and the estate it judged (what-if and plan read both)."""

    report: Report
    estate: Estate


def judged(request: Request, collect: Collect | None = None) -> Judged:
    """Read what shapes the verdicts first (config, rules, waivers: every problem before any
    collection), then the estate (collected live, saved when asked, or loaded), and scan it,
    limited to the workloads the request names."""
    config, loaded, accepted = _verdict_inputs(request)
    estate = build(_estate(request, collect))
    report = judge(
        estate,
        config,
        loaded,
        default_target=request.target,
        as_of=request.as_of,
        waivers=accepted,
    )
    return Judged(select(report, request.workloads), estate)


def _verdict_inputs(request: Request) -> tuple[Config, tuple[Rule, ...], tuple[Waiver, ...]]:
    """The config, rules and waivers; every problem of all three in one error, so that one run
    shows what to fix in each file."""
    found: list[AuditorError] = []

    def read(load: Callable[[], Any]) -> Any:
        try:
            return load()
        except AuditorError as exc:
            found.append(exc)
            return None

    config = read(lambda: _config(request))
    loaded = read(lambda: rules_mod.load(request.rule_dirs))
    accepted = read(lambda: waivers_mod.load(request.waivers) if request.waivers else ())
    if found:
        problems = [problem for exc in found for problem in exc.problems]
        raise type(found[0])(problems[0], problems)
    waivers_mod.check_rules(accepted, (r.id for r in loaded), str(request.waivers))
    return config, loaded, accepted


def execute(request: Request, collect: Collect | None = None) -> Outcome:
    """The scan workflow: check the request; read the estate (collect it live, saving the
    snapshot when asked, or load it); load the config, rules and waivers; scan; record the run
    in the history; write every output. The outputs are replaced together, and a run whose
    outputs could not be written is taken out of the history again."""
    to_stdout = check(request)
    report = judged(request, collect).report
    code = gated_exit_code(report, request.gates)
    write_outputs(report, request.outputs, history=request.history, exit_code=code)
    return Outcome(report, code, breaches(report, request.gates), to_stdout)


def write_outputs(
    report: Report,
    chosen: Mapping[str, str | None],
    *,
    history: str | None = None,
    exit_code: int | None = None,
    record: bool = True,
) -> None:
    """Record the run in the history (when asked; `record` False only reads it, as
    `auditor report --history` does), then write every chosen format; the HTML shows the
    trend the history holds. When the outputs cannot all be written, the run is taken out of
    the history again: it did not land."""
    if history is None:
        outputs.write_formats(chosen, lambda fmt: fmt.produce(report))
        return
    from auditor import history as history_mod

    run_id = history_mod.record(history, report, exit_code=exit_code) if record else None
    try:
        names = tuple(w.name for w in report.workloads)
        trend = history_mod.document(
            history, history_mod.trend(history, workloads=names, last=HTML_TREND_RUNS)
        )
        outputs.write_formats(chosen, partial(_with_trend, report=report, trend=trend))
    except BaseException:
        if run_id is not None:
            history_mod.forget(history, run_id)
        raise


def _with_trend(fmt: Format, *, report: Report, trend: dict[str, Any]) -> bytes | Iterable[Chunk]:
    if fmt.name == "html":
        from auditor.render import html

        rendered: bytes = html.render(report, history=trend)
        return rendered
    return fmt.produce(report)


def save(document: dict[str, Any], path: str) -> None:
    """A collected snapshot, saved to scan again offline."""
    try:
        snapshot_mod.dump(document, path)
    except OSError as exc:
        raise outputs.cannot_write(path, exc, "snapshot") from None


def _estate(request: Request, collect: Collect | None) -> Snapshot:
    """The snapshot the request names: collected live (and saved when asked), or read."""
    from auditor import demo

    if not request.is_live:
        return snapshot_mod.load(
            demo.snapshot_path() if request.demo else Path(str(request.snapshot)),
            request.max_snapshot_bytes,
        )
    if collect is None:
        raise UsageError("a live scan needs a collector")
    document = collect(request.live)
    if request.save_snapshot:
        save(document, request.save_snapshot)
    return snapshot_mod.validate(document, "live")


def _config(request: Request) -> Config:
    from auditor import demo

    if request.config:
        return config_mod.load(request.config)
    if request.demo:
        return config_mod.load(demo.config_path())
    return Config()
