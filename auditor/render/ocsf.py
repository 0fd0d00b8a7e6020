"""OCSF: each finding as a Compliance Finding event (class 2003), in one JSON array."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from auditor.azure import norm_id
from auditor.model import FAILING, Finding, Level, Severity, Status, Tier
from auditor.render.common import (
    ByIdentity,
    event_id,
    resource_name,
    resource_regions,
    resource_type,
    scan_id,
    subscription_of,
)
from auditor.report import Report, WorkloadResult
from auditor.workloads import Workload

Levels = dict[Tier, Level]

# The OCSF schema version the events follow; the tests validate them against this version of
# the official schema (the pydantic-ocsf package ships it).
OCSF_VERSION = "1.7.0"

CATEGORY_UID, CATEGORY_NAME = 2, "Findings"
CLASS_UID, CLASS_NAME = 2003, "Compliance Finding"
ACTIVITY_ID, ACTIVITY_NAME = 1, "Create"
STANDARD = "Azure ML failover guidance"
PROVIDER = "Azure"
ACCOUNT_TYPE_ID, ACCOUNT_TYPE = 13, "Azure Subscription"
ANALYTIC_TYPE_ID, ANALYTIC_TYPE = 1, "Rule"

SEVERITY: Mapping[Severity, tuple[int, str]] = {
    Severity.INFO: (1, "Informational"),
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
    Severity.CRITICAL: (5, "Critical"),
}

# compliance.status_id has three values: Pass, Warning ("did not yield a result due to missing
# information") and Fail. `error` and `manual` yielded no result: Warning. `not_applicable` and
# `suppressed` are no compliance result at all, so they carry none; status_details says why.
COMPLIANCE_STATUS: Mapping[Status, tuple[int, str] | None] = {
    Status.PASS: (1, "Pass"),
    Status.FAIL: (3, "Fail"),
    Status.ERROR: (2, "Warning"),
    Status.MANUAL: (2, "Warning"),
    Status.NOT_APPLICABLE: None,
    Status.SUPPRESSED: None,
}


def _epoch_ms(timestamp: str) -> int:
    parsed = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return int(parsed.timestamp() * 1000)


class _Parts:
    """What the events of one report share, made once: the cloud of each subscription and of
    each resource, the metadata, the time, the scan's id."""

    def __init__(self, report: Report, regions: Mapping[str, str]) -> None:
        self.report = report
        self.regions = regions
        self.time = _epoch_ms(report.generated_at)
        self.scan = scan_id(report)
        self.resources: dict[str, dict[str, Any]] = {}
        self.clouds: dict[tuple[str | None, str | None], dict[str, Any]] = {}
        # the levels per tier and the tiers a failure blocks, once per rule (its findings
        # share their levels); the targets, once per workload
        self.levels_of: ByIdentity[Levels, tuple[dict[str, str], list[str]]] = ByIdentity(
            lambda levels: (
                {tier._value_: level._value_ for tier, level in levels.items()},
                [tier._value_ for tier, level in levels.items() if level is Level.REQUIRED],
            )
        )
        self.targets_of: ByIdentity[Workload, dict[str, str]] = ByIdentity(
            lambda workload: {cls._value_: tier._value_ for cls, tier in workload.targets.items()}
        )

    def cloud(self, resource_id: str | None, region: str | None) -> dict[str, Any]:
        subscription = subscription_of(resource_id) if resource_id else None
        key = (subscription, region)
        known = self.clouds.get(key)
        if known is None:
            known = self.clouds[key] = _cloud(self.report, subscription, region)
        return known

    def resource(self, resource_id: str) -> dict[str, Any]:
        known = self.resources.get(resource_id)
        if known is None:
            known = self.resources[resource_id] = _resource(self, resource_id)
        return known


def _cloud(report: Report, subscription: str | None, region: str | None) -> dict[str, Any]:
    cloud: dict[str, Any] = {"provider": PROVIDER, "cloud_partition": report.scan.cloud}
    if subscription:
        cloud["account"] = {
            "uid": subscription,
            "type_id": ACCOUNT_TYPE_ID,
            "type": ACCOUNT_TYPE,
        }
    if region:
        cloud["region"] = region
    return cloud


def _resource(parts: _Parts, resource_id: str) -> dict[str, Any]:
    region = parts.regions.get(norm_id(resource_id))
    out: dict[str, Any] = {"uid": resource_id, "name": resource_name(resource_id)}
    kind = resource_type(resource_id)
    if kind:
        out["type"] = kind
    if region:
        out["region"] = region
    out["cloud_partition"] = parts.report.scan.cloud
    out["cloud"] = parts.cloud(resource_id, region)
    return out


