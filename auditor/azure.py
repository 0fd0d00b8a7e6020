"""Azure's vocabulary: resource types, Resource Graph tables, API versions, ARM paths, and how
ids, regions and payload paths are read and compared."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Final

WORKSPACE: Final = "microsoft.machinelearningservices/workspaces"
ONLINE_ENDPOINT: Final = "microsoft.machinelearningservices/workspaces/onlineendpoints"
ONLINE_DEPLOYMENT: Final = (
    "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments"
)
BATCH_ENDPOINT: Final = "microsoft.machinelearningservices/workspaces/batchendpoints"
COMPUTE: Final = "microsoft.machinelearningservices/workspaces/computes"
STORAGE: Final = "microsoft.storage/storageaccounts"
KEY_VAULT: Final = "microsoft.keyvault/vaults"
REGISTRY: Final = "microsoft.containerregistry/registries"
REPLICATION: Final = "microsoft.containerregistry/registries/replications"
APP_INSIGHTS: Final = "microsoft.insights/components"
BATCH_DEPLOYMENT: Final = "microsoft.machinelearningservices/workspaces/batchendpoints/deployments"
ML_REGISTRY: Final = "microsoft.machinelearningservices/registries"
PRIVATE_ENDPOINT: Final = "microsoft.network/privateendpoints"
AKS_CLUSTER: Final = "microsoft.containerservice/managedclusters"
COSMOS_ACCOUNT: Final = "microsoft.documentdb/databaseaccounts"
AFD_ORIGIN: Final = "microsoft.cdn/profiles/origingroups/origins"
FRONT_DOOR: Final = "microsoft.network/frontdoors"
TRAFFIC_MANAGER: Final = "microsoft.network/trafficmanagerprofiles"
RESOURCES_TABLE: Final = "resources"
ROLE_ASSIGNMENTS_TABLE: Final = "authorizationresources"

# The clouds a scan can target (collect/auth maps each to its endpoints), and the environment
# variable naming another Resource Manager endpoint (an emulator, a sovereign cloud's).
CLOUD_NAMES: Final = ("AzureCloud", "AzureUSGovernment", "AzureChinaCloud")
ENDPOINT_ENV: Final = "AUDITOR_ARM_ENDPOINT"

API_LOCATIONS: Final = "2022-12-01"
API_PROVIDER: Final = "2021-04-01"
API_ML: Final = "2024-04-01"

# What the collector asks Resource Graph for: every type the rules read, in one query.
RESOURCE_TYPES: Final = (
    WORKSPACE,
    ONLINE_ENDPOINT,
    ONLINE_DEPLOYMENT,
    BATCH_ENDPOINT,
    BATCH_DEPLOYMENT,
    ML_REGISTRY,
    STORAGE,
    KEY_VAULT,
    REGISTRY,
    REPLICATION,
    APP_INSIGHTS,
    PRIVATE_ENDPOINT,
    AKS_CLUSTER,
    COSMOS_ACCOUNT,
    "microsoft.cdn/profiles",
    "microsoft.cdn/profiles/afdendpoints",
    "microsoft.cdn/profiles/origingroups",
    AFD_ORIGIN,
    FRONT_DOOR,
    TRAFFIC_MANAGER,
)
# The columns of a resources row the rules read (the snapshot records only these).
COLUMNS: Final = (
    "id, name, type, location, kind, sku, tags, properties, "
    "subscriptionId, resourceGroup, identity, zones"
)
# Other Resource Graph tables the rules read, recorded under the snapshot's `tables`.
TABLE_QUERIES: Final = {
    ROLE_ASSIGNMENTS_TABLE: (
        "authorizationresources\n"
        "| where type in~ ('microsoft.authorization/roleassignments')\n"
        "| project id, name, type, properties, subscriptionId\n"
        "| order by id asc"
    ),
}
GRAPH_PATH: Final = "/providers/Microsoft.ResourceGraph/resources"
GRAPH_API_VERSION: Final = "2021-03-01"  # what azure-mgmt-resourcegraph 8.0.x speaks


def resource_query(types: Iterable[str] = RESOURCE_TYPES) -> str:
    """One query for every type the rules need, projecting only what they read, in id order."""
    listed = ", ".join(f"'{t}'" for t in types)
    return f"resources\n| where type in~ ({listed})\n| project {COLUMNS}\n| order by id asc"


class _Missing:
    """The value of a property that is absent from a payload (distinct from JSON null)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<missing>"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


