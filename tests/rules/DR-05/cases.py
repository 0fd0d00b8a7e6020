"""DR-05 cases: Both workspaces use the same Key Vault."""

from __future__ import annotations

from tests.rules.kit import HUB_NOTE, HUB_PAIR, RG, Cases, HubPair, Pair, other_casing

cases = Cases("DR-05")

cases.add(
    "pass-same-vault",
    "Both workspaces use the Key Vault kv-fraud.",
    Pair(),
    "pass",
    "both workspaces use the Key Vault kv-fraud",
)
e = Pair()
vault = e.row("workspaces/mlw-fraud-westus")["properties"]["keyVault"]
e.set("workspaces/mlw-fraud-westus", "properties.keyVault", other_casing(vault))
cases.add(
    "pass-vault-ids-differ-in-case",
    "The secondary names the vault as resourcegroups/microsoft.keyvault: the same vault.",
    e,
    "pass",
    "both workspaces use the Key Vault kv-fraud",
)
cases.add(
    "fail-different-vaults",
    "Each workspace has its own Key Vault.",
    Pair(shared_key_vault=False),
    "fail",
    "the workspaces use different Key Vaults (kv-fraud and kv-fraud-2)",
)
e = Pair()
vault = e.row("workspaces/mlw-fraud-westus")["properties"]["keyVault"]
elsewhere = vault.replace(f"/resourceGroups/{RG}/", "/resourceGroups/rg-fraud-west/")
e.set("workspaces/mlw-fraud-westus", "properties.keyVault", elsewhere)
cases.add(
    "fail-same-name-other-resource-group",
    "The secondary's vault is also named kv-fraud, in another resource group: the message "
    "names both by id.",
    e,
    "fail",
    f"the workspaces use different Key Vaults ({vault} and {elsewhere})",
)
for role, region in (("primary", "eastus"), ("secondary", "westus")):
    e = Pair()
    e.delete(f"workspaces/mlw-fraud-{region}", "properties.keyVault")
    cases.add(
        f"error-{role}-keyvault-property-absent",
        f"The {role} workspace's payload has no properties.keyVault.",
        e,
        "error",
        f"mlw-fraud-{region} has no 'properties.keyVault'",
    )
e = Pair()
e.drop_rows("vaults/kv-fraud")
cases.add(
    "error-vault-absent",
    "Both workspaces name kv-fraud, but the vault is not in the snapshot.",
    e,
    "error",
    "the shared Key Vault:",
    "kv-fraud is not in the snapshot",
)

# -- hub and project workspaces --

cases.add(
    "pass-project-pair-through-hubs",
    HUB_PAIR,
    HubPair(),
    "pass",
    "both workspaces use the Key Vault kv-fraud",
    notes=(HUB_NOTE.format("properties.keyVault"),),
)
