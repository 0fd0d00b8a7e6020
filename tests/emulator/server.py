"""A local emulator of the Azure REST API surface the scanner reads, backed by a snapshot.

It is a real HTTP server on 127.0.0.1 (``ThreadingHTTPServer`` in a background thread) that
answers Resource Graph queries and ARM GETs from a snapshot v1 document
(docs/snapshot-format.md), with Resource Graph quota headers and throttling, paging, scripted
faults and dropped connections. See docs/emulator.md.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gzip
import hashlib
import http.server
import json
import math
import os
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

ARG_PATH = "/providers/microsoft.resourcegraph/resources"
"""The Resource Graph query path (compared lower-cased)."""

ARG_MAX_TOP = 1000
ARG_MAX_SUBSCRIPTIONS = 1000
_SUB_PATH = re.compile(r"^/subscriptions/([^/]+)(?:/|$)", re.IGNORECASE)


def load_snapshot(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a snapshot document from ``.json`` or ``.json.gz``."""
    p = Path(path)
    raw = p.read_bytes()
    if p.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    document = json.loads(raw)
    if not isinstance(document, dict):
        raise ValueError(f"{p}: a snapshot is a JSON object")
    return document


@dataclass(frozen=True)
class LoggedRequest:
    """One request the emulator received (the bearer token itself is never kept)."""

    method: str
    path: str
    """The URL path, percent-decoded, as sent (original case), without the query string."""
    query: dict[str, str]
    """Query-string parameters (the last value wins when one is repeated)."""
    body: Any
    """The parsed JSON body, or None (no body, or not JSON)."""
    status: int
    """The status answered; 0 when the connection was dropped without a response."""
    authorization: bool
    """Whether an Authorization header was present."""
    time: float
    """``time.monotonic()`` when the request arrived."""
    kind: str = "other"
    """``"arg"`` (the Resource Graph path), ``"arm"`` (any other GET) or ``"other"``."""
    dropped: bool = False


@dataclass
class Fault:
    """A scripted fault: answered instead of the normal response to a matching request."""

    match: str
    status: int
    times: int
    retry_after: float | None
    drop: bool
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    """Sent as the body byte for byte instead of JSON (HTML, JSON cut short, ...)."""
    delay: float = 0.0
    """Seconds to wait before answering (a hung request)."""
    drip: float = 0.0
    """Seconds between the bytes of the body (a response that never quite ends)."""

    def matches(self, kind: str, path: str) -> bool:
        m = self.match.lower()
        if m in ("arg", "arm"):
            return kind == m
        return m in path.lower()


@dataclass
class _Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    drip: float = 0.0


_DROP = object()


