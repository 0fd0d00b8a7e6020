"""Resource Graph: the query, page by page, paced by the quota headers, into the recorder."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from azure.core.exceptions import AzureError, HttpResponseError

from auditor.azure import GRAPH_API_VERSION, GRAPH_PATH, TABLE_QUERIES, resource_query
from auditor.collect.auth import Guard
from auditor.collect.record import Event, Observer, Recorder, error_entry, parse_json

# The query is a read, so retrying its POST is safe; azure-core otherwise retries a POST only
# on 5xx or a 429 with Retry-After, and never after a dropped connection.
RETRY_METHODS = frozenset({"HEAD", "GET", "PUT", "DELETE", "OPTIONS", "TRACE", "POST"})

Scope = dict[str, list[str]]
# How long a throttled page is asked again before it is given up.
THROTTLED_FOR = 90.0


class Pacer:
    """Paces Resource Graph queries from the quota headers, so a healthy run is not throttled."""

    def __init__(
        self,
        observer: Observer,
        guard: Guard | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._observer = observer
        self._guard = guard or Guard("https://localhost")
        self._clock = clock
        self._remaining: int | None = None
        self._resets_at = 0.0
        self._lock = threading.Lock()

    def update(self, headers: Any) -> None:
        remaining = headers.get("x-ms-user-quota-remaining")
        resets = headers.get("x-ms-user-quota-resets-after")
        if remaining is None or resets is None:
            return
        try:
            count = int(remaining)
            hours, minutes, seconds = (float(p) for p in str(resets).split(":"))
        except ValueError:
            return
        with self._lock:
            self._remaining = count
            self._resets_at = self._clock() + hours * 3600 + minutes * 60 + seconds

    def wait(self) -> None:
        with self._lock:
            remaining, resets_at = self._remaining, self._resets_at
        if remaining is not None and remaining <= 0:
            delay = resets_at - self._clock()
            if delay > 0:
                self._observer(Event("wait", f"Resource Graph quota used: waiting {delay:.1f}s"))
                self._guard.wait(delay)
            with self._lock:
                self._remaining = None


class GraphReader:
    """Pages through Resource Graph queries, handing each page of resources to `on_rows` (which
    plans the ARM reads it calls for while the next pages are fetched)."""

    def __init__(
        self,
        client: Any,
        recorder: Recorder,
        observer: Observer,
        page_size: int,
        on_rows: Callable[[list[dict[str, Any]]], None],
        guard: Guard,
        throttled_for: float = THROTTLED_FOR,
    ) -> None:
        self.client = client
        self.recorder = recorder
        self.observer = observer
        self.guard = guard
        self.pacer = Pacer(observer, guard)
        self.page_size = page_size
        self.on_rows = on_rows
        self.throttled_for = throttled_for

    def query(self, scope: Scope, label: str, table: str = "resources") -> None:
        from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

        token: str | None = None
        page = 0
        received = 0
        limited = False  # the tenant-subscription limit is said once per query, not per page
        query = resource_query() if table == "resources" else TABLE_QUERIES[table]
        while True:
            request = QueryRequest(
                query=query,
                options=QueryRequestOptions(
                    top=self.page_size,
                    skip_token=token,
                    result_format="objectArray",
                    allow_partial_scopes=bool(scope.get("management_groups")),
                ),
                subscriptions=scope.get("subscriptions"),
                management_groups=scope.get("management_groups"),
            )
            try:
                body, partial = self._page(request)
            except AzureError as exc:
                self._failed(scope, label, page, exc, table)
                return
            page += 1
            where = f"POST {GRAPH_PATH} ({table}, {label}, page {page})"
            if partial and not limited:
                limited = True
                self._gap(
                    scope, where, "TenantSubscriptionLimitHit", "Resource Graph answered for "
                    "the first subscriptions of the scope only (x-ms-tenant-subscription-limit-"
                    "hit): scan the rest by subscription",
                )  # fmt: skip
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                self._gap(scope, where, "NoData", "Resource Graph answered without rows")
                return
            rows = data
            received += len(rows)
            with self.recorder.lock:
                if self.recorder.closed:
                    return
                if table == "resources":
                    self.recorder.rows.extend(rows)
                else:
                    self.recorder.tables.setdefault(table, []).extend(rows)
            if table == "resources":
                self.on_rows(rows)
            self.observer(Event("query_page", f"Resource Graph {label}: page {page}", len(rows)))
            token = body.get("$skipToken")
            if not token:
                total = body.get("totalRecords")
                if str(body.get("resultTruncated", "false")).lower() == "true":
                    self._gap(
                        scope, where, "ResultTruncated",
                        "Resource Graph truncated the result and gave no $skipToken",
                    )  # fmt: skip
                elif isinstance(total, int) and received < total:
                    self._gap(
                        scope, where, "ResultIncomplete",
                        f"Resource Graph returned {received} of {total} rows and no $skipToken",
                    )  # fmt: skip
                return

    def _gap(self, scope: Scope, request: str, code: str, text: str) -> None:
        """A Resource Graph answer that came back but does not hold every row: an error, so
        the scan says it is incomplete and the rules do not pass on what is missing."""
        subs = scope.get("subscriptions", [])
        self.recorder.error(
            {
                "source": "resource_graph",
                "request": request,
                "status": None,
                "code": code,
                "message": text,
                "subscription": subs[0] if len(subs) == 1 else None,
            }
        )
        self.observer(Event("error", f"{request}: {code}"))

    def _page(self, request: Any) -> Any:
        """One page, asked again while Resource Graph throttles (429) for up to
        `throttled_for` seconds: its quota window is seconds long, and giving a page up
        after azure-core's few status retries left whole estates unread."""
        started = time.monotonic()
        attempt = 0
        while True:
            self.pacer.wait()
            self.guard.check()
            try:
                return self._post(request)
            except HttpResponseError as exc:
                waited = time.monotonic() - started
                if exc.status_code != 429 or waited >= self.throttled_for:
                    raise
                delay = min(2.0**attempt, 15.0)
                headers = getattr(exc.response, "headers", None) or {}
                retry_after = headers.get("Retry-After")
                with contextlib.suppress(ValueError):
                    delay = max(delay, float(retry_after)) if retry_after else delay
                if delay > self.guard.max_retry_after:
                    raise
                delay = min(delay, max(0.5, self.throttled_for - waited))
                self.observer(Event("wait", f"Resource Graph throttled: waiting {delay:.1f}s"))
                self.guard.wait(delay)
                attempt += 1

    def _post(self, request: Any) -> Any:
        """POST one query through the ResourceGraphClient's pipeline (auth, retries) and keep
        the rows exactly as Resource Graph sent them: the model layer would rebuild every row
        object by object, which costs more CPU than the whole scan."""
        from azure.core.rest import HttpRequest
        from azure.mgmt.core.exceptions import ARMErrorFormat

        http = HttpRequest(
            "POST",
            GRAPH_PATH,
            params={"api-version": GRAPH_API_VERSION},
            json=request.serialize(),
        )
        response = self.client._send_request(
            http,
            raw_response_hook=lambda r: self.pacer.update(r.http_response.headers),
            retry_on_methods=RETRY_METHODS,
        )
        if response.status_code != 200:
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)
        try:
            body = parse_json(response.text())
        except (ValueError, RecursionError) as exc:
            raise HttpResponseError(
                message=f"Resource Graph answered a body that is not JSON: {exc}",
                response=response,
            ) from None
        if not isinstance(body, dict):
            raise HttpResponseError(
                message="Resource Graph answered a body that is not an object", response=response
            )
        limit = str(response.headers.get("x-ms-tenant-subscription-limit-hit", "")).lower()
        return body, limit == "true"

    def _failed(self, scope: Scope, label: str, page: int, exc: AzureError, table: str) -> None:
        subs = scope.get("subscriptions", [])
        forbidden = isinstance(exc, HttpResponseError) and exc.status_code == 403
        kind = "subscriptions" if subs else "management_groups"
        members = scope.get(kind, [])
        if forbidden and page == 0 and len(members) > 1:
            # One subscription (or management group) the identity cannot read must not hide
            # the others: split the batch.
            middle = len(members) // 2
            for part in (members[:middle], members[middle:]):
                self.query({kind: part}, scope_label({kind: part}), table)
            return
        sub = subs[0] if len(subs) == 1 else None
        request = f"POST {GRAPH_PATH} ({table}, {label}, page {page + 1})"
        entry = error_entry("resource_graph", request, exc, sub)
        self.recorder.error(entry)
        self.observer(Event("error", f"{request}: {entry['status']} {entry['code']}"))


def scope_label(scope: Scope) -> str:
    if scope.get("management_groups"):
        return "management groups " + ", ".join(scope["management_groups"])
    subs = scope.get("subscriptions", [])
    return f"subscription {subs[0]}" if len(subs) == 1 else f"{len(subs)} subscriptions"
