"""Sending rows to Azure Monitor Logs through the Logs Ingestion API, and the spool of rows that
could not be sent."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.pipeline.policies import RetryPolicy
from azure.monitor.ingestion import LogsIngestionClient, LogsUploadError

from auditor.atomic import write_atomic
from auditor.collect.auth import AuthPolicy, is_loopback
from auditor.errors import LogAnalyticsError
from auditor.log_analytics.rows import FINDING, KINDS, TABLES, Row

# Azure Monitor's token audience per cloud (the Logs Ingestion API's scope).
SCOPES = {
    "AzureCloud": "https://monitor.azure.com/.default",
    "AzureUSGovernment": "https://monitor.azure.us/.default",
    "AzureChinaCloud": "https://monitor.azure.cn/.default",
}
# At most this much JSON per request. The Logs Ingestion API refuses a request over 1 MB
# (413 ContentLengthLimitExceeded); the client splits at 1 MiB counting each row alone, not
# the separators between rows, so it is handed batches it sends whole, under 1 MB however the
# limit is counted (compressed or not, MB or MiB).
BATCH_BYTES = 1_000_000
# Retries of one request (the client's pipeline, which waits what the server's Retry-After says,
# else backs off exponentially from RETRY_BACKOFF seconds).
RETRIES = 5
RETRY_BACKOFF = 0.8
RULE_ID = re.compile(r"^dcr-[0-9a-f]{32}$")
ROLE = "Monitoring Metrics Publisher"
SPOOL_FORMAT = "auditor.log-analytics-spool"
SPOOL_PATTERN = "auditor-spool-*.ndjson"


@dataclass(frozen=True)
class Destination:
    """A data collection endpoint, the immutable id of a data collection rule, and the stream
    each kind of row goes to."""

    endpoint: str
    rule_id: str
    streams: Mapping[str, str]
    cloud: str = "AzureCloud"

    @property
    def scope(self) -> str:
        return SCOPES[self.cloud]


def destination(
    endpoint: str,
    rule_id: str | None,
    streams: Sequence[str] = (),
    cloud: str = "AzureCloud",
) -> Destination:
    """A checked destination. `streams`: `NAME` (the finding stream) or `KIND=NAME` for the
    workload and run streams; the others keep their default names."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise LogAnalyticsError(
            f"--log-analytics: expected the https:// URL of a data collection endpoint, "
            f"got '{endpoint}'"
        )
    if parts.scheme == "http" and not is_loopback(endpoint):
        raise LogAnalyticsError(
            f"--log-analytics: plain http is accepted only on a loopback address, got '{endpoint}'"
        )
    if not rule_id:
        raise LogAnalyticsError(
            "--log-analytics needs --dcr, the data collection rule's immutable id"
        )
    if not RULE_ID.match(rule_id):
        raise LogAnalyticsError(
            f"--dcr: expected a data collection rule's immutable id (dcr- and 32 hex digits), "
            f"got '{rule_id}'"
        )
    if cloud not in SCOPES:
        raise LogAnalyticsError(f"--cloud: expected one of {', '.join(SCOPES)}, got '{cloud}'")
    chosen = {kind: table.stream for kind, table in TABLES.items()}
    for given in streams:
        kind, _, name = given.rpartition("=")
        kind = kind or FINDING
        if kind not in TABLES:
            raise LogAnalyticsError(
                f"--stream: expected NAME (findings) or KIND=NAME with KIND one of "
                f"{', '.join(KINDS)}, got '{given}'"
            )
        if not re.match(r"^Custom-[A-Za-z0-9_]+$", name):
            raise LogAnalyticsError(f"--stream: expected a stream name Custom-..., got '{name}'")
        chosen[kind] = name
    return Destination(endpoint.rstrip("/"), rule_id, chosen, cloud)


@dataclass
class Outcome:
    """What an upload did: rows sent and unsent per kind, and a line for each distinct problem."""

    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unsent: dict[str, list[Row]] = field(default_factory=lambda: {k: [] for k in KINDS})
    problems: list[str] = field(default_factory=list)
    spool: Path | None = None

    @property
    def complete(self) -> bool:
        return not any(self.unsent.values())

    @property
    def sent_total(self) -> int:
        return sum(self.sent.values())

    @property
    def unsent_total(self) -> int:
        return sum(len(rows) for rows in self.unsent.values())

    def problem(self, line: str) -> None:
        if line not in self.problems:
            self.problems.append(line)


class _Retry(RetryPolicy):  # type: ignore[type-arg]
    """azure-core's policy, retrying a POST on 408, 429 and 5xx and on a lost response as it
    does a GET: an upload sent twice lands twice, and every query deduplicates on event_id."""

    def _is_method_retryable(self, settings: Any, request: Any, response: Any = None) -> bool:
        if request.method.upper() == "POST":
            return response is None or response.status_code in {408, 429, 500, 502, 503, 504}
        return bool(super()._is_method_retryable(settings, request, response))


