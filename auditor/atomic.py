"""Atomic file writes: the destination holds either the old content or the whole new one.

Only regular files are replaced. A destination that exists and is something else (a device
such as /dev/null or /dev/stdout, a FIFO, or a link to one) is written through instead, once
every staged output is complete: it is never turned into a regular file. A replaced file keeps
its permissions; a new one gets those the umask gives (as `open` would)."""

from __future__ import annotations

import os
import queue
import shutil
import stat
import tempfile
import threading
import zlib
from collections.abc import Iterable
from pathlib import Path

# A piece of a streamed write.
Chunk = bytes | memoryview

# A streamed write syncs what it has written every SYNC_EVERY bytes, so the disk works while
# the rest is being produced instead of all at once at the end.
SYNC_EVERY = 64 << 20
# Chunks produced but not yet written, at most: bounds the memory a slow disk can hold up
# (the JSON report's chunks are a few hundred kilobytes each).
QUEUE_CHUNKS = 256
# Chunks written by one system call at most (below every platform's IOV_MAX).
WRITEV_CHUNKS = 512
# The deflate level of a gzip-compressed output: level 3 keeps compression (done by the
# writing thread, beside the rendering) faster than a report is rendered; level 6 makes the
# benchmark's JSON report a fifth smaller again at 2.5 times the work (benchmarks/README.md).
GZIP_LEVEL = 3


def gzip_name(path: Path | str) -> bool:
    """Whether an output path asks for gzip-compressed content: its name ends in .gz."""
    return Path(path).name.lower().endswith(".gz")


class _Gzip:
    """A gzip stream (RFC 1952; no file name, modification time 0: the same bytes for the
    same content) made a piece at a time."""

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)

    def compress(self, data: Chunk) -> bytes:
        return self._deflate.compress(data)  # releases the interpreter while it works

    def end(self) -> bytes:
        return self._deflate.flush()


def gzip_bytes(payload: bytes | memoryview) -> bytes:
    """A whole payload gzip-compressed, as a streamed write of the same bytes would be."""
    stream = _Gzip()
    return stream.compress(payload) + stream.end()


def write_atomic(
    path: Path | str, payload: bytes | Iterable[Chunk], *, compress: bool = False
) -> None:
    """Write bytes through a temporary file in the same folder, fsync it, then rename it into
    place. `payload` may be an iterable of chunks: they are written by a second thread while
    the iterable produces the next ones (a large report is rendered and written at once), and
    nothing reaches `path` unless every chunk was produced and written. `compress`: written
    gzip-compressed (by the writing thread, for chunks)."""
    with Staging() as staging:
        staging.write(path, payload, compress=compress)


class Staging:
    """Several files written atomically together: each to a temporary file beside it, all
    renamed into place at the end. A run that fails halfway (one report cannot be written)
    leaves every file it would have replaced as it was.

        with Staging() as staging:
            staging.write(json_path, payload)
            staging.write(html_path, page)   # raises: json_path is left untouched
    """

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path, bool]] = []  # (temporary file, path, write through)

    def write(
        self, path: Path | str, payload: bytes | Iterable[Chunk], *, compress: bool = False
    ) -> None:
        path = Path(path)
        try:
            info: os.stat_result | None = path.stat()
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if info is not None and not stat.S_ISREG(info.st_mode):
            # a device or a FIFO: its content is kept aside (not beside it: /dev is no place
            # for temporary files) and written through at commit
            self._staged.append((_stage(None, payload, None, compress), path, True))
            return
        # a link to a regular file: the file it points to is replaced, the link stays
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
        mode = stat.S_IMODE(info.st_mode) if info is not None else _created_mode()
        self._staged.append((_stage(target, payload, mode, compress), target, False))

    def commit(self) -> None:
        while self._staged:
            tmp, path, through = self._staged.pop(0)
            try:
                if through:
                    try:
                        with open(tmp, "rb") as source, open(path, "wb") as sink:
                            shutil.copyfileobj(source, sink, 1 << 20)
                    except BrokenPipeError:
                        pass  # the reader went away (`--json /dev/stdout | head`), as for '-'
                    Path(tmp).unlink(missing_ok=True)
                else:
                    os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    def discard(self) -> None:
        while self._staged:
            Path(self._staged.pop()[0]).unlink(missing_ok=True)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.commit()
        self.discard()


def _created_mode() -> int:
    """The permissions `open` gives a new file: 0o666 less the umask (read by setting it,
    which is the only portable way, and setting it back at once)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _stage(
    path: Path | None, payload: bytes | Iterable[Chunk], mode: int | None, compress: bool
) -> str:
    """The payload (gzip-compressed when `compress`) written to a temporary file beside `path`
    (in the temporary folder when None) and synced, with permissions `mode`: its name."""
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}." if path else ".auditor.",
        suffix=".tmp",
        dir=path.parent if path else None,
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(payload, bytes | bytearray | memoryview):
                handle.write(gzip_bytes(payload) if compress else payload)
            else:
                _write_streamed(handle.fileno(), payload, _Gzip() if compress else None)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


_datasync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync


def _write_streamed(fd: int, chunks: Iterable[Chunk], gzip: _Gzip | None = None) -> None:
    """Produce chunks in this thread and write them in another (os.write releases the GIL),
    which compresses them first when `gzip` is given (zlib releases it too). An error on
    either side stops both and is raised here."""
    pending: queue.Queue[Chunk | None] = queue.Queue(maxsize=QUEUE_CHUNKS)  # None: the end
    failure: list[BaseException] = []
    stop = threading.Event()

    def writer() -> None:
        # Each time this thread gets the interpreter it takes every chunk waiting and writes
        # them in one system call (the interpreter is released while it runs): one chunk per
        # turn would leave it waiting for the producer to yield after each, and the producer
        # blocked on a full queue, so the two would take turns instead of working at once.
        unsynced = 0
        done = False
        try:
            while not done:
                batch = [pending.get()]
                while len(batch) < WRITEV_CHUNKS:
                    try:
                        batch.append(pending.get_nowait())
                    except queue.Empty:
                        break
                if batch[-1] is None:
                    batch.pop()
                    done = True
                views = [memoryview(c) for c in batch if c is not None]
                if gzip is not None:
                    views = [memoryview(gzip.compress(v)) for v in views]
                    if done:
                        views.append(memoryview(gzip.end()))
                unsynced += _write_all(fd, [v for v in views if len(v)])
                if unsynced >= SYNC_EVERY:
                    _datasync(fd)
                    unsynced = 0
        except BaseException as exc:  # handed over to the producing thread
            failure.append(exc)
            stop.set()
            while not done and pending.get() is not None:  # let the producer finish putting
                pass

    thread = threading.Thread(target=writer, name="auditor-write", daemon=True)
    thread.start()
    try:
        for chunk in chunks:
            if stop.is_set():
                break
            if chunk:
                pending.put(chunk)
    finally:
        pending.put(None)
        thread.join()
    if failure:
        raise failure[0]


def _write_all(fd: int, views: list[memoryview]) -> int:
    """Write the views in order, resuming after partial writes; the bytes written."""
    total = sum(len(v) for v in views)
    while views:
        written = os.writev(fd, views) if hasattr(os, "writev") else os.write(fd, views[0])
        while views and written >= len(views[0]):
            written -= len(views[0])
            views.pop(0)
        if views and written:
            views[0] = views[0][written:]
    return total
