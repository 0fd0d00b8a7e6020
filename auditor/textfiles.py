"""Parsing the YAML and JSON files users hand over, with one clear line for whatever is wrong.

Every way a parser can refuse a file (a bad date, a number of 5,000 digits, nesting ten
thousand levels deep, a corrupt gzip stream) becomes `Unreadable` with a message, which each
reader prefixes with the file's path and raises as its own AuditorError: bad input never
surfaces as a traceback."""

from __future__ import annotations

import gzip
import io
import json
import mmap
import zlib
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import yaml
from yaml.constructor import ConstructorError, SafeConstructor

_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Unreadable(ValueError):
    """A file's text cannot be parsed; the message says why (without the path)."""


class _Loader(_BASE_LOADER):  # type: ignore[valid-type,misc]
    """The safe loader, whose dates that do not exist (2027-02-30) are YAML errors with a
    line and column, not a ValueError from deep inside the parser."""


def _timestamp(loader: SafeConstructor, node: yaml.ScalarNode) -> Any:
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise ConstructorError(
            None, None, f"{node.value!r} is not a valid date: {exc}", node.start_mark
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

# The same loader for every YAML file the tool reads (config, waivers, rules, rule cases).
SAFE_LOADER: type[yaml.SafeLoader] = _Loader


def parse_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None)
        raise Unreadable(f"not valid YAML{where}" + (f": {problem}" if problem else "")) from None
    except RecursionError:
        raise Unreadable("not valid YAML: nested too deeply") from None


def parse_json(raw: bytes | memoryview) -> Any:
    """orjson reads a large file a quarter faster; what it refuses (NaN, integers beyond 64
    bits, lone surrogates, bad UTF-8, bad JSON) goes to the standard library, which reads the
    rest exactly as before and words the errors as before."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        document = json.loads(raw if isinstance(raw, bytes) else bytes(raw))
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise Unreadable(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise Unreadable("not valid JSON: nested too deeply") from None
    except ValueError:  # the standard library refuses integers of thousands of digits
        raise Unreadable("not valid JSON: a number has too many digits") from None
    return _escape_lone_surrogates(document)


def _escaped(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _escape_lone_surrogates(document: Any) -> Any:
    """A string escaped as half a UTF-16 pair ("\\ud800") is no text: no output could encode
    it. It is kept as its escape, readable and inert (the name `x\\ud800`). Only documents
    orjson refused get here (NaN, big integers, surrogates), so the walk costs nothing usually."""
    if isinstance(document, str):
        return document if document.isascii() or _encodes(document) else _escaped(document)
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if not all(_encodes(key) for key in node):
                items = [(k if _encodes(k) else _escaped(k), v) for k, v in node.items()]
                node.clear()
                node.update(items)
            for key, value in node.items():
                if isinstance(value, str):
                    if not _encodes(value):
                        node[key] = _escaped(value)
                elif isinstance(value, dict | list):
                    pending.append(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str):
                    if not _encodes(value):
                        node[index] = _escaped(value)
                elif isinstance(value, dict | list):
                    pending.append(value)
    return document


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_json_file(path: Path) -> Any:
    """parse_json of a file's content, read through a memory map: the parser reads the page
    cache in place instead of a copy of the whole file (a tenth of the parse for a 360 MB
    snapshot). OSError as reading raises it."""
    with path.open("rb") as handle:
        try:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError):  # an empty file, or one that cannot be mapped
            return parse_json(handle.read())
        with mapped:
            view = memoryview(mapped)
            try:
                return parse_json(view)
            finally:
                view.release()


GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: Path) -> bool:
    """Whether a file is gzip-compressed, told by its first bytes whatever its name."""
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def gunzip(raw: bytes, limit: int | None = None, which: str = "--max-snapshot-bytes") -> bytes:
    """The decompressed bytes; past `limit` bytes, Unreadable before more memory is taken (a
    few MB of gzip can expand to gigabytes). `which` names the limit in the message."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            data = stream.read() if limit is None else stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise Unreadable(f"not a valid gzip file: {exc}") from None
    if limit is not None and len(data) > limit:
        raise Unreadable(
            f"expands past {limit:,} bytes, the limit ({which}); refused before reading it whole"
        )
    return data


# The formats the shipped schemas name (date-time, date, uuid), checked, not only annotated:
# a snapshot collected at "NaN" is bad input. date-time needs rfc3339-validator (a dependency).
FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER
