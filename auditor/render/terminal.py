"""The terminal summary: a readiness ladder per workload, then what blocks each target."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text as RichText

from auditor.heap import paused_gc
from auditor.model import FAILING, TIERS, Finding, Level, Status
from auditor.render.common import SHOWN_ITEMS
from auditor.render.console import SafeText as Text
from auditor.render.console import text_console, wrap
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

# Indents: an item starts at its level, and its wrapped lines sit two columns further in.
FINDING, FINDING_MORE = 2, 4
DETAIL, DETAIL_MORE = 6, 8
GAP = "  "  # between the ladder's columns
TOP_BLOCKERS = 5
MAX_ROW_LINES = 2  # the full table is chosen while no row takes more lines

BLOCKING = "blocking"
ADVISORY = "advisory"
MARKS_LEGEND = (
    f"{BLOCKING}: required at the workload's target, so the target is not reached; "
    f"{ADVISORY}: does not block the target"
)
COMPACT_LEGEND = (
    "h/h, h/w, h/c: hot/hot, hot/warm, hot/cold; + ready, x not ready, then the score 0-100; "
    "Src: cfg config, tag dr-workload tags, disc discovered, solo no pair"
)
_SOURCE_SHORT = {"config": "cfg", "tags": "tag", "discovered": "disc", "standalone": "solo"}
_TIER_SHORT = {"hot/hot": "h/h", "hot/warm": "h/w", "hot/cold": "h/c"}


class Show(StrEnum):
    """Which findings the summary lists under each workload."""

    FAILING = "failing"  # fail and error findings (what blocks, and what is advised)
    BLOCKING = "blocking"  # only what blocks the workload's target
    ALL = "all"  # every finding


def blocks_target(finding: Finding) -> bool:
    """Required at its workload's target and failed or errored: the target is not reached."""
    return finding.target_level is Level.REQUIRED and finding.status in FAILING


# -- writing lines ----------------------------------------------------------------------------


