"""DR-06 cases: One Premium container registry, geo-replicated to the secondary region, serves both workspaces."""

from __future__ import annotations

from tests.rules.kit import HUB_NOTE, HUB_PAIR, RG, SUB, Cases, HubPair, Pair, other_casing

cases = Cases("DR-06")

cases.add(
    "pass-premium-replicated",
    "One Premium registry in eastus with a succeeded replication in westus.",
    Pair(),
    "pass",
    "both workspaces use the Premium registry acrfraud, present in eastus, westus",
)
e = Pair()
e.set("registries/acrfraud", "location", "westus")
replica = e.row("registries/acrfraud/replications/westus")
replica["id"] = replica["id"].replace("/replications/westus", "/replications/eastus")
replica["name"] = replica["location"] = "eastus"
cases.add(
    "pass-registry-home-in-secondary",
    "The registry lives in the secondary region and replicates to the primary's.",
    e,
    "pass",
    "present in eastus, westus",
)
e = Pair()
e.set("registries/acrfraud", "location", "westus")
e.drop_rows("registries/acrfraud/replications/westus")
cases.add(
    "pass-registry-home-in-secondary-only",
    "The registry lives in the secondary region and has no replication: the policy asks "
    "for the secondary region only.",
    e,
    "pass",
    "present in westus",
)
e = Pair()
e.set("registries/acrfraud", "location", "centralus")
cases.add(
    "pass-registry-home-in-third-region",
    "The registry lives in centralus with a succeeded replication in westus (secondary).",
    e,
    "pass",
    "present in centralus, westus",
)
e = Pair()
e.set("registries/acrfraud/replications/westus", "properties.provisioningState", "succeeded")
cases.add(
    "pass-replication-state-in-lower-case",
    "The westus replication's provisioningState reads 'succeeded'.",
    e,
    "pass",
    "present in eastus, westus",
)
e = Pair()
registry = e.row("workspaces/mlw-fraud-westus")["properties"]["containerRegistry"]
e.set("workspaces/mlw-fraud-westus", "properties.containerRegistry", other_casing(registry))
cases.add(
    "pass-registry-ids-differ-in-case",
    "The secondary names the registry as resourcegroups/microsoft.containerregistry.",
    e,
    "pass",
    "both workspaces use the Premium registry acrfraud",
)
e = Pair()
e.set("registries/acrfraud/replications/westus", "properties.provisioningState", "Failed")
cases.add(
    "fail-replication-failed",
    "The replication to westus exists but its provisioning failed.",
    e,
    "fail",
    "registry acrfraud has no successful replication in westus (the region of mlw-fraud-westus)",
    notes=("replication of acrfraud to westus is Failed",),
)
cases.add(
    "fail-standard-sku",
    "A Standard registry cannot geo-replicate.",
    Pair(registry_sku="Standard", replicate_registry=False),
    "fail",
    "registry acrfraud is Standard; geo-replication needs Premium",
    "no successful replication in westus",
)
cases.add(
    "fail-no-replication",
    "A Premium registry without a replication in the secondary region.",
    Pair(replicate_registry=False),
    "fail",
    "registry acrfraud has no successful replication in westus",
)
e = Pair()
other = e.b.registry(SUB, RG, "acrfraudwest", "westus")
e.set("workspaces/mlw-fraud-westus", "properties.containerRegistry", other)
cases.add(
    "fail-different-registries",
    "Each workspace has its own registry.",
    e,
    "fail",
    "the workspaces use different container registries (acrfraud and acrfraudwest)",
)
e = Pair()
e.set("workspaces/mlw-fraud-westus", "properties.containerRegistry", None)
cases.add(
    "fail-no-registry",
    "The secondary workspace has no container registry (null, as Azure returns it).",
    e,
    "fail",
    "workspace mlw-fraud-westus has no container registry",
)
e = Pair()
e.drop_rows("registries/acrfraud")
cases.add(
    "error-registry-absent",
    "Both workspaces name acrfraud, but the registry is not in the snapshot.",
    e,
    "error",
    "the shared container registry:",
    "acrfraud is not in the snapshot",
)
e = Pair()
e.delete("workspaces/mlw-fraud-westus", "properties.containerRegistry")
cases.add(
    "error-registry-property-absent",
    "The secondary workspace's payload has no properties.containerRegistry at all.",
    e,
    "error",
    "mlw-fraud-westus has no 'properties.containerRegistry'",
)
e = Pair()
e.delete("registries/acrfraud", "sku")
cases.add(
    "error-registry-sku-absent",
    "The registry row has no sku: its tier is unknown.",
    e,
    "error",
    "acrfraud has no 'sku.name'",
)
e = Pair()
e.delete("registries/acrfraud/replications/westus", "properties.provisioningState")
cases.add(
    "error-replication-state-absent",
    "The westus replication's row has no provisioningState: whether it serves is unknown.",
    e,
    "error",
    "replications/westus has no 'properties.provisioningState'",
)

# -- hub and project workspaces --

cases.add(
    "pass-project-pair-through-hubs",
    HUB_PAIR,
    HubPair(),
    "pass",
    "both workspaces use the Premium registry acrfraud",
    notes=(HUB_NOTE.format("properties.containerRegistry"),),
)

e = HubPair()
e.set("workspaces/hub-fraud-westus", "properties.containerRegistry", None)
cases.add(
    "fail-project-hub-without-registry",
    "The secondary project has no registry, nor has its hub.",
    e,
    "fail",
    "workspace mlw-fraud-westus has no container registry (nor has its hub hub-fraud-westus)",
)
