"""Builds snapshots in the shapes Azure really returns (from the REST API spec examples).

Used for the bundled demo estate, the rules' golden fixtures, the tests and the benchmarks.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.estate import (
    API_LOCATIONS,
    API_ML,
    API_PROVIDER,
    blob_service_path,
    computes_path,
    datastores_path,
    locations_path,
    provider_path,
    usages_path,
    vm_sizes_path,
)


@dataclass(frozen=True)
class Region:
    name: str
    display: str
    geography: str
    group: str
    paired: tuple[str, ...]


REGIONS: Mapping[str, Region] = {
    r.name: r
    for r in (
        Region("eastus", "East US", "United States", "US", ("westus",)),
        Region("westus", "West US", "United States", "US", ("eastus",)),
        Region("eastus2", "East US 2", "United States", "US", ("centralus",)),
        Region("centralus", "Central US", "United States", "US", ("eastus2",)),
        Region("westus2", "West US 2", "United States", "US", ("westcentralus",)),
        Region("westcentralus", "West Central US", "United States", "US", ("westus2",)),
        Region("northeurope", "North Europe", "Europe", "Europe", ("westeurope",)),
        Region("westeurope", "West Europe", "Europe", "Europe", ("northeurope",)),
        Region("uksouth", "UK South", "United Kingdom", "UK", ("ukwest",)),
        Region("ukwest", "UK West", "United Kingdom", "UK", ("uksouth",)),
        Region("swedencentral", "Sweden Central", "Sweden", "Europe", ("swedensouth",)),
        Region("swedensouth", "Sweden South", "Sweden", "Europe", ("swedencentral",)),
        Region("italynorth", "Italy North", "Italy", "Europe", ()),
        Region("polandcentral", "Poland Central", "Poland", "Europe", ()),
        Region("japaneast", "Japan East", "Japan", "Asia Pacific", ("japanwest",)),
        Region("japanwest", "Japan West", "Japan", "Asia Pacific", ("japaneast",)),
    )
}


@dataclass(frozen=True)
class Size:
    name: str
    family: str
    vcpus: int
    gpus: int
    usage_family: str


SIZES: Mapping[str, Size] = {
    s.name.lower(): s
    for s in (
        Size("Standard_DS3_v2", "standardDSv2Family", 4, 0, "Standard_DSv2_Family"),
        Size("Standard_DS12_v2", "standardDSv2Family", 4, 0, "Standard_DSv2_Family"),
        Size("Standard_E4ds_v4", "standardEDSv4Family", 4, 0, "Standard_EDSv4_Family"),
        Size("Standard_NC6s_v3", "standardNCSv3Family", 6, 1, "Standard_NCSv3_Family"),
        Size(
            "Standard_NC24ads_A100_v4",
            "StandardNCADSA100v4Family",
            24,
            1,
            "Standard_NCADSA100v4_Family",
        ),
    )
}


def _usage_label(usage_family: str, priority: str) -> str:
    words = usage_family.replace("_", " ")
    return f"{words} Cluster {priority} vCPUs"


class SnapshotBuilder:
    """Accumulates Resource Graph rows and ARM reads, and renders a snapshot v1 document."""

    def __init__(
        self,
        *,
        collected_at: str = "2026-11-20T06:00:00Z",
        cloud: str = "AzureCloud",
        tenant: str = "72f988bf-0000-4000-8000-000000000001",
        origin: str = "synthetic",
    ) -> None:
        self.origin = origin
        self.collected_at = collected_at
        self.cloud = cloud
        self.tenant = tenant
        self.rows: list[dict[str, Any]] = []
        self.arm: dict[str, dict[str, Any]] = {}
        self.errors: list[dict[str, Any]] = []
        self.subscriptions: list[str] = []
        self.tables: dict[str, list[dict[str, Any]]] = {"authorizationresources": []}

    # -- rows ----------------------------------------------------------------------------------

    def row(
        self,
        rid: str,
        rtype: str,
        location: str,
        properties: dict[str, Any],
        *,
        kind: str | None = None,
        sku: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
        identity: dict[str, Any] | None = None,
        zones: list[str] | None = None,
    ) -> str:
        parts = rid.split("/")
        self.rows.append(
            {
                "id": rid,
                "name": parts[-1],
                "type": rtype.lower(),
                "tenantId": self.tenant,
                "kind": kind or "",
                "location": location,
                "resourceGroup": parts[4].lower(),
                "subscriptionId": parts[2],
                "managedBy": "",
                "sku": sku,
                "plan": None,
                "properties": properties,
                "tags": tags or {},
                "identity": identity,
                "zones": zones,
                "extendedLocation": None,
            }
        )
        return rid

    @staticmethod
    def rid(sub: str, rg: str, provider: str, name: str) -> str:
        return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider}/{name}"

    def subscription(self, sub: str, ml_regions: Iterable[str] | None = None) -> None:
        """List Locations and the ML provider for a subscription."""
        self.subscriptions.append(sub)
        values = []
        for region in REGIONS.values():
            values.append(
                {
                    "id": f"/subscriptions/{sub}/locations/{region.name}",
                    "name": region.name,
                    "type": "Region",
                    "displayName": region.display,
                    "regionalDisplayName": f"({region.group}) {region.display}",
                    "metadata": {
                        "regionType": "Physical",
                        "regionCategory": "Recommended",
                        "geography": region.geography,
                        "geographyGroup": region.group,
                        "pairedRegion": [
                            {"name": p, "id": f"/subscriptions/{sub}/locations/{p}"}
                            for p in region.paired
                        ],
                    },
                }
            )
        self.read(locations_path(sub), API_LOCATIONS, {"value": values})
        offered = list(ml_regions) if ml_regions is not None else list(REGIONS)
        self.read(
            provider_path(sub),
            API_PROVIDER,
            {
                "id": provider_path(sub),
                "namespace": "Microsoft.MachineLearningServices",
                "registrationState": "Registered",
                "resourceTypes": [
                    {
                        "resourceType": "workspaces",
                        "locations": [REGIONS[r].display for r in offered],
                        "apiVersions": ["2025-09-01", "2024-04-01"],
                    },
                    {
                        "resourceType": "locations/usages",
                        "locations": [REGIONS[r].display for r in offered],
                        "apiVersions": ["2025-09-01"],
                    },
                ],
            },
        )

    def read(self, path: str, api_version: str, body: Any, status: int = 200) -> None:
        self.arm[path.lower()] = {
            "path": path,
            "api_version": api_version,
            "status": status,
            "body": body,
        }

    def forbid(self, path: str, api_version: str = API_ML) -> None:
        body = {
            "error": {
                "code": "AuthorizationFailed",
                "message": "The client does not have authorization to perform action over scope.",
            }
        }
        self.read(path, api_version, body, status=403)

    def storage(self, sub: str, rg: str, name: str, region: str, sku: str = "Standard_ZRS") -> str:
        geo = sku.split("_")[-1].upper() in ("GRS", "GZRS", "RAGRS", "RAGZRS")
        pair = REGIONS[region].paired[0] if geo and REGIONS[region].paired else None
        props: dict[str, Any] = {
            "isHnsEnabled": False,
            "primaryLocation": region,
            "statusOfPrimary": "available",
            "provisioningState": "Succeeded",
            "minimumTlsVersion": "TLS1_2",
        }
        if pair:
            props.update(secondaryLocation=pair, statusOfSecondary="available")
        rid = self.rid(sub, rg, "Microsoft.Storage", f"storageAccounts/{name}")
        return self.row(
            rid,
            "Microsoft.Storage/storageAccounts",
            region,
            props,
            kind="StorageV2",
            sku={"name": sku, "tier": "Standard"},
        )

    def key_vault(self, sub: str, rg: str, name: str, region: str) -> str:
        rid = self.rid(sub, rg, "Microsoft.KeyVault", f"vaults/{name}")
        props = {
            "sku": {"family": "A", "name": "standard"},
            "tenantId": self.tenant,
            "enabledForDeployment": False,
            "enabledForTemplateDeployment": False,
            "enableSoftDelete": True,
            "softDeleteRetentionInDays": 90,
            "enablePurgeProtection": True,
            "enableRbacAuthorization": True,
            "vaultUri": f"https://{name}.vault.azure.net",
            "provisioningState": "Succeeded",
            "publicNetworkAccess": "Enabled",
        }
        return self.row(rid, "Microsoft.KeyVault/vaults", region, props)

    def registry(
        self,
        sub: str,
        rg: str,
        name: str,
        region: str,
        sku: str = "Premium",
        replicas: Mapping[str, str] | None = None,
    ) -> str:
        rid = self.rid(sub, rg, "Microsoft.ContainerRegistry", f"registries/{name}")
        props = {
            "loginServer": f"{name.lower()}.azurecr.io",
            "provisioningState": "Succeeded",
            "adminUserEnabled": False,
            "publicNetworkAccess": "Enabled",
            "zoneRedundancy": "Enabled" if sku == "Premium" else "Disabled",
            "dataEndpointEnabled": False,
        }
        self.row(
            rid,
            "Microsoft.ContainerRegistry/registries",
            region,
            props,
            sku={"name": sku, "tier": sku},
        )
        for replica_region, state in (replicas or {}).items():
            self.row(
                f"{rid}/replications/{replica_region}",
                "Microsoft.ContainerRegistry/registries/replications",
                replica_region,
                {
                    "provisioningState": state,
                    "status": {
                        "displayStatus": "Ready" if state == "Succeeded" else "Failed",
                        "message": "The replication is ready."
                        if state == "Succeeded"
                        else "The replication could not be provisioned.",
                        "timestamp": "2026-10-01T08:15:37.0707808Z",
                    },
                    "regionEndpointEnabled": True,
                    "zoneRedundancy": "Enabled",
                },
            )
        return rid

    def app_insights(self, sub: str, rg: str, name: str, region: str) -> str:
        # Application Insights ids come back as microsoft.insights and locations as display names.
        rid = self.rid(sub, rg, "microsoft.insights", f"components/{name}")
        props = {
            "ApplicationId": name,
            "AppId": "887f4bfd-b5fd-40d7-9fc3-123456789abc",
            "Application_Type": "web",
            "provisioningState": "Succeeded",
            "SamplingPercentage": 100.0,
            "RetentionInDays": 90,
            "IngestionMode": "LogAnalytics",
            "WorkspaceResourceId": f"/subscriptions/{sub}/resourcegroups/{rg}/providers/"
            f"microsoft.operationalinsights/workspaces/log-{name}",
            "publicNetworkAccessForQuery": "Enabled",
            "publicNetworkAccessForIngestion": "Enabled",
        }
        return self.row(
            rid, "Microsoft.Insights/components", REGIONS[region].display, props, kind="web"
        )

    def workspace(
        self,
        sub: str,
        rg: str,
        name: str,
        region: str,
        *,
        storage: str,
        key_vault: str,
        registry: str | None,
        app_insights: str,
        tags: dict[str, str] | None = None,
        kind: str = "Default",
    ) -> str:
        rid = self.rid(sub, rg, "Microsoft.MachineLearningServices", f"workspaces/{name}")
        props = {
            "friendlyName": name,
            "storageAccount": storage,
            "keyVault": key_vault,
            # The workspace payload uses lower-case microsoft.insights, like the spec example.
            "applicationInsights": app_insights,
            "containerRegistry": registry,
            "hbiWorkspace": False,
            "provisioningState": "Succeeded",
            "publicNetworkAccess": "Enabled",
            "v1LegacyMode": False,
            "discoveryUrl": f"https://{region}.api.azureml.ms/discovery",
            "mlFlowTrackingUri": f"azureml://{region}.api.azureml.ms/mlflow/v1.0{rid}",
            "workspaceId": str(uuid.uuid5(uuid.NAMESPACE_URL, rid.lower())),
        }
        return self.row(
            rid,
            "Microsoft.MachineLearningServices/workspaces",
            region,
            props,
            kind=kind,
            sku={"name": "Basic", "tier": "Basic"},
            tags=tags,
            identity={
                "type": "SystemAssigned",
                "principalId": "11111111-2222-3333-4444-555555555555",
                "tenantId": self.tenant,
            },
        )

    def computes(
        self, workspace: str, region: str, clusters: Iterable[tuple[str, str, int, str]]
    ) -> None:
        """Record GET {workspace}/computes: (name, vm size, max nodes, priority) per cluster."""
        value = []
        for name, size, max_nodes, priority in clusters:
            value.append(
                {
                    "id": f"{workspace}/computes/{name}",
                    "name": name,
                    "type": "Microsoft.MachineLearningServices/workspaces/computes",
                    "location": region,
                    "properties": {
                        "computeType": "AmlCompute",
                        "computeLocation": region,
                        "provisioningState": "Succeeded",
                        "isAttachedCompute": False,
                        "disableLocalAuth": True,
                        "properties": {
                            "vmSize": size.upper() if size.startswith("Standard_NC") else size,
                            "vmPriority": priority,
                            "osType": "Linux",
                            "isolatedNetwork": False,
                            "scaleSettings": {
                                "maxNodeCount": max_nodes,
                                "minNodeCount": 0,
                                "nodeIdleTimeBeforeScaleDown": "PT120S",
                            },
                            "remoteLoginPortPublicAccess": "Disabled",
                            "allocationState": "Steady",
                            "currentNodeCount": 0,
                            "targetNodeCount": 0,
                            "enableNodePublicIp": False,
                        },
                    },
                }
            )
        self.read(computes_path(workspace), API_ML, {"value": value})

    def quota(
        self,
        sub: str,
        region: str,
        families: Mapping[str, int],
        *,
        dedicated_total: int,
        low_priority_total: int = 100,
        used: Mapping[str, int] | None = None,
    ) -> None:
        """Record ML usages and vmSizes for a subscription and region (families: usage family
        name -> dedicated vCPU limit)."""
        used = used or {}
        value: list[dict[str, Any]] = [
            {
                "id": f"/subscriptions/{sub}/usages",
                "type": "Microsoft.MachineLearningServices/dedicatedCores/usages",
                "currentValue": sum(used.values()),
                "limit": dedicated_total,
                "name": {
                    "localizedValue": "Total Cluster Dedicated Regional vCPUs",
                    "value": "Total Cluster Dedicated Regional vCPUs",
                },
                "unit": "Count",
            },
            {
                "id": f"/subscriptions/{sub}/usages",
                "type": "Microsoft.MachineLearningServices/lowPriorityCores/usages",
                "currentValue": 0,
                "limit": low_priority_total,
                "name": {
                    "localizedValue": "Total Cluster LowPriority Regional vCPUs",
                    "value": "Total Cluster LowPriority Regional vCPUs",
                },
                "unit": "Count",
            },
        ]
        for family, limit in families.items():
            for priority, cap in (("Dedicated", limit), ("LowPriority", -1)):
                label = _usage_label(family, priority)
                value.append(
                    {
                        "id": f"/subscriptions/{sub}/usages/{family}_Cluster_{priority}_vCPUs",
                        "type": "Microsoft.MachineLearningServices/vmFamily/usages",
                        "currentValue": used.get(family, 0) if priority == "Dedicated" else 0,
                        "limit": cap,
                        "name": {"value": label, "localizedValue": label},
                        "unit": "Count",
                    }
                )
        self.read(usages_path(sub, region), API_ML, {"value": value})
        sizes = [
            {
                "name": s.name,
                "family": s.family,
                "vCPUs": s.vcpus,
                "gpus": s.gpus,
                "osVhdSizeMB": 1047552,
                "maxResourceVolumeMB": 28672,
                "memoryGB": 14.0,
                "lowPriorityCapable": True,
                "premiumIO": True,
                "supportedComputeTypes": ["AmlCompute", "ComputeInstance", "MIR"],
            }
            for s in SIZES.values()
        ]
        self.read(vm_sizes_path(sub, region), API_ML, {"value": sizes})

    def online_endpoint(
        self,
        workspace: str,
        region: str,
        name: str,
        deployments: Iterable[tuple[str, str, int, str]],
        *,
        traffic: Mapping[str, int] | None = None,
    ) -> str:
        """An online endpoint and its deployments: (name, model id, instance count, state)."""
        rid = f"{workspace}/onlineEndpoints/{name}"
        deployments = list(deployments)
        traffic = (
            dict(traffic)
            if traffic is not None
            else ({deployments[0][0]: 100} if deployments else {})
        )
        self.row(
            rid,
            "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
            region,
            {
                "description": f"{name} scoring",
                "authMode": "AMLToken",
                "scoringUri": f"https://{name}.{region}.inference.ml.azure.com/score",
                "swaggerUri": f"https://{name}.{region}.inference.ml.azure.com/swagger.json",
                "provisioningState": "Succeeded",
                "publicNetworkAccess": "Enabled",
                "traffic": traffic,
            },
            kind="Managed",
            identity={"type": "SystemAssigned"},
        )
        for dep, model, count, state in deployments:
            self.row(
                f"{rid}/deployments/{dep}",
                "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
                region,
                {
                    "endpointComputeType": "Managed",
                    "instanceType": "Standard_DS3_v2",
                    "model": model,
                    "scaleSettings": {"scaleType": "Default"},
                    "requestSettings": {
                        "maxQueueWait": "PT0.5S",
                        "requestTimeout": "PT5S",
                        "maxConcurrentRequestsPerInstance": 1,
                    },
                    "appInsightsEnabled": True,
                    "provisioningState": state,
                },
                kind="Managed",
                sku={"name": "Default", "tier": "Standard", "capacity": count},
            )
        return rid

    def datastores(
        self, workspace: str, storage: str, extra: Iterable[tuple[str, str, str]] = ()
    ) -> None:
        """Record GET {workspace}/datastores: the default blob store on the workspace's storage
        account, plus (name, storage account id, container) for each extra blob datastore."""
        sub, rg = workspace.split("/")[2], workspace.split("/")[4]
        stores = [("workspaceblobstore", storage, "azureml-blobstore", True)]
        stores += [(name, account, container, False) for name, account, container in extra]
        value = []
        for name, account, container, default in stores:
            value.append(
                {
                    "id": f"{workspace}/datastores/{name}",
                    "name": name,
                    "type": "Microsoft.MachineLearningServices/workspaces/datastores",
                    "properties": {
                        "datastoreType": "AzureBlob",
                        "accountName": account.rsplit("/", 1)[-1],
                        "containerName": container,
                        "endpoint": "core.windows.net",
                        "protocol": "https",
                        "isDefault": default,
                        "resourceGroup": account.split("/")[4] if account.count("/") > 4 else rg,
                        "subscriptionId": account.split("/")[2] if account.count("/") > 2 else sub,
                        "serviceDataAccessAuthIdentity": "WorkspaceSystemAssignedIdentity",
                        "credentials": {"credentialsType": "None"},
                        "description": "",
                        "properties": {},
                        "tags": {},
                    },
                }
            )
        self.read(datastores_path(workspace), API_ML, {"value": value})

    def blob_service(self, storage: str, *, soft_delete: bool = True) -> None:
        """Record GET {storage}/blobServices/default (blob soft delete lives here)."""
        policy: dict[str, Any] = {"enabled": soft_delete}
        if soft_delete:
            policy["days"] = 7
        self.read(
            blob_service_path(storage),
            "2023-05-01",
            {
                "id": f"{storage}/blobServices/default",
                "name": "default",
                "type": "Microsoft.Storage/storageAccounts/blobServices",
                "properties": {
                    "cors": {"corsRules": []},
                    "deleteRetentionPolicy": dict(policy),
                    "containerDeleteRetentionPolicy": dict(policy),
                    "isVersioningEnabled": False,
                },
            },
        )

    def role_assignment(self, scope: str, principal: str, role: str) -> None:
        """A row of the authorizationresources table: `role` is a role definition GUID."""
        sub = scope.split("/")[2]
        name = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scope}|{principal}|{role}".lower()))
        self.tables["authorizationresources"].append(
            {
                "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
                "name": name,
                "type": "microsoft.authorization/roleassignments",
                "subscriptionId": sub,
                "properties": {
                    "roleDefinitionId": f"/subscriptions/{sub}/providers/"
                    f"Microsoft.Authorization/roleDefinitions/{role}",
                    "principalId": principal,
                    "principalType": "Group",
                    "scope": scope,
                    "createdOn": "2026-01-15T10:00:00.0000000Z",
                    "updatedOn": "2026-01-15T10:00:00.0000000Z",
                },
            }
        )

    def error(
        self,
        source: str,
        request: str,
        status: int | None,
        code: str,
        message: str,
        subscription: str | None = None,
    ) -> None:
        entry: dict[str, Any] = {
            "source": source,
            "request": request,
            "status": status,
            "code": code,
            "message": message,
        }
        if subscription:
            entry["subscription"] = subscription
        self.errors.append(entry)

    def build(self) -> dict[str, Any]:
        return {
            "format": "auditor.snapshot",
            "version": 1,
            "origin": self.origin,
            "collected_at": self.collected_at,
            "cloud": self.cloud,
            "tool": {"name": "auditor", "version": "synthetic"},
            "scope": {
                "subscriptions": sorted(set(self.subscriptions)),
                "management_groups": [],
                "tenant_id": self.tenant,
            },
            "resources": copy.deepcopy(self.rows),
            "tables": copy.deepcopy(self.tables),
            "arm": [copy.deepcopy(self.arm[k]) for k in sorted(self.arm)],
            "errors": copy.deepcopy(self.errors),
        }


AZUREML_DATA_SCIENTIST = "f6c7c914-8db3-469d-8ca1-694a8f32e121"  # built-in role definition
DATA_SCIENTISTS = "5b7e3c1a-9f2d-4e6b-8a1c-3d4e5f6a7b8c"  # an Entra group's object id


def model_id(sub: str, rg: str, workspace: str, model: str, version: int) -> str:
    return (
        f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/"
        f"workspaces/{workspace}/models/{model}/versions/{version}"
    )


@dataclass(frozen=True)
class PairSpec:
    """A DR pair and how healthy it is; the defaults make a pair ready for hot/hot."""

    name: str
    sub: str
    primary_region: str
    secondary_region: str
    rg: str = ""
    registry_sku: str = "Premium"
    replicate_registry: bool = True
    shared_storage: bool = False
    shared_key_vault: bool = True
    shared_app_insights: bool = False
    clusters: tuple[tuple[str, str, int, str], ...] = (
        ("cpu-cluster", "Standard_DS3_v2", 8, "Dedicated"),
    )
    secondary_clusters: tuple[tuple[str, str, int, str], ...] | None = None
    quota: int = 96
    endpoints: tuple[tuple[str, str, int], ...] = (("score", "model", 3),)
    secondary_endpoints: tuple[tuple[str, str, int], ...] | None = None
    tags: bool = False
    storage_sku: str = "Standard_ZRS"


def add_pair(builder: SnapshotBuilder, spec: PairSpec) -> tuple[str, str]:
    """Add a pair's workspaces and dependencies; returns (primary id, secondary id)."""
    rg = spec.rg or f"rg-{spec.name}"
    p_reg, s_reg = spec.primary_region, spec.secondary_region
    short = spec.name.replace("-", "")[:12]
    kv = builder.key_vault(spec.sub, rg, f"kv-{short}", p_reg)
    kv2 = kv if spec.shared_key_vault else builder.key_vault(spec.sub, rg, f"kv-{short}-2", s_reg)
    replicas = {s_reg: "Succeeded"} if spec.replicate_registry else {}
    acr = builder.registry(spec.sub, rg, f"acr{short}", p_reg, spec.registry_sku, replicas)
    st1 = builder.storage(spec.sub, rg, f"st{short}{p_reg}"[:24], p_reg, spec.storage_sku)
    st2 = (
        st1
        if spec.shared_storage
        else builder.storage(spec.sub, rg, f"st{short}{s_reg}"[:24], s_reg, spec.storage_sku)
    )
    ai1 = builder.app_insights(spec.sub, rg, f"appi-{spec.name}-{p_reg}", p_reg)
    ai2 = (
        ai1
        if spec.shared_app_insights
        else builder.app_insights(spec.sub, rg, f"appi-{spec.name}-{s_reg}", s_reg)
    )
    ids = []
    for role, region, storage, vault, insights in (
        ("primary", p_reg, st1, kv, ai1),
        ("secondary", s_reg, st2, kv2, ai2),
    ):
        tags = {"dr-workload": spec.name, "dr-role": role} if spec.tags else {"env": "prod"}
        ids.append(
            builder.workspace(
                spec.sub,
                rg,
                f"mlw-{spec.name}-{region}",
                region,
                storage=storage,
                key_vault=vault,
                registry=acr,
                app_insights=insights.replace(
                    "/providers/microsoft.insights/", "/providers/Microsoft.Insights/"
                )
                if role == "secondary"
                else insights,
                tags=tags,
            )
        )
    primary, secondary = ids
    for ws, storage in ((primary, st1), (secondary, st2)):
        builder.datastores(ws, storage)
        builder.role_assignment(ws, DATA_SCIENTISTS, AZUREML_DATA_SCIENTIST)
    for storage in dict.fromkeys((st1, st2)):
        builder.blob_service(storage)
    builder.computes(primary, p_reg, spec.clusters)
    mirror = spec.clusters if spec.secondary_clusters is None else spec.secondary_clusters
    builder.computes(secondary, s_reg, mirror)
    for ws, region, endpoints in (
        (primary, p_reg, spec.endpoints),
        (
            secondary,
            s_reg,
            spec.endpoints if spec.secondary_endpoints is None else spec.secondary_endpoints,
        ),
    ):
        for endpoint, model, count in endpoints:
            builder.online_endpoint(
                ws,
                region,
                endpoint,
                [
                    (
                        "blue",
                        f"azureml://registries/mlr-shared/models/{model}/versions/3",
                        count,
                        "Succeeded",
                    )
                ],
            )
    return primary, secondary


def standard_quota(builder: SnapshotBuilder, sub: str, regions: Iterable[str], limit: int) -> None:
    families = {s.usage_family: limit for s in SIZES.values()}
    for region in regions:
        builder.quota(sub, region, families, dedicated_total=limit * 2)
