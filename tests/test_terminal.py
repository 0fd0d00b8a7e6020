"""The terminal summary as a person sees it: in a terminal of 80 to 200 columns, piped, and what
it says blocks each workload's target."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import sys

import pexpect
import pyte
import pytest

from auditor import config, demo, rules, scan, snapshot
from auditor.errors import SelectionError
from auditor.model import Status
from auditor.render import terminal
from auditor.render.console import SafeText, terminal_width, wrap
from auditor.report import Report, select, some_names

AS_OF = "2026-11-26"
WIDTHS = (80, 100, 120, 200)
NAMES = (
    "churn-prediction", "fraud-scoring", "mlw-forecast", "mlw-sandbox-uksouth", "recsys",
    "speech", "vision",
)  # fmt: skip
NOT_READY = ("mlw-sandbox-uksouth", "recsys", "speech", "vision")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


@pytest.fixture(scope="module")
def report() -> Report:
    return scan.run(
        snapshot.load(demo.snapshot_path()),
        config.load(demo.config_path()),
        rules.load(()),
        as_of=dt.date.fromisoformat(AS_OF),
    )


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    return {**env, "TERM": "xterm-256color", **extra}


def _in_terminal(width: int, *argv: str) -> tuple[str, list[str], int]:
    """Run the CLI in a pseudo-terminal `width` columns wide: what it wrote (escape codes
    removed), the screen a person sees, and the exit code."""
    rows = 400
    child = pexpect.spawn(
        sys.executable,
        ["-m", "auditor", *argv],
        dimensions=(rows, width),
        env=_env(),
        timeout=60,
    )
    data = child.read()
    child.close()
    screen = pyte.Screen(width, rows)
    pyte.ByteStream(screen).feed(data)
    written = ANSI.sub("", data.decode()).replace("\r\n", "\n")
    shown = [line.rstrip() for line in screen.display]
    while shown and not shown[-1]:
        shown.pop()
    return written, shown, child.exitstatus


def _words(text: str) -> set[str]:
    """The words of a text, any case, without the punctuation around them or the table's rules."""
    return (
        {w.strip(",;:()[]").casefold() for w in text.split()} - {""} - {"-" * n for n in range(200)}
    )


def _vocabulary(report: Report) -> set[str]:
    """Every whole word the summary may show: the report's own text, the summary at a width
    where nothing wraps, and the legends of the compact layout."""
    words = _words(terminal.render(report, width=100_000))
    words |= _words(terminal.render(report, verbose=True, width=100_000))
    words |= _words(terminal.COMPACT_LEGEND) | _words(terminal.MARKS_LEGEND)
    for finding in report.findings:
        words |= _words(" ".join([finding.title, finding.message, *finding.notes]))
        words |= _words(finding.remediation.get("summary", ""))
    return words


@pytest.mark.parametrize("width", WIDTHS)
def test_the_demo_in_a_terminal_fits_and_splits_no_word(report, width):
    written, screen, code = _in_terminal(width, "scan", "--demo", "--as-of", AS_OF)
    assert code == 1
    lines = written.splitlines()
    too_long = [line for line in lines if len(line) > width]
    assert not too_long, too_long
    # nothing wrapped on the screen either: one screen row per line written
    assert len(screen) == len(lines)
    text = "\n".join(screen)
    for name in NAMES:
        verdict = "NOT ready" if name in NOT_READY else "ready"
        assert f"{name}: {verdict} for its target" in text
        # the ladder's row of the workload says yes or NO (the table, or the stacked entry)
        row = next(line for line in screen if line.startswith(name) and ":" not in line)
        assert ("NO" if name in NOT_READY else "yes") in row.split()
    vocabulary = _vocabulary(report)
    split = sorted(w for w in _words(text) if w not in vocabulary)
    assert not split, split
    assert "Rules blocking the most workloads at their target:" in text


def test_terminal_width_prefers_columns_then_a_terminal_then_80():
    assert terminal_width({"COLUMNS": "93"}) == 93
    for bad in ("", "0", "wide", "-5"):
        width = terminal_width({"COLUMNS": bad})
        assert width == 80 or width == os.get_terminal_size(_a_tty()).columns


def _a_tty() -> int:
    return next((fd for fd in (1, 2, 0) if os.isatty(fd)), 1)


@pytest.mark.parametrize("width", [30, 40, 60, 80, 100, 120, 200])
@pytest.mark.parametrize("show", list(terminal.Show))
def test_no_line_is_wider_than_the_width_in_any_layout(report, width, show):
    for verbose in (False, True):
        text = terminal.render(report, width=width, show=show, verbose=verbose)
        assert max(len(line) for line in text.splitlines()) <= width
        for name in NAMES:
            assert name in text


