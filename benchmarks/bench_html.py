"""Benchmark: the HTML report of a large estate, rendered and then used in a real browser.

    python benchmarks/bench_html.py [--workloads 2000] [--repeat 3] [--keep DIR]
        [--report R.json] [--compare-with CHECKOUT]

It generates a synthetic estate of N DR pairs (benchmarks/generate.py), scans it, writes the
JSON report and renders the HTML report (from the JSON document, as `auditor scan --html` and
`auditor report R.json --html` do), recording the times and sizes; with --report it renders
that JSON report instead. With --compare-with, another checkout of auditor (e.g. main's)
renders the same JSON report too, so that both pages are measured in the same run on a machine
whose load changes. The demo's page is measured beside them. Then, in Debian's Chromium
(/usr/bin/chromium) through Playwright, in --repeat rounds of fresh tabs, one per page in turn
(the table shows each page's best and median):

  paint      navigation start to the first contentful paint (the top of the report shows);
  load       navigation start to the `load` event;
  ready      navigation start to the moment the filters are wired (the script's
             `auditor:filters-ready` performance mark);
  filter     choosing a status (fail) in the Status filter until the visible-count text says
             so, and until the next frame is painted;
  search     one keystroke in the search box until the count updates and the next frame
             (the first keystroke, which may read the searched text, and a later one);
  open       opening a collapsed finding until its body is in place and painted;
  shot       a full-page screenshot at 1440 x 900 (Playwright's full_page): its time, and
             whether it succeeded with a PNG as tall as the page.

It prints a table and exits 1 when a median of this checkout's large page misses its goal: load
and filters interactive under 2 s, filter and search under 100 ms, and every screenshot taken.
It is not a test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for entry in (ROOT, HERE):  # run from a checkout without installing the package
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

import generate  # noqa: E402

from auditor import config as config_mod  # noqa: E402
from auditor import demo as demo_mod  # noqa: E402
from auditor import report_file  # noqa: E402
from auditor import rules as rules_mod  # noqa: E402
from auditor import scan as scan_mod  # noqa: E402
from auditor import snapshot as snapshot_mod  # noqa: E402
from auditor.render import html, json_report  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
GOAL_LOAD_MS = 2000.0
GOAL_INTERACTION_MS = 100.0

# Runs in the page: time one interaction from the event to the updated count and to the next
# painted frame (two animation frames: the first runs before the paint that shows the change).
TIME_INTERACTION = """
async ([selector, value, kind]) => {
  const el = document.querySelector(selector);
  const count = document.querySelector('[data-visible-count]');
  const before = count.textContent;
  const start = performance.now();
  if (kind === 'type') { el.value = el.value + value; } else { el.value = value; }
  el.dispatchEvent(new Event(kind === 'type' ? 'input' : 'change', {bubbles: true}));
  const updated = performance.now();
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const painted = performance.now();
  return {handler: updated - start, frame: painted - start, before, after: count.textContent};
}
"""

TIME_OPEN = """
async () => {
  const f = Array.from(document.querySelectorAll('[data-finding]')).find(d => !d.open && !d.hidden);
  const start = performance.now();
  f.open = true;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return {frame: performance.now() - start, body: Boolean(f.querySelector('.body .gb'))};
}
"""

TIMINGS = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const ready = performance.getEntriesByName('auditor:filters-ready')[0];
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    fcp: paint ? paint.startTime : null,
    load: nav.loadEventEnd,
    dcl: nav.domContentLoadedEventEnd,
    ready: ready ? ready.startTime : null,
    nodes: document.getElementsByTagName('*').length,
    findings: document.querySelectorAll('[data-finding]').length,
    cards: document.querySelectorAll('[data-workload-card]').length,
  };
}
"""


SHOT_VIEWPORT = {"width": 1440, "height": 900}


def build(n: int, folder: Path, log: Any, report_path: Path | None = None) -> dict[str, Any]:
    """Generate, scan, write the JSON report and render the HTML from it (or render the JSON
    report given): times and sizes."""
    json_path = folder / f"report-{n}.json"
    scanned = float("nan")
    if report_path is None:
        snapshot = folder / f"estate-{n}.json"
        start = time.perf_counter()
        made = generate.generate(n, snapshot)
        log(f"generated {made.resources} resources in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        report = scan_mod.run(
            snapshot_mod.load(snapshot),
            config_mod.load(made.config),
            rules_mod.load(),
            source=str(snapshot),
        )
        scanned = time.perf_counter() - start
        json_path.write_bytes(json_report.render(report))
    else:
        json_path = report_path
        report = report_file.load(report_path)
    start = time.perf_counter()
    # The HTML is rendered from the JSON document either way (`auditor scan --html`, or
    # `auditor report R.json --html`, which also validates and reads the file back first).
    page = html.render(report)
    rendered = time.perf_counter() - start
    html_path = folder / f"report-{len(report.workloads)}.html"
    html_path.write_bytes(page)
    return {
        "workloads": len(report.workloads),
        "findings": len(report.findings),
        "scan_s": scanned,
        "render_s": rendered,
        "json_mb": json_path.stat().st_size / 1e6,
        "json_path": json_path,
        "html_mb": len(page) / 1e6,
        "html_gz_mb": len(gzip.compress(page, 6)) / 1e6,
        "path": html_path,
    }


