"""DR-01: a secondary workspace exists, in another region."""

from __future__ import annotations

from auditor.checks.kit import Context, Look, NoParams, Outcome, check


@check("secondary_workspace")
def secondary_workspace(ctx: Context, _: NoParams) -> Outcome:
    """DR-01: a secondary workspace exists, in another region."""
    look = Look(ctx.estate)
    primary_region = look.location(ctx.primary)
    if ctx.secondary is None:
        look.fail(
            f"workspace {ctx.primary.name} has no secondary workspace: none is configured, "
            "tagged or discoverable"
        )
        return look.outcome("")
    secondary_region = look.location(ctx.secondary)
    if primary_region and secondary_region and primary_region == secondary_region:
        look.fail(
            f"the secondary workspace {ctx.secondary.name} is in the same region as the "
            f"primary ({primary_region}); a regional outage would take both"
        )
    return look.outcome(
        f"secondary workspace {ctx.secondary.name} is in {secondary_region}, "
        f"primary {ctx.primary.name} in {primary_region}"
    )
