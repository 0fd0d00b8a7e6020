"""Live collection: Resource Graph and the few ARM reads it cannot answer, into a snapshot v1.

Read-only: the only non-GET request ever sent is the Resource Graph query POST.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

from azure.core.credentials import TokenCredential
from azure.core.exceptions import AzureError, HttpResponseError

from auditor import __version__
from auditor.azure import (
    API_ML,
    ML_REGISTRY,
    REGISTRY,
    REPLICATION,
    WORKSPACE,
    blob_service_path,
    computes_path,
    datastores_path,
    norm_region,
    usages_path,
    vm_sizes_path,
)
from auditor.collect.auth import Target, client_kwargs

RESOURCE_TYPES = (
    WORKSPACE,
    "microsoft.machinelearningservices/workspaces/onlineendpoints",
    "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments",
    "microsoft.machinelearningservices/workspaces/batchendpoints",
    "microsoft.machinelearningservices/workspaces/batchendpoints/deployments",
    "microsoft.machinelearningservices/registries",
    "microsoft.storage/storageaccounts",
    "microsoft.keyvault/vaults",
    REGISTRY,
    REPLICATION,
    "microsoft.insights/components",
    "microsoft.network/privateendpoints",
    "microsoft.containerservice/managedclusters",
    "microsoft.documentdb/databaseaccounts",
    "microsoft.cdn/profiles",
    "microsoft.cdn/profiles/afdendpoints",
    "microsoft.cdn/profiles/origingroups",
    "microsoft.cdn/profiles/origingroups/origins",
    "microsoft.network/frontdoors",
    "microsoft.network/trafficmanagerprofiles",
)
# Other Resource Graph tables the rules read, recorded under the snapshot's `tables`.
TABLE_QUERIES = {
    "authorizationresources": (
        "authorizationresources\n"
        "| where type in~ ('microsoft.authorization/roleassignments')\n"
        "| project id, name, type, properties, subscriptionId\n"
        "| order by id asc"
    ),
}
GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"
GRAPH_API_VERSION = "2021-03-01"  # what azure-mgmt-resourcegraph 8.0.x speaks
# The query is a read, so retrying its POST is safe; azure-core otherwise retries a POST only
# on 5xx or a 429 with Retry-After, and never after a dropped connection.
RETRY_METHODS = frozenset({"HEAD", "GET", "PUT", "DELETE", "OPTIONS", "TRACE", "POST"})
COLUMNS = (
    "id, name, type, location, kind, sku, tags, properties, "
    "subscriptionId, resourceGroup, identity, zones"
)


def resource_query(types: Iterable[str] = RESOURCE_TYPES) -> str:
    """One query for every type the rules need, projecting only what they read, in id order."""
    listed = ", ".join(f"'{t}'" for t in types)
    return f"resources\n| where type in~ ({listed})\n| project {COLUMNS}\n| order by id asc"


@dataclass(frozen=True)
class Event:
    """A progress event; the collector emits them and a display may subscribe."""

    kind: str  # start, query_page, arm_read, error, wait, done
    message: str
    count: int = 0


Observer = Callable[[Event], None]


def _ignore(_: Event) -> None:
    return None


@dataclass
class Options:
    subscriptions: tuple[str, ...] = ()
    management_groups: tuple[str, ...] = ()
    batch_size: int = 1000
    page_size: int = 1000
    concurrency: int = 8
    retry_total: int = 6
    retry_backoff_factor: float = 0.8
    retry_backoff_max: float = 60.0


class Pacer:
    """Paces Resource Graph queries from the quota headers, so a healthy run is not throttled."""

    def __init__(self, observer: Observer, clock: Callable[[], float] = time.monotonic) -> None:
        self._observer = observer
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
                time.sleep(delay)
            with self._lock:
                self._remaining = None


@dataclass
class Recorder:
    """Accumulates what Azure answered, thread-safely."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    arm: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.errors.append(entry)