def render_elsewhere(checkout: Path, json_path: Path, out: Path) -> float:
    """The same JSON report rendered by another checkout of auditor (`auditor report --html`
    run from its source tree): the seconds it took."""
    code = (
        "import sys; from auditor.cli import main; "
        "sys.exit(main(['report', sys.argv[1], '--html', sys.argv[2]]))"
    )
    env = dict(os.environ, PYTHONPATH=str(checkout))
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(json_path), str(out)],
        env=env,
        cwd=checkout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if not out.exists():
        raise SystemExit(f"{checkout} did not render the report: {done.stderr.strip()[-500:]}")
    return time.perf_counter() - start


def demo_page(folder: Path) -> Path:
    report = scan_mod.run(
        snapshot_mod.load(demo_mod.snapshot_path()),
        config_mod.load(demo_mod.config_path()),
        rules_mod.load(),
    )
    path = folder / "demo.html"
    path.write_bytes(html.render(report))
    return path


def measure(browser: Any, path: Path, keep: Any, log: Any, label: str) -> None:
    """One fresh tab on the page: load, filters, search, opening a finding, a screenshot."""
    from playwright.sync_api import Error as PlaywrightError

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda error, seen=problems: seen.append(str(error)))
    page.goto(path.as_uri(), wait_until="load", timeout=600_000)
    timings = page.evaluate(TIMINGS)
    keep("fcp", timings["fcp"] if timings["fcp"] is not None else float("nan"))
    keep("load", timings["load"])
    keep("dcl", timings["dcl"])
    keep("ready", timings["ready"] if timings["ready"] is not None else float("nan"))
    first = page.evaluate(TIME_INTERACTION, ["[data-filter=search]", "d", "type"])
    keep("search_first", first["frame"])
    page.evaluate(TIME_INTERACTION, ["[data-filter=search]", "", "change"])
    page.wait_for_timeout(1500)  # a reader looks before typing: the idle reads finish
    fail = page.evaluate(TIME_INTERACTION, ["[data-filter=status]", "fail", "change"])
    keep("filter_handler", fail["handler"])
    keep("filter", fail["frame"])
    back = page.evaluate(TIME_INTERACTION, ["[data-filter=status]", "", "change"])
    keep("filter_all", back["frame"])
    typed = page.evaluate(TIME_INTERACTION, ["[data-filter=search]", "s", "type"])
    keep("search", typed["frame"])
    typed = page.evaluate(TIME_INTERACTION, ["[data-filter=search]", "t", "type"])
    keep("search_2", typed["frame"])
    page.evaluate(TIME_INTERACTION, ["[data-filter=search]", "", "change"])
    page.fill("[data-filter=search]", "")
    opened = page.evaluate(TIME_OPEN)
    keep("open", opened["frame"])
    page.set_viewport_size(SHOT_VIEWPORT)
    height = page.evaluate("document.documentElement.scrollHeight")
    start = time.perf_counter()
    try:
        png = page.screenshot(full_page=True, timeout=120_000)
        shot_ok = int.from_bytes(png[20:24], "big") == height
        shot = f"{height} px tall, {time.perf_counter() - start:.1f} s"
    except PlaywrightError as exc:  # the benchmark reports it, and goes on
        shot_ok = False
        shot = f"failed at {height} px: {str(exc).splitlines()[0]}"
    keep("shot_ok", 1.0 if shot_ok else 0.0)
    keep("shot", (time.perf_counter() - start) * 1000)
    log(
        f"{label}: load {timings['load']:.0f} ms, ready {timings['ready']:.0f} ms, "
        f"filter {fail['frame']:.0f} ms ({fail['before']} -> {fail['after']}), "
        f"search {typed['frame']:.0f} ms; {timings['nodes']} elements, "
        f"{timings['findings']} findings shown, {timings['cards']} workload cards; "
        f"screenshot {shot}"
    )
    if problems:
        raise SystemExit(f"{label}: the page raised: {problems[0]}")
    if not opened["body"]:
        raise SystemExit(f"{label}: opening a finding did not put its body in place")


