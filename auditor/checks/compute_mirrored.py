"""DR-08: every primary cluster has a counterpart of its size or family in the secondary."""

from __future__ import annotations

from auditor.azure import family_key
from auditor.checks.kit import (
    Context,
    Look,
    NoParams,
    Outcome,
    check,
    clusters_of,
    pair_of,
    serving,
)


@check("compute_mirrored")
def compute_mirrored(ctx: Context, _: NoParams) -> Outcome:
    """DR-08: for each primary cluster, a secondary cluster of the same size or family with at
    least the same maximum node count."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    ours = clusters_of(look, ctx, primary)
    before = len(look.missing)
    theirs = clusters_of(look, ctx, secondary)
    if ours is None or theirs is None:
        return look.outcome("")
    # a secondary cluster that cannot be read may be the counterpart: no 'none' verdict then
    unreadable = len(look.missing) > before
    if not ours:
        return look.outcome("the primary has no compute clusters to mirror", inapplicable=True)
    standing = []
    for cluster in theirs:
        if isinstance(cluster.state, str) and not serving(cluster.state):
            look.observe(cluster.raw_id, "properties.provisioningState", cluster.state, "Succeeded")
            look.note(f"cluster {cluster.name} in {secondary.name} is {cluster.state}: not counted")
        else:
            standing.append(cluster)
    theirs = standing
    # A size's family, from the secondary region's VM sizes or else the primary's: a size the
    # secondary region does not offer can still have a counterpart of its family there.
    lookups = [ctx.estate.vm_sizes(ws.subscription, ws.location) for ws in (secondary, primary)]
    known = [lookup.value for lookup in lookups if lookup.ok]

    def family(size: str) -> str | None:
        for sizes in known:
            found = sizes.get(size.lower())
            if found is not None and found.family is not None:
                return family_key(found.family)
        return None

    for cluster in ours:
        same = [c for c in theirs if c.vm_size.lower() == cluster.vm_size.lower()]
        fam = family(cluster.vm_size)
        kin = [c for c in theirs if fam is not None and family(c.vm_size) == fam]
        candidates = same or kin
        best = max(candidates, key=lambda c: c.max_nodes, default=None)
        look.observe(
            cluster.raw_id,
            "counterpart in secondary (size or family, max nodes)",
            f"{best.name}: {best.vm_size} x {best.max_nodes}" if best else None,
            f"{cluster.vm_size} (or its family) x {cluster.max_nodes}",
        )
        if best is None:
            unknown = {c.vm_size for c in theirs if fam is None or family(c.vm_size) is None}
            if unknown:  # whether another size is of the same family cannot be told
                if fam is None:
                    unknown.add(cluster.vm_size)
                reasons = [str(lookup.problem) for lookup in lookups if not lookup.ok]
                look.missing.append(
                    f"the VM family of {', '.join(sorted(unknown))} is not known from the "
                    "recorded VM sizes" + "".join(f"; {reason}" for reason in reasons)
                )
                continue
            if unreadable:
                continue
            look.fail(
                f"cluster {cluster.name} ({cluster.vm_size}, up to {cluster.max_nodes} nodes) "
                f"has no cluster of the same size or family in {secondary.name}"
            )
        elif best.state is None:
            look.missing.append(f"compute {best.raw_id} has no 'properties.provisioningState'")
        elif best.max_nodes < cluster.max_nodes:
            look.fail(
                f"cluster {cluster.name} scales to {cluster.max_nodes} nodes of "
                f"{cluster.vm_size}; its counterpart {best.name} in {secondary.name} only to "
                f"{best.max_nodes}"
            )
    return look.outcome(
        f"all {len(ours)} primary clusters have a counterpart of the same size or family "
        f"and capacity in {secondary.name}"
    )
