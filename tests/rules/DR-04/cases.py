"""DR-04 cases: Each workspace has its own default storage account in its own region."""

from __future__ import annotations

from tests.rules.kit import HUB_NOTE, HUB_PAIR, Cases, HubPair, Pair, other_casing

cases = Cases("DR-04")

cases.add(
    "pass-own-storage-in-own-region",
    "Each workspace has its own zone-redundant default storage account in its region.",
    Pair(),
    "pass",
    "each workspace has its own default storage account in its own region",
)
e = Pair()
storage = e.row("workspaces/mlw-fraud-westus")["properties"]["storageAccount"]
e.set("workspaces/mlw-fraud-westus", "properties.storageAccount", other_casing(storage))
cases.add(
    "pass-storage-ids-differ-in-case",
    "The secondary names its storage as resourcegroups/microsoft.storage: the same id.",
    e,
    "pass",
    "each workspace has its own default storage account",
)
cases.add(
    "pass-geo-redundant-storage-is-only-a-note",
    "Separate GRS storage accounts pass on separation; GRS itself is a note, never DR.",
    Pair(storage_sku="Standard_GRS"),
    "pass",
    "each workspace has its own default storage account",
    notes=(
        "stfraudeastus is Standard_GRS: Azure ML does not support failing over",
        "this does not count toward DR",
    ),
)
cases.add(
    "fail-shared-storage",
    "Both workspaces use the primary's storage account.",
    Pair(shared_storage=True),
    "fail",
    "both workspaces use the same default storage account stfraudeastus",
    "default storage stfraudeastus of mlw-fraud-westus is in eastus, not in the workspace's region westus",
)
cases.add(
    "fail-shared-ragrs-storage-does-not-count",
    "A shared RA-GRS storage account still fails: its geo-replication does not count as DR.",
    Pair(shared_storage=True, storage_sku="Standard_RAGRS"),
    "fail",
    "both workspaces use the same default storage account stfraudeastus",
    notes=("stfraudeastus is Standard_RAGRS", "this does not count toward DR"),
)
e = Pair()
e.set("storageAccounts/stfraudwestus", "location", "eastus")
cases.add(
    "fail-storage-in-another-region",
    "The secondary's own storage account is in the primary's region.",
    e,
    "fail",
    "default storage stfraudwestus of mlw-fraud-westus is in eastus, not in the workspace's region westus",
)
e = Pair()
e.drop_rows("storageAccounts/stfraudwestus")
cases.add(
    "error-storage-account-absent",
    "The secondary's storage account is not in the snapshot.",
    e,
    "error",
    "default storage of mlw-fraud-westus:",
    "stfraudwestus is not in the snapshot",
)
e = Pair()
e.delete("workspaces/mlw-fraud-westus", "properties.storageAccount")
cases.add(
    "error-storage-property-absent",
    "The secondary workspace's payload has no properties.storageAccount.",
    e,
    "error",
    "mlw-fraud-westus has no 'properties.storageAccount'",
)

# -- hub and project workspaces --

cases.add(
    "pass-project-pair-through-hubs",
    HUB_PAIR,
    HubPair(),
    "pass",
    "each workspace has its own default storage account",
    notes=(HUB_NOTE.format("properties.storageAccount"),),
)

e = HubPair()
e.drop_rows("workspaces/hub-fraud-westus")
cases.add(
    "error-project-hub-absent",
    "The secondary project's hub is not in the snapshot: its storage is unknown.",
    e,
    "error",
    "hub of project mlw-fraud-westus:",
    "hub-fraud-westus is not in the snapshot",
)
