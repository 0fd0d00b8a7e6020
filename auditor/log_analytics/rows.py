"""Rows for Azure Monitor Logs: each finding's NDJSON event, each workload's tiers, the run."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.model import TIERS, Status
from auditor.render.common import NAMESPACE, scan_fields, scan_id
from auditor.render.ndjson import EVENT_VERSION, events, workload_fields
from auditor.report import Report

Row = dict[str, Any]

FINDING, WORKLOAD, RUN = "finding", "workload", "run"
KINDS = (RUN, WORKLOAD, FINDING)  # the order rows are sent in: a run row first says what follows

# A value longer than this (as JSON text) is cut to fit and its column named in `truncated`:
# Azure Monitor Logs truncates long field values itself, which would leave a dynamic column
# holding broken JSON. The JSON report keeps every value whole.
MAX_FIELD_BYTES = 32_000


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # the stream declaration's type: string, int, long, real, boolean, datetime, dynamic
    description: str


@dataclass(frozen=True)
class Table:
    kind: str
    name: str  # the custom table; its stream is Custom-<name>
    description: str
    columns: tuple[Column, ...]

    @property
    def stream(self) -> str:
        return f"Custom-{self.name}"


def _c(name: str, type_: str, description: str) -> Column:
    return Column(name, type_, description)


_SCAN = (
    _c("event_type", "string", "auditor.finding, auditor.workload or auditor.run"),
    _c("event_version", "string", "the event contract's version (1.x: fields are only added)"),
    _c(
        "event_id",
        "string",
        "unique per row and report: rows sent twice share it (deduplicate on it)",
    ),
    _c("scan_id", "string", "the same on every row of one report"),
    _c("generated_at", "datetime", "when the report was made (UTC)"),
    _c("collected_at", "datetime", "when the estate was collected"),
    _c("as_of", "datetime", "the date attestations and waivers were judged at"),
    _c("tool_name", "string", "auditor"),
    _c("tool_version", "string", "the auditor version that made the report"),
    _c("scan_source", "string", "live, demo, synthetic, or the snapshot's origin"),
    _c("cloud", "string", "the Azure cloud scanned"),
    _c("scan_complete", "boolean", "false when anything could not be seen: readiness unproven"),
)
_WORKLOAD = (
    _c("workload", "string", "the workload (DR pair) name"),
    _c("workload_source", "string", "config, tags, discovered or standalone"),
    _c("primary", "string", "primary workspace resource id"),
    _c("secondary", "string", "secondary workspace resource id (empty when none)"),
    _c("primary_region", "string", "the primary's region"),
    _c("secondary_region", "string", "the secondary's region"),
    _c("target", "string", "one-line summary of the targets, e.g. hot/warm (training hot/cold)"),
    _c("target_foundation", "string", "target tier of the foundation"),
    _c("target_inference", "string", "target tier of inference"),
    _c("target_training", "string", "target tier of training"),
    _c("ready_for_target", "boolean", "ready at its targets"),
    _c("score_for_target", "int", "score at its targets (0-100)"),
)
_TRUNCATED = _c("truncated", "dynamic", "columns whose value was cut to fit a field (rare)")

FINDING_TABLE = Table(
    FINDING,
    "AuditorFinding_CL",
    "auditor: one row per finding per scan (the NDJSON finding event)",
    (
        *_SCAN,
        *_WORKLOAD,
        _c("finding_id", "string", "stable across runs for a rule, workload and workspaces"),
        _c("rule", "string", "the rule id"),
        _c("title", "string", "the rule's title"),
        _c("requirements", "dynamic", "DR-xx requirement ids"),
        _c("asset_class", "string", "foundation, inference or training"),
        _c("status", "string", "pass, fail, error, manual, not_applicable or suppressed"),
        _c("severity", "string", "critical, high, medium, low or info"),
        _c("level_hot_hot", "string", "the rule's level at hot/hot"),
        _c("level_hot_warm", "string", "the rule's level at hot/warm"),
        _c("level_hot_cold", "string", "the rule's level at hot/cold"),
        _c("target_level", "string", "the rule's level at the workload's target"),
        _c("blocks_target", "boolean", "a required rule at the target that is fail or error"),
        _c("blocks", "dynamic", "the tiers this finding blocks"),
        _c("resources", "dynamic", "resource ids looked at"),
        _c("evidence", "dynamic", "[{resource, path, observed, expected}], values as JSON text"),
        _c("message", "string", "one sentence a reviewer can read"),
        _c("notes", "dynamic", "information that is not a verdict"),
        _c("remediation", "string", "the remediation summary"),
        _c("docs", "string", "the guidance the rule comes from"),
        _c("waiver_id", "string", "the waiver that matched this failing finding"),
        _c("waiver_status", "string", "active or expired"),
        _c("waiver_expires", "datetime", "the waiver's expiry date"),
        _c("waiver_owner", "string", "who accepted the risk"),
        _c("waiver_reason", "string", "why the risk was accepted"),
        _TRUNCATED,
    ),
)
WORKLOAD_TABLE = Table(
    WORKLOAD,
    "AuditorWorkload_CL",
    "auditor: one row per workload and tier per scan",
    (
        *_SCAN,
        *_WORKLOAD,
        _c("blocking_for_target", "dynamic", "rule ids that block its targets"),
        _c("tier", "string", "hot/hot, hot/warm or hot/cold"),
        _c("score", "int", "score at this tier (0-100)"),
        _c("ready", "boolean", "ready for this tier"),
        _c("blocking", "dynamic", "rule ids that block this tier"),
        _c("blocking_findings", "dynamic", "finding ids that block this tier"),
        _TRUNCATED,
    ),
)
RUN_TABLE = Table(
    RUN,
    "AuditorRun_CL",
    "auditor: one row per scan",
    (
        *_SCAN,
        _c("subscriptions", "dynamic", "the subscriptions in scope"),
        _c("management_groups", "dynamic", "the management groups in scope"),
        _c("collection_errors", "int", "reads that failed during collection"),
        _c("error_findings", "int", "findings in error (waived or not)"),
        _c("errors", "dynamic", "[{source, request, status, code, message, subscription}]"),
        _c("notes", "dynamic", "the scan's notes"),
        _c("rules", "dynamic", "rule ids evaluated"),
        _c("workloads", "int", "workloads scanned"),
        _c("ready_for_target", "int", "workloads ready for their target"),
        _c("not_ready_for_target", "int", "workloads not ready for their target"),
        _c("findings", "int", "findings in the report"),
        *(_c(f"findings_{s.value}", "int", f"findings in status {s.value}") for s in Status),
        _c("waivers_active", "int", "waivers that suppress a finding"),
        _c("waivers_expired", "int", "waivers past their expiry"),
        _c("waivers_stale", "int", "unexpired waivers that suppress nothing"),
        _c("exit_code", "int", "the readiness verdict: 0 ready, 1 not ready, 3 incomplete"),
        _c("finding_rows", "int", "rows this scan sends to the finding stream"),
        _c("workload_rows", "int", "rows this scan sends to the workload stream"),
        _TRUNCATED,
    ),
)
TABLES: Mapping[str, Table] = {t.kind: t for t in (RUN_TABLE, WORKLOAD_TABLE, FINDING_TABLE)}


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))


def _scan_fields(report: Report, scan: str, event_type: str, event_id: str) -> Row:
    return {
        "event_type": event_type,
        "event_version": EVENT_VERSION,
        "event_id": event_id,
        **scan_fields(report, scan),
    }


def finding_rows(report: Report, scan: str) -> list[Row]:
    """The NDJSON events (docs/report-format.md), plus `event_id` (the OCSF event's uid), the
    matching waiver's expiry, owner and reason, and `truncated`."""
    rows = []
    for finding, row in zip(report.findings, events(report, scan), strict=True):
        waiver = finding.waiver
        row.update(
            event_id=_id(scan, finding.id),
            waiver_expires=waiver.expires.isoformat() if waiver else None,
            waiver_owner=waiver.owner if waiver else None,
            waiver_reason=waiver.reason if waiver else None,
        )
        rows.append(_fit(row))
    return rows


def workload_rows(report: Report, scan: str) -> list[Row]:
    rows = []
    for result in report.workloads:
        common = workload_fields(result)
        blocking_target = sorted({f.rule for f in result.target.blocking})
        for tier in TIERS:
            tier_result = result.tiers[tier]
            rows.append(
                _fit(
                    {
                        **_scan_fields(
                            report, scan, "auditor.workload", _id(scan, result.name, tier.value)
                        ),
                        **common,
                        "blocking_for_target": blocking_target,
                        "tier": tier.value,
                        "score": tier_result.score,
                        "ready": tier_result.ready,
                        "blocking": sorted({f.rule for f in tier_result.blocking}),
                        "blocking_findings": [f.id for f in tier_result.blocking],
                    }
                )
            )
    return rows


def run_row(report: Report, scan: str, finding_count: int, workload_count: int) -> Row:
    scope = report.scan.scope
    waiver_statuses = [str(w.status) for w in report.waivers]
    ready = sum(1 for w in report.workloads if w.target.ready)
    return _fit(
        {
            **_scan_fields(report, scan, "auditor.run", _id(scan, "run")),
            "subscriptions": list(scope.get("subscriptions") or []),
            "management_groups": list(scope.get("management_groups") or []),
            "collection_errors": len(report.scan.errors),
            "error_findings": report.scan.error_findings,
            "errors": [dict(e) for e in report.scan.errors],
            "notes": list(report.scan.notes),
            "rules": list(report.scan.rules),
            "workloads": len(report.workloads),
            "ready_for_target": ready,
            "not_ready_for_target": len(report.workloads) - ready,
            "findings": len(report.findings),
            **{f"findings_{s.value}": report.counts[s] for s in Status},
            **{f"waivers_{s}": waiver_statuses.count(s) for s in ("active", "expired", "stale")},
            "exit_code": report.exit_code,
            "finding_rows": finding_count,
            "workload_rows": workload_count,
        }
    )


def rows(report: Report) -> dict[str, list[Row]]:
    """Every row of a report, per kind (run, workload, finding)."""
    scan = scan_id(report)
    findings = finding_rows(report, scan)
    workloads = workload_rows(report, scan)
    return {
        RUN: [run_row(report, scan, len(findings), len(workloads))],
        WORKLOAD: workloads,
        FINDING: findings,
    }


def _size(value: Any) -> int:
    return len(json.dumps(value))


def _fit(row: Row) -> Row:
    """Cut values longer than MAX_FIELD_BYTES (lists keep their first items), naming them in
    `truncated`."""
    cut = []
    for key, value in row.items():
        if _size(value) <= MAX_FIELD_BYTES:
            continue
        if isinstance(value, list):
            kept: list[Any] = []
            used = 2
            for item in value:
                used += _size(item) + 2
                if used > MAX_FIELD_BYTES:
                    break
                kept.append(item)
            row[key] = kept
        elif isinstance(value, str):
            text = value[: MAX_FIELD_BYTES // 6]  # json.dumps writes a character in 6 bytes at most
            row[key] = text + "…"
        else:
            continue
        cut.append(key)
    row["truncated"] = cut
    return row
