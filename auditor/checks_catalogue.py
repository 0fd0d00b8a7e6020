"""The rest of the rule catalogue: registries, training data, batch endpoints, roles, network,
attached AKS, CMK Cosmos DB, zone redundancy, recoverability and the global router."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from auditor.azure import (
    AFD_ORIGIN,
    AKS_CLUSTER,
    BATCH_DEPLOYMENT,
    BATCH_ENDPOINT,
    COSMOS_ACCOUNT,
    FRONT_DOOR,
    MISSING,
    ML_REGISTRY,
    ONLINE_DEPLOYMENT,
    ONLINE_ENDPOINT,
    REPLICATION,
    STORAGE,
    TRAFFIC_MANAGER,
    blob_service_path,
    datastores_path,
    get_path,
    norm_id,
    norm_region,
    parent_id,
    resource_group_of,
)
from auditor.checks import (
    GEO_REDUNDANT_SKUS,
    Context,
    Look,
    NoParams,
    Outcome,
    _pair,
    check,
    is_project,
    model_key,
    serving,
)
from auditor.estate import Estate, PrivateLink, Resource
from auditor.frozen import FrozenModel


def _name(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def _text(value: Any) -> str:
    """A payload value as a reader sees it in a message (JSON spelling)."""
    return "absent" if value is MISSING or value is None else json.dumps(value)


# -- DR-11: registries -------------------------------------------------------------------------

_REGISTRY_REF = re.compile(r"^azureml://registries/([^/]+)/", re.IGNORECASE)


def _registry_references(estate: Estate, ws: Resource) -> dict[str, tuple[str, str, str]]:
    """Azure ML registries the workspace's deployments take models or environments from:
    name -> (deployment id, property path, reference) of the first reference seen."""
    found: dict[str, tuple[str, str, str]] = {}
    paths = {
        ONLINE_DEPLOYMENT: ("properties.model", "properties.environmentId"),
        BATCH_DEPLOYMENT: ("properties.model.assetId", "properties.environmentId"),
    }
    for endpoint_type, deployment_type in (
        (ONLINE_ENDPOINT, ONLINE_DEPLOYMENT),
        (BATCH_ENDPOINT, BATCH_DEPLOYMENT),
    ):
        for endpoint in estate.children_of(ws.id, endpoint_type):
            for deployment in estate.children_of(endpoint.id, deployment_type):
                for path in paths[deployment_type]:
                    value = deployment.get(path)
                    match = _REGISTRY_REF.match(value) if isinstance(value, str) else None
                    if match:
                        found.setdefault(match.group(1).lower(), (deployment.raw_id, path, value))
    return found


def _registry_regions(look: Look, estate: Estate, registry: Resource) -> set[str] | None:
    """The regions an ML registry replicates to: its row's regionDetails, or, when the row
    has none, those of a recorded ARM GET of the registry."""
    look.seen(registry)
    details = registry.get("properties.regionDetails")
    source = "properties.regionDetails"
    if not isinstance(details, list):
        look.observe(registry.raw_id, source, details)
        found = estate.arm_get(registry.raw_id, f"the registry {registry.name}")
        body_details = get_path(found.value, "properties.regionDetails") if found.ok else None
        if not isinstance(body_details, list):
            problem = found.problem or f"GET {registry.raw_id} has no properties.regionDetails"
            look.missing.append(
                f"{registry.raw_id} has no 'properties.regionDetails' in its row, and {problem}"
            )
            return None
        details, source = body_details, f"properties.regionDetails (GET {registry.raw_id})"
        look.note(f"the regions of registry {registry.name} come from its ARM read")
    regions = {
        norm_region(entry["location"])
        for entry in details
        if isinstance(entry, dict) and isinstance(entry.get("location"), str)
    }  # the home region is listed too: one not listed holds no copy
    look.observe(registry.raw_id, source + "[].location", sorted(regions))
    return regions


# Registries Microsoft runs for everyone (azureml://registries/azureml/... curated
# environments, the model catalog's publishers): not the team's to replicate.
_MICROSOFT_REGISTRIES = frozenset({"azureml", "azure-openai", "huggingface", "nvidia-ai"})


def _microsoft_registry(name: str) -> bool:
    return name in _MICROSOFT_REGISTRIES or name.startswith("azureml-")


class RegistryParams(FrozenModel):
    registries: tuple[str, ...] = ()  # registry names judged for every pair, referenced or not


@check("registries_replicated", RegistryParams)
def registries_replicated(ctx: Context, params: RegistryParams) -> Outcome:
    """DR-11: the ML registries the pair's deployments use list both regions."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    wanted = {r for r in (look.location(primary), look.location(secondary)) if r}
    references = {
        **_registry_references(ctx.estate, secondary),
        **_registry_references(ctx.estate, primary),
    }
    for name in params.registries:
        references.setdefault(name.lower(), ("rule parameters", "registries", name))
    for name in [n for n in references if _microsoft_registry(n)]:
        where, path, value = references.pop(name)
        look.observe(where, path, value)
        look.note(
            f"registry {name} is one of Microsoft's (curated models and environments, kept in "
            "every region by Microsoft): not judged"
        )
    if not references:
        return look.outcome(
            "no deployment of either workspace takes a model or environment from an Azure ML "
            "registry (azureml://registries/...)",
            inapplicable=True,
        )
    judged = []
    for name in sorted(references):
        where, path, value = references[name]
        look.observe(where, path, value)
        rows = ctx.estate.named(ML_REGISTRY, name)
        if not rows:
            look.missing.append(
                f"registry {name}, referenced by {where}, is not in the snapshot (no "
                f"{ML_REGISTRY} row named {name}; its subscription may not have been scanned)"
            )
            continue
        if len(rows) > 1:
            look.note(f"{len(rows)} registries are named {name}: each is judged")
        for registry in rows:
            regions = _registry_regions(look, ctx.estate, registry)
            if regions is None or len(wanted) < 2:
                continue
            lacking = sorted(wanted - regions)
            if lacking:
                look.fail(
                    f"registry {registry.name} is not replicated to {', '.join(lacking)} "
                    f"(its regions: {', '.join(sorted(regions))})"
                )
            judged.append(registry.name)
    return look.outcome(
        f"registr{'y' if len(judged) == 1 else 'ies'} {', '.join(sorted(set(judged)))} "
        f"replicate{'s' if len(judged) == 1 else ''} to {' and '.join(sorted(wanted))}"
    )


