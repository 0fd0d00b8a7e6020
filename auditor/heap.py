"""Pausing the cyclic garbage collector while large acyclic structures are built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Objects made while the collector was paused above which paused_gc freezes them.
FREEZE_AFTER = 200_000


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures (a parsed
    snapshot, the estate index, findings): its passes over the whole growing heap would cost
    as much as the work itself, and there are no reference cycles for it to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_count()[0] > FREEZE_AFTER:
                # Left young, the millions of objects just made would all be traversed by the
                # next collection (half a second for a 10,000-workload snapshot), and again by
                # each older one. They are long-lived and acyclic: park them where the collector
                # does not look. Reference counting still frees them.
                gc.freeze()
            gc.enable()
