"""DR-07: each workspace has its own Application Insights, in its own region."""

from __future__ import annotations

from auditor.azure import norm_id
from auditor.checks.kit import Context, Look, NoParams, Outcome, check, optional_link, pair_of


@check("app_insights_per_region")
def app_insights_per_region(ctx: Context, _: NoParams) -> Outcome:
    """DR-07: each workspace has its own Application Insights, in its own region."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    ids = [
        optional_link(look, ws, "properties.applicationInsights", "Application Insights")
        for ws in (primary, secondary)
    ]
    if ids[0] and ids[1] and norm_id(ids[0]) == norm_id(ids[1]):
        look.fail(
            f"both workspaces use the same Application Insights {ids[0].rsplit('/', 1)[-1]}; "
            "each region needs its own"
        )
    for ws, component_id in zip((primary, secondary), ids, strict=True):
        if not component_id:
            continue
        component = look.resource(component_id, f"Application Insights of {ws.name}")
        if component is None:
            continue
        region, ws_region = look.location(component), look.location(ws)
        if region and ws_region and region != ws_region:
            look.fail(
                f"Application Insights {component.name} of {ws.name} is in {region}, "
                f"not in the workspace's region {ws_region}"
            )
    return look.outcome("each workspace has its own Application Insights in its own region")
