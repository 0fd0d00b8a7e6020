"""DR-22 cases: Key Vault and default storage can be recovered after deletion."""

from __future__ import annotations

from auditor.azure import blob_service_path
from tests.rules.kit import HUB_NOTE, HUB_PAIR, Cases, HubPair, Pair

VAULT = "vaults/kv-fraud"

cases = Cases("DR-22")

cases.add(
    "pass-recoverable",
    "The vault has soft delete and purge protection; both default storage accounts have blob "
    "soft delete (BlobServicesGet.json).",
    Pair(),
    "pass",
    "Key Vault soft delete and purge protection are on, and blob soft delete is on",
)
e = Pair()
e.delete(VAULT, "properties.enableSoftDelete")
cases.add(
    "pass-soft-delete-by-default",
    "The vault's payload does not state enableSoftDelete: on by default, cannot be turned off.",
    e,
    "pass",
    "Key Vault soft delete and purge protection are on",
    notes=("does not say enableSoftDelete: soft delete is on by default",),
)
cases.add(
    "fail-no-purge-protection",
    "Purge protection is off.",
    Pair(purge_protection=False),
    "fail",
    "Key Vault kv-fraud has no purge protection (enablePurgeProtection false)",
)
e = Pair()
e.delete(VAULT, "properties.enablePurgeProtection")
cases.add(
    "fail-purge-protection-absent",
    "enablePurgeProtection is absent: purge protection is not on by default.",
    e,
    "fail",
    "(enablePurgeProtection absent)",
)
e = Pair()
e.set(VAULT, "properties.enablePurgeProtection", "true")
e.set(VAULT, "properties.enableSoftDelete", "True")
cases.add(
    "pass-flags-written-as-strings",
    'The vault\'s flags read "true" and "True": on.',
    e,
    "pass",
    "Key Vault soft delete and purge protection are on",
)
e = Pair()
e.set(VAULT, "properties.enableSoftDelete", "false")
cases.add(
    "fail-soft-delete-off-written-as-a-string",
    "enableSoftDelete reads \"false\": off, not 'on by default'.",
    e,
    "fail",
    "Key Vault kv-fraud has soft delete off",
)
e = Pair()
e.delete(VAULT, "properties")
cases.add(
    "error-vault-without-properties",
    "The vault's row has no properties at all: neither flag can be judged.",
    e,
    "error",
    "kv-fraud has no 'properties'",
)
e = Pair()
e.set(VAULT, "properties.enableSoftDelete", False)
cases.add(
    "fail-soft-delete-off",
    "A legacy vault with soft delete off.",
    e,
    "fail",
    "Key Vault kv-fraud has soft delete off",
)
cases.add(
    "fail-blob-soft-delete-off",
    "Blob soft delete is off on the default storage accounts.",
    Pair(blob_soft_delete=False),
    "fail",
    "blob soft delete is off on default storage stfraudeastus",
)
e = Pair()
e.drop_read(blob_service_path(e.row("storageAccounts/stfraudwestus")["id"]))
cases.add(
    "error-blob-service-not-recorded",
    "The secondary storage's blob service read is not in the snapshot.",
    e,
    "error",
    "the blob service of stfraudwestus was not recorded in the snapshot",
)
e = Pair()
e.forbid(blob_service_path(e.row("storageAccounts/stfraudeastus")["id"]))
cases.add(
    "error-blob-service-forbidden",
    "Reading the primary storage's blob service answered 403.",
    e,
    "error",
    "the blob service of stfraudeastus could not be read",
)

# -- hub and project workspaces --

cases.add(
    "pass-project-pair-through-hubs",
    HUB_PAIR,
    HubPair(),
    "pass",
    "Key Vault soft delete and purge protection are on",
    notes=(HUB_NOTE.format("properties.keyVault"),),
)
