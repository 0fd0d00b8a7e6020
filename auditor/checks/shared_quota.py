"""DR-09 for the fleet: the quota left in a secondary region holds what every workload failing
over into it at once needs, not each pair's need alone.

A regional outage fails over every workload whose primary is in the lost region at once. The
workloads whose secondary workspaces sit in the same subscription and region, with their
primaries in the same region, draw on one pool: that subscription's Azure ML vCPU quota in that
region (per VM family, and the regional total). What a failover adds to the pool:
- each primary cluster's maximum vCPUs (maxNodeCount x vCPUs of its size), which its
  counterpart in the secondary scales out to;
- for a workload whose inference target is hot/hot or hot/warm, what its secondary's online
  deployments add to carry the primary's instances (primary instances x vCPUs, less those the
  secondary already runs; managed online deployments draw on the same per-family quota).
Usage already consumed in the secondary (`currentValue` of the usages rows: running nodes,
provisioned deployments, other teams' workloads) is subtracted from the limit when `headroom`
is on (the default): the secondary's already provisioned instances are counted once, in usage.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from auditor.azure import ONLINE_DEPLOYMENT, ONLINE_ENDPOINT, family_key, norm_region, usages_path
from auditor.checks.kit import Context, Look, Outcome, check, clusters_of, pair_of, serving
from auditor.estate import Estate, Resource, VmSize
from auditor.frozen import FrozenModel
from auditor.model import AssetClass, Evidence, Tier
from auditor.workloads import Workload


class SharedQuotaParams(FrozenModel):
    headroom: bool = True


# (secondary subscription, secondary region, primary region): the workloads failing over at once
PoolKey = tuple[str, str, str]


# A pool's message names this many of its workloads; the rest are counted (a pool of thousands
# would otherwise put every name in every member's finding: quadratic in the fleet).
NAMED = 12


def _named(items: list[str], count: int | None = None) -> str:
    """The first NAMED items, and how many more of `count` (default: all of them) there are."""
    count = len(items) if count is None else count
    shown = ", ".join(items[:NAMED])
    return shown + (f" and {count - NAMED} more" if count > NAMED else "")


def _but(items: list[str], among: set[str], name: str) -> tuple[list[str], int]:
    """The items other than `name` (enough of them to name) and how many there are, without
    walking the whole list for every member of a large pool."""
    shown: list[str] = []
    for item in items:
        if item != name:
            shown.append(item)
            if len(shown) > NAMED:
                break
    return shown, len(items) - (1 if name in among else 0)


@dataclass
class _Pool:
    """What the pool's members need at once, and what could not be read to know it."""

    members: list[str] = field(default_factory=list)
    member_names: set[str] = field(default_factory=set)
    need: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # key -> member
    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # the pool's own reads (quota, VM sizes)
    evidence: list[Evidence] = field(default_factory=list)
    resources: dict[str, None] = field(default_factory=dict)
    # per member: what its need was read from, and what could not be read
    member_evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    member_missing: dict[str, list[str]] = field(default_factory=dict)
    member_resources: dict[str, dict[str, None]] = field(default_factory=dict)
    # worked out once for the pool, read by each member's finding
    total: int = 0
    unread: list[str] = field(default_factory=list)  # a member's first unread problem each
    unread_members: set[str] = field(default_factory=set)


def _key(primary: Resource, secondary: Resource) -> PoolKey:
    return (secondary.subscription, norm_region(secondary.location), norm_region(primary.location))


def _members(ctx: Context) -> dict[PoolKey, list[tuple[Workload, Resource, Resource]]]:
    """The fleet's pairs by pool, worked out once per scan."""

    def build() -> dict[PoolKey, list[tuple[Workload, Resource, Resource]]]:
        pools: dict[PoolKey, list[tuple[Workload, Resource, Resource]]] = defaultdict(list)
        for workload in ctx.fleet:
            if workload.secondary is None:
                continue
            primary, secondary = (
                ctx.estate.get(workload.primary),
                ctx.estate.get(workload.secondary),
            )
            if primary is None or secondary is None:
                continue
            if not primary.location or not secondary.location:
                continue
            pools[_key(primary, secondary)].append((workload, primary, secondary))
        return dict(pools)

    found: dict[PoolKey, list[tuple[Workload, Resource, Resource]]] = ctx.estate.memo(
        ("shared-quota-pools", id(ctx.fleet)), build
    )
    return found


