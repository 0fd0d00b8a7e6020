"""DR-17: attached AKS clusters span availability zones; the secondary has its own."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from auditor.azure import AKS_CLUSTER, get_path, norm_id
from auditor.checks.kit import Context, Look, Outcome, check, id_name, pair_of
from auditor.estate import Estate, Resource
from auditor.frozen import FrozenModel


@dataclass(frozen=True)
class _Attached:
    workspace: Resource
    compute_id: str
    name: str
    cluster_id: str | None


def _attached_kubernetes(look: Look, estate: Estate, ws: Resource) -> list[_Attached] | None:
    rows = look.lookup(estate.computes(ws))
    if rows is None:
        return None
    found = []
    for row in rows:
        props = row.get("properties") if isinstance(row, dict) else None
        kind = props.get("computeType") if isinstance(props, dict) else None
        if not isinstance(props, dict) or str(kind).lower() not in ("aks", "kubernetes"):
            continue
        compute_id = str(row.get("id") or f"{ws.raw_id}/computes/{row.get('name')}")
        cluster = props.get("resourceId")
        look.observe(compute_id, "properties.resourceId", cluster)
        if not isinstance(cluster, str) or not cluster:
            look.missing.append(f"compute {compute_id} has no 'properties.resourceId'")
        found.append(
            _Attached(
                ws,
                compute_id,
                str(row.get("name") or id_name(compute_id)),
                cluster if isinstance(cluster, str) and cluster else None,
            )
        )
    return found


class AksParams(FrozenModel):
    min_zones: int = Field(default=2, ge=0)


@check("attached_aks_zone_redundant", AksParams)
def attached_aks_zone_redundant(ctx: Context, params: AksParams) -> Outcome:
    """DR-17: AKS clusters attached to the workspaces spread every node pool over at least
    `min_zones` availability zones, and the secondary has its own attached AKS."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    ours = _attached_kubernetes(look, ctx.estate, primary)
    theirs = _attached_kubernetes(look, ctx.estate, secondary)
    p_region = look.location(primary)
    if ours is None:
        return look.outcome("")
    if not ours:
        return look.outcome(
            "the primary has no attached AKS or Kubernetes compute", inapplicable=True
        )
    if theirs is None:
        return look.outcome("")
    if not theirs:
        look.fail(
            f"{secondary.name} has no attached AKS compute: AKS attached through Azure ML has no "
            "cross-region high availability, so the secondary needs its own cluster"
        )
    for attached in [*ours, *theirs]:
        if attached.cluster_id is None:
            continue
        if f"/{AKS_CLUSTER}/" not in norm_id(attached.cluster_id) + "/":
            look.note(
                f"compute {attached.name} of {attached.workspace.name} runs on "
                f"{attached.cluster_id}, not an AKS cluster: its zones are not judged"
            )
            continue
        cluster = look.resource(
            attached.cluster_id,
            f"AKS cluster of compute {attached.name} ({attached.workspace.name})",
        )
        if cluster is None:
            continue
        if attached.workspace is secondary and cluster.location and cluster.location == p_region:
            look.fail(
                f"AKS cluster {cluster.name} of {secondary.name} is in the primary's region "
                f"{p_region}"
            )
        pools = look.prop(cluster, "properties.agentPoolProfiles")
        if pools is None:
            continue
        if not isinstance(pools, list) or not pools:
            look.missing.append(
                f"{cluster.raw_id} has no agent pools in 'properties.agentPoolProfiles'"
            )
            continue
        for pool in pools:
            pool_name = get_path(pool, "name")
            zones = get_path(pool, "availabilityZones")
            spread = len(set(zones)) if isinstance(zones, list) else 0
            look.observe(
                cluster.raw_id,
                f"properties.agentPoolProfiles[{pool_name}].availabilityZones",
                zones,
                f"at least {params.min_zones} zones",
            )
            if spread < params.min_zones:
                look.fail(
                    f"node pool {pool_name} of AKS cluster {cluster.name} (compute "
                    f"{attached.name} of {attached.workspace.name}) is in {spread} availability "
                    f"zone(s), not at least {params.min_zones}"
                )
    return look.outcome(
        f"the attached AKS clusters span at least {params.min_zones} zones per node pool, and "
        f"{secondary.name} has its own"
    )
