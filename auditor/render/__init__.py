"""Output formats: each is one function from the report model to bytes, listed in one table."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

# The table is read by `auditor --help` (the format options): the report model is only named.
if TYPE_CHECKING:
    from auditor.atomic import Chunk
    from auditor.report import Report


@dataclass(frozen=True)
class Format:
    name: str
    option: str
    suffix: str
    help: str
    render: Callable[[Report], bytes]
    # the same bytes in pieces, for formats that can be written while they are rendered
    chunks: Callable[[Report], Iterable[Chunk]] | None = None

    def produce(self, report: Report) -> bytes | Iterable[Chunk]:
        """What to write: the pieces when the format streams (each pauses the collector as it
        renders), else the whole bytes, rendered with the collector paused: a page's or a
        workbook's many small acyclic objects, made beside the report's millions, would have
        it walk them all again and again (a third of the HTML report's time at 2,000
        workloads)."""
        if self.chunks is not None:
            return self.chunks(report)
        from auditor.heap import paused_gc

        with paused_gc():
            return self.render(report)


def _json(report: Report) -> bytes:
    from auditor.render import json_report

    return json_report.render(report)


def _json_chunks(report: Report) -> Iterable[Chunk]:
    from auditor.render import json_report

    return json_report.chunks(report)


def _html(report: Report) -> bytes:
    from auditor.render import html

    rendered: bytes = html.render(report)
    return rendered


def _ndjson(report: Report) -> bytes:
    from auditor.render import ndjson

    return ndjson.render(report)


def _ndjson_chunks(report: Report) -> Iterable[Chunk]:
    from auditor.render import ndjson

    return ndjson.chunks(report)


def _ocsf(report: Report) -> bytes:
    from auditor.render import ocsf

    return ocsf.render(report)


def _ocsf_chunks(report: Report) -> Iterable[Chunk]:
    from auditor.render import ocsf

    return ocsf.chunks(report)


def _junit(report: Report) -> bytes:
    from auditor.render import junit

    return junit.render(report)


def _markdown(report: Report) -> bytes:
    from auditor.render import markdown

    return markdown.render(report)


def _xlsx(report: Report) -> bytes:
    from auditor.render import spreadsheet

    return spreadsheet.render_xlsx(report)


def _csv(report: Report) -> bytes:
    from auditor.render import spreadsheet

    return spreadsheet.render_csv(report)


FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "--json",
        ".json",
        "Write the JSON report (the documented contract) to PATH, '-' for stdout; a PATH "
        "ending in .gz is gzip-compressed (as for every format).",
        _json,
        _json_chunks,
    ),
    Format(
        "html",
        "--html",
        ".html",
        "Write the self-contained HTML report to PATH, '-' for stdout.",
        _html,
    ),
    Format(
        "ndjson",
        "--ndjson",
        ".ndjson",
        "Write one JSON object per finding per line (for SIEMs) to PATH, '-' for stdout.",
        _ndjson,
        _ndjson_chunks,
    ),
    Format(
        "ocsf",
        "--ocsf",
        ".ocsf.json",
        "Write OCSF Compliance Finding events (a JSON array) to PATH, '-' for stdout.",
        _ocsf,
        _ocsf_chunks,
    ),
    Format(
        "junit",
        "--junit",
        ".junit.xml",
        "Write JUnit XML (a suite per workload, a case per rule) to PATH, '-' for stdout.",
        _junit,
    ),
    Format(
        "markdown",
        "--markdown",
        ".md",
        "Write a Markdown summary (PR comment, step summary) to PATH, '-' for stdout.",
        _markdown,
    ),
    Format(
        "xlsx",
        "--xlsx",
        ".xlsx",
        "Write a spreadsheet for reviewers (summary, blockers, findings, waivers, collection "
        "errors; every cell text) to PATH.",
        _xlsx,
    ),
    Format(
        "csv",
        "--csv",
        ".csv",
        "Write the findings as CSV (one row per finding; a value that would start a formula "
        "gets a leading quote) to PATH, '-' for stdout.",
        _csv,
    ),
)


def by_name(name: str) -> Format:
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise KeyError(name)
