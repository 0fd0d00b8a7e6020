"""DR-10-CAPACITY cases: Secondary deployments have at least the primary's instance count (hot/hot)."""

from __future__ import annotations

from tests.rules.kit import PRIMARY_BLUE, SECONDARY_BLUE, Cases, Pair, expect, registry_uri

cases = Cases("DR-10-CAPACITY")

cases.add(
    "pass-same-instance-count",
    "The secondary's deployment has the primary's 3 instances.",
    Pair(),
    "pass",
    "served in mlw-fraud-westus, with the primary's instance counts",
)
e = Pair(secondary_endpoints=())
e.b.online_endpoint(
    e.secondary,
    "westus",
    "score",
    [
        ("blue", registry_uri("model", 3), 2, "Succeeded"),
        ("green", registry_uri("model", 3), 1, "Succeeded"),
    ],
    traffic={"blue": 50, "green": 50},
)
cases.add(
    "pass-instances-summed-across-deployments",
    "Two secondary deployments of the model, 2 + 1 instances, hold the primary's 3.",
    e,
    "pass",
    "with the primary's instance counts",
)
cases.add(
    "fail-fewer-instances",
    "The secondary's deployment has 1 instance, the primary's 3.",
    Pair(secondary_endpoints=(("score", "model", 1),)),
    "fail",
    "endpoint score in mlw-fraud-westus has fewer instances than score in the primary (model:3: 1 < 3)",
)
cases.add(
    "fail-no-endpoint-in-secondary",
    "The secondary has no online endpoint.",
    Pair(secondary_endpoints=()),
    "fail",
    "no provisioned endpoint in mlw-fraud-westus serves the same model",
)
e = Pair()
e.delete(SECONDARY_BLUE, "sku.capacity")
cases.add(
    "error-secondary-capacity-absent",
    "The secondary's deployment has no sku.capacity: its instance count is unknown.",
    e,
    "error",
    "mlw-fraud-westus/onlineEndpoints/score/deployments/blue has no 'sku.capacity'",
    also=(expect("DR-10", "pass", "provisioned"),),
)
e = Pair()
e.delete(PRIMARY_BLUE, "sku.capacity")
cases.add(
    "error-primary-capacity-absent",
    "The primary's deployment has no sku.capacity: the count to match is unknown.",
    e,
    "error",
    "mlw-fraud-eastus/onlineEndpoints/score/deployments/blue has no 'sku.capacity'",
)
