"""What several formats share: the scan's id and fields, what a resource id says about the
resource, and values made once per shared object."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from auditor.azure import norm_id, norm_region, subscription_of

__all__ = [
    "ByIdentity",
    "event_id",
    "resource_name",
    "resource_regions",
    "resource_type",
    "scan_fields",
    "scan_id",
    "subscription_of",
]
from auditor.model import Status
from auditor.report import Report

# uuid5 namespace of auditor's ids (itself uuid5 of the URL namespace and "auditor").
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "auditor")

# The evidence items and resources a reader-facing view (HTML, terminal) lists per finding; the
# rest are counted. 100,000 role assignments on a pair make one finding of as many items: the
# views stay linear in the estate, and the JSON report keeps every item.
SHOWN_ITEMS = 100

K = TypeVar("K")
V = TypeVar("V")


class ByIdentity(Generic[K, V]):
    """A value made once per object, found by the object's identity: the findings of a rule
    share its levels object, so what is made of the levels is made once per rule, in time
    independent of what the object holds. The objects are kept alive with their values, so
    that an id is never another object's."""

    def __init__(self, make: Callable[[K], V]) -> None:
        self._make = make
        self._known: dict[int, tuple[K, V]] = {}

    def __call__(self, key: K) -> V:
        known = self._known.get(id(key))
        if known is None:
            known = self._known[id(key)] = (key, self._make(key))
        return known[1]


def scan_fields(report: Report, scan: str | None = None) -> dict[str, Any]:
    """The scan's fields of a flat event (NDJSON, Log Analytics); `scan`: its scan_id, when the
    caller has it already."""
    info = report.scan
    return {
        "scan_id": scan or scan_id(report),
        "generated_at": report.generated_at,
        "collected_at": info.collected_at,
        "as_of": info.as_of.isoformat(),
        "tool_name": "auditor",
        "tool_version": report.tool_version,
        "scan_source": info.source,
        "cloud": info.cloud,
        "scan_complete": info.complete,
    }


def scan_id(report: Report) -> str:
    """One id per report, the same every time that report is rendered (also from its JSON).
    Two scans made in the same second of the same snapshot but judged at another date, or
    with other waivers, are other reports: the date and the count per status are in the key."""
    scan = report.scan
    counts = ",".join(f"{status.value}={report.counts[status]}" for status in Status)
    key = "|".join(
        [report.generated_at, scan.source, scan.collected_at, scan.as_of.isoformat(), counts]
    )
    return str(uuid.uuid5(NAMESPACE, key))


def event_id(report: Report, finding_id: str, scan: str | None = None) -> str:
    """One id per finding per report: the same finding in the next scan gets another. `scan`
    is the report's scan_id when the caller has it already."""
    return str(uuid.uuid5(NAMESPACE, f"{scan or scan_id(report)}|{finding_id}"))


def resource_name(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def resource_type(resource_id: str) -> str | None:
    """The ARM type an id names: `Microsoft.ContainerRegistry/registries/replications` for
    `.../providers/Microsoft.ContainerRegistry/registries/acr/replications/westus`."""
    parts = [p for p in resource_id.split("/") if p]
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        if len(parts) == 2 and lowered[0] == "subscriptions":
            return "Microsoft.Resources/subscriptions"
        if len(parts) == 4 and lowered[2] == "resourcegroups":
            return "Microsoft.Resources/resourceGroups"
        return None
    start = len(lowered) - 1 - lowered[::-1].index("providers")
    rest = parts[start + 1 :]
    if len(rest) < 3:
        return None
    namespace, names = rest[0], rest[1:]
    return "/".join([namespace, *names[0::2]])


def resource_regions(report: Report) -> Mapping[str, str]:
    """Programmatic region per normalised resource id, from what the scan saw: the workspaces'
    regions and every `location` the evidence observed. Resources seen nowhere have none."""
    regions: dict[str, str] = {}
    for finding in report.findings:
        for item in finding.evidence:
            if item.path == "location" and isinstance(item.observed, str) and item.observed:
                regions.setdefault(norm_id(item.resource), norm_region(item.observed))
    for result in report.workloads:
        workload = result.workload
        if result.primary_region:
            regions[norm_id(workload.primary)] = result.primary_region
        if workload.secondary and result.secondary_region:
            regions[norm_id(workload.secondary)] = result.secondary_region
    return regions
