"""A command's outputs: which formats go where, written together (staged, then replaced at once),
to stdout ('-'), or to a stream whose reader may have gone."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.atomic import Staging, write_atomic
from auditor.errors import RenderError, UsageError
from auditor.render import FORMATS, Format

if TYPE_CHECKING:
    from auditor.atomic import Chunk

STDOUT = "-"

# What a format's output is: the whole bytes, or pieces written while they are rendered.
Payload = bytes | Iterable["Chunk"]


def reader_gone(stream: Any) -> None:
    """The reader of a pipe went away (`auditor scan ... | head`): what else is written there
    goes nowhere, and the command still ends with its own exit code (not 0, not a traceback)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError):  # not a real file (tests capture it)
        pass
    finally:
        os.close(devnull)


def say(stream: Any, text: str) -> None:
    """Text to a stream the reader may have closed."""
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        reader_gone(stream)


def cannot_write(path: str, exc: OSError, what: str = "report") -> RenderError:
    return RenderError(f"{path}: cannot write {what}: {exc.strerror or exc}")


def write(path: str, payload: Payload, what: str = "report") -> None:
    """One output: to stdout for '-', else replaced atomically."""
    if path == STDOUT:
        try:
            for chunk in [payload] if isinstance(payload, bytes) else payload:
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
        except BrokenPipeError:
            reader_gone(sys.stdout)
        return
    try:
        write_atomic(Path(path), payload)
    except OSError as exc:
        raise cannot_write(path, exc, what) from None


def to_stdout(outputs: Mapping[str, str | None]) -> bool:
    """Whether a format (outputs: format name -> path) goes to stdout ('-'); at most one may.
    An empty path is a usage error, not a format quietly left out."""
    for fmt in FORMATS:
        if outputs.get(fmt.name) == "":
            raise UsageError(f"{fmt.option} needs a path ('-' for stdout)")
    chosen = [fmt for fmt in FORMATS if outputs.get(fmt.name) == STDOUT]
    if len(chosen) > 1:
        raise UsageError("only one format can be written to stdout ('-')")
    return bool(chosen)


def write_formats(outputs: Mapping[str, str | None], render: Callable[[Format], Payload]) -> None:
    """Write every requested format (outputs: format name -> path) in the table's order. The
    files are replaced together once all are written: when one cannot be, none of the others
    is touched. The one for stdout is written last, before the files are replaced."""
    with Staging() as staging:
        for fmt in FORMATS:
            path = outputs.get(fmt.name)
            if path and path != STDOUT:
                try:
                    staging.write(path, render(fmt))
                except OSError as exc:
                    raise cannot_write(path, exc) from None
        for fmt in FORMATS:
            if outputs.get(fmt.name) == STDOUT:
                write(STDOUT, render(fmt))
