"""DR-13 cases: The primary's batch endpoints are provisioned in the secondary with the same models."""

from __future__ import annotations

from tests.rules.kit import Cases, Pair

BATCH = (("nightly", "model"),)
PRIMARY_BATCH = "mlw-fraud-eastus/batchEndpoints/nightly"
SECONDARY_BATCH = "mlw-fraud-westus/batchEndpoints/nightly"

cases = Cases("DR-13")

cases.add(
    "pass-batch-endpoint-mirrored",
    "Batch endpoint nightly exists in both workspaces with a provisioned deployment of model:1.",
    Pair(batch_endpoints=BATCH),
    "pass",
    "all 1 batch endpoint(s) of the primary are provisioned in mlw-fraud-westus",
)
cases.add(
    "fail-no-batch-endpoint-in-secondary",
    "The secondary has no batch endpoint.",
    Pair(batch_endpoints=BATCH, secondary_batch_endpoints=()),
    "fail",
    "batch endpoint nightly has no endpoint of the same name in mlw-fraud-westus",
)
cases.add(
    "fail-other-model",
    "The secondary's nightly endpoint deploys another model.",
    Pair(batch_endpoints=BATCH, secondary_batch_endpoints=(("nightly", "other"),)),
    "fail",
    "batch endpoint nightly deploys model:1; nightly in mlw-fraud-westus has no provisioned",
)
e = Pair(batch_endpoints=BATCH)
for batch in (PRIMARY_BATCH, SECONDARY_BATCH):
    e.set(f"{batch}/deployments/default", "properties.model", None)
    e.set(
        f"{batch}/deployments/default",
        "properties.deploymentConfiguration",
        {"deploymentConfigurationType": "PipelineComponent", "componentId": {"id": "c:1"}},
    )
cases.add(
    "pass-pipeline-component-deployments",
    "Both endpoints deploy a pipeline component (model null): endpoints compared, models not.",
    e,
    "pass",
    "all 1 batch endpoint(s) of the primary are provisioned in mlw-fraud-westus",
    notes=("batch deployment default deploys a component: not compared",),
)
e = Pair(batch_endpoints=BATCH)
e.set(f"{SECONDARY_BATCH}/deployments/default", "properties.provisioningState", "Failed")
cases.add(
    "fail-secondary-deployment-failed",
    "The secondary's deployment failed to provision.",
    e,
    "fail",
    "has no provisioned deployment of it",
)
e = Pair(batch_endpoints=BATCH)
e.delete(f"{SECONDARY_BATCH}/deployments/default", "properties.provisioningState")
cases.add(
    "error-secondary-deployment-state-absent",
    "The secondary's deployment has no provisioningState: whether it serves is unknown.",
    e,
    "error",
    "deployments/default has no 'properties.provisioningState'",
)
cases.add(
    "not-applicable-no-batch-endpoints",
    "The primary has no batch endpoints.",
    Pair(),
    "not_applicable",
    "the primary has no batch endpoints",
)