# -- DR-12: training data ----------------------------------------------------------------------

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
    primary, secondary = _pair(ctx)
    stores = look.lookup(
        ctx.estate.arm_list(datastores_path(primary.raw_id), f"the datastores of {primary.name}")
    )
    defaults = [look.dependency_id(ws, "properties.storageAccount") for ws in (primary, secondary)]
    s_region = look.location(secondary)
    if stores is None:
        return look.outcome("")
    default_names = {_name(d).lower() for d in defaults if d}
    training = []
    for store in stores:
        if not isinstance(store, dict):
            continue
        found = store.get("properties")
        props: dict[str, Any] = found if isinstance(found, dict) else {}
        name = str(store.get("name") or _name(str(store.get("id", ""))))
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


# -- DR-13: batch endpoints --------------------------------------------------------------------


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
    primary, secondary = _pair(ctx)
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


# -- DR-14: role assignments -------------------------------------------------------------------

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
    primary, secondary = _pair(ctx)
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


# -- DR-15: network isolation ------------------------------------------------------------------


def _approved(status: Any) -> bool:
    """A private endpoint connection that serves: approved, or with no state recorded (an
    auto-approved connection may carry none)."""
    return status is None or status is MISSING or str(status).lower() == "approved"


def _private_links(look: Look, estate: Estate, ws: Resource) -> list[str]:
    """Names of the approved private endpoints of a workspace (through its hub for a project
    without its own); the workspace's own privateEndpointConnections when none is a row."""
    links: list[PrivateLink] = list(estate.private_links(ws.id))
    owner = ws
    if not links and is_project(ws):
        hub_id = ws.get("properties.hubResourceId")
        hub = estate.get(hub_id) if isinstance(hub_id, str) and hub_id else None
        if hub is not None and estate.private_links(hub.id):
            links, owner = list(estate.private_links(hub.id)), hub
            look.note(
                f"{ws.name} is a project: its private endpoints are judged through hub {hub.name}"
            )
    approved = []
    for link in links:
        look.seen(link.endpoint)
        look.observe(
            link.endpoint.raw_id,
            "properties.privateLinkServiceConnections[].properties.privateLinkServiceId",
            owner.raw_id,
        )
        if _approved(link.status):
            approved.append(link.endpoint.name)
        else:
            look.note(f"private endpoint {link.endpoint.name} of {ws.name} is {link.status}")
    if not links:
        connections = owner.get("properties.privateEndpointConnections")
        for connection in connections if isinstance(connections, list) else ():
            status = get_path(connection, "properties.privateLinkServiceConnectionState.status")
            endpoint = get_path(connection, "properties.privateEndpoint.id")
            if _approved(status) and isinstance(endpoint, str):
                approved.append(_name(endpoint))
                look.observe(ws.raw_id, "properties.privateEndpointConnections", endpoint)
    return sorted(set(approved))


