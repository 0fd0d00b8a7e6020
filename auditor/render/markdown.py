"""Markdown for pull-request comments and $GITHUB_STEP_SUMMARY: readiness, then what blocks it."""

from __future__ import annotations

import re

from auditor.inert import inert
from auditor.model import TIERS, Finding, Status
from auditor.report import Report, WorkloadResult
from auditor.scoring import TierResult

READY, NOT_READY = "✅", "❌"
# A pull-request comment holds 65,536 characters; past this many blocking findings the summary
# points to the full reports instead of being cut off mid-table.
MAX_BLOCKING_ROWS = 100

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Markdown punctuation that could open emphasis, code, links or strikethrough, or end a
# table cell; each is escaped with a backslash.
_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")
_SPACE = re.compile(r"\s+")


def escape(text: str) -> str:
    """Text as one literal table cell: no markup, no HTML, no line break, no cell boundary."""
    text = inert(_SPACE.sub(" ", "".join(_HTML.get(ch, ch) for ch in text)).strip())
    return _PUNCTUATION.sub(r"\\\1", text)


def _cell(result: TierResult) -> str:
    return f"{READY if result.ready else NOT_READY} {result.score}"


def _headline(report: Report) -> str:
    total = len(report.workloads)
    ready = sum(1 for w in report.workloads if w.target.ready)
    if not report.scan.complete:
        return (
            f"⚠️ **Incomplete scan**: readiness is unproven ({len(report.scan.errors)} "
            f"collection error(s), {report.scan.error_findings} finding(s) in error). "
            f"{ready} of {total} workloads ready for their target."
        )
    if ready == total:
        return f"{READY} **All {total} workloads are ready for their target tier.**"
    not_ready = total - ready
    return f"{NOT_READY} **{not_ready} of {total} workloads are not ready for their target tier.**"


def _ladder(report: Report) -> list[str]:
    lines = [
        "| Workload | Regions | Target | "
        + " | ".join(t.value for t in TIERS)
        + " | Target ready |",
        "|---|---|---|" + "---:|" * len(TIERS) + "---|",
    ]
    for result in report.workloads:
        regions = escape(result.primary_region or "?")
        if result.workload.secondary is None:
            regions += " → (none)"
        else:
            regions += " → " + escape(result.secondary_region or "?")
        cells = [
            escape(result.name),
            regions,
            escape(result.workload.target_summary),
            *(_cell(result.tiers[tier]) for tier in TIERS),
            _cell(result.target),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _blocking_row(result: WorkloadResult, finding: Finding) -> str:
    fix = escape(finding.remediation.get("summary", ""))
    if finding.docs.startswith(("https://", "http://")):
        fix += f" ([docs](<{finding.docs.replace('>', '%3E').replace(' ', '%20')}>))"
    cells = [
        escape(result.name),
        escape(finding.rule),
        escape(finding.severity.value),
        escape(finding.status.value),
        escape(finding.message),
        fix,
    ]
    return "| " + " | ".join(cells) + " |"


def render(report: Report) -> bytes:
    scan = report.scan
    lines = [
        "## Azure ML disaster-recovery readiness",
        "",
        _headline(report),
        "",
        f"auditor {escape(report.tool_version)} · source {escape(scan.source)} · collected "
        f"{escape(scan.collected_at)} · judged as of {scan.as_of.isoformat()} · generated "
        f"{escape(report.generated_at)}",
        "",
        "Each cell: ready for that tier, and the score (0-100).",
        "",
        *_ladder(report),
        "",
    ]
    blocking = [(w, f) for w in report.workloads for f in w.target.blocking]
    rows: list[str] = []
    for result in report.workloads:
        waiting = [f for f in result.target.blocking if f.awaits_secondary]
        rows += [_blocking_row(result, f) for f in result.target.blocking if f not in waiting]
        if waiting:
            rules = escape(", ".join(f.rule for f in waiting))
            rows.append(
                f"| {escape(result.name)} | {rules} | | fail | {len(waiting)} more rules need "
                "a secondary workspace (see DR-01) | |"
            )
    if blocking:
        lines += [
            "### What blocks each workload's target",
            "",
            "| Workload | Rule | Severity | Status | Finding | How to fix |",
            "|---|---|---|---|---|---|",
            *rows[:MAX_BLOCKING_ROWS],
            "",
        ]
        if len(rows) > MAX_BLOCKING_ROWS:
            lines += [
                f"… and {len(rows) - MAX_BLOCKING_ROWS} more: see the JSON or HTML report.",
                "",
            ]
    else:
        lines += ["Nothing blocks any workload's target.", ""]
    lines += _waivers(report)
    return "\n".join(lines).encode()


def _waivers(report: Report) -> list[str]:
    """Waivers are never silent: what each one of the scan's waivers file did."""
    if not report.waivers:
        return []
    suppressed = sum(1 for f in report.findings if f.status is Status.SUPPRESSED)
    return [
        f"### Waivers ({suppressed} finding(s) suppressed)",
        "",
        "| Waiver | Status | Rule | Scope | Owner | Expires | What it did |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| {w.id} | {w.status.value} | {escape(w.waiver.rule)} | {escape(w.waiver.scope)} | "
            f"{escape(w.waiver.owner)} | {w.waiver.expires.isoformat()} | {escape(w.message)} |"
            for w in report.waivers
        ),
        "",
    ]
