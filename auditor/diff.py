"""What moved between two JSON reports, by stable finding id: new, fixed, regressed, changed
findings; readiness and scores per workload and tier; workloads added and removed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from auditor import report_file
from auditor.errors import ReportFileError
from auditor.model import FAILING, TIERS, Finding, Status
from auditor.report import EXIT_NOT_READY, EXIT_OK, Report

FORMAT = "auditor.diff"
VERSION = "1.0"
# A readiness or score change of a workload at its own target rather than at a tier.
TARGET = "target"


@dataclass(frozen=True)
class RunInfo:
    generated_at: str
    source: str
    collected_at: str
    as_of: str
    complete: bool
    exit_code: int

    @classmethod
    def of(cls, report: Report) -> RunInfo:
        scan = report.scan
        return cls(
            generated_at=report.generated_at,
            source=scan.source,
            collected_at=scan.collected_at,
            as_of=scan.as_of.isoformat(),
            complete=scan.complete,
            exit_code=report.exit_code,
        )


@dataclass(frozen=True)
class FindingChange:
    """One finding whose status moved; a status is None where the finding is absent."""

    id: str
    rule: str
    workload: str
    title: str
    severity: str
    old_status: str | None
    new_status: str | None


@dataclass(frozen=True)
class ReadinessChange:
    """A workload's readiness for one tier (or for its own target) flipped."""

    workload: str
    tier: str
    old_ready: bool
    new_ready: bool
    old_target: str | None = None
    new_target: str | None = None

    @property
    def regressed(self) -> bool:
        return self.old_ready and not self.new_ready


@dataclass(frozen=True)
class ScoreChange:
    workload: str
    tier: str
    old: int
    new: int

    @property
    def delta(self) -> int:
        return self.new - self.old


@dataclass(frozen=True)
class Diff:
    old: RunInfo
    new: RunInfo
    workloads_added: tuple[str, ...]
    workloads_removed: tuple[str, ...]
    new_findings: tuple[FindingChange, ...]
    fixed: tuple[FindingChange, ...]
    regressed: tuple[FindingChange, ...]
    changed: tuple[FindingChange, ...]
    readiness: tuple[ReadinessChange, ...]
    scores: tuple[ScoreChange, ...]

    @property
    def readiness_regressed(self) -> bool:
        """A workload present in both runs lost readiness for a tier or for its target."""
        return any(change.regressed for change in self.readiness)

    @property
    def exit_code(self) -> int:
        return EXIT_NOT_READY if self.readiness_regressed else EXIT_OK


def _change(finding: Finding, old: Status | None, new: Status | None) -> FindingChange:
    return FindingChange(
        id=finding.id,
        rule=finding.rule,
        workload=finding.workload,
        title=finding.title,
        severity=finding.severity.value,
        old_status=old.value if old else None,
        new_status=new.value if new else None,
    )


def _sorted(changes: list[FindingChange]) -> tuple[FindingChange, ...]:
    return tuple(sorted(changes, key=lambda c: (c.workload, c.rule, c.id)))