def _error(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> _Response:
    return _Response(status, {"error": {"code": code, "message": message}}, dict(headers or {}))


def _hhmmss(seconds: float) -> str:
    s = max(0, math.ceil(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _format_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class QueryError(ValueError):
    """A Resource Graph query the emulator does not understand."""


@dataclass(frozen=True)
class ParsedQuery:
    table: str
    types: frozenset[str] | None
    columns: tuple[str, ...] | None
    descending: bool = False


_QUOTED = re.compile(r"\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\")\s*(,|$)", re.DOTALL)


def _quoted_list(text: str) -> list[str]:
    values: list[str] = []
    pos = 0
    text = text.strip()
    if not text:
        return values
    while pos < len(text):
        m = _QUOTED.match(text, pos)
        if not m:
            raise QueryError(f"expected a quoted string at {text[pos:]!r}")
        values.append(m.group(1) if m.group(1) is not None else m.group(2))
        pos = m.end()
        if m.group(3) == "" and pos < len(text):
            raise QueryError(f"unexpected text {text[pos:]!r}")
    return values


def parse_query(text: str) -> ParsedQuery:
    """Understand the query shape the scanner sends (this is not a KQL engine).

    ``<table> [| where type in~ ('a', 'b') | where type =~ 'a'] [| project c1, c2]
    [| order by id [asc|desc]]``; anything else raises QueryError.
    """
    stages = [s.strip() for s in text.split("|")]
    table = stages[0]
    if not re.fullmatch(r"\w+", table):
        raise QueryError(f"expected a table name, got {table!r}")
    types: set[str] | None = None
    columns: tuple[str, ...] | None = None
    descending = False
    for stage in stages[1:]:
        if m := re.fullmatch(r"where\s+type\s+in~\s*\((.*)\)", stage, re.DOTALL | re.IGNORECASE):
            wanted = {t.lower() for t in _quoted_list(m.group(1))}
        elif m := re.fullmatch(r"where\s+type\s*=~\s*(.+)", stage, re.DOTALL | re.IGNORECASE):
            quoted = _quoted_list(m.group(1))
            if len(quoted) != 1:
                raise QueryError(f"expected one quoted type in {stage!r}")
            wanted = {quoted[0].lower()}
        elif m := re.fullmatch(r"project\s+(.+)", stage, re.DOTALL | re.IGNORECASE):
            names = tuple(c.strip() for c in m.group(1).split(","))
            bad = [c for c in names if not re.fullmatch(r"[A-Za-z_]\w*", c)]
            if bad:
                raise QueryError(f"the emulator projects plain column names only, not {bad}")
            columns = names
            continue
        elif m := re.fullmatch(
            r"(?:order|sort)\s+by\s+id(?:\s+(asc|desc))?", stage, re.DOTALL | re.IGNORECASE
        ):
            # KQL's default order is descending.
            descending = (m.group(1) or "desc").lower() == "desc"
            continue
        else:
            raise QueryError(f"the emulator does not understand the query stage {stage!r}")
        types = wanted if types is None else types & wanted
    return ParsedQuery(
        table.lower(), None if types is None else frozenset(types), columns, descending
    )


def _row_subscription(row: Mapping[str, Any]) -> str | None:
    sub = row.get("subscriptionId")
    if isinstance(sub, str) and sub:
        return sub.lower()
    rid = row.get("id")
    if isinstance(rid, str) and (m := _SUB_PATH.match(rid)):
        return m.group(1).lower()
    return None


def _column_type(values: Iterable[Any]) -> str:
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            return "boolean"
        if isinstance(v, int):
            return "integer"
        if isinstance(v, float):
            return "number"
        if isinstance(v, str):
            return "string"
        return "object"
    return "string"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    emulator: Emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up on a delayed or dripping answer is what such a fault tests.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "AzureEmulator/1.0"
    sys_version = ""
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.emulator._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.emulator._track(self.connection, False)

    def __getattr__(self, name: str) -> Any:
        # Every method (GET, POST, PUT, PATCH, DELETE, ...) goes to one handler, so that
        # unexpected ones are answered 405 and logged rather than 501 by http.server.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        body = self._read_body()
        result = self.server.emulator._dispatch(self.command, self.path, self.headers, body)
        if result is _DROP:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        assert isinstance(result, _Response)
        payload = b"" if result.body is None else json.dumps(result.body).encode()
        if result.raw is not None:
            payload = result.raw
        self.send_response(result.status)
        if result.body is not None or result.raw is not None:
            result.headers.setdefault("Content-Type", "application/json; charset=utf-8")
        for key, value in result.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD" and payload:
            if result.drip <= 0:
                self.wfile.write(payload)
                return
            for byte in payload:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(result.drip)


class Emulator:
    """The Azure REST emulator. Use as a context manager, or call start() and close().

    ``snapshot_doc`` is a snapshot v1 document (a dict), or the path of a ``.json[.gz]`` file.
    """

    def __init__(
        self,
        snapshot_doc: Mapping[str, Any] | str | os.PathLike[str],
        *,
        page_size_arm: int | None = 2,
        quota: int | None = 15,
        quota_window: float = 5.0,
        latency: float = 0.0,
        forbidden_subscriptions: Iterable[str] = (),
        management_groups: Mapping[str, Iterable[str]] | None = None,
        port: int = 0,
        on_request: Callable[[LoggedRequest], None] | None = None,
    ) -> None:
        if not isinstance(snapshot_doc, Mapping):
            snapshot_doc = load_snapshot(snapshot_doc)
        if snapshot_doc.get("format") != "auditor.snapshot" or snapshot_doc.get("version") != 1:
            raise ValueError("the emulator serves snapshot documents of format version 1")
        self.snapshot: Mapping[str, Any] = snapshot_doc
        self.page_size_arm = page_size_arm
        self.quota = quota
        self.quota_window = quota_window
        self.latency = latency
        self.forbidden_subscriptions = frozenset(s.lower() for s in forbidden_subscriptions)
        self.management_groups = (
            None
            if management_groups is None
            else {mg.lower(): [s.lower() for s in subs] for mg, subs in management_groups.items()}
        )
        self.port = port
        self.on_request = on_request
        self.requests: list[LoggedRequest] = []
        self.throttled = 0
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._selection_cache: dict[str, list[Any]] = {}
        self._window_start: float | None = None
        self._used = 0
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

        scope = snapshot_doc.get("scope") or {}
        self._scope_subscriptions: list[str] = list(scope.get("subscriptions") or [])
        self._tenant_id: str = scope.get("tenant_id") or "00000000-0000-0000-0000-000000000000"
        self._tables: dict[str, list[Any]] = {"resources": list(snapshot_doc.get("resources", []))}
        for name, rows in (snapshot_doc.get("tables") or {}).items():
            self._tables[name.lower()] = list(rows)
        subs = {s.lower() for s in self._scope_subscriptions}
        for rows in self._tables.values():
            subs.update(s for r in rows if isinstance(r, Mapping) and (s := _row_subscription(r)))
        self._all_subscriptions = frozenset(subs)
        self._arm: dict[str, list[Mapping[str, Any]]] = {}
        for entry in snapshot_doc.get("arm", []):
            key = str(entry.get("path", "")).rstrip("/").lower()
            self._arm.setdefault(key, []).append(entry)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Emulator:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.emulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # -- test controls ---------------------------------------------------------------------

    def script(
        self,
        match: str = "arg",
        status: int = 500,
        times: int = 1,
        retry_after: float | None = 1.0,
        drop: bool = False,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
        delay: float = 0.0,
        drip: float = 0.0,
    ) -> None:
        """Answer the next ``times`` requests matching ``match`` with a fault.

        ``match`` is ``"arg"`` (Resource Graph queries), ``"arm"`` (ARM GETs) or a substring of
        the path (case-insensitive). ``Retry-After: retry_after`` is sent with 429 and 503
        answers (not when None). ``drop=True`` closes the connection without any response.
        ``raw`` is sent as the body instead of JSON; ``delay`` seconds pass before the answer;
        ``drip`` seconds pass between its body's bytes. Faults are consumed in the order they
        were scripted.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(
                Fault(
                    match,
                    status,
                    times,
                    retry_after,
                    drop,
                    body,
                    dict(headers or {}),
                    raw,
                    delay,
                    drip,
                )
            )

    def pending_faults(self) -> int:
        with self._lock:
            return sum(f.times for f in self._faults)

    def count(
        self, method: str | None = None, kind: str | None = None, path: str | None = None
    ) -> int:
        """How many requests were received, optionally by method, kind and path substring."""
        with self._lock:
            logged = list(self.requests)
        return sum(
            1
            for r in logged
            if (method is None or r.method.upper() == method.upper())
            and (kind is None or r.kind == kind)
            and (path is None or path.lower() in r.path.lower())
        )

    def reset(self) -> None:
        """Forget logged requests, pending faults, throttle count and the quota window."""
        with self._lock:
            self.requests.clear()
            self._faults.clear()
            self.throttled = 0
            self._window_start = None
            self._used = 0

    # -- dispatch --------------------------------------------------------------------------

    def _dispatch(self, method: str, target: str, headers: Any, raw_body: bytes) -> object:
        arrived = time.monotonic()
        split = urlsplit(target)
        path = unquote(split.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        lpath = path.rstrip("/").lower() or "/"
        method = method.upper()
        kind = "arg" if lpath == ARG_PATH else ("arm" if method == "GET" else "other")
        body: Any = None
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body = None
        auth_header = headers.get("Authorization")

        if self.latency > 0:
            time.sleep(self.latency)

        result = self._answer(method, kind, path, split.path, query, headers, body)
        if isinstance(result, _Response):
            result.headers.setdefault("x-ms-request-id", str(uuid.uuid4()))
            result.headers.setdefault("x-ms-correlation-request-id", str(uuid.uuid4()))
        record = LoggedRequest(
            method=method,
            path=path,
            query=query,
            body=body,
            status=result.status if isinstance(result, _Response) else 0,
            authorization=auth_header is not None,
            time=arrived,
            kind=kind,
            dropped=result is _DROP,
        )
        with self._lock:
            self.requests.append(record)
        if self.on_request is not None:
            self.on_request(record)
        return result

    def _answer(
        self,
        method: str,
        kind: str,
        path: str,
        raw_path: str,
        query: dict[str, str],
        headers: Any,
        body: Any,
    ) -> _Response | object:
        if kind == "other" or (kind == "arg" and method != "POST"):
            return _error(
                405,
                "MethodNotAllowed",
                f"The emulator answers GET, and POST to the Resource Graph path only; "
                f"got {method} {path}.",
                {"Allow": "POST" if kind == "arg" else "GET"},
            )
        auth = (headers.get("Authorization") or "").split()
        if len(auth) != 2 or auth[0].lower() != "bearer":
            detail = "missing" if not auth else "not a Bearer token"
            return _error(
                401,
                "AuthenticationFailed" if not auth else "InvalidAuthenticationToken",
                f"Authentication failed. The 'Authorization' header is {detail}.",
                {
                    "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/'
                    f'{self._tenant_id}", error="invalid_token", '
                    f"error_description=\"The 'Authorization' header is {detail}.\""
                },
            )
        fault = self._take_fault(kind, path)
        if fault is not None:
            if fault.delay > 0:
                time.sleep(fault.delay)
            if fault.drop:
                return _DROP
            return self._fault_response(fault, kind)
        if not any(k.lower() == "api-version" for k in query):
            return _error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        if kind == "arg":
            return self._resource_graph(headers, body)
        return self._arm_get(path, raw_path, query)

    def _take_fault(self, kind: str, path: str) -> Fault | None:
        with self._lock:
            for i, fault in enumerate(self._faults):
                if fault.matches(kind, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        del self._faults[i]
                    return fault
        return None

    def _fault_response(self, fault: Fault, kind: str) -> _Response:
        codes = {
            400: "BadRequest",
            401: "AuthenticationFailed",
            403: "AuthorizationFailed",
            404: "ResourceNotFound",
            408: "RequestTimeout",
            429: "RateLimiting" if kind == "arg" else "TooManyRequests",
            500: "InternalServerError",
            502: "BadGateway",
            503: "ServiceUnavailable",
            504: "GatewayTimeout",
        }
        code = codes.get(fault.status, "EmulatedFault")
        message = f"Scripted fault {fault.status} from the emulator."
        if code == "RateLimiting":
            message = (
                "Please provide below info when asking for support: timestamp = "
                f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, correlationId = "
                f"{uuid.uuid4()}. Details: Client application has been throttled and should not "
                "attempt to repeat the request until an amount of time has elapsed. Please see "
                "https://aka.ms/resourcegraph-throttling for help."
            )
        body = (
            fault.body if fault.body is not None else {"error": {"code": code, "message": message}}
        )
        response = _Response(fault.status, body, dict(fault.headers), fault.raw, fault.drip)
        if fault.retry_after is not None and fault.status in (429, 503):
            response.headers.setdefault("Retry-After", _format_seconds(fault.retry_after))
        if kind == "arg":
            for key, value in self._quota_peek().items():
                response.headers.setdefault(key, value)
        return response

    # -- Resource Graph --------------------------------------------------------------------

    def _quota_headers(self, remaining: int, resets: float) -> dict[str, str]:
        return {
            "x-ms-user-quota-remaining": str(remaining),
            "x-ms-user-quota-resets-after": _hhmmss(resets),
        }

    def _quota_peek(self) -> dict[str, str]:
        if self.quota is None:
            return {}
        now = time.monotonic()
        with self._lock:
            start = self._window_start
            if start is None or now >= start + self.quota_window:
                return self._quota_headers(self.quota, self.quota_window)
            return self._quota_headers(
                max(0, self.quota - self._used), start + self.quota_window - now
            )

    def _quota_take(self) -> tuple[bool, dict[str, str], float]:
        """Count one query against the window: (allowed, quota headers, seconds to reset)."""
        if self.quota is None:
            return True, {}, 0.0
        now = time.monotonic()
        with self._lock:
            if self._window_start is None or now >= self._window_start + self.quota_window:
                self._window_start = now
                self._used = 0
            resets = self._window_start + self.quota_window - now
            if self._used >= self.quota:
                self.throttled += 1
                return False, self._quota_headers(0, resets), resets
            self._used += 1
            return True, self._quota_headers(self.quota - self._used, resets), resets

    def _resource_graph(self, headers: Any, body: Any) -> _Response:
        allowed, quota_headers, resets = self._quota_take()
        if not allowed:
            response = self._fault_response(
                Fault("arg", 429, 1, float(max(1, math.ceil(resets))), False), "arg"
            )
            response.headers.update(quota_headers)
            return response
        response = self._query(headers, body)
        response.headers.update(quota_headers)
        return response

    def _query(self, headers: Any, body: Any) -> _Response:
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            # What the service does (azure-docs, resource-graph troubleshoot/general.md).
            return _error(
                500,
                "InternalServerError",
                f"Encountered an internal server error (Content-Type {content_type!r}; "
                "Resource Graph requires application/json).",
            )
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return _error(400, "BadRequest", "The request body must be JSON with a 'query' string.")
        subs = body.get("subscriptions")
        mgs = body.get("managementGroups")
        options = body.get("options") or {}
        for name, value in (("subscriptions", subs), ("managementGroups", mgs)):
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, str) for v in value)
            ):
                return _error(400, "BadRequest", f"'{name}' must be a list of strings.")
        if not isinstance(options, dict):
            return _error(400, "BadRequest", "'options' must be an object.")
        if subs and mgs:
            return _error(
                400,
                "BadRequest",
                "A query cannot be scoped to both subscriptions and management groups.",
            )
        try:
            parsed = parse_query(body["query"])
        except QueryError as exc:
            return _error(400, "BadRequest", f"Query is invalid for the emulator: {exc}")

        # Scope.
        if subs:
            if len(subs) > ARG_MAX_SUBSCRIPTIONS:
                return _error(
                    400,
                    "BadRequest",
                    f"Too many subscriptions ({len(subs)} > {ARG_MAX_SUBSCRIPTIONS}); "
                    "see aka.ms/arg-error-toomanysubs.",
                )
            for sub in subs:
                if sub.lower() in self.forbidden_subscriptions:
                    return _error(
                        403,
                        "AuthorizationFailed",
                        "The client does not have authorization to perform action "
                        "'Microsoft.ResourceGraph/resources/read' over scope "
                        f"'/subscriptions/{sub}' or the scope is invalid: subscription {sub}.",
                    )
            scope = {s.lower() for s in subs}
            scope_key: list[str] = ["subscriptions", *sorted(scope)]
        elif mgs:
            scope = set()
            for mg in mgs:
                if self.management_groups is None:
                    scope |= self._all_subscriptions
                elif mg.lower() in self.management_groups:
                    scope.update(self.management_groups[mg.lower()])
                else:
                    return _error(
                        403,
                        "AuthorizationFailed",
                        "The client does not have authorization over scope "
                        f"'/providers/Microsoft.Management/managementGroups/{mg}' or the scope "
                        f"is invalid: management group {mg}.",
                    )
            # Subscriptions the caller cannot read are silently left out, as the service does.
            scope -= self.forbidden_subscriptions
            scope_key = ["managementGroups", *sorted(m.lower() for m in mgs)]
        else:
            scope = set(self._all_subscriptions - self.forbidden_subscriptions)
            scope_key = ["tenant"]

        # Rows.
        table = self._tables.get(parsed.table)
        if table is None:
            return _error(
                400,
                "BadRequest",
                f"Table '{parsed.table}' is not in the snapshot (has: {sorted(self._tables)}).",
            )
        # Every page of one query selects the same rows: select them once (a benchmark pages
        # through 100,000 rows, and re-selecting them per page would measure the emulator).
        cache_key = json.dumps(
            [
                parsed.table,
                sorted(parsed.types or ()),
                parsed.types is None,
                parsed.columns,
                parsed.descending,
                scope_key,
            ]
        )
        with self._lock:
            rows = self._selection_cache.get(cache_key)
        if rows is None:
            rows = [
                r
                for r in table
                if isinstance(r, Mapping)
                and (parsed.types is None or str(r.get("type", "")).lower() in parsed.types)
                and (_row_subscription(r) in scope)
            ]
            rows.sort(key=lambda r: str(r.get("id", "")).lower(), reverse=parsed.descending)
            if parsed.columns is not None:
                rows = [{c: r.get(c) for c in parsed.columns} for r in rows]
            with self._lock:
                self._selection_cache[cache_key] = rows

        # Paging.
        top = options.get("$top")
        skip = options.get("$skip")
        token = options.get("$skipToken")
        if top is not None and (
            not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= ARG_MAX_TOP
        ):
            return _error(400, "BadRequest", f"$top must be an integer in 1..{ARG_MAX_TOP}.")
        if skip is not None and (not isinstance(skip, int) or isinstance(skip, bool) or skip < 0):
            return _error(400, "BadRequest", "$skip must be a non-negative integer.")
        digest = hashlib.sha256(json.dumps([body["query"], scope_key]).encode()).hexdigest()[:16]
        if token is not None:
            decoded = self._decode_token(token)
            if decoded is None or decoded.get("QueryHash") != digest:
                return _error(
                    400,
                    "BadRequest",
                    "The $skipToken is not valid for this query and scope; send the same query "
                    "and scope as the request that returned it.",
                )
            offset = skip if skip is not None else int(decoded["RowsToSkip"])
            size = top if top is not None else int(decoded["MaxRows"])
        else:
            offset = skip or 0
            size = top if top is not None else ARG_MAX_TOP
        page = rows[offset : offset + size]
        following = offset + len(page)

        result_format = str(options.get("resultFormat") or "objectArray").lower()
        data: Any
        if result_format == "objectarray":
            data = page
        elif result_format == "table":
            names = list(parsed.columns or dict.fromkeys(k for r in rows for k in r))
            data = {
                "columns": [
                    {"name": n, "type": _column_type(r.get(n) for r in rows)} for n in names
                ],
                "rows": [[r.get(n) for n in names] for r in page],
            }
        else:
            return _error(400, "BadRequest", f"Unknown resultFormat {options['resultFormat']!r}.")

        # The keys in the order the service sends them (tests/real/resource-graph/
        # object-array-skiptoken-page.json): the token comes last.
        answer: dict[str, Any] = {
            "totalRecords": len(rows),
            "count": len(page),
            "data": data,
            "facets": [],
            "resultTruncated": "false",
        }
        if following < len(rows):
            answer["$skipToken"] = self._encode_token(following, size, digest)
        return _Response(200, answer)

    @staticmethod
    def _encode_token(offset: int, size: int, digest: str) -> str:
        # The service's token: standard base64 ('=' padding, '+' and '/' possible) of an
        # indented JSON object with CRLF line ends. QueryHash is the emulator's own key, so a
        # token sent with another query or scope is refused.
        token = {
            "$id": "1",
            "MaxRows": size,
            "RowsToSkip": offset,
            "KustoClusterUrl": "https://armtopology.kusto.windows.net",
            "QueryHash": digest,
        }
        raw = json.dumps(token, indent=2).replace("\n", "\r\n")
        return base64.b64encode(raw.encode()).decode()

    @staticmethod
    def _decode_token(token: Any) -> dict[str, Any] | None:
        if not isinstance(token, str):
            return None
        try:
            decoded = json.loads(base64.b64decode(token.encode(), validate=True))
        except (ValueError, binascii.Error):
            return None
        if not isinstance(decoded, dict) or not all(
            isinstance(decoded.get(k), t)
            for k, t in (("RowsToSkip", int), ("MaxRows", int), ("QueryHash", str))
        ):
            return None
        return decoded

    # -- ARM -------------------------------------------------------------------------------

    def _subscription_entry(self, sub: str) -> dict[str, Any]:
        return {
            "id": f"/subscriptions/{sub}",
            "subscriptionId": sub,
            "displayName": f"Emulated subscription {sub[:8]}",
            "state": "Enabled",
            "tenantId": self._tenant_id,
            "subscriptionPolicies": {
                "locationPlacementId": "Public_2014-09-01",
                "quotaId": "EnterpriseAgreement_2014-09-01",
                "spendingLimit": "Off",
            },
            "authorizationSource": "RoleBased",
        }

    def _arm_get(self, path: str, raw_path: str, query: dict[str, str]) -> _Response:
        lpath = path.rstrip("/").lower() or "/"
        api_version = next(v for k, v in query.items() if k.lower() == "api-version")
        if (m := _SUB_PATH.match(lpath)) and m.group(1) in self.forbidden_subscriptions:
            sub = m.group(1)
            return _error(
                403,
                "AuthorizationFailed",
                "The client does not have authorization to perform action 'read' over scope "
                f"'{path}' or the scope is invalid: subscription {sub}. If access was recently "
                "granted, please refresh your credentials.",
            )
        status: int
        body: Any
        if lpath == "/subscriptions":
            status, body = (
                200,
                {"value": [self._subscription_entry(s) for s in self._scope_subscriptions]},
            )
        elif entries := self._arm.get(lpath):
            entry = next((e for e in entries if e.get("api_version") == api_version), entries[0])
            status, body = int(entry.get("status", 200)), entry.get("body")
        elif (
            (m := _SUB_PATH.match(lpath))
            and lpath == f"/subscriptions/{m.group(1)}"
            and any(s.lower() == m.group(1) for s in self._scope_subscriptions)
        ):
            sub = next(s for s in self._scope_subscriptions if s.lower() == m.group(1))
            status, body = 200, self._subscription_entry(sub)
        else:
            return _error(
                404,
                "ResourceNotFound",
                f"The emulator's snapshot has no recorded read of '{path}'.",
            )
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("value"), list):
            if body is None and status >= 400:
                return _error(status, "RecordedError", f"Recorded status {status} for '{path}'.")
            return _Response(status, body)

        values: list[Any] = body["value"]
        token = next((v for k, v in query.items() if k.lower() == "$skiptoken"), None)
        offset = 0
        if token is not None:
            if not token.isdigit() or int(token) > len(values):
                return _error(400, "InvalidSkipToken", f"The $skiptoken {token!r} is not valid.")
            offset = int(token)
        # Only the list APIs that Azure pages (nextLink) are paged here: vmSizes and
        # locations answer in one response, and their SDK clients follow no nextLink.
        pageable = (
            lpath.endswith(("/usages", "/computes", "/quotas", "/datastores"))
            or lpath == "/subscriptions"
        )
        size = (self.page_size_arm if pageable else None) or max(1, len(values))
        page = {k: v for k, v in body.items() if k != "nextLink"}
        page["value"] = values[offset : offset + size]
        if offset + size < len(values):
            page["nextLink"] = (
                f"{self.url}{raw_path}"
                f"?api-version={quote(api_version, safe='')}&$skiptoken={offset + size}"
            )
        return _Response(200, page)
