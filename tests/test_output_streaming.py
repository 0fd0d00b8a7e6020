"""Large outputs are rendered and written at once: the JSON report in chunks of findings, and
atomic writes that take chunks. What lands on disk is the same bytes, or nothing."""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor import atomic, config, demo, report_file, rules, scan, snapshot
from auditor.render import by_name, json_report
from auditor.report import Report


@pytest.fixture(scope="module")
def report() -> Report:
    return scan.run(
        snapshot.load(demo.snapshot_path()), config.load(demo.config_path()), rules.load(())
    )


def _whole(report: Report) -> bytes:
    """The JSON report laid out by the standard library: the document indented by two spaces,
    each item of `workloads` and `findings` one compact line of its own."""
    document = json_report.document(report)
    arrays = {"workloads": document["workloads"], "findings": document["findings"]}
    placeholders = {key: f"@{key}-{uuid.uuid4().hex}@" for key in arrays}
    text = json.dumps({**document, **placeholders}, indent=2, ensure_ascii=False)
    for key, items in arrays.items():
        lines = [json.dumps(item, separators=(",", ":"), ensure_ascii=False) for item in items]
        laid_out = "[\n    " + ",\n    ".join(lines) + "\n  ]" if items else "[]"
        text = text.replace(f'"{placeholders[key]}"', laid_out)
    return (text + "\n").encode()


def test_each_workload_and_finding_is_one_line_of_the_report(report):
    lines = json_report.render(report).decode().splitlines()
    document = json_report.document(report)
    for key in ("workloads", "findings"):
        start = lines.index(f'  "{key}": [')
        items = [
            json.loads(line.strip().rstrip(","))
            for line in lines[start + 1 :][: len(document[key])]
        ]
        assert items == document[key]
        assert lines[start + 1 + len(document[key])] == "  ],"
    assert json.loads("\n".join(lines)) == document


