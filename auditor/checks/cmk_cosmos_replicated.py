"""DR-18: a customer-managed-key workspace's Cosmos DB lists the secondary region."""

from __future__ import annotations

from auditor.azure import COSMOS_ACCOUNT, get_path, norm_region, resource_group_of
from auditor.checks.kit import Context, Look, NoParams, Outcome, check, json_text, pair_of
from auditor.estate import Estate, Resource


def _by_group(estate: Estate, rtype: str) -> dict[tuple[str, str | None], list[Resource]]:
    index: dict[tuple[str, str | None], list[Resource]] = {}
    for resource in estate.of_type(rtype):
        index.setdefault((resource.subscription, resource_group_of(resource.id)), []).append(
            resource
        )
    return index


@check("cmk_cosmos_replicated")
def cmk_cosmos_replicated(ctx: Context, _: NoParams) -> Outcome:
    """DR-18: a customer-managed-key primary's Cosmos DB (service-provisioned in your
    subscription, or brought with the key) lists the secondary region."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    look.seen(primary)
    if not isinstance(primary.get("properties"), dict):
        look.missing.append(f"{primary.raw_id} has no 'properties'")
        return look.outcome("")
    # a project workspace without its own encryption block is encrypted as its hub is
    owner = look.holder(primary, "properties.encryption")
    if owner is None:
        return look.outcome("")
    status = owner.get("properties.encryption.status")
    look.observe(owner.raw_id, "properties.encryption.status", status)
    if not isinstance(status, str) or status.lower() != "enabled":
        return look.outcome(
            f"{primary.name} does not use customer-managed keys "
            f"(encryption status {json_text(status)})",
            inapplicable=True,
        )
    if owner.get("properties.enableServiceSideCMKEncryption") is True:
        look.observe(owner.raw_id, "properties.enableServiceSideCMKEncryption", True)
        return look.outcome(
            f"{primary.name} uses service-side customer-managed-key encryption: its data is not "
            "kept in a Cosmos DB account in your subscription",
            inapplicable=True,
        )
    s_region = look.location(secondary)
    own = owner.get("properties.encryption.cosmosDbResourceId")
    accounts: list[Resource] = []
    if isinstance(own, str) and own:
        look.observe(owner.raw_id, "properties.encryption.cosmosDbResourceId", own)
        account = look.resource(own, f"the Cosmos DB account of {primary.name}")
        accounts = [account] if account else []
    else:
        group = look.prop(owner, "properties.serviceProvisionedResourceGroup")
        if not isinstance(group, str) or not group:
            return look.outcome("")
        if group.startswith("/"):  # an id rather than the name the swagger describes
            sub, name = str(group.split("/")[2]).lower(), str(resource_group_of(group))
        else:
            sub, name = owner.subscription, group.lower()
        by_group = ctx.estate.memo("cosmos", lambda: _by_group(ctx.estate, COSMOS_ACCOUNT))
        accounts = [look.seen(a) for a in by_group.get((sub, name), ())]
        if not accounts:
            look.missing.append(
                f"no Cosmos DB account of the service-provisioned resource group {group} "
                f"(subscription {sub}) is in the snapshot"
            )
    for account in accounts:
        locations = look.prop(account, "properties.locations")
        if locations is None:
            continue
        names = sorted(
            {
                norm_region(str(get_path(entry, "locationName")))
                for entry in (locations if isinstance(locations, list) else [])
                if isinstance(get_path(entry, "locationName"), str)
            }
        )
        look.observe(account.raw_id, "properties.locations[].locationName", names, s_region)
        if s_region and s_region not in names:
            look.fail(
                f"Cosmos DB {account.name} of customer-managed-key workspace {primary.name} is "
                f"only in {', '.join(names) or 'no region'}: not replicated to {s_region}"
            )
    other = secondary.get("properties.encryption.status")
    if not isinstance(other, str) or other.lower() != "enabled":
        look.note(f"{secondary.name} does not use customer-managed keys while {primary.name} does")
    return look.outcome(
        f"the Cosmos DB of customer-managed-key workspace {primary.name} "
        f"({', '.join(a.name for a in accounts)}) is replicated to {s_region}"
    )
