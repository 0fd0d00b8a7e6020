"""The scan workflow as the library runs it, without the CLI: a request in, a report and its
outputs out; and the CLI's startup, which imports none of it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from typing import Any

import pytest

from auditor import demo, history, scan
from auditor.azure import CLOUD_NAMES
from auditor.errors import RenderError, UsageError

AS_OF = dt.date(2026, 11, 26)


def test_a_demo_request_writes_every_output_and_records_the_run(tmp_path):
    paths = {
        "json": tmp_path / "r.json",
        "markdown": tmp_path / "r.md",
        "html": tmp_path / "r.html",
    }
    db = tmp_path / "h.sqlite"
    request = scan.Request(
        demo=True,
        as_of=AS_OF,
        history=str(db),
        outputs={name: str(path) for name, path in paths.items()},
    )
    outcome = scan.execute(request)
    assert outcome.exit_code == 1 and outcome.report.exit_code == 1
    assert not outcome.to_stdout and outcome.breaches == ()
    document = json.loads(paths["json"].read_text())
    assert document["summary"]["workloads"] == 7 == len(outcome.report.workloads)
    assert "recsys" in paths["markdown"].read_text()
    assert history.trend(db).runs == 1


def test_outputs_that_cannot_all_be_written_leave_the_files_and_the_history_as_they_were(
    tmp_path,
):
    db = tmp_path / "h.sqlite"
    first = scan.Request(demo=True, history=str(db), outputs={"json": str(tmp_path / "r.json")})
    scan.execute(first)
    (tmp_path / "r.json").write_text("the previous report")
    broken = scan.Request(
        demo=True,
        history=str(db),
        outputs={"json": str(tmp_path / "r.json"), "html": str(tmp_path / "no" / "r.html")},
    )
    with pytest.raises(RenderError, match="cannot write report"):
        scan.execute(broken)
    assert (tmp_path / "r.json").read_text() == "the previous report"
    assert history.trend(db).runs == 1  # the run that did not land was taken out again


def test_a_live_request_collects_through_the_collector_it_is_given_and_saves_the_snapshot(
    tmp_path,
):
    seen: list[scan.Live] = []

    def collect(live: scan.Live) -> dict[str, Any]:
        seen.append(live)
        return json.loads(demo.snapshot_path().read_text())

    saved = tmp_path / "estate.json"
    live = scan.Live(subscriptions=("s1",), concurrency=2)
    request = scan.Request(live=live, save_snapshot=str(saved), as_of=AS_OF)
    outcome = scan.execute(request, collect)
    assert seen == [live]
    assert json.loads(saved.read_text())["format"] == "auditor.snapshot"
    # no config: every workload comes from tags or discovery
    assert outcome.report.workloads and outcome.report.scan.as_of == AS_OF


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (scan.Request(demo=True, snapshot="x.json"), "--demo and --snapshot are exclusive"),
        (scan.Request(demo=True, save_snapshot="x.json"), "are for live scans"),
        (scan.Request(demo=True, outputs={"json": ""}), "--json needs a path"),
        (scan.Request(demo=True, outputs={"json": "-", "html": "-"}), "only one format"),
    ],
    ids=["demo-and-snapshot", "save-offline", "empty-path", "two-stdouts"],
)
def test_a_request_that_contradicts_itself_is_refused_before_anything_is_read(request_, expected):
    with pytest.raises(UsageError, match=expected):
        scan.execute(request_, lambda live: pytest.fail("collected"))


HEAVY = (
    "auditor.rules",
    "auditor.testing",
    "auditor.render.",
    "jsonschema",
    "azure",
    "pydantic",
    "rich",
    "yaml",
)


@pytest.mark.parametrize("argv", [["--help"], ["scan", "--help"], ["rules", "list", "--help"]])
def test_help_imports_no_rules_renderers_pydantic_jsonschema_or_azure(argv):
    """`auditor --help` must answer at once (issue 13): the commands import what they use when
    they run."""
    code = (
        "import sys; from auditor.cli import main; main(sys.argv[1:]); "
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "Usage: auditor" in done.stdout
    loaded = [m for m in done.stderr.splitlines() if m.startswith(HEAVY)]
    assert loaded == []


def test_the_cli_offers_the_clouds_the_collector_knows():
    from auditor.collect.auth import CLOUDS

    assert set(CLOUD_NAMES) == set(CLOUDS)
