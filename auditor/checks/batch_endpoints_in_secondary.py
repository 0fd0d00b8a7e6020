"""DR-13: the primary's batch endpoints are in the secondary, with the same models."""

from __future__ import annotations

from auditor.azure import BATCH_DEPLOYMENT, BATCH_ENDPOINT, MISSING
from auditor.checks.kit import Context, Look, NoParams, Outcome, check, model_key, pair_of, serving
from auditor.estate import Estate, Resource


def _batch_models(
    look: Look, estate: Estate, endpoint: Resource, *, secondary: bool
) -> tuple[set[str], set[str | None]]:
    """Models of the endpoint's provisioned batch deployments; and, in the secondary, models of
    deployments whose state is not recorded (None: a model that is not known either)."""
    models: set[str] = set()
    unsure: set[str | None] = set()
    for deployment in estate.children_of(endpoint.id, BATCH_DEPLOYMENT):
        state = deployment.get("properties.provisioningState")
        asset = deployment.get("properties.model.assetId")
        key = model_key(asset) if isinstance(asset, str) and asset else None
        if secondary and not serving(state):
            look.observe(deployment.raw_id, "properties.provisioningState", state, "Succeeded")
            if not isinstance(state, str):
                look.missing.append(f"{deployment.raw_id} has no 'properties.provisioningState'")
                unsure.add(key)
            continue
        if not secondary and isinstance(state, str) and not serving(state):
            continue
        if deployment.get("properties.model") in (MISSING, None):
            if isinstance(deployment.get("properties.deploymentConfiguration"), dict):
                # a pipeline component deployment has no model
                look.note(f"batch deployment {deployment.name} deploys a component: not compared")
            else:
                look.missing.append(f"{deployment.raw_id} has no 'properties.model'")
                unsure.add(None)
            continue
        look.observe(deployment.raw_id, "properties.model.assetId", asset)
        if key is None:
            look.missing.append(f"{deployment.raw_id} has no 'properties.model.assetId'")
            unsure.add(None)
            continue
        models.add(key)
    return models, unsure


@check("batch_endpoints_in_secondary")
def batch_endpoints_in_secondary(ctx: Context, _: NoParams) -> Outcome:
    """DR-13: every batch endpoint of the primary has an endpoint of the same name in the
    secondary, provisioned, with provisioned deployments of the same models."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    ours = ctx.estate.children_of(primary.id, BATCH_ENDPOINT)
    if not ours:
        return look.outcome("the primary has no batch endpoints", inapplicable=True)
    theirs = {e.name.lower(): e for e in ctx.estate.children_of(secondary.id, BATCH_ENDPOINT)}
    for endpoint in ours:
        look.seen(endpoint)
        match = theirs.get(endpoint.name.lower())
        look.observe(
            endpoint.raw_id,
            "batch endpoint of the same name in the secondary",
            match.raw_id if match else None,
        )
        if match is None:
            look.fail(
                f"batch endpoint {endpoint.name} has no endpoint of the same name in "
                f"{secondary.name}"
            )
            continue
        state = look.prop(match, "properties.provisioningState")
        if isinstance(state, str) and not serving(state):
            look.fail(f"batch endpoint {endpoint.name} in {secondary.name} is {state}")
            continue
        wanted, _unsure = _batch_models(look, ctx.estate, endpoint, secondary=False)
        served, unsure = _batch_models(look, ctx.estate, match, secondary=True)
        if None in unsure:
            continue  # a deployment whose data is missing may serve them: error, not fail
        for model in sorted(wanted - served - unsure):
            look.fail(
                f"batch endpoint {endpoint.name} deploys {model}; {endpoint.name} in "
                f"{secondary.name} has no provisioned deployment of it"
            )
    return look.outcome(
        f"all {len(ours)} batch endpoint(s) of the primary are provisioned in {secondary.name} "
        "with the same models"
    )