def browse(pages: dict[str, Path], repeat: int, log: Any) -> dict[str, dict[str, list[float]]]:
    """Each page in a fresh browser, in turn, `repeat` times: what it measured, by page. (A
    browser of its own for each: a failed screenshot of a huge page can take it down.)"""
    from playwright.sync_api import sync_playwright

    runs: dict[str, dict[str, list[float]]] = {label: {} for label in pages}
    with sync_playwright() as p:
        for attempt in range(repeat):
            for label, path in pages.items():

                def keep(name: str, value: float, label: str = label) -> None:
                    runs[label].setdefault(name, []).append(value)

                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                try:
                    measure(browser, path, keep, log, f"run {attempt + 1}, {label}")
                finally:
                    browser.close()
    return runs


def chromium_version() -> str:
    try:
        out = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True)
        return out.stdout.strip()
    except OSError:
        return "chromium (version unknown)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", type=int, default=2000, help="DR pairs to generate")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of fresh browser tabs")
    parser.add_argument("--keep", type=Path, help="write the estate and reports here")
    parser.add_argument("--report", type=Path, help="render this JSON report (no generate/scan)")
    parser.add_argument(
        "--compare-with",
        type=Path,
        metavar="CHECKOUT",
        help="also measure the page another checkout of auditor renders from the same report",
    )
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"no Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2

    def log(text: str) -> None:
        print(f"  {text}", file=sys.stderr, flush=True)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-html-"))
    folder.mkdir(parents=True, exist_ok=True)
    other_s = float("nan")
    try:
        built = build(args.workloads, folder, log, args.report)
        pages = {"this": built["path"]}
        if args.compare_with is not None:
            other = folder / "report-other.html"
            other_s = render_elsewhere(args.compare_with, built["json_path"], other)
            pages["other"] = other
        pages["demo"] = demo_page(folder)
        runs = browse(pages, args.repeat, log)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)

    print(
        f"{platform.python_implementation()} {platform.python_version()}, {chromium_version()}, "
        f"{platform.machine()}, {len(os.sched_getaffinity(0))} CPUs, "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(
        f"{built['workloads']} workloads, {built['findings']} findings: JSON report "
        f"{built['json_mb']:.1f} MB; HTML report {built['html_mb']:.1f} MB "
        f"({built['html_gz_mb']:.1f} MB gzipped)"
    )
    print(f"scan {built['scan_s']:.1f} s, render the HTML {built['render_s']:.1f} s")
    sizes = {label: path.stat().st_size / 1e6 for label, path in pages.items() if path.exists()}
    names = {
        "this": "this checkout",
        "other": f"{args.compare_with} ({other_s:.1f} s to render)",
        "demo": "the demo",
    }
    for label in pages:
        size = f", {sizes[label]:.1f} MB" if label in sizes else ""
        print(f"  {label}: {names[label]}{size}")
    rows = [
        ("first contentful paint", "fcp", None),
        ("load (navigation to load event)", "load", GOAL_LOAD_MS),
        ("DOMContentLoaded", "dcl", None),
        ("filters interactive", "ready", GOAL_LOAD_MS),
        ("filter: status = fail", "filter", GOAL_INTERACTION_MS),
        ("  of which the handler", "filter_handler", None),
        ("filter: back to all statuses", "filter_all", GOAL_INTERACTION_MS),
        ("search: first keystroke after load", "search_first", None),
        ("search: a keystroke", "search", GOAL_INTERACTION_MS),
        ("search: the next keystroke", "search_2", GOAL_INTERACTION_MS),
        ("open a collapsed finding", "open", GOAL_INTERACTION_MS),
        ("full-page screenshot", "shot", None),
    ]
    header = "".join(f" {label + ' best':>11} {label + ' median':>13}" for label in pages)
    print(f"{'measure (ms)':<36}{header} {'goal':>6}")
    missed = []
    for text, name, goal in rows:
        cells = "".join(
            f" {min(runs[label][name]):>11.0f} {statistics.median(runs[label][name]):>13.0f}"
            for label in pages
        )
        print(f"{text:<36}{cells} {'' if goal is None else f'{goal:.0f}':>6}")
        if goal is not None and statistics.median(runs["this"][name]) > goal:
            missed.append(text)
    shots = "".join(
        f" {label}: {sum(runs[label]['shot_ok']):.0f} of {len(runs[label]['shot_ok'])}"
        for label in pages
    )
    print(f"full-page screenshots that succeeded:{shots}")
    if sum(runs["this"]["shot_ok"]) < len(runs["this"]["shot_ok"]):
        missed.append("full-page screenshot")
    print(
        json.dumps(
            {
                label: {k: [round(v, 1) for v in vs] for k, vs in r.items()}
                for label, r in runs.items()
            }
        )
    )
    if missed:
        print(f"goal missed: {', '.join(missed)}")
        return 1
    print("goals met: load under 2 s, filters and search under 100 ms, full-page screenshots")
    return 0


if __name__ == "__main__":
    sys.exit(main())
