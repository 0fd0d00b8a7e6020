"""Inputs that would exhaust the machine are refused before they do: a compressed snapshot that
expands past --max-snapshot-bytes, a plain one larger than it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from auditor import demo, snapshot
from auditor.cli.common import MAX_SNAPSHOT_BYTES


def test_a_gzip_bomb_is_refused_before_it_is_read_whole(run, tmp_path: Path) -> None:
    bomb = tmp_path / "estate.json.gz"
    # 64 MB of one character compresses to about 64 KB
    bomb.write_bytes(gzip.compress(b'{"format": "' + b"a" * (64 * 1024 * 1024) + b'"}', 9))
    result = run("scan", "--snapshot", str(bomb), "--max-snapshot-bytes", "1000000", "-q")
    assert result.code == 2
    assert result.err.strip() == (
        f"auditor: error: {bomb}: expands past 1,000,000 bytes, the limit "
        "(--max-snapshot-bytes); refused before reading it whole"
    )


def test_a_plain_snapshot_past_the_limit_is_refused_and_one_within_it_scans(
    run, tmp_path: Path
) -> None:
    estate = tmp_path / "estate.json"
    estate.write_bytes(demo.snapshot_path().read_bytes())
    size = estate.stat().st_size
    small = run("scan", "--snapshot", str(estate), "--max-snapshot-bytes", str(size - 1), "-q")
    assert small.code == 2 and f"is {size:,} bytes, past the limit of {size - 1:,}" in small.err
    assert run("scan", "--snapshot", str(estate), "--max-snapshot-bytes", str(size), "-q").code == 1
    packed = tmp_path / "estate.json.gz"
    packed.write_bytes(gzip.compress(estate.read_bytes()))
    assert run("what-if", "--all-regions", "--snapshot", str(packed), "-q").code == 1
    assert run("plan", "recsys", "--snapshot", str(packed), "--max-snapshot-bytes", "10").code == 2


def test_the_documented_default_is_the_loader_s() -> None:
    assert MAX_SNAPSHOT_BYTES == snapshot.MAX_BYTES
    assert json.loads(demo.snapshot_path().read_text())["format"] == "auditor.snapshot"
