"""DR-09-SHARED cases: the secondary region's quota holds every workload that fails over into it
at once (the healthy pair fraud, eastus -> westus, needs 32 DSv2 vCPUs of a quota of 96)."""

from __future__ import annotations

from auditor.azure import computes_path, usages_path
from auditor.testing.builder import SIZES, PairSpec, add_pair
from tests.rules.kit import SUB, Cases, Pair, expect, pair_config

cases = Cases("DR-09-SHARED")


def with_claims(nodes: int, primary: str = "eastus", **spec: object) -> Pair:
    """The healthy pair, and a second tagged pair `claims` failing over into westus too."""
    e = Pair()
    add_pair(
        e.b,
        PairSpec(
            name="claims",
            sub=SUB,
            primary_region=primary,
            secondary_region="westus",
            clusters=(("cpu-train", "Standard_DS3_v2", nodes, "Dedicated"),),
            tags=True,
            **spec,  # type: ignore[arg-type]
        ),
    )
    return e


cases.add(
    "pass-alone",
    "fraud is the only workload failing over into westus: 32 vCPUs of 96.",
    Pair(),
    "pass",
    "holds the 32 vCPUs this workload needs failing over from eastus alone",
)
cases.add(
    "pass-two-workloads-fit-together",
    "claims (eastus -> westus) needs 40 vCPUs, fraud 32: 72 of 96 together.",
    with_claims(10),
    "pass",
    "holds the 72 vCPUs the 2 workloads failing over into it from eastus need at once: this one "
    "32, with claims",
    also=(expect("DR-09-SHARED", "pass", "this one 40, with fraud", workload="claims"),),
)
cases.add(
    "fail-two-workloads-fit-alone-not-together",
    "claims needs 80 vCPUs and fraud 32: each fits the DSv2 quota of 96 alone (DR-09 passes), "
    "together they need 112.",
    with_claims(20),
    "fail",
    "standardDSv2Family dedicated quota of subscription",
    "the 2 workloads failing over into it from eastus need 112 at once (claims 80, fraud 32)",
    also=(
        expect("DR-09", "pass"),
        expect("DR-09-SHARED", "fail", "need 112 at once", workload="claims"),
        expect("DR-09", "pass", workload="claims"),
    ),
)
cases.add(
    "pass-another-primary-region-is-another-pool",
    "claims fails over into westus too, but from centralus: an outage of eastus does not move "
    "it, so the pools are apart (fraud 32, claims 80, each of 96).",
    with_claims(20, primary="centralus"),
    "pass",
    "needs failing over from eastus alone",
)
e = Pair()
families = {s.usage_family: 96 for s in SIZES.values()}
e.b.quota(SUB, "westus", families, dedicated_total=200, used={"Standard_DSv2_Family": 80})
cases.add(
    "fail-usage-already-consumed",
    "80 of the 96 DSv2 vCPUs in westus are in use: 16 are left for fraud's 32.",
    e,
    "fail",
    "96 vCPUs, 80 in use, 16 left; fraud needs 32 when it fails over",
)
e = Pair(secondary_endpoints=(("score", "model", 1),))
e.b.quota(SUB, "westus", {s.usage_family: 36 for s in SIZES.values()}, dedicated_total=200)
cases.add(
    "fail-hot-warm-deployments-scale-up",
    "Target hot/warm: the secondary's deployment runs 1 instance of the primary's 3 (DS3_v2, "
    "4 vCPUs): failing over adds 8 vCPUs to the cluster's 32, over a quota of 36.",
    e,
    "fail",
    "fraud needs 40 when it fails over",
    config=pair_config(e, target="hot/warm"),
)
cases.add(
    "pass-hot-cold-deployments-not-counted",
    "The same estate at target hot/cold: nothing is deployed at failover, 32 of 36.",
    e,
    "pass",
    "holds the 32 vCPUs",
    config=pair_config(e, target="hot/cold"),
)
e = Pair()
e.forbid(usages_path(SUB, "westus"))
cases.add(
    "error-usages-forbidden",
    "The secondary region's usages answered 403: the quota left is unknown.",
    e,
    "error",
    "could not be evaluated",
)
e = with_claims(10)
e.forbid(
    computes_path(
        e.b.find("microsoft.machinelearningservices/workspaces", "mlw-claims-eastus")["id"]
    )
)
cases.add(
    "error-another-member-unreadable",
    "claims's primary clusters could not be read: the pool's need, fraud's too, is unknown.",
    e,
    "error",
    "the need of claims:",
)
