"""The collection of one snapshot: scopes, Resource Graph pages, the ARM reads they call for."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from azure.core.credentials import TokenCredential

from auditor import snapshot
from auditor.azure import TABLE_QUERIES
from auditor.collect.arm import ArmReader
from auditor.collect.auth import Clients, Target
from auditor.collect.plan import Planner, Read
from auditor.collect.record import Event, Observer, Recorder, ignore
from auditor.collect.resource_graph import GraphReader, Scope, scope_label


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
        self.observer = observer
        self.recorder = Recorder()
        self.clients = Clients(
            target,
            credential,
            retry_total=options.retry_total,
            retry_backoff_factor=options.retry_backoff_factor,
            retry_backoff_max=options.retry_backoff_max,
        )
        self.arm = ArmReader(self.clients, self.recorder, observer)
        self.planner = Planner()
        self._futures: list[Future[None]] = []
        self._pool: ThreadPoolExecutor

    def _submit(self, reads: list[Read]) -> None:
        """Queue planned ARM reads on the bounded pool."""
        for read in reads:
            self._futures.append(self._pool.submit(self.arm.planned, read))

    def run(self) -> dict[str, Any]:
        opts = self.options
        subscriptions = [s.lower() for s in opts.subscriptions]
        if not subscriptions and not opts.management_groups:
            subscriptions = self.arm.list_subscriptions()
            self.observer(Event("start", f"{len(subscriptions)} readable subscription(s)"))
        graph = GraphReader(
            self.clients.graph(),
            self.recorder,
            self.observer,
            opts.page_size,
            lambda rows: self._submit(self.planner.rows(rows)),
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
        with ThreadPoolExecutor(max_workers=max(1, opts.concurrency)) as pool:
            self._pool = pool
            for sub in subscriptions:
                self._submit(self.planner.subscription(sub))
            for scope in scopes:
                graph.query(scope, scope_label(scope))
            for table in TABLE_QUERIES:
                for scope in scopes:
                    graph.query(scope, scope_label(scope), table)
            seen = {str(r.get("subscriptionId", "")).lower() for r in self.recorder.rows}
            in_scope = sorted((set(subscriptions) | seen) - {""})
            self.arm.read_locations(in_scope)
            for future in list(self._futures):
                future.result()
        self.observer(Event("done", "collection finished", len(self.recorder.rows)))
        return snapshot.document(
            origin="live",
            collected_at=dt.datetime.now(dt.UTC),
            cloud=self.target.cloud,
            scope={"subscriptions": in_scope, "management_groups": list(opts.management_groups)},
            resources=sorted(self.recorder.rows, key=lambda r: str(r.get("id", "")).lower()),
            tables={
                name: sorted(found, key=lambda r: str(r.get("id", "")).lower())
                for name, found in sorted(self.recorder.tables.items())
            },
            arm=[self.recorder.arm[k] for k in sorted(self.recorder.arm)],
            errors=sorted(self.recorder.errors, key=lambda e: (e["source"], e["request"])),
        )
