"""Benchmark: live collection of a large synthetic estate from the local emulator.

    python benchmarks/bench_collect.py [--resources 100000] [--subscriptions 20]
        [--latency 0.05] [--quota 15] [--quota-window 5] [--concurrency 8]

Reports the request count against the floor (Resource Graph pages plus the ARM reads, each
list read counted in pages), the wall time against the floor time that the quota and the
latency allow, and the number of 429s (zero in a healthy run). Goal: requests == floor,
wall time within 1.2x of the floor time. Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.collect.auth import StaticTokenCredential, resolve_target  # noqa: E402
from auditor.collect.run import Collector, Options  # noqa: E402
from auditor.testing.builder import REGIONS, PairSpec, SnapshotBuilder, add_pair, standard_quota  # noqa: E402

PAIRS = [
    ("eastus", "westus"),
    ("eastus2", "centralus"),
    ("westeurope", "northeurope"),
    ("uksouth", "ukwest"),
    ("swedencentral", "swedensouth"),
]


def estate(resources: int, subscriptions: int) -> dict[str, Any]:
    """Pairs with several online endpoints each, spread over the subscriptions."""
    builder = SnapshotBuilder(origin="synthetic")
    subs = [f"{n:08x}-0000-4000-8000-{n:012x}" for n in range(1, subscriptions + 1)]
    for sub in subs:
        builder.subscription(sub)
        standard_quota(builder, sub, sorted({r for pair in PAIRS for r in pair}), 96)
    endpoints = tuple((f"ep{n}", f"model{n}", 2) for n in range(6))
    n = 0
    while len(builder.rows) < resources:
        sub = subs[n % len(subs)]
        primary, secondary = PAIRS[n % len(PAIRS)]
        add_pair(
            builder,
            PairSpec(
                name=f"w{n:05d}",
                sub=sub,
                primary_region=primary,
                secondary_region=secondary,
                endpoints=endpoints,
            ),
        )
        n += 1
    doc = builder.build()
    doc["resources"] = doc["resources"][:resources]
    assert set(REGIONS) >= {r for pair in PAIRS for r in pair}
    return doc


def floor(
    doc: dict[str, Any], page_size: int, quota: int, window: float, latency: float, concurrency: int
) -> tuple[int, float]:
    """The fewest requests, and the least time, any collector could take."""
    pages = max(1, math.ceil(len(doc["resources"]) / 1000))
    pages += sum(max(1, math.ceil(len(t) / 1000)) for t in doc.get("tables", {}).values())
    workspaces = [
        r for r in doc["resources"] if r["type"] == "microsoft.machinelearningservices/workspaces"
    ]
    ids = {r["id"].lower() for r in workspaces}
    stores = {str(r["properties"].get("storageAccount", "")).lower() for r in workspaces}
    subs = {r["subscriptionId"].lower() for r in workspaces}
    places = {(r["subscriptionId"].lower(), r["location"].lower()) for r in workspaces}
    arm = 1  # the locations list, once per cloud
    for read in doc["arm"]:
        path = read["path"].lower()
        parts = path.split("/")
        if path.endswith("/locations"):
            continue
        if path.endswith(("/computes", "/datastores")) and path.rsplit("/", 1)[0] not in ids:
            continue
        if (
            path.endswith("/blobservices/default")
            and path[: -len("/blobservices/default")] not in stores
        ):
            continue
        if path.endswith(("/usages", "/vmsizes")) and (parts[2], parts[-2]) not in places:
            continue
        if path.endswith("/microsoft.machinelearningservices") and parts[2] not in subs:
            continue
        values = read["body"].get("value") if isinstance(read["body"], dict) else None
        paged = path.endswith(("/usages", "/computes", "/datastores"))
        arm += (
            max(1, math.ceil(len(values) / page_size)) if paged and isinstance(values, list) else 1
        )
    graph_time = max(pages * latency, (math.ceil(pages / quota) - 1) * window + latency)
    arm_time = arm * latency / concurrency
    return pages + arm, max(graph_time, arm_time)


def _wait_for_url(log: Path) -> str:
    for _ in range(600):
        found = re.search(r"at (http://127\.0\.0\.1:\d+)", log.read_text())
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise SystemExit("the emulator did not start: " + log.read_text()[-2000:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--subscriptions", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--quota", type=int, default=15)
    parser.add_argument("--quota-window", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--page-size-arm", type=int, default=100)
    args = parser.parse_args()

    doc = estate(args.resources, args.subscriptions)
    floor_requests, floor_time = floor(
        doc, args.page_size_arm, args.quota, args.quota_window, args.latency, args.concurrency
    )
    # The emulator runs in its own process, as Azure would: the client's CPU is measured alone.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "estate.json"
        path.write_text(json.dumps(doc))
        log = Path(tmp) / "requests.log"
        with log.open("w") as out:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.emulator",
                    str(path),
                    "--port",
                    "0",
                    "--latency",
                    str(args.latency),
                    "--quota",
                    str(args.quota),
                    "--quota-window",
                    str(args.quota_window),
                    "--page-size-arm",
                    str(args.page_size_arm),
                    "--quiet",
                ],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                url = _wait_for_url(log)
                collector = Collector(
                    resolve_target("AzureCloud", url),
                    StaticTokenCredential("benchmark"),
                    Options(
                        subscriptions=tuple(doc["scope"]["subscriptions"]),
                        concurrency=args.concurrency,
                    ),
                )
                start = time.perf_counter()
                collected = collector.run()
                wall = time.perf_counter() - start
            finally:
                server.send_signal(signal.SIGINT)
                server.wait(timeout=30)
        served = re.search(r"served (\d+) requests, (\d+) throttled", log.read_text())
        if served is None:
            raise SystemExit("the emulator did not report its totals: " + log.read_text()[-2000:])
        requests, throttled = int(served.group(1)), int(served.group(2))
    ok_rows = len(collected["resources"]) == len(doc["resources"])
    print(
        f"resources             {len(doc['resources']):>10,}  (collected {len(collected['resources']):,})"
    )
    print(f"subscriptions         {args.subscriptions:>10}")
    print(f"requests              {requests:>10,}  floor {floor_requests:,}")
    print(f"429 responses         {throttled:>10}")
    print(f"collection errors     {len(collected['errors']):>10}")
    print(
        f"wall time             {wall:>10.1f} s  floor {floor_time:.1f} s  ratio {wall / max(floor_time, 1e-9):.2f}"
    )
    met = ok_rows and requests == floor_requests and throttled == 0 and wall <= 1.2 * floor_time
    print("goal (requests == floor, no 429, wall <= 1.2x floor):", "met" if met else "MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
