"""The terminal view of `auditor plan`: the steps, their commands and what to fill in, wrapped
at the terminal's width between words."""

from __future__ import annotations

import textwrap

from auditor.plan import Plan
from auditor.render.plan_common import heading, label, lines, verdict


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def render(plan: Plan, *, width: int = 80) -> str:
    out = _wrap(f"Plan for {plan.workload}: {heading(plan)}", width, "", "  ")
    out += _wrap(
        f"target {plan.target.value} ({plan.target_source}): {verdict(plan)}", width, "", "  "
    )
    out += _wrap(
        "auditor runs none of this: review each command, then run it yourself.", width, "", ""
    )
    for number, step in enumerate(plan.steps, 1):
        out.append("")
        title = f"{number}. [{label(step)}] {step.rule} {step.title}"
        out += _wrap(title, width, "", "   ")
        out += _wrap(f"why: {step.why}", width, "   ", "     ")
        if step.unseen:
            out += _wrap("could not be evaluated", width, "   ", "   ")
        for file in step.files:
            out += _wrap(f"file {file.path}:", width, "   ", "     ")
            out += [f"     {line}".rstrip() for line in file.content.splitlines()]
        for command in step.commands:
            if command.comment:
                out += _wrap(f"# {command.comment}", width, "   ", "   # ")
            out += lines(command, width, first="   $ ", rest="       ")
        if step.bicep:
            out += _wrap("also declared in the Bicep file (--bicep)", width, "   ", "   ")
        for note in step.notes:
            out += _wrap(f"note: {note}", width, "   ", "     ")
    if plan.notes:
        out.append("")
        for note in plan.notes:
            out += _wrap(note, width, "", "  ")
    return "\n".join(out) + "\n"
