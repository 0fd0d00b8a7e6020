"""OCSF: each finding as a Compliance Finding event (class 2003), in one JSON array."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from auditor.azure import norm_id
from auditor.model import Finding, Severity, Status
from auditor.render.common import (
    event_id,
    resource_name,
    resource_regions,
    resource_type,
    scan_id,
    subscription_of,
)
from auditor.report import Report, WorkloadResult

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


def _cloud(report: Report, resource_id: str | None, region: str | None) -> dict[str, Any]:
    cloud: dict[str, Any] = {"provider": PROVIDER, "cloud_partition": report.scan.cloud}
    subscription = subscription_of(resource_id) if resource_id else None
    if subscription:
        cloud["account"] = {
            "uid": subscription,
            "type_id": ACCOUNT_TYPE_ID,
            "type": ACCOUNT_TYPE,
        }
    if region:
        cloud["region"] = region
    return cloud


def _resource(report: Report, resource_id: str, regions: Mapping[str, str]) -> dict[str, Any]:
    region = regions.get(norm_id(resource_id))
    out: dict[str, Any] = {"uid": resource_id, "name": resource_name(resource_id)}
    kind = resource_type(resource_id)
    if kind:
        out["type"] = kind
    if region:
        out["region"] = region
    out["cloud_partition"] = report.scan.cloud
    out["cloud"] = _cloud(report, resource_id, region)
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


def event(
    report: Report, result: WorkloadResult, finding: Finding, regions: Mapping[str, str]
) -> dict[str, Any]:
    time = _epoch_ms(report.generated_at)
    severity_id, severity = SEVERITY[finding.severity]
    suppressed = finding.status is Status.SUPPRESSED
    workload = result.workload
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
            "uid": event_id(report, finding.id),
            "correlation_uid": scan_id(report),
            "event_code": finding.rule,
            "original_time": report.scan.collected_at,
        },
        "cloud": _cloud(report, workload.primary, result.primary_region),
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
        "resources": [_resource(report, r, regions) for r in finding.resources],
        "unmapped": {
            "workload": workload.name,
            "primary": workload.primary,
            **({"secondary": workload.secondary} if workload.secondary else {}),
            "targets": {cls.value: tier.value for cls, tier in workload.targets.items()},
            "ready_for_target": result.target.ready,
            "score_for_target": result.target.score,
            "auditor_status": finding.status.value,
            "asset_class": finding.asset_class.value,
            "levels": {tier.value: level.value for tier, level in finding.levels.items()},
            "target_level": finding.target_level.value,
            "blocks": [tier.value for tier in finding.levels if finding.blocks(tier)],
            "evidence": [item.as_dict() for item in finding.evidence],
            "notes": list(finding.notes),
        },
    }
    return out


def events(report: Report) -> list[dict[str, Any]]:
    regions = resource_regions(report)
    by_name = {w.name: w for w in report.workloads}
    return [event(report, by_name[f.workload], f, regions) for f in report.findings]


def render(report: Report) -> bytes:
    return (json.dumps(events(report), indent=2, ensure_ascii=False) + "\n").encode()
