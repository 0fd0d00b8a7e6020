"""Reading a saved JSON report (schema version 1 or 2) back into the Report model."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
from pydantic import ValidationError as PydanticValidationError

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
from auditor.report import Report, ScanInfo, WorkloadResult
from auditor.scoring import TierResult
from auditor.textfiles import (
    FORMATS,
    Unreadable,
    gunzip,
    is_gzip,
    parse_json,
    parse_json_file,
)
from auditor.topology import Topology, edge_id
from auditor.waivers import Waiver, WaiverResult, WaiverStatus
from auditor.workloads import Workload

# The report schema versions this reader knows; the scan writes the last.
VERSIONS = (1, 2)


@cache
def schema(version: int = VERSIONS[-1]) -> dict[str, Any]:
    """The JSON Schema of the JSON report (schema version 2, or 1), shipped in the package."""
    text = resources.files("auditor").joinpath(f"schemas/report-v{version}.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def version_of(doc: Any) -> int:
    """The schema version a document says it has: 1 for `1.x`, else 2 (whose schema then
    says what is wrong with it)."""
    if isinstance(doc, dict):
        declared = doc.get("schema_version")
        if isinstance(declared, str) and declared.startswith("1."):
            return 1
    return 2


@cache
def _compiled(version: int) -> Any:
    return jsonschema_rs.validator_for(schema(version), validate_formats=True)


def schema_errors(doc: Any) -> Iterator[jsonschema.ValidationError]:
    """What is wrong with `doc` against the schema of its version; nothing when it is valid.

    A valid document, the usual case, is checked once by a compiled validator (jsonschema-rs:
    a fifth of a second for 200 MB, where jsonschema takes half a minute); only a document it
    refuses is checked again by jsonschema, whose errors the messages are made from."""
    version = version_of(doc)
    if _compiled(version).is_valid(doc):
        return
    validator = jsonschema.Draft202012Validator(schema(version), format_checker=FORMATS)
    yield from validator.iter_errors(doc)


# report_from_document is the inverse of render.json_report.document(): `auditor report`
# renders any format again from a saved JSON report. Every field document() writes must be
# read back here; the round-trip test (document(report_from_document(d)) == d) fails when one
# is forgotten.


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


# The enums by value, looked up without Enum.__call__: this runs once per finding.
_STATUS: dict[str, Status] = {s.value: s for s in Status}
_SEVERITY: dict[str, Severity] = {s.value: s for s in Severity}
_LEVEL: dict[str, Level] = {level.value: level for level in Level}


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


@dataclass(frozen=True, slots=True)
class _RuleTexts:
    """What the findings of one rule share, as the first of them read has it: each later
    finding holds these very objects where its own are equal (so a report rendered again
    writes each rule's texts once, as the scan did)."""

    title: str
    requirements: tuple[str, ...]
    asset_class: AssetClass
    levels: dict[Tier, Level]
    remediation: dict[str, str]
    rationale: str
    docs: str

    @classmethod
    def of(cls, doc: dict[str, Any]) -> _RuleTexts:
        return cls(
            title=doc["title"],
            requirements=tuple(doc["requirements"]),
            asset_class=AssetClass(doc.get("asset_class", AssetClass.FOUNDATION.value)),
            levels={tier: Level(doc["levels"][tier.value]) for tier in TIERS},
            remediation=dict(doc["remediation"]),
            rationale=doc.get("rationale", ""),
            docs=doc.get("docs", ""),
        )


def _finding(
    index: int,
    doc: dict[str, Any],
    targets: Mapping[str, Mapping[AssetClass, Tier]],
    rules: dict[str, _RuleTexts],
    version: int,
    evidence: bool = True,
) -> Finding:
    rule_id = doc["rule"]
    shared = rules.get(rule_id)
    if shared is None:
        if version >= 2:
            raise _Inconsistent(f"findings/{index}/rule", f"no rule {rule_id!r} in 'rules'")
        shared = rules[rule_id] = _RuleTexts.of(doc)
    if version >= 2:
        # What the finding does not say is its rule's; what it says is its own.
        own = doc["remediation"]
        if len(own) == 1 and own["summary"] == shared.remediation.get("summary"):
            remediation = shared.remediation
        else:
            remediation = {**shared.remediation, **own}
    else:
        written = doc["remediation"]
        remediation = shared.remediation if written == shared.remediation else dict(written)
    levels = shared.levels
    if "levels" in doc:
        levels = {tier: Level(doc["levels"][tier.value]) for tier in TIERS}
        if levels == shared.levels:
            levels = shared.levels
    asset_class = AssetClass(doc["asset_class"]) if "asset_class" in doc else shared.asset_class
    target_level = doc.get("target_level")
    if target_level is None:
        target_level = levels[targets[doc["workload"]][asset_class]].value
    requirements = doc["requirements"]
    title = doc.get("title", shared.title)
    rationale = doc.get("rationale", shared.rationale)
    docs = doc.get("docs", shared.docs)
    waiver = doc.get("waiver")
    return Finding(
        id=doc["id"],
        rule=rule_id,
        title=shared.title if title == shared.title else title,
        requirements=shared.requirements
        if len(requirements) == len(shared.requirements)
        and tuple(requirements) == shared.requirements
        else tuple(requirements),
        asset_class=asset_class,
        workload=doc["workload"],
        status=_STATUS[doc["status"]],
        severity=_SEVERITY[doc["severity"]],
        levels=levels,
        target_level=_LEVEL[target_level],
        resources=tuple(doc["resources"]),
        evidence=tuple([_evidence(e) for e in doc["evidence"]]) if evidence else (),
        message=doc["message"],
        remediation=remediation,
        rationale=shared.rationale if rationale == shared.rationale else rationale,
        docs=shared.docs if docs == shared.docs else docs,
        notes=tuple(doc.get("notes", ())),
        waiver=_waiver_mark(waiver, f"findings/{index}/waiver") if waiver else None,
    )


def _attestations(
    names: list[str], findings: list[dict[str, Any]], as_of: dt.date
) -> dict[str, Attestation]:
    """The report keeps only the attested requirement ids; the attestation itself is in the
    evidence of the finding that judged it. Where it is not (a rule set without that check),
    a placeholder says so: a rebuilt report never runs checks, it only renders."""
    if not names:
        return {}
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
    mine: list[Finding],
    my_docs: list[dict[str, Any]],
    by_id: dict[str, Finding],
    rules_order: dict[str, int],
    as_of: dt.date,
    version: int,
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
        attestations=_attestations(doc.get("attestations", []), my_docs, as_of),
    )
    # The scan lists a workload's findings in rule order (report.findings is sorted by
    # requirement); scan.rules records that order.
    mine.sort(key=lambda f: rules_order.get(f.rule, len(rules_order)))
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
        # Checked now (its references), built when first shown: a diff, the terminal and the
        # SIEM formats never ask for it. The schema has checked every field from_dict reads.
        topology_source=partial(
            Topology.from_dict,
            doc["topology"] if version < 2 else _topology_ids(doc["topology"], index),
        )
        if "topology" in doc
        else None,
    )


