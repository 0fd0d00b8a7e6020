"""Snapshot format v1: build, load, validate and write the recording of what Azure answered."""

from __future__ import annotations

import copy
import datetime as dt
import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from auditor import __version__
from auditor.atomic import write_atomic
from auditor.errors import SnapshotError
from auditor.heap import paused_gc
from auditor.textfiles import (
    FORMATS,
    Unreadable,
    gunzip,
    is_gzip,
    parse_json,
    parse_json_file,
)

FORMAT = "auditor.snapshot"
VERSION = 1


def document(
    *,
    origin: str,
    collected_at: dt.datetime | str,
    cloud: str,
    scope: Mapping[str, Any],
    resources: list[Any],
    tables: Mapping[str, list[Any]],
    arm: list[Any],
    errors: list[Any],
    tool_version: str = __version__,
) -> dict[str, Any]:
    """A snapshot document, its fields in the order format v1 writes them. A datetime
    `collected_at` is written in UTC to the second (`2026-11-20T06:00:00Z`)."""
    if isinstance(collected_at, dt.datetime):
        collected_at = (
            collected_at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "origin": origin,
        "collected_at": collected_at,
        "cloud": cloud,
        "tool": {"name": "auditor", "version": tool_version},
        "scope": dict(scope),
        "resources": resources,
        "tables": dict(tables),
        "arm": arm,
        "errors": errors,
    }


@dataclass(frozen=True)
class Snapshot:
    """A loaded snapshot: the raw document, and where it came from."""

    data: Mapping[str, Any]
    source: str

    @property
    def collected_at(self) -> str:
        return str(self.data["collected_at"])

    @property
    def cloud(self) -> str:
        return str(self.data["cloud"])

    @property
    def scope(self) -> Mapping[str, Any]:
        scope: Mapping[str, Any] = self.data["scope"]
        return scope

    @property
    def resources(self) -> list[Any]:
        rows: list[Any] = self.data["resources"]
        return rows

    @property
    def tables(self) -> Mapping[str, list[Any]]:
        tables: Mapping[str, list[Any]] = self.data.get("tables", {})
        return tables

    @property
    def arm(self) -> list[Mapping[str, Any]]:
        arm: list[Mapping[str, Any]] = self.data["arm"]
        return arm

    @property
    def errors(self) -> list[Mapping[str, Any]]:
        errors: list[Mapping[str, Any]] = self.data["errors"]
        return errors


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of snapshot format v1, shipped in the package."""
    text = resources.files("auditor").joinpath("schemas/snapshot-v1.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


# One recorded ARM read, as the shipped schema describes it. A snapshot has tens of thousands of
# reads and jsonschema takes longer over them than the whole parse, so while the shipped schema
# says exactly this, validate() checks each read with _plain_arm_read (which accepts only reads
# the schema accepts) and runs the full schema over them only when one is not plainly valid:
# what is accepted, and the error reported, stay those of the full schema.
_ARM_READ_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["path", "api_version", "status", "body"],
    "properties": {
        "path": {"type": "string", "pattern": "^/"},
        "api_version": {"type": "string"},
        "status": {"type": "integer"},
        "body": {},
    },
}


def _plain_arm_read(entry: Any) -> bool:
    return (
        type(entry) is dict
        and type(entry.get("path")) is str
        and entry["path"][:1] == "/"
        and type(entry.get("api_version")) is str
        and type(entry.get("status")) is int
        and "body" in entry
    )


@cache
def _schema_without_arm_reads() -> dict[str, Any] | None:
    """The schema less the ARM read items; None when they are not _ARM_READ_SCHEMA."""
    arm = schema().get("properties", {}).get("arm", {})
    if arm.get("items") != _ARM_READ_SCHEMA:
        return None
    reduced = copy.deepcopy(schema())
    del reduced["properties"]["arm"]["items"]
    return reduced


def _describe(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
    return f"field '{where}': {error.message}"


def validate(data: Any, source: str) -> Snapshot:
    """Check a parsed document against the v1 schema and wrap it."""
    if not isinstance(data, dict):
        raise SnapshotError(f"{source}: expected a JSON object at the top level")
    if data.get("format") != FORMAT:
        raise SnapshotError(
            f"{source}: field 'format': expected \"{FORMAT}\", found {data.get('format')!r}"
        )
    if data.get("version") != VERSION:
        raise SnapshotError(
            f"{source}: field 'version': this auditor reads snapshot version {VERSION}, "
            f"found {data.get('version')!r}"
        )
    arm = data.get("arm")
    reduced = _schema_without_arm_reads()
    plain = reduced is not None and type(arm) is list and all(map(_plain_arm_read, arm))
    validator = jsonschema.Draft202012Validator(
        reduced if plain else schema(), format_checker=FORMATS
    )
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise SnapshotError(f"{source}: {_describe(errors[0])}")
    return Snapshot(data=data, source=source)


# The largest snapshot read (decompressed), unless --max-snapshot-bytes says otherwise: a
# 10,000-workload estate is about 360 MB; parsing takes several times a file's size in memory.
MAX_BYTES = 2 * 1024**3


def load(path: Path | str, max_bytes: int = MAX_BYTES) -> Snapshot:
    """Read a snapshot file (JSON, or gzip-compressed JSON, told by its first bytes whatever
    its name); one larger than `max_bytes` (decompressed) is refused before it is read whole."""
    path = Path(path)
    try:
        with paused_gc():
            if is_gzip(path):
                data = parse_json(gunzip(path.read_bytes(), max_bytes))
            else:
                size = path.stat().st_size
                if size > max_bytes:
                    raise Unreadable(
                        f"is {size:,} bytes, past the limit of {max_bytes:,} (--max-snapshot-bytes)"
                    )
                data = parse_json_file(path)
    except FileNotFoundError:
        raise SnapshotError(f"{path}: no such snapshot file") from None
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read snapshot: {exc.strerror}") from None
    except Unreadable as exc:
        raise SnapshotError(f"{path}: {exc}") from None
    return validate(data, str(path))


def dump(snapshot: Mapping[str, Any], path: Path | str) -> None:
    """Write a snapshot document, gzip-compressed when the name ends in .gz."""
    path = Path(path)
    payload = json.dumps(snapshot, indent=1, sort_keys=False).encode()
    if path.name.endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)
    write_atomic(path, payload)
