"""The terminal summary of `auditor diff`: readiness first, then scores, then findings."""

from __future__ import annotations

from rich.console import Console

from auditor.diff import TARGET, Diff, FindingChange
from auditor.render.console import SafeText as Text
from auditor.render.console import text_console


def _ready(value: bool) -> str:
    return "ready" if value else "NOT ready"


def _status(value: str | None) -> str:
    return value if value is not None else "gone"


def _finding(console: Console, label: str, style: str, change: FindingChange) -> None:
    line = Text("  ")
    line.append(f"{label:<10}", style=style)
    line.append(f" {change.rule:<15} ", style="bold")
    line.append(f"{change.workload} ")
    line.append(f"[{change.severity}] ", style="dim")
    line.append(f"{_status(change.old_status)} -> {_status(change.new_status)}  ")
    line.append(change.title, style="dim")
    console.print(line)


def render(diff: Diff, *, color: bool = False, width: int | None = None) -> str:
    console, buffer = text_console(color=color, width=width)
    old, new = diff.old, diff.new
    console.print(Text("auditor diff: what moved between two scans", style="bold"))
    console.print(Text(f"  old: generated {old.generated_at}, source {old.source}"))
    console.print(Text(f"  new: generated {new.generated_at}, source {new.source}"))
    for label, run in (("old", old), ("new", new)):
        if not run.complete:
            console.print(
                Text(
                    f"  note: the {label} scan is incomplete: what it could not read is an "
                    "error there, never a pass",
                    style="yellow",
                )
            )
    console.print()
    if diff.workloads_added:
        console.print(Text("Workloads added: " + ", ".join(diff.workloads_added)))
    if diff.workloads_removed:
        console.print(Text("Workloads removed: " + ", ".join(diff.workloads_removed)))

    if diff.readiness:
        console.print(Text("Readiness", style="bold"))
        for change in diff.readiness:
            tier = change.tier
            if tier == TARGET:
                tier = f"target ({change.new_target or change.old_target})"
            style = "bold red" if change.regressed else "green"
            verdict = "REGRESSED" if change.regressed else "improved"
            console.print(
                Text(
                    f"  {verdict:<10} {change.workload} {tier}: "
                    f"{_ready(change.old_ready)} -> {_ready(change.new_ready)}",
                    style=style,
                )
            )
    if diff.scores:
        console.print(Text("Scores", style="bold"))
        for score in diff.scores:
            style = "red" if score.delta < 0 else "green"
            console.print(
                Text(
                    f"  {score.workload} {score.tier}: {score.old} -> {score.new} "
                    f"({score.delta:+d})",
                    style=style,
                )
            )
    total = len(diff.new_findings) + len(diff.fixed) + len(diff.regressed) + len(diff.changed)
    console.print(
        Text(
            f"Findings: {len(diff.new_findings)} new, {len(diff.regressed)} regressed, "
            f"{len(diff.fixed)} fixed, {len(diff.changed)} changed",
            style="bold",
        )
    )
    for label, style, changes in (
        ("NEW", "bold red", diff.new_findings),
        ("REGRESSED", "bold red", diff.regressed),
        ("FIXED", "green", diff.fixed),
        ("CHANGED", "yellow", diff.changed),
    ):
        for item in changes:
            _finding(console, label, style, item)
    if not total and not diff.readiness and not diff.scores:
        console.print(Text("  nothing moved"))
    console.print()
    if diff.readiness_regressed:
        lost = sorted({c.workload for c in diff.readiness if c.regressed})
        console.print(
            Text(
                f"readiness regressed for {', '.join(lost)}; exit code {diff.exit_code}",
                style="bold red",
            )
        )
    else:
        console.print(Text(f"no readiness regressed; exit code {diff.exit_code}", style="bold"))
    return buffer.getvalue()
