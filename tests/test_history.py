"""Run history: scans append to SQLite (safely, even at the same time); `auditor history`
shows the trend per workload and tier."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from auditor import config, demo, history, rules, scan, snapshot

REPO = Path(__file__).resolve().parents[1]


def _scan(run, db: Path, as_of: str, *extra: str) -> None:
    result = run("scan", "--demo", "--as-of", as_of, "-q", "--history", str(db), *extra)
    assert result.code == 1, result.err


def test_scans_append_and_history_shows_the_trend(run, tmp_path, monkeypatch):
    # the header names the database, whose path is as long as pytest's temporary folder: a
    # width it fits in whatever that folder is called (the default is 80 without a terminal)
    monkeypatch.setenv("COLUMNS", "200")
    db = tmp_path / "history.sqlite"
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - {rule: DR-04, workload: recsys, reason: r, owner: o, expires: 2027-01-01}\n"
        "  - {rule: DR-06, workload: recsys, reason: r, owner: o, expires: 2027-01-01}\n"
        "  - {rule: DR-09, workload: recsys, reason: r, owner: o, expires: 2027-01-01}\n"
        "  - {rule: DR-09-SHARED, workload: recsys, reason: r, owner: o, expires: 2027-01-01}\n"
    )
    _scan(run, db, "2026-10-31")
    _scan(run, db, "2026-11-26")
    _scan(run, db, "2026-11-26", "--waivers", str(waivers))

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone() == (1,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        runs = conn.execute("SELECT id, source, as_of, complete, exit_code FROM runs").fetchall()
        assert runs == [
            (1, "demo", "2026-10-31", 1, 1),
            (2, "demo", "2026-11-26", 1, 1),
            (3, "demo", "2026-11-26", 1, 1),
        ]
        statuses = conn.execute(
            "SELECT status, count(*) FROM findings WHERE run_id = 3 GROUP BY status"
        ).fetchall()
        assert ("suppressed", 4) in statuses
        assert conn.execute(
            "SELECT rule, workload, status, severity FROM findings"
            " WHERE run_id = 1 AND workload = 'recsys' AND rule = 'DR-06'"
        ).fetchone() == ("DR-06", "recsys", "fail", "critical")
        assert conn.execute("SELECT count(*) FROM tiers WHERE run_id = 1").fetchone() == (7 * 3,)

    shown = run("history", str(db), "--workload", "recsys", "--no-color")
    assert shown.code == 0
    assert "3 run(s) recorded" in shown.out
    assert "recsys (target hot/cold): score 46 -> 80 (+34) over 3 runs; now ready" in shown.out
    assert "readiness changed 1 time(s)" in shown.out
    assert "fraud-scoring" not in shown.out

    as_json = run("history", str(db), "--json", "--last", "2")
    document = json.loads(as_json.out)
    assert document["runs"] == 3
    names = [w["name"] for w in document["workloads"]]
    assert names == sorted(names) and "fraud-scoring" in names
    recsys = next(w for w in document["workloads"] if w["name"] == "recsys")
    assert [r["run"] for r in recsys["runs"]] == [2, 3]
    last = recsys["runs"][-1]
    assert last["target"] == {"tier": "hot/cold", "score": 80, "ready": True}
    assert set(last["tiers"]) == {"hot/hot", "hot/warm", "hot/cold"}
    assert recsys["runs"][0]["tiers"]["hot/cold"] == {"score": 46, "ready": False}
    assert last["as_of"] == "2026-11-26" and last["exit_code"] == 1


def test_history_errors_are_one_clear_line(run, tmp_path):
    missing = run("history", str(tmp_path / "none.sqlite"))
    assert missing.code == 2 and "no such history database" in missing.err
    assert not (tmp_path / "none.sqlite").exists()

    db = tmp_path / "h.sqlite"
    _scan(run, db, "2026-11-26")
    unknown = run("history", str(db), "--workload", "nope")
    assert unknown.code == 2
    assert "no runs recorded for workload 'nope' (recorded: churn-prediction" in unknown.err

    text = tmp_path / "notes.txt"
    text.write_text("hello, not a database\n" * 100)
    for argv in (("history", str(text)), ("scan", "--demo", "-q", "--history", str(text))):
        result = run(*argv)
        assert result.code == 2 and "not a usable history database" in result.err
        assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1

    nowhere = run("scan", "--demo", "-q", "--history", str(tmp_path / "no" / "h.sqlite"))
    assert nowhere.code == 2 and "cannot create history" in nowhere.err


def test_a_foreign_database_or_a_newer_schema_is_refused(run, tmp_path):
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    result = run("scan", "--demo", "-q", "--history", str(foreign))
    assert result.code == 2 and "not an auditor history" in result.err

    newer = tmp_path / "newer.sqlite"
    _scan(run, newer, "2026-11-26")
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (99)")
    result = run("history", str(newer))
    assert result.code == 2
    assert "schema version 99 is newer than this auditor understands (1)" in result.err


def test_migrations_run_once(run, tmp_path):
    db = tmp_path / "h.sqlite"
    _scan(run, db, "2026-11-26")
    _scan(run, db, "2026-11-26")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (2,)


def _demo_report():
    return scan.run(
        snapshot.load(demo.snapshot_path()),
        config.load(demo.config_path()),
        rules.load(),
    )


def _check_consistent(db: Path, runs: int, findings_per_run: int) -> None:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (runs,)
        per_run = conn.execute("SELECT run_id, count(*) FROM findings GROUP BY run_id").fetchall()
        assert len(per_run) == runs
        assert {n for _, n in per_run} == {findings_per_run}
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone() == (1,)


def test_concurrent_threads_do_not_corrupt_the_database(tmp_path):
    db = tmp_path / "h.sqlite"
    report = _demo_report()
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                history.record(db, report)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    _check_consistent(db, 40, len(report.findings))


WRITER = """
import sys, time
from auditor import config, demo, history, rules, scan, snapshot
report = scan.run(snapshot.load(demo.snapshot_path()), config.load(demo.config_path()), rules.load())
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
for _ in range(int(sys.argv[3])):
    history.record(sys.argv[1], report)