def test_layouts_as_the_width_shrinks(report):
    wide = terminal.render(report, width=120)
    assert "Workload  " in wide and "Target ready" in wide and "discovered" in wide
    compact = terminal.render(report, width=80)
    assert " Src " in compact and terminal.COMPACT_LEGEND[:40] in compact.replace("\n  ", " ")
    assert re.search(
        r"^recsys\s+tag\s+westeurope ->\s+h/c\s+x 48\s+x 46\s+x 46\s+NO$", compact, re.M
    )
    stacked = terminal.render(report, width=50)
    joined = " ".join(line.strip() for line in stacked.splitlines())
    assert (
        "recsys: NOT ready for hot/cold | westeurope -> northeurope | tags | hot/hot no 48, "
        "hot/warm no 46, hot/cold no 46" in joined
    )


def _section(text: str, name: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}: "))
    end = lines.index("", start)
    return lines[start:end]


def test_failing_findings_say_whether_they_block_the_target(report):
    text = terminal.render(report, width=200)
    recsys = _section(text, "recsys")
    for rule in ("DR-04", "DR-06", "DR-09", "DR-09-SHARED"):
        assert any(line.startswith(f"  FAIL blocking {rule} [") for line in recsys), rule
    for rule in ("DR-15", "DR-19", "DR-22"):
        assert any(line.startswith(f"  FAIL advisory {rule} [") for line in recsys), rule
    assert "  to reach hot/cold: fix DR-04, DR-06, DR-09, DR-09-SHARED" in recsys
    # a stricter tier that needs nothing more has no line of its own
    assert not any("to reach hot/warm" in line for line in recsys)

    sandbox = _section(text, "mlw-sandbox-uksouth")
    assert (
        "  to reach hot/cold: fix DR-01, DR-04, DR-05, DR-06, DR-07, DR-09, DR-09-SHARED, DR-24"
        in sandbox
    )
    assert "  to reach hot/warm: also fix DR-10" in sandbox
    assert "  to reach hot/hot: also fix DR-08, DR-10-CAPACITY, DR-13" in sandbox
    assert any("and 7 more blocking rules need a secondary workspace" in s for s in sandbox)

    churn = _section(text, "churn-prediction")  # ready for its target: advice only
    assert not any(" blocking " in line for line in churn)
    assert "  to reach hot/hot: fix DR-08, DR-10-CAPACITY" in churn

    # the summary ends with the rules that block the most workloads, with how many each
    tail = text.splitlines()[-7:]
    assert tail[0] == "Rules blocking the most workloads at their target:"
    assert tail[1].startswith(  # mlw-sandbox-uksouth, recsys, speech and vision
        "  DR-09-SHARED 4 workloads: The secondary region's quota holds every workload"
    )
    assert tail[2].startswith("  DR-04 2 workloads: Each workspace has its own default storage")
    assert tail[-1] == "  and 3 more rule(s)"


def test_marks_are_words_not_only_colours(report):
    coloured = terminal.render(report, width=120, color=True)
    assert "\x1b[" in coloured
    plain = ANSI.sub("", coloured)
    assert "FAIL blocking DR-04" in plain and "FAIL advisory DR-15" in plain


def test_show_chooses_what_is_listed_and_verbose_adds_evidence(report):
    failing = terminal.render(report, width=200)
    blocking = terminal.render(report, width=200, show="blocking")
    every = terminal.render(report, width=200, show="all")
    assert " advisory " in failing and " advisory " not in blocking
    assert "FAIL blocking DR-04" in blocking and "needs attestation" not in blocking
    assert "  PASS " in every and "  PASS " not in failing
    assert "      evidence: " not in every
    # -v alone keeps its meaning: every finding with its evidence
    verbose = terminal.render(report, width=200, verbose=True)
    assert "  PASS " in verbose and "      evidence: " in verbose
    evidence = terminal.render(report, width=200, verbose=True, show="blocking")
    assert "      evidence: " in evidence
    assert failing == terminal.render(report, width=200, show="failing")


def test_wrapped_finding_lines_are_indented_under_their_finding(report):
    text = terminal.render(report, width=80)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  FAIL blocking DR-06 "))
    assert lines[start + 1].startswith("    ") and not lines[start + 1].startswith("     ")
    assert lines[start + 2].startswith("      registry acrrecsys is Standard")
    assert lines[start + 3].startswith("        ")  # the message, wrapped
    header = " ".join(line.strip() for line in lines[start : start + 2])
    assert header.endswith(
        "One Premium container registry, geo-replicated to the secondary region, serves both "
        "workspaces"
    )


