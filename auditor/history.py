"""Run history in SQLite: each scan's summary, scores per workload and tier, and findings.

Safe for concurrent scans on one file: WAL journal, a busy timeout, and every write in a
`BEGIN IMMEDIATE` transaction (the write lock is taken up front, so two writers queue instead
of failing half-way). Schema changes are numbered migrations, applied in one transaction and
recorded in `schema_version`.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import HistoryError
from auditor.model import TIERS
from auditor.report import Report, some_names

BUSY_TIMEOUT_S = 60.0

# Append only: a released migration is never edited; a new one is added at the end.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            generated_at TEXT NOT NULL,
            source TEXT NOT NULL,
            collected_at TEXT NOT NULL,
            as_of TEXT NOT NULL,
            complete INTEGER NOT NULL,
            exit_code INTEGER NOT NULL,
            tool_version TEXT NOT NULL
        )""",
        """CREATE TABLE workloads (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            target TEXT NOT NULL,
            score INTEGER NOT NULL,
            ready INTEGER NOT NULL,
            PRIMARY KEY (run_id, name)
        )""",
        """CREATE TABLE tiers (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            workload TEXT NOT NULL,
            tier TEXT NOT NULL,
            score INTEGER NOT NULL,
            ready INTEGER NOT NULL,
            PRIMARY KEY (run_id, workload, tier)
        )""",
        """CREATE TABLE findings (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            rule TEXT NOT NULL,
            workload TEXT NOT NULL,
            status TEXT NOT NULL,
            severity TEXT NOT NULL,
            PRIMARY KEY (run_id, id)
        )""",
        "CREATE INDEX workloads_by_name ON workloads (name, run_id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _number(path: Path, column: str, value: object) -> int:
    """A stored integer; anything else in the column is a damaged history, said in one line."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise HistoryError(f"{path}: column '{column}' holds {value!r}, not a number")


def _version(conn: sqlite3.Connection, path: Path) -> int:
    """The history's schema version (0: an empty database), read without changing anything:
    a database that is not an auditor history is refused before it is touched."""
    tables = {
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not str(row[0]).startswith("sqlite_")
    }
    if tables and "schema_version" not in tables:
        raise HistoryError(
            f"{path}: a SQLite database, but not an auditor history (no schema_version table)"
        )
    if not tables:
        return 0
    current = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    version = _number(path, "schema_version.version", current[0])
    if version > SCHEMA_VERSION:
        raise HistoryError(
            f"{path}: history schema version {version} is newer than this auditor "
            f"understands ({SCHEMA_VERSION}); upgrade auditor"
        )
    return version


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    with _transaction(conn):
        version = _version(conn, path)
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        for number in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[number - 1]:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))


def _when_unlocked(step: Callable[[], object]) -> None:
    """Run a step that SQLite may refuse with "database is locked" without waiting on the busy
    timeout (switching a new file to WAL needs an exclusive lock, and a reader racing the
    switch is told so at once): retry until the busy timeout has passed."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection. Reading a WAL database needs its shared-memory file; when the
    reader may not create it (a read-only file in a read-only folder), the file is read as
    immutable: no one who may write it is in the middle of a run the reader could see half of
    (a writer would have left the file beside it)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if "readonly" not in str(exc).lower() and "unable to open" not in str(exc).lower():
            raise
    return sqlite3.connect(f"{uri}&immutable=1", uri=True, isolation_level=None)


@contextmanager
def _open(
    path: Path | str, *, create: bool, read_only: bool = False
) -> Iterator[sqlite3.Connection]:
    """A connection to the history. Read-only: nothing in the file changes, and a user who may
    only read the file (and not its folder) reads it through a read-only connection (a
    writable one is kept where possible: its journal files go when it closes); otherwise the
    database is checked to be an auditor history (or empty) before it is switched to WAL and
    migrated."""
    path = Path(path)
    if not create and not path.is_file():
        raise HistoryError(f"{path}: no such history database")
    if create and not path.parent.is_dir():
        raise HistoryError(f"{path}: cannot create history: no folder {path.parent}")
    conn: sqlite3.Connection | None = None
    try:
        if read_only and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            conn = _read_only(path)
        else:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        _version(conn, path)
        if not read_only:
            _when_unlocked(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA foreign_keys = ON")
            _when_unlocked(lambda: _migrate(conn, path))
        yield conn
    except sqlite3.DatabaseError as exc:
        raise HistoryError(f"{path}: not a usable history database: {exc}") from None
    finally:
        if conn is not None:
            conn.close()


def record(path: Path | str, report: Report, *, exit_code: int | None = None) -> int:
    """Append one scan to the history; returns its run id. `exit_code` is the run's own (with
    any CI gates applied), else the report's."""
    scan = report.scan
    with _open(path, create=True) as conn, _transaction(conn):
        cursor = conn.execute(
            "INSERT INTO runs (generated_at, source, collected_at, as_of, complete, exit_code,"
            " tool_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                report.generated_at,
                scan.source,
                scan.collected_at,
                scan.as_of.isoformat(),
                int(scan.complete),
                report.exit_code if exit_code is None else exit_code,
                report.tool_version,
            ),
        )
        run_id = cursor.lastrowid
        assert run_id is not None
        conn.executemany(
            "INSERT INTO workloads (run_id, name, target, score, ready) VALUES (?, ?, ?, ?, ?)",
            [
                (run_id, w.name, w.workload.target_summary, w.target.score, int(w.target.ready))
                for w in report.workloads
            ],
        )
        conn.executemany(
            "INSERT INTO tiers (run_id, workload, tier, score, ready) VALUES (?, ?, ?, ?, ?)",
            [
                (run_id, w.name, tier.value, w.tiers[tier].score, int(w.tiers[tier].ready))
                for w in report.workloads
                for tier in TIERS
            ],
        )
        conn.executemany(
            "INSERT INTO findings (run_id, id, rule, workload, status, severity)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (run_id, f.id, f.rule, f.workload, f.status.value, f.severity.value)
                for f in report.findings
            ],
        )
    return int(run_id)


