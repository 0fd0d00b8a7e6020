"""NDJSON for SIEMs: one self-contained, flat JSON object per finding per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import orjson

from auditor.model import FAILING, TIERS, AssetClass, Finding, Level, Tier
from auditor.render.common import ByIdentity, scan_fields
from auditor.report import Report, WorkloadResult

EVENT_TYPE = "auditor.finding"
EVENT_VERSION = "1.0"


def _json_text(value: Any) -> str:
    # Observed values are strings, numbers, lists or objects depending on the property; as JSON
    # text they have one type, so a SIEM's field mapping never conflicts between two lines.
    if value is None:
        return "null"
    if type(value) is str:  # most of them: orjson writes a string as json.dumps does
        try:
            return orjson.dumps(value).decode()
        except orjson.JSONEncodeError:  # a lone surrogate, which json.dumps escapes
            pass
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


class _Shared:
    """What the events of one report share, made once: the scan's fields, each workload's and
    each rule's."""

    def __init__(self, report: Report, scan: str | None = None) -> None:
        self.scan = {
            "event_type": EVENT_TYPE,
            "event_version": EVENT_VERSION,
            **scan_fields(report, scan),
        }
        self.workloads = {w.workload.name: workload_fields(w) for w in report.workloads}
        # the `level_*` fields and the tiers a failure blocks
        self.levels_of: ByIdentity[dict[Tier, Level], tuple[dict[str, str], list[str]]] = (
            ByIdentity(
                lambda levels: (
                    {f"level_{tier.name.lower()}": levels[tier]._value_ for tier in TIERS},
                    [tier._value_ for tier in TIERS if levels[tier] is Level.REQUIRED],
                )
            )
        )


def _event(shared: _Shared, workload: dict[str, Any], finding: Finding) -> dict[str, Any]:
    """One finding as a flat event: snake_case keys, scalars or arrays of scalars, except
    `evidence` (an array of flat objects whose values are strings)."""
    levels, required = shared.levels_of(finding.levels)
    failing = finding.status in FAILING
    waiver = finding.waiver
    return {
        **shared.scan,
        **workload,
        "finding_id": finding.id,
        "rule": finding.rule,
        "title": finding.title,
        "requirements": list(finding.requirements),
        "asset_class": finding.asset_class._value_,
        "status": finding.status._value_,
        "severity": finding.severity._value_,
        **levels,
        "target_level": finding.target_level._value_,
        "blocks_target": finding.target_level is Level.REQUIRED and failing,
        "blocks": list(required) if failing else [],
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
        "waiver_id": waiver.id if waiver else None,
        "waiver_status": waiver.status if waiver else None,
    }


def events(report: Report, scan: str | None = None) -> list[dict[str, Any]]:
    """Every finding as an event, in the JSON report's order (`scan`: the report's scan_id,
    when the caller has it already)."""
    shared = _Shared(report, scan)
    return [_event(shared, shared.workloads[f.workload], f) for f in report.findings]


# Events per chunk: a 10,000-workload report has about 250,000, written while rendered.
CHUNK_EVENTS = 500


def chunks(report: Report) -> Iterator[bytes]:
    """One compact JSON object per line (as json.dumps(..., separators=(",", ":"),
    ensure_ascii=False) writes it), a few hundred lines at a time."""
    shared = _Shared(report)
    findings = report.findings
    dumps = orjson.dumps
    for start in range(0, len(findings), CHUNK_EVENTS):
        lines = [
            dumps(_event(shared, shared.workloads[f.workload], f))
            for f in findings[start : start + CHUNK_EVENTS]
        ]
        lines.append(b"")
        yield b"\n".join(lines)


def render(report: Report) -> bytes:
    return b"".join(chunks(report))


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of one NDJSON line, shipped in the package."""
    text = resources.files("auditor").joinpath("schemas/finding-event-v1.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded
