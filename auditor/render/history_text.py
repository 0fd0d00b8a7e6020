"""The terminal view of `auditor history`: per workload, the last runs' scores and readiness."""

from __future__ import annotations

import itertools

from rich import box
from rich.table import Table

from auditor.history import Point, Trend
from auditor.model import TIERS
from auditor.render.console import SafeText as Text
from auditor.render.console import text_console


def _cell(score: int, ready: bool) -> Text:
    return Text(f"{'yes' if ready else 'no'} {score:>3}", style="green" if ready else "red")


def _movement(points: tuple[Point, ...]) -> str:
    first, last = points[0], points[-1]
    delta = last.target_score - first.target_score
    ready = "ready" if last.target_ready else "NOT ready"
    if len(points) == 1:
        return f"score {last.target_score}, {ready} for its target"
    flips = sum(1 for a, b in itertools.pairwise(points) if a.target_ready != b.target_ready)
    return (
        f"score {first.target_score} -> {last.target_score} ({delta:+d}) over {len(points)} runs; "
        f"now {ready} for its target" + (f"; readiness changed {flips} time(s)" if flips else "")
    )


def render(path: str, trend: Trend, *, color: bool = False, width: int | None = None) -> str:
    console, buffer = text_console(color=color, width=width)
    console.print(Text(f"History {path}: {trend.runs} run(s) recorded", style="bold"))
    console.print()
    if not trend.workloads:
        console.print(Text("no runs yet: record one with `auditor scan --history PATH`"))
    for name, points in trend.workloads.items():
        if not points:
            continue
        console.print(
            Text(f"{name} (target {points[-1].target}): {_movement(points)}", style="bold")
        )
        table = Table(box=box.ASCII if not color else box.SIMPLE, expand=False)
        table.add_column("Run", justify="right")
        table.add_column("Generated at", no_wrap=True)
        for tier in TIERS:
            table.add_column(tier.value, justify="right", no_wrap=True)
        table.add_column("Target", justify="right", no_wrap=True)
        table.add_column("Complete")
        for point in points:
            table.add_row(
                Text(str(point.run_id)),
                Text(point.generated_at),
                *(
                    _cell(*point.tiers[t.value]) if t.value in point.tiers else Text("-")
                    for t in TIERS
                ),
                _cell(point.target_score, point.target_ready),
                Text("yes" if point.complete else "NO"),
            )
        console.print(table)
        console.print()
    return buffer.getvalue()