@lru_cache(maxsize=1 << 20)
def norm_id(value: str) -> str:
    """Resource ids are compared case-insensitively and without a trailing slash. (Cached:
    the rules normalise the same few ids hundreds of thousands of times in a large scan.)"""
    return value.strip().rstrip("/").lower()


def norm_region(value: str) -> str:
    """Regions are compared by programmatic name: 'East US' and 'eastus' are one region."""
    return value.replace(" ", "").lower()


# A dotted path's steps, split once: the checks read the same few dozen paths a million times.
_STEPS: dict[str, tuple[str, ...]] = {}


def get_path(document: Any, path: str) -> Any:
    """Follow a dotted path through nested mappings; MISSING where any step is absent."""
    steps = _STEPS.get(path)
    if steps is None:
        steps = tuple(path.split("."))
        if len(_STEPS) < 4096:  # paths are constants in the code; bound it all the same
            _STEPS[path] = steps
    current = document
    for part in steps:
        # A JSON object is a dict: test that first, the Mapping ABC check is slow.
        if not (type(current) is dict or isinstance(current, Mapping)) or part not in current:
            return MISSING
        current = current[part]
    return current


@lru_cache(maxsize=1 << 20)
def subscription_of(resource_id: str) -> str | None:
    parts = norm_id(resource_id).split("/")
    if len(parts) > 2 and parts[1] == "subscriptions":
        return parts[2]
    return None


def parent_id(resource_id: str) -> str:
    """The id of the resource a child resource belongs to (its last two segments removed)."""
    return resource_id.rsplit("/", 2)[0]


def resource_group_of(resource_id: str) -> str | None:
    """The (lower-cased) resource group name in a resource id, if it has one."""
    parts = norm_id(resource_id).split("/")
    if len(parts) > 4 and parts[3] == "resourcegroups":
        return parts[4]
    return None


def scope_ancestors(resource_id: str) -> tuple[str, ...]:
    """The scopes whose role assignments a resource inherits: its resource group and its
    subscription (normalised ids; management groups cannot be told from the id)."""
    parts = norm_id(resource_id).split("/")
    found = []
    if len(parts) > 4 and parts[3] == "resourcegroups" and len(parts) > 5:
        found.append("/".join(parts[:5]))
    if len(parts) > 2 and parts[1] == "subscriptions" and len(parts) > 3:
        found.append("/".join(parts[:3]))
    return tuple(found)


_FAMILY_SUFFIX = re.compile(r"_?cluster_?(dedicated|lowpriority)_?vcpus$")


def family_key(name: str) -> str:
    """One key for a VM family across APIs: 'standardDSv2Family' and
    'Standard_DSv2_Family_Cluster_Dedicated_vCPUs' both give 'standarddsv2family'."""
    lowered = _FAMILY_SUFFIX.sub("", name.lower())
    return lowered.replace("_", "").replace(" ", "")


def priority_key(value: str) -> str:
    return "lowpriority" if "lowpriority" in value.replace(" ", "").lower() else "dedicated"


def locations_path(subscription: str) -> str:
    return f"/subscriptions/{subscription}/locations"


def provider_path(subscription: str) -> str:
    return f"/subscriptions/{subscription}/providers/Microsoft.MachineLearningServices"


def computes_path(workspace_id: str) -> str:
    return f"{workspace_id}/computes"


def datastores_path(workspace_id: str) -> str:
    return f"{workspace_id}/datastores"


def blob_service_path(storage_id: str) -> str:
    return f"{storage_id}/blobServices/default"


def usages_path(subscription: str, region: str) -> str:
    return (
        f"/subscriptions/{subscription}/providers/Microsoft.MachineLearningServices"
        f"/locations/{region}/usages"
    )


def vm_sizes_path(subscription: str, region: str) -> str:
    return (
        f"/subscriptions/{subscription}/providers/Microsoft.MachineLearningServices"
        f"/locations/{region}/vmSizes"
    )