def _compliance(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "control": finding.rule,
        "desc": finding.rationale or finding.title,
        "requirements": list(finding.requirements),
        "standards": [STANDARD],
    }
    status = COMPLIANCE_STATUS[finding.status]
    if status is not None:
        out["status_id"], out["status"] = status
    out["status_details"] = [f"{finding.status.value}: {finding.message}"]
    return out


def event(parts: _Parts, result: WorkloadResult, finding: Finding) -> dict[str, Any]:
    report = parts.report
    time = parts.time
    severity_id, severity = SEVERITY[finding.severity]
    status = finding.status
    suppressed = status is Status.SUPPRESSED
    workload = result.workload
    levels, required = parts.levels_of(finding.levels)
    out: dict[str, Any] = {
        "activity_id": ACTIVITY_ID,
        "activity_name": ACTIVITY_NAME,
        "category_uid": CATEGORY_UID,
        "category_name": CATEGORY_NAME,
        "class_uid": CLASS_UID,
        "class_name": CLASS_NAME,
        "type_uid": CLASS_UID * 100 + ACTIVITY_ID,
        "type_name": f"{CLASS_NAME}: {ACTIVITY_NAME}",
        "time": time,
        "severity_id": severity_id,
        "severity": severity,
        # The finding's workflow state: auditor has no workflow, so every finding is new
        # except those a waiver suppressed.
        "status_id": 3 if suppressed else 1,
        "status": "Suppressed" if suppressed else "New",
        "message": finding.message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "auditor",
                "vendor_name": "auditor",
                "version": report.tool_version,
            },
            "profiles": ["cloud"],
            "uid": event_id(report, finding.id, parts.scan),
            "correlation_uid": parts.scan,
            "event_code": finding.rule,
            "original_time": report.scan.collected_at,
        },
        "cloud": parts.cloud(workload.primary, result.primary_region),
        "finding_info": {
            "uid": finding.id,
            "title": finding.title,
            "desc": finding.message,
            "created_time": time,
            "types": ["Disaster recovery readiness"],
            "analytic": {
                "uid": finding.rule,
                "name": finding.title,
                "type_id": ANALYTIC_TYPE_ID,
                "type": ANALYTIC_TYPE,
            },
        },
        "compliance": _compliance(finding),
        "remediation": {
            "desc": finding.remediation.get("summary", ""),
            **({"references": [finding.docs]} if finding.docs else {}),
        },
        "resources": [parts.resource(r) for r in finding.resources],
        "unmapped": {
            "workload": workload.name,
            "primary": workload.primary,
            **({"secondary": workload.secondary} if workload.secondary else {}),
            "targets": parts.targets_of(workload),
            "ready_for_target": result.target.ready,
            "score_for_target": result.target.score,
            "auditor_status": status._value_,
            "asset_class": finding.asset_class._value_,
            "levels": levels,
            "target_level": finding.target_level._value_,
            "blocks": required if status in FAILING else [],
            "evidence": [item.as_dict() for item in finding.evidence],
            "notes": list(finding.notes),
        },
    }
    return out


def events(report: Report) -> list[dict[str, Any]]:
    """Every finding as an event, in the JSON report's order."""
    return [e for batch in _batches(report) for e in batch]


def _batches(report: Report) -> Iterator[list[dict[str, Any]]]:
    parts = _Parts(report, resource_regions(report))
    by_name = {w.name: w for w in report.workloads}
    findings = report.findings
    for start in range(0, len(findings), CHUNK_EVENTS):
        yield [event(parts, by_name[f.workload], f) for f in findings[start : start + CHUNK_EVENTS]]


# Events rendered per chunk: a 10,000-workload estate has about 250,000 events, 1.8 GB of JSON,
# written while it is rendered instead of held whole.
CHUNK_EVENTS = 200
# Between two events of the array: each event is indented by two spaces, as json.dumps(...,
# indent=2) writes an array of objects.
_EVENT = b",\n  "


def chunks(report: Report) -> Iterator[bytes]:
    """The events as one JSON array indented by two spaces, a few events at a time. A JSON
    string holds no raw line break, so indenting an event's lines cannot change its text."""
    if not report.findings:
        yield b"[]\n"
        return
    yield b"[\n  "
    for index, batch in enumerate(_batches(report)):
        if index:
            yield _EVENT
        yield _EVENT.join(
            orjson.dumps(e, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n  ") for e in batch
        )
    yield b"\n]\n"


def render(report: Report) -> bytes:
    return b"".join(chunks(report))
