"""`auditor plan --bicep`: what the plan can declare, as one Bicep file for the resource group
it deploys to (`az deployment group create --template-file`)."""

from __future__ import annotations

from auditor.plan import Bicep, Plan


def parts(plan: Plan) -> tuple[list[Bicep], list[Bicep]]:
    """The fragments for the plan's resource group, and those for other groups (left out)."""
    here: list[Bicep] = []
    elsewhere: list[Bicep] = []
    for part in plan.bicep_parts():
        (here if part.resource_group == plan.resource_group else elsewhere).append(part)
    return here, elsewhere


def render(plan: Plan) -> str:
    here, elsewhere = parts(plan)
    out = [
        f"// auditor plan for {plan.workload}, target {plan.target.value}.",
        f"// Deploy: az deployment group create --resource-group {plan.resource_group} "
        "--template-file <this file>",
    ]
    if elsewhere:
        groups = ", ".join(sorted({p.resource_group for p in elsewhere}))
        out.append(f"// Not here: resources in {groups}; see the plan's az commands.")
    out.append("")
    params: dict[str, tuple[str, str | None]] = {}
    existing: list[str] = []
    for part in here:
        for name, kind, default in part.params:
            params.setdefault(name, (kind, default))
        existing += [e for e in part.existing if e not in existing]
    for name, (kind, default) in params.items():
        if default is None:
            out.append("@description('Not known from the estate: give it when deploying.')")
            out.append(f"param {name} {kind}")
        else:
            out.append(f"param {name} {kind} = {default}")
    if params:
        out.append("")
    declared = {part.body.split(" ", 2)[1] for part in here}
    for declaration in existing:
        if declaration.split(" ", 2)[1] not in declared:
            out += [declaration, ""]
    seen: set[str] = set()
    for part in here:
        if part.body not in seen:
            seen.add(part.body)
            out += [part.body, ""]
    if not here:
        out.append("// Nothing in this plan is declarative.")
    return "\n".join(out).rstrip("\n") + "\n"
