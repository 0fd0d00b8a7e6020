"""The JSON report: a documented, versioned contract for SIEMs and scripts."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import jsonschema
import orjson
from pydantic import ValidationError as PydanticValidationError

from auditor.atomic import Chunk
from auditor.config import Attestation
from auditor.errors import ReportFileError
from auditor.heap import paused_gc
from auditor.model import (
    FAILING,
    TIERS,
    AssetClass,
    Evidence,
    Finding,
    Level,
    Severity,
    Status,
    Tier,
    WaiverMark,
)
from auditor.report import SCHEMA_VERSION, Report, ScanInfo, WorkloadResult
from auditor.scoring import TierResult
from auditor.textfiles import FORMATS, Unreadable, parse_json
from auditor.topology import Topology
from auditor.waivers import Waiver, WaiverResult, WaiverStatus
from auditor.workloads import Workload


def _tier(result: TierResult) -> dict[str, Any]:
    return {
        "score": result.score,
        "ready": result.ready,
        "blocking": sorted({f.rule for f in result.blocking}),
        "blocking_findings": [f.id for f in result.blocking],
    }


def _workload(result: WorkloadResult, *, for_orjson: bool = False) -> dict[str, Any]:
    """A workload's document; `for_orjson` leaves the topology's nodes and marks as the
    dataclasses they are, which orjson writes as their fields (what their as_dict says)."""
    wl = result.workload
    topo = result.topology
    topology: dict[str, Any] = {}
    if topo is not None:
        topology["topology"] = (
            {"nodes": topo.nodes, "edges": [e.as_dict() for e in topo.edges], "marks": topo.marks}
            if for_orjson
            else topo.as_dict()
        )
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
    """One finding's document."""
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


def document(report: Report) -> dict[str, Any]:
    return {
        **_frame(report),
        "workloads": [_workload(w) for w in report.workloads],
        "findings": [finding_document(f) for f in report.findings],
    }


