"""DR-02: the secondary is in the primary's Azure paired region (or same geography)."""

from __future__ import annotations

from auditor.checks.kit import Context, Look, NoParams, Outcome, check, pair_of


@check("paired_region")
def paired_region(ctx: Context, _: NoParams) -> Outcome:
    """DR-02: the secondary is in the primary's Azure paired region (or same geography)."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    p_region, s_region = look.location(primary), look.location(secondary)
    locations = look.lookup(ctx.estate.locations(primary.subscription))
    if not (p_region and s_region and locations is not None):
        return look.outcome("")
    where = f"/subscriptions/{primary.subscription}/locations"
    info = locations.get(p_region)
    if info is None:
        look.missing.append(f"region {p_region} is not in the list of {where}")
        return look.outcome("")
    look.observe(where, f"[{p_region}].metadata.pairedRegion", list(info.paired), s_region)
    if info.paired:
        if s_region not in info.paired:
            look.fail(
                f"{s_region} is not the Azure paired region of {p_region} "
                f"(paired: {', '.join(info.paired)})"
            )
        return look.outcome(f"{s_region} is the Azure paired region of {p_region}")
    other = locations.get(s_region)
    if info.geography is None or other is None or other.geography is None:
        look.missing.append(
            f"{p_region} has no paired region and the geography of {p_region} or "
            f"{s_region} is not in {where}"
        )
        return look.outcome("")
    look.observe(where, f"[{s_region}].metadata.geography", other.geography, info.geography)
    if other.geography != info.geography:
        look.fail(
            f"{p_region} has no paired region, and {s_region} is in another geography "
            f"({other.geography}, not {info.geography})"
        )
    return look.outcome(
        f"{p_region} has no paired region; {s_region} is in the same geography ({info.geography})"
    )
