"""The reviewers' spreadsheet (--xlsx) and the findings CSV (--csv): rows read back, every cell
text, a value from Azure that looks like a formula never one."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from auditor import config, demo, rules, scan, snapshot
from auditor.render import FORMATS, json_report, spreadsheet
from auditor.report import Report

AS_OF = dt.date(2026, 11, 26)
FORMULA = '=HYPERLINK("https://example.invalid","open me")'
TAG = "+1+cmd|' /C calc'!A0"
MESSAGE = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def demo_report() -> Report:
    return scan.run(
        snapshot.load(demo.snapshot_path()),
        config.load(demo.config_path()),
        rules.load(),
        as_of=AS_OF,
    )


@pytest.fixture(scope="module")
def formula_report() -> Report:
    """The demo estate, unconfigured, with formulas for a workspace's name, a workload tag and
    a collection error's message."""
    data: dict[str, Any] = json.loads(demo.snapshot_path().read_text())
    workspace = next(
        row
        for row in data["resources"]
        if row["type"].lower() == "microsoft.machinelearningservices/workspaces"
        and row["name"] == "mlw-sandbox-uksouth"
    )
    workspace["name"] = FORMULA
    workspace.setdefault("tags", {})["dr-workload"] = TAG
    data["errors"].append(
        {
            "source": "arm",
            "request": "GET /subscriptions/-1/providers",
            "status": 403,
            "code": "=1+1",
            "message": MESSAGE,
        }
    )
    return scan.run(snapshot.validate(data, "test"), config.Config(), rules.load(), as_of=AS_OF)


def _book(report: Report, tmp_path: Path) -> Any:
    path = tmp_path / "report.xlsx"
    path.write_bytes(spreadsheet.render_xlsx(report))
    return load_workbook(path)


def _rows(sheet: Any) -> list[dict[str, Any]]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_the_formats_table_lists_the_spreadsheet_and_the_csv() -> None:
    options = {fmt.name: fmt.option for fmt in FORMATS}
    assert options["xlsx"] == "--xlsx" and options["csv"] == "--csv"


def test_workbook_sheets_and_rows(demo_report: Report, tmp_path: Path) -> None:
    book = _book(demo_report, tmp_path)
    assert book.sheetnames == ["Summary", "Blockers", "Findings", "Waivers", "Collection errors"]
    summary = _rows(book["Summary"])
    assert [r["Workload"] for r in summary] == [w.name for w in demo_report.workloads]
    for row, result in zip(summary, demo_report.workloads, strict=True):
        assert row["Ready for target"] == ("yes" if result.target.ready else "no")
        assert row["Score at target"] == result.target.score
        assert (
            row["Target"]
            == json_report.document(demo_report)["workloads"][demo_report.workloads.index(result)][
                "target"
            ]
        )
        for tier, verdict in result.tiers.items():
            assert row[f"{tier.value} ready"] == ("yes" if verdict.ready else "no")
    findings = _rows(book["Findings"])
    assert len(findings) == len(demo_report.findings)
    assert [r["Finding id"] for r in findings] == [f.id for f in demo_report.findings]
    assert set(findings[0]) == set(spreadsheet.FINDING_COLUMNS)
    blocking_ids = {f.id for w in demo_report.workloads for f in w.target.blocking}
    for row in findings:
        assert row["Blocking"] == ("yes" if row["Finding id"] in blocking_ids else "no")
    blockers = _rows(book["Blockers"])
    assert sorted(r["Finding id"] for r in blockers) == sorted(blocking_ids)
    assert all(r["Remediation"] for r in blockers)
    for name in ("Summary", "Findings", "Blockers"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name


def test_values_that_look_like_formulas_stay_text(formula_report: Report, tmp_path: Path) -> None:
    book = _book(formula_report, tmp_path)
    seen = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    seen |= {v for v in (FORMULA, TAG, MESSAGE, "=1+1") if v in cell.value}
    assert seen == {FORMULA, TAG, MESSAGE, "=1+1"}
    errors = _rows(book["Collection errors"])
    assert any(r["Message"] == MESSAGE and r["Code"] == "=1+1" for r in errors)
    summary = _rows(book["Summary"])
    assert any(r["Workload"] == TAG for r in summary)


def test_csv_is_the_findings_sheet_with_formulas_quoted(formula_report: Report) -> None:
    text = spreadsheet.render_csv(formula_report).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == len(formula_report.findings)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    assert any(row["Workload"] == "'" + TAG for row in rows)
    assert any(FORMULA in row["Message"] or FORMULA in row["Resources"] for row in rows)


def test_the_same_report_gives_the_same_bytes(demo_report: Report) -> None:
    assert spreadsheet.render_xlsx(demo_report) == spreadsheet.render_xlsx(demo_report)


def test_cli_writes_the_spreadsheet_from_a_saved_report(
    run: Any, tmp_path: Path, demo_report: Report
) -> None:
    saved = tmp_path / "r.json"
    saved.write_bytes(json_report.render(demo_report))
    result = run("report", str(saved), "-q", "--xlsx", str(tmp_path / "r.xlsx"), "--csv", "-")
    assert result.code == 0, result.err
    assert len(_rows(load_workbook(tmp_path / "r.xlsx")["Findings"])) == len(demo_report.findings)
    assert result.out.startswith("\ufeffWorkload,Rule,")