@pytest.mark.parametrize(
    ("per_chunk", "workloads_per_chunk"), [(1, 1), (2, 3), (7, 2), (50, 10_000), (10_000, 20)]
)
def test_the_json_report_in_chunks_is_the_whole_document(
    report, monkeypatch, per_chunk, workloads_per_chunk
):
    monkeypatch.setattr(json_report, "CHUNK_FINDINGS", per_chunk)
    monkeypatch.setattr(json_report, "CHUNK_WORKLOADS", workloads_per_chunk)
    pieces = list(json_report.chunks(report))
    chunked = -(-len(report.findings) // per_chunk)
    workload_chunks = -(-len(report.workloads) // workloads_per_chunk)
    # head, [, the chunks and commas between, ], the middle, [, chunks, commas, ], the tail
    assert len(pieces) == 1 + (2 * workload_chunks + 1) + 1 + (2 * chunked + 1) + 1
    assert b"".join(pieces) == _whole(report)
    assert json_report.render(report) == _whole(report)


def test_a_report_without_findings_is_still_the_whole_document(report):
    empty = dataclasses.replace(report, findings=())
    assert b"".join(json_report.chunks(empty)) == _whole(empty)
    assert json.loads(json_report.render(empty))["findings"] == []
    nothing = dataclasses.replace(report, workloads=(), findings=())
    assert b"".join(json_report.chunks(nothing)) == _whole(nothing)
    assert json.loads(json_report.render(nothing))["workloads"] == []


def test_markup_and_newlines_in_names_stay_inside_their_line(report):
    """A newline inside a message is escaped: each finding stays one line of the report."""
    odd = dataclasses.replace(
        report,
        findings=tuple(
            dataclasses.replace(f, message=f.message + '\n  "x": [1]\n</script>')
            for f in report.findings
        ),
    )
    assert json_report.render(odd) == _whole(odd)
    assert len(json_report.render(odd).splitlines()) == len(json_report.render(report).splitlines())
    assert json.loads(json_report.render(odd))["findings"][0]["message"].endswith("</script>")


def test_the_json_format_streams_and_the_others_render_whole(report):
    assert not isinstance(by_name("json").produce(report), bytes)
    assert isinstance(by_name("html").produce(report), bytes)


def _listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_a_streamed_write_lands_every_chunk(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "SYNC_EVERY", 10)  # sync as it goes, as a large write does
    target = tmp_path / "report.json"
    chunks = [bytes([65 + i % 26]) * (i * 7 + 1) for i in range(200)]
    atomic.write_atomic(target, iter(chunks))
    assert target.read_bytes() == b"".join(chunks)
    assert _listing(tmp_path) == ["report.json"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_failing_producer_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "report.json"
    target.write_bytes(b"the previous report")

    def chunks() -> Iterator[bytes]:
        yield b"half of a new"
        raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError, match="rendering failed"):
        atomic.write_atomic(target, chunks())
    assert target.read_bytes() == b"the previous report"
    assert _listing(tmp_path) == ["report.json"]


def test_partial_writes_are_resumed_where_they_stopped(tmp_path, monkeypatch):
    """A write may take fewer bytes than it was given (a pipe, a signal): the rest follows."""
    real_writev = os.writev
    calls = []

    def a_few_bytes_at_a_time(fd: int, buffers: list[memoryview]) -> int:
        calls.append(len(buffers))
        return real_writev(fd, [bytes(b"".join(buffers)[:7])])

    monkeypatch.setattr(atomic.os, "writev", a_few_bytes_at_a_time)
    target = tmp_path / "report.json"
    chunks = [bytes([65 + i % 26]) * (i % 13 + 1) for i in range(100)]
    atomic.write_atomic(target, iter(chunks))
    assert target.read_bytes() == b"".join(chunks)
    assert len(calls) >= sum(map(len, chunks)) / 7


def test_a_failing_disk_stops_the_producer_and_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_bytes(b"the previous report")
    produced = []
    real_writev = os.writev

    def full_disk(fd: int, buffers: list[memoryview]) -> int:
        if len(produced) > 3:
            raise OSError(28, "No space left on device")
        return real_writev(fd, buffers)

    def chunks() -> Iterator[bytes]:
        for i in range(10_000):
            produced.append(i)
            yield b"x" * 1000

    monkeypatch.setattr(atomic.os, "writev", full_disk)
    with pytest.raises(OSError, match="No space left"):
        atomic.write_atomic(target, chunks())
    assert len(produced) < 10_000  # the producer stopped early
    assert target.read_bytes() == b"the previous report"
    assert _listing(tmp_path) == ["report.json"]


def test_the_cli_streams_the_json_report_to_a_file_and_to_stdout(run, tmp_path, monkeypatch):
    monkeypatch.setattr(json_report, "CHUNK_FINDINGS", 3)
    path = tmp_path / "r.json"
    to_file = run("scan", "--demo", "--as-of", "2026-11-26", "--quiet", "--json", str(path))
    to_stdout = run("scan", "--demo", "--as-of", "2026-11-26", "--quiet", "--json", "-")
    assert to_file.code == to_stdout.code == 1
    on_disk, printed = json.loads(path.read_text()), json.loads(to_stdout.out)
    on_disk.pop("generated_at"), printed.pop("generated_at")
    assert on_disk == printed
    assert len(on_disk["findings"]) == on_disk["summary"]["workloads"] * len(
        on_disk["scan"]["rules"]
    )


def test_findings_that_share_nothing_render_as_those_that_share_their_rule_parts(report):
    """A report read back from its JSON has a levels and remediation mapping per finding (a
    scan shares one per rule): the chunks are the same document either way."""
    rebuilt = report_file.report_from_document(json_report.document(report))
    assert rebuilt.findings[0].levels is not rebuilt.findings[1].levels
    assert b"".join(json_report.chunks(rebuilt)) == _whole(report)
