"""A local emulator of the Azure REST API the scanner uses (Resource Graph and ARM GETs).

See docs/emulator.md. ``python -m tests.emulator SNAPSHOT.json`` runs it by hand.
"""

from tests.emulator.server import (
    ARG_PATH,
    Emulator,
    Fault,
    LoggedRequest,
    ParsedQuery,
    QueryError,
    load_snapshot,
    parse_query,
)

__all__ = [
    "ARG_PATH",
    "Emulator",
    "Fault",
    "LoggedRequest",
    "ParsedQuery",
    "QueryError",
    "load_snapshot",
    "parse_query",
]