def _frame(report: Report) -> dict[str, Any]:
    """The document with `workloads` and `findings` left empty (they keep their places among
    the keys)."""
    scan = report.scan
    return {
        "schema_version": SCHEMA_VERSION,
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


# Items rendered per chunk: a 10,000-workload report is ~1 GB, written while it is rendered.
# Small enough for a chunk's dictionaries to stay in the processor's cache until dumped.
CHUNK_FINDINGS = 200
CHUNK_WORKLOADS = 20

_T = TypeVar("_T")
# Between two items of a top-level array: each item is a line of its own, indented.
_ITEM = b",\n    "


def chunks(report: Report) -> Iterator[Chunk]:
    """render(report) in pieces, findings and workloads a few at a time: memory stays at one
    chunk's dictionaries and bytes, and a writer can store each piece while the next is made.
    A scan leaves the workloads' topologies to be worked out when first asked for: here, while
    the writer stores the chunks before."""
    with paused_gc():
        frame = _frame(report)
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
        yield from _array(report.workloads, partial(_workload, for_orjson=True), CHUNK_WORKLOADS)
    yield middle
    memo: _PartsMemo = {}
    yield from _array(
        report.findings, lambda f: _finding_doc(f, _fragments(f, memo)), CHUNK_FINDINGS
    )
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
    shared = (finding.levels, finding.remediation, finding.requirements)
    key = (id(shared[0]), id(shared[1]), id(shared[2]))
    known = memo.get(key)
    if known is None:
        plain = _RuleParts.of(finding)
        known = memo[key] = (
            _RuleParts(
                requirements=orjson.Fragment(orjson.dumps(plain.requirements)),
                levels=orjson.Fragment(orjson.dumps(plain.levels)),
                blocks=orjson.Fragment(orjson.dumps(plain.blocks)),
                remediation=orjson.Fragment(orjson.dumps(plain.remediation)),
            ),
            shared,
        )
    return known[0]


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the JSON report, shipped in the package."""
    text = resources.files("auditor").joinpath("schemas/report-v1.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


# -- reading a saved report back -------------------------------------------------------------
# report_from_document is the inverse of document(): `auditor report` renders any format again
# from a saved JSON report. Every field document() writes must be read back here; the
# round-trip test (document(report_from_document(d)) == d) fails when one is forgotten.


class _Inconsistent(ValueError):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"field '{where}': {message}")


def _describe(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
    return f"field '{where}': {error.message}"


def _date(value: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _Inconsistent(where, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _evidence(doc: dict[str, Any]) -> Evidence:
    return Evidence(doc["resource"], doc["path"], doc["observed"], doc.get("expected"))


def _waiver_mark(doc: dict[str, Any] | None, where: str) -> WaiverMark | None:
    if doc is None:
        return None
    return WaiverMark(
        id=doc["id"],
        status=doc["status"],
        reason=doc["reason"],
        owner=doc["owner"],
        expires=_date(doc["expires"], f"{where}/expires"),
        waived_status=Status(doc["waived_status"]),
    )


def _finding(
    index: int, doc: dict[str, Any], targets: Mapping[str, Mapping[AssetClass, Tier]]
) -> Finding:
    levels = {tier: Level(doc["levels"][tier.value]) for tier in TIERS}
    asset_class = AssetClass(doc.get("asset_class", AssetClass.FOUNDATION.value))
    target_level = doc.get("target_level")
    if target_level is None:
        target_level = levels[targets[doc["workload"]][asset_class]].value
    return Finding(
        id=doc["id"],
        rule=doc["rule"],
        title=doc["title"],
        requirements=tuple(doc["requirements"]),
        asset_class=asset_class,
        workload=doc["workload"],
        status=Status(doc["status"]),
        severity=Severity(doc["severity"]),
        levels=levels,
        target_level=Level(target_level),
        resources=tuple(doc["resources"]),
        evidence=tuple(_evidence(e) for e in doc["evidence"]),
        message=doc["message"],
        remediation=dict(doc["remediation"]),
        rationale=doc.get("rationale", ""),
        docs=doc.get("docs", ""),
        notes=tuple(doc.get("notes", ())),
        waiver=_waiver_mark(doc.get("waiver"), f"findings/{index}/waiver"),
    )


def _attestations(
    names: list[str], findings: list[dict[str, Any]], as_of: dt.date
) -> dict[str, Attestation]:
    """The report keeps only the attested requirement ids; the attestation itself is in the
    evidence of the finding that judged it. Where it is not (a rule set without that check),
    a placeholder says so: a rebuilt report never runs checks, it only renders."""
    recorded: dict[str, Any] = {}
    for finding in findings:
        for item in finding["evidence"]:
            if item["path"].startswith("attestations.") and isinstance(item["observed"], dict):
                recorded[item["path"].removeprefix("attestations.")] = item["observed"]
    out: dict[str, Attestation] = {}
    for name in names:
        try:
            out[name] = Attestation.model_validate(recorded[name])
        except (KeyError, PydanticValidationError):
            out[name] = Attestation(
                by="(not recorded in the report)",
                date=as_of,
                evidence="(not recorded in the report)",
                expires=as_of,
            )
    return out


def _workload_result(
    index: int,
    doc: dict[str, Any],
    findings: tuple[Finding, ...],
    finding_docs: list[dict[str, Any]],
    rules_order: dict[str, int],
    as_of: dt.date,
) -> WorkloadResult:
    name = doc["name"]
    targets = {AssetClass(cls): Tier(tier) for cls, tier in doc["targets"].items()}
    workload = Workload(
        name=name,
        source=doc["source"],
        reason=doc.get("source_reason", ""),
        primary=doc["primary"],
        secondary=doc["secondary"],
        targets=targets,
        target_source=doc.get("target_source", "default"),
        attestations=_attestations(
            doc.get("attestations", []), [f for f in finding_docs if f["workload"] == name], as_of
        ),
    )
    by_id = {f.id: f for f in findings}
    # The scan lists a workload's findings in rule order (report.findings is sorted by
    # requirement); scan.rules records that order.
    mine = sorted(
        (f for f in findings if f.workload == name),
        key=lambda f: rules_order.get(f.rule, len(rules_order)),
    )
    tiers = {}
    for tier in TIERS:
        tier_doc = doc["tiers"][tier.value]
        blocking = []
        for position, finding_id in enumerate(tier_doc["blocking_findings"]):
            if finding_id not in by_id:
                where = f"workloads/{index}/tiers/{tier.value}/blocking_findings/{position}"
                raise _Inconsistent(where, f"no finding {finding_id!r} in 'findings'")
            blocking.append(by_id[finding_id])
        tiers[tier] = TierResult(tier_doc["score"], tier_doc["ready"], tuple(blocking))
    target = TierResult(
        score=doc["score_for_target"],
        ready=doc["ready_for_target"],
        blocking=tuple(f for f in mine if f.target_level is Level.REQUIRED and f.status in FAILING),
    )
    return WorkloadResult(
        workload=workload,
        primary_region=doc["primary_region"],
        secondary_region=doc["secondary_region"],
        tiers=tiers,
        target=target,
        findings=tuple(mine),
        topology_source=Topology.from_dict(doc["topology"]) if "topology" in doc else None,
    )


def _waiver_result(index: int, doc: dict[str, Any]) -> WaiverResult:
    resources = doc["resources"]
    try:
        waiver = Waiver(
            rule=doc["rule"],
            workload=doc["workload"],
            resources=tuple(resources) if resources is not None else None,
            reason=doc["reason"],
            owner=doc["owner"],
            expires=_date(doc["expires"], f"waivers/{index}/expires"),
        )
    except PydanticValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise _Inconsistent(f"waivers/{index}", message) from None
    return WaiverResult(
        id=doc["id"],
        waiver=waiver,
        status=WaiverStatus(doc["status"]),
        matched=tuple(doc["matched"]),
        message=doc["message"],
    )


def report_from_document(doc: Any, source: str = "report") -> Report:
    """The Report model back from a JSON report document: the inverse of document().

    The document is checked against the packaged report schema first; a bad one raises
    ReportFileError naming `source` and the field."""
    errors = sorted(
        jsonschema.Draft202012Validator(schema(), format_checker=FORMATS).iter_errors(doc),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if errors:
        raise ReportFileError(f"{source}: {_describe(errors[0])}")
    try:
        return _report(doc)
    except _Inconsistent as exc:
        # Schema-valid but inconsistent: a blocking finding that is not in the report, a
        # finding of an unknown workload, a waiver with both or neither scope, a bad date.
        raise ReportFileError(f"{source}: {exc}") from None


def _report(doc: dict[str, Any]) -> Report:
    scan_doc = doc["scan"]
    as_of = _date(scan_doc["as_of"], "scan/as_of")
    targets = {
        w["name"]: {AssetClass(c): Tier(t) for c, t in w["targets"].items()}
        for w in doc["workloads"]
    }
    seen: set[str] = set()
    for index, finding_doc in enumerate(doc["findings"]):
        if finding_doc["workload"] not in targets:
            raise _Inconsistent(
                f"findings/{index}/workload", f"no workload {finding_doc['workload']!r}"
            )
        if finding_doc["id"] in seen:  # waivers, diffs and history match findings on it
            raise _Inconsistent(f"findings/{index}/id", f"{finding_doc['id']!r} is used twice")
        seen.add(finding_doc["id"])
    findings = tuple(_finding(i, f, targets) for i, f in enumerate(doc["findings"]))
    rules_order = {rule: i for i, rule in enumerate(scan_doc["rules"])}
    workloads = tuple(
        _workload_result(i, w, findings, doc["findings"], rules_order, as_of)
        for i, w in enumerate(doc["workloads"])
    )
    scope = scan_doc["scope"]
    scan = ScanInfo(
        source=scan_doc["source"],
        collected_at=scan_doc["collected_at"],
        cloud=scan_doc["cloud"],
        scope={
            "subscriptions": list(scope["subscriptions"]),
            "management_groups": list(scope["management_groups"]),
        },
        errors=tuple(dict(e) for e in scan_doc["errors"]),
        notes=tuple(scan_doc["notes"]),
        rules=tuple(scan_doc["rules"]),
        as_of=as_of,
        error_findings=scan_doc.get(
            "error_findings",
            sum(1 for f in findings if f.unseen),
        ),
    )
    return Report(
        tool_version=doc["tool"]["version"],
        generated_at=doc["generated_at"],
        scan=scan,
        workloads=workloads,
        findings=findings,
        waivers=tuple(_waiver_result(i, w) for i, w in enumerate(doc.get("waivers", []))),
    )


def read_json(path: Path | str) -> Any:
    """A saved report file's parsed JSON, or one clear line saying why it cannot be read."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ReportFileError(f"{path}: no such report file") from None
    except OSError as exc:
        raise ReportFileError(f"{path}: cannot read report: {exc.strerror or exc}") from None
    try:
        return parse_json(raw)
    except Unreadable as exc:
        raise ReportFileError(f"{path}: {exc}") from None


def load(path: Path | str) -> Report:
    """Read a saved JSON report (auditor scan --json) back into the Report model."""
    return report_from_document(read_json(path), str(path))
