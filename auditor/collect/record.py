"""What a collection records as it goes (rows, tables, ARM reads, errors), and its events."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from azure.core.exceptions import AzureError, HttpResponseError


@dataclass(frozen=True)
class Event:
    """A progress event; the collector emits them and a display may subscribe."""

    kind: str  # start, query_page, arm_read, error, wait, done
    message: str
    count: int = 0


Observer = Callable[[Event], None]


def ignore(_: Event) -> None:
    return None


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


def error_entry(
    source: str, request: str, exc: AzureError, subscription: str | None
) -> dict[str, Any]:
    """The snapshot's record of a request that failed."""
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