def client(
    dest: Destination,
    credential: TokenCredential,
    *,
    retries: int = RETRIES,
    backoff: float = RETRY_BACKOFF,
) -> LogsIngestionClient:
    network: dict[str, Any] = {}
    if is_loopback(dest.endpoint):
        network = {"use_env_settings": False, "proxies": None}  # never through a proxy
    return LogsIngestionClient(
        dest.endpoint,
        credential,
        credential_scopes=[dest.scope],
        authentication_policy=AuthPolicy(credential, dest.scope),
        retry_policy=_Retry(retry_total=retries, retry_backoff_factor=backoff),
        **network,
    )


def batches(rows: Sequence[Row], limit: int = BATCH_BYTES) -> Iterator[list[Row]]:
    """Rows in order, in batches whose JSON array (as the client writes it) is at most `limit`
    bytes; a row larger than that alone is a batch of its own (the endpoint refuses it)."""
    batch: list[Row] = []
    size = 2  # []
    for row in rows:
        row_size = len(json.dumps(row)) + (2 if batch else 0)  # ", " between rows
        if batch and size + row_size > limit:
            yield batch
            batch, size, row_size = [], 2, row_size - 2
        batch.append(row)
        size += row_size
    if batch:
        yield batch


def _error_text(exc: HttpResponseError) -> tuple[str, str]:
    """The error code and message the service answered, if it said any."""
    code = message = ""
    try:
        body = json.loads(exc.response.text()) if exc.response is not None else None
    except (ValueError, AttributeError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = str(body["error"].get("code") or "")
        message = str(body["error"].get("message") or "")
    return code, message or str(exc.reason or "")


def _explain(exc: BaseException, dest: Destination, stream: str, count: int) -> tuple[str, bool]:
    """One line saying what went wrong and what to do; and whether the next batches would fail
    the same way (then they are spooled without being sent)."""
    where = f"data collection rule {dest.rule_id}"
    if isinstance(exc, HttpResponseError) and exc.status_code is not None:
        status = exc.status_code
        code, message = _error_text(exc)
        said = f"{status} {code}".strip() + (f": {message}" if message else "")
        if status == 403:
            return (
                f"Log Analytics refused the upload ({status} {code or 'Forbidden'}): the identity "
                f"may not send to {where}; grant it the {ROLE} role on that data collection rule",
                True,
            )
        if status == 401:
            return f"Log Analytics did not accept the token ({said})", True
        if status == 404:
            return (
                f"no {where} with stream {stream} at {dest.endpoint} ({said}): check --dcr (the "
                "rule's immutable id), --stream and --log-analytics (its data collection endpoint)",
                True,
            )
        if status == 413:
            return f"{count} row(s) of {stream} were refused as too large ({said})", False
        if status in (400, 422):
            return f"{count} row(s) of {stream} were refused ({said})", False
        return f"the endpoint kept failing, retries included ({said})", True
    if isinstance(exc, ClientAuthenticationError):
        first = str(exc.message or exc).strip().splitlines()[0] if str(exc).strip() else ""
        return f"cannot get a token for Azure Monitor: {first}", True
    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        return f"cannot reach {dest.endpoint}: {str(exc.message or exc).splitlines()[0]}", True
    raise exc


def send(
    rows: Mapping[str, Sequence[Row]],
    dest: Destination,
    credential: TokenCredential,
    *,
    batch_bytes: int = BATCH_BYTES,
    retries: int = RETRIES,
    backoff: float = RETRY_BACKOFF,
) -> Outcome:
    """Send rows per kind (run, workload, finding) in batches. A batch that still fails after
    the client's retries is kept in the outcome's `unsent`; after a failure that every request
    would meet (authorization, a wrong rule or stream, an endpoint that keeps failing), the
    rows not yet sent are kept without being tried."""
    outcome = Outcome()
    stop = False
    with client(dest, credential, retries=retries, backoff=backoff) as ingestion:
        for kind in KINDS:
            stream = dest.streams[kind]
            for batch in batches(list(rows.get(kind, ())), batch_bytes):
                if stop:
                    outcome.unsent[kind].extend(batch)
                    continue
                failures: list[LogsUploadError] = []
                try:
                    logs: list[MutableMapping[str, Any]] = list(batch)
                    ingestion.upload(dest.rule_id, stream, logs, on_error=failures.append)
                except (HttpResponseError, ClientAuthenticationError, ServiceRequestError) as exc:
                    failures.append(LogsUploadError(error=exc, failed_logs=list(batch)))
                if not failures:
                    outcome.sent[kind] += len(batch)
                    continue
                failed = [row for f in failures for row in f.failed_logs]
                outcome.sent[kind] += len(batch) - len(failed)
                outcome.unsent[kind].extend(failed)  # type: ignore[arg-type]
                line, stop = _explain(failures[0].error, dest, stream, len(failed))
                outcome.problem(line)
    return outcome


# --- the spool -----------------------------------------------------------------------------


def spool_path(directory: Path | str, scan: str) -> Path:
    return Path(directory) / f"auditor-spool-{scan}.ndjson"


def write_spool(
    path: Path, scan: str, unsent: Mapping[str, Sequence[Row]], *, merge: bool = True
) -> None:
    """The rows not sent, one JSON object a line after a header; with `merge`, rows already in
    an earlier spool of the same scan are kept, once each (by kind and event_id). Nothing
    else: no credential, no endpoint answer."""
    merged: dict[tuple[str, str], tuple[str, Row]] = {}
    if merge and path.exists():
        for kind, row in read_spool(path)[1]:
            merged[(kind, row["event_id"])] = (kind, row)
    for kind in KINDS:
        for row in unsent.get(kind, ()):
            merged[(kind, row["event_id"])] = (kind, row)
    header = {"format": SPOOL_FORMAT, "version": 1, "scan_id": scan, "rows": len(merged)}
    lines = [json.dumps(header)] + [
        json.dumps({"kind": kind, "row": row}, ensure_ascii=False) for kind, row in merged.values()
    ]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, ("\n".join(lines) + "\n").encode())
    except OSError as exc:
        raise LogAnalyticsError(f"{path}: cannot write the spool: {exc.strerror or exc}") from None


