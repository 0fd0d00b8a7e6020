"""The collection of one snapshot: scopes, Resource Graph pages, the ARM reads they call for."""

from __future__ import annotations

import datetime as dt
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from azure.core.credentials import TokenCredential

from auditor import snapshot
from auditor.azure import GRAPH_PATH, TABLE_QUERIES, locations_path
from auditor.collect.arm import ArmReader
from auditor.collect.auth import SIGN_IN, TOKEN_ENV, Clients, Guard, Target
from auditor.collect.plan import Planner, Read
from auditor.collect.record import Event, Observer, Recorder, ignore
from auditor.collect.resource_graph import THROTTLED_FOR, GraphReader, Scope, scope_label
from auditor.errors import SignInError

REQUEST_TIMEOUT = 60.0
DEADLINE = 1800.0


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
    # Seconds to connect, and to wait for each part of an answer (--request-timeout).
    request_timeout: float = REQUEST_TIMEOUT
    # Seconds the whole collection may take (--deadline): then what was not read is an error.
    deadline: float = DEADLINE
    # The longest Retry-After waited for; a longer one is the read's error.
    max_retry_after: float = 60.0
    # How long a throttled Resource Graph page is asked again before it is given up.
    throttled_for: float = THROTTLED_FOR


class _Pool:
    """A bounded pool of daemon threads: a read hung past the deadline or the Ctrl-C must not
    keep the process alive (concurrent.futures joins its threads at exit)."""

    def __init__(self, size: int) -> None:
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self.failure: BaseException | None = None
        self._threads = [
            threading.Thread(target=self._work, name=f"auditor-read-{n}", daemon=True)
            for n in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while (task := self._queue.get()) is not None:
            try:
                task()
            except BaseException as exc:  # a bug: re-raised by join(), as a future would
                self.failure = self.failure or exc
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def submit(self, task: Callable[[], None]) -> None:
        self._queue.put(task)

    def join(self) -> None:
        self._queue.join()
        for _ in self._threads:
            self._queue.put(None)
        if self.failure is not None:
            raise self.failure


class _HeldErrors:
    """Passes the collection's events on, except the errors before the first answer: they are
    held until Azure answers a read, so that a token refused on every read is one line
    (Collector._token_refused) rather than one line per read."""

    def __init__(self, observer: Observer) -> None:
        self._observer = observer
        self._held: list[Event] = []
        self._lock = threading.Lock()
        self.answered = False

    def __call__(self, event: Event) -> None:
        with self._lock:
            if not self.answered:
                if event.kind == "error":
                    self._held.append(event)
                    return
                if event.kind in ("arm_read", "query_page"):
                    self.answered = True
                    self._release()
            self._observer(event)

    def release(self) -> None:
        with self._lock:
            self._release()

    def _release(self) -> None:
        held, self._held = self._held, []
        for event in held:
            self._observer(event)


class Collector:
    """Collects one snapshot. Clients are built here, never at import time."""

    def __init__(
        self,
        target: Target,
        credential: TokenCredential,
        options: Options,
        observer: Observer = ignore,
    ) -> None:
        self.target = target
        self.options = options
        self.observer = self._held = _HeldErrors(observer)
        self.recorder = Recorder()
        self.guard = Guard(target.endpoint, options.deadline, options.max_retry_after)
        self.clients = Clients(
            target,
            credential,
            self.guard,
            options.request_timeout,
            retry_total=options.retry_total,
            retry_backoff_factor=options.retry_backoff_factor,
            retry_backoff_max=options.retry_backoff_max,
        )
        self.arm = ArmReader(self.clients, self.recorder, self.observer)
        self.planner = Planner()
        self._subscriptions: list[str] = []
        # What was begun and not finished, by key: (source, request, subscription). At the
        # deadline each is recorded as an error.
        self._pending: dict[object, tuple[str, str, str | None]] = {}
        self._lock = threading.Lock()
        self._failure: BaseException | None = None
        self._pool: _Pool

    # -- what is under way -----------------------------------------------------------------

    def _begin(self, key: object, source: str, request: str, sub: str | None = None) -> None:
        with self._lock:
            self._pending[key] = (source, request, sub)

    def _end(self, key: object) -> None:
        with self._lock:
            self._pending.pop(key, None)

    def _unfinished(self) -> None:
        with self._lock:
            pending = sorted(self._pending.values(), key=lambda p: (p[0], p[1]))
        for source, request, sub in pending:
            entry: dict[str, Any] = {
                "source": source,
                "request": request,
                "status": None,
                "code": "DeadlineExceeded",
                "message": self.guard.deadline_message(),
            }
            if sub:
                entry["subscription"] = sub
            self.recorder.error(entry)
        if pending:
            self.observer(Event("error", f"{len(pending)} read(s) not made before the deadline"))

    # -- the collection --------------------------------------------------------------------

    def _submit(self, reads: list[Read]) -> None:
        """Queue planned ARM reads on the bounded pool."""
        for read in reads:
            self._begin(read.key, "arm", f"GET {read.path}", read.subscription)
            self._pool.submit(lambda read=read: self._planned(read))  # type: ignore[misc]

    def _planned(self, read: Read) -> None:
        try:
            self.arm.planned(read)
        finally:
            self._end(read.key)

    def _collect(self) -> None:
        opts = self.options
        subscriptions = [s.lower() for s in opts.subscriptions]
        if not subscriptions and not opts.management_groups:
            self._begin("subscriptions", "arm", "GET /subscriptions")
            subscriptions = self.arm.list_subscriptions()
            self._end("subscriptions")
            self.observer(Event("start", f"{len(subscriptions)} readable subscription(s)"))
        self._subscriptions = subscriptions
        graph = GraphReader(
            self.clients.graph(),
            self.recorder,
            self.observer,
            opts.page_size,
            lambda rows: self._submit(self.planner.rows(rows)),
            self.guard,
            opts.throttled_for,
        )
        scopes: list[Scope] = []
        if opts.management_groups:
            groups = list(opts.management_groups)
            scopes += [{"management_groups": groups[i : i + 10]} for i in range(0, len(groups), 10)]
        size = max(1, min(opts.batch_size, 1000))
        scopes += [
            {"subscriptions": subscriptions[i : i + size]}
            for i in range(0, len(subscriptions), size)
        ]
        tables = ("resources", *TABLE_QUERIES)
        queries = [(table, n) for table in tables for n in range(len(scopes))]
        for table, n in queries:
            subs = scopes[n].get("subscriptions", [])
            request = f"POST {GRAPH_PATH} ({table}, {scope_label(scopes[n])})"
            self._begin((table, n), "resource_graph", request, subs[0] if len(subs) == 1 else None)
        self._pool = _Pool(max(1, opts.concurrency))
        for sub in subscriptions:
            self._submit(self.planner.subscription(sub))
        for table, n in queries:
            graph.query(scopes[n], scope_label(scopes[n]), table)
            self._end((table, n))
        in_scope = self._in_scope()
        if in_scope:
            self._begin("locations", "arm", f"GET {locations_path(in_scope[0])}")
        self.arm.read_locations(in_scope)
        self._end("locations")
        self._pool.join()

    def _in_scope(self) -> list[str]:
        with self.recorder.lock:
            seen = {str(r.get("subscriptionId", "")).lower() for r in self.recorder.rows}
        return sorted((set(self._subscriptions) | seen) - {""})

    def _collect_or_fail(self) -> None:
        try:
            self._collect()
        except BaseException as exc:  # re-raised by run(), in the caller's thread
            self._failure = exc

    def _token_refused(self) -> str | None:
        """One line when Azure refused the token on every read it answered (401) and answered
        nothing else: an expired or foreign token, which would otherwise be listed as one
        error per read. A 401 beside answers (a subscription of another tenant) stays the
        read's error."""
        errors = self.recorder.errors
        if self._held.answered or not errors:
            return None
        if not all(e.get("status") == 401 for e in errors if e.get("status") is not None):
            return None
        codes = sorted({str(e.get("code")) for e in errors if e.get("status") == 401})
        if not codes:
            return None
        source = (
            f"the token in {TOKEN_ENV}" if os.environ.get(TOKEN_ENV) else "the credential's token"
        )
        return (
            f"Azure Resource Manager ({self.guard.endpoint}) refused {source} on every read: "
            f"401 {', '.join(c for c in codes if c.isidentifier())[:120] or 'Unauthorized'} "
            f"({len(errors)} read(s)). It may be expired, or issued for another cloud or "
            f"tenant. To scan, {SIGN_IN}. Nothing was collected (exit 3)."
        )

    def run(self) -> dict[str, Any]:
        """Collect, within the deadline; a Ctrl-C stops every request at once and is re-raised.

        The collection runs in a daemon thread, so that this thread can stop waiting for it
        at the deadline (a read may hang there, dripping a byte at a time) and take a Ctrl-C
        at once."""
        worker = threading.Thread(target=self._collect_or_fail, name="auditor-collect", daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                left = self.guard.remaining()
                if left is not None and left <= 0:
                    break
                worker.join(timeout=0.2 if left is None else min(0.2, left))
        except KeyboardInterrupt:
            self.guard.stop()  # no request after it, from any thread
            self.recorder.close()
            raise
        if worker.is_alive():
            self.guard.stop()
            self._unfinished()
        self.recorder.close()
        if self._failure is not None:
            raise self._failure
        refused = self._token_refused()
        if refused is not None:
            raise SignInError(refused)
        self._held.release()
        self.observer(Event("done", "collection finished", len(self.recorder.rows)))
        return snapshot.document(
            origin="live",
            collected_at=dt.datetime.now(dt.UTC),
            cloud=self.target.cloud,
            scope={
                "subscriptions": self._in_scope(),
                "management_groups": list(self.options.management_groups),
            },
            resources=sorted(self.recorder.rows, key=lambda r: str(r.get("id", "")).lower()),
            tables={
                name: sorted(found, key=lambda r: str(r.get("id", "")).lower())
                for name, found in sorted(self.recorder.tables.items())
            },
            arm=[self.recorder.arm[k] for k in sorted(self.recorder.arm)],
            errors=sorted(self.recorder.errors, key=lambda e: (e["source"], e["request"])),
        )
