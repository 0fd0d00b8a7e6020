"""DR-19: the default storage and the container registry are zone-redundant."""

from __future__ import annotations

from auditor.azure import REPLICATION
from auditor.checks.kit import Context, Look, NoParams, Outcome, check, distinct_ids, pair_of
from auditor.estate import Resource

ZONE_REDUNDANT_SKUS = ("zrs", "gzrs", "ragzrs")


@check("zone_redundant_dependencies")
def zone_redundant_dependencies(ctx: Context, _: NoParams) -> Outcome:
    """DR-19: the default storage accounts are zone-redundant (ZRS, GZRS, RA-GZRS); the
    container registry and its replications have zone redundancy enabled."""
    look = Look(ctx.estate)
    pair = pair_of(ctx)
    storages = distinct_ids(look.dependency_id(ws, "properties.storageAccount") for ws in pair)
    registries = distinct_ids(
        look.dependency_id(ws, "properties.containerRegistry", null_ok=True) for ws in pair
    )
    found = ctx.estate.locations(pair[0].subscription)
    regions = found.value if found.ok else {}

    def offered(item: Resource, what: str) -> bool:
        """Zone redundancy is asked for where the region has availability zones."""
        region = regions.get(item.location)
        if region is None or region.zones is not False:
            return True  # unknown: judged as if it has them
        look.observe(item.raw_id, "location (availabilityZoneMappings)", item.location)
        look.note(f"{item.location} has no availability zones: {what} not judged")
        return False

    for storage_id in storages:
        storage = look.resource(storage_id, "default storage")
        sku = look.prop(storage, "sku.name") if storage else None
        if (
            storage
            and isinstance(sku, str)
            and sku.lower().split("_")[-1] not in ZONE_REDUNDANT_SKUS
            and offered(storage, f"default storage {storage.name}")
        ):
            look.fail(
                f"default storage {storage.name} is {sku}: not zone-redundant "
                "(ZRS, GZRS or RA-GZRS)"
            )
    if not registries:
        look.note("no container registry to judge (see DR-06)")
    for registry_id in registries:
        registry = look.resource(registry_id, "container registry")
        if registry is None:
            continue
        for item in (registry, *ctx.estate.children_of(registry.id, REPLICATION)):
            value = look.prop(item, "properties.zoneRedundancy")
            where = (
                f"container registry {registry.name}"
                if item is registry
                else f"replication of {registry.name} in {item.location or item.name}"
            )
            if isinstance(value, str) and value.lower() != "enabled" and offered(item, where):
                look.fail(f"{where} has zone redundancy {value}")
    return look.outcome(
        "the default storage accounts are zone-redundant, and so are the container registry "
        "and its replications"
    )
