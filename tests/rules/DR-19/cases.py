"""DR-19 cases: Default storage and the container registry are zone-redundant."""

from __future__ import annotations

from auditor.azure import locations_path
from tests.rules.kit import HUB_NOTE, HUB_PAIR, SUB, ZONES, Cases, HubPair, Pair

cases = Cases("DR-19")

cases.add(
    "pass-zone-redundant",
    "Standard_ZRS default storage; the Premium registry and its replication have zone "
    "redundancy enabled.",
    Pair(),
    "pass",
    "the default storage accounts are zone-redundant",
)
cases.add(
    "fail-locally-redundant-storage",
    "The default storage accounts are Standard_LRS.",
    Pair(storage_sku="Standard_LRS"),
    "fail",
    "default storage stfraudeastus is Standard_LRS: not zone-redundant",
)
e = Pair()
e.set("registries/acrfraud/replications/westus", "properties.zoneRedundancy", "Disabled")
cases.add(
    "fail-replication-not-zone-redundant",
    "The westus replication was created without zone redundancy.",
    e,
    "fail",
    "replication of acrfraud in westus has zone redundancy Disabled",
)
e = Pair(storage_sku="Standard_LRS")
e.set("registries/acrfraud/replications/westus", "properties.zoneRedundancy", "Disabled")
for region in e.body(locations_path(SUB))["value"]:
    if region["name"] == "eastus":  # westus has no availability zones: no mappings
        region["availabilityZoneMappings"] = [
            {"logicalZone": z, "physicalZone": f"eastus-az{z}"} for z in ZONES
        ]
cases.add(
    "fail-only-where-zones-are-offered",
    "LRS default storage in both regions and a replication without zone redundancy in "
    "westus, whose locations entry has no availabilityZoneMappings: only eastus's storage "
    "fails.",
    e,
    "fail",
    "default storage stfraudeastus is Standard_LRS: not zone-redundant",
    notes=(
        "westus has no availability zones: default storage stfraudwestus not judged",
        "westus has no availability zones: replication of acrfraud in westus not judged",
    ),
)
e = Pair()
e.delete("registries/acrfraud", "properties.zoneRedundancy")
cases.add(
    "error-registry-zone-redundancy-absent",
    "The registry row has no zoneRedundancy.",
    e,
    "error",
    "acrfraud has no 'properties.zoneRedundancy'",
)

# -- hub and project workspaces --

cases.add(
    "pass-project-pair-through-hubs",
    HUB_PAIR,
    HubPair(),
    "pass",
    "the default storage accounts are zone-redundant",
    notes=(HUB_NOTE.format("properties.storageAccount"),),
)
