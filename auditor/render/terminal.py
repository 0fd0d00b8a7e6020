"""The terminal summary: a readiness ladder per workload, then what blocks each target."""

from __future__ import annotations

import json
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from auditor.model import TIERS, Finding, Status
from auditor.render.console import SafeText as Text
from auditor.render.console import text_console
from auditor.report import Report, WorkloadResult
from auditor.scoring import TierResult

STATUS_STYLE = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.ERROR: "bold magenta",
    Status.MANUAL: "yellow",
    Status.NOT_APPLICABLE: "dim",
    Status.SUPPRESSED: "cyan",
}


def _cell(result: TierResult) -> Text:
    if result.ready:
        return Text(f"yes {result.score:>3}", style="green")
    return Text(f"no {result.score:>3}", style="red")


def _regions(result: WorkloadResult) -> str:
    primary = result.primary_region or "?"
    if result.workload.secondary is None:
        return f"{primary} -> (none)"
    return f"{primary} -> {result.secondary_region or '?'}"


def _ladder(report: Report, plain: bool) -> Table:
    table = Table(
        title="Readiness per workload and tier: ready yes/no and score 0-100",
        box=box.ASCII if plain else box.SIMPLE_HEAVY,
        title_justify="left",
        expand=False,
    )
    table.add_column("Workload", no_wrap=True)
    table.add_column("Source", overflow="fold")
    table.add_column("Regions", overflow="fold", min_width=12)
    table.add_column("Target", overflow="fold")
    for tier in TIERS:
        table.add_column(tier.value, justify="right", no_wrap=True)
    table.add_column("Target ready", no_wrap=True)
    for result in report.workloads:
        verdict = (
            Text("yes", style="bold green") if result.target.ready else Text("NO", style="bold red")
        )
        table.add_row(  # Text, not str: a str cell is read as markup ('[/]' in a tag)
            Text(result.name),
            Text(result.workload.source),
            Text(_regions(result)),
            Text(result.workload.target_summary),
            *(_cell(result.tiers[tier]) for tier in TIERS),
            verdict,
        )
    return table


def _finding_line(finding: Finding) -> Text:
    line = Text("  ")
    line.append(f"{finding.status.value.upper():<7}", style=STATUS_STYLE[finding.status])
    line.append(f" {finding.rule:<15} ", style="bold")
    line.append(f"[{finding.severity.value}] ", style="dim")
    line.append(finding.title)
    return line


def _detail(console: Console, finding: Finding, *, evidence: bool) -> None:
    console.print(_finding_line(finding))
    console.print(Text(f"      {finding.message}"))
    for note in finding.notes:
        console.print(Text(f"      note: {note}", style="dim"))
    if finding.status in (Status.FAIL, Status.ERROR, Status.MANUAL):
        console.print(Text(f"      fix: {finding.remediation.get('summary', '')}", style="cyan"))
    if evidence:
        for item in finding.evidence:
            observed = json.dumps(item.observed, ensure_ascii=False, default=str)
            expected = (
                f" (expected {json.dumps(item.expected, default=str)})"
                if item.expected is not None
                else ""
            )
            console.print(
                Text(
                    f"      evidence: {item.resource} {item.path} = {observed}{expected}",
                    style="dim",
                )
            )


