"""The terminal view of `auditor what-if`: a verdict per workload, or the all-regions matrix."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table

from auditor.render.console import SafeText as Text
from auditor.render.console import text_console, visible
from auditor.whatif import RegionDown, Verdict

_STYLE = {
    Verdict.UNTOUCHED: "dim",
    Verdict.AFFECTED: "yellow",
    Verdict.UNPROTECTED: "yellow",
    Verdict.SERVES: "green",
    Verdict.SCALE_UP: "yellow",
    Verdict.REDEPLOY: "yellow",
    Verdict.DOWN: "bold red",
    Verdict.UNKNOWN: "bold magenta",
}


def _headline(outlook: RegionDown) -> str:
    moving = outlook.failing_over
    keep = sum(1 for o in moving if o.keeps_target)
    text = f"If {outlook.region} goes down: "
    if moving:
        text += f"{keep} of {len(moving)} workload(s) with their primary there keep serving at "
        text += "their target"
    else:
        text += "no workload has its primary there"
    return text


def render_region(
    outlook: RegionDown, *, color: bool = False, width: int | None = None, show_all: bool = False
) -> str:
    """One region lost: each workload it touches, its verdict and why (untouched ones counted)."""
    console, buffer = text_console(color=color, width=width)
    _para(console, _headline(outlook), "bold")
    if not outlook.complete:
        _para(
            console,
            "The scan could not see everything: a verdict that depends on what was not read "
            "is 'unknown', never 'serves'.",
            "bold magenta",
        )
    console.print()
    untouched = 0
    for item in outlook.workloads:
        if item.verdict is Verdict.UNTOUCHED and not show_all:
            untouched += 1
            continue
        pair = f"{item.primary_region or '?'} -> {item.secondary_region or 'none'}"
        line = Text()
        line.append(item.verdict.label.upper(), _STYLE[item.verdict])
        line.append(f"  {item.workload}", "bold")
        line.append(f"  ({pair}, target {item.target.value})")
        console.print(line)
        for reason in item.reasons:
            _item(console, reason)
    if untouched:
        console.print(Text(f"{untouched} other workload(s) untouched (--all to list them)"))
    if outlook.dependencies:
        console.print()
        console.print(Text(f"Homed in {outlook.region}:", style="bold"))
        for dep in outlook.dependencies:
            users = ", ".join(dep.workloads)
            _item(console, f"{dep.kind} {dep.name} (used by {users}): {dep.effect}")
    return buffer.getvalue()


def _para(console: Console, text: str, style: str = "") -> None:
    """A paragraph wrapped at the console's width between words."""
    for line in textwrap.wrap(visible(text), console.width, break_long_words=False):
        console.print(Text(line, style=style), overflow="ignore", crop=False)


def _item(console: Console, text: str) -> None:
    """A '- ' line, wrapped at the console's width between words, continuations indented."""
    for line in textwrap.wrap(
        visible(text),
        console.width,
        initial_indent="  - ",
        subsequent_indent="    ",
        break_long_words=False,
        break_on_hyphens=False,
    ):
        console.print(Text(line), overflow="ignore", crop=False)


def render_matrix(
    outlooks: Sequence[RegionDown], *, color: bool = False, width: int | None = None
) -> str:
    """Every region lost in turn, the widest blast first: the one table a review wants."""
    console, buffer = text_console(color=color, width=width)
    console.print(Text("If one region goes down (widest blast radius first)", style="bold"))
    table = Table(box=box.ASCII if not color else box.SIMPLE, expand=False)
    table.add_column("Region lost", no_wrap=True)
    table.add_column("Keep serving", justify="right")
    table.add_column("Degrade", justify="right")
    table.add_column("Down", justify="right")
    table.add_column("Down or unknown", overflow="fold")
    for outlook in outlooks:
        keeps, degrades, down = outlook.blast
        lost = [
            o.workload for o in outlook.workloads if o.verdict in (Verdict.DOWN, Verdict.UNKNOWN)
        ]
        table.add_row(
            Text(outlook.region),
            Text(str(keeps)),
            Text(str(degrades), style="yellow" if degrades else ""),
            Text(str(down), style="bold red" if down else ""),
            Text(", ".join(lost) or "-"),
        )
    console.print(table)
    _para(
        console,
        "Keep serving: untouched, affected or serving hot. Degrade: unprotected, serves after "
        "scale-up, or needs redeploy. `auditor what-if --region-down REGION` tells why.",
    )
    return buffer.getvalue()