def _topology_ids(doc: dict[str, Any], index: int) -> dict[str, Any]:
    """A v2 topology with its references (indexes into `nodes` and `edges`) made ids again, as
    in v1: the inverse of render.json_report._topology_v2."""
    nodes = doc["nodes"]
    where = f"workloads/{index}/topology"

    def node_id(ref: Any, at: str) -> Any:
        if not isinstance(ref, int):
            return ref
        if not 0 <= ref < len(nodes):
            raise _Inconsistent(at, f"no node {ref} in 'nodes' ({len(nodes)})")
        return nodes[ref]["id"]

    edges = []
    for i, edge in enumerate(doc["edges"]):
        source = node_id(edge["from"], f"{where}/edges/{i}/from")
        target = node_id(edge["to"], f"{where}/edges/{i}/to")
        ref = edge.get("id", edge_id(source, target))
        edges.append({"id": ref, "from": source, "to": target, "kind": edge["kind"]})
    marks = []
    for i, mark in enumerate(doc["marks"]):
        ref = mark["id"]
        if mark["type"] == "node":
            ref = node_id(ref, f"{where}/marks/{i}/id")
        elif isinstance(ref, int):
            if not 0 <= ref < len(edges):
                raise _Inconsistent(f"{where}/marks/{i}/id", f"no edge {ref} in 'edges'")
            ref = edges[ref]["id"]
        marks.append({**mark, "id": ref})
    return {"nodes": nodes, "edges": edges, "marks": marks}


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
    """The Report model back from a JSON report document (schema version 1 or 2): the inverse
    of render.json_report.document() and document_v1().

    The document is checked against the packaged report schema of its version first; a bad
    one raises ReportFileError naming `source` and the field."""
    errors = sorted(schema_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ReportFileError(f"{source}: {_describe(errors[0])}")
    return from_valid_document(doc, source)


def from_valid_document(
    doc: dict[str, Any], source: str = "report", *, evidence: bool = True
) -> Report:
    """The Report model back from a document already checked against the schema of its
    version; one that is schema-valid but inconsistent raises ReportFileError naming `source`
    and the field. `evidence=False` leaves the findings' evidence out (a diff compares
    verdicts, not what was observed): a third of the time of a large report."""
    try:
        with paused_gc():  # the model is as acyclic as the document
            return _report(doc, evidence)
    except _Inconsistent as exc:
        # Schema-valid but inconsistent: a blocking finding that is not in the report, a
        # finding of an unknown workload or rule, a waiver with both or neither scope, a bad
        # date.
        raise ReportFileError(f"{source}: {exc}") from None


def _report(doc: dict[str, Any], evidence: bool = True) -> Report:
    """The report, reading each finding once and grouping the findings by workload once."""
    version = version_of(doc)
    scan_doc = doc["scan"]
    as_of = _date(scan_doc["as_of"], "scan/as_of")
    targets = {
        w["name"]: {AssetClass(c): Tier(t) for c, t in w["targets"].items()}
        for w in doc["workloads"]
    }
    finding_docs: list[dict[str, Any]] = doc["findings"]
    docs_of: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
    seen: set[str] = set()
    for index, finding_doc in enumerate(finding_docs):
        mine = docs_of.get(finding_doc["workload"])
        if mine is None:
            raise _Inconsistent(
                f"findings/{index}/workload", f"no workload {finding_doc['workload']!r}"
            )
        mine.append(finding_doc)
        if finding_doc["id"] in seen:  # waivers, diffs and history match findings on it
            raise _Inconsistent(f"findings/{index}/id", f"{finding_doc['id']!r} is used twice")
        seen.add(finding_doc["id"])
    rules = {rule_id: _RuleTexts.of(entry) for rule_id, entry in doc.get("rules", {}).items()}
    findings = tuple(
        [_finding(i, f, targets, rules, version, evidence) for i, f in enumerate(finding_docs)]
    )
    by_id = {f.id: f for f in findings}
    by_workload: dict[str, list[Finding]] = {name: [] for name in targets}
    for finding in findings:
        by_workload[finding.workload].append(finding)
    rules_order = {rule: i for i, rule in enumerate(scan_doc["rules"])}
    workloads = tuple(
        _workload_result(
            i, w, by_workload[w["name"]], docs_of[w["name"]], by_id, rules_order, as_of, version
        )
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


# The most a gzip-compressed report is expanded to (a 10,000-workload report is about 630 MB):
# a few MB of gzip can expand to gigabytes.
MAX_GUNZIPPED_BYTES = 4 * 1024**3


def read_json(path: Path | str) -> Any:
    """A saved report file's parsed JSON (plain, or gzip-compressed as a .gz output is
    written, whatever its name), or one clear line saying why it cannot be read."""
    path = Path(path)
    try:
        # The parsed report is millions of acyclic objects: no collector passes over them.
        with paused_gc():
            if is_gzip(path):
                raw = gunzip(path.read_bytes(), MAX_GUNZIPPED_BYTES, "for a compressed report")
                return parse_json(raw)
            return parse_json_file(path)
    except FileNotFoundError:
        raise ReportFileError(f"{path}: no such report file") from None
    except OSError as exc:
        raise ReportFileError(f"{path}: cannot read report: {exc.strerror or exc}") from None
    except Unreadable as exc:
        raise ReportFileError(f"{path}: {exc}") from None


def load(path: Path | str) -> Report:
    """Read a saved JSON report (auditor scan --json) back into the Report model."""
    return report_from_document(read_json(path), str(path))