def _workload_section(console: Console, result: WorkloadResult, verbose: bool) -> None:
    target = result.workload.target_summary
    if result.target.ready:
        console.print(Text(f"{result.name}: ready for its target ({target})", style="bold green"))
    else:
        console.print(Text(f"{result.name}: NOT ready for its target ({target})", style="bold red"))
    shown: set[str] = set()
    waiting = [f for f in result.target.blocking if f.awaits_secondary]
    for finding in result.target.blocking:
        if finding not in waiting or verbose:
            _detail(console, finding, evidence=verbose)
        shown.add(finding.id)
    if waiting and not verbose:
        rules = ", ".join(f.rule for f in waiting)
        console.print(Text(f"  and {len(waiting)} more rules need a secondary workspace: {rules}"))
    for finding in result.findings:
        if finding.id in shown or finding.status is Status.MANUAL:
            continue
        if (
            finding.status is Status.ERROR
            or (finding.status is Status.FAIL and not finding.awaits_secondary)
            or verbose
        ):
            _detail(console, finding, evidence=verbose)
    manual = [f for f in result.findings if f.status is Status.MANUAL]
    if manual:
        console.print(
            Text(
                "  needs attestation: " + ", ".join(_manual_label(f) for f in manual),
                style="yellow",
            )
        )
    for tier in TIERS:
        if result.tiers[tier].ready or all(
            tier.strictness <= t.strictness for t in result.workload.targets.values()
        ):
            continue
        rules = ", ".join(sorted({f.rule for f in result.tiers[tier].blocking}))
        console.print(Text(f"  to reach {tier.value}: fix {rules}", style="yellow"))
    console.print()


def _waivers_section(console: Console, report: Report) -> None:
    """Waivers are never silent: what they suppress, and which expired or match nothing."""
    suppressed = [f for f in report.findings if f.status is Status.SUPPRESSED and f.waiver]
    others = [w for w in report.waivers if w.status.value != "active"]
    if not suppressed and not others:
        return
    console.print(Text("Waivers", style="bold"))
    for finding in suppressed:
        waiver = finding.waiver
        assert waiver is not None
        line = _finding_line(finding)
        line.append(f" ({finding.workload})")
        console.print(line)
        console.print(
            Text(
                f"      {waiver.id} by {waiver.owner}, until {waiver.expires.isoformat()}: "
                f"{waiver.reason} (would be {waiver.waived_status.value})",
                style="cyan",
            )
        )
    for result in others:
        console.print(
            Text(
                f"  {result.status.value.upper()} waiver {result.id} ({result.waiver.owner}): "
                f"{result.message}",
                style="yellow",
            )
        )
    console.print()


def _manual_label(finding: Finding) -> str:
    return f"{finding.rule} (expired)" if "expired" in finding.message else finding.rule


def render(
    report: Report, *, verbose: bool = False, color: bool = False, width: int | None = None
) -> str:
    """The summary as text: styled for a colour terminal, or plain (ASCII tables, no colour)."""
    console, buffer = text_console(color=color, width=width)
    plain = not color
    scan = report.scan
    subs = len(scan.scope.get("subscriptions", []))
    console.print(
        Text(f"auditor {report.tool_version}: Azure ML disaster-recovery readiness", style="bold")
    )
    console.print(
        Text(
            f"source: {scan.source} | collected {scan.collected_at} | cloud {scan.cloud} | "
            f"{subs} subscription(s) | judged as of {scan.as_of.isoformat()}"
        )
    )
    if not scan.complete:
        console.print(
            Text(
                f"INCOMPLETE SCAN: {len(scan.errors)} collection error(s), "
                f"{scan.error_findings} finding(s) in error; what needed the missing data "
                "is an error, never a pass",
                style="bold white on red",
            )
        )
        for err in scan.errors:
            console.print(Text(f"  - {_error_line(err)}", style="red"))
    for note in scan.notes:
        console.print(Text(f"note: {note}", style="yellow"))
    console.print()
    console.print(_ladder(report, plain))
    console.print()
    for result in report.workloads:
        _workload_section(console, result, verbose)
    _waivers_section(console, report)
    counts = ", ".join(f"{report.count(s)} {s.value}" for s in Status if report.count(s))
    console.print(Text(f"{len(report.findings)} findings: {counts}"))
    ready = sum(1 for w in report.workloads if w.target.ready)
    console.print(
        Text(
            f"{ready} of {len(report.workloads)} workloads ready for their target; "
            f"exit code {report.exit_code}",
            style="bold",
        )
    )
    return buffer.getvalue()


def _error_line(err: dict[str, Any]) -> str:
    parts = [str(err.get("source")), str(err.get("request"))]
    if err.get("status"):
        parts.append(f"HTTP {err['status']}")
    if err.get("code"):
        parts.append(str(err["code"]))
    parts.append(str(err.get("message")))
    return " ".join(parts)
