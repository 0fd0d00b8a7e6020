"""The JSON report: a documented, versioned contract for SIEMs and scripts (schema version 2)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import orjson

from auditor.atomic import Chunk
from auditor.heap import paused_gc
from auditor.model import (
    FAILING,
    TIERS,
    Finding,
    Level,
    Status,
)
from auditor.report import SCHEMA_VERSION, SCHEMA_VERSION_V1, Report, WorkloadResult
from auditor.scoring import TierResult
from auditor.topology import Topology, edge_id


def _tier(result: TierResult) -> dict[str, Any]:
    return {
        "score": result.score,
        "ready": result.ready,
        "blocking": sorted({f.rule for f in result.blocking}),
        "blocking_findings": [f.id for f in result.blocking],
    }


def _workload(
    result: WorkloadResult, *, for_orjson: bool = False, version: int = 2
) -> dict[str, Any]:
    """A workload's document; `for_orjson` leaves the topology's nodes and marks as the
    dataclasses they are, which orjson writes as their fields (what their as_dict says)."""
    wl = result.workload
    topo = result.topology
    topology: dict[str, Any] = {}
    if topo is not None:
        if version >= 2:
            topology["topology"] = _topology_v2(topo, for_orjson)
        elif for_orjson:
            topology["topology"] = {
                "nodes": topo.nodes,
                "edges": [e.as_dict() for e in topo.edges],
                "marks": topo.marks,
            }
        else:
            topology["topology"] = topo.as_dict()
    return {
        "name": wl.name,
        "source": wl.source,
        "source_reason": wl.reason,
        "primary": wl.primary,
        "secondary": wl.secondary,
        "primary_region": result.primary_region,
        "secondary_region": result.secondary_region,
        "targets": {cls.value: tier.value for cls, tier in wl.targets.items()},
        "target": wl.target_summary,
        "target_source": wl.target_source,
        "tiers": {tier.value: _tier(result.tiers[tier]) for tier in TIERS},
        "ready_for_target": result.target.ready,
        "score_for_target": result.target.score,
        "blocking_for_target": sorted({f.rule for f in result.target.blocking}),
        "attestations": sorted(wl.attestations),
        **topology,
    }


def _topology_v2(topo: Topology, for_orjson: bool) -> dict[str, Any]:
    """The topology with each resource id said once, in its node: an edge's ends are indexes
    into `nodes` (its id, `"<from> -> <to>"`, follows from them), a mark's `id` an index into
    `nodes` or `edges`. An end or a mark naming what is not there (a hand-made v1 file) keeps
    its id, and an edge whose id is not made from its ends keeps it too."""
    nodes = topo.nodes
    node_at = {n.id: i for i, n in enumerate(nodes)}
    edge_at: dict[str, int] = {}
    edges: list[dict[str, Any]] = []
    for i, e in enumerate(topo.edges):
        edge_at.setdefault(e.id, i)
        edge: dict[str, Any] = {} if e.id == edge_id(e.source, e.target) else {"id": e.id}
        edge["from"] = node_at.get(e.source, e.source)
        edge["to"] = node_at.get(e.target, e.target)
        edge["kind"] = e.kind._value_
        edges.append(edge)
    marks = [
        {
            "type": m.type,
            "id": (node_at if m.type == "node" else edge_at).get(m.id, m.id),
            "rules": list(m.rules),
            "findings": list(m.findings),
            "status": m.status._value_,
        }
        for m in topo.marks
    ]
    return {
        "nodes": nodes if for_orjson else [n.as_dict() for n in nodes],
        "edges": edges,
        "marks": marks,
    }


@dataclass(frozen=True, slots=True)
class _RuleParts:
    """What the findings of one rule share: their `requirements`, `levels` and `remediation`
    documents and the tiers a failing one blocks (Finding.blocks: those its rule requires)."""

    requirements: Any
    levels: Any
    blocks: Any
    remediation: Any

    @classmethod
    def of(cls, finding: Finding) -> _RuleParts:
        levels = finding.levels
        return cls(
            requirements=list(finding.requirements),
            levels={tier.value: levels[tier].value for tier in TIERS},
            blocks=[tier.value for tier in TIERS if levels[tier] is Level.REQUIRED],
            remediation=dict(finding.remediation),
        )


# A rendering pass's shared parts, by the identity of the objects findings share (a scan's
# findings of one rule share them; the findings stay alive during the pass, so ids are not
# reused). Each value keeps the objects its key names.
_PartsMemo = dict[tuple[int, int, int], tuple[_RuleParts, tuple[object, ...]]]


def finding_document(finding: Finding) -> dict[str, Any]:
    """One finding's whole document, as schema version 1 writes it (its rule's texts in it)."""
    return _finding_doc(finding, _RuleParts.of(finding))


def _finding_doc(finding: Finding, parts: _RuleParts) -> dict[str, Any]:
    # Enum `_value_` is `.value` without the descriptor call: this runs once per finding.
    return {
        "id": finding.id,
        "rule": finding.rule,
        "title": finding.title,
        "requirements": parts.requirements,
        "asset_class": finding.asset_class._value_,
        "workload": finding.workload,
        "status": finding.status._value_,
        "severity": finding.severity._value_,
        "levels": parts.levels,
        "target_level": finding.target_level._value_,
        "blocks": parts.blocks if finding.status in FAILING else [],
        "resources": list(finding.resources),
        "evidence": [e.as_dict() for e in finding.evidence],
        "message": finding.message,
        "notes": list(finding.notes),
        "remediation": parts.remediation,
        "rationale": finding.rationale,
        "docs": finding.docs,
        "waiver": finding.waiver.as_dict() if finding.waiver else None,
    }


def rule_document(finding: Finding) -> dict[str, Any]:
    """What a finding's rule says for each of its findings: its entry in the v2 `rules`."""
    parts = _RuleParts.of(finding)
    return {
        "title": finding.title,
        "requirements": parts.requirements,
        "asset_class": finding.asset_class._value_,
        "severity": finding.severity._value_,
        "levels": parts.levels,
        "remediation": parts.remediation,
        "rationale": finding.rationale,
        "docs": finding.docs,
    }


