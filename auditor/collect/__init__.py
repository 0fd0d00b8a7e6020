"""Live collection: Resource Graph and the few ARM reads it cannot answer, into a snapshot v1.

Read-only: the only non-GET request ever sent is the Resource Graph query POST.

    run             the Collector: scopes, then pages and reads, into one snapshot document
    resource_graph  the query, paged and paced
    plan            which ARM reads the rows call for
    arm             the ARM reads
    record          what is recorded as it goes, and the progress events
    auth            credentials, endpoints and the SDK clients' pipeline
"""

from auditor.collect.record import Event, Observer
from auditor.collect.run import Collector, Options

__all__ = ["Collector", "Event", "Observer", "Options"]
