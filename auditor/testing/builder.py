"""Builds snapshots in the shapes Azure really returns (from the REST API spec examples).

Used for the bundled demo estate, the rules' golden fixtures, the tests and the benchmarks.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from auditor import snapshot
from auditor.azure import (
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
        self._index: dict[tuple[str, str], dict[str, Any]] = {}  # (type, name) -> first row
        self._indexed = 0  # rows indexed so far

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

    def from_template(
        self,
        body: Mapping[str, Any],
        rid: str,
        location: str,
        properties: Mapping[str, Any] | None = None,
    ) -> str:
        """A row made from a recorded ARM body (a real answer, tests/real/): its shape as Azure
        sent it, at our own id and region, with `properties` keys set over the recorded ones."""
        row = rg_row(body, self.tenant)
        row.update(id=rid, name=rid.rsplit("/", 1)[-1], location=location)
        row.update(subscriptionId=rid.split("/")[2], resourceGroup=rid.split("/")[4].lower())
        if properties:
            row["properties"] = {**(row.get("properties") or {}), **properties}
        self.rows.append(row)
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

    def key_vault(
        self, sub: str, rg: str, name: str, region: str, *, purge_protection: bool = True
    ) -> str:
        rid = self.rid(sub, rg, "Microsoft.KeyVault", f"vaults/{name}")
        props = {
            "sku": {"family": "A", "name": "standard"},
            "tenantId": self.tenant,
            "enabledForDeployment": False,
            "enabledForTemplateDeployment": False,
            "enableSoftDelete": True,
            "softDeleteRetentionInDays": 90,
            "enablePurgeProtection": purge_protection,
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
        storage: str | None,
        key_vault: str | None,
        registry: str | None,
        app_insights: str | None,
        tags: dict[str, str] | None = None,
        kind: str = "Default",
        hub: str | None = None,
        public_network_access: str = "Enabled",
        cmk_group: str | None = None,
    ) -> str:
        """A workspace. A project (kind Project, `hub` set) may leave its dependencies None:
        they are then absent from its row, and are its hub's. `cmk_group` names the
        service-provisioned resource group of a customer-managed-key workspace."""
        rid = self.rid(sub, rg, "Microsoft.MachineLearningServices", f"workspaces/{name}")
        props: dict[str, Any] = {
            "friendlyName": name,
            "storageAccount": storage,
            "keyVault": key_vault,
            # The workspace payload uses lower-case microsoft.insights, like the spec example.
            "applicationInsights": app_insights,
            "containerRegistry": registry,
            "hbiWorkspace": False,
            "provisioningState": "Succeeded",
            "publicNetworkAccess": public_network_access,
            "v1LegacyMode": False,
            "discoveryUrl": f"https://{region}.api.azureml.ms/discovery",
            "mlFlowTrackingUri": f"azureml://{region}.api.azureml.ms/mlflow/v1.0{rid}",
            "workspaceId": str(uuid.uuid5(uuid.NAMESPACE_URL, rid.lower())),
        }
        if hub is not None:
            props["hubResourceId"] = hub
            for key in ("storageAccount", "keyVault", "applicationInsights", "containerRegistry"):
                if props[key] is None:
                    del props[key]
        if cmk_group is not None:
            vault = key_vault or ""
            props["encryption"] = {
                "status": "Enabled",
                "keyVaultProperties": {
                    "keyVaultArmId": vault,
                    "keyIdentifier": f"https://{vault.rsplit('/', 1)[-1]}.vault.azure.net/keys/"
                    "cmk/4c2f0d5e8a1b4c7d9e3f2a1b0c9d8e7f",
                },
            }
            props["serviceProvisionedResourceGroup"] = cmk_group
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
        self,
        workspace: str,
        region: str,
        clusters: Iterable[tuple[str, str, int, str]],
        attached: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Record GET {workspace}/computes: (name, vm size, max nodes, priority) per cluster,
        and (name, cluster resource id) per attached Kubernetes compute."""
        value: list[dict[str, Any]] = []

        def compute(name: str, properties: dict[str, Any]) -> dict[str, Any]:
            return {
                "id": f"{workspace}/computes/{name}",
                "name": name,
                "type": "Microsoft.MachineLearningServices/workspaces/computes",
                "location": region,
                "properties": properties,
            }

        for name, size, max_nodes, priority in clusters:
            value.append(
                compute(
                    name,
                    {
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
                )
            )
        for name, cluster in attached:
            # the shape of Compute/get/KubernetesCompute.json (2025-09-01)
            value.append(
                compute(
                    name,
                    {
                        "createdOn": "2026-01-15T10:00:00.0000000+00:00",
                        "modifiedOn": "2026-01-15T10:00:00.0000000+00:00",
                        "description": "attached AKS cluster for inference",
                        "resourceId": cluster,
                        "computeType": "Kubernetes",
                        "provisioningState": "Succeeded",
                        "isAttachedCompute": True,
                        "properties": {
                            "extensionInstanceReleaseTrain": "stable",
                            "namespace": "azureml",
                            "defaultInstanceType": "defaultinstancetype",
                        },
                    },
                )
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
        workspace_id = str(uuid.uuid5(uuid.NAMESPACE_URL, workspace.lower()))
        # every workspace has these system datastores on its default storage account
        stores = [
            ("workspaceblobstore", storage, f"azureml-blobstore-{workspace_id}", True, "AzureBlob"),
            ("workspaceartifactstore", storage, "azureml", False, "AzureBlob"),
            (
                "workspacefilestore",
                storage,
                f"azureml-filestore-{workspace_id}",
                False,
                "AzureFile",
            ),
            ("workspaceworkingdirectory", storage, f"code-{workspace_id}", False, "AzureFile"),
        ]
        stores += [(name, account, box, False, "AzureBlob") for name, account, box in extra]
        value = []
        for name, account, container, default, kind in stores:
            props: dict[str, Any] = {
                "description": "",
                "tags": {},
                "isDefault": default,
                "properties": None,
                "credentials": {"credentialsType": "None"},
                "datastoreType": kind,
                "accountName": account.rsplit("/", 1)[-1],
                "endpoint": "core.windows.net",
                "protocol": "https",
                "resourceGroup": account.split("/")[4] if account.count("/") > 4 else rg,
                "subscriptionId": account.split("/")[2] if account.count("/") > 2 else sub,
                "serviceDataAccessAuthIdentity": "WorkspaceSystemAssignedIdentity",
            }
            props["fileShareName" if kind == "AzureFile" else "containerName"] = container
            value.append(
                {
                    "id": f"{workspace}/datastores/{name}",
                    "name": name,
                    "type": "Microsoft.MachineLearningServices/workspaces/datastores",
                    "properties": props,
                    "systemData": {
                        "createdAt": "2026-01-15T10:00:00.000Z",
                        "createdBy": "ml-platform@contoso.example",
                        "createdByType": "User",
                        "lastModifiedAt": "2026-01-15T10:00:00.000Z",
                        "lastModifiedBy": "ml-platform@contoso.example",
                        "lastModifiedByType": "User",
                    },
                }
            )
        self.read(datastores_path(workspace), API_ML, {"value": value})

    def blob_service(
        self, storage: str, *, soft_delete: bool = True, sku: str = "Standard_ZRS"
    ) -> None:
        """Record GET {storage}/blobServices/default (blob soft delete lives here), in the
        shape of BlobServicesGet.json (2023-05-01)."""
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
                "sku": {"name": sku, "tier": sku.split("_")[0]},
            },
        )

    def role_assignment(
        self, scope: str, principal: str, role: str, principal_type: str = "Group"
    ) -> None:
        """A row of the authorizationresources table (the shape of RoleAssignments_Get.json,
        with the scope Resource Graph adds): `role` is a role definition GUID."""
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
                    "principalType": principal_type,
                    "scope": scope,
                    "createdOn": "2026-01-15T10:00:00.0000000Z",
                    "updatedOn": "2026-01-15T10:00:00.0000000Z",
                },
            }
        )

    # -- the rest of the catalogue's resources (shapes from the REST API spec examples) -------

    def find(self, rtype: str, name: str) -> dict[str, Any] | None:
        """The first row of a type with a name (case-insensitive). Indexed as rows are added,
        so building an estate of N pairs stays linear in N."""
        key = (rtype.lower(), name.lower())
        if self._indexed > len(self.rows):  # rows were removed: index again
            self._index.clear()
            self._indexed = 0
        for r in self.rows[self._indexed :]:
            self._index.setdefault((r["type"], r["name"].lower()), r)
        self._indexed = len(self.rows)
        found = self._index.get(key)
        if found is None or (found["type"], found["name"].lower()) == key:
            return found
        # the row was renamed since it was indexed: look through every row
        return next((r for r in self.rows if (r["type"], r["name"].lower()) == key), None)

    def ml_registry(self, sub: str, rg: str, name: str, region: str, regions: Iterable[str]) -> str:
        """An Azure ML registry replicated to `regions` (Registries/get.json, 2025-09-01). A
        registry of that name already added gains the regions: registries are shared."""
        row = self.find("Microsoft.MachineLearningServices/registries", name)
        if row is None:
            rid = self.rid(sub, rg, "Microsoft.MachineLearningServices", f"registries/{name}")
            self.row(
                rid,
                "Microsoft.MachineLearningServices/registries",
                region,
                {
                    "regionDetails": [],
                    "intellectualPropertyPublisher": None,
                    "publicNetworkAccess": "Enabled",
                    "discoveryUrl": f"https://{region}.api.azureml.ms/"
                    f"registrymanagement/v1.0/registries/{name}/discovery",
                    "managedResourceGroup": {
                        "resourceId": f"/subscriptions/{sub}/resourceGroups/azureml-rg-{name}"
                    },
                    "mlFlowRegistryUri": f"azureml://{region}.api.azureml.ms/mlflow/v1.0"
                    f"/subscriptions/{sub}/resourceGroups/{rg}/providers/"
                    f"Microsoft.MachineLearningServices/registries/{name}",
                    "registryPrivateEndpointConnections": [],
                },
                kind="",
                sku={"name": "P3", "tier": "Basic"},
                identity={
                    "type": "SystemAssigned",
                    "principalId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{rid}|identity")),
                    "tenantId": self.tenant,
                },
            )
            row = self.rows[-1]
        details = row["properties"]["regionDetails"]
        known = {d["location"] for d in details}
        for where in regions:
            if where in known:
                continue
            known.add(where)
            details.append(
                {
                    "location": where,
                    "storageAccountDetails": [
                        {
                            "systemCreatedStorageAccount": {
                                "storageAccountName": f"{name.replace('-', '')}{where}"[:24],
                                "storageAccountType": "Standard_LRS",
                                "storageAccountHnsEnabled": False,
                                "armResourceId": {"resourceId": None},
                                "allowBlobPublicAccess": False,
                            }
                        }
                    ],
                    "acrDetails": [
                        {
                            "systemCreatedAcrAccount": {
                                "acrAccountName": f"{name.replace('-', '')}{where}"[:50],
                                "acrAccountSku": "Premium",
                                "armResourceId": {"resourceId": None},
                            }
                        }
                    ],
                }
            )
        return str(row["id"])

    def batch_endpoint(
        self, workspace: str, region: str, name: str, deployments: Iterable[tuple[str, str, str]]
    ) -> str:
        """A batch endpoint and its deployments: (name, model asset id, state)."""
        rid = f"{workspace}/batchEndpoints/{name}"
        deployments = list(deployments)
        self.row(
            rid,
            "Microsoft.MachineLearningServices/workspaces/batchEndpoints",
            region,
            {
                "description": f"{name} batch scoring",
                "authMode": "AADToken",
                "scoringUri": f"https://{name}.{region}.inference.ml.azure.com/jobs",
                "swaggerUri": None,
                "defaults": {"deploymentName": deployments[0][0] if deployments else None},
                "provisioningState": "Succeeded",
                "properties": {},
            },
            kind="",
            identity={"type": "SystemAssigned"},
        )
        for dep, model, state in deployments:
            self.row(
                f"{rid}/deployments/{dep}",
                "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments",
                region,
                {
                    "description": f"{name} {dep}",
                    "model": {"referenceType": "Id", "assetId": model},
                    "compute": f"{workspace}/computes/cpu-cluster",
                    "resources": {"instanceCount": 2},
                    "miniBatchSize": 10,
                    "maxConcurrencyPerInstance": 1,
                    "errorThreshold": -1,
                    "outputAction": "AppendRow",
                    "outputFileName": "predictions.csv",
                    "loggingLevel": "Info",
                    "retrySettings": {"maxRetries": 3, "timeout": "PT30S"},
                    "provisioningState": state,
                    "properties": {},
                },
                kind="",
            )
        return rid

    def private_endpoint(
        self,
        sub: str,
        rg: str,
        name: str,
        region: str,
        target: str,
        group: str = "amlworkspace",
        status: str = "Approved",
    ) -> str:
        """A private endpoint connected to `target` (PrivateEndpointGet.json, 2024-05-01)."""
        rid = self.rid(sub, rg, "Microsoft.Network", f"privateEndpoints/{name}")
        vnet = self.rid(sub, rg, "Microsoft.Network", f"virtualNetworks/vnet-{region}")
        return self.row(
            rid,
            "Microsoft.Network/privateEndpoints",
            region,
            {
                "provisioningState": "Succeeded",
                "privateLinkServiceConnections": [
                    {
                        "id": f"{rid}/privateLinkServiceConnections/{name}",
                        "name": name,
                        "properties": {
                            "privateLinkServiceId": target,
                            "groupIds": [group],
                            "requestMessage": "",
                            "privateLinkServiceConnectionState": {
                                "status": status,
                                "description": "Auto-Approved",
                                "actionsRequired": "None",
                            },
                        },
                    }
                ],
                "manualPrivateLinkServiceConnections": [],
                "subnet": {"id": f"{vnet}/subnets/snet-private-endpoints"},
                "networkInterfaces": [
                    {"id": self.rid(sub, rg, "Microsoft.Network", f"networkInterfaces/{name}.nic")}
                ],
                "customDnsConfigs": [],
                "applicationSecurityGroups": [],
                "ipConfigurations": [],
            },
        )

    def aks_cluster(
        self, sub: str, rg: str, name: str, region: str, zones: Iterable[str] | None
    ) -> str:
        """An AKS cluster with one system node pool in `zones` (ManagedClustersGet.json)."""
        rid = self.rid(sub, rg, "Microsoft.ContainerService", f"managedClusters/{name}")
        pool: dict[str, Any] = {
            "name": "system",
            "count": 3,
            "vmSize": "Standard_D4ds_v5",
            "maxPods": 110,
            "osType": "Linux",
            "mode": "System",
            "type": "VirtualMachineScaleSets",
            "orchestratorVersion": "1.31.2",
            "currentOrchestratorVersion": "1.31.2",
            "provisioningState": "Succeeded",
            "upgradeSettings": {"maxSurge": "33%"},
        }
        if zones:  # a pool without zones has no availabilityZones key
            pool["availabilityZones"] = list(zones)
        return self.row(
            rid,
            "Microsoft.ContainerService/managedClusters",
            region,
            {
                "provisioningState": "Succeeded",
                "kubernetesVersion": "1.31.2",
                "currentKubernetesVersion": "1.31.2",
                "dnsPrefix": name,
                "fqdn": f"{name}-4f2a9c1d.hcp.{region}.azmk8s.io",
                "agentPoolProfiles": [pool],
                "nodeResourceGroup": f"MC_{rg}_{name}_{region}",
                "enableRBAC": True,
                "networkProfile": {"networkPlugin": "azure", "loadBalancerSku": "standard"},
            },
            sku={"name": "Base", "tier": "Standard"},
            identity={"type": "SystemAssigned"},
        )

    def cosmos(self, sub: str, rg: str, name: str, region: str, locations: Iterable[str]) -> str:
        """A Cosmos DB account in `locations` (CosmosDBDatabaseAccountGet.json, 2024-11-15:
        locationName is a display name)."""
        rid = self.rid(sub, rg, "Microsoft.DocumentDB", f"databaseAccounts/{name}")
        entries = [
            {
                "id": f"{name}-{where}",
                "locationName": REGIONS[where].display if where in REGIONS else where,
                "documentEndpoint": f"https://{name}-{where}.documents.azure.com:443/",
                "provisioningState": "Succeeded",
                "failoverPriority": priority,
                "isZoneRedundant": False,
            }
            for priority, where in enumerate(locations)
        ]
        return self.row(
            rid,
            "Microsoft.DocumentDB/databaseAccounts",
            REGIONS[region].display if region in REGIONS else region,
            {
                "provisioningState": "Succeeded",
                "documentEndpoint": f"https://{name}.documents.azure.com:443/",
                "databaseAccountOfferType": "Standard",
                "consistencyPolicy": {"defaultConsistencyLevel": "Session"},
                "writeLocations": entries[:1],
                "readLocations": entries,
                "locations": entries,
                "failoverPolicies": [
                    {"id": e["id"], "locationName": e["locationName"], "failoverPriority": i}
                    for i, e in enumerate(entries)
                ],
                "enableAutomaticFailover": True,
                "enableMultipleWriteLocations": False,
                "backupPolicy": {"type": "Continuous"},
            },
            kind="GlobalDocumentDB",
        )

    def front_door(self, sub: str, rg: str, name: str, groups: Mapping[str, Iterable[str]]) -> str:
        """An Azure Front Door Standard profile with origin groups of origin host names
        (AFDOriginGroups_Get.json, AFDOrigins_Get.json, 2025-06-01)."""
        profile = self.row(
            self.rid(sub, rg, "Microsoft.Cdn", f"profiles/{name}"),
            "Microsoft.Cdn/profiles",
            "Global",
            {"provisioningState": "Succeeded", "resourceState": "Active"},
            kind="frontdoor",
            sku={"name": "Standard_AzureFrontDoor"},
        )
        # the spec examples' ids use lower-case resourcegroups and origingroups
        base = profile.replace("/resourceGroups/", "/resourcegroups/")
        for group, hosts in groups.items():
            self.row(
                f"{base}/origingroups/{group}",
                "Microsoft.Cdn/profiles/origingroups",
                "",
                {
                    "loadBalancingSettings": {
                        "sampleSize": 4,
                        "successfulSamplesRequired": 3,
                        "additionalLatencyInMilliseconds": 50,
                    },
                    "healthProbeSettings": {
                        "probePath": "/",
                        "probeRequestType": "GET",
                        "probeProtocol": "Https",
                        "probeIntervalInSeconds": 30,
                    },
                    "provisioningState": "Succeeded",
                    "deploymentStatus": "NotStarted",
                },
            )
            for priority, host in enumerate(hosts, start=1):
                origin = f"origin{priority}"
                self.row(
                    f"{base}/origingroups/{group}/origins/{origin}",
                    "Microsoft.Cdn/profiles/origingroups/origins",
                    "",
                    {
                        "hostName": host,
                        "httpPort": 80,
                        "httpsPort": 443,
                        "originHostHeader": host,
                        "priority": priority,
                        "weight": 1000,
                        "enabledState": "Enabled",
                        "enforceCertificateNameCheck": True,
                        "originGroupName": group,
                        "sharedPrivateLinkResource": None,
                        "provisioningState": "Succeeded",
                        "deploymentStatus": "NotStarted",
                    },
                )
        return profile

    def classic_front_door(
        self, sub: str, rg: str, name: str, pools: Mapping[str, Iterable[str]]
    ) -> str:
        """A classic Front Door with backend pools of backend addresses (FrontdoorGet.json,
        2021-06-01: a backend's address sits directly in the backends list)."""
        rid = self.rid(sub, rg, "Microsoft.Network", f"frontDoors/{name}")
        return self.row(
            rid,
            "Microsoft.Network/frontDoors",
            "Global",
            {
                "backendPools": [
                    {
                        "id": f"{rid}/backendPools/{pool}",
                        "name": pool,
                        "properties": {
                            "backends": [
                                {
                                    "address": host,
                                    "httpPort": 80,
                                    "httpsPort": 443,
                                    "enabledState": "Enabled",
                                    "weight": 50,
                                    "priority": priority,
                                    "backendHostHeader": host,
                                }
                                for priority, host in enumerate(hosts, start=1)
                            ],
                            "resourceState": "Enabled",
                        },
                    }
                    for pool, hosts in pools.items()
                ],
                "frontendEndpoints": [
                    {
                        "id": f"{rid}/frontendEndpoints/default",
                        "name": "default",
                        "properties": {"hostName": f"{name}.azurefd.net"},
                    }
                ],
                "enabledState": "Enabled",
                "resourceState": "Enabled",
                "provisioningState": "Succeeded",
                "cname": f"{name}.azurefd.net",
            },
        )

    def traffic_manager(self, sub: str, rg: str, name: str, targets: Iterable[str]) -> str:
        """A Traffic Manager profile with external endpoints (Profile-GET-WithTrafficViewEnabled
        .json and Endpoint-GET-External-WithLocation.json, 2022-04-01)."""
        rid = self.rid(sub, rg, "Microsoft.Network", f"trafficManagerProfiles/{name}")
        return self.row(
            rid,
            "Microsoft.Network/trafficManagerProfiles",
            "global",
            {
                "profileStatus": "Enabled",
                "trafficRoutingMethod": "Priority",
                "dnsConfig": {
                    "relativeName": name,
                    "fqdn": f"{name}.trafficmanager.net",
                    "ttl": 30,
                },
                "monitorConfig": {
                    "profileMonitorStatus": "Online",
                    "protocol": "HTTPS",
                    "port": 443,
                    "path": "/",
                    "intervalInSeconds": 30,
                    "timeoutInSeconds": 10,
                    "toleratedNumberOfFailures": 3,
                },
                "endpoints": [
                    {
                        "id": f"{rid}/externalEndpoints/endpoint{priority}",
                        "name": f"endpoint{priority}",
                        "type": "Microsoft.Network/trafficManagerProfiles/externalEndpoints",
                        "properties": {
                            "endpointStatus": "Enabled",
                            "endpointMonitorStatus": "Online",
                            "target": target,
                            "weight": 1,
                            "priority": priority,
                        },
                    }
                    for priority, target in enumerate(targets, start=1)
                ],
                "trafficViewEnrollmentStatus": "Disabled",
            },
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
        return snapshot.document(
            origin=self.origin,
            collected_at=self.collected_at,
            cloud=self.cloud,
            tool_version="synthetic",
            scope={
                "subscriptions": sorted(set(self.subscriptions)),
                "management_groups": [],
                "tenant_id": self.tenant,
            },
            resources=copy.deepcopy(self.rows),
            tables=copy.deepcopy(self.tables),
            arm=[copy.deepcopy(self.arm[k]) for k in sorted(self.arm)],
            errors=copy.deepcopy(self.errors),
        )


# Columns of a Resource Graph `resources` row that an ARM body may lack, as Resource Graph
# fills them (tests/real/storage/lrs-storage-v1.rg-row.json).
_ROW_DEFAULTS: Mapping[str, Any] = {
    "kind": "",
    "managedBy": "",
    "sku": None,
    "plan": None,
    "tags": {},
    "identity": None,
    "zones": None,
    "extendedLocation": None,
}


def rg_row(body: Mapping[str, Any], tenant: str) -> dict[str, Any]:
    """The Resource Graph row of a resource from its ARM GET body, the documented way: `type`
    lower-cased, `properties` as ARM sends them, subscriptionId, resourceGroup (lower-cased)
    and tenantId added, the other columns filled; ARM's etag and systemData are not columns."""
    row = {k: copy.deepcopy(v) for k, v in body.items() if k not in ("etag", "systemData")}
    parts = str(body.get("id", "")).split("/")
    row["type"] = str(body.get("type", "")).lower()
    if len(parts) > 4:
        row.update(subscriptionId=parts[2], resourceGroup=parts[4].lower())
    row["tenantId"] = tenant
    for key, value in _ROW_DEFAULTS.items():
        row.setdefault(key, copy.deepcopy(value))
    return row


AZUREML_DATA_SCIENTIST = "f6c7c914-8db3-469d-8ca1-694a8f32e121"  # built-in role definition
DATA_SCIENTISTS = "5b7e3c1a-9f2d-4e6b-8a1c-3d4e5f6a7b8c"  # an Entra group's object id


def model_id(sub: str, rg: str, workspace: str, model: str, version: int) -> str:
    return (
        f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/"
        f"workspaces/{workspace}/models/{model}/versions/{version}"
    )


def registry_model(model: str, version: int, registry: str) -> str:
    """A model version in an Azure ML registry, as deployments reference it."""
    return f"azureml://registries/{registry}/models/{model}/versions/{version}"


def scoring_host(endpoint: str, region: str) -> str:
    """The host of a managed online endpoint's scoring URI."""
    return f"{endpoint}.{region}.inference.ml.azure.com"


@dataclass(frozen=True)
class PairSpec:
    """A DR pair and how healthy it is; the defaults make a pair ready for hot/hot.

    The options after `storage_sku` add what the recommended rules look at; their defaults
    leave those rules passing or with nothing to judge."""

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
    # the regions of the pair's Azure ML registry mlr-<name>, which its deployments take their
    # models from (None: both of the pair's regions)
    ml_registry_regions: tuple[str, ...] | None = None
    # a separate training storage account of this SKU, attached to both workspaces
    training_storage_sku: str | None = None
    # batch endpoints (name, model) of the primary, and of the secondary (None: the same)
    batch_endpoints: tuple[tuple[str, str], ...] = ()
    secondary_batch_endpoints: tuple[tuple[str, str], ...] | None = None
    # public network access disabled and a private endpoint (secondary: None means the same)
    private: bool = False
    secondary_private: bool | None = None
    # an attached AKS cluster per workspace, with these zones (None: no AKS)
    aks_zones: tuple[str, ...] | None = None
    secondary_aks: bool = True
    # customer-managed keys, with the primary's Cosmos DB in these regions (None: both)
    cmk: bool = False
    cosmos_regions: tuple[str, ...] | None = None
    # a global router over each endpoint pair: "frontdoor", "frontdoor-classic", "trafficmanager"
    router: str | None = None
    purge_protection: bool = True
    blob_soft_delete: bool = True
    mirror_roles: bool = True


def add_pair(builder: SnapshotBuilder, spec: PairSpec) -> tuple[str, str]:
    """Add a pair's workspaces and dependencies; returns (primary id, secondary id)."""
    rg = spec.rg or f"rg-{spec.name}"
    p_reg, s_reg = spec.primary_region, spec.secondary_region
    short = spec.name.replace("-", "")[:12]
    kv = builder.key_vault(
        spec.sub, rg, f"kv-{short}", p_reg, purge_protection=spec.purge_protection
    )
    kv2 = (
        kv
        if spec.shared_key_vault
        else builder.key_vault(
            spec.sub, rg, f"kv-{short}-2", s_reg, purge_protection=spec.purge_protection
        )
    )
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
    secondary_private = spec.private if spec.secondary_private is None else spec.secondary_private
    ids = []
    for role, region, storage, vault, insights, private in (
        ("primary", p_reg, st1, kv, ai1, spec.private),
        ("secondary", s_reg, st2, kv2, ai2, secondary_private),
    ):
        tags = {"dr-workload": spec.name, "dr-role": role} if spec.tags else {"env": "prod"}
        name = f"mlw-{spec.name}-{region}"
        ids.append(
            builder.workspace(
                spec.sub,
                rg,
                name,
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
                public_network_access="Disabled" if private else "Enabled",
                cmk_group=f"azureml-rg-{name}_{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
                if spec.cmk
                else None,
            )
        )
        if private:
            builder.private_endpoint(spec.sub, rg, f"pe-{name}", region, ids[-1])
    primary, secondary = ids
    training = (
        builder.storage(spec.sub, rg, f"st{short}train"[:24], p_reg, spec.training_storage_sku)
        if spec.training_storage_sku
        else None
    )
    extra = [("trainingdata", training, "data")] if training else []
    for ws, storage in ((primary, st1), (secondary, st2)):
        builder.datastores(ws, storage, extra)
    builder.role_assignment(primary, DATA_SCIENTISTS, AZUREML_DATA_SCIENTIST)
    if spec.mirror_roles:
        builder.role_assignment(secondary, DATA_SCIENTISTS, AZUREML_DATA_SCIENTIST)
    for storage in dict.fromkeys((st1, st2)):
        sku = spec.storage_sku
        builder.blob_service(storage, soft_delete=spec.blob_soft_delete, sku=sku)
    attached: dict[str, list[tuple[str, str]]] = {primary: [], secondary: []}
    if spec.aks_zones is not None:
        for ws, region in ((primary, p_reg), (secondary, s_reg)):
            if ws == secondary and not spec.secondary_aks:
                continue
            cluster = builder.aks_cluster(
                spec.sub, rg, f"aks-{short}-{region}", region, spec.aks_zones
            )
            attached[ws].append(("aks-inference", cluster))
    builder.computes(primary, p_reg, spec.clusters, attached[primary])
    mirror = spec.clusters if spec.secondary_clusters is None else spec.secondary_clusters
    builder.computes(secondary, s_reg, mirror, attached[secondary])
    secondary_endpoints = (
        spec.endpoints if spec.secondary_endpoints is None else spec.secondary_endpoints
    )
    ml_registry = f"mlr-{spec.name}"
    for ws, region, endpoints in (
        (primary, p_reg, spec.endpoints),
        (secondary, s_reg, secondary_endpoints),
    ):
        for endpoint, model, count in endpoints:
            builder.online_endpoint(
                ws,
                region,
                endpoint,
                [("blue", registry_model(model, 3, ml_registry), count, "Succeeded")],
            )
    secondary_batch = (
        spec.batch_endpoints
        if spec.secondary_batch_endpoints is None
        else spec.secondary_batch_endpoints
    )
    for ws, region, batch in (
        (primary, p_reg, spec.batch_endpoints),
        (secondary, s_reg, secondary_batch),
    ):
        for endpoint, model in batch:
            builder.batch_endpoint(
                ws,
                region,
                endpoint,
                [("default", registry_model(model, 1, ml_registry), "Succeeded")],
            )
    registry_regions = (
        (p_reg, s_reg) if spec.ml_registry_regions is None else spec.ml_registry_regions
    )
    builder.ml_registry(spec.sub, rg, ml_registry, p_reg, registry_regions)
    if spec.cmk:
        for ws, region, other in ((primary, p_reg, s_reg), (secondary, s_reg, p_reg)):
            group = builder.find("Microsoft.MachineLearningServices/workspaces", _last(ws))
            assert group is not None
            managed_rg = group["properties"]["serviceProvisionedResourceGroup"]
            regions = (
                spec.cosmos_regions
                if ws == primary and spec.cosmos_regions is not None
                else (region, other)
            )
            builder.cosmos(spec.sub, managed_rg, f"cosmos{short}{region}"[:44], region, regions)
    if spec.router is not None:
        hosts = {
            endpoint: [scoring_host(endpoint, p_reg)]
            + [scoring_host(e, s_reg) for e, _, _ in secondary_endpoints if e == endpoint]
            for endpoint, _, _ in spec.endpoints
        }
        if spec.router == "frontdoor":
            builder.front_door(spec.sub, rg, f"afd-{spec.name}", hosts)
        elif spec.router == "frontdoor-classic":
            builder.classic_front_door(spec.sub, rg, f"fd-{spec.name}", hosts)
        elif spec.router == "trafficmanager":
            for endpoint, targets in hosts.items():
                builder.traffic_manager(spec.sub, rg, f"tm-{spec.name}-{endpoint}", targets)
        else:
            raise ValueError(f"unknown router {spec.router!r}")
    return primary, secondary


def _last(resource_id: str) -> str:
    return resource_id.rsplit("/", 1)[-1]


def standard_quota(builder: SnapshotBuilder, sub: str, regions: Iterable[str], limit: int) -> None:
    families = {s.usage_family: limit for s in SIZES.values()}
    for region in regions:
        builder.quota(sub, region, families, dedicated_total=limit * 2)