def _first_of_each_rule(findings: Sequence[Finding]) -> dict[str, Finding]:
    """The first finding of each rule, in the order of the findings: the v2 `rules` section
    is made from them."""
    first: dict[str, Finding] = {}
    for finding in findings:
        if finding.rule not in first:
            first[finding.rule] = finding
    return first


@dataclass(frozen=True, slots=True)
class _Rule:
    """A rule's entry as a rendering pass uses it: the finding it was made from (whose shared
    objects the rule's other findings hold too) and the parts of a v2 finding that a finding
    of that rule usually shares with it, already written as JSON."""

    first: Finding
    requirements: Any
    blocks: Any
    summary: Any  # the finding's `remediation`: {"summary": ...}

    @classmethod
    def of(cls, first: Finding) -> _Rule:
        def fragment(value: Any) -> orjson.Fragment:
            return orjson.Fragment(orjson.dumps(value))

        levels = first.levels
        return cls(
            first=first,
            requirements=fragment(list(first.requirements)),
            blocks=fragment([tier.value for tier in TIERS if levels[tier] is Level.REQUIRED]),
            summary=fragment({"summary": first.remediation.get("summary", "")}),
        )


def _finding_doc_v2(finding: Finding, rule: _Rule) -> dict[str, Any]:
    """A finding's v2 document: what is its own, and what its rule says only where it differs
    from the rule's entry (never, in a scan's report: its findings share their rule's objects)."""
    first = rule.first
    # A scan's findings of one rule hold the very objects of the rule's first finding.
    same = (
        finding.levels is first.levels
        and finding.remediation is first.remediation
        and finding.requirements is first.requirements
    )
    doc: dict[str, Any] = {
        "id": finding.id,
        "rule": finding.rule,
        "requirements": rule.requirements
        if same or finding.requirements == first.requirements
        else list(finding.requirements),
        "workload": finding.workload,
        "status": finding.status._value_,
        "severity": finding.severity._value_,
        "target_level": finding.target_level._value_,
        "blocks": (
            (rule.blocks if same else _RuleParts.of(finding).blocks)
            if finding.status in FAILING
            else []
        ),
        "resources": list(finding.resources),
        "evidence": [e.as_dict() for e in finding.evidence],
        "message": finding.message,
        "notes": list(finding.notes),
        "remediation": rule.summary if same else _own_remediation(finding, first),
        "waiver": finding.waiver.as_dict() if finding.waiver else None,
    }
    if not (
        same
        and finding.title is first.title
        and finding.rationale is first.rationale
        and finding.docs is first.docs
        and finding.asset_class is first.asset_class
    ):
        doc.update(_differences(finding, first))
    return doc


