"""The report model: one structure every output format is rendered from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import fnmatch
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from auditor.errors import SelectionError
from auditor.model import Finding, Status, Tier
from auditor.scoring import TierResult
from auditor.topology import Topology
from auditor.waivers import WaiverResult
from auditor.workloads import Workload

# The JSON report's schema version (docs/report-format.md); 1.x is still read.
SCHEMA_VERSION = "2.0"
SCHEMA_VERSION_V1 = "1.0"

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


NAMES_SHOWN = 5


def some_names(names: Sequence[str], near: str, limit: int = NAMES_SHOWN) -> str:
    """At most `limit` of `names` for a message, the closest to `near` first, and how many
    more there are: an estate of 2,000 workloads is not listed on one line."""
    close = difflib.get_close_matches(near, names, n=limit, cutoff=0.5)
    shown = close + [n for n in names if n not in close][: limit - len(close)]
    more = len(names) - len(shown)
    listed = ", ".join(shown) if shown else "none"
    return listed + (f" and {more:,} more" if more > 0 else "")


def matches(name: str, pattern: str) -> bool:
    """A workload name against a --workload pattern: a shell glob (*, ?, [abc]), any case."""
    return fnmatch.fnmatchcase(name.casefold(), pattern.casefold())


def select(report: Report, patterns: Sequence[str]) -> Report:
    """The report limited to the workloads whose name matches one of `patterns`: their results,
    their findings, and the waivers that matched them or nothing. Scan-level facts stay (a
    collection error still makes the scan incomplete). No patterns: the report unchanged. A
    pattern that matches no workload is a SelectionError."""
    if not patterns:
        return report
    names = [w.name for w in report.workloads]
    for pattern in patterns:
        if not any(matches(name, pattern) for name in names):
            raise SelectionError(
                f"--workload '{pattern}' matches none of the {len(names):,} workload(s): "
                f"{some_names(names, pattern)}"
            )
    kept = {n for n in names if any(matches(n, p) for p in patterns)}
    workloads = tuple(w for w in report.workloads if w.name in kept)
    findings = tuple(f for f in report.findings if f.workload in kept)
    ids = {f.id for f in findings}
    waivers = tuple(
        w
        for w in report.waivers
        if (ids.intersection(w.matched) if w.matched else _may_concern(w.waiver.workload, kept))
    )
    scan = dataclasses.replace(report.scan, error_findings=sum(1 for f in findings if f.unseen))
    return dataclasses.replace(
        report, scan=scan, workloads=workloads, findings=findings, waivers=waivers
    )


def _may_concern(workload: str | None, kept: set[str]) -> bool:
    """A waiver that matched nothing stays when it names a kept workload or none (resources)."""
    if workload is None:
        return True
    return workload.strip().casefold() in {k.strip().casefold() for k in kept}