def forget(path: Path | str, run_id: int) -> None:
    """Remove a run recorded by `record` (its outputs could not be written after all)."""
    with _open(path, create=False) as conn, _transaction(conn):
        conn.execute("DELETE FROM findings WHERE run_id = ?", (run_id,))
        conn.execute("DELETE FROM tiers WHERE run_id = ?", (run_id,))
        conn.execute("DELETE FROM workloads WHERE run_id = ?", (run_id,))
        conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))


@dataclass(frozen=True)
class Point:
    """One workload in one run: its scores and readiness per tier and at its target."""

    run_id: int
    generated_at: str
    collected_at: str
    as_of: str
    source: str
    complete: bool
    exit_code: int
    target: str
    target_score: int
    target_ready: bool
    tiers: dict[str, tuple[int, bool]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "generated_at": self.generated_at,
            "collected_at": self.collected_at,
            "as_of": self.as_of,
            "source": self.source,
            "complete": self.complete,
            "exit_code": self.exit_code,
            "target": {"tier": self.target, "score": self.target_score, "ready": self.target_ready},
            "tiers": {t: {"score": s, "ready": r} for t, (s, r) in self.tiers.items()},
        }


@dataclass(frozen=True)
class Trend:
    runs: int
    workloads: dict[str, tuple[Point, ...]]


def trend(path: Path | str, *, workloads: Sequence[str] = (), last: int = 10) -> Trend:
    """The last runs of each workload (oldest first); every workload when none is named."""
    path = Path(path)
    with _open(path, create=False, read_only=True) as conn:
        if _version(conn, path) == 0:  # an empty database: no run yet
            if workloads:
                raise HistoryError(
                    f"{path}: no runs recorded for workload '{workloads[0]}' (recorded: none yet)"
                )
            return Trend(runs=0, workloads={})
        runs = int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])
        known = [row[0] for row in conn.execute("SELECT DISTINCT name FROM workloads ORDER BY 1")]
        unknown = [w for w in workloads if w not in known]
        if unknown:
            listed = some_names(known, unknown[0]) if known else "none yet"
            raise HistoryError(
                f"{path}: no runs recorded for workload '{unknown[0]}' (recorded: {listed})"
            )
        out: dict[str, tuple[Point, ...]] = {}
        for name in workloads or known:
            rows = conn.execute(
                "SELECT r.id, r.generated_at, r.collected_at, r.as_of, r.source, r.complete,"
                " r.exit_code, w.target, w.score, w.ready"
                " FROM workloads w JOIN runs r ON r.id = w.run_id"
                " WHERE w.name = ? ORDER BY r.id DESC LIMIT ?",
                (name, last),
            ).fetchall()
            points = []
            for row in reversed(rows):
                tiers = {
                    str(tier): (_number(path, "tiers.score", score), bool(ready))
                    for tier, score, ready in conn.execute(
                        "SELECT tier, score, ready FROM tiers WHERE run_id = ? AND workload = ?",
                        (row[0], name),
                    )
                }
                points.append(
                    Point(
                        run_id=_number(path, "runs.id", row[0]),
                        generated_at=str(row[1]),
                        collected_at=str(row[2]),
                        as_of=str(row[3]),
                        source=str(row[4]),
                        complete=bool(row[5]),
                        exit_code=_number(path, "runs.exit_code", row[6]),
                        target=str(row[7]),
                        target_score=_number(path, "workloads.score", row[8]),
                        target_ready=bool(row[9]),
                        tiers={t.value: tiers[t.value] for t in TIERS if t.value in tiers},
                    )
                )
            out[name] = tuple(points)
    return Trend(runs=runs, workloads=out)


def document(path: Path | str, result: Trend) -> dict[str, Any]:
    return {
        "database": str(path),
        "runs": result.runs,
        "workloads": [
            {"name": name, "runs": [p.as_dict() for p in points]}
            for name, points in result.workloads.items()
        ],
    }
