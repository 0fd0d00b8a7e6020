"""DR-24: the Azure ML provider offers workspaces in both regions."""

from __future__ import annotations

from auditor.checks.kit import Context, Look, NoParams, Outcome, check, pair_of


@check("ml_offered")
def ml_offered(ctx: Context, _: NoParams) -> Outcome:
    """DR-24: the ML provider offers workspaces in both regions."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    for ws in (primary, secondary):
        region = look.location(ws)
        offered = look.lookup(ctx.estate.ml_regions(ws.subscription))
        if region is None or offered is None:
            continue
        path = f"/subscriptions/{ws.subscription}/providers/Microsoft.MachineLearningServices"
        look.observe(path, "resourceTypes[workspaces].locations", region in offered, True)
        if region not in offered:
            look.fail(f"Azure ML workspaces are not offered in {region} ({ws.name})")
    return look.outcome("Azure ML workspaces are offered in both regions")
