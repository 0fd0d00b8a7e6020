"""DR-14: the role assignments on the primary workspace are mirrored on the secondary."""

from __future__ import annotations

from auditor.checks.kit import Context, Look, NoParams, Outcome, check, pair_of

BUILT_IN_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "f6c7c914-8db3-469d-8ca1-694a8f32e121": "AzureML Data Scientist",
}


def _role(guid: str) -> str:
    return BUILT_IN_ROLES.get(guid, f"role {guid}")


@check("role_assignments_mirrored")
def role_assignments_mirrored(ctx: Context, _: NoParams) -> Outcome:
    """DR-14: every role assignment scoped to the primary workspace has a counterpart (same
    principal, same role definition) on the secondary workspace or a scope it inherits from."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    look.seen(primary)
    look.seen(secondary)
    ours = look.lookup(ctx.estate.role_assignments(primary.raw_id))
    theirs = look.lookup(ctx.estate.role_assignments(secondary.raw_id))
    if ours is None or theirs is None:
        return look.outcome("")
    direct = [a for a in ours if a.scope == primary.id]
    if not direct:
        return look.outcome(
            f"no role assignments are scoped to {primary.name}: nothing to mirror",
            inapplicable=True,
        )
    have = {}
    for assignment in theirs:
        key = (assignment.principal, assignment.role)
        if key not in have or assignment.scope == secondary.id:
            have[key] = assignment
    for assignment in direct:
        who = f"{assignment.principal_type} {assignment.principal or '(no principalId)'}"
        if not assignment.principal or not assignment.role:
            look.missing.append(f"{assignment.raw_id} has no principalId or roleDefinitionId")
            continue
        found = have.get((assignment.principal, assignment.role))
        look.observe(
            assignment.raw_id,
            "properties.principalId, roleDefinitionId",
            f"{assignment.principal} {assignment.role}",
        )
        look.observe(
            secondary.raw_id,
            f"role assignment of {assignment.principal} ({_role(assignment.role)})",
            found.raw_id if found else None,
            "the same principal and role",
        )
        if found is None:
            look.fail(
                f"{who} has {_role(assignment.role)} on {primary.name} but not on {secondary.name}"
            )
        elif found.scope != secondary.id:
            look.note(
                f"{who} has {_role(assignment.role)} on {secondary.name} through an assignment "
                f"at {found.scope}"
            )
    return look.outcome(
        f"the {len(direct)} role assignment(s) on {primary.name} are mirrored on {secondary.name}"
    )