def test_names_stay_text_and_control_characters_stay_visible_when_wrapped(report):
    name = "recsys[/] [bold]B[/bold] \x1b]0;pwned\x07\nfake: ready" + "-x" * 30
    renamed = dataclasses.replace(
        report,
        workloads=tuple(
            dataclasses.replace(w, workload=dataclasses.replace(w.workload, name=name))
            if w.name == "recsys"
            else w
            for w in report.workloads
        ),
    )
    for width in (50, 80, 120):
        for color in (False, True):
            text = terminal.render(renamed, width=width, color=color)
            assert "\x07" not in text and "\n" + "fake: ready" not in text
            plain = ANSI.sub("", text)
            assert max(len(line) for line in plain.splitlines()) <= width
            joined = " ".join(plain.split())
            assert "recsys[/] [bold]B[/bold] \\x1b]0;pwned\\x07\\x0afake: ready-x-x" in joined


def test_wrap_breaks_between_words_and_long_paths_after_a_separator():
    text = SafeText("hello world this is a /very/long/path/that/does/not/fit?api-version=1 ok")
    lines = [line.plain for line in wrap(text, 20, indent=2, hang=4)]
    assert lines == [
        "  hello world this",
        "    is a",
        "    /very/long/path/",
        "    that/does/not/",
        "    fit?api-version=",
        "    1 ok",
    ]
    assert all(len(line) <= 20 for line in lines)


# -- --workload: the library's selection ------------------------------------------------------


def test_select_keeps_the_workloads_a_glob_names_in_any_case(report):
    chosen = select(report, ["REC*", "fraud-scoring"])
    assert [w.name for w in chosen.workloads] == ["fraud-scoring", "recsys"]
    assert {f.workload for f in chosen.findings} == {"fraud-scoring", "recsys"}
    assert chosen.count(Status.FAIL) == sum(
        1 for f in report.findings if f.workload == "recsys" and f.status is Status.FAIL
    )
    assert chosen.exit_code == 1
    assert select(report, ["fraud-*"]).exit_code == 0
    assert select(report, []) is report
    text = terminal.render(chosen, width=80)
    assert "churn-prediction" not in text and "recsys: NOT ready" in text


def test_a_pattern_that_matches_nothing_names_a_few_workloads(report):
    with pytest.raises(SelectionError) as caught:
        select(report, ["recsys", "recsy"])
    message = str(caught.value)
    assert message.startswith("--workload 'recsy' matches none of the 7 workload(s): recsys")
    many = [f"team-{i:04}" for i in range(2016)]
    listed = some_names(many, "team-0007x")
    assert listed.startswith("team-0007") and listed.endswith(" and 2,011 more")
    assert len(listed.split(", ")) == 5


# -- the command line: the width, --workload and --show ----------------------------------------


def test_piped_the_width_is_columns_or_80(report):
    argv = [sys.executable, "-m", "auditor", "scan", "--demo", "--as-of", AS_OF]
    for env, width in ((_env(COLUMNS="80"), 80), (_env(), 80), (_env(COLUMNS="150"), 150)):
        done = subprocess.run(
            argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )
        assert done.returncode == 1, done.stderr
        lengths = [len(line) for line in done.stdout.splitlines()]
        assert max(lengths) <= width
        assert max(lengths) > width - 10  # the width is used, not a narrower default
        assert "\x1b" not in done.stdout


def test_workload_limits_the_scan_and_every_output(run, tmp_path):
    saved = tmp_path / "r.json"
    result = run(
        "scan", "--demo", "--as-of", AS_OF, "--workload", "REC*", "--workload", "fraud-?coring",
        "--json", str(saved), "--show", "blocking",
    )  # fmt: skip
    assert result.code == 1, result.err
    document = json.loads(saved.read_text())
    assert [w["name"] for w in document["workloads"]] == ["fraud-scoring", "recsys"]
    assert {f["workload"] for f in document["findings"]} == {"fraud-scoring", "recsys"}
    assert "churn-prediction" not in result.out and "recsys: NOT ready" in result.out
    assert " advisory " not in result.out and "FAIL blocking DR-04" in result.out

    again = run("report", str(saved), "--workload", "fraud-scoring", "--show", "all")
    assert again.code == 0 and "recsys" not in again.out and "  PASS " in again.out
    ready = run("scan", "--demo", "-q", "--workload", "fraud-scoring")
    assert ready.code == 0


def test_a_workload_that_matches_nothing_is_a_usage_error(run, tmp_path):
    result = run("scan", "--demo", "--workload", "recsy", "--json", str(tmp_path / "r.json"))
    assert result.code == 2 and result.out == ""
    assert result.err.strip().splitlines() == [
        "auditor: error: --workload 'recsy' matches none of the 7 workload(s): recsys, "
        "churn-prediction, fraud-scoring, mlw-forecast, mlw-sandbox-uksouth and 2 more"
    ]
    assert not (tmp_path / "r.json").exists()
    bad = run("scan", "--demo", "--show", "some")
    assert bad.code == 2 and "'some' is not one of 'failing', 'blocking', 'all'" in bad.err


def test_the_show_option_offers_exactly_the_summary_s_choices() -> None:
    from auditor.cli.common import SHOW_CHOICES

    assert tuple(s.value for s in terminal.Show) == SHOW_CHOICES