def _instances(
    look: Look, estate: Estate, ws: Resource, sizes: dict[str, VmSize], region: str
) -> dict[tuple[str, str], int] | None:
    """vCPUs of a workspace's serving online deployments, per VM family (dedicated)."""
    found: dict[tuple[str, str], int] = defaultdict(int)
    for endpoint in estate.children_of(ws.id, ONLINE_ENDPOINT):
        for deployment in estate.children_of(endpoint.id, ONLINE_DEPLOYMENT):
            if not serving(deployment.get("properties.provisioningState")):
                continue
            size = look.prop(deployment, "properties.instanceType")
            count = look.prop(deployment, "sku.capacity")
            if size is None or count is None:
                return None  # look.prop recorded what is missing
            if not isinstance(size, str) or not isinstance(count, int) or isinstance(count, bool):
                look.missing.append(
                    f"{deployment.raw_id}: instanceType {size!r} or sku.capacity {count!r} "
                    "is not readable"
                )
                return None
            row = sizes.get(size.lower())
            if row is None or row.family is None or row.vcpus is None:
                look.missing.append(f"VM size {size} of {deployment.raw_id} is not in {region}'s")
                return None
            found[(family_key(row.family), "dedicated")] += count * row.vcpus
    return dict(found)


def _pool(ctx: Context, key: PoolKey, params: SharedQuotaParams) -> _Pool:
    def build() -> _Pool:
        pool = _Pool()
        look = Look(ctx.estate)
        subscription, region, _ = key
        sizes = look.lookup(ctx.estate.vm_sizes(subscription, region))
        quota = look.lookup(ctx.estate.quota(subscription, region))
        members = _members(ctx).get(key, [])
        pool.members = [w.name for w, _, _ in members]
        pool.member_names = set(pool.members)
        if sizes is None or quota is None:
            pool.missing, pool.evidence = look.missing, look.evidence
            return pool
        for workload, primary, secondary in members:
            own = Look(ctx.estate)
            clusters = clusters_of(own, ctx, primary)
            for cluster in clusters or ():
                size = sizes.get(cluster.vm_size.lower())
                if size is None:
                    look.fail(
                        f"VM size {cluster.vm_size} of {workload.name}'s cluster {cluster.name} "
                        f"is not offered in {region}"
                    )
                    continue
                if size.family is None or size.vcpus is None:
                    own.missing.append(f"{size.lacks()} in the VM sizes of {region}")
                    continue
                fam = (family_key(size.family), cluster.priority)
                pool.labels[fam] = size.family
                mine = pool.need.setdefault(fam, {})
                mine[workload.name] = mine.get(workload.name, 0) + cluster.max_nodes * size.vcpus
            hot = workload.targets.get(AssetClass.INFERENCE, Tier.HOT_COLD)
            if hot in (Tier.HOT_HOT, Tier.HOT_WARM):
                ours = _instances(own, ctx.estate, primary, sizes, region)
                theirs = _instances(own, ctx.estate, secondary, sizes, region)
                for fam, vcpus in (ours or {}).items():
                    extra = vcpus - (theirs or {}).get(fam, 0)
                    if extra > 0 and ours is not None and theirs is not None:
                        pool.labels.setdefault(fam, fam[0])
                        mine = pool.need.setdefault(fam, {})
                        mine[workload.name] = mine.get(workload.name, 0) + extra
            pool.member_evidence[workload.name] = own.evidence
            pool.member_missing[workload.name] = [f"{workload.name}: {m}" for m in own.missing]
            pool.member_resources[workload.name] = own.resources
        usages = usages_path(subscription, region)

        def room(row: Any) -> int:
            return int(row.limit - row.current) if params.headroom else int(row.limit)

        def judge(row: Any, label: str, need: dict[str, int]) -> None:
            total = sum(need.values())
            look.observe(row.raw_id, "limit", row.limit, total)
            look.observe(row.raw_id, "currentValue", row.current)
            if row.limit < -1:
                look.missing.append(f"{row.raw_id} has limit {row.limit}: not a quota")
                return
            if row.limit >= 0 and room(row) < total:
                who = _named([f"{name} {vcpus}" for name, vcpus in sorted(need.items())])
                left = (
                    f"{row.limit} vCPUs, {row.current} in use, {room(row)} left"
                    if params.headroom
                    else f"{row.limit} vCPUs"
                )
                alone = len(need) == 1
                look.fail(
                    f"{label} quota of subscription {subscription} in {region}: {left}; "
                    + (
                        f"{next(iter(need))} needs {total} when it fails over"
                        if alone
                        else f"the {len(need)} workloads failing over into it from {key[2]} "
                        f"need {total} at once ({who})"
                    )
                )

        totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for fam in sorted(pool.need):
            need = pool.need[fam]
            for name, vcpus in need.items():
                totals[fam[1]][name] += vcpus
            row = quota.families.get(fam)
            if row is None:
                if fam[1] != "lowpriority":  # no per-family low-priority cap: the total applies
                    look.missing.append(f"{usages} has no quota row for {pool.labels[fam]}")
                continue
            judge(row, f"{pool.labels[fam]} {fam[1]}", need)
        for priority in sorted(totals):
            row = quota.totals.get(priority)
            if row is None:
                look.missing.append(f"{usages} has no regional {priority} vCPU total")
                continue
            judge(row, f"regional {priority} vCPU", dict(totals[priority]))
        pool.total = sum(v for per in pool.need.values() for v in per.values())
        for member, problems in pool.member_missing.items():
            if problems:
                pool.unread.append(problems[0])
                pool.unread_members.add(member)
        pool.failures, pool.missing = look.failures, look.missing
        pool.evidence = look.evidence
        pool.resources.update(look.resources)
        return pool

    found: _Pool = ctx.estate.memo(("shared-quota-pool", id(ctx.fleet), key, params), build)
    return found


