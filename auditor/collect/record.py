"""What a collection records as it goes (rows, tables, ARM reads, errors), and its events."""

from __future__ import annotations

import json
import re
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
    # Set when the collection ends (at its deadline, a read may still be under way): what
    # arrives after it is not recorded. Read and written under `lock`.
    closed: bool = False

    def error(self, entry: dict[str, Any]) -> None:
        with self.lock:
            if not self.closed:
                self.errors.append(entry)

    def close(self) -> None:
        with self.lock:
            self.closed = True


# The integers every JSON reader of a snapshot and a report can hold (orjson's: 64 bits).
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1
_LONG_DIGITS = re.compile(r"[0-9]{19}")


def _bounded_int(text: str) -> int:
    value = int(text)
    if not _INT_MIN <= value <= _INT_MAX:
        raise ValueError(f"an integer beyond 64 bits ({text[:24]}...)")
    return value


def parse_json(text: str) -> Any:
    """An answer's JSON; ValueError when it is not JSON, or holds an integer no 64-bit
    reader can take (the snapshot and the reports could not be written or read back)."""
    if _LONG_DIGITS.search(text) is None:  # the usual case, at C speed
        return json.loads(text)
    return json.loads(text, parse_int=_bounded_int)


# A bearer token a server echoes back in an error message: "Bearer <anything>", and JWTs
# (three base64url parts, the first a JSON header: "eyJ..."), cut short or whole.
_TOKENS = re.compile(r"(?i:\bbearer)\s+[^\s\"',;]+|\beyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){0,2}")


def redact(text: str) -> str:
    """`text` with anything that looks like a token replaced by <redacted>."""
    return _TOKENS.sub(
        lambda m: "Bearer <redacted>" if m.group(0)[:1] in "Bb" else "<redacted>", text
    )


def redact_json(value: Any) -> Any:
    """A JSON document with redact() applied to every string in it."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    if isinstance(value, dict):
        return {redact(str(k)): redact_json(v) for k, v in value.items()}
    return value


def error_entry(
    source: str, request: str, exc: AzureError, subscription: str | None
) -> dict[str, Any]:
    """The snapshot's record of a request that failed."""
    status = getattr(exc, "status_code", None)
    code = None
    if isinstance(exc, HttpResponseError) and exc.error is not None:
        code = exc.error.code
    lines = str(exc.message if hasattr(exc, "message") else exc).splitlines()
    entry: dict[str, Any] = {
        "source": source,
        "request": request,
        "status": status if isinstance(status, int) else None,
        "code": redact(str(code or type(exc).__name__)),
        "message": redact(lines[0] if lines else ""),
    }
    if subscription:
        entry["subscription"] = subscription
    return entry
