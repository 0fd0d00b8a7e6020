"""DR-09 cases: The secondary region has the compute quota the primary's clusters can scale to."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.azure import computes_path, usages_path, vm_sizes_path
from auditor.testing.builder import SIZES
from tests.rules.kit import SUB, Cases, Pair

cases = Cases("DR-09")

cases.add(
    "pass-family-names-differ-across-apis",
    "vmSizes says standardDSv2Family, usages Standard_DSv2_Family_Cluster_Dedicated_vCPUs: "
    "one family; 8 nodes x 4 vCPUs fit its quota of 96.",
    Pair(),
    "pass",
    "quota in westus holds the 32 vCPUs the primary's clusters can scale to",
)
cases.add(
    "pass-low-priority-within-regional-total",
    "A low-priority cluster: the family row's limit is -1 (no cap), the regional low-priority "
    "total of 100 holds 32 vCPUs.",
    Pair(clusters=(("cpu-cluster", "Standard_DS3_v2", 8, "LowPriority"),)),
    "pass",
    "quota in westus holds the 32 vCPUs",
)
cases.add(
    "fail-family-quota-too-low",
    "The secondary region's DSv2 family quota is 16 vCPUs; the primary's cluster can use 32.",
    Pair(secondary_quota=16),
    "fail",
    "standardDSv2Family dedicated quota in westus is 16 vCPUs; the primary's clusters can scale to 32",
)
e = Pair()
families = {s.usage_family: 96 for s in SIZES.values()}
e.b.quota(SUB, "westus", families, dedicated_total=24)
cases.add(
    "fail-regional-total-too-low",
    "Every family has room, but the regional dedicated total is 24 vCPUs.",
    e,
    "fail",
    "regional dedicated vCPU quota in westus is 24; the primary's clusters can scale to 32",
)
for name, total, clusters, status, message in (
    (
        "pass-cluster-count-row-is-not-a-vcpu-total",
        200,
        20,
        "pass",
        "quota in westus holds the 32 vCPUs",
    ),
    (
        "fail-regional-total-too-low-beside-cluster-count-row",
        24,
        100,
        "fail",
        "regional dedicated vCPU quota in westus is 24; the primary's clusters can scale to 32",
    ),
):
    e = Pair()
    e.b.quota(SUB, "westus", {s.usage_family: 96 for s in SIZES.values()}, dedicated_total=total)
    # The totalCores row shares the regional total's id and counts clusters, not vCPUs.
    e.body(usages_path(SUB, "westus"))["value"].insert(
        1,
        {
            "id": f"/subscriptions/{SUB}/usages",
            "type": "Microsoft.MachineLearningServices/totalCores/usages",
            "currentValue": 1,
            "limit": clusters,
            "name": {"localizedValue": "Clusters", "value": "Clusters"},
            "unit": "Count",
        },
    )
    cases.add(
        name,
        f"The usages list a 'Clusters' row (limit {clusters}) at the id of the regional "
        f"dedicated vCPU total ({total}), after it: it is a count of clusters, not vCPUs.",
        e,
        status,
        message,
    )
cases.add(
    "fail-low-priority-over-regional-total",
    "A low-priority cluster of 30 x 4 vCPUs exceeds the regional low-priority total of 100.",
    Pair(clusters=(("cpu-cluster", "Standard_DS3_v2", 30, "LowPriority"),)),
    "fail",
    "regional lowpriority vCPU quota in westus is 100; the primary's clusters can scale to 120",
)
e = Pair()
sizes = e.body(vm_sizes_path(SUB, "westus"))
sizes["value"] = [s for s in sizes["value"] if s["name"] != "Standard_DS3_v2"]
cases.add(
    "fail-size-not-offered",
    "The primary's VM size is not offered in the secondary region.",
    e,
    "fail",
    "VM size Standard_DS3_v2 of cluster cpu-cluster is not offered in westus",
)
e = Pair()
for row in e.body(usages_path(SUB, "westus"))["value"]:
    if row["id"].endswith("Standard_DSv2_Family_Cluster_Dedicated_vCPUs"):
        row["limit"] = -5
cases.add(
    "error-family-limit-negative",
    "The DSv2 family row's limit is -5: no quota at all (only -1 means no cap).",
    e,
    "error",
    "Standard_DSv2_Family_Cluster_Dedicated_vCPUs has limit -5: not a quota",
)
e = Pair()
for size in e.body(vm_sizes_path(SUB, "westus"))["value"]:
    if size["name"] == "Standard_DS3_v2":
        del size["vCPUs"]
cases.add(
    "error-vm-size-row-without-vcpus",
    "The secondary region lists Standard_DS3_v2 without vCPUs: offered, demand unknown.",
    e,
    "error",
    "VM size Standard_DS3_v2 has no 'vCPUs' in the VM sizes of westus",
)
e = Pair()
e.drop_read(usages_path(SUB, "westus"))
cases.add(
    "error-usages-not-recorded",
    "The secondary region's usages were not recorded.",
    e,
    "error",
    f"Azure ML usages of subscription {SUB} in westus was not recorded in the snapshot",
)
e = Pair()
e.forbid(usages_path(SUB, "westus"))
cases.add(
    "error-usages-forbidden",
    "Reading the secondary region's usages answered 403.",
    e,
    "error",
    f"Azure ML usages of subscription {SUB} in westus could not be read",
    "HTTP 403 AuthorizationFailed",
)
e = Pair()
body = e.body(usages_path(SUB, "westus"))
body["value"] = [
    r for r in body["value"] if not r["id"].endswith("Standard_DSv2_Family_Cluster_Dedicated_vCPUs")
]
cases.add(
    "error-family-row-absent",
    "The usages answer has no row for the DSv2 family: its quota is unknown.",
    e,
    "error",
    "has no quota row for standardDSv2Family (dedicated)",
)
e = Pair()
e.drop_read(computes_path(e.primary))
cases.add(
    "error-primary-computes-not-recorded",
    "The primary's computes were not recorded: the demand is unknown.",
    e,
    "error",
    "the computes of mlw-fraud-eastus was not recorded in the snapshot",
)


def _real_usages(dedicated_family: int, dedicated_total: int) -> list[dict[str, object]]:
    """The real usages answer (tests/real/ml-usages): totals at the subscription's id, both rows
    of a family at one id, told apart by their type."""
    text = (Path(__file__).parents[2] / "real/ml-usages/eastus-2024-04-01.json").read_text()
    rows: list[dict[str, object]] = json.loads(text.replace(REAL_SUB, SUB))["value"]
    for row in rows:
        if row["id"] == f"/subscriptions/{SUB}/usages/standardDSv2Family":
            if "dedicatedCores" in str(row["type"]):
                row["limit"] = dedicated_family
        elif row["type"] == "Microsoft.MachineLearningServices/totalDedicatedCores/usages":
            row["limit"] = dedicated_total
    return rows


REAL_SUB = "5e1b0c2d-7a43-4f6e-9b8a-2c4d6e8f0a12"
for name, family, total, status, message in (
    ("pass-real-usages-shape", 96, 100, "pass", "quota in westus holds the 32 vCPUs"),
    (
        "fail-real-usages-family-quota-too-low",
        6,
        100,
        "fail",
        "standardDSv2Family dedicated quota in westus is 6 vCPUs; the primary's clusters can "
        "scale to 32",
    ),
    (
        "fail-real-usages-regional-total-too-low",
        96,
        20,
        "fail",
        "regional dedicated vCPU quota in westus is 20; the primary's clusters can scale to 32",
    ),
):
    e = Pair()
    e.body(usages_path(SUB, "westus"))["value"] = _real_usages(family, total)
    cases.add(
        name,
        "The usages as the service answers them (tests/real/ml-usages): regional totals at "
        "/subscriptions/{sub}, a family's dedicated and low-priority rows at one id, the "
        f"priority in the type; DSv2 dedicated limit {family}, regional total {total}.",
        e,
        status,
        message,
    )
