"""Scores and readiness per workload and tier.

A finding counts toward a tier when its rule's level for that tier is required, recommended or
manual and its status is not `not_applicable` or `suppressed`. Its weight is the severity weight
(critical 10, high 5, medium 3, low 1, info 0), doubled when the rule is required for the tier.
The score is 100 × (weight of passing findings) / (weight of all counted findings), rounded
down; 100 when nothing counts. A workload is ready for a tier when no required finding for
that tier is `fail` or `error`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from auditor.model import FAILING, TIERS, Finding, Level, Severity, Status, Tier
from auditor.quickinit import quick_init

COUNTED = (Level.REQUIRED, Level.RECOMMENDED, Level.MANUAL)
NOT_COUNTED = (Status.NOT_APPLICABLE, Status.SUPPRESSED)


@quick_init
@dataclass(frozen=True, slots=True)
class TierResult:
    score: int
    ready: bool
    blocking: tuple[Finding, ...]


# Looked up once per finding and tier: a dictionary, not the enum properties' descriptors.
_WEIGHT = {severity: severity.weight for severity in Severity}


def _score(findings: Iterable[Finding], tier: Tier | None) -> TierResult:
    """At `tier`, or at each finding's own target level when `tier` is None."""
    earned = total = 0
    blocking = []
    for finding in findings:
        level = finding.target_level if tier is None else finding.levels[tier]
        status = finding.status
        if level not in COUNTED or status in NOT_COUNTED:
            continue
        required = level is Level.REQUIRED
        weight = _WEIGHT[finding.severity] * (2 if required else 1)
        total += weight
        if status is Status.PASS:
            earned += weight
        elif required and status in FAILING:
            blocking.append(finding)
    score = 100 if total == 0 else (100 * earned) // total
    return TierResult(score=score, ready=not blocking, blocking=tuple(blocking))


def score_tier(findings: Iterable[Finding], tier: Tier) -> TierResult:
    return _score(findings, tier)


def score_target(findings: Iterable[Finding]) -> TierResult:
    """Judged at each finding's own target (asset classes may aim at different tiers)."""
    return _score(findings, None)


def ladder(findings: list[Finding]) -> dict[Tier, TierResult]:
    return {tier: score_tier(findings, tier) for tier in TIERS}
