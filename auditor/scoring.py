"""Scores and readiness per workload and tier.

A finding counts toward a tier when its rule's level for that tier is required, recommended or
manual and its status is not `not_applicable` or `suppressed`. Its weight is the severity weight
(critical 10, high 5, medium 3, low 1, info 0), doubled when the rule is required for the tier.
The score is 100 × (weight of passing findings) / (weight of all counted findings), rounded
down; 100 when nothing counts. A workload is ready for a tier when no required finding for
that tier is `fail` or `error`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from auditor.model import TIERS, Finding, Level, Status, Tier

COUNTED = (Level.REQUIRED, Level.RECOMMENDED, Level.MANUAL)
NOT_COUNTED = (Status.NOT_APPLICABLE, Status.SUPPRESSED)


@dataclass(frozen=True)
class TierResult:
    score: int
    ready: bool
    blocking: tuple[Finding, ...]


def _score(findings: Iterable[Finding], level_of: Callable[[Finding], Level]) -> TierResult:
    earned = total = 0
    blocking = []
    for finding in findings:
        level = level_of(finding)
        if level not in COUNTED or finding.status in NOT_COUNTED:
            continue
        weight = finding.severity.weight * (2 if level is Level.REQUIRED else 1)
        total += weight
        if finding.status is Status.PASS:
            earned += weight
        if level is Level.REQUIRED and finding.status in (Status.FAIL, Status.ERROR):
            blocking.append(finding)
    score = 100 if total == 0 else (100 * earned) // total
    return TierResult(score=score, ready=not blocking, blocking=tuple(blocking))


def score_tier(findings: Iterable[Finding], tier: Tier) -> TierResult:
    return _score(findings, lambda f: f.levels[tier])


def score_target(findings: Iterable[Finding]) -> TierResult:
    """Judged at each finding's own target (asset classes may aim at different tiers)."""
    return _score(findings, lambda f: f.target_level)


def ladder(findings: list[Finding]) -> dict[Tier, TierResult]:
    return {tier: score_tier(findings, tier) for tier in TIERS}
