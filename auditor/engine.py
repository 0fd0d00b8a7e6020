"""The engine: runs every rule's check on every workload and decides each finding's status."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from auditor.azure import norm_id, subscription_of
from auditor.checks import CHECKS, CheckSpec, Context, Outcome
from auditor.estate import Estate
from auditor.heap import paused_gc
from auditor.model import (
    FAILING,
    NO_SECONDARY,
    TIERS,
    Evidence,
    Finding,
    Level,
    Status,
    Tier,
    WaiverMark,
)
from auditor.rules import Rule
from auditor.waivers import Waiver, WaiverResult, WaiverStatus, waiver_id
from auditor.workloads import Workload


def finding_id(rule: str, workload: Workload) -> str:
    """Stable across runs: the same rule on the same workload and workspaces gives the same id."""
    return _finding_id(rule, _subject(workload))


def _subject(workload: Workload) -> str:
    """What a finding id hashes besides the rule: the workload's name and workspace ids."""
    return "|".join([workload.name, norm_id(workload.primary), norm_id(workload.secondary or "")])


def _finding_id(rule: str, subject: str) -> str:
    return "F-" + hashlib.sha256(f"{rule}|{subject}".encode()).hexdigest()[:16]


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


@dataclasses.dataclass(frozen=True)
class _Subject:
    """What evaluating any rule on one workload starts from: worked out once per workload."""

    workload: Workload
    context: Context | None  # None when a workspace is absent (`absent` says which)
    absent: Outcome | None
    estate: Estate
    graph_failed: bool  # Resource Graph failed somewhere: passes are checked against it
    # whether _precondition may decide before the check: a workspace absent, or no secondary
    decided_first: bool
    id_bytes: bytes  # the workload's part of its finding ids, encoded (see _finding_id)

    @classmethod
    def of(
        cls, estate: Estate, workload: Workload, as_of: dt.date, fleet: tuple[Workload, ...] = ()
    ) -> _Subject:
        primary = estate.get(workload.primary)
        secondary = estate.get(workload.secondary) if workload.secondary is not None else None
        absent = None
        if primary is None:
            absent = Outcome(
                summary="",
                missing=(f"primary workspace: {estate.why_absent(workload.primary)}",),
                resources=(workload.primary,),
            )
        elif workload.secondary is not None and secondary is None:
            absent = Outcome(
                summary="",
                missing=(f"secondary workspace: {estate.why_absent(workload.secondary)}",),
                resources=(workload.primary, workload.secondary),
            )
        context = (
            None if primary is None else Context(estate, workload, primary, secondary, as_of, fleet)
        )
        return cls(
            workload,
            context,
            absent,
            estate,
            estate.graph_failed,
            absent is not None or workload.secondary is None,
            _subject(workload).encode(),
        )


def _precondition(subject: _Subject, rule: Rule) -> Outcome | None:
    """An outcome the engine decides before running the check, or None to run it."""
    if subject.absent is not None:
        return subject.absent
    workload = subject.workload
    if rule.needs_secondary and workload.secondary is None:
        return Outcome(
            summary="",
            failures=(NO_SECONDARY,),
            resources=(workload.primary,),
            evidence=(Evidence(workload.primary, "secondary", None, "a secondary workspace"),),
        )
    return None


@dataclasses.dataclass(frozen=True)
class _Prepared:
    """What evaluating a rule needs that does not depend on the workload: worked out once per
    rule in a scan, not once per finding."""

    spec: CheckSpec
    params: Any
    levels: dict[Tier, Level]
    remediation: dict[str, Any]
    id_prefix: bytes  # what a finding id hashes before the subject (see _finding_id)

    @classmethod
    def of(cls, rule: Rule) -> _Prepared:
        spec = CHECKS[rule.check.function]
        return cls(
            spec=spec,
            params=spec.params.model_validate(rule.check.params),
            levels={tier: rule.levels[tier] for tier in TIERS},
            remediation=rule.remediation.model_dump(exclude_none=True),
            id_prefix=f"{rule.id}|".encode(),
        )


def _evaluate(subject: _Subject, rule: Rule, prepared: _Prepared) -> Finding:
    outcome = _precondition(subject, rule) if subject.decided_first else None
    if outcome is None:
        assert subject.context is not None
        outcome = prepared.spec.function(subject.context, prepared.params)
    status = _status(outcome)
    if subject.graph_failed and status in _UNSEEN_IF_ROWS_MISSING and prepared.spec.reads_azure:
        outcome = _rows_may_be_missing(subject, outcome)
        status = _status(outcome)
    workload = subject.workload
    return Finding(
        id="F-" + hashlib.sha256(prepared.id_prefix + subject.id_bytes).hexdigest()[:16],
        rule=rule.id,
        title=rule.title,
        requirements=rule.requirements,
        asset_class=rule.asset_class,
        workload=workload.name,
        status=status,
        severity=rule.severity,
        levels=prepared.levels,
        target_level=prepared.levels[workload.targets[rule.asset_class]],
        resources=outcome.resources,
        evidence=outcome.evidence,
        message=_message(status, outcome),
        remediation=prepared.remediation,
        rationale=rule.rationale,
        docs=rule.docs,
        notes=outcome.notes,
    )


# Verdicts a row that Resource Graph failed to return could have changed into a pass: a check
# that finds no endpoint, no replication, no private endpoint... cannot tell "none" from "not
# returned". A failure stands (what was seen fails), with the gap named beside it.
_UNSEEN_IF_ROWS_MISSING = (Status.PASS, Status.NOT_APPLICABLE)