def _public_access(look: Look, ws: Resource) -> Any:
    """A workspace's publicNetworkAccess. The service leaves the key out while public access is
    on, the default (real answers: tests/real/ml-workspaces/): absent is Enabled."""
    if ws.get("properties.publicNetworkAccess") is MISSING and isinstance(
        ws.get("properties"), dict
    ):
        look.observe(ws.raw_id, "properties.publicNetworkAccess", None)
        look.note(f"{ws.name} does not say publicNetworkAccess: the default, Enabled, is judged")
        return "Enabled"
    return look.prop(ws, "properties.publicNetworkAccess")


@check("network_isolation_mirrored")
def network_isolation_mirrored(ctx: Context, _: NoParams) -> Outcome:
    """DR-15: when the primary disables public network access or is reached through private
    endpoints, the secondary does too."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    public = _public_access(look, primary)
    ours = _private_links(look, ctx.estate, primary)
    theirs = _private_links(look, ctx.estate, secondary)
    look.observe(primary.raw_id, "private endpoints (approved)", ours or None)
    look.observe(secondary.raw_id, "private endpoints (approved)", theirs or None)
    isolated = []
    if isinstance(public, str) and public.lower() == "disabled":
        isolated.append("disables public network access")
        other = _public_access(look, secondary)
        if isinstance(other, str) and other.lower() != "disabled":
            look.fail(
                f"{primary.name} disables public network access; {secondary.name} has it {other}"
            )
    if ours:
        isolated.append(f"is reached through private endpoint(s) {', '.join(ours)}")
        if not theirs:
            look.fail(
                f"{primary.name} is reached through private endpoint(s) {', '.join(ours)}; "
                f"{secondary.name} has none"
            )
    if not isolated:
        if theirs or str(secondary.get("properties.publicNetworkAccess")).lower() == "disabled":
            look.note(
                f"{secondary.name} is network-isolated while {primary.name} is not: clients "
                "that reach the primary may not reach the secondary"
            )
        return look.outcome(
            f"{primary.name} allows public network access and has no private endpoints: "
            "no isolation to mirror"
        )
    return look.outcome(
        f"{primary.name} {' and '.join(isolated)}; {secondary.name} is isolated the same way"
    )


# -- DR-17: attached AKS -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Attached:
    workspace: Resource
    compute_id: str
    name: str
    cluster_id: str | None


def _attached_kubernetes(look: Look, estate: Estate, ws: Resource) -> list[_Attached] | None:
    rows = look.lookup(estate.computes(ws))
    if rows is None:
        return None
    found = []
    for row in rows:
        props = row.get("properties") if isinstance(row, dict) else None
        kind = props.get("computeType") if isinstance(props, dict) else None
        if not isinstance(props, dict) or str(kind).lower() not in ("aks", "kubernetes"):
            continue
        compute_id = str(row.get("id") or f"{ws.raw_id}/computes/{row.get('name')}")
        cluster = props.get("resourceId")
        look.observe(compute_id, "properties.resourceId", cluster)
        if not isinstance(cluster, str) or not cluster:
            look.missing.append(f"compute {compute_id} has no 'properties.resourceId'")
        found.append(
            _Attached(
                ws,
                compute_id,
                str(row.get("name") or _name(compute_id)),
                cluster if isinstance(cluster, str) and cluster else None,
            )
        )
    return found


class AksParams(FrozenModel):
    min_zones: int = 2


@check("attached_aks_zone_redundant", AksParams)
def attached_aks_zone_redundant(ctx: Context, params: AksParams) -> Outcome:
    """DR-17: AKS clusters attached to the workspaces spread every node pool over at least
    `min_zones` availability zones, and the secondary has its own attached AKS."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    ours = _attached_kubernetes(look, ctx.estate, primary)
    theirs = _attached_kubernetes(look, ctx.estate, secondary)
    p_region = look.location(primary)
    if ours is None:
        return look.outcome("")
    if not ours:
        return look.outcome(
            "the primary has no attached AKS or Kubernetes compute", inapplicable=True
        )
    if theirs is None:
        return look.outcome("")
    if not theirs:
        look.fail(
            f"{secondary.name} has no attached AKS compute: AKS attached through Azure ML has no "
            "cross-region high availability, so the secondary needs its own cluster"
        )
    for attached in [*ours, *theirs]:
        if attached.cluster_id is None:
            continue
        if f"/{AKS_CLUSTER}/" not in norm_id(attached.cluster_id) + "/":
            look.note(
                f"compute {attached.name} of {attached.workspace.name} runs on "
                f"{attached.cluster_id}, not an AKS cluster: its zones are not judged"
            )
            continue
        cluster = look.resource(
            attached.cluster_id,
            f"AKS cluster of compute {attached.name} ({attached.workspace.name})",
        )
        if cluster is None:
            continue
        if attached.workspace is secondary and cluster.location and cluster.location == p_region:
            look.fail(
                f"AKS cluster {cluster.name} of {secondary.name} is in the primary's region "
                f"{p_region}"
            )
        pools = look.prop(cluster, "properties.agentPoolProfiles")
        if pools is None:
            continue
        if not isinstance(pools, list) or not pools:
            look.missing.append(
                f"{cluster.raw_id} has no agent pools in 'properties.agentPoolProfiles'"
            )
            continue
        for pool in pools:
            pool_name = get_path(pool, "name")
            zones = get_path(pool, "availabilityZones")
            spread = len(set(zones)) if isinstance(zones, list) else 0
            look.observe(
                cluster.raw_id,
                f"properties.agentPoolProfiles[{pool_name}].availabilityZones",
                zones,
                f"at least {params.min_zones} zones",
            )
            if spread < params.min_zones:
                look.fail(
                    f"node pool {pool_name} of AKS cluster {cluster.name} (compute "
                    f"{attached.name} of {attached.workspace.name}) is in {spread} availability "
                    f"zone(s), not at least {params.min_zones}"
                )
    return look.outcome(
        f"the attached AKS clusters span at least {params.min_zones} zones per node pool, and "
        f"{secondary.name} has its own"
    )


