"""Startup benchmark: `auditor --help` and `auditor COMMAND --help` as a person runs them.

Each help is run N times in a fresh process (subprocess, the installed `auditor` script when it
sits beside this Python, else `python -m auditor`); the median and the minimum wall time are
reported per command. Exit 1 when a median is over the limit (0.2 s by default).

    python benchmarks/bench_startup.py              # N = 15, limit 0.2 s
    python benchmarks/bench_startup.py -n 30 --limit 0.15
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.cli import cli  # noqa: E402  (after the checkout is on the path)


def commands() -> list[list[str]]:
    """Every command's argv, groups' subcommands included: [], [scan], [rules, list], ..."""
    found: list[list[str]] = [[]]

    def walk(prefix: list[str], group: click.Group) -> None:
        for name, command in sorted(group.commands.items()):
            found.append([*prefix, name])
            if isinstance(command, click.Group):
                walk([*prefix, name], command)

    walk([], cli)
    return found


def launcher() -> list[str]:
    script = Path(sys.executable).parent / "auditor"
    return [str(script)] if script.exists() else [sys.executable, "-m", "auditor"]


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or b"Usage: auditor" not in done.stdout:
        raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}\n{done.stderr.decode()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15, help="runs per command (default 15)")
    parser.add_argument("--limit", type=float, default=0.2, help="median limit, s (0.2)")
    args = parser.parse_args()
    base = launcher()
    timed([*base, "--help"])  # warm the file cache: the first run reads every .pyc from disk
    slow: list[str] = []
    print(f"{'command':<32} {'median':>8} {'min':>8}   ({args.n} runs each, {' '.join(base)})")
    for argv in commands():
        times = [timed([*base, *argv, "--help"]) for _ in range(args.n)]
        median, least = statistics.median(times), min(times)
        name = " ".join(["auditor", *argv, "--help"])
        mark = "  OVER" if median > args.limit else ""
        print(f"{name:<32} {median * 1000:>6.0f}ms {least * 1000:>6.0f}ms{mark}")
        if median > args.limit:
            slow.append(name)
    if slow:
        print(f"over {args.limit * 1000:.0f} ms (median): {', '.join(slow)}", file=sys.stderr)
        return 1
    print(f"every help under {args.limit * 1000:.0f} ms (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
