"""Outputs whose name ends in .gz are written gzip-compressed, and a compressed JSON report is
read back by `auditor report` and `auditor diff` as the plain one is: the nightly reports a
scheduled run keeps take a tenth of the space."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor import atomic, report_file
from auditor.render import FORMATS

# The machine formats a scheduled run keeps, and the review formats that are text.
COMPRESSIBLE = ("json", "ndjson", "ocsf", "junit", "markdown", "csv", "html")


def _option(name: str) -> str:
    return next(fmt.option for fmt in FORMATS if fmt.name == name)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> Path:
    """The demo scanned to a compressed JSON report, once for the module."""
    from auditor import cli

    folder = tmp_path_factory.mktemp("gz")
    path = folder / "report.json.gz"
    assert cli.main(["scan", "--demo", "--as-of", "2026-11-26", "-q", "--json", str(path)]) == 1
    return path


def test_a_json_report_named_gz_is_gzip_of_the_report_it_renders_again(scanned, run, tmp_path):
    raw = scanned.read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    content = gzip.decompress(raw)
    plain = tmp_path / "again.json"
    assert run("report", str(scanned), "--json", str(plain), "-q").code == 0
    assert content == plain.read_bytes()  # `auditor report` writes the bytes the scan wrote
    assert len(raw) * 5 < len(content)
    document = report_file.read_json(scanned)
    assert document["schema_version"] == "2.0"
    assert document["summary"]["workloads"] == 7


@pytest.mark.parametrize("name", COMPRESSIBLE)
def test_every_format_named_gz_is_the_plain_format_compressed(scanned, run, tmp_path, name):
    option = _option(name)
    plain, packed = tmp_path / f"out.{name}", tmp_path / f"out.{name}.gz"
    assert run("report", str(scanned), option, str(plain), "-q").code == 0
    assert run("report", str(scanned), option, str(packed), "-q").code == 0
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
    assert sorted(os.listdir(tmp_path)) == sorted([plain.name, packed.name])  # no temporary


def test_the_terminal_and_stdout_are_never_compressed(scanned, run):
    result = run("report", str(scanned), "--markdown", "-", "-q")
    assert result.code == 0
    assert result.out.startswith("#")


def test_diff_reads_compressed_and_plain_reports_alike(scanned, run, tmp_path):
    plain = tmp_path / "plain.json"
    assert run("report", str(scanned), "--json", str(plain), "-q").code == 0
    for old, new in ((scanned, plain), (plain, scanned), (scanned, scanned)):
        result = run("diff", str(old), str(new))
        assert result.code == 0, result.err
        assert "0 new, 0 regressed, 0 fixed, 0 changed" in result.out


def test_a_compressed_report_is_recognised_by_its_content_not_its_name(scanned, run, tmp_path):
    renamed = tmp_path / "nightly.json"
    renamed.write_bytes(scanned.read_bytes())
    out, expected = tmp_path / "out.json", tmp_path / "expected.json"
    assert run("report", str(renamed), "--json", str(out), "-q").code == 0
    assert run("report", str(scanned), "--json", str(expected), "-q").code == 0
    assert out.read_bytes() == expected.read_bytes() == gzip.decompress(renamed.read_bytes())


def test_a_truncated_compressed_report_is_one_line_naming_the_file(scanned, run, tmp_path):
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(scanned.read_bytes()[:2000])
    out = tmp_path / "out.html"
    result = run("report", str(cut), "--html", str(out))
    assert result.code == 2
    assert f"{cut}: not a valid gzip file" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_a_report_that_expands_past_the_limit_is_refused_before_it_is_read_whole(
    run, tmp_path, monkeypatch
):
    monkeypatch.setattr(report_file, "MAX_GUNZIPPED_BYTES", 1 << 20)
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b" " * (8 << 20)))  # 8 MB of spaces in 8 KB
    result = run("diff", str(bomb), str(bomb))
    assert result.code == 2
    assert "expands past 1,048,576 bytes, the limit (for a compressed report)" in result.err


def test_compression_is_the_same_bytes_however_the_content_is_cut(tmp_path):
    content = b"".join(
        b'{"finding": %d, "message": "the same text again"}\n' % i for i in range(5000)
    )
    chunks = [content[i : i + 777] for i in range(0, len(content), 777)]
    streamed, whole = tmp_path / "streamed.gz", tmp_path / "whole.gz"
    atomic.write_atomic(streamed, iter(chunks), compress=True)
    atomic.write_atomic(whole, content, compress=True)
    assert streamed.read_bytes() == whole.read_bytes()
    assert gzip.decompress(streamed.read_bytes()) == content
    with gzip.open(streamed) as stream:  # a standard reader: no name, no time in the header
        stream.read()
        assert stream.mtime == 0


def test_a_failing_producer_leaves_the_old_compressed_file(tmp_path):
    target = tmp_path / "report.json.gz"
    target.write_bytes(gzip.compress(b"the previous report"))
    before = target.read_bytes()

    def chunks() -> Iterator[bytes]:
        yield b"half of a new" * 1000
        raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError, match="rendering failed"):
        atomic.write_atomic(target, chunks(), compress=True)
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["report.json.gz"]
