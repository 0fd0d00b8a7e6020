"""DR-06: one Premium container registry for both, present in both regions."""

from __future__ import annotations

from auditor.azure import REPLICATION, norm_id
from auditor.checks.kit import Context, Look, Outcome, check, optional_link, pair_of, two_names
from auditor.frozen import FrozenModel


class RegistryParams(FrozenModel):
    sku: str = "Premium"


@check("shared_geo_replicated_registry", RegistryParams)
def shared_geo_replicated_registry(ctx: Context, params: RegistryParams) -> Outcome:
    """DR-06: one Premium registry for both, present in the secondary region (its home, or a
    replication whose provisioning succeeded)."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    ids = [
        optional_link(look, ws, "properties.containerRegistry", "container registry")
        for ws in (primary, secondary)
    ]
    if not (ids[0] and ids[1]):
        return look.outcome("")
    if norm_id(ids[0]) != norm_id(ids[1]):
        look.fail(
            f"the workspaces use different container registries ({two_names(ids[0], ids[1])}); use "
            "one geo-replicated registry for both"
        )
        return look.outcome("")
    registry = look.resource(ids[0], "the shared container registry")
    if registry is None:
        return look.outcome("")
    sku = look.prop(registry, "sku.name")
    if isinstance(sku, str) and sku.lower() != params.sku.lower():
        look.fail(f"registry {registry.name} is {sku}; geo-replication needs {params.sku}")
    home = look.location(registry)
    regions = {home} if home else set()
    unsure: set[str | None] = set()  # replications whose region or state is not recorded
    for replica in ctx.estate.children_of(registry.id, REPLICATION):
        where = look.location(replica)
        state = replica.get("properties.provisioningState")
        look.observe(replica.raw_id, "properties.provisioningState", state, "Succeeded")
        if not isinstance(state, str):
            look.missing.append(f"{replica.raw_id} has no 'properties.provisioningState'")
            unsure.add(where)
        elif where is None:
            unsure.add(where)
        elif state.lower() == "succeeded":
            regions.add(where)
        else:
            look.note(f"replication of {registry.name} to {where} is {state}")
    region = look.location(secondary)
    if region in unsure or None in unsure:
        pass  # a replication whose data is missing may serve it: error, not fail
    elif region and home and region not in regions:
        look.fail(
            f"registry {registry.name} has no successful replication in {region} "
            f"(the region of {secondary.name})"
        )
    look.observe(registry.raw_id, "regions (home + succeeded replications)", sorted(regions))
    return look.outcome(
        f"both workspaces use the {sku} registry {registry.name}, present in "
        f"{', '.join(sorted(regions))}"
    )
