"""The spreadsheet for reviewers (--xlsx) and its findings sheet as CSV (--csv), every cell text.

Names, tags and messages come from Azure, so a value such as `=HYPERLINK(...)` must stay text:
the workbook writes each string as a string (XlsxWriter's write_string, with its conversions of
strings to formulas, numbers and links turned off), and the CSV puts a quote before a value that
a spreadsheet would read as a formula (OWASP's advice on CSV injection)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from auditor.render import json_report
from auditor.report import Report

TIERS = ("hot/hot", "hot/warm", "hot/cold")
# Excel keeps at most this many characters in a cell
CELL_LIMIT = 32_767
# What a spreadsheet reads as the start of a formula (OWASP, CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    return str(value)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _target_blockers(workload: dict[str, Any]) -> set[str]:
    return {
        finding_id
        for tier in set(workload["targets"].values())
        for finding_id in workload["tiers"][tier]["blocking_findings"]
    }


def _waiver(finding: dict[str, Any]) -> str:
    waiver = finding.get("waiver")
    if not waiver:
        return ""
    return (
        f"{waiver['id']} ({waiver['status']}, owner {waiver['owner']}, "
        f"expires {waiver['expires']}): {waiver['reason']}"
    )


FINDING_COLUMNS = (
    "Workload",
    "Rule",
    "Title",
    "Status",
    "Severity",
    "Level at target",
    "Blocking",
    "Blocks tiers",
    "Asset class",
    "Message",
    "Resources",
    "Remediation",
    "Waiver",
    "Finding id",
)


WAIVER_COLUMNS = (
    "Waiver",
    "Status",
    "Rule",
    "Workload",
    "Resources",
    "Owner",
    "Expires",
    "Reason",
    "Message",
)


def sheets(doc: dict[str, Any]) -> list[tuple[str, Sequence[str], list[list[Cell]]]]:
    """Each sheet's name, header and rows, from the JSON report document."""
    blocking = {w["name"]: _target_blockers(w) for w in doc["workloads"]}
    summary: list[list[Cell]] = []
    for w in doc["workloads"]:
        row: list[Cell] = [
            w["name"],
            w["target"],
            _yes(w["ready_for_target"]),
            int(w["score_for_target"]),
        ]
        for tier in TIERS:
            row += [_yes(w["tiers"][tier]["ready"]), int(w["tiers"][tier]["score"])]
        row += [
            ", ".join(w["blocking_for_target"]),
            w["primary_region"],
            w["secondary_region"],
            w["primary"],
            w["secondary"],
            w["source"],
        ]
        summary.append(row)
    findings: list[list[Cell]] = []
    blockers: list[list[Cell]] = []
    for f in doc["findings"]:
        blocks_target = f["id"] in blocking.get(f["workload"], set())
        remediation = (f.get("remediation") or {}).get("summary", "")
        findings.append(
            [
                f["workload"],
                f["rule"],
                f["title"],
                f["status"],
                f["severity"],
                f["target_level"],
                _yes(blocks_target),
                ", ".join(f["blocks"]),
                f["asset_class"],
                f["message"],
                _text(f["resources"]),
                remediation,
                _waiver(f),
                f["id"],
            ]
        )
        if blocks_target:
            blockers.append(
                [
                    f["workload"],
                    f["rule"],
                    f["title"],
                    f["status"],
                    f["severity"],
                    f["message"],
                    _text(f["resources"]),
                    remediation,
                    (f.get("remediation") or {}).get("az_cli", ""),
                    f["id"],
                ]
            )
    waivers: list[list[Cell]] = [
        [
            w["id"],
            w["status"],
            w["rule"],
            w.get("workload"),
            _text(w.get("resources")),
            w["owner"],
            w["expires"],
            w["reason"],
            w.get("message"),
        ]
        for w in doc["waivers"]
    ]
    errors: list[list[Cell]] = [
        [
            e.get("source"),
            e.get("subscription"),
            e.get("request"),
            e.get("status"),
            e.get("code"),
            e.get("message"),
        ]
        for e in doc["scan"]["errors"]
    ]
    summary_header = ["Workload", "Target", "Ready for target", "Score at target"]
    for tier in TIERS:
        summary_header += [f"{tier} ready", f"{tier} score"]
    summary_header += [
        "Blocking rules at target",
        "Primary region",
        "Secondary region",
        "Primary workspace",
        "Secondary workspace",
        "Identified by",
    ]
    return [
        ("Summary", summary_header, summary),
        (
            "Blockers",
            (
                "Workload",
                "Rule",
                "Title",
                "Status",
                "Severity",
                "Message",
                "Resources",
                "Remediation",
                "Azure CLI",
                "Finding id",
            ),
            blockers,
        ),
        ("Findings", FINDING_COLUMNS, findings),
        (
            "Waivers",
            WAIVER_COLUMNS,
            waivers,
        ),
        (
            "Collection errors",
            ("Source", "Subscription", "Request", "HTTP status", "Code", "Message"),
            errors,
        ),
    ]


def _created(generated_at: str) -> dt.datetime:
    """The report's own time, so the same report gives the same bytes (auditor report)."""
    try:
        return dt.datetime.fromisoformat(generated_at.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return dt.datetime(2000, 1, 1)


WIDTHS = {
    "Workload": 24,
    "Title": 40,
    "Message": 60,
    "Resources": 60,
    "Remediation": 50,
    "Azure CLI": 50,
    "Waiver": 30,
    "Request": 60,
    "Reason": 40,
    "Primary workspace": 40,
    "Secondary workspace": 40,
    "Blocking rules at target": 30,
}


def render_xlsx(report: Report) -> bytes:
    doc = json_report.flat_document(report)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            # every value from Azure is text: never a formula, a number or a link
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    scan = doc["scan"]
    book.set_properties(
        {
            "title": "Azure ML DR readiness",
            "subject": f"{scan['source']} collected at {scan['collected_at']}",
            "author": f"{doc['tool']['name']} {doc['tool']['version']}",
            "comments": (
                f"{doc['summary']['ready_for_target']} of {doc['summary']['workloads']} "
                "workloads ready for their target"
                + ("" if scan["complete"] else "; the scan is incomplete: readiness is unproven")
            ),
            "created": _created(doc["generated_at"]),
        }
    )
    bold = book.add_format({"bold": True, "bg_color": "#E8EDF5", "bottom": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for name, header, rows in sheets(doc):
        sheet = book.add_worksheet(name)
        for col, title in enumerate(header):
            sheet.write_string(0, col, title, bold)
            sheet.set_column(col, col, WIDTHS.get(title, 14))
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, _text(value)[:CELL_LIMIT], wrap)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    book.close()
    return buffer.getvalue()


def _safe(value: Cell) -> str:
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def render_csv(report: Report) -> bytes:
    """The findings sheet as CSV (UTF-8 with a byte-order mark, so Excel reads it as UTF-8)."""
    doc = json_report.flat_document(report)
    findings = next(rows for name, _, rows in sheets(doc) if name == "Findings")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FINDING_COLUMNS)
    for row in findings:
        writer.writerow([_safe(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
