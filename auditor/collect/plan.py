"""Which ARM reads to make: the few things the rules need that Resource Graph does not answer,
decided from the rows it returned."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from auditor.azure import (
    ML_REGISTRY,
    WORKSPACE,
    blob_service_path,
    computes_path,
    datastores_path,
    norm_region,
    provider_path,
    usages_path,
    vm_sizes_path,
)


@dataclass(frozen=True)
class Read:
    """One ARM read to make. `key` names it once (its first element is its kind: provider,
    blobservice, registry, usages, vmsizes, computes, datastores); `path` is the ARM path it
    reads; `args` what the SDK operation takes besides (a blob service's group and account)."""

    key: tuple[str, ...]
    path: str
    subscription: str
    args: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return self.key[0]


class Planner:
    """Decides the ARM reads, each once however many rows call for it."""

    def __init__(self) -> None:
        self._planned: set[tuple[str, ...]] = set()
        self._lock = threading.Lock()

    def _new(self, reads: Iterable[Read]) -> list[Read]:
        fresh = []
        with self._lock:
            for read in reads:
                if read.key not in self._planned:
                    self._planned.add(read.key)
                    fresh.append(read)
        return fresh

    def subscription(self, sub: str) -> list[Read]:
        """The Machine Learning provider of a subscription (its registration and API
        versions)."""
        return self._new([Read(("provider", sub), provider_path(sub), sub)])

    def rows(self, rows: Iterable[Any]) -> list[Read]:
        """The reads a page of rows calls for, in the order they are to be made."""
        return self._new(read for row in rows for read in _reads_of(row))


def _reads_of(row: Any) -> list[Read]:
    if not isinstance(row, dict):
        return []
    kind = str(row.get("type", "")).lower()
    if kind == ML_REGISTRY:
        return _registry(row)
    if kind != WORKSPACE:
        return []
    sub = str(row.get("subscriptionId", "")).lower()
    if not sub:
        return []
    reads = [Read(("provider", sub), provider_path(sub), sub)]
    location = row.get("location")
    if isinstance(location, str) and location:
        region = norm_region(location)
        reads += [
            Read(("usages", sub, region), usages_path(sub, region), sub),
            Read(("vmsizes", sub, region), vm_sizes_path(sub, region), sub),
        ]
    workspace_id = str(row.get("id", ""))
    if workspace_id:
        reads += [
            Read(("computes", workspace_id.lower()), computes_path(workspace_id), sub),
            Read(("datastores", workspace_id.lower()), datastores_path(workspace_id), sub),
        ]
    props = row.get("properties")
    storage = props.get("storageAccount") if isinstance(props, dict) else None
    if isinstance(storage, str) and storage.count("/") >= 8:
        # Blob soft delete lives on blobServices/default, which Resource Graph does not index.
        parts = storage.strip("/").split("/")
        reads.append(
            Read(
                ("blobservice", storage.lower()),
                blob_service_path(storage),
                parts[1].lower(),
                (parts[3], parts[-1]),
            )
        )
    return reads


def _registry(row: dict[str, Any]) -> list[Read]:
    """An Azure ML registry whose row lacks regionDetails (Resource Graph may not fill it)
    is read from ARM: DR-11 needs its regions."""
    props = row.get("properties")
    rid, sub = str(row.get("id", "")), str(row.get("subscriptionId", "")).lower()
    if not rid or not sub or (isinstance(props, dict) and "regionDetails" in props):
        return []
    return [Read(("registry", rid.lower()), rid, sub)]
