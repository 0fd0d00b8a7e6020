"""NDJSON for SIEMs: one self-contained, flat JSON object per finding per line."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from auditor.model import FAILING, TIERS, AssetClass, Finding, Level
from auditor.render.common import scan_id
from auditor.report import Report, WorkloadResult

EVENT_TYPE = "auditor.finding"
EVENT_VERSION = "1.0"


def _json_text(value: Any) -> str:
    # Observed values are strings, numbers, lists or objects depending on the property; as JSON
    # text they have one type, so a SIEM's field mapping never conflicts between two lines.
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def workload_fields(result: WorkloadResult) -> dict[str, Any]:
    """The workload's fields of an event (the DR pair, its targets and its verdict)."""
    wl = result.workload
    return {
        "workload": wl.name,
        "workload_source": wl.source,
        "primary": wl.primary,
        "secondary": wl.secondary,
        "primary_region": result.primary_region,
        "secondary_region": result.secondary_region,
        "target": wl.target_summary,
        **{f"target_{cls.value}": wl.targets[cls].value for cls in AssetClass},
        "ready_for_target": result.target.ready,
        "score_for_target": result.target.score,
    }


def event(report: Report, result: WorkloadResult, finding: Finding, scan: str) -> dict[str, Any]:
    """One finding as a flat event: snake_case keys, scalars or arrays of scalars, except
    `evidence` (an array of flat objects whose values are strings)."""
    return {
        "event_type": EVENT_TYPE,
        "event_version": EVENT_VERSION,
        "scan_id": scan,
        "generated_at": report.generated_at,
        "collected_at": report.scan.collected_at,
        "as_of": report.scan.as_of.isoformat(),
        "tool_name": "auditor",
        "tool_version": report.tool_version,
        "scan_source": report.scan.source,
        "cloud": report.scan.cloud,
        "scan_complete": report.scan.complete,
        **workload_fields(result),
        "finding_id": finding.id,
        "rule": finding.rule,
        "title": finding.title,
        "requirements": list(finding.requirements),
        "asset_class": finding.asset_class.value,
        "status": finding.status.value,
        "severity": finding.severity.value,
        **{f"level_{tier.name.lower()}": finding.levels[tier].value for tier in TIERS},
        "target_level": finding.target_level.value,
        "blocks_target": finding.target_level is Level.REQUIRED and finding.status in FAILING,
        "blocks": [tier.value for tier in TIERS if finding.blocks(tier)],
        "resources": list(finding.resources),
        "evidence": [
            {
                "resource": item.resource,
                "path": item.path,
                "observed": _json_text(item.observed),
                "expected": None if item.expected is None else _json_text(item.expected),
            }
            for item in finding.evidence
        ],
        "message": finding.message,
        "notes": list(finding.notes),
        "remediation": finding.remediation.get("summary", ""),
        "docs": finding.docs,
        "waiver_id": finding.waiver.id if finding.waiver else None,
        "waiver_status": finding.waiver.status if finding.waiver else None,
    }


def events(report: Report) -> list[dict[str, Any]]:
    """Every finding as an event, in the JSON report's order."""
    scan = scan_id(report)
    by_name = {w.name: w for w in report.workloads}
    return [event(report, by_name[f.workload], f, scan) for f in report.findings]


def render(report: Report) -> bytes:
    lines = [
        json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in events(report)
    ]
    return "".join(lines).encode()


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of one NDJSON line, shipped in the package."""
    text = resources.files("auditor").joinpath("schemas/finding-event-v1.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded
