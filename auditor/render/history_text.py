"""The terminal view of `auditor history`: per workload, the last runs' scores and readiness."""

from __future__ import annotations

import itertools

from rich import box
from rich.console import Console
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


def _cells(point: Point) -> list[Text]:
    return [
        Text(str(point.run_id)),
        Text(point.generated_at),
        *(_cell(*point.tiers[t.value]) if t.value in point.tiers else Text("-") for t in TIERS),
        _cell(point.target_score, point.target_ready),
        Text("yes" if point.complete else "NO"),
    ]


# The columns' alignments, in the order of _cells.
_RIGHT = (True, False, True, True, True, True, False)


def _table(rows: list[list[Text]], color: bool) -> Table:
    table = Table(box=box.ASCII if not color else box.SIMPLE, expand=False)
    table.add_column("Run", justify="right")
    table.add_column("Generated at", no_wrap=True)
    for tier in TIERS:
        table.add_column(tier.value, justify="right", no_wrap=True)
    table.add_column("Target", justify="right", no_wrap=True)
    table.add_column("Complete")
    for row in rows:
        table.add_row(*row)
    return table


def _shape(rows: list[list[Text]]) -> tuple[object, ...]:
    """What a plain table's layout depends on: its number of rows and, per column, the longest
    cell and the longest word (the columns' widths are made from them)."""
    return (
        len(rows),
        *(
            (
                max(len(c.plain) for c in column),
                max((len(w) for c in column for w in c.plain.split()), default=0),
            )
            for column in zip(*rows, strict=True)
        ),
    )


def _plain_row(cells: list[Text], widths: list[int]) -> str:
    parts = [
        c.plain.rjust(w) if right else c.plain.ljust(w)
        for c, w, right in zip(cells, widths, _RIGHT, strict=True)
    ]
    return "| " + " | ".join(parts) + " |"


class _Layouts:
    """A workload's table without colour, drawn by rich once per shape (a few shapes for
    thousands of workloads: rich takes 3 ms a table) and filled in for the workloads of the same
    shape. A shape whose drawing is not borders, one line per row and the header is always
    drawn by rich (a narrow terminal wraps or crops cells), and so is each table in colour."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.known: dict[tuple[object, ...], tuple[list[str], list[int], list[str]] | None] = {}

    def draw(self, rows: list[list[Text]]) -> str:
        key = _shape(rows)
        if key not in self.known:
            self.known[key] = self._learn(rows)
        layout = self.known[key]
        if layout is None:
            return self._rich(rows)
        head, widths, tail = layout
        body = [_plain_row(row, widths) for row in rows]
        return "\n".join([*head, *body, *tail]) + "\n"

    def _rich(self, rows: list[list[Text]]) -> str:
        with self.console.capture() as captured:
            self.console.print(_table(rows, color=False))
        return captured.get()

    def _learn(self, rows: list[list[Text]]) -> tuple[list[str], list[int], list[str]] | None:
        lines = self._rich(rows).split("\n")
        if lines[-1] != "":
            return None
        lines.pop()
        rules = [i for i, line in enumerate(lines) if line.startswith("|-")]
        if len(rules) != 1 or len(lines) != rules[0] + 1 + len(rows) + 1:
            return None
        split = rules[0] + 1
        widths = [len(part) - 2 for part in lines[rules[0]].strip("|").split("+")]
        if len(widths) != len(_RIGHT):
            return None
        # Drawn by hand, the rows must be what rich drew, or the shape is left to rich.
        if [_plain_row(row, widths) for row in rows] != lines[split : split + len(rows)]:
            return None
        return lines[:split], widths, lines[split + len(rows) :]


def render(path: str, trend: Trend, *, color: bool = False, width: int | None = None) -> str:
    console, buffer = text_console(color=color, width=width)
    console.print(Text(f"History {path}: {trend.runs} run(s) recorded", style="bold"))
    console.print()
    if not trend.workloads:
        console.print(Text("no runs yet: record one with `auditor scan --history PATH`"))
    layouts = None if color else _Layouts(console)
    for name, points in trend.workloads.items():
        if not points:
            continue
        console.print(
            Text(f"{name} (target {points[-1].target}): {_movement(points)}", style="bold")
        )
        rows = [_cells(point) for point in points]
        if layouts is None:
            console.print(_table(rows, color))
        else:
            buffer.write(layouts.draw(rows))
        console.print()
    return buffer.getvalue()
