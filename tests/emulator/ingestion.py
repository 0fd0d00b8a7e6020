"""A local emulator of the Azure Monitor Logs Ingestion API (a data collection endpoint).

A real HTTP server on 127.0.0.1 answering ``POST /dataCollectionRules/{id}/streams/{stream}``
as the service does: gzip bodies decoded, the 1 MB request limit (413
ContentLengthLimitExceeded), rows checked against the stream's declared columns and types,
204 when accepted. Scripted faults answer 429/5xx (with Retry-After) or 403 instead. The bearer
token itself is never kept.
"""

from __future__ import annotations

import datetime as dt
import gzip
import http.server
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

REPO = Path(__file__).resolve().parents[2]
TABLES = REPO / "deploy" / "log-analytics" / "tables.json"
RULE_ID = "dcr-00112233445566778899aabbccddeeff"
API_VERSION = "2023-01-01"
MAX_BYTES = 1024 * 1024  # "Maximum allowed content length: 1048576 bytes (1 MB)"


def declared_streams(path: Path = TABLES) -> dict[str, dict[str, str]]:
    """Stream name -> {column: type}, from the tables the Bicep template deploys."""
    document = json.loads(path.read_text())
    return {
        table["stream"]: {c["name"]: c["type"] for c in table["columns"]}
        for table in document.values()
    }


def _is_datetime(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "real": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "datetime": lambda v: isinstance(v, str) and _is_datetime(v),
    "dynamic": lambda v: True,
}


def row_problems(row: Any, columns: Mapping[str, str]) -> list[str]:
    """Why a row does not fit the stream: a column it lacks, one the stream does not declare
    (the service would drop it without a word), or a value of another type."""
    if not isinstance(row, dict):
        return [f"not an object: {type(row).__name__}"]
    problems = [f"missing column {name}" for name in columns if name not in row]
    problems += [f"undeclared column {name}" for name in row if name not in columns]
    for name, value in row.items():
        kind = columns.get(name)
        if kind and value is not None and not _TYPES[kind](value):
            problems.append(f"column {name}: {value!r} is not {kind}")
    return problems


@dataclass
class Fault:
    """Answered instead of the normal response to a request it matches, `times` times (None:
    always)."""

    status: int
    times: int | None = 1
    retry_after: str | None = None
    when: Callable[[str, list[Any]], bool] | None = None  # (stream, rows) -> match
    code: str = "ServiceError"
    message: str = "scripted fault"


@dataclass(frozen=True)
class Request:
    """One request received: no header value of Authorization is kept, only its presence."""

    time: float
    stream: str
    status: int
    content_length: int
    content_encoding: str
    decoded_length: int
    rows: int
    authorization: bool
    query: dict[str, str]


@dataclass
class IngestionEmulator:
    token: str
    streams: Mapping[str, Mapping[str, str]] = field(default_factory=declared_streams)
    rule_id: str = RULE_ID
    forbidden: bool = False
    requests: list[Request] = field(default_factory=list)
    accepted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    _server: http.server.ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fail(self, status: int, **kwargs: Any) -> Fault:
        fault = Fault(status, **kwargs)
        self.faults.append(fault)
        return fault

    def rows(self, stream: str) -> list[dict[str, Any]]:
        return list(self.accepted.get(stream, []))

    def __enter__(self) -> IngestionEmulator:
        emulator = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                status, body, headers = emulator._answer(self)
                payload = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if payload:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _answer(
        self, handler: http.server.BaseHTTPRequestHandler
    ) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(handler.path)
        query = dict(parse_qsl(parts.query))
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        encoding = (handler.headers.get("Content-Encoding") or "").lower()
        auth = handler.headers.get("Authorization") or ""
        segments = parts.path.strip("/").split("/")
        stream = segments[3] if len(segments) == 4 else ""
        decoded = raw
        rows: list[Any] = []

        def answer(status: int, code: str = "", message: str = "", **headers: str) -> Any:
            with self._lock:
                self.requests.append(
                    Request(
                        time.monotonic(),
                        stream,
                        status,
                        len(raw),
                        encoding,
                        len(decoded),
                        len(rows),
                        bool(auth),
                        query,
                    )
                )
            body = {"error": {"code": code, "message": message}} if code else None
            return status, body, headers

        if len(segments) != 4 or segments[0] != "dataCollectionRules" or segments[2] != "streams":
            return answer(404, "NotFound", f"no such path {parts.path}")
        if query.get("api-version") != API_VERSION:
            return answer(400, "InvalidApiVersion", f"api-version {query.get('api-version')}")
        if auth != f"Bearer {self.token}":
            return answer(401, "InvalidToken", "no valid bearer token")
        if segments[1] != self.rule_id:
            return answer(
                404,
                "NotFound",
                f"Data collection rule with immutable Id '{segments[1]}' not found.",
            )
        if self.forbidden:
            return answer(
                403,
                "OperationFailed",
                "The authentication token provided does not have access to ingest data for the "
                f"data collection rule with immutable Id '{self.rule_id}'.",
            )
        if stream not in self.streams:
            return answer(400, "InvalidStream", f"Stream '{stream}' is not declared in the rule.")
        if len(raw) > MAX_BYTES:
            return answer(
                413,
                "ContentLengthLimitExceeded",
                f"Maximum allowed content length: {MAX_BYTES} bytes (1 MB). "
                f"Provided content length: {len(raw)} bytes.",
            )
        if encoding == "gzip":
            try:
                decoded = gzip.decompress(raw)
            except (OSError, EOFError):
                return answer(400, "InvalidContentEncoding", "the body is not gzip")
        if len(decoded) > MAX_BYTES:  # the stricter reading: the limit holds uncompressed too
            return answer(
                413,
                "ContentLengthLimitExceeded",
                f"Maximum allowed content length: {MAX_BYTES} bytes (1 MB). "
                f"Provided content length: {len(decoded)} bytes.",
            )
        try:
            parsed = json.loads(decoded)
        except ValueError:
            return answer(400, "InvalidJson", "the body is not JSON")
        if not isinstance(parsed, list):
            return answer(400, "InvalidJson", "the body is not a JSON array")
        rows = parsed
        for fault in self.faults:
            if fault.times == 0 or (fault.when and not fault.when(stream, rows)):
                continue
            if fault.times is not None:
                fault.times -= 1
            extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return answer(fault.status, fault.code, fault.message, **extra)
        for index, row in enumerate(rows):
            problems = row_problems(row, self.streams[stream])
            if problems:
                return answer(400, "InvalidContent", f"row {index}: {'; '.join(problems)}")
        with self._lock:
            self.accepted.setdefault(stream, []).extend(rows)
        return answer(204)


def all_rows(emulator: IngestionEmulator, streams: Sequence[str]) -> list[dict[str, Any]]:
    return [row for stream in streams for row in emulator.rows(stream)]
