"""DR-22: the Key Vault and the default storage can be recovered after deletion."""

from __future__ import annotations

from typing import Any

from auditor.azure import MISSING, blob_service_path, get_path
from auditor.checks.kit import (
    Context,
    Look,
    NoParams,
    Outcome,
    check,
    distinct_ids,
    id_name,
    json_text,
    pair_of,
)


def _flag(value: Any) -> Any:
    """A boolean property, also when written as a string ("true", "False"); else as it is."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


@check("recoverable_dependencies")
def recoverable_dependencies(ctx: Context, _: NoParams) -> Outcome:
    """DR-22: the Key Vault keeps soft delete and has purge protection; the default storage
    accounts have blob soft delete on."""
    look = Look(ctx.estate)
    pair = pair_of(ctx)
    vaults = distinct_ids(look.dependency_id(ws, "properties.keyVault") for ws in pair)
    storages = distinct_ids(look.dependency_id(ws, "properties.storageAccount") for ws in pair)
    for vault_id in vaults:
        vault = look.resource(vault_id, "Key Vault")
        if vault is None:
            continue
        if not isinstance(vault.get("properties"), dict):
            look.prop(vault, "properties")  # no properties at all: nothing can be judged
            continue
        soft = _flag(vault.get("properties.enableSoftDelete"))
        look.observe(vault.raw_id, "properties.enableSoftDelete", soft, True)
        if soft is False:
            look.fail(f"Key Vault {vault.name} has soft delete off (enableSoftDelete false)")
        elif soft not in (True, None, MISSING):
            look.missing.append(f"'properties.enableSoftDelete' of {vault.raw_id} is {soft!r}")
        elif soft is not True:
            # Soft delete is on by default for vaults created with API 2019-09-01 or later and
            # can no longer be turned off; an absent key is that default, not 'off'.
            look.note(
                f"Key Vault {vault.name} does not say enableSoftDelete: soft delete is on by "
                "default and cannot be turned off, so it is judged on"
            )
        purge = _flag(vault.get("properties.enablePurgeProtection"))
        look.observe(vault.raw_id, "properties.enablePurgeProtection", purge, True)
        if purge not in (True, False, None, MISSING):
            look.missing.append(
                f"'properties.enablePurgeProtection' of {vault.raw_id} is {purge!r}"
            )
        elif purge is not True:
            # Azure leaves the key out of a vault without purge protection: absent is off.
            look.fail(
                f"Key Vault {vault.name} has no purge protection (enablePurgeProtection "
                f"{json_text(purge)}): a deleted vault can be purged before the workspace is "
                "recovered"
            )
    for storage_id in storages:
        found = look.lookup(
            ctx.estate.arm_get(
                blob_service_path(storage_id), f"the blob service of {id_name(storage_id)}"
            )
        )
        if found is None:
            continue
        enabled = get_path(found, "properties.deleteRetentionPolicy.enabled")
        where = blob_service_path(storage_id)
        look.observe(where, "properties.deleteRetentionPolicy.enabled", enabled, True)
        if enabled is MISSING or not isinstance(enabled, bool):
            look.missing.append(f"GET {where} has no 'properties.deleteRetentionPolicy.enabled'")
        elif not enabled:
            look.fail(f"blob soft delete is off on default storage {id_name(storage_id)}")
    return look.outcome(
        "Key Vault soft delete and purge protection are on, and blob soft delete is on for the "
        "default storage"
    )
