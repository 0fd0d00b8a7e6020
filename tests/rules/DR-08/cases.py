"""DR-08 cases: Compute clusters in the secondary mirror the primary's."""

from __future__ import annotations

from auditor.azure import computes_path, vm_sizes_path
from auditor.testing.builder import standard_quota
from tests.rules.kit import SUB, Cases, Pair, expect

cases = Cases("DR-08")

cases.add(
    "pass-same-size-and-nodes",
    "The secondary has a cluster of the same VM size scaling to the same node count.",
    Pair(),
    "pass",
    "all 1 primary clusters have a counterpart of the same size or family and capacity in mlw-fraud-westus",
)
cases.add(
    "pass-same-family-other-size",
    "The secondary's cluster is another size of the same family (DSv2).",
    Pair(secondary_clusters=(("cpu-cluster", "Standard_DS12_v2", 8, "Dedicated"),)),
    "pass",
    "have a counterpart of the same size or family",
)
cases.add(
    "fail-fewer-nodes",
    "The secondary's cluster scales to fewer nodes.",
    Pair(secondary_clusters=(("cpu-cluster", "Standard_DS3_v2", 4, "Dedicated"),)),
    "fail",
    "cluster cpu-cluster scales to 8 nodes of Standard_DS3_v2; its counterpart cpu-cluster in mlw-fraud-westus only to 4",
)
cases.add(
    "fail-no-cluster",
    "The secondary has no compute cluster.",
    Pair(secondary_clusters=()),
    "fail",
    "cluster cpu-cluster (Standard_DS3_v2, up to 8 nodes) has no cluster of the same size or family in mlw-fraud-westus",
)
cases.add(
    "fail-other-family",
    "The secondary's cluster is of another VM family.",
    Pair(secondary_clusters=(("cpu-cluster", "Standard_E4ds_v4", 8, "Dedicated"),)),
    "fail",
    "has no cluster of the same size or family in mlw-fraud-westus",
)
e = Pair(secondary_clusters=(("cpu-cluster", "Standard_DS12_v2", 8, "Dedicated"),))
e.forbid(vm_sizes_path(SUB, "westus"))
cases.add(
    "error-family-unknown-vm-sizes-forbidden",
    "The secondary's cluster is another size; reading the secondary region's VM sizes "
    "answered 403 and the primary's were not recorded: whether it is of the same family "
    "is unknown.",
    e,
    "error",
    "the VM family of Standard_DS12_v2, Standard_DS3_v2 is not known",
    "Azure ML VM sizes of subscription",
    "HTTP 403 AuthorizationFailed",
)
e = Pair(secondary_clusters=(("cpu-cluster", "Standard_DS12_v2", 8, "Dedicated"),))
standard_quota(e.b, SUB, ["eastus"], 96)
sizes = e.body(vm_sizes_path(SUB, "westus"))
sizes["value"] = [s for s in sizes["value"] if s["name"] != "Standard_DS3_v2"]
cases.add(
    "pass-family-known-from-the-primary-region",
    "westus does not offer the primary's Standard_DS3_v2 (DR-09's concern); eastus's VM "
    "sizes say it is DSv2, like the secondary's Standard_DS12_v2 cluster.",
    e,
    "pass",
    "have a counterpart of the same size or family",
    also=(
        expect(
            "DR-09",
            "fail",
            "VM size Standard_DS3_v2 of cluster cpu-cluster is not offered in westus",
        ),
    ),
)
e = Pair(secondary_clusters=(("cpu-cluster", "Standard_DS12_v2", 8, "Dedicated"),))
for size in e.body(vm_sizes_path(SUB, "westus"))["value"]:
    if size["name"] == "Standard_DS12_v2":
        del size["family"]
cases.add(
    "error-vm-size-row-without-family",
    "The secondary region's row for Standard_DS12_v2 has no family.",
    e,
    "error",
    "the VM family of Standard_DS12_v2 is not known",
)
e = Pair()
scale = e.body(computes_path(e.secondary))["value"][0]["properties"]["properties"]
scale["scaleSettings"]["maxNodeCount"] = "lots"
cases.add(
    "error-secondary-cluster-unreadable",
    "The secondary's only cluster has maxNodeCount 'lots': it may be the counterpart, so "
    "'no cluster of the same size' cannot be said.",
    e,
    "error",
    "compute",
    "has no vmSize or scaleSettings.maxNodeCount",
)
e = Pair()
e.body(computes_path(e.secondary))["value"][0]["properties"]["provisioningState"] = "Failed"
cases.add(
    "fail-secondary-cluster-failed",
    "The secondary's matching cluster failed to provision: it does not count.",
    e,
    "fail",
    "has no cluster of the same size or family in mlw-fraud-westus",
    notes=("cluster cpu-cluster in mlw-fraud-westus is Failed: not counted",),
)
e = Pair()
del e.body(computes_path(e.secondary))["value"][0]["properties"]["provisioningState"]
cases.add(
    "error-secondary-cluster-state-absent",
    "The secondary's matching cluster has no provisioningState: whether it stands is unknown.",
    e,
    "error",
    "computes/cpu-cluster has no 'properties.provisioningState'",
)
e = Pair()
e.forbid(computes_path(e.secondary))
cases.add(
    "error-secondary-computes-forbidden",
    "Listing the secondary's computes answered 403.",
    e,
    "error",
    "the computes of mlw-fraud-westus could not be read",
    "answered HTTP 403 AuthorizationFailed",
)
e = Pair()
e.drop_read(computes_path(e.primary))
cases.add(
    "error-primary-computes-not-recorded",
    "The primary's computes were not recorded.",
    e,
    "error",
    "the computes of mlw-fraud-eastus was not recorded in the snapshot",
)
cases.add(
    "not-applicable-no-primary-clusters",
    "The primary has no compute clusters: nothing to mirror, no quota to hold.",
    Pair(clusters=(), secondary_clusters=()),
    "not_applicable",
    "the primary has no compute clusters to mirror",
    also=(expect("DR-09", "not_applicable", "the primary has no compute clusters to size"),),
)
