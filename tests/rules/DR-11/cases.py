"""DR-11 cases: Azure ML registries the pair uses replicate to both regions."""

from __future__ import annotations

import copy

from auditor.azure import API_ML
from tests.rules.kit import Cases, Pair

cases = Cases("DR-11")

cases.add(
    "pass-registry-in-both-regions",
    "The deployments take model:3 from registry mlr-fraud, whose regionDetails list eastus "
    "and westus (the shape of Registries/get.json).",
    Pair(),
    "pass",
    "registry mlr-fraud replicates to eastus and westus",
)
e = Pair()
row = e.row("registries/mlr-fraud")
body = {k: copy.deepcopy(row[k]) for k in ("id", "name", "location", "tags", "kind", "sku")}
body.update(type="Microsoft.MachineLearningServices/registries")
body.update(identity=copy.deepcopy(row["identity"]), properties=copy.deepcopy(row["properties"]))
e.b.read(row["id"], API_ML, body)
e.delete("registries/mlr-fraud", "properties.regionDetails")
cases.add(
    "pass-regions-from-the-arm-read",
    "The registry's Resource Graph row has no regionDetails; the recorded ARM GET of the "
    "registry has them.",
    e,
    "pass",
    "registry mlr-fraud replicates to eastus and westus",
    notes=("the regions of registry mlr-fraud come from its ARM read",),
)
cases.add(
    "fail-registry-not-in-secondary-region",
    "The registry replicates to eastus only.",
    Pair(ml_registry_regions=("eastus",)),
    "fail",
    "registry mlr-fraud is not replicated to westus (its regions: eastus)",
)
e = Pair(ml_registry_regions=("westus",))
cases.add(
    "fail-home-region-not-in-region-details",
    "The registry lives in eastus but its regionDetails list westus only: eastus holds no copy.",
    e,
    "fail",
    "registry mlr-fraud is not replicated to eastus (its regions: westus)",
)
e = Pair()
for workspace in ("mlw-fraud-eastus", "mlw-fraud-westus"):
    e.set(
        f"{workspace}/onlineEndpoints/score/deployments/blue",
        "properties.environmentId",
        "azureml://registries/azureml/environments/sklearn-1.5/versions/3",
    )
cases.add(
    "pass-microsoft-curated-registry-not-judged",
    "The deployments also use a curated environment from Microsoft's azureml registry, which "
    "is not in the team's snapshot and not theirs to replicate.",
    e,
    "pass",
    "registry mlr-fraud replicates to eastus and westus",
    notes=("registry azureml is one of Microsoft's",),
)
e = Pair()
e.drop_rows("registries/mlr-fraud")
cases.add(
    "error-registry-not-in-snapshot",
    "The deployments reference mlr-fraud, but no registry row has that name.",
    e,
    "error",
    "registry mlr-fraud, referenced by",
    "is not in the snapshot",
)
e = Pair()
e.delete("registries/mlr-fraud", "properties.regionDetails")
cases.add(
    "error-no-region-details",
    "The registry row has no regionDetails and no ARM read of the registry was recorded.",
    e,
    "error",
    "mlr-fraud has no 'properties.regionDetails' in its row",
)
cases.add(
    "not-applicable-no-registry-reference",
    "Neither workspace has a deployment taking a model from a registry.",
    Pair(endpoints=()),
    "not_applicable",
    "no deployment of either workspace takes a model or environment from an Azure ML registry",
)