def _rows_may_be_missing(subject: _Subject, outcome: Outcome) -> Outcome:
    """The outcome made an error when Resource Graph failed for a subscription the workload's
    workspaces, or the resources the check looked at, are in."""
    workload = subject.workload
    ids = (workload.primary, workload.secondary or "", *outcome.resources)
    subscriptions = dict.fromkeys(subscription_of(rid) for rid in ids if rid)
    problems = [subject.estate.graph_problem(sub) for sub in subscriptions]
    found = tuple(p for p in dict.fromkeys(problems) if p is not None)
    if not found:
        return outcome
    return dataclasses.replace(outcome, missing=(*outcome.missing, *found))


def evaluate(
    estate: Estate, workloads: Iterable[Workload], rules: Iterable[Rule], as_of: dt.date
) -> list[Finding]:
    applicable = [
        (rule, _Prepared.of(rule))
        for rule in rules
        if not all(rule.levels[t] is Level.NOT_APPLICABLE for t in TIERS)
    ]
    findings = []
    fleet = tuple(workloads)
    with paused_gc():
        for workload in fleet:
            subject = _Subject.of(estate, workload, as_of, fleet)
            for rule, prepared in applicable:
                findings.append(_evaluate(subject, rule, prepared))
    return findings


def apply_waivers(
    findings: Sequence[Finding], waivers: Sequence[Waiver], as_of: dt.date
) -> tuple[list[Finding], tuple[WaiverResult, ...]]:
    """Suppress the failing findings an unexpired waiver matches; say which waivers expired
    (the finding keeps its status) and which match no failing finding (stale)."""
    if not waivers:
        return list(findings), ()
    matched: list[list[str]] = [[] for _ in waivers]
    others: list[set[str]] = [set() for _ in waivers]
    suppressor: dict[str, int] = {}  # finding id -> the waiver that suppressed it
    out: list[Finding] = []
    for finding in findings:
        hits = [i for i, w in enumerate(waivers) if w.matches(finding)]
        if finding.status not in FAILING:
            for i in hits:
                others[i].add(finding.status.value)
            out.append(finding)
            continue
        for i in hits:
            matched[i].append(finding.id)
        live = [i for i in hits if not waivers[i].expired(as_of)]
        if live:
            suppressor[finding.id] = live[0]
            out.append(_waived(finding, live[0], waivers[live[0]]))
        elif hits:
            out.append(_expired(finding, hits[0], waivers[hits[0]]))
        else:
            out.append(finding)
    results = tuple(
        _result(i, waiver, tuple(matched[i]), others[i], as_of, suppressor)
        for i, waiver in enumerate(waivers)
    )
    return out, results


def _mark(index: int, waiver: Waiver, status: str, finding: Finding) -> WaiverMark:
    return WaiverMark(
        id=waiver_id(index),
        status=status,
        reason=waiver.reason,
        owner=waiver.owner,
        expires=waiver.expires,
        waived_status=finding.status,
    )


def _waived(finding: Finding, index: int, waiver: Waiver) -> Finding:
    note = (
        f"suppressed by waiver {waiver_id(index)} (owner {waiver.owner}, until "
        f"{waiver.expires.isoformat()}): {waiver.reason}; without it this finding is "
        f"{finding.status.value}"
    )
    return dataclasses.replace(
        finding,
        status=Status.SUPPRESSED,
        waiver=_mark(index, waiver, WaiverStatus.ACTIVE.value, finding),
        notes=(*finding.notes, note),
    )


def _expired(finding: Finding, index: int, waiver: Waiver) -> Finding:
    note = (
        f"waiver {waiver_id(index)} (owner {waiver.owner}) expired on "
        f"{waiver.expires.isoformat()} and no longer suppresses this finding: renew it or fix "
        f"the finding (it said: {waiver.reason})"
    )
    return dataclasses.replace(
        finding,
        waiver=_mark(index, waiver, WaiverStatus.EXPIRED.value, finding),
        notes=(*finding.notes, note),
    )


def _result(
    index: int,
    waiver: Waiver,
    matched: tuple[str, ...],
    others: set[str],
    as_of: dt.date,
    suppressor: dict[str, int],
) -> WaiverResult:
    """What a waiver did. Waivers that overlap are told apart: the first unexpired one that
    matches a finding suppresses it; an expired one only makes the findings no other waiver
    covers count again; one whose every finding an earlier waiver took suppresses nothing."""
    subject = f"{waiver.rule} on {waiver.scope}"
    mine = [f for f in matched if suppressor.get(f) == index]
    elsewhere = sorted(
        {waiver_id(suppressor[f]) for f in matched if f in suppressor} - {waiver_id(index)}
    )
    if waiver.expired(as_of):
        status = WaiverStatus.EXPIRED
        again = [f for f in matched if f not in suppressor]
        message = f"expired on {waiver.expires.isoformat()}: " + (
            f"{subject} counts again ({len(again)} failing finding(s))"
            if again or not matched
            else f"its {len(matched)} finding(s) are suppressed by {', '.join(elsewhere)}; "
            "remove it"
        )
    elif mine:
        status = WaiverStatus.ACTIVE
        message = f"suppresses {len(mine)} finding(s) of {subject}"
    elif matched:
        status = WaiverStatus.STALE
        message = (
            f"suppresses nothing: {', '.join(elsewhere)} already suppresses the finding(s) of "
            f"{subject} it matches; remove the duplicate"
        )
    else:
        status = WaiverStatus.STALE
        if others:
            now = " or ".join(sorted(others))
            message = f"matches no failing finding: {subject} is {now} now; remove the waiver"
        else:
            message = f"matches no finding of {subject}; check the rule and the scope"
    return WaiverResult(waiver_id(index), waiver, status, matched, message)
