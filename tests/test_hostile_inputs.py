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


def test_views_list_a_hundred_evidence_items_and_count_the_rest_the_json_keeps_all(
    run, tmp_path: Path
) -> None:
    from auditor.testing.builder import PairSpec, SnapshotBuilder, add_pair, standard_quota

    sub = "5c0f1e2d-7a8b-4c9d-8e1f-2a3b4c5d6e7f"
    builder = SnapshotBuilder()
    builder.subscription(sub)
    standard_quota(builder, sub, ["eastus", "westus"], 96)
    primary, _ = add_pair(
        builder,
        PairSpec(
            name="fraud",
            sub=sub,
            primary_region="eastus",
            secondary_region="westus",
            tags=True,
            endpoints=(),
        ),
    )
    for i in range(150):  # 150 endpoints the secondary lacks: DR-10 fails with every one
        model = f"{primary}/models/m{i}/versions/1"
        builder.online_endpoint(primary, "eastus", f"ep{i}", [("blue", model, 2, "Succeeded")])
    estate = tmp_path / "estate.json"
    estate.write_text(json.dumps(builder.build()))
    report, page = tmp_path / "report.json", tmp_path / "report.html"
    result = run(
        "scan",
        "--snapshot",
        str(estate),
        "--json",
        str(report),
        "--html",
        str(page),
        "-v",
        "--workload",
        "fraud",
        "--target",
        "hot/warm",
    )
    assert result.code == 1, result.err
    document = json.loads(report.read_text())
    (dr10,) = [f for f in document["findings"] if f["rule"] == "DR-10"]
    assert len(dr10["evidence"]) == 150  # the JSON report keeps every item: one per endpoint
    left = len(dr10["evidence"]) - 100
    assert f"and {left} more evidence item(s): the JSON report has them all" in " ".join(
        result.out.split()
    )
    assert f"and {left} more evidence items: the JSON report has them all" in page.read_text()


def test_a_large_pool_s_findings_name_twelve_workloads_and_count_the_rest(tmp_path: Path) -> None:
    import datetime as dt

    from auditor import config, rules, scan
    from auditor.testing.builder import PairSpec, SnapshotBuilder, add_pair, standard_quota

    sub = "5c0f1e2d-7a8b-4c9d-8e1f-2a3b4c5d6e7f"
    builder = SnapshotBuilder()
    builder.subscription(sub)
    standard_quota(builder, sub, ["eastus", "westus"], 96)
    for i in range(20):  # 20 workloads of 8 vCPUs each fail over into westus: 160 > 96
        add_pair(
            builder,
            PairSpec(
                name=f"w{i:02d}",
                sub=sub,
                primary_region="eastus",
                secondary_region="westus",
                tags=True,
                endpoints=(),
                clusters=(("cpu", "Standard_DS3_v2", 2, "Dedicated"),),
            ),
        )
    report = scan.run(
        snapshot.validate(builder.build(), "built"),
        config.Config(),
        rules.load(),
        as_of=dt.date(2026, 11, 26),
    )
    shared = [f for f in report.findings if f.rule == "DR-09-SHARED"]
    assert len(shared) == 20 and all(f.status.value == "fail" for f in shared)
    assert "the 20 workloads failing over into it from eastus need 160 at once" in shared[0].message
    assert shared[0].message.endswith("and 8 more)")  # 12 named of 20
