"""DR-17 cases: Attached AKS clusters are zone-redundant, and the secondary has its own."""

from __future__ import annotations

from auditor.azure import computes_path
from tests.rules.kit import ZONES, Cases, Pair

cases = Cases("DR-17")

cases.add(
    "pass-zonal-aks-in-both",
    "Each workspace has an attached Kubernetes compute (Compute/get/KubernetesCompute.json) "
    "on an AKS cluster whose node pool spans zones 1-3 (ManagedClustersGet.json).",
    Pair(aks_zones=ZONES),
    "pass",
    "the attached AKS clusters span at least 2 zones per node pool, and mlw-fraud-westus "
    "has its own",
)
cases.add(
    "fail-one-zone",
    "The node pools are pinned to zone 1.",
    Pair(aks_zones=("1",)),
    "fail",
    "node pool system of AKS cluster aks-fraud-eastus (compute aks-inference of "
    "mlw-fraud-eastus) is in 1 availability zone(s), not at least 2",
)
e = Pair(aks_zones=("1",))
for row in e.body(computes_path(e.primary))["value"]:
    if row["properties"]["computeType"] == "Kubernetes":
        row["properties"]["computeType"] = "kubernetes"
cases.add(
    "fail-one-zone-compute-type-in-lower-case",
    "The attached compute's computeType reads 'kubernetes'; its node pools are in zone 1.",
    e,
    "fail",
    "node pool system of AKS cluster aks-fraud-eastus (compute aks-inference of "
    "mlw-fraud-eastus) is in 1 availability zone(s), not at least 2",
)
cases.add(
    "fail-no-zones",
    "The node pools have no availabilityZones.",
    Pair(aks_zones=()),
    "fail",
    "is in 0 availability zone(s)",
)
cases.add(
    "fail-no-aks-in-secondary",
    "Only the primary has an attached AKS compute.",
    Pair(aks_zones=ZONES, secondary_aks=False),
    "fail",
    "mlw-fraud-westus has no attached AKS compute",
)
e = Pair(aks_zones=ZONES)
e.drop_rows("managedClusters/aks-fraud-eastus")
cases.add(
    "error-cluster-absent",
    "The primary's attached cluster is not in the snapshot.",
    e,
    "error",
    "AKS cluster of compute aks-inference (mlw-fraud-eastus):",
    "aks-fraud-eastus is not in the snapshot",
)
cases.add(
    "not-applicable-no-attached-aks",
    "The primary has no attached Kubernetes compute.",
    Pair(),
    "not_applicable",
    "the primary has no attached AKS or Kubernetes compute",
)
