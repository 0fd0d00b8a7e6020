"""DR-05: both workspaces use the same Key Vault."""

from __future__ import annotations

from auditor.azure import norm_id
from auditor.checks.kit import Context, Look, NoParams, Outcome, check, pair_of, two_names


@check("same_key_vault")
def same_key_vault(ctx: Context, _: NoParams) -> Outcome:
    """DR-05: both workspaces use the same Key Vault."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    ids = [look.dependency_id(ws, "properties.keyVault") for ws in (primary, secondary)]
    if not (ids[0] and ids[1]):
        return look.outcome("")
    if norm_id(ids[0]) != norm_id(ids[1]):
        look.fail(
            f"the workspaces use different Key Vaults ({two_names(ids[0], ids[1])}); the guidance "
            "asks for one vault for both regions"
        )
    else:
        look.resource(ids[0], "the shared Key Vault")
    return look.outcome(f"both workspaces use the Key Vault {ids[0].rsplit('/', 1)[-1]}")
