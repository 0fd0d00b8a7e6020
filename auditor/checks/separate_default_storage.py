"""DR-04: each workspace has its own default storage, in its own region."""

from __future__ import annotations

from auditor.azure import norm_id
from auditor.checks.kit import GEO_REDUNDANT_SKUS, Context, Look, NoParams, Outcome, check, pair_of


@check("separate_default_storage")
def separate_default_storage(ctx: Context, _: NoParams) -> Outcome:
    """DR-04: each workspace has its own default storage account, in its own region."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    ids = [look.dependency_id(ws, "properties.storageAccount") for ws in (primary, secondary)]
    if ids[0] and ids[1] and norm_id(ids[0]) == norm_id(ids[1]):
        look.observe(secondary.raw_id, "properties.storageAccount", ids[1], "not the primary's")
        look.fail(
            f"both workspaces use the same default storage account "
            f"{ids[0].rsplit('/', 1)[-1]}; a regional outage takes both workspaces' storage"
        )
    for ws, storage_id in zip((primary, secondary), ids, strict=True):
        if not storage_id:
            continue
        storage = look.resource(storage_id, f"default storage of {ws.name}")
        if storage is None:
            continue
        region, ws_region = look.location(storage), look.location(ws)
        if region and ws_region and region != ws_region:
            look.fail(
                f"default storage {storage.name} of {ws.name} is in {region}, "
                f"not in the workspace's region {ws_region}"
            )
        sku = storage.get("sku.name")
        if isinstance(sku, str) and sku.lower().split("_")[-1] in GEO_REDUNDANT_SKUS:
            look.observe(storage.raw_id, "sku.name", sku)
            look.note(
                f"{storage.name} is {sku}: Azure ML does not support failing over a "
                "default storage account through GRS/GZRS; this does not count toward DR"
            )
    return look.outcome("each workspace has its own default storage account in its own region")
