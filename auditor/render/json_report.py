"""The JSON report: a documented, versioned contract for SIEMs and scripts."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from auditor.model import TIERS, Finding, Status
from auditor.report import SCHEMA_VERSION, Report, WorkloadResult
from auditor.scoring import TierResult


def _tier(result: TierResult) -> dict[str, Any]:
    return {
        "score": result.score,
        "ready": result.ready,
        "blocking": sorted({f.rule for f in result.blocking}),
        "blocking_findings": [f.id for f in result.blocking],
    }


def _workload(result: WorkloadResult) -> dict[str, Any]:
    wl = result.workload
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
    }


def finding_document(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "rule": finding.rule,
        "title": finding.title,
        "requirements": list(finding.requirements),
        "asset_class": finding.asset_class.value,
        "workload": finding.workload,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "levels": {tier.value: finding.levels[tier].value for tier in TIERS},
        "target_level": finding.target_level.value,
        "blocks": [tier.value for tier in TIERS if finding.blocks(tier)],
        "resources": list(finding.resources),
        "evidence": [e.as_dict() for e in finding.evidence],
        "message": finding.message,
        "notes": list(finding.notes),
        "remediation": dict(finding.remediation),
        "rationale": finding.rationale,
        "docs": finding.docs,
    }


def document(report: Report) -> dict[str, Any]:
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
        "findings": [finding_document(f) for f in report.findings],
    }


def render(report: Report) -> bytes:
    return (json.dumps(document(report), indent=2, ensure_ascii=False) + "\n").encode()


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the JSON report, shipped in the package."""
    text = resources.files("auditor").joinpath("schemas/report-v1.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded
