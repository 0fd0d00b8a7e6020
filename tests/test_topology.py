"""The topology of a workload: its workspaces, what they use, where, and which links fail."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from auditor import config, demo, rules, scan, snapshot
from auditor.azure import norm_id
from auditor.estate import build
from auditor.model import Evidence, Status
from auditor.report import Report, WorkloadResult
from auditor.topology import EdgeKind, NodeKind, Role, Topology, marks, topology

AS_OF = dt.date(2026, 11, 26)


def _scan(doc: dict[str, Any] | None = None) -> Report:
    snap = snapshot.validate(doc, "test") if doc else snapshot.load(demo.snapshot_path())
    return scan.run(snap, config.load(demo.config_path()), rules.load(), as_of=AS_OF)


@pytest.fixture(scope="module")
def report() -> Report:
    return _scan()


def _workload(report: Report, name: str) -> WorkloadResult:
    return next(w for w in report.workloads if w.name == name)


def _topology(report: Report, name: str) -> Topology:
    found = _workload(report, name).topology
    assert found is not None
    return found


def _node(topo: Topology, kind: NodeKind, role: Role | None = None) -> list[Any]:
    return [n for n in topo.nodes if n.kind is kind and (role is None or n.role is role)]


def _marked(topo: Topology, kind: str, ref: str) -> tuple[str, ...]:
    return next((m.rules for m in topo.marks if m.type == kind and m.id == ref), ())


def test_every_workload_has_its_workspaces_and_what_they_use(report: Report) -> None:
    for result in report.workloads:
        topo = _topology(report, result.name)
        workspaces = _node(topo, NodeKind.WORKSPACE)
        ids = {norm_id(n.id) for n in workspaces}
        assert norm_id(result.workload.primary) in ids
        assert len(workspaces) == (1 if result.workload.secondary is None else 2)
        for kind in (NodeKind.STORAGE, NodeKind.KEY_VAULT, NodeKind.APP_INSIGHTS):
            assert _node(topo, kind), (result.name, kind)
        node_ids = {n.id for n in topo.nodes}
        for edge in topo.edges:
            assert edge.source in node_ids and edge.target in node_ids
        assert len({n.id for n in topo.nodes}) == len(topo.nodes)


def test_regions_roles_and_details(report: Report) -> None:
    topo = _topology(report, "fraud-scoring")
    primary = _node(topo, NodeKind.WORKSPACE, Role.PRIMARY)[0]
    assert (primary.name, primary.region, primary.present) == ("mlw-fraud-eastus", "eastus", True)
    storage = {n.role: n for n in _node(topo, NodeKind.STORAGE)}
    assert storage[Role.PRIMARY].region == "eastus"
    assert storage[Role.SECONDARY].region == "westus"
    assert storage[Role.PRIMARY].detail["sku"]
    (vault,) = _node(topo, NodeKind.KEY_VAULT)
    assert vault.role is Role.SHARED
    (registry,) = _node(topo, NodeKind.REGISTRY)
    assert registry.role is Role.SHARED and registry.detail["sku"] == "Premium"
    (replica,) = _node(topo, NodeKind.REPLICA)
    assert (replica.region, replica.role) == ("westus", Role.SECONDARY)
    assert replica.detail["provisioning_state"] == "Succeeded"
    assert any(
        e.kind is EdgeKind.REPLICA and e.source == registry.id and e.target == replica.id
        for e in topo.edges
    )
    clusters = _node(topo, NodeKind.COMPUTE, Role.PRIMARY)
    assert {c.name for c in clusters} >= {"cpu-train"}
    cpu = next(c for c in clusters if c.name == "cpu-train")
    assert cpu.detail["vm_size"] and isinstance(cpu.detail["max_node_count"], int)
    assert {e.name for e in _node(topo, NodeKind.ENDPOINT)} >= {"fraud-score"}
    pair = [e for e in topo.edges if e.kind is EdgeKind.PAIR]
    assert len(pair) == 1 and pair[0].source == primary.id
    assert not topo.marks  # fraud-scoring is ready: nothing fails


def test_recsys_marks_the_shared_storage_and_the_unreplicated_registry(report: Report) -> None:
    topo = _topology(report, "recsys")
    (storage,) = _node(topo, NodeKind.STORAGE)
    assert storage.role is Role.SHARED
    (registry,) = _node(topo, NodeKind.REGISTRY)
    assert registry.role is Role.SHARED and not _node(topo, NodeKind.REPLICA)
    assert "DR-04" in _marked(topo, "node", storage.id)
    assert "DR-06" in _marked(topo, "node", registry.id)
    workspaces = [n.id for n in _node(topo, NodeKind.WORKSPACE)]
    for ws in workspaces:
        assert "DR-04" in _marked(topo, "edge", f"{ws} -> {storage.id}")
        assert "DR-06" in _marked(topo, "edge", f"{ws} -> {registry.id}")
    for mark in topo.marks:
        assert mark.status is Status.FAIL and mark.findings
        assert len(mark.findings) >= len(set(mark.rules))


def test_a_lone_workspace_has_no_partner_and_carries_its_failures(report: Report) -> None:
    topo = _topology(report, "mlw-sandbox-uksouth")
    (ws,) = _node(topo, NodeKind.WORKSPACE)
    assert ws.role is Role.PRIMARY
    assert not any(e.kind is EdgeKind.PAIR for e in topo.edges)
    assert "DR-01" in _marked(topo, "node", ws.id)


def test_a_resource_the_workspace_points_at_but_the_snapshot_lacks() -> None:
    doc = json.loads(demo.snapshot_path().read_text())
    vault = next(r for r in doc["resources"] if r["name"] == "kv-fraud")
    doc["resources"].remove(vault)
    topo = _topology(_scan(doc), "fraud-scoring")
    (node,) = _node(topo, NodeKind.KEY_VAULT)
    assert (node.present, node.region, node.name) == (False, None, "kv-fraud")
    assert norm_id(node.id) == norm_id(vault["id"])


def _finding(report: Report, status: Status, resources: tuple[str, ...], **more: Any) -> Any:
    base = report.findings[0]
    return dataclasses.replace(base, status=status, resources=resources, evidence=(), **more)


def test_marks_follow_the_findings_resources_whatever_the_rule(report: Report) -> None:
    result = _workload(report, "fraud-scoring")
    topo = _topology(report, "fraud-scoring")
    (vault,) = _node(topo, NodeKind.KEY_VAULT)
    primary, secondary = result.workload.primary, result.workload.secondary
    assert secondary is not None
    named_vault = _finding(report, Status.ERROR, (primary, vault.id.upper()), rule="X-1")
    only_workspaces = _finding(report, Status.FAIL, (primary, secondary), rule="X-2")
    passing = _finding(report, Status.PASS, (vault.id,), rule="X-3")
    found = {
        (m.type, m.id): m for m in marks(topo.nodes, topo.edges, [named_vault, only_workspaces])
    }
    # A finding naming a resource marks it and the links into it, not the workspaces.
    assert found[("node", vault.id)].rules == ("X-1",)
    assert found[("node", vault.id)].status is Status.ERROR
    assert found[("edge", f"{primary} -> {vault.id}")].rules == ("X-1",)
    # One naming only workspaces marks them and the pair between them.
    pair = next(e for e in topo.edges if e.kind is EdgeKind.PAIR)
    assert found[("edge", pair.id)].rules == ("X-2",)
    assert found[("node", primary)].rules == ("X-2",)
    assert not marks(topo.nodes, topo.edges, [passing])
    # Evidence counts too: an observed link to a resource names it.
    linked = dataclasses.replace(
        only_workspaces,
        evidence=(Evidence(primary, "properties.keyVault", vault.id),),
    )
    found = {(m.type, m.id) for m in marks(topo.nodes, topo.edges, [linked])}
    assert ("node", vault.id) in found and ("node", primary) not in found


def test_topology_is_pure_and_deterministic() -> None:
    estate = build(snapshot.load(demo.snapshot_path()))
    first = _scan()
    result = _workload(first, "recsys")
    again = topology(estate, result.workload, result.findings)
    assert again == result.topology
    assert Topology.from_dict(again.as_dict()) == again


def test_a_scan_works_out_each_topology_once_when_it_is_first_asked_for() -> None:
    """A scan leaves topologies to the outputs that show them (a terminal summary does not):
    the same topology, made on first use and kept."""
    result = _workload(_scan(), "recsys")
    assert callable(result.topology_source)
    first = result.topology
    assert first is not None and not callable(result.topology_source)
    assert result.topology is first
    estate = build(snapshot.load(demo.snapshot_path()))
    assert first == topology(estate, result.workload, result.findings)
