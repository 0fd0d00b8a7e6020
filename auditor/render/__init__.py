"""Output formats: each is one function from the report model to bytes, listed in one table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from auditor.report import Report


@dataclass(frozen=True)
class Format:
    name: str
    option: str
    suffix: str
    help: str
    render: Callable[[Report], bytes]


def _json(report: Report) -> bytes:
    from auditor.render import json_report

    return json_report.render(report)


def _html(report: Report) -> bytes:
    from auditor.render import html

    rendered: bytes = html.render(report)
    return rendered


FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "--json",
        ".json",
        "Write the JSON report (the documented contract) to PATH, '-' for stdout.",
        _json,
    ),
    Format(
        "html",
        "--html",
        ".html",
        "Write the self-contained HTML report to PATH, '-' for stdout.",
        _html,
    ),
)


def by_name(name: str) -> Format:
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise KeyError(name)
