"""DR-16 cases: Both regions are deployed from infrastructure as code, with CI/CD targeting both."""

from __future__ import annotations

import copy

from tests.rules.kit import OWNER, SUB, Attested, expect

attested = Attested("DR-16")
cases, snapshot, config = attested.cases, attested.snapshot, attested.config

cases.add(
    "pass-attestation-expires-on-as-of-date",
    "An attestation is valid through its expiry date.",
    copy.deepcopy(snapshot),
    "pass",
    "valid until 2026-11-26",
    config=config("2026-11-26"),
)
cases.add(
    "fail-attestation-expired",
    "The attestation expired before the scan date: manual again.",
    copy.deepcopy(snapshot),
    "manual",
    f"the attestation by {OWNER} expired on 2026-11-01; attest again:",
    config=config("2026-11-01"),
)
future = config("2027-04-01")
future["workloads"][0]["attestations"]["DR-16"]["date"] = "2026-12-24"
cases.add(
    "fail-attestation-dated-after-the-scan",
    "An attestation dated after the scan date attests nothing yet: manual.",
    copy.deepcopy(snapshot),
    "manual",
    f"the attestation by {OWNER} is dated 2026-12-24, after the date the scan judges at",
    config=future,
)
throttled = copy.deepcopy(snapshot)
throttled["errors"].append(
    {
        "source": "resource_graph",
        "request": "POST /providers/Microsoft.ResourceGraph/resources?api-version="
        f"2022-10-01 (resources, subscription {SUB}, page 2)",
        "status": 429,
        "code": "RateLimiting",
        "message": "too many requests",
        "subscription": SUB,
    }
)
cases.add(
    "pass-attested-resource-graph-throttled",
    "Resource Graph failed for the subscription: an attestation reads nothing Azure "
    "answered, so it still passes (the Azure rules of the workload turn to error).",
    throttled,
    "pass",
    "attested by",
    config=config("2027-04-01"),
    also=(expect("DR-01", "error", "Resource Graph could not be read for subscription"),),
)