"""


@pytest.mark.parametrize("fresh", [True, False], ids=["new-file", "existing-file"])
def test_concurrent_processes_do_not_corrupt_the_database(tmp_path, fresh):
    db = tmp_path / "h.sqlite"
    report = _demo_report()
    if not fresh:
        history.record(db, report)
    start = time.time() + 3.0  # every process is up and waiting before the first write
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(start), "5"],
            cwd=tmp_path,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    _check_consistent(db, 30 + (0 if fresh else 1), len(report.findings))


def test_the_html_report_shows_a_trend_per_workload_escaped(run, tmp_path):
    cfg = yaml.safe_load(demo.config_path().read_text())
    cfg["workloads"][0]["name"] = "<img src=x onerror=alert(1)>"
    path = tmp_path / "auditor.yaml"
    path.write_text(yaml.safe_dump(cfg))
    db, page = tmp_path / "h.sqlite", tmp_path / "report.html"
    base = ["scan", "--demo", "--config", str(path), "-q", "--history", str(db)]
    run(*base, "--as-of", "2026-10-31")
    run(*base, "--as-of", "2026-11-26", "--html", str(page))
    html = page.read_text()
    trend = html[html.index('<div class="card table-scroll trend" id="trend">') :]
    trend = trend[: trend.index("</div>")]
    assert (
        trend.count('<span class="ready" style="--score: ')
        + trend.count('<span class="not-ready" style="--score: ')
        == 2 * 7
    )
    assert "89 &rarr; 88 (-1), ready" in trend  # churn-prediction: DR-16's attestation expired
    assert "&lt;img src=x onerror=alert(1)&gt;" in trend and "<img" not in trend
    # without --history, no trend
    run("scan", "--demo", "-q", "--html", str(page))
    assert 'id="trend"' not in page.read_text()


def test_report_re_renders_the_trend_from_the_history_without_recording(run, tmp_path) -> None:
    history = tmp_path / "history.sqlite"
    for n in (1, 2):
        scanned = run(
            "scan",
            "--demo",
            "-q",
            "--history",
            str(history),
            "--json",
            str(tmp_path / f"r{n}.json"),
            "--html",
            str(tmp_path / f"r{n}.html"),
        )
        assert scanned.code == 1
    again = tmp_path / "again.html"
    result = run(
        "report", str(tmp_path / "r2.json"), "--history", str(history), "--html", str(again), "-q"
    )
    assert result.code == 0, result.err
    assert again.read_bytes() == (tmp_path / "r2.html").read_bytes()  # the trend included
    assert 'id="trend"' in again.read_text()
    assert "2 run(s) recorded" in " ".join(run("history", str(history)).out.split())  # no new run
