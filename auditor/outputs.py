"""A command's outputs: which formats go where, written together (staged, then replaced at once),
to stdout ('-'), or to a stream whose reader may have gone."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.atomic import Staging, gzip_name, write_atomic
from auditor.errors import OutputError, RenderError, UsageError
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
    """One output: to stdout for '-', else replaced atomically (gzip-compressed when the name
    ends in .gz)."""
    if path == STDOUT:
        try:
            for chunk in [payload] if isinstance(payload, bytes) else payload:
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
        except BrokenPipeError:
            reader_gone(sys.stdout)
        return
    try:
        write_atomic(Path(path), payload, compress=gzip_name(path))
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


# An option and the path it names: ("--json", "r.json"), ("--snapshot", "s.json").
Named = tuple[str, str | None]


def _identity(path: str) -> tuple[object, ...] | None:
    """What makes two names the same file: its device and inode when it exists, else where it
    would be created (links resolved); None for what is written through or read as a stream
    (a device, a FIFO), which two options may well share (/dev/null)."""
    try:
        info = os.stat(path)
    except OSError:
        return ("path", os.path.realpath(path))
    if stat.S_ISREG(info.st_mode):
        return ("file", info.st_dev, info.st_ino)
    if stat.S_ISDIR(info.st_mode):
        return ("dir", info.st_dev, info.st_ino)
    return None


def check_paths(outputs: Iterable[Named], inputs: Iterable[Named] = ()) -> None:
    """Before anything is read or collected: no output is a directory, the same file as an
    input (a snapshot, a config, a history database, a report being read...) or the same file
    as another output. Raises OutputError, one line."""
    seen: dict[tuple[object, ...], str] = {}
    for option, path in inputs:
        if path and path != STDOUT and (key := _identity(path)) is not None:
            seen.setdefault(key, f"{option} {path}")
    readers = dict(seen)
    for option, path in outputs:
        if not path or path == STDOUT:
            continue
        key = _identity(path)
        if key is None:
            continue
        if key[0] == "dir":
            raise OutputError(f"{option} {path}: is a directory; give a file name")
        if key in readers:
            raise OutputError(
                f"{option} {path}: the same file as {readers[key]}; an output never replaces "
                "an input"
            )
        if key in seen:
            raise OutputError(
                f"{option} {path}: the same file as {seen[key]}; each output needs its own file"
            )
        seen[key] = f"{option} {path}"


def format_paths(outputs: Mapping[str, str | None]) -> list[Named]:
    """The chosen formats (format name -> path) as options and paths."""
    return [(fmt.option, outputs.get(fmt.name)) for fmt in FORMATS]


def write_formats(outputs: Mapping[str, str | None], render: Callable[[Format], Payload]) -> None:
    """Write every requested format (outputs: format name -> path) in the table's order. The
    files are replaced together once all are written: when one cannot be, none of the others
    is touched. The one for stdout is written last, before the files are replaced. A file
    whose name ends in .gz is written gzip-compressed."""
    try:
        with Staging() as staging:
            for fmt in FORMATS:
                path = outputs.get(fmt.name)
                if path and path != STDOUT:
                    try:
                        staging.write(path, render(fmt), compress=gzip_name(path))
                    except OSError as exc:
                        raise cannot_write(path, exc) from None
            for fmt in FORMATS:
                if outputs.get(fmt.name) == STDOUT:
                    write(STDOUT, render(fmt))
    except OSError as exc:  # replacing the files (or writing through a device) at the end
        raise cannot_write(str(exc.filename2 or exc.filename or "output"), exc) from None
