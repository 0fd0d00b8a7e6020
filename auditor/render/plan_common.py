"""What the plan's views share: a command broken into lines at its options, and headings."""

from __future__ import annotations

from auditor.plan import Command, Plan, Step


def chunks(command: Command) -> list[str]:
    """The command's words grouped so that an option stays with its values."""
    words = command.text.split(" ")
    groups: list[str] = []
    for word in words:
        if groups and not word.startswith("--") and groups[-1].split(" ")[0].startswith("--"):
            groups[-1] += " " + word
        elif groups and not word.startswith("--") and not groups[-1].startswith("--"):
            groups[-1] += " " + word  # the command's name: `az ml workspace create`
        else:
            groups.append(word)
    return groups


def lines(command: Command, width: int, first: str = "", rest: str = "    ") -> list[str]:
    """The command over lines of at most `width` columns, each but the last ending in ` \\`;
    an option whose value does not fit puts the value on a line of its own, and a word longer
    than a line (a resource id) is never split, so that what is copied runs as written."""
    out: list[str] = []
    current = first
    for group in chunks(command):
        fresh = current in (first, rest)
        candidate = current + group if fresh else f"{current} {group}"
        if len(candidate) + 2 <= width or (fresh and len(candidate) <= width):
            current = candidate
            continue
        if not fresh:
            out.append(current + " \\")
            current = rest
        option, _, value = group.partition(" ")
        if value and len(current + group) > width and option.startswith("--"):
            out.append(current + option + " \\")
            current = rest + "  " + value
        else:
            current = current + group
    out.append(current)
    return out


def heading(plan: Plan) -> str:
    pair = f"{plan.primary or '?'} ({plan.primary_region or '?'})"
    second = f"{plan.secondary or 'a new secondary'} ({plan.secondary_region or '?'})"
    return f"{pair} -> {second}"


def verdict(plan: Plan) -> str:
    if plan.ready:
        more = f"; {len(plan.advisories)} recommended step(s)" if plan.advisories else ""
        return f"already ready for {plan.target.value}{more}"
    return (
        f"{len(plan.blockers)} step(s) block {plan.target.value}, then "
        f"{len(plan.advisories)} recommended"
    )


def label(step: Step) -> str:
    return "blocks" if step.blocking else "recommended"
