"""One exception class per seam, under one base; only the CLI catches them."""


class AuditorError(Exception):
    """Base of every error the CLI maps to an exit code and a one-line message (one line per
    problem when an input has several: `problems`)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class SnapshotError(AuditorError):
    """A snapshot file is missing, unreadable or does not follow the snapshot format."""


class ConfigError(AuditorError):
    """The configuration file (auditor.yaml) is missing, unreadable or invalid."""


class RuleError(AuditorError):
    """A rule file or rule directory is invalid."""


class RenderError(AuditorError):
    """A report could not be written."""


class CollectionError(AuditorError):
    """Live collection from Azure could not start at all."""


class SignInError(AuditorError):
    """No credential gave a token: nothing was collected, so readiness cannot be proven (the
    CLI exits 3, not 2: the input was fine, the scan could not be made)."""


class WaiverError(AuditorError):
    """A waivers file is missing, unreadable or invalid."""


class ReportFileError(AuditorError):
    """A JSON report given to a command (auditor diff) is missing or not a valid report."""


class HistoryError(AuditorError):
    """A history database cannot be opened, read or written."""


class LogAnalyticsError(AuditorError):
    """A Log Analytics destination (endpoint, rule id, stream) or an upload spool is invalid."""


class UsageError(AuditorError):
    """Arguments that contradict each other (the CLI shows it with the command's usage)."""


class OutputError(AuditorError):
    """An output would overwrite an input or another output, or names a directory."""


class SelectionError(AuditorError):
    """A workload pattern (--workload) matches no workload of the report."""