def read_spool(path: Path) -> tuple[str, list[tuple[str, Row]]]:
    """A spool file's scan id and its rows (kind, row)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise LogAnalyticsError(f"{path}: cannot read the spool: {reason}") from None
    try:
        header = json.loads(lines[0]) if lines else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != SPOOL_FORMAT:
        raise LogAnalyticsError(
            f"{path}: not an auditor upload spool (line 1: no {SPOOL_FORMAT} header)"
        )
    if header.get("version") != 1:
        raise LogAnalyticsError(f"{path}: spool version {header.get('version')!r}, expected 1")
    rows: list[tuple[str, Row]] = []
    for number, line in enumerate(lines[1:], start=2):
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        if (
            not isinstance(item, dict)
            or item.get("kind") not in TABLES
            or not isinstance(item.get("row"), dict)
            or not isinstance(item["row"].get("event_id"), str)
        ):
            raise LogAnalyticsError(
                f'{path}: line {number}: expected {{"kind", "row"}} with an event_id'
            )
        rows.append((item["kind"], item["row"]))
    return str(header.get("scan_id", "")), rows


def spool_files(path: Path | str) -> list[Path]:
    """The spool files a path names: the file itself, or those in a directory."""
    given = Path(path)
    if given.is_dir():
        return sorted(given.glob(SPOOL_PATTERN))
    if not given.exists():
        raise LogAnalyticsError(f"{given}: no such spool file or directory")
    return [given]


def upload_rows(
    rows: Mapping[str, Sequence[Row]],
    scan: str,
    dest: Destination,
    credential: TokenCredential,
    spool_dir: Path | str,
    **options: Any,
) -> Outcome:
    """Send a report's rows; what could not be sent goes to the spool (the outcome says where)."""
    outcome = send(rows, dest, credential, **options)
    if not outcome.complete:
        outcome.spool = spool_path(spool_dir, scan)
        write_spool(outcome.spool, scan, outcome.unsent)
    return outcome


def upload_spool(
    path: Path | str,
    dest: Destination,
    credential: TokenCredential,
    *,
    progress: Callable[[Path, Outcome], None] | None = None,
    **options: Any,
) -> Outcome:
    """Send what spool files hold. A file whose rows all went is removed; one that still holds
    unsent rows is rewritten with those only, so a row is never sent twice by the spool."""
    total = Outcome()
    for file in spool_files(path):
        scan, spooled = read_spool(file)
        rows: dict[str, list[Row]] = {k: [] for k in KINDS}
        for kind, row in spooled:
            rows[kind].append(row)
        outcome = send(rows, dest, credential, **options)
        if outcome.complete:
            file.unlink()
        else:
            write_spool(file, scan, outcome.unsent, merge=False)
            outcome.spool = file
            total.spool = file
        for kind in KINDS:
            total.sent[kind] += outcome.sent[kind]
            total.unsent[kind].extend(outcome.unsent[kind])
        for line in outcome.problems:
            total.problem(line)
        if progress:
            progress(file, outcome)
    return total