def _own_remediation(finding: Finding, first: Finding) -> dict[str, Any]:
    own = {"summary": finding.remediation.get("summary", "")}
    for key, text in finding.remediation.items():
        if key != "summary" and first.remediation.get(key) != text:
            own[key] = text
    return own


def _differences(finding: Finding, first: Finding) -> dict[str, Any]:
    """The rule-wide fields in which a finding differs from its rule's entry."""
    out: dict[str, Any] = {}
    if finding.title != first.title:
        out["title"] = finding.title
    if finding.asset_class is not first.asset_class:
        out["asset_class"] = finding.asset_class._value_
    if finding.levels != first.levels:
        out["levels"] = _RuleParts.of(finding).levels
    if finding.rationale != first.rationale:
        out["rationale"] = finding.rationale
    if finding.docs != first.docs:
        out["docs"] = finding.docs
    return out


def document(report: Report) -> dict[str, Any]:
    """The JSON report's document (schema version 2), as render() writes it."""
    firsts = _first_of_each_rule(report.findings)
    rules = {rule_id: _Rule.of(first) for rule_id, first in firsts.items()}
    # Through orjson and back: the fragments become the plain values they stand for.
    findings = orjson.loads(
        orjson.dumps([_finding_doc_v2(f, rules[f.rule]) for f in report.findings])
    )
    return {
        **_frame(report, SCHEMA_VERSION, firsts),
        "workloads": [_workload(w, version=2) for w in report.workloads],
        "findings": findings,
    }


def flat_document(report: Report, schema_version: str = SCHEMA_VERSION) -> dict[str, Any]:
    """The report's document with each finding whole (its rule's texts in it) and no `rules`
    section: schema version 1's layout, which the HTML report is rendered from."""
    # The findings of one rule share their `requirements`, `levels`, `blocks` and
    # `remediation` documents (read only), as they share their rule's objects in the report.
    memo: _PartsMemo = {}
    return {
        **_frame(report, schema_version, None),
        "workloads": [_workload(w, version=1) for w in report.workloads],
        "findings": [_finding_doc(f, _memoized(f, memo, _RuleParts.of)) for f in report.findings],
    }


def document_v1(report: Report) -> dict[str, Any]:
    """The report as schema version 1 wrote it (render_v1)."""
    return flat_document(report, SCHEMA_VERSION_V1)


def _frame(
    report: Report, schema_version: str, firsts: dict[str, Finding] | None
) -> dict[str, Any]:
    """The document with `workloads` and `findings` left empty (they keep their places among
    the keys); with `rules` made from `firsts` (schema version 2) unless it is None."""
    scan = report.scan
    rules = (
        {}
        if firsts is None
        else {"rules": {rule_id: rule_document(f) for rule_id, f in firsts.items()}}
    )
    return {
        "schema_version": schema_version,
        "tool": {"name": "auditor", "version": report.tool_version},
        "generated_at": report.generated_at,
        "scan": {
            "source": scan.source,
            "collected_at": scan.collected_at,
            "cloud": scan.cloud,
            "scope": {
                "subscriptions": list(scan.scope.get("subscriptions", [])),
                "management_groups": list(scan.scope.get("management_groups", [])),
            },
            "as_of": scan.as_of.isoformat(),
            "complete": scan.complete,
            "errors": [dict(e) for e in scan.errors],
            "error_findings": scan.error_findings,
            "notes": list(scan.notes),
            "rules": list(scan.rules),
        },
        "summary": {
            "workloads": len(report.workloads),
            "ready_for_target": sum(1 for w in report.workloads if w.target.ready),
            "not_ready_for_target": sum(1 for w in report.workloads if not w.target.ready),
            "findings": {s.value: report.counts[s] for s in Status},
            "exit_code": report.exit_code,
        },
        **rules,
        "workloads": [],
        "findings": [],
        "waivers": [w.as_dict() for w in report.waivers],
    }


def render(report: Report) -> bytes:
    """The report as UTF-8 JSON in its layout: the document indented by two spaces as
    json.dumps(..., indent=2, ensure_ascii=False) writes it, except that each item of
    `workloads` and `findings` is one line of compact JSON (grep finds a finding's whole
    record, a diff of two reports shows a changed finding as one changed line, and a large
    report is a sixth smaller)."""
    return b"".join(chunks(report))


