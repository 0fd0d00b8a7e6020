"""The JSON report: a documented, versioned contract for SIEMs and scripts."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import orjson
from pydantic import ValidationError as PydanticValidationError

from auditor.atomic import Chunk
from auditor.config import Attestation
from auditor.errors import ReportFileError
from auditor.model import (
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
from auditor.snapshot import paused_gc
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


def _workload(result: WorkloadResult) -> dict[str, Any]:
    wl = result.workload
    topology = {} if result.topology is None else {"topology": result.topology.as_dict()}
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


_FAILING = (Status.FAIL, Status.ERROR)
# id of a finding's levels mapping -> its `levels` document and the tiers it is required for.
# Findings of one rule share one mapping: one render pass works each out once.
_LevelsMemo = dict[int, tuple[dict[str, str], tuple[str, ...]]]


def finding_document(finding: Finding, memo: _LevelsMemo | None = None) -> dict[str, Any]:
    """One finding's document. With `memo` (kept for one pass over findings that stay alive,
    so ids are not reused), findings sharing a levels mapping share its `levels` document."""
    levels = finding.levels
    known = None if memo is None else memo.get(id(levels))
    if known is None:
        known = (
            {tier.value: levels[tier].value for tier in TIERS},
            tuple(tier.value for tier in TIERS if levels[tier] is Level.REQUIRED),
        )
        if memo is not None:
            memo[id(levels)] = known
    levels_doc, required_in = known
    return {
        "id": finding.id,
        "rule": finding.rule,
        "title": finding.title,
        "requirements": list(finding.requirements),
        "asset_class": finding.asset_class.value,
        "workload": finding.workload,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "levels": levels_doc if memo is not None else dict(levels_doc),
        "target_level": finding.target_level.value,
        # the tiers a failing finding blocks: those its rule is required for (Finding.blocks)
        "blocks": list(required_in) if finding.status in _FAILING else [],
        "resources": list(finding.resources),
        "evidence": [e.as_dict() for e in finding.evidence],
        "message": finding.message,
        "notes": list(finding.notes),
        "remediation": dict(finding.remediation),
        "rationale": finding.rationale,
        "docs": finding.docs,
        "waiver": finding.waiver.as_dict() if finding.waiver else None,
    }


def document(report: Report) -> dict[str, Any]:
    return {**_frame(report), "findings": [finding_document(f) for f in report.findings]}


def _frame(report: Report) -> dict[str, Any]:
    """The document with `findings` left empty (it keeps its place among the keys)."""
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
            "findings": {s.value: report.count(s) for s in Status},
            "exit_code": report.exit_code,
        },
        "workloads": [_workload(w) for w in report.workloads],
        "findings": [],
        "waivers": [w.as_dict() for w in report.waivers],
    }


def render(report: Report) -> bytes:
    """The report as indented UTF-8 JSON: what json.dumps(document(report), indent=2,
    ensure_ascii=False) writes (orjson writes it five times faster)."""
    return b"".join(chunks(report))


# Findings rendered per chunk: a 10,000-workload report is ~1 GB, written while it is rendered.
CHUNK_FINDINGS = 2000


def chunks(report: Report) -> Iterator[Chunk]:
    """render(report) in pieces, findings a chunk at a time: memory stays at one chunk's
    dictionaries and bytes, and a writer can store each piece while the next is made."""
    with paused_gc():
        frame = _frame(report)
        sentinel = f"auditor-findings-{uuid.uuid4().hex}"
        frame["findings"] = sentinel
        head, sep, tail = orjson.dumps(frame, option=orjson.OPT_INDENT_2).partition(
            orjson.dumps(sentinel)
        )
        assert sep, "the findings placeholder is in the frame"
        del frame
    findings = report.findings
    if not findings:
        yield head + b"[]" + tail + b"\n"
        return
    yield head + b"["
    memo: _LevelsMemo = {}
    for start in range(0, len(findings), CHUNK_FINDINGS):
        with paused_gc():
            docs = [finding_document(f, memo) for f in findings[start : start + CHUNK_FINDINGS]]
            # Under a top-level key, as in the report, the findings come out indented as there.
            dumped = orjson.dumps({"findings": docs}, option=orjson.OPT_INDENT_2)
            del docs
        # dumped is _OPEN + the findings + _CLOSE; each chunk's are separated from the last's
        if start:
            yield b","
        yield memoryview(dumped)[len(_OPEN) : -len(_CLOSE)]  # not copied again
    yield _CLOSE[:-2] + tail + b"\n"


_OPEN = b'{\n  "findings": ['
_CLOSE = b"\n  ]\n}"


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
        blocking=tuple(
            f for f in mine if f.target_level is Level.REQUIRED and f.status in _FAILING
        ),
    )
    return WorkloadResult(
        workload=workload,
        primary_region=doc["primary_region"],
        secondary_region=doc["secondary_region"],
        tiers=tiers,
        target=target,
        findings=tuple(mine),
        topology=Topology.from_dict(doc["topology"]) if "topology" in doc else None,
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


_FAILING = (Status.FAIL, Status.ERROR)


def report_from_document(doc: Any, source: str = "report") -> Report:
    """The Report model back from a JSON report document: the inverse of document().

    The document is checked against the packaged report schema first; a bad one raises
    ReportFileError naming `source` and the field."""
    errors = sorted(
        jsonschema.Draft202012Validator(schema()).iter_errors(doc),
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
    for index, finding_doc in enumerate(doc["findings"]):
        if finding_doc["workload"] not in targets:
            raise _Inconsistent(
                f"findings/{index}/workload", f"no workload {finding_doc['workload']!r}"
            )
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
            "error_findings", sum(1 for f in findings if f.status is Status.ERROR)
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
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise ReportFileError(f"{path}: not UTF-8 text: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise ReportFileError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def load(path: Path | str) -> Report:
    """Read a saved JSON report (auditor scan --json) back into the Report model."""
    return report_from_document(read_json(path), str(path))