def _error_entry(
    source: str, request: str, exc: AzureError, subscription: str | None
) -> dict[str, Any]:
    status = exc.status_code if isinstance(exc, HttpResponseError) else None
    code = None
    if isinstance(exc, HttpResponseError) and exc.error is not None:
        code = exc.error.code
    message = str(exc.message if hasattr(exc, "message") else exc).splitlines()[0]
    entry: dict[str, Any] = {
        "source": source,
        "request": request,
        "status": status,
        "code": code or type(exc).__name__,
        "message": message,
    }
    if subscription:
        entry["subscription"] = subscription
    return entry


def _merge(pages: list[Any]) -> Any:
    if not pages:
        return None
    first = pages[0]
    if isinstance(first, dict) and isinstance(first.get("value"), list):
        merged = {k: v for k, v in first.items() if k != "nextLink"}
        merged["value"] = [item for page in pages for item in page.get("value", [])]
        return merged
    return first


class Collector:
    """Collects one snapshot. Clients are built here, never at import time."""

    def __init__(
        self,
        target: Target,
        credential: TokenCredential,
        options: Options,
        observer: Observer = _ignore,
    ) -> None:
        self.target = target
        self.credential = credential
        self.options = options
        self.observer = observer
        self.recorder = Recorder()
        self.pacer = Pacer(observer)
        self._ml_clients: dict[str, Any] = {}
        self._storage_clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._planned: set[tuple[str, ...]] = set()
        self._futures: list[Future[None]] = []
        self._pool: ThreadPoolExecutor

    def _kwargs(self) -> dict[str, Any]:
        return client_kwargs(
            self.target,
            self.credential,
            retry_total=self.options.retry_total,
            retry_backoff_factor=self.options.retry_backoff_factor,
            retry_backoff_max=self.options.retry_backoff_max,
        )

    # -- Resource Graph --------------------------------------------------------------------

    def _graph_client(self) -> Any:
        from azure.mgmt.resourcegraph import ResourceGraphClient

        return ResourceGraphClient(self.credential, **self._kwargs())

    def _query(
        self, client: Any, scope: dict[str, list[str]], label: str, table: str = "resources"
    ) -> None:
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
                    top=self.options.page_size,
                    skip_token=token,
                    result_format="objectArray",
                    allow_partial_scopes=bool(scope.get("management_groups")),
                ),
                subscriptions=scope.get("subscriptions"),
                management_groups=scope.get("management_groups"),
            )
            self.pacer.wait()
            try:
                body, partial = self._post_query(client, request)
            except AzureError as exc:
                self._graph_failed(client, scope, label, page, exc, table)
                return
            page += 1
            where = f"POST {GRAPH_PATH} ({table}, {label}, page {page})"
            if partial and not limited:
                limited = True
                self._graph_gap(
                    scope, where, "TenantSubscriptionLimitHit", "Resource Graph answered for "
                    "the first subscriptions of the scope only (x-ms-tenant-subscription-limit-"
                    "hit): scan the rest by subscription",
                )  # fmt: skip
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                self._graph_gap(scope, where, "NoData", "Resource Graph answered without rows")
                return
            rows = data
            received += len(rows)
            with self.recorder.lock:
                if table == "resources":
                    self.recorder.rows.extend(rows)
                else:
                    self.recorder.tables.setdefault(table, []).extend(rows)
            if table == "resources":
                self._plan(rows)
            self.observer(Event("query_page", f"Resource Graph {label}: page {page}", len(rows)))
            token = body.get("$skipToken")
            if not token:
                total = body.get("totalRecords")
                if str(body.get("resultTruncated", "false")).lower() == "true":
                    self._graph_gap(
                        scope, where, "ResultTruncated",
                        "Resource Graph truncated the result and gave no $skipToken",
                    )  # fmt: skip
                elif isinstance(total, int) and received < total:
                    self._graph_gap(
                        scope, where, "ResultIncomplete",
                        f"Resource Graph returned {received} of {total} rows and no $skipToken",
                    )  # fmt: skip
                return

    def _graph_gap(self, scope: dict[str, list[str]], request: str, code: str, text: str) -> None:
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

    def _post_query(self, client: Any, request: Any) -> Any:
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
        response = client._send_request(
            http,
            raw_response_hook=lambda r: self.pacer.update(r.http_response.headers),
            retry_on_methods=RETRY_METHODS,
        )
        if response.status_code != 200:
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)
        try:
            body = json.loads(response.text())
        except ValueError as exc:
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

    def _graph_failed(
        self,
        client: Any,
        scope: dict[str, list[str]],
        label: str,
        page: int,
        exc: AzureError,
        table: str = "resources",
    ) -> None:
        subs = scope.get("subscriptions", [])
        forbidden = isinstance(exc, HttpResponseError) and exc.status_code == 403
        kind = "subscriptions" if subs else "management_groups"
        members = scope.get(kind, [])
        if forbidden and page == 0 and len(members) > 1:
            # One subscription (or management group) the identity cannot read must not hide
            # the others: split the batch.
            middle = len(members) // 2
            for part in (members[:middle], members[middle:]):
                self._query(client, {kind: part}, _scope_label({kind: part}), table)
            return
        sub = subs[0] if len(subs) == 1 else None
        request = f"POST {GRAPH_PATH} ({table}, {label}, page {page + 1})"
        entry = _error_entry("resource_graph", request, exc, sub)
        self.recorder.error(entry)
        self.observer(Event("error", f"{request}: {entry['status']} {entry['code']}"))

    # -- ARM reads -------------------------------------------------------------------------

    def _read(self, what: str, call: Callable[..., Any], subscription: str | None) -> None:
        """Run one SDK call, recording every 200 page's raw body; list pages are merged."""
        pages: list[Any] = []
        first: dict[str, str] = {}

        def hook(response: Any) -> None:
            http = response.http_response
            if "path" not in first:
                url = urlsplit(response.http_request.url)
                first["path"] = url.path
                first["api_version"] = parse_qs(url.query).get("api-version", [""])[0]
            if http.status_code == 200:
                pages.append(json.loads(http.text()))

        try:
            result = call(raw_response_hook=hook)
            if result is not None and hasattr(result, "__iter__"):
                for _ in result:
                    pass
        except AzureError as exc:
            entry = _error_entry("arm", f"GET {first.get('path', what)}", exc, subscription)
            self.recorder.error(entry)
            if isinstance(exc, HttpResponseError) and "path" in first:
                body = None
                if exc.response is not None:
                    try:
                        body = json.loads(exc.response.text())
                    except ValueError:
                        body = None
                self._store(first, exc.status_code or 0, body)
            self.observer(Event("error", f"GET {first.get('path', what)}: {entry['code']}"))
            return
        self._store(first, 200, _merge(pages))
        self.observer(Event("arm_read", f"GET {first.get('path', what)}", 1))

    @staticmethod
    def _get_list(client: Any, path: str, api_version: str, **kwargs: Any) -> None:
        """GET a list through an SDK client's pipeline (auth, retries), following nextLink.

        The raw bodies are what the snapshot records (through the response hook); going
        around the model layer keeps them exact, lets the scanner choose the api-version, and
        spares the CPU of building models nobody reads."""
        from azure.core.rest import HttpRequest
        from azure.mgmt.core.exceptions import ARMErrorFormat

        request = HttpRequest("GET", path, params={"api-version": api_version})
        while True:
            response = client._send_request(request, **kwargs)
            if response.status_code != 200:
                raise HttpResponseError(response=response, error_format=ARMErrorFormat)
            try:
                link = json.loads(response.text()).get("nextLink")
            except (ValueError, AttributeError):
                link = None
            if not link:
                return
            request = HttpRequest("GET", link)

    def _store(self, first: dict[str, str], status: int, body: Any) -> None:
        path = first.get("path")
        if not path:
            return
        with self.recorder.lock:
            self.recorder.arm[path.lower()] = {
                "path": path,
                "api_version": first.get("api_version", ""),
                "status": status,
                "body": body,
            }

    def _ml(self, subscription: str) -> Any:
        from azure.mgmt.machinelearningservices import MachineLearningServicesMgmtClient

        with self._lock:
            if subscription not in self._ml_clients:
                self._ml_clients[subscription] = MachineLearningServicesMgmtClient(
                    self.credential, subscription, **self._kwargs()
                )
            return self._ml_clients[subscription]

    def _subscription_client(self) -> Any:
        from azure.mgmt.resource.subscriptions import SubscriptionClient

        return SubscriptionClient(self.credential, **self._kwargs())

    def list_subscriptions(self) -> list[str]:
        client = self._subscription_client()
        try:
            found = [
                s.subscription_id
                for s in client.subscriptions.list()
                if _readable_state(getattr(s, "state", None))
            ]
        except AzureError as exc:
            entry = _error_entry("arm", "GET /subscriptions", exc, None)
            self.recorder.error(entry)
            return []
        subscriptions = sorted(str(s) for s in found if s)
        if not subscriptions:
            # Nothing to scan is not "every workload ready": a missing role assignment would
            # show green in every scheduled run.
            self.recorder.error(
                {
                    "source": "arm",
                    "request": "GET /subscriptions",
                    "status": 200,
                    "code": "NoSubscriptions",
                    "message": "the identity can read no enabled subscription, so nothing was "
                    "scanned: give it the Reader role, or name --subscription / "
                    "--management-group",
                    "subscription": None,
                }
            )
        return subscriptions

    def _submit(self, key: tuple[str, ...], what: str, call: Callable[..., Any], sub: str) -> None:
        """Queue one ARM read, once, on the bounded pool."""
        with self._lock:
            if key in self._planned:
                return
            self._planned.add(key)
            self._futures.append(self._pool.submit(self._read, what, call, sub))

    def _read_locations(self, subscriptions: list[str]) -> None:
        """Paired regions are the same for every subscription: one read per cloud, trying the
        next subscription only when one cannot be read."""
        client = self._subscription_client()
        for sub in subscriptions:
            self._read(
                f"/subscriptions/{sub}/locations",
                partial(client.subscriptions.list_locations, sub),
                sub,
            )
            if self.recorder.arm.get(f"/subscriptions/{sub}/locations", {}).get("status") == 200:
                return

    def _plan_subscription(self, sub: str) -> None:
        from azure.mgmt.resource.resources import ResourceManagementClient

        if ("provider", sub) in self._planned:
            return
        rm = ResourceManagementClient(self.credential, sub, **self._kwargs())
        self._submit(
            ("provider", sub),
            f"/subscriptions/{sub}/providers/Microsoft.MachineLearningServices",
            partial(rm.providers.get, "Microsoft.MachineLearningServices"),
            sub,
        )

    def _plan_blob_service(self, storage_id: str) -> None:
        """Blob soft delete lives on blobServices/default, which Resource Graph does not index."""
        from azure.mgmt.storage import StorageManagementClient

        parts = storage_id.strip("/").split("/")
        sub, rg, account = parts[1].lower(), parts[3], parts[-1]
        with self._lock:
            client = self._storage_clients.get(sub)
            if client is None:
                client = StorageManagementClient(self.credential, sub, **self._kwargs())
                self._storage_clients[sub] = client
        self._submit(
            ("blobservice", storage_id.lower()),
            blob_service_path(storage_id),
            partial(client.blob_services.get_service_properties, rg, account),
            sub,
        )

    def _plan_registry(self, row: dict[str, Any]) -> None:
        """An Azure ML registry whose row lacks regionDetails (Resource Graph may not fill it)
        is read from ARM: DR-11 needs its regions."""
        props = row.get("properties")
        rid, sub = str(row.get("id", "")), str(row.get("subscriptionId", "")).lower()
        if not rid or not sub or (isinstance(props, dict) and "regionDetails" in props):
            return
        self._submit(
            ("registry", rid.lower()),
            rid,
            partial(self._get_list, self._ml(sub), rid, API_ML),
            sub,
        )

    def _plan(self, rows: list[dict[str, Any]]) -> None:
        """Queue the ARM reads a page of rows calls for, while the next pages are fetched."""
        for ws in rows:
            if isinstance(ws, dict) and str(ws.get("type", "")).lower() == ML_REGISTRY:
                self._plan_registry(ws)
            if not isinstance(ws, dict) or str(ws.get("type", "")).lower() != WORKSPACE:
                continue
            sub = str(ws.get("subscriptionId", "")).lower()
            if not sub:
                continue
            self._plan_subscription(sub)
            location = ws.get("location")
            if isinstance(location, str) and location:
                region = norm_region(location)
                ml = self._ml(sub)
                for kind, path in (
                    ("usages", usages_path(sub, region)),
                    ("vmsizes", vm_sizes_path(sub, region)),
                ):
                    self._submit(
                        (kind, sub, region),
                        path,
                        partial(self._get_list, ml, path, API_ML),
                        sub,
                    )
            workspace_id = str(ws.get("id", ""))
            if workspace_id:
                for kind, path in (
                    ("computes", computes_path(workspace_id)),
                    ("datastores", datastores_path(workspace_id)),
                ):
                    self._submit(
                        (kind, workspace_id.lower()),
                        path,
                        partial(self._get_list, self._ml(sub), path, API_ML),
                        sub,
                    )
            storage = (
                ws.get("properties", {}).get("storageAccount")
                if isinstance(ws.get("properties"), dict)
                else None
            )
            if isinstance(storage, str) and storage.count("/") >= 8:
                self._plan_blob_service(storage)

    # -- the whole run ---------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        opts = self.options
        subscriptions = [s.lower() for s in opts.subscriptions]
        if not subscriptions and not opts.management_groups:
            subscriptions = self.list_subscriptions()
            self.observer(Event("start", f"{len(subscriptions)} readable subscription(s)"))
        client = self._graph_client()
        scopes: list[dict[str, list[str]]] = []
        if opts.management_groups:
            groups = list(opts.management_groups)
            scopes += [{"management_groups": groups[i : i + 10]} for i in range(0, len(groups), 10)]
        size = max(1, min(opts.batch_size, 1000))
        scopes += [
            {"subscriptions": subscriptions[i : i + size]}
            for i in range(0, len(subscriptions), size)
        ]
        with ThreadPoolExecutor(max_workers=max(1, opts.concurrency)) as pool:
            self._pool = pool
            for sub in subscriptions:
                self._plan_subscription(sub)
            for scope in scopes:
                self._query(client, scope, _scope_label(scope))
            for table in TABLE_QUERIES:
                for scope in scopes:
                    self._query(client, scope, _scope_label(scope), table)
            seen = {str(r.get("subscriptionId", "")).lower() for r in self.recorder.rows}
            in_scope = sorted((set(subscriptions) | seen) - {""})
            self._read_locations(in_scope)
            for future in list(self._futures):
                future.result()
        self.observer(Event("done", "collection finished", len(self.recorder.rows)))
        rows = sorted(self.recorder.rows, key=lambda r: str(r.get("id", "")).lower())
        return {
            "format": "auditor.snapshot",
            "version": 1,
            "origin": "live",
            "collected_at": dt.datetime.now(dt.UTC)
            .isoformat(timespec="seconds")
            .replace("+00:00", "Z"),
            "cloud": self.target.cloud,
            "tool": {"name": "auditor", "version": __version__},
            "scope": {
                "subscriptions": in_scope,
                "management_groups": list(opts.management_groups),
            },
            "resources": rows,
            "tables": {
                name: sorted(found, key=lambda r: str(r.get("id", "")).lower())
                for name, found in sorted(self.recorder.tables.items())
            },
            "arm": [self.recorder.arm[k] for k in sorted(self.recorder.arm)],
            "errors": sorted(self.recorder.errors, key=lambda e: (e["source"], e["request"])),
        }


# Subscription states whose resources can be read: Warned and PastDue subscriptions keep
# running (Disabled and Deleted ones are not scanned).
_READABLE_STATES = frozenset({"enabled", "warned", "pastdue"})


def _readable_state(state: Any) -> bool:
    text = str(getattr(state, "value", state) or "Enabled").rsplit(".", 1)[-1]
    return text.replace("_", "").lower() in _READABLE_STATES


def _scope_label(scope: dict[str, list[str]]) -> str:
    if scope.get("management_groups"):
        return "management groups " + ", ".join(scope["management_groups"])
    subs = scope.get("subscriptions", [])
    return f"subscription {subs[0]}" if len(subs) == 1 else f"{len(subs)} subscriptions"