def render_v1(report: Report) -> bytes:
    """The report as schema version 1 wrote it: each finding with its rule's texts, no
    `rules` section. Kept so that v1 files can be made to test the readers of v1 reports."""
    return b"".join(chunks(report, version=1))


# Items rendered per chunk: a 10,000-workload report is ~250 MB, written while it is rendered.
# Small enough for a chunk's dictionaries to stay in the processor's cache until dumped.
CHUNK_FINDINGS = 200
CHUNK_WORKLOADS = 20

_T = TypeVar("_T")
# Between two items of a top-level array: each item is a line of its own, indented.
_ITEM = b",\n    "


def chunks(report: Report, version: int = 2) -> Iterator[Chunk]:
    """render(report) in pieces, findings and workloads a few at a time: memory stays at one
    chunk's dictionaries and bytes, and a writer can store each piece while the next is made.
    A scan leaves the workloads' topologies to be worked out when first asked for: here, while
    the writer stores the chunks before. `version` 1 writes schema version 1 (render_v1)."""
    with paused_gc():
        firsts = _first_of_each_rule(report.findings) if version == 2 else None
        frame = _frame(report, SCHEMA_VERSION if version == 2 else SCHEMA_VERSION_V1, firsts)
        marker = f"auditor-{uuid.uuid4().hex}"
        frame["workloads"] = marker + "-workloads"
        frame["findings"] = marker + "-findings"
        dumped = orjson.dumps(frame, option=orjson.OPT_INDENT_2)
        del frame
    head, sep, rest = dumped.partition(orjson.dumps(marker + "-workloads"))
    middle, sep2, tail = rest.partition(orjson.dumps(marker + "-findings"))
    assert sep and sep2, "the placeholders are in the frame"
    yield head
    # The topologies made here live as long as the report: kept out of the collector's way
    # as a whole (paused_gc freezes what it made), not walked by collections in between.
    with paused_gc():
        workload = partial(_workload, for_orjson=True, version=version)
        yield from _array(report.workloads, workload, CHUNK_WORKLOADS)
    yield middle
    document: Callable[[Finding], Any]
    if firsts is not None:
        rules = {rule_id: _Rule.of(first) for rule_id, first in firsts.items()}
        document = lambda f: _finding_doc_v2(f, rules[f.rule])  # noqa: E731
    else:
        memo: _PartsMemo = {}
        document = lambda f: _finding_doc(f, _fragments(f, memo))  # noqa: E731
    yield from _array(report.findings, document, CHUNK_FINDINGS)
    yield tail + b"\n"


def _array(items: Sequence[_T], document: Callable[[_T], Any], size: int) -> Iterator[Chunk]:
    """A top-level JSON array of the items' documents, one compact line per item, `size`
    items at a time."""
    if not items:
        yield b"[]"
        return
    yield b"[\n    "
    dumps = orjson.dumps
    for start in range(0, len(items), size):
        with paused_gc():
            dumped = _ITEM.join([dumps(document(item)) for item in items[start : start + size]])
        if start:
            yield _ITEM
        yield dumped
    yield b"\n  ]"


def _fragments(finding: Finding, memo: _PartsMemo) -> _RuleParts:
    """The finding's rule parts already written as JSON, once per rule: orjson copies them in
    instead of encoding the same texts for every finding."""
    return _memoized(finding, memo, _written)


def _written(finding: Finding) -> _RuleParts:
    plain = _RuleParts.of(finding)
    return _RuleParts(
        requirements=orjson.Fragment(orjson.dumps(plain.requirements)),
        levels=orjson.Fragment(orjson.dumps(plain.levels)),
        blocks=orjson.Fragment(orjson.dumps(plain.blocks)),
        remediation=orjson.Fragment(orjson.dumps(plain.remediation)),
    )


def _memoized(
    finding: Finding, memo: _PartsMemo, make: Callable[[Finding], _RuleParts]
) -> _RuleParts:
    """make(finding), once for the findings that share their rule's objects."""
    shared = (finding.levels, finding.remediation, finding.requirements)
    key = (id(shared[0]), id(shared[1]), id(shared[2]))
    known = memo.get(key)
    if known is None:
        known = memo[key] = (make(finding), shared)
    return known[0]
