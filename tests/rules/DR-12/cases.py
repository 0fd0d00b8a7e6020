"""DR-12 cases: Training data lives on separate, geo-replicated storage whose secondary is the secondary region."""

from __future__ import annotations

from auditor.azure import datastores_path
from tests.rules.kit import Cases, Pair

TRAINING = "storageAccounts/stfraudtrain"

cases = Cases("DR-12")

cases.add(
    "pass-separate-geo-redundant-storage",
    "Datastore trainingdata of both workspaces is on stfraudtrain, RA-GZRS with its "
    "secondary in westus (the datastore shape of Datastore/list.json).",
    Pair(training_storage_sku="Standard_RAGZRS"),
    "pass",
    "training data (stfraudtrain) is on separate geo-redundant storage replicated to westus",
)
e = Pair(training_storage_sku="Standard_GRS")
e.b.datastores(e.secondary, e.row("storageAccounts/stfraudwestus")["id"])
cases.add(
    "pass-not-attached-to-the-secondary-is-a-note",
    "The training storage is geo-replicated but attached to the primary only: a note.",
    e,
    "pass",
    "replicated to westus",
    notes=("stfraudtrain is not attached as a datastore of mlw-fraud-westus",),
)
cases.add(
    "fail-locally-redundant",
    "The training storage is Standard_LRS.",
    Pair(training_storage_sku="Standard_LRS"),
    "fail",
    "training storage stfraudtrain (datastore trainingdata) is Standard_LRS: not geo-redundant",
)
e = Pair(training_storage_sku="Standard_LRS")
for store in e.body(datastores_path(e.primary))["value"]:
    store["properties"]["isDefault"] = store["name"] == "trainingdata"
cases.add(
    "fail-user-datastore-made-the-default",
    "The team made its trainingdata datastore (on Standard_LRS stfraudtrain) the workspace's "
    "default: it is still training data, judged.",
    e,
    "fail",
    "training storage stfraudtrain (datastore trainingdata) is Standard_LRS: not geo-redundant",
)
e = Pair(training_storage_sku="Standard_GRS")
for store in e.body(datastores_path(e.primary))["value"]:
    if store["name"] == "trainingdata":
        del store["properties"]["datastoreType"]
cases.add(
    "error-datastore-type-absent",
    "The trainingdata datastore has no datastoreType: whether it holds training data is unknown.",
    e,
    "error",
    "datastores/trainingdata has no 'properties.datastoreType'",
)
e = Pair(training_storage_sku="Standard_GRS")
e.set(TRAINING, "properties.secondaryLocation", "centralus")
cases.add(
    "fail-replicated-to-another-region",
    "The training storage replicates eastus to centralus, not to the secondary region.",
    e,
    "fail",
    "replicates eastus to centralus: neither is the secondary region westus",
)
e = Pair()
storage = e.row("storageAccounts/stfraudeastus")["id"]
e.b.datastores(e.primary, storage, [("trainingdata", storage, "data")])
cases.add(
    "fail-on-default-storage",
    "A training datastore is on the primary's default storage account.",
    e,
    "fail",
    "datastore trainingdata is on stfraudeastus, a workspace's default storage account",
)
cases.add(
    "not-applicable-no-training-datastore",
    "The primary has only its system datastores.",
    Pair(),
    "not_applicable",
    "has no datastore besides its system datastores",
)
e = Pair(training_storage_sku="Standard_RAGZRS")
e.forbid(datastores_path(e.primary))
cases.add(
    "error-datastores-forbidden",
    "Listing the primary's datastores answered 403.",
    e,
    "error",
    "the datastores of mlw-fraud-eastus could not be read",
)
e = Pair(training_storage_sku="Standard_RAGZRS")
e.drop_rows(TRAINING)
cases.add(
    "error-training-account-absent",
    "The training storage account is not in the snapshot.",
    e,
    "error",
    "storage account of datastore trainingdata:",
    "stfraudtrain is not in the snapshot",
)
