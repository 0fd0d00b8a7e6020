"""CI gates on top of readiness: a minimum score, and a severity that fails the build."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model import FAILING, Level, Severity
from auditor.report import EXIT_INCOMPLETE, EXIT_NOT_READY, Report

# A finding counts for a gate when its rule binds at the workload's target: required or
# recommended there (manual rules wait for a person, not-applicable ones do not apply).
GATED_LEVELS = (Level.REQUIRED, Level.RECOMMENDED)
GATED_STATUSES = FAILING


@dataclass(frozen=True)
class Gates:
    """`fail_under`: every workload's score for its target must be at least this (0-100).
    `fail_on`: no counted `fail` or `error` finding may have this severity or a higher one."""

    fail_under: int | None = None
    fail_on: Severity | None = None

    def __post_init__(self) -> None:
        if self.fail_under is not None and not 0 <= self.fail_under <= 100:
            raise ValueError(f"fail_under must be between 0 and 100, not {self.fail_under}")


def breaches(report: Report, gates: Gates) -> tuple[str, ...]:
    """One sentence per gate a workload or finding breaks; empty when every gate holds."""
    out: list[str] = []
    if gates.fail_under is not None:
        for result in report.workloads:
            if result.target.score < gates.fail_under:
                out.append(
                    f"{result.name}: score {result.target.score} for its target "
                    f"({result.workload.target_summary}) is under {gates.fail_under}"
                )
    if gates.fail_on is not None:
        floor = gates.fail_on.rank
        for finding in report.findings:
            if (
                finding.status in GATED_STATUSES
                and finding.target_level in GATED_LEVELS
                and finding.severity.rank >= floor
            ):
                out.append(
                    f"{finding.workload}: {finding.rule} is {finding.status.value} "
                    f"({finding.severity.value}, {finding.target_level.value} at its target)"
                )
    return tuple(out)


def exit_code(report: Report, gates: Gates) -> int:
    """The report's exit code, made 1 when a gate is breached; 3 (incomplete) still wins."""
    code = report.exit_code
    if code == EXIT_INCOMPLETE:
        return code
    return EXIT_NOT_READY if breaches(report, gates) else code