class _Out:
    """The summary's lines, each wrapped to the width between words, written at the end in one
    piece (a console call per line would make rendering slow for thousands of workloads)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[RichText] = []

    def line(self, text: Text, indent: int = 0, hang: int | None = None) -> None:
        self.lines.extend(wrap(text, self.width, indent=indent, hang=hang))

    def put(self, line: RichText) -> None:
        """A line already no wider than the width."""
        self.lines.append(line)

    def blank(self) -> None:
        self.lines.append(Text())

    def text(self, console: Console, color: bool) -> str:
        if not color:  # no styles to write: the text as it is
            return "".join(f"{line.plain}\n" for line in self.lines)
        # rich's Text: the newlines between lines are the summary's own, not data to escape
        console.print(RichText("\n").join(self.lines), soft_wrap=True)
        file = console.file
        assert isinstance(file, io.StringIO)
        return file.getvalue()


# -- the ladder -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    header: str
    cells: Sequence[Text]
    right: bool = False
    wraps: bool = False  # names, regions and targets wrap between words; marks and scores never

    def natural(self) -> int:
        return max(cell_len(self.header), *(c.cell_len for c in self.cells))

    def least(self) -> int:
        """The narrowest it can be without splitting a word."""
        if not self.wraps:
            return self.natural()
        words = [self.header, *(c.plain for c in self.cells)]
        return max(cell_len(w) for text in words for w in text.split() or [""])


def _widths(columns: Sequence[_Column], width: int) -> list[int] | None:
    """Column widths that fit `width`, narrowing the widest wrappable column first; None when
    the columns cannot fit without splitting a word."""
    least = [c.least() for c in columns]
    gaps = cell_len(GAP) * (len(columns) - 1)
    if sum(least) + gaps > width:
        return None
    widths = [c.natural() for c in columns]
    excess = sum(widths) + gaps - width
    for _ in range(excess):
        index = max(
            (i for i in range(len(columns)) if widths[i] > least[i]), key=lambda i: widths[i]
        )
        widths[index] -= 1
    return widths


def _height(columns: Sequence[_Column], widths: Sequence[int]) -> int:
    """The lines the tallest row takes."""
    return max(
        len(wrap(cell, width))
        for column, width in zip(columns, widths, strict=True)
        if column.wraps
        for cell in column.cells
    )


def _table(out: _Out, columns: Sequence[_Column], widths: Sequence[int]) -> None:
    header = [Text(c.header, style="bold") for c in columns]
    rule = [Text("-" * w, style="dim") for w in widths]
    rows = [header, rule]
    rows += [[c.cells[r] for c in columns] for r in range(len(columns[0].cells))]
    for row in rows:
        wrapped = [wrap(cell, w) for cell, w in zip(row, widths, strict=True)]
        for number in range(max(len(lines) for lines in wrapped)):
            line = Text()
            for index, (lines, w) in enumerate(zip(wrapped, widths, strict=True)):
                piece = lines[number] if number < len(lines) else Text()
                pad = " " * (w - piece.cell_len)
                if index:
                    line.append(GAP)
                if columns[index].right:
                    line.append(pad)
                    line.append_text(piece)
                else:
                    line.append_text(piece)
                    line.append(pad)
            line.rstrip()
            out.put(line)


def _regions(result: WorkloadResult) -> str:
    primary = result.primary_region or "?"
    if result.workload.secondary is None:
        return f"{primary} -> (none)"
    return f"{primary} -> {result.secondary_region or '?'}"


def _verdict(result: WorkloadResult) -> Text:
    if result.target.ready:
        return Text("yes", style="bold green")
    return Text("NO", style="bold red")


def _cell(result: TierResult) -> Text:
    if result.ready:
        return Text(f"yes {result.score}", style="green")
    return Text(f"no {result.score}", style="red")


def _mark(result: TierResult) -> Text:
    if result.ready:
        return Text(f"+ {result.score}", style="green")
    return Text(f"x {result.score}", style="red")


def _short_target(target: str) -> str:
    for tier, short in _TIER_SHORT.items():
        target = target.replace(tier, short)
    return target


def _wide(report: Report) -> list[_Column]:
    results = report.workloads
    return [
        _Column("Workload", [Text(r.name) for r in results], wraps=True),
        _Column("Source", [Text(r.workload.source) for r in results], wraps=True),
        _Column("Regions", [Text(_regions(r)) for r in results], wraps=True),
        _Column("Target", [Text(r.workload.target_summary) for r in results], wraps=True),
        *(
            _Column(tier.value, [_cell(r.tiers[tier]) for r in results], right=True)
            for tier in TIERS
        ),
        _Column("Target ready", [_verdict(r) for r in results]),
    ]


def _compact(report: Report) -> list[_Column]:
    results = report.workloads
    return [
        _Column("Workload", [Text(r.name) for r in results], wraps=True),
        _Column(
            "Src",
            [Text(_SOURCE_SHORT.get(r.workload.source, r.workload.source)) for r in results],
        ),
        _Column("Regions", [Text(_regions(r)) for r in results], wraps=True),
        _Column(
            "Target", [Text(_short_target(r.workload.target_summary)) for r in results], wraps=True
        ),
        *(
            _Column(_TIER_SHORT[tier.value], [_mark(r.tiers[tier]) for r in results], right=True)
            for tier in TIERS
        ),
        _Column("Ready", [_verdict(r) for r in results]),
    ]


def _stacked(out: _Out, report: Report) -> None:
    """One entry per workload, for widths no table fits: every column, as words."""
    for result in report.workloads:
        line = Text(result.name, style="bold")
        line.append(": ")
        if result.target.ready:
            line.append("ready", style="bold green")
        else:
            line.append("NOT ready", style="bold red")
        line.append(f" for {result.workload.target_summary}")
        line.append(f" | {_regions(result)} | {result.workload.source} |")
        for number, tier in enumerate(TIERS):
            line.append(f"{',' if number else ''} {tier.value} ")
            line.append_text(_cell(result.tiers[tier]))
        out.line(line, 0, FINDING_MORE)


def _ladder(out: _Out, report: Report) -> None:
    out.line(Text("Readiness per workload and tier: ready yes/no and score 0-100", style="bold"))
    if not report.workloads:  # an estate with no workspace: say so rather than draw no rows
        out.line(Text("no workloads: the estate holds no Azure ML workspace"))
        return
    # The full table while its rows stay short, else the compact one with a legend, else
    # the full table however tall, else one entry per workload.
    wide, compact = _wide(report), _compact(report)
    wide_widths, compact_widths = _widths(wide, out.width), _widths(compact, out.width)
    if wide_widths is not None and (
        compact_widths is None or _height(wide, wide_widths) <= MAX_ROW_LINES
    ):
        _table(out, wide, wide_widths)
        return
    if compact_widths is not None:
        _table(out, compact, compact_widths)
        out.line(Text(COMPACT_LEGEND, style="dim"), 0, 2)
        return
    _stacked(out, report)


# -- the findings -----------------------------------------------------------------------------


def _finding_line(finding: Finding) -> Text:
    line = Text(finding.status.value.upper(), style=STATUS_STYLE[finding.status])
    if finding.status in FAILING:
        if blocks_target(finding):
            line.append(f" {BLOCKING}", style="bold red")
        else:
            line.append(f" {ADVISORY}", style="yellow")
    line.append(f" {finding.rule}", style="bold")
    line.append(f" [{finding.severity.value}] ", style="dim")
    line.append(finding.title)
    return line


def _detail(out: _Out, finding: Finding, *, evidence: bool) -> None:
    out.line(_finding_line(finding), FINDING, FINDING_MORE)
    out.line(Text(finding.message), DETAIL, DETAIL_MORE)
    for note in finding.notes:
        out.line(Text(f"note: {note}", style="dim"), DETAIL, DETAIL_MORE)
    if finding.status in (Status.FAIL, Status.ERROR, Status.MANUAL):
        fix = Text(f"fix: {finding.remediation.get('summary', '')}", style="cyan")
        out.line(fix, DETAIL, DETAIL_MORE)
    if evidence:
        for item in finding.evidence[:SHOWN_ITEMS]:
            observed = json.dumps(item.observed, ensure_ascii=False, default=str)
            expected = (
                f" (expected {json.dumps(item.expected, default=str)})"
                if item.expected is not None
                else ""
            )
            text = Text(f"evidence: {item.resource} {item.path} = {observed}{expected}")
            text.stylize("dim")
            out.line(text, DETAIL, DETAIL_MORE)
        left = len(finding.evidence) - SHOWN_ITEMS
        if left > 0:
            more = Text(f"and {left} more evidence item(s): the JSON report has them all")
            more.stylize("dim")
            out.line(more, DETAIL, DETAIL_MORE)


def _listed(result: WorkloadResult, show: Show) -> Callable[[Finding], bool]:
    if show is Show.ALL:
        return lambda f: f.status is not Status.MANUAL  # attestations have a line of their own
    if show is Show.BLOCKING:
        return blocks_target
    return lambda f: (
        f.status is Status.ERROR
        or (f.status is Status.FAIL and (not f.awaits_secondary or blocks_target(f)))
    )


def _rules(findings: Iterable[Finding]) -> list[str]:
    return sorted({f.rule for f in findings})


def _to_reach(out: _Out, result: WorkloadResult) -> None:
    """What to fix for the target, then what more each stricter tier the workload could aim
    for needs (a tier that needs nothing more than the one before has no line)."""
    fixed: set[str] = set()
    if not result.target.ready:
        rules = _rules(result.target.blocking)
        target = result.workload.target_summary
        line = Text(f"to reach {target}: fix {', '.join(rules)}", style="bold yellow")
        out.line(line, FINDING, FINDING_MORE)
        fixed.update(rules)
    targets = result.workload.targets.values()
    for tier in reversed(TIERS):  # least strict first
        if result.tiers[tier].ready or all(tier.strictness <= t.strictness for t in targets):
            continue
        more = [r for r in _rules(result.tiers[tier].blocking) if r not in fixed]
        if not more:
            continue
        verb = "also fix" if fixed else "fix"
        out.line(
            Text(f"to reach {tier.value}: {verb} {', '.join(more)}", style="yellow"),
            FINDING,
            FINDING_MORE,
        )
        fixed.update(more)


def _workload_section(out: _Out, result: WorkloadResult, show: Show, evidence: bool) -> None:
    target = result.workload.target_summary
    if result.target.ready:
        out.line(Text(f"{result.name}: ready for its target ({target})", style="bold green"))
    else:
        out.line(Text(f"{result.name}: NOT ready for its target ({target})", style="bold red"))
    listed = _listed(result, show)
    # Rules that fail only because there is no secondary yet say one thing: one line for them
    # (every finding with --show all).
    waiting = (
        []
        if show is Show.ALL
        else [f for f in result.target.blocking if f.awaits_secondary and listed(f)]
    )
    grouped = {f.id for f in waiting}
    for finding in result.target.blocking:
        if finding.id not in grouped and listed(finding):
            _detail(out, finding, evidence=evidence)
    if waiting:
        rules = ", ".join(f.rule for f in waiting)
        line = Text(f"and {len(waiting)} more ")
        line.append(BLOCKING, style="bold red")
        line.append(f" rules need a secondary workspace: {rules}")
        out.line(line, FINDING, FINDING_MORE)
    blocking = {f.id for f in result.target.blocking}
    for finding in result.findings:
        if finding.id not in blocking and listed(finding):
            _detail(out, finding, evidence=evidence)
    manual = [f for f in result.findings if f.status is Status.MANUAL]
    if manual and show is not Show.BLOCKING:
        labels = ", ".join(_manual_label(f) for f in manual)
        out.line(Text(f"needs attestation: {labels}", style="yellow"), FINDING, FINDING_MORE)
    _to_reach(out, result)
    out.blank()


def _waivers_section(out: _Out, report: Report) -> None:
    """Waivers are never silent: what they suppress, and which expired or match nothing."""
    suppressed = [f for f in report.findings if f.status is Status.SUPPRESSED and f.waiver]
    others = [w for w in report.waivers if w.status.value != "active"]
    if not suppressed and not others:
        return
    out.line(Text("Waivers", style="bold"))
    for finding in suppressed:
        waiver = finding.waiver
        assert waiver is not None
        line = _finding_line(finding)
        line.append(f" ({finding.workload})")
        out.line(line, FINDING, FINDING_MORE)
        out.line(
            Text(
                f"{waiver.id} by {waiver.owner}, until {waiver.expires.isoformat()}: "
                f"{waiver.reason} (would be {waiver.waived_status.value})",
                style="cyan",
            ),
            DETAIL,
            DETAIL_MORE,
        )
    for result in others:
        out.line(
            Text(
                f"{result.status.value.upper()} waiver {result.id} ({result.waiver.owner}): "
                f"{result.message}",
                style="yellow",
            ),
            FINDING,
            FINDING_MORE,
        )
    out.blank()


def _manual_label(finding: Finding) -> str:
    return f"{finding.rule} (expired)" if "expired" in finding.message else finding.rule


def _blockers(out: _Out, report: Report) -> None:
    """The rules that keep the most workloads from their target, with how many each."""
    counts: Counter[str] = Counter()
    titles: dict[str, str] = {}
    for result in report.workloads:
        for finding in result.target.blocking:
            titles.setdefault(finding.rule, finding.title)
        counts.update({f.rule for f in result.target.blocking})
    if not counts:
        return
    out.line(Text("Rules blocking the most workloads at their target:", style="bold"))
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_BLOCKERS]
    size = max(len(str(n)) for _, n in top)
    for rule, n in top:
        line = Text(f"{rule} ", style="bold")
        line.append(f"{n:>{size}} workload{'s' if n != 1 else ''}: ")
        line.append(titles[rule])
        out.line(line, FINDING, DETAIL)
    if len(counts) > len(top):
        out.line(Text(f"and {len(counts) - len(top)} more rule(s)"), FINDING, FINDING_MORE)


@paused_gc()  # many small acyclic objects (a Text per line): no collector passes over them
def render(
    report: Report,
    *,
    verbose: bool = False,
    show: Show | str | None = None,
    color: bool = False,
    width: int | None = None,
) -> str:
    """The summary as text: styled for a colour terminal, or plain (no colour). No line is wider
    than `width` and no word is split (unless a word alone is wider than a line). `show` chooses
    the findings listed (default: every one with -v, else the failing ones); `verbose` adds the
    evidence."""
    chosen = Show(show) if show is not None else (Show.ALL if verbose else Show.FAILING)
    console, _ = text_console(color=color, width=width)
    out = _Out(console.width)
    scan = report.scan
    subs = len(scan.scope.get("subscriptions", []))
    out.line(
        Text(f"auditor {report.tool_version}: Azure ML disaster-recovery readiness", style="bold")
    )
    out.line(
        Text(
            f"source: {scan.source} | collected {scan.collected_at} | cloud {scan.cloud} | "
            f"{subs} subscription(s) | judged as of {scan.as_of.isoformat()}"
        ),
        0,
        2,
    )
    if not scan.complete:
        out.line(
            Text(
                f"INCOMPLETE SCAN: {len(scan.errors)} collection error(s), "
                f"{scan.error_findings} finding(s) in error; what needed the missing data "
                "is an error, never a pass",
                style="bold white on red",
            ),
            0,
            2,
        )
        for err in scan.errors:
            out.line(Text(f"- {_error_line(err)}", style="red"), 2, 4)
    for note in scan.notes:
        out.line(Text(f"note: {note}", style="yellow"), 0, 2)
    out.blank()
    _ladder(out, report)
    out.blank()
    if any(f.status in FAILING for f in report.findings):
        out.line(Text(MARKS_LEGEND, style="dim"), 0, 2)
        out.blank()
    for result in report.workloads:
        _workload_section(out, result, chosen, verbose)
    _waivers_section(out, report)
    counts = ", ".join(f"{report.count(s)} {s.value}" for s in Status if report.count(s))
    out.line(Text(f"{len(report.findings)} findings: {counts}"), 0, 2)
    ready = sum(1 for w in report.workloads if w.target.ready)
    out.line(
        Text(
            f"{ready} of {len(report.workloads)} workloads ready for their target; "
            f"exit code {report.exit_code}",
            style="bold",
        ),
        0,
        2,
    )
    _blockers(out, report)
    return out.text(console, color)


def _error_line(err: dict[str, Any]) -> str:
    parts = [str(err.get("source")), str(err.get("request"))]
    if err.get("status"):
        parts.append(f"HTTP {err['status']}")
    if err.get("code"):
        parts.append(str(err["code"]))
    parts.append(str(err.get("message")))
    return " ".join(parts)
