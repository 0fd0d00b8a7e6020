"""Every command on one estate per size: scan, report (each format), diff and history, as a
ratio to the snapshot's parse, with the report's size and each command's peak memory.

    python benchmarks/bench_commands.py                      # 500, 2,000 and 10,000 pairs
    python benchmarks/bench_commands.py --sizes 500 2000     # a quicker run
    python benchmarks/bench_commands.py --keep /tmp/bench    # keep (and reuse) the estates
    python benchmarks/bench_commands.py --formats html junit # fewer report formats

Each command runs as the user runs it, `python -m auditor ...` in a child process of its own,
timed from start to exit, its peak resident memory read from os.wait4's resource usage. The
floor is `json.load` of the snapshot in this process (best of --repeat, as every timing here).
Exit 1 when a goal of issue 15 is missed (a gate, not a test):

* `auditor report R.json --FORMAT`, `auditor diff R.json R.json` and `auditor history DB`
  take no longer than the scan that wrote the report (`scan --json R.json`, plus `--FORMAT`
  for a report in that format), at every size;
* their time per workload is flat: at the largest size at most FLAT x that at the smallest;
* the JSON report is at most REPORT_KB_PER_WORKLOAD KB per workload;
* at 10,000 workloads (or more) the scan to a JSON report is at most SCAN_RATIO x the parse.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (500, 2000, 10000)
# The report formats besides JSON, by their scan/report option (auditor.render.FORMATS).
FORMATS = ("html", "ndjson", "ocsf", "junit", "markdown", "xlsx", "csv")
SUFFIX = {"html": ".html", "ndjson": ".ndjson", "ocsf": ".ocsf.json", "junit": ".xml"}
SUFFIX.update(markdown=".md", xlsx=".xlsx", csv=".csv")

REPORT_KB_PER_WORKLOAD = 25.0
SCAN_RATIO = 2.0
SCAN_RATIO_FROM = 10_000
FLAT = 1.25


@dataclass
class Run:
    seconds: float
    peak_mb: float
    code: int


@dataclass
class Size:
    n: int
    workloads: int
    snapshot_mb: float
    report_bytes: int
    gz_bytes: int  # the same report written as report.json.gz
    parse: float
    runs: dict[str, Run] = field(default_factory=dict)

    def ratio(self, name: str) -> float:
        return self.runs[name].seconds / self.parse

    @property
    def report_kb_per_workload(self) -> float:
        return self.report_bytes / 1000 / self.workloads

    @property
    def gz_kb_per_workload(self) -> float:
        return self.gz_bytes / 1000 / self.workloads


def command(argv: Sequence[str]) -> Run:
    """One auditor command in a child process: wall seconds, peak memory, exit code."""
    gc.collect()
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "auditor", *argv],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.stderr is not None
    err = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    if child.returncode not in (0, 1, 3):
        raise SystemExit(f"auditor {' '.join(argv)} failed ({child.returncode}):\n{err}")
    return Run(elapsed, usage.ru_maxrss / 1024, child.returncode)  # ru_maxrss is in KiB


def best(repeat: int, argv: Sequence[str]) -> Run:
    runs = [command(argv) for _ in range(repeat)]
    return min(runs, key=lambda r: r.seconds)


def parse_floor(path: Path, repeat: int) -> float:
    """json.load of the snapshot: the best of `repeat`, in seconds."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        with path.open("rb") as handle:
            data = json.load(handle)
        times.append(time.perf_counter() - start)
        del data
    return min(times)


def estate(n: int, folder: Path) -> tuple[Path, Path]:
    snapshot, config = folder / f"estate-{n}.json", folder / f"estate-{n}.config.yaml"
    if not (snapshot.exists() and config.exists()):
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(n), str(snapshot)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return snapshot, config


def measure(
    n: int, folder: Path, repeat: int, formats: Sequence[str], log: Callable[[str], None]
) -> Size:
    snapshot, config = estate(n, folder)
    source = ["--snapshot", str(snapshot), "--config", str(config), "-q"]
    report = folder / f"report-{n}.json"
    packed = folder / f"report-{n}.json.gz"
    history = folder / f"history-{n}.sqlite"
    history.unlink(missing_ok=True)
    parse = parse_floor(snapshot, repeat)
    log(f"N={n}: parse {parse:.2f} s")
    runs: dict[str, Run] = {}
    runs["scan"] = best(repeat, ["scan", *source, "--json", str(report)])
    log(f"  scan {runs['scan'].seconds:.2f} s")
    runs["scan json.gz"] = best(repeat, ["scan", *source, "--json", str(packed)])
    log(f"  scan to report.json.gz {runs['scan json.gz'].seconds:.2f} s")
    # Two runs recorded, so that `auditor history` has a trend to show.
    for _ in range(2):
        command(["scan", *source, "-q", "--history", str(history)])
    runs["report json"] = best(
        repeat, ["report", str(report), "-q", "--json", str(folder / "x.json")]
    )
    for fmt in formats:
        out = folder / f"out-{n}{SUFFIX[fmt]}"
        runs[f"scan +{fmt}"] = best(
            repeat, ["scan", *source, "--json", str(report), f"--{fmt}", str(out)]
        )
        runs[f"report {fmt}"] = best(repeat, ["report", str(report), "-q", f"--{fmt}", str(out)])
        log(
            f"  {fmt}: scan {runs[f'scan +{fmt}'].seconds:.2f} s, report {runs[f'report {fmt}'].seconds:.2f} s"
        )
    runs["diff"] = best(repeat, ["diff", str(report), str(report), "-q"])
    runs["diff json.gz"] = best(repeat, ["diff", str(packed), str(packed), "-q"])
    runs["history"] = best(repeat, ["history", str(history), "--last", "10"])
    log(f"  diff {runs['diff'].seconds:.2f} s, history {runs['history'].seconds:.2f} s")
    doc = json.loads(report.read_bytes())
    return Size(
        n=n,
        workloads=len(doc["workloads"]),
        snapshot_mb=snapshot.stat().st_size / 1e6,
        report_bytes=report.stat().st_size,
        gz_bytes=packed.stat().st_size,
        parse=parse,
        runs=runs,
    )