def compare(old: Report, new: Report) -> Diff:
    """The difference between two reports, OLD to NEW."""
    old_findings = {f.id: f for f in old.findings}
    new_findings = {f.id: f for f in new.findings}
    old_workloads = {w.name: w for w in old.workloads}
    new_workloads = {w.name: w for w in new.workloads}
    added = sorted(set(new_workloads) - set(old_workloads))
    removed = sorted(set(old_workloads) - set(new_workloads))

    appeared: list[FindingChange] = []
    fixed: list[FindingChange] = []
    regressed: list[FindingChange] = []
    changed: list[FindingChange] = []
    for fid in sorted(set(old_findings) | set(new_findings)):
        before, after = old_findings.get(fid), new_findings.get(fid)
        was = before.status if before else None
        now = after.status if after else None
        subject = after or before
        assert subject is not None
        if before is None:
            # a finding of a new workload, or of a new rule: only failures are news
            if now in FAILING:
                appeared.append(_change(subject, None, now))
            continue
        if after is None:
            if was in FAILING:
                fixed.append(_change(subject, was, None))
            continue
        if was is now:
            continue
        if was in FAILING and now is Status.PASS:
            fixed.append(_change(subject, was, now))
        elif was not in FAILING and now in FAILING:
            regressed.append(_change(subject, was, now))
        else:
            changed.append(_change(subject, was, now))

    readiness: list[ReadinessChange] = []
    scores: list[ScoreChange] = []
    for name in sorted(set(old_workloads) & set(new_workloads)):
        before_wl, after_wl = old_workloads[name], new_workloads[name]
        for tier in TIERS:
            a, b = before_wl.tiers[tier], after_wl.tiers[tier]
            if a.ready != b.ready:
                readiness.append(ReadinessChange(name, tier.value, a.ready, b.ready))
            if a.score != b.score:
                scores.append(ScoreChange(name, tier.value, a.score, b.score))
        a, b = before_wl.target, after_wl.target
        if a.ready != b.ready:
            readiness.append(
                ReadinessChange(
                    name,
                    TARGET,
                    a.ready,
                    b.ready,
                    before_wl.workload.target_summary,
                    after_wl.workload.target_summary,
                )
            )
        if a.score != b.score:
            scores.append(ScoreChange(name, TARGET, a.score, b.score))
    return Diff(
        old=RunInfo.of(old),
        new=RunInfo.of(new),
        workloads_added=tuple(added),
        workloads_removed=tuple(removed),
        new_findings=_sorted(appeared),
        fixed=_sorted(fixed),
        regressed=_sorted(regressed),
        changed=_sorted(changed),
        readiness=tuple(readiness),
        scores=tuple(scores),
    )


def _finding(change: FindingChange) -> dict[str, Any]:
    return {
        "id": change.id,
        "rule": change.rule,
        "workload": change.workload,
        "title": change.title,
        "severity": change.severity,
        "old_status": change.old_status,
        "new_status": change.new_status,
    }


def _run(info: RunInfo) -> dict[str, Any]:
    return {
        "generated_at": info.generated_at,
        "source": info.source,
        "collected_at": info.collected_at,
        "as_of": info.as_of,
        "complete": info.complete,
        "exit_code": info.exit_code,
    }


def document(diff: Diff) -> dict[str, Any]:
    """The machine-readable diff (docs/diff-format.md)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "old": _run(diff.old),
        "new": _run(diff.new),
        "readiness_regressed": diff.readiness_regressed,
        "exit_code": diff.exit_code,
        "summary": {
            "workloads_added": len(diff.workloads_added),
            "workloads_removed": len(diff.workloads_removed),
            "new": len(diff.new_findings),
            "fixed": len(diff.fixed),
            "regressed": len(diff.regressed),
            "changed": len(diff.changed),
            "readiness_lost": sum(1 for c in diff.readiness if c.regressed),
            "readiness_gained": sum(1 for c in diff.readiness if not c.regressed),
        },
        "workloads": {
            "added": list(diff.workloads_added),
            "removed": list(diff.workloads_removed),
        },
        "findings": {
            "new": [_finding(c) for c in diff.new_findings],
            "fixed": [_finding(c) for c in diff.fixed],
            "regressed": [_finding(c) for c in diff.regressed],
            "changed": [_finding(c) for c in diff.changed],
        },
        "readiness": [
            {
                "workload": c.workload,
                "tier": c.tier,
                "old_ready": c.old_ready,
                "new_ready": c.new_ready,
                "change": "regressed" if c.regressed else "improved",
                **(
                    {"old_target": c.old_target, "new_target": c.new_target}
                    if c.tier == TARGET
                    else {}
                ),
            }
            for c in diff.readiness
        ],
        "scores": [
            {"workload": c.workload, "tier": c.tier, "old": c.old, "new": c.new, "delta": c.delta}
            for c in diff.scores
        ],
    }


def load_report(path: Path | str) -> Report:
    """A JSON report (schema version 1 or 2) from a file, checked once against the report
    schema of its version and for consistency (no finding of an unknown workload, no id used
    twice: a diff matches findings on their ids); one clear line if it is not a report."""
    path = Path(path)
    document = report_file.read_json(path)
    error = jsonschema.exceptions.best_match(report_file.schema_errors(document))
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        message = " ".join(error.message.split())
        if len(message) > 160:
            message = message[:157] + "..."
        raise ReportFileError(f"{path}: not an auditor JSON report: field '{where}': {message}")
    if not isinstance(document, dict):  # the schema requires an object; this is for mypy
        raise ReportFileError(f"{path}: not an auditor JSON report")
    return report_file.from_valid_document(document, str(path), evidence=False)
