"""The report model: one structure every output format is rendered from."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from auditor.model import Finding, Status, Tier
from auditor.scoring import TierResult
from auditor.topology import Topology
from auditor.waivers import WaiverResult
from auditor.workloads import Workload

SCHEMA_VERSION = "1.0"

EXIT_OK = 0
EXIT_NOT_READY = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3


@dataclass(frozen=True)
class WorkloadResult:
    workload: Workload
    primary_region: str | None
    secondary_region: str | None
    tiers: dict[Tier, TierResult]
    target: TierResult
    findings: tuple[Finding, ...]
    # Where the workload lives and which links fail: the topology, or the function that works
    # it out when it is first asked for (a scan leaves it to the outputs that show it: the JSON
    # and HTML reports, not the terminal summary); None in a report saved before it existed.
    topology_source: Topology | Callable[[], Topology] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def name(self) -> str:
        return self.workload.name

    @property
    def topology(self) -> Topology | None:
        source = self.topology_source
        if callable(source):
            source = source()
            object.__setattr__(self, "topology_source", source)  # worked out once
        return source


@dataclass(frozen=True)
class ScanInfo:
    source: str
    collected_at: str
    cloud: str
    scope: dict[str, Any]
    errors: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]
    rules: tuple[str, ...]
    as_of: dt.date
    error_findings: int = 0

    @property
    def complete(self) -> bool:
        """False when anything could not be seen: a collection error, a malformed row, or a
        finding that is `error` because the data it needed was missing."""
        return not self.errors and self.error_findings == 0


@dataclass(frozen=True)
class Report:
    tool_version: str
    generated_at: str
    scan: ScanInfo
    workloads: tuple[WorkloadResult, ...]
    findings: tuple[Finding, ...]
    waivers: tuple[WaiverResult, ...] = ()

    @property
    def ready(self) -> bool:
        return all(w.target.ready for w in self.workloads)

    @property
    def exit_code(self) -> int:
        """3 when the scan could not see everything (it wins: readiness is then unproven),
        1 when a workload is not ready for its target, else 0."""
        if not self.scan.complete:
            return EXIT_INCOMPLETE
        if not self.ready:
            return EXIT_NOT_READY
        return EXIT_OK

    @cached_property
    def counts(self) -> dict[Status, int]:
        """Findings per status (every status, zero included)."""
        found = Counter(f.status for f in self.findings)
        return {status: found[status] for status in Status}

    def count(self, status: Status) -> int:
        return self.counts[status]
