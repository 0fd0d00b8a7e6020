"""DR-12: training data is on separate storage, geo-replicated to the secondary region."""

from __future__ import annotations

from typing import Any

from auditor.azure import STORAGE, datastores_path, get_path, norm_region
from auditor.checks.kit import GEO_REDUNDANT_SKUS, Context, Look, Outcome, check, id_name, pair_of
from auditor.estate import Estate, Resource
from auditor.frozen import FrozenModel

# Datastores every workspace gets on its own default storage account.
SYSTEM_DATASTORES = frozenset(
    {
        "workspaceblobstore",
        "workspaceartifactstore",
        "workspacefilestore",
        "workspaceworkingdirectory",
    }
)


TRAINING_DATASTORE_TYPES = frozenset({"azureblob", "azuredatalakegen2"})


class TrainingDataParams(FrozenModel):
    require: bool = False  # fail (rather than not_applicable) when there is no training datastore


def _account_of(look: Look, estate: Estate, store: dict[str, Any], label: str) -> Resource | None:
    found = store.get("properties")
    props: dict[str, Any] = found if isinstance(found, dict) else {}
    account = props.get("accountName")
    sub, group = props.get("subscriptionId"), props.get("resourceGroup")
    if isinstance(sub, str) and sub and isinstance(group, str) and group:
        rid = (
            f"/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Storage/"
            f"storageAccounts/{account}"
        )
        return look.resource(rid, f"storage account of {label}")
    rows = estate.named(STORAGE, str(account))
    if len(rows) == 1:
        return look.seen(rows[0])
    look.missing.append(
        f"storage account {account} of {label}: "
        + ("not in the snapshot" if not rows else f"{len(rows)} accounts have that name")
    )
    return None


@check("training_data_geo_replicated", TrainingDataParams)
def training_data_geo_replicated(ctx: Context, params: TrainingDataParams) -> Outcome:
    """DR-12: the primary's training datastores are on storage separate from the default
    storage accounts, geo-redundant, with their secondary in the secondary region."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    stores = look.lookup(
        ctx.estate.arm_list(datastores_path(primary.raw_id), f"the datastores of {primary.name}")
    )
    defaults = [look.dependency_id(ws, "properties.storageAccount") for ws in (primary, secondary)]
    s_region = look.location(secondary)
    if stores is None:
        return look.outcome("")
    default_names = {id_name(d).lower() for d in defaults if d}
    training = []
    for store in stores:
        if not isinstance(store, dict):
            continue
        found = store.get("properties")
        props: dict[str, Any] = found if isinstance(found, dict) else {}
        name = str(store.get("name") or id_name(str(store.get("id", ""))))
        kind = props.get("datastoreType")
        # The system datastores by name: a user datastore made the default is still judged.
        if name.lower() in SYSTEM_DATASTORES:
            continue
        if not isinstance(kind, str) or not kind:
            what = "'properties'" if not isinstance(found, dict) else "'properties.datastoreType'"
            look.missing.append(f"datastore {store.get('id') or name} has no {what}")
            continue
        if kind.lower() not in TRAINING_DATASTORE_TYPES:
            look.note(f"datastore {name} ({kind}) is not blob or ADLS Gen2 storage: not judged")
            continue
        training.append((name, str(store.get("id") or name), props, store))
    if not training:
        summary = (
            f"{primary.name} has no datastore besides its system datastores on the default storage"
        )
        if params.require:
            look.fail(summary + ": its training data lives in the default storage account")
            return look.outcome("")
        return look.outcome(summary + ": no training data store to judge", inapplicable=True)
    secondary_read = ctx.estate.arm_list(datastores_path(secondary.raw_id), "")
    attached = {
        str(get_path(s, "properties.accountName")).lower()
        for s in (secondary_read.value if secondary_read.ok else [])
    }
    judged = []
    for name, store_id, props, store in training:
        account_name = props.get("accountName")
        look.observe(store_id, "properties.accountName", account_name)
        if not isinstance(account_name, str) or not account_name:
            look.missing.append(f"datastore {store_id} has no 'properties.accountName'")
            continue
        if account_name.lower() in default_names:
            look.fail(
                f"datastore {name} is on {account_name}, a workspace's default storage account; "
                "keep training data on separate, geo-replicated storage"
            )
            continue
        account = _account_of(look, ctx.estate, store, f"datastore {name}")
        if account is None:
            continue
        sku = look.prop(account, "sku.name")
        if not isinstance(sku, str):
            continue
        if sku.lower().split("_")[-1] not in GEO_REDUNDANT_SKUS:
            look.fail(
                f"training storage {account.name} (datastore {name}) is {sku}: not geo-redundant "
                "(GRS, GZRS, RA-GRS or RA-GZRS)"
            )
            continue
        other = look.prop(account, "properties.secondaryLocation")
        home = account.location
        regions = {norm_region(other) if isinstance(other, str) else None, home}
        if isinstance(other, str) and s_region and s_region not in regions:
            look.fail(
                f"training storage {account.name} (datastore {name}) replicates {home} to "
                f"{norm_region(other)}: neither is the secondary region {s_region}"
            )
            continue
        if secondary_read.ok and account_name.lower() not in attached:
            look.note(
                f"{account.name} is not attached as a datastore of {secondary.name}: attach it "
                "so the secondary reads the same data after a failover"
            )
        judged.append(account.name)
    return look.outcome(
        f"training data ({', '.join(sorted(set(judged)))}) is on separate geo-redundant storage "
        f"replicated to {s_region}"
    )
