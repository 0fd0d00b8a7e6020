"""The engine: runs every rule's check on every workload and decides each finding's status."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from auditor.checks import CHECKS, Context, Outcome
from auditor.estate import Estate, norm_id
from auditor.model import TIERS, Evidence, Finding, Level, Status
from auditor.rules import Rule
from auditor.workloads import Workload

NO_SECONDARY = "there is no secondary workspace to compare with (see DR-01)"


def finding_id(rule: str, workload: Workload) -> str:
    """Stable across runs: the same rule on the same workload and workspaces gives the same id."""
    subject = "|".join(
        [rule, workload.name, norm_id(workload.primary), norm_id(workload.secondary or "")]
    )
    return "F-" + hashlib.sha256(subject.encode()).hexdigest()[:16]


def _status(outcome: Outcome) -> Status:
    if outcome.failures:
        return Status.FAIL
    if outcome.missing:
        return Status.ERROR
    if outcome.inapplicable:
        return Status.NOT_APPLICABLE
    if outcome.manual:
        return Status.MANUAL
    return Status.PASS


def _message(status: Status, outcome: Outcome) -> str:
    if status is Status.FAIL:
        text = "; ".join(outcome.failures)
        if outcome.missing:
            text += "; also could not check: " + "; ".join(outcome.missing)
        return text
    if status is Status.ERROR:
        return "could not be evaluated: " + "; ".join(outcome.missing)
    return outcome.summary


def _precondition(estate: Estate, rule: Rule, workload: Workload) -> Outcome | None:
    """An outcome the engine decides before running the check, or None to run it."""
    if estate.get(workload.primary) is None:
        return Outcome(
            summary="",
            missing=(f"primary workspace: {estate.why_absent(workload.primary)}",),
            resources=(workload.primary,),
        )
    if workload.secondary is not None and estate.get(workload.secondary) is None:
        return Outcome(
            summary="",
            missing=(f"secondary workspace: {estate.why_absent(workload.secondary)}",),
            resources=(workload.primary, workload.secondary),
        )
    if rule.needs_secondary and workload.secondary is None:
        return Outcome(
            summary="",
            failures=(NO_SECONDARY,),
            resources=(workload.primary,),
            evidence=(Evidence(workload.primary, "secondary", None, "a secondary workspace"),),
        )
    return None


def evaluate_one(estate: Estate, rule: Rule, workload: Workload, as_of: dt.date) -> Finding:
    outcome = _precondition(estate, rule, workload)
    if outcome is None:
        primary = estate.get(workload.primary)
        assert primary is not None
        secondary = estate.get(workload.secondary) if workload.secondary else None
        spec = CHECKS[rule.check.function]
        params = spec.params.model_validate(rule.check.params)
        context = Context(estate, workload, primary, secondary, as_of)
        outcome = spec.function(context, params)
    status = _status(outcome)
    target = workload.targets[rule.asset_class]
    return Finding(
        id=finding_id(rule.id, workload),
        rule=rule.id,
        title=rule.title,
        requirements=rule.requirements,
        asset_class=rule.asset_class,
        workload=workload.name,
        status=status,
        severity=rule.severity,
        levels={tier: rule.levels[tier] for tier in TIERS},
        target_level=rule.levels[target],
        resources=outcome.resources,
        evidence=outcome.evidence,
        message=_message(status, outcome),
        remediation=rule.remediation.model_dump(exclude_none=True),
        rationale=rule.rationale,
        docs=rule.docs,
        notes=outcome.notes,
    )


def evaluate(
    estate: Estate, workloads: Iterable[Workload], rules: Iterable[Rule], as_of: dt.date
) -> list[Finding]:
    rules = tuple(rules)
    findings = []
    for workload in workloads:
        for rule in rules:
            if all(rule.levels[t] is Level.NOT_APPLICABLE for t in TIERS):
                continue
            findings.append(evaluate_one(estate, rule, workload, as_of))
    return findings