@check("shared_quota", SharedQuotaParams)
def shared_quota(ctx: Context, params: SharedQuotaParams) -> Outcome:
    """DR-09 (fleet): the secondary subscription's quota in the secondary region holds the sum
    of what every workload failing over into it from the same primary region needs at once."""
    primary, secondary = pair_of(ctx)
    look = Look(ctx.estate)
    region, home = look.location(secondary), look.location(primary)
    if region is None or home is None:
        return look.outcome("")
    key = _key(primary, secondary)
    pool = _pool(ctx, key, params)
    name = ctx.workload.name
    look.evidence.extend(pool.evidence)
    look.evidence.extend(pool.member_evidence.get(name, ()))
    look.resources.update(pool.resources)
    look.resources.update(pool.member_resources.get(name, {}))
    look.failures.extend(pool.failures)
    look.missing.extend(pool.missing)
    look.missing.extend(pool.member_missing.get(name, ()))
    mine_prefix = f"{name}: "
    unread = list(islice((p for p in pool.unread if not p.startswith(mine_prefix)), NAMED + 1))
    unread_count = len(pool.unread) - (1 if name in pool.unread_members else 0)
    if unread_count:  # another member's need is unknown: so is the pool's
        look.missing.append(f"the need of {_named(unread, unread_count)}")
    others, count = _but(pool.members, pool.member_names, name)
    look.observe(
        secondary.raw_id,
        f"workloads failing over into this quota from {key[2]}",
        pool.members if len(pool.members) <= NAMED else _named(pool.members),
    )
    if not pool.need and not look.failures and not look.missing:
        return look.outcome(
            "no cluster or deployment of the pool needs quota when it fails over",
            inapplicable=True,
        )
    total = pool.total
    mine = sum(per.get(name, 0) for per in pool.need.values())
    place = f"the quota of subscription {key[0]} in {region}"
    if not others:
        return look.outcome(
            f"{place} holds the {mine} vCPUs this workload needs failing over from {home} alone"
        )
    return look.outcome(
        f"{place} holds the {total} vCPUs the {len(pool.members)} workloads failing over into it "
        f"from {home} need at once: this one {mine}, with {_named(others, count)}"
    )
