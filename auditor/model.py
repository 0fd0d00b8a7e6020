"""The vocabulary of the policy: tiers, asset classes, levels, statuses, severities, findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from auditor.quickinit import quick_init


class Tier(StrEnum):
    HOT_HOT = "hot/hot"
    HOT_WARM = "hot/warm"
    HOT_COLD = "hot/cold"

    @property
    def strictness(self) -> int:
        """Higher is stricter: a workload ready at one tier is ready at every less strict one."""
        return _STRICTNESS[self.value]


_STRICTNESS = {"hot/hot": 3, "hot/warm": 2, "hot/cold": 1}
TIERS: tuple[Tier, ...] = (Tier.HOT_HOT, Tier.HOT_WARM, Tier.HOT_COLD)


def strictest(tiers: list[Tier] | tuple[Tier, ...]) -> Tier:
    return max(tiers, key=lambda t: t.strictness)


class AssetClass(StrEnum):
    FOUNDATION = "foundation"
    INFERENCE = "inference"
    TRAINING = "training"


class Level(StrEnum):
    REQUIRED = "required"
    RECOMMENDED = "recommended"
    MANUAL = "manual"
    NOT_APPLICABLE = "not_applicable"

    @property
    def weight(self) -> int:
        """How strongly a level binds; levels may only weaken from hot/hot to hot/cold."""
        return _LEVEL_WEIGHT[self.value]


_LEVEL_WEIGHT = {"required": 2, "recommended": 1, "manual": 1, "not_applicable": 0}


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    MANUAL = "manual"
    NOT_APPLICABLE = "not_applicable"
    SUPPRESSED = "suppressed"


# The statuses that count against a workload: a failed check, or one whose data was not seen.
FAILING: frozenset[Status] = frozenset({Status.FAIL, Status.ERROR})

# The failure a rule that compares the pair records when the workload has no secondary.
NO_SECONDARY = "there is no secondary workspace to compare with (see DR-01)"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def weight(self) -> int:
        """Score weight of a finding of this severity (see docs/scoring)."""
        return _SEVERITY_WEIGHT[self.value]

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self.value]


_SEVERITY_WEIGHT = {"critical": 10, "high": 5, "medium": 3, "low": 1, "info": 0}
_SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


@quick_init
@dataclass(frozen=True, slots=True)
class Evidence:
    """One observed value: which resource, which property path, what it was, what was expected."""

    resource: str
    path: str
    observed: Any
    expected: Any = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "resource": self.resource,
            "path": self.path,
            "observed": self.observed,
        }
        if self.expected is not None:
            out["expected"] = self.expected
        return out


@dataclass(frozen=True)
class WaiverMark:
    """The waiver that matched a failing finding: `active` suppressed it, `expired` no longer
    does (the finding keeps its real status, `waived_status`)."""

    id: str
    status: str
    reason: str
    owner: str
    expires: dt.date
    waived_status: Status

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
            "waived_status": self.waived_status.value,
        }


@quick_init
@dataclass(frozen=True, slots=True)
class Finding:
    """The verdict of one rule on one workload."""

    id: str
    rule: str
    title: str
    requirements: tuple[str, ...]
    asset_class: AssetClass
    workload: str
    status: Status
    severity: Severity
    levels: dict[Tier, Level]
    target_level: Level
    resources: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    message: str
    remediation: dict[str, str]
    rationale: str
    docs: str
    notes: tuple[str, ...] = field(default=())
    waiver: WaiverMark | None = None

    @property
    def unseen(self) -> bool:
        """The data the rule needed was not there: the finding is in error, or was before a
        waiver suppressed it (a waiver accepts a risk, it does not make the scan see more)."""
        return self.status is Status.ERROR or (
            self.waiver is not None and self.waiver.waived_status is Status.ERROR
        )

    @property
    def awaits_secondary(self) -> bool:
        """The rule compares the pair and fails only because there is no secondary yet."""
        return self.message == NO_SECONDARY

    def blocks(self, tier: Tier) -> bool:
        """A required rule that failed or errored blocks readiness for that tier."""
        return self.levels[tier] is Level.REQUIRED and self.status in FAILING