def baseline(name: str) -> str:
    """The scan a command is held to: the one that wrote what it reads."""
    if name.startswith("report ") and name != "report json":
        return "scan +" + name.removeprefix("report ")
    if name == "diff json.gz":
        return "scan json.gz"
    return "scan"


def table(sizes: list[Size]) -> str:
    """Per command and size: seconds, ratio to the parse, µs per workload, peak MB."""
    names = list(sizes[0].runs)
    width = 30
    lines = [
        f"{'command':<16}" + "".join(f"{f'N = {s.n:,}':>{width}}" for s in sizes),
        f"{'':<16}" + f"{'s':>8}{'xparse':>7}{'us/wl':>7}{'MB':>8}" * len(sizes),
    ]
    for name in names:
        cells = ""
        for s in sizes:
            run = s.runs[name]
            per = run.seconds / s.workloads * 1e6
            cells += f"{run.seconds:>8.2f}{s.ratio(name):>7.2f}{per:>7.0f}{run.peak_mb:>8.0f}"
        lines.append(f"{name:<16}{cells}")
    lines.append("")
    lines.append(
        f"{'N':>7} {'workloads':>9} {'snapshot MB':>11} {'parse s':>7} "
        f"{'report MB':>9} {'KB/workload':>11} {'.gz KB/workload':>15}"
    )
    for s in sizes:
        lines.append(
            f"{s.n:>7} {s.workloads:>9} {s.snapshot_mb:>11.1f} {s.parse:>7.2f} "
            f"{s.report_bytes / 1e6:>9.1f} {s.report_kb_per_workload:>11.1f} "
            f"{s.gz_kb_per_workload:>15.1f}"
        )
    lines.append("(xparse: the command's time over json.load's; MB: its peak resident memory)")
    return "\n".join(lines)


def goals(sizes: list[Size]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    readers = [name for name in sizes[0].runs if not name.startswith("scan")]
    for s in sizes:
        for name in readers:
            held = baseline(name)
            out.append(
                (
                    f"N={s.n}: {name} {s.runs[name].seconds:.2f} s <= {held} "
                    f"{s.runs[held].seconds:.2f} s",
                    s.runs[name].seconds <= s.runs[held].seconds,
                )
            )
        out.append(
            (
                f"N={s.n}: JSON report {s.report_kb_per_workload:.1f} KB/workload "
                f"<= {REPORT_KB_PER_WORKLOAD:.0f}",
                s.report_kb_per_workload <= REPORT_KB_PER_WORKLOAD,
            )
        )
        if s.n >= SCAN_RATIO_FROM:
            out.append(
                (
                    f"N={s.n}: scan {s.ratio('scan'):.2f}x parse <= {SCAN_RATIO:.1f}x",
                    s.ratio("scan") <= SCAN_RATIO,
                )
            )
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for name in ["scan", "scan json.gz", *readers]:
            per_small = small.runs[name].seconds / small.workloads
            per_large = large.runs[name].seconds / large.workloads
            out.append(
                (
                    f"{name}: time per workload at N={large.n} is "
                    f"{per_large / per_small:.2f}x that at N={small.n} (<= {FLAT})",
                    per_large <= FLAT * per_small,
                )
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), metavar="N")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement, best kept")
    parser.add_argument("--keep", type=Path, help="folder for the estates and outputs (reused)")
    parser.add_argument(
        "--formats",
        nargs="+",
        choices=FORMATS,
        default=list(FORMATS),
        help="report formats besides JSON to measure (default: all)",
    )
    args = parser.parse_args(argv)
    folder = args.keep or Path(os.environ.get("TMPDIR", "/tmp")) / "auditor-bench-commands"
    folder.mkdir(parents=True, exist_ok=True)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    sizes = [measure(n, folder, args.repeat, args.formats, log) for n in sorted(args.sizes)]
    print(table(sizes))
    print()
    checked = goals(sizes)
    for text, met in checked:
        print(f"{'PASS' if met else 'FAIL'}  {text}")
    missed = sum(1 for _, met in checked if not met)
    print(f"\ngoals: {len(checked) - missed} met, {missed} missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
