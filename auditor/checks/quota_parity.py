"""DR-09: the secondary region's quota holds what the primary's clusters can scale to."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from auditor.azure import family_key, usages_path
from auditor.checks.kit import Context, Look, Outcome, check, clusters_of, pair_of
from auditor.frozen import FrozenModel


class QuotaParams(FrozenModel):
    headroom: bool = False


@check("quota_parity", QuotaParams)
def quota_parity(ctx: Context, params: QuotaParams) -> Outcome:
    """DR-09: the secondary region's ML quota (per family and regional total) holds the vCPUs
    the primary's clusters can scale to."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    clusters = clusters_of(look, ctx, primary)
    region = look.location(secondary)
    sizes = look.lookup(ctx.estate.vm_sizes(secondary.subscription, secondary.location))
    quota = look.lookup(ctx.estate.quota(secondary.subscription, secondary.location))
    if clusters is None or region is None or sizes is None or quota is None:
        return look.outcome("")
    if not clusters:
        return look.outcome("the primary has no compute clusters to size", inapplicable=True)
    demand: dict[tuple[str, str], int] = defaultdict(int)
    labels: dict[tuple[str, str], str] = {}
    totals: dict[str, int] = defaultdict(int)
    for cluster in clusters:
        size = sizes.get(cluster.vm_size.lower())
        if size is None:
            look.fail(
                f"VM size {cluster.vm_size} of cluster {cluster.name} is not offered in {region}"
            )
            continue
        if size.family is None or size.vcpus is None:
            look.missing.append(f"{size.lacks()} in the VM sizes of {region}")
            continue
        need = cluster.max_nodes * size.vcpus
        key = (family_key(size.family), cluster.priority)
        demand[key] += need
        labels[key] = size.family
        totals[cluster.priority] += need
    usages = usages_path(secondary.subscription, region)

    def room(row: Any) -> int:
        return int(row.limit - row.current) if params.headroom else int(row.limit)

    for key in sorted(demand):
        priority = key[1]
        row = quota.families.get(key)
        if row is None:
            if priority == "lowpriority":
                continue  # no per-family low-priority cap: the regional total applies
            look.missing.append(f"{usages} has no quota row for {labels[key]} ({priority})")
            continue
        look.observe(row.raw_id, "limit", row.limit, demand[key])
        if row.limit < -1:  # -1 is 'no cap'; another negative limit is no quota at all
            look.missing.append(f"{row.raw_id} has limit {row.limit}: not a quota")
        elif row.limit >= 0 and room(row) < demand[key]:
            look.fail(
                f"{labels[key]} {priority} quota in {region} is {room(row)} vCPUs; the primary's "
                f"clusters can scale to {demand[key]}"
            )
    for priority in sorted(totals):
        total = quota.totals.get(priority)
        if total is None:
            look.missing.append(f"{usages} has no regional {priority} vCPU total")
            continue
        look.observe(total.raw_id, f"limit ({total.label})", total.limit, totals[priority])
        if total.limit < -1:
            look.missing.append(f"{total.raw_id} ({total.label}) has limit {total.limit}")
        elif total.limit >= 0 and room(total) < totals[priority]:
            look.fail(
                f"regional {priority} vCPU quota in {region} is {room(total)}; the primary's "
                f"clusters can scale to {totals[priority]}"
            )
    return look.outcome(
        f"quota in {region} holds the {sum(totals.values())} vCPUs "
        "the primary's clusters can scale to"
    )