# -- DR-18: CMK Cosmos DB ----------------------------------------------------------------------


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
    primary, secondary = _pair(ctx)
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
            f"(encryption status {_text(status)})",
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


# -- DR-19: zone redundancy --------------------------------------------------------------------

ZONE_REDUNDANT_SKUS = ("zrs", "gzrs", "ragzrs")


def _unique(ids: Iterable[str | None]) -> list[str]:
    return list({norm_id(i): i for i in ids if i}.values())


@check("zone_redundant_dependencies")
def zone_redundant_dependencies(ctx: Context, _: NoParams) -> Outcome:
    """DR-19: the default storage accounts are zone-redundant (ZRS, GZRS, RA-GZRS); the
    container registry and its replications have zone redundancy enabled."""
    look = Look(ctx.estate)
    pair = _pair(ctx)
    storages = _unique(look.dependency_id(ws, "properties.storageAccount") for ws in pair)
    registries = _unique(
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


# -- DR-22: recoverable after deletion ---------------------------------------------------------


def _flag(value: Any) -> Any:
    """A boolean property, also when written as a string ("true", "False"); else as it is."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


@check("recoverable_dependencies")
def recoverable_dependencies(ctx: Context, _: NoParams) -> Outcome:
    """DR-22: the Key Vault keeps soft delete and has purge protection; the default storage
    accounts have blob soft delete on."""
    look = Look(ctx.estate)
    pair = _pair(ctx)
    vaults = _unique(look.dependency_id(ws, "properties.keyVault") for ws in pair)
    storages = _unique(look.dependency_id(ws, "properties.storageAccount") for ws in pair)
    for vault_id in vaults:
        vault = look.resource(vault_id, "Key Vault")
        if vault is None:
            continue
        if not isinstance(vault.get("properties"), dict):
            look.prop(vault, "properties")  # no properties at all: nothing can be judged
            continue
        soft = _flag(vault.get("properties.enableSoftDelete"))
        look.observe(vault.raw_id, "properties.enableSoftDelete", soft, True)
        if soft is False:
            look.fail(f"Key Vault {vault.name} has soft delete off (enableSoftDelete false)")
        elif soft not in (True, None, MISSING):
            look.missing.append(f"'properties.enableSoftDelete' of {vault.raw_id} is {soft!r}")
        elif soft is not True:
            # Soft delete is on by default for vaults created with API 2019-09-01 or later and
            # can no longer be turned off; an absent key is that default, not 'off'.
            look.note(
                f"Key Vault {vault.name} does not say enableSoftDelete: soft delete is on by "
                "default and cannot be turned off, so it is judged on"
            )
        purge = _flag(vault.get("properties.enablePurgeProtection"))
        look.observe(vault.raw_id, "properties.enablePurgeProtection", purge, True)
        if purge not in (True, False, None, MISSING):
            look.missing.append(
                f"'properties.enablePurgeProtection' of {vault.raw_id} is {purge!r}"
            )
        elif purge is not True:
            # Azure leaves the key out of a vault without purge protection: absent is off.
            look.fail(
                f"Key Vault {vault.name} has no purge protection (enablePurgeProtection "
                f"{_text(purge)}): a deleted vault can be purged before the workspace is recovered"
            )
    for storage_id in storages:
        found = look.lookup(
            ctx.estate.arm_get(
                blob_service_path(storage_id), f"the blob service of {_name(storage_id)}"
            )
        )
        if found is None:
            continue
        enabled = get_path(found, "properties.deleteRetentionPolicy.enabled")
        where = blob_service_path(storage_id)
        look.observe(where, "properties.deleteRetentionPolicy.enabled", enabled, True)
        if enabled is MISSING or not isinstance(enabled, bool):
            look.missing.append(f"GET {where} has no 'properties.deleteRetentionPolicy.enabled'")
        elif not enabled:
            look.fail(f"blob soft delete is off on default storage {_name(storage_id)}")
    return look.outcome(
        "Key Vault soft delete and purge protection are on, and blob soft delete is on for the "
        "default storage"
    )


# -- DR-25: global router ----------------------------------------------------------------------


@dataclass
class _Router:
    label: str
    raw_id: str
    hosts: set[str] = field(default_factory=set)


def _host(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    host = urlsplit(value if "//" in value else f"//{value}").hostname
    return host.lower().rstrip(".") if host else None


def _enabled(value: Any) -> bool:
    return not (isinstance(value, str) and value.lower() == "disabled")


def _routers(estate: Estate) -> tuple[list[_Router], list[str]]:
    """Every origin group (Front Door Standard/Premium), backend pool (Front Door classic) and
    Traffic Manager profile with the hosts it routes to; and rows that could not be read."""
    routers: dict[str, _Router] = {}
    unreadable: list[str] = []
    for origin in estate.of_type(AFD_ORIGIN):
        group = parent_id(origin.raw_id)
        host = _host(origin.get("properties.hostName"))
        if host is None:
            unreadable.append(f"{origin.raw_id} has no 'properties.hostName'")
            continue
        router = routers.setdefault(
            norm_id(group), _Router(f"Front Door origin group {_name(group)}", group)
        )
        if _enabled(origin.get("properties.enabledState")):
            router.hosts.add(host)
    for door in estate.of_type(FRONT_DOOR):
        if not _enabled(door.get("properties.enabledState")):
            continue  # a disabled Front Door routes nothing
        pools = door.get("properties.backendPools")
        if not isinstance(pools, list):
            unreadable.append(f"{door.raw_id} has no 'properties.backendPools'")
            continue
        for pool in pools:
            label = f"Front Door {door.name} backend pool {get_path(pool, 'name')}"
            router = _Router(label, str(get_path(pool, "id") or door.raw_id))
            backends = get_path(pool, "properties.backends")
            for backend in backends if isinstance(backends, list) else ():
                host = _host(get_path(backend, "address"))
                if host and _enabled(get_path(backend, "enabledState")):
                    router.hosts.add(host)
            routers[f"{door.id}|{label}"] = router
    for profile in estate.of_type(TRAFFIC_MANAGER):
        endpoints = profile.get("properties.endpoints")
        if not isinstance(endpoints, list):
            unreadable.append(f"{profile.raw_id} has no 'properties.endpoints'")
            continue
        if not _enabled(profile.get("properties.profileStatus")):
            continue
        router = _Router(f"Traffic Manager profile {profile.name}", profile.raw_id)
        for endpoint in endpoints:
            host = _host(get_path(endpoint, "properties.target"))
            if host and _enabled(get_path(endpoint, "properties.endpointStatus")):
                router.hosts.add(host)
        routers[profile.id] = router
    return list(routers.values()), unreadable


@check("global_router_fronts_endpoints")
def global_router_fronts_endpoints(ctx: Context, _: NoParams) -> Outcome:
    """DR-25: one Front Door origin group or backend pool, or one Traffic Manager profile,
    routes to the scoring hosts of both the primary's and the secondary's online endpoints."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    ours = ctx.estate.children_of(primary.id, ONLINE_ENDPOINT)
    if not ours:
        return look.outcome("the primary has no online endpoints", inapplicable=True)
    theirs = ctx.estate.children_of(secondary.id, ONLINE_ENDPOINT)
    if not theirs:
        for endpoint in ours:
            look.seen(endpoint)
        look.seen(secondary)
        look.fail(f"{secondary.name} has no online endpoint for a global router to fail over to")
        return look.outcome("")
    # A secondary endpoint being created (scoringUri null), failed or deleting serves nothing,
    # as DR-10 judges it: no router can fail over to it.
    states = {e.id: e.get("properties.provisioningState") for e in theirs}
    live = [e for e in theirs if not isinstance(states[e.id], str) or serving(states[e.id])]
    for endpoint in (e for e in theirs if e not in live):
        state = states[endpoint.id]
        look.observe(endpoint.raw_id, "properties.provisioningState", state, "Succeeded")
        look.note(f"endpoint {endpoint.name} in {secondary.name} is {state}")
    if not live:
        look.fail(f"{secondary.name} has no serving online endpoint for a global router")
        return look.outcome("")
    routers, unreadable = ctx.estate.memo("routers", lambda: _routers(ctx.estate))

    def host(endpoint: Resource) -> str | None:
        uri = look.prop(endpoint, "properties.scoringUri")
        found = _host(uri)
        if uri is not None and found is None:
            look.missing.append(f"'properties.scoringUri' of {endpoint.raw_id} is not a URL")
        return found

    fronted_by: set[str] = set()
    for mine in ours:
        ours_host = host(mine)
        # its counterpart: the secondary's endpoint of the same name, else any of them
        same = [e for e in live if e.name.lower() == mine.name.lower()]
        partners = [(e, host(e)) for e in same or live]
        if ours_host is None or any(h is None for _, h in partners):
            continue
        both = [
            r for r in routers if ours_host in r.hosts and any(h in r.hosts for _, h in partners)
        ]
        look.observe(
            mine.raw_id,
            "router fronting this endpoint and the secondary's",
            [r.label for r in both] or None,
            "an origin group, backend pool or Traffic Manager profile with both scoring hosts",
        )
        if both:
            fronted_by.update(r.label for r in both)
            continue
        if unreadable:
            look.missing.extend(unreadable)  # an unreadable router may front them: error
            continue
        partner, partner_host = partners[0]
        alone = [r for r in routers if ours_host in r.hosts]
        if alone:
            look.fail(
                f"{alone[0].label} fronts endpoint {mine.name} ({ours_host}) but not "
                f"{partner.name} of {secondary.name} ({partner_host})"
            )
        else:
            look.fail(
                f"no Front Door or Traffic Manager fronts endpoint {mine.name} ({ours_host}) "
                f"together with {partner.name} of {secondary.name} ({partner_host})"
            )
    return look.outcome(
        f"{', '.join(sorted(fronted_by))} front{'s' if len(fronted_by) == 1 else ''} both "
        "regions' online endpoints"
    )
