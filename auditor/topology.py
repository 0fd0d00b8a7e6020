"""Where a workload lives: its two workspaces, what they depend on, and which links fail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from auditor.azure import ONLINE_ENDPOINT, REPLICATION, get_path, norm_id, norm_region
from auditor.estate import Estate, Resource
from auditor.model import FAILING, Finding, Status
from auditor.quickinit import quick_init
from auditor.workloads import Workload


class NodeKind(StrEnum):
    WORKSPACE = "workspace"
    STORAGE = "storage"
    KEY_VAULT = "key_vault"
    REGISTRY = "registry"
    REPLICA = "replica"
    APP_INSIGHTS = "app_insights"
    COMPUTE = "compute"
    ENDPOINT = "endpoint"


class Role(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SHARED = "shared"


class EdgeKind(StrEnum):
    PAIR = "pair"  # primary workspace -> its DR partner
    USES = "uses"  # workspace -> a resource it is linked to or contains
    REPLICA = "replica"  # container registry -> one of its geo-replications


# The workspace properties that link it to a resource, in the order the diagram draws them.
LINKS: tuple[tuple[NodeKind, str], ...] = (
    (NodeKind.STORAGE, "properties.storageAccount"),
    (NodeKind.KEY_VAULT, "properties.keyVault"),
    (NodeKind.REGISTRY, "properties.containerRegistry"),
    (NodeKind.APP_INSIGHTS, "properties.applicationInsights"),
)
ORDER: tuple[NodeKind, ...] = tuple(NodeKind)


@quick_init
@dataclass(frozen=True, slots=True)
class Node:
    """A workspace or a resource of the workload. `present` is false when a workspace points
    at it but the snapshot does not hold it; `region` is None when unknown."""

    id: str
    kind: NodeKind
    name: str
    region: str | None
    role: Role
    present: bool
    detail: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind._value_,
            "name": self.name,
            "region": self.region,
            "role": self.role._value_,
            "present": self.present,
            "detail": dict(self.detail),
        }


@quick_init
@dataclass(frozen=True, slots=True)
class Edge:
    id: str
    source: str
    target: str
    kind: EdgeKind

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "from": self.source, "to": self.target, "kind": self.kind._value_}


@quick_init
@dataclass(frozen=True, slots=True)
class Mark:
    """A node or edge that failing findings point at: their rules, ids and worst status."""

    type: str  # "node" or "edge"
    id: str
    rules: tuple[str, ...]
    findings: tuple[str, ...]
    status: Status

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "rules": list(self.rules),
            "findings": list(self.findings),
            "status": self.status._value_,
        }


@dataclass(frozen=True)
class Topology:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    marks: tuple[Mark, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": [n.as_dict() for n in self.nodes],
            "edges": [e.as_dict() for e in self.edges],
            "marks": [m.as_dict() for m in self.marks],
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Topology:
        return cls(
            nodes=tuple(
                Node(
                    id=n["id"],
                    kind=NodeKind(n["kind"]),
                    name=n["name"],
                    region=n["region"],
                    role=Role(n["role"]),
                    present=n["present"],
                    detail=dict(n.get("detail", {})),
                )
                for n in doc["nodes"]
            ),
            edges=tuple(
                Edge(e["id"], e["from"], e["to"], EdgeKind(e["kind"])) for e in doc["edges"]
            ),
            marks=tuple(
                Mark(
                    m["type"], m["id"], tuple(m["rules"]), tuple(m["findings"]), Status(m["status"])
                )
                for m in doc["marks"]
            ),
        )


def edge_id(source: str, target: str) -> str:
    return f"{source} -> {target}"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _is_project(workspace: Resource) -> bool:
    kind = workspace.row.get("kind")
    return isinstance(kind, str) and kind.lower() == "project"


def _region(value: Any) -> str | None:
    return norm_region(value) or None if isinstance(value, str) else None


class _Builder:
    def __init__(self, estate: Estate, regions: Mapping[Role, str | None]) -> None:
        self.estate = estate
        self.regions = regions
        self.nodes: dict[str, Node] = {}
        self.edges: dict[str, Edge] = {}

    def role_of_region(self, region: str | None) -> Role:
        for role in (Role.PRIMARY, Role.SECONDARY):
            if region is not None and self.regions.get(role) == region:
                return role
        return Role.SHARED

    def add(self, node: Node) -> Node:
        """Add a node, or widen the role of one already there to `shared`."""
        key = norm_id(node.id)
        known = self.nodes.get(key)
        if known is None:
            self.nodes[key] = node
            return node
        if known.role is not node.role and known.kind is not NodeKind.WORKSPACE:
            known = replace(known, role=Role.SHARED)
            self.nodes[key] = known
        return known

    def link(self, source: str, target: str, kind: EdgeKind) -> None:
        ref = edge_id(source, target)
        if ref not in self.edges:
            self.edges[ref] = Edge(ref, source, target, kind)

    def resource(
        self,
        kind: NodeKind,
        rid: str,
        role: Role,
        detail: Mapping[str, Any] | None = None,
        found: Resource | None = None,
    ) -> Node:
        """The node of resource `rid` (`found`: the estate's resource, when already looked up)."""
        found = found or self.estate.get(rid)
        if found is not None:
            return Node(
                found.raw_id, kind, found.name, found.location or None, role, True, detail or {}
            )
        return Node(rid, kind, rid.rstrip("/").rsplit("/", 1)[-1], None, role, False, detail or {})

    def link_target(self, workspace: Resource, path: str) -> str | None:
        """A workspace's link: its own, or for a project workspace that lacks it, its hub's (a
        project uses its hub's storage, Key Vault, registry, ...)."""
        own = _text(workspace.get(path))
        if own is not None or not _is_project(workspace):
            return own
        hub = _text(workspace.get("properties.hubResourceId"))
        found = self.estate.get(hub) if hub else None
        return None if found is None else _text(found.get(path))

    def workspace(self, rid: str, role: Role) -> Resource | None:
        found = self.estate.get(rid)
        hub = _text(found.get("properties.hubResourceId")) if found else None
        kind_of = _text(found.row.get("kind")) if found else None
        node = self.add(
            self.resource(NodeKind.WORKSPACE, rid, role, {"kind": kind_of, "hub": hub}, found)
        )
        if found is None:
            return None
        for kind, path in LINKS:
            target = self.link_target(found, path)
            if target is None:
                continue
            linked = self.estate.get(target)
            detail: dict[str, Any] = {}
            if kind is NodeKind.STORAGE or kind is NodeKind.REGISTRY:
                detail["sku"] = _text(linked.get("sku.name")) if linked else None
            dep = self.add(self.resource(kind, target, role, detail, linked))
            self.link(node.id, dep.id, EdgeKind.USES)
        computes = self.estate.computes(found)
        for row in computes.value if computes.ok else ():
            if get_path(row, "properties.computeType") != "AmlCompute":
                continue
            name = _text(get_path(row, "name"))
            cid = _text(get_path(row, "id")) or f"{found.raw_id}/computes/{name}"
            compute = Node(
                id=cid,
                kind=NodeKind.COMPUTE,
                name=name or cid.rsplit("/", 1)[-1],
                region=_region(get_path(row, "location")),
                role=role,
                present=True,
                detail={
                    "vm_size": _text(get_path(row, "properties.properties.vmSize")),
                    "max_node_count": _int(
                        get_path(row, "properties.properties.scaleSettings.maxNodeCount")
                    ),
                },
            )
            self.link(node.id, self.add(compute).id, EdgeKind.USES)
        for endpoint in self.estate.children_of(found.id, ONLINE_ENDPOINT):
            added = self.add(
                Node(
                    endpoint.raw_id,
                    NodeKind.ENDPOINT,
                    endpoint.name,
                    endpoint.location or None,
                    role,
                    True,
                )
            )
            self.link(node.id, added.id, EdgeKind.USES)
        return found

    def replicas(self) -> None:
        registries = [n for n in self.nodes.values() if n.kind is NodeKind.REGISTRY and n.present]
        for registry in registries:
            for replica in self.estate.children_of(registry.id, REPLICATION):
                region = replica.location or None
                node = self.add(
                    Node(
                        replica.raw_id,
                        NodeKind.REPLICA,
                        replica.name,
                        region,
                        self.role_of_region(region),
                        True,
                        {"provisioning_state": _text(replica.get("properties.provisioningState"))},
                    )
                )
                self.link(registry.id, node.id, EdgeKind.REPLICA)


def _named(finding: Finding) -> set[str]:
    """The resource ids a finding points at: those it lists, those it gives evidence on, and
    observed values that are resource ids (a workspace's link to its Key Vault, ...)."""
    ids = {norm_id(r) for r in finding.resources}
    for item in finding.evidence:
        ids.add(norm_id(item.resource))
        if isinstance(item.observed, str) and item.observed.startswith("/"):
            ids.add(norm_id(item.observed))
    return ids


def marks(nodes: Sequence[Node], edges: Iterable[Edge], findings: Iterable[Finding]) -> list[Mark]:
    """Which nodes and edges failing (`fail` or `error`) findings point at.

    A finding marks the resources it names other than workspaces, and the edges into them;
    when it names no such resource, it marks the workspaces it names, and the edge between
    them when it names both. The same rule for every rule: no rule is special-cased."""
    failing = [f for f in findings if f.status in FAILING]
    if not failing:
        return []
    by_id = {norm_id(n.id): n for n in nodes}
    edge_list = list(edges)
    ends = [(edge.id, norm_id(edge.source), norm_id(edge.target)) for edge in edge_list]
    hits: dict[tuple[str, str], list[Finding]] = {}
    for finding in failing:
        named = [i for i in sorted(_named(finding)) if i in by_id]
        deps = {i for i in named if by_id[i].kind is not NodeKind.WORKSPACE}
        chosen = deps or set(named)
        for key in chosen:
            hits.setdefault(("node", by_id[key].id), []).append(finding)
        for ref, source, target in ends:
            if (target in deps) if deps else (source in chosen and target in chosen):
                hits.setdefault(("edge", ref), []).append(finding)
    if not hits:
        return []
    order = {("node", n.id): i for i, n in enumerate(nodes)}
    order.update({("edge", e.id): len(order) + i for i, e in enumerate(edge_list)})
    return [
        Mark(
            type=kind,
            id=ref,
            rules=tuple(dict.fromkeys([f.rule for f in found])),
            findings=tuple([f.id for f in found]),
            status=Status.FAIL if Status.FAIL in [f.status for f in found] else Status.ERROR,
        )
        for (kind, ref), found in sorted(hits.items(), key=lambda item: order[item[0]])
    ]


_RANK = {kind: i for i, kind in enumerate(ORDER)}
_ROLE_RANK = {role: i for i, role in enumerate(Role)}


def topology(estate: Estate, workload: Workload, findings: Iterable[Finding]) -> Topology:
    """The workload's two workspaces, the resources they link to (default storage, Key Vault,
    container registry and its replications, Application Insights), their compute clusters and
    online endpoints, each in its region; and which of them the failing findings point at."""
    primary = estate.get(workload.primary)
    secondary_id = workload.secondary
    if secondary_id is not None and norm_id(secondary_id) == norm_id(workload.primary):
        secondary_id = None
    secondary = estate.get(secondary_id) if secondary_id else None
    builder = _Builder(
        estate,
        {
            Role.PRIMARY: primary.location or None if primary else None,
            Role.SECONDARY: secondary.location or None if secondary else None,
        },
    )
    builder.workspace(workload.primary, Role.PRIMARY)
    if secondary_id is not None:
        builder.workspace(secondary_id, Role.SECONDARY)
        pair = (builder.nodes[norm_id(workload.primary)], builder.nodes[norm_id(secondary_id)])
        builder.link(pair[0].id, pair[1].id, EdgeKind.PAIR)
    builder.replicas()
    nodes = sorted(
        builder.nodes.values(),
        key=lambda n: (_RANK[n.kind], _ROLE_RANK[n.role], n.name.lower(), n.id.lower()),
    )
    # Edges in the order of their targets, so a reader (or a diagram) meets them top-down.
    position = {norm_id(n.id): i for i, n in enumerate(nodes)}
    edges = sorted(
        builder.edges.values(),
        key=lambda e: (position[norm_id(e.target)], position[norm_id(e.source)]),
    )
    return Topology(tuple(nodes), tuple(edges), tuple(marks(nodes, edges, findings)))
