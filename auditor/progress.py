"""Progress displays that subscribe to the collector's events (the core never imports rich)."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from auditor.collect.record import Event


class RichProgress:
    """A live display on a terminal: queries, pages, ARM reads and errors so far."""

    def __init__(self, stream: TextIO) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed}"),
            TimeElapsedColumn(),
            console=Console(file=stream),
            transient=False,
        )
        self._pages = self._progress.add_task("Resource Graph pages", total=None)
        self._rows = self._progress.add_task("resources", total=None)
        self._reads = self._progress.add_task("ARM reads", total=None)
        self._errors = self._progress.add_task("errors", total=None)

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def __call__(self, event: Event) -> None:
        if event.kind == "query_page":
            self._progress.advance(self._pages)
            self._progress.advance(self._rows, event.count)
        elif event.kind == "arm_read":
            self._progress.advance(self._reads)
        elif event.kind == "error":
            self._progress.advance(self._errors)
            self._progress.console.print(f"[red]error:[/] {event.message}", markup=True)
        elif event.kind in ("wait", "start"):
            self._progress.console.print(event.message, markup=False)


class PlainLog:
    """One log line per event, for pipelines (not a terminal)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr

    def __enter__(self) -> PlainLog:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def __call__(self, event: Event) -> None:
        suffix = f" ({event.count})" if event.kind in ("query_page", "done") else ""
        self._stream.write(f"auditor: {event.kind}: {event.message}{suffix}\n")
        self._stream.flush()


class Silent:
    def __enter__(self) -> Silent:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def __call__(self, event: Event) -> None:
        return None
