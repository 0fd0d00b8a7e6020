"""DR-18 cases: The Cosmos DB of a customer-managed-key workspace is replicated to the secondary region."""

from __future__ import annotations

from tests.rules.kit import PRIMARY_WS, RG, SUB, Cases, HubPair, Pair

COSMOS = "databaseAccounts/cosmosfraudeastus"

cases = Cases("DR-18")

cases.add(
    "pass-cosmos-replicated",
    "The primary uses a customer-managed key; the Cosmos DB in its service-provisioned "
    "resource group lists East US and West US (CosmosDBDatabaseAccountGet.json: display names).",
    Pair(cmk=True),
    "pass",
    "the Cosmos DB of customer-managed-key workspace mlw-fraud-eastus (cosmosfraudeastus) is "
    "replicated to westus",
)
e = Pair(cmk=True)
e.set(PRIMARY_WS, "properties.encryption.cosmosDbResourceId", e.row(COSMOS)["id"])
cases.add(
    "pass-own-cosmos-account",
    "The key came with the customer's own Cosmos DB account (encryption.cosmosDbResourceId).",
    e,
    "pass",
    "is replicated to westus",
)
cases.add(
    "fail-cosmos-in-one-region",
    "The Cosmos DB is only in East US.",
    Pair(cmk=True, cosmos_regions=("eastus",)),
    "fail",
    "Cosmos DB cosmosfraudeastus of customer-managed-key workspace mlw-fraud-eastus is only "
    "in eastus: not replicated to westus",
)
e = Pair(cmk=True)
e.drop_rows(COSMOS)
cases.add(
    "error-cosmos-absent",
    "No Cosmos DB account of the service-provisioned resource group is in the snapshot.",
    e,
    "error",
    "no Cosmos DB account of the service-provisioned resource group azureml-rg-mlw-fraud-eastus_",
)
cases.add(
    "not-applicable-no-customer-managed-key",
    "The primary uses Microsoft-managed keys.",
    Pair(),
    "not_applicable",
    "mlw-fraud-eastus does not use customer-managed keys",
)
e = Pair(cmk=True)
e.set(PRIMARY_WS, "properties.enableServiceSideCMKEncryption", True)
cases.add(
    "not-applicable-service-side-encryption",
    "Service-side encryption keeps no Cosmos DB in the customer's subscription.",
    e,
    "not_applicable",
    "uses service-side customer-managed-key encryption",
)

# -- hub and project workspaces --

e = HubPair()
cosmos = e.b.cosmos(SUB, RG, "cosmosfraudhub", "eastus", ["eastus"])
e.set(
    "workspaces/hub-fraud-eastus",
    "properties.encryption",
    {"status": "Enabled", "cosmosDbResourceId": cosmos},
)
cases.add(
    "fail-project-under-customer-managed-key-hub",
    "The primary project has no encryption block of its own; its hub uses a customer-managed "
    "key with a Cosmos DB in eastus only: judged through the hub.",
    e,
    "fail",
    "Cosmos DB cosmosfraudhub of customer-managed-key workspace mlw-fraud-eastus is only in "
    "eastus: not replicated to westus",
)
