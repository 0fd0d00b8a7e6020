"""One scan: snapshot -> estate -> workloads -> findings -> report. Live and offline alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial
from typing import Any

from auditor import __version__
from auditor.azure import get_path
from auditor.config import Config
from auditor.engine import apply_waivers, evaluate
from auditor.estate import Estate, build
from auditor.heap import paused_gc
from auditor.model import Tier
from auditor.report import Report, ScanInfo, WorkloadResult
from auditor.rules import Rule
from auditor.scoring import ladder, score_target
from auditor.snapshot import Snapshot
from auditor.topology import topology
from auditor.waivers import Waiver
from auditor.workloads import resolve


def _errors(estate: Estate) -> tuple[dict[str, Any], ...]:
    recorded = [
        {
            "source": str(err.get("source")),
            "request": str(err.get("request")),
            "status": err.get("status"),
            "code": err.get("code"),
            "message": str(err.get("message")),
            **({"subscription": err["subscription"]} if err.get("subscription") else {}),
        }
        for err in estate.snapshot.errors
    ]
    failed_reads = [
        {
            "source": "arm",
            "request": f"GET {read.path}",
            "status": read.status,
            "code": str(code)
            if isinstance(code := get_path(read.body, "error.code"), str)
            else None,
            "message": read.describe_failure(),
        }
        for read in estate.arm_reads.values()
        if not read.ok and not any(read.path.lower() in str(e["request"]).lower() for e in recorded)
    ]
    malformed = [
        {
            "source": "snapshot",
            "request": problem.split(":", 1)[0],
            "status": None,
            "code": "MalformedRow",
            "message": problem,
        }
        for problem in estate.problems
    ]
    return tuple(recorded + failed_reads + malformed)


@paused_gc()
def run(
    snapshot: Snapshot,
    config: Config,
    rules: Sequence[Rule],
    *,
    default_target: Tier = Tier.HOT_COLD,
    as_of: dt.date | None = None,
    source: str | None = None,
    now: dt.datetime | None = None,
    waivers: Sequence[Waiver] = (),
) -> Report:
    now = now or dt.datetime.now(dt.UTC)
    as_of = as_of or now.date()
    estate = build(snapshot)
    workloads, notes = resolve(estate, config, default_target)
    findings, waived = apply_waivers(evaluate(estate, workloads, rules, as_of), waivers, as_of)
    by_workload: dict[str, list[Any]] = {w.name: [] for w in workloads}
    for finding in findings:
        by_workload[finding.workload].append(finding)
    results = []
    for workload in workloads:
        mine = by_workload[workload.name]
        primary = estate.get(workload.primary)
        secondary = estate.get(workload.secondary) if workload.secondary else None
        results.append(
            WorkloadResult(
                workload=workload,
                primary_region=primary.location or None if primary else None,
                secondary_region=secondary.location or None if secondary else None,
                tiers=ladder(mine),
                target=score_target(mine),
                findings=tuple(mine),
                topology_source=partial(topology, estate, workload, mine),
            )
        )
    results.sort(key=lambda r: r.name)
    ordered = sorted(findings, key=lambda f: (f.workload, f.requirements[0], f.rule))
    scan = ScanInfo(
        source=source or str(snapshot.data.get("origin") or "snapshot"),
        collected_at=snapshot.collected_at,
        cloud=snapshot.cloud,
        scope=dict(snapshot.scope),
        errors=_errors(estate),
        notes=tuple(notes),
        rules=tuple(r.id for r in rules),
        as_of=as_of,
        error_findings=sum(1 for f in findings if f.unseen),
    )
    return Report(
        tool_version=__version__,
        generated_at=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        scan=scan,
        workloads=tuple(results),
        findings=tuple(ordered),
        waivers=waived,
    )
