"""DR-10 cases: The primary's online endpoints have provisioned deployments of the same models in the secondary."""

from __future__ import annotations

from auditor.testing.builder import model_id
from tests.rules.kit import PRIMARY_BLUE, RG, SECONDARY_BLUE, SUB, Cases, Pair, expect, registry_uri

cases = Cases("DR-10")

cases.add(
    "pass-same-model-provisioned",
    "The secondary's endpoint serves the same registry model version, provisioned.",
    Pair(),
    "pass",
    "every primary online endpoint's models are served in mlw-fraud-westus, provisioned",
)
e = Pair()
e.set(PRIMARY_BLUE, "properties.model", model_id(SUB, RG, "mlw-fraud-eastus", "model", 3))
cases.add(
    "pass-workspace-model-id-and-registry-uri",
    "The primary references model:3 by workspace ARM id, the secondary by registry URI.",
    e,
    "pass",
    "served in mlw-fraud-westus, provisioned",
)
e = Pair(endpoints=(), secondary_endpoints=(("score", "model", 3),))
e.b.online_endpoint(
    e.primary,
    "eastus",
    "score",
    [
        ("blue", registry_uri("model", 3), 3, "Succeeded"),
        ("green", registry_uri("candidate", 1), 1, "Succeeded"),
    ],
    traffic={"blue": 100, "green": 0},
)
cases.add(
    "pass-primary-deployment-without-traffic-ignored",
    "The primary's green deployment takes 0% of traffic: only blue's model must be served.",
    e,
    "pass",
    "served in mlw-fraud-westus, provisioned",
)
e = Pair()
e.set("mlw-fraud-westus/onlineEndpoints/score", "properties.traffic", {"blue": 0})
cases.add(
    "pass-secondary-standby-deployment",
    "The secondary's deployment takes no traffic until failover: a standby still counts.",
    e,
    "pass",
    "served in mlw-fraud-westus, provisioned",
)
e = Pair(endpoints=(), secondary_endpoints=())
e.b.error(
    "resource_graph",
    "POST /providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01 "
    f"(resources, subscription {SUB}, page 3)",
    429,
    "RateLimiting",
    "Please provide below info when asking for support: too many requests",
    subscription=SUB,
)
cases.add(
    "error-no-endpoints-seen-resource-graph-throttled",
    "Resource Graph was throttled for the workspaces' subscription: no endpoint rows came "
    "back, so 'no online endpoints' cannot be told from 'not returned'.",
    e,
    "error",
    "could not be evaluated: Resource Graph could not be read for subscription "
    f"{SUB} (Please provide below info when asking for support: too many requests): rows "
    "may be missing",
    also=(expect("DR-16", "manual", "needs a person's attestation"),),
)
cases.add(
    "fail-no-endpoint-in-secondary",
    "The secondary has no online endpoint.",
    Pair(secondary_endpoints=()),
    "fail",
    "endpoint score serves model:3; no provisioned endpoint in mlw-fraud-westus serves the same model",
)
e = Pair()
e.set("mlw-fraud-westus/onlineEndpoints/score", "properties.provisioningState", "Failed")
cases.add(
    "fail-secondary-endpoint-failed",
    "The secondary's endpoint failed to provision: its succeeded deployment serves nothing.",
    e,
    "fail",
    "no provisioned endpoint in mlw-fraud-westus serves the same model",
    notes=("endpoint score in mlw-fraud-westus is Failed",),
)
e = Pair()
e.delete("mlw-fraud-westus/onlineEndpoints/score", "properties.provisioningState")
cases.add(
    "error-secondary-endpoint-state-absent",
    "The secondary endpoint's row has no provisioningState: whether it serves is unknown.",
    e,
    "error",
    "onlineEndpoints/score has no 'properties.provisioningState'",
)
e = Pair()
e.set("mlw-fraud-westus/onlineEndpoints/score", "properties.provisioningState", "Updating")
e.set(SECONDARY_BLUE, "properties.provisioningState", "succeeded")
cases.add(
    "pass-secondary-updating-and-lower-case-states",
    "The secondary endpoint is being updated (it keeps serving) and its deployment's state "
    "reads 'succeeded'.",
    e,
    "pass",
    "served in mlw-fraud-westus, provisioned",
)
e = Pair(secondary_endpoints=())
e.set(PRIMARY_BLUE, "properties.provisioningState", "Failed")
cases.add(
    "pass-primary-failed-deployment-serves-nothing",
    "The primary's only deployment failed: it deploys no model the secondary must serve.",
    e,
    "pass",
    "every primary online endpoint's models are served in mlw-fraud-westus",
)
e = Pair()
e.set(SECONDARY_BLUE, "properties.provisioningState", "Failed")
cases.add(
    "fail-secondary-deployment-not-succeeded",
    "The secondary's deployment of the model failed to provision.",
    e,
    "fail",
    "no provisioned endpoint in mlw-fraud-westus serves the same model",
)
e = Pair()
e.set(SECONDARY_BLUE, "properties.model", registry_uri("model", 2))
cases.add(
    "fail-other-model-version",
    "The secondary serves version 2 of the model, the primary version 3.",
    e,
    "fail",
    "endpoint score serves model:3; no provisioned endpoint",
)
e = Pair()
e.delete(PRIMARY_BLUE, "properties.model")
cases.add(
    "error-primary-model-absent",
    "The primary's deployment has no properties.model: what to look for is unknown.",
    e,
    "error",
    "deployments/blue has no 'properties.model'",
)
e = Pair()
e.delete(SECONDARY_BLUE, "properties.provisioningState")
cases.add(
    "error-secondary-state-absent",
    "The secondary's deployment has no provisioningState: whether it is provisioned is unknown.",
    e,
    "error",
    "deployments/blue has no 'properties.provisioningState'",
)
cases.add(
    "not-applicable-no-endpoints",
    "The primary has no online endpoints.",
    Pair(endpoints=()),
    "not_applicable",
    "the primary has no online endpoints",
)
