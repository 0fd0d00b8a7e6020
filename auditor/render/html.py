"""The HTML report: one self-contained page for architecture reviews, from jinja2 templates."""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from auditor.errors import RenderError
from auditor.render import json_report
from auditor.report import Report

TEMPLATE = "report.html.j2"
SCRIPT = "_script.js.j2"


def templates_dir() -> Path:
    """The bundled reports/ folder: inside the installed package, else beside it in a checkout."""
    packaged = Path(str(resources.files("auditor"))) / "reports"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "reports"


def tojson_text(value: Any) -> str:
    """A value as JSON text, for display: a plain str, so autoescape still escapes it."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tojson_text"] = tojson_text
    return env


def _script_hash(env: jinja2.Environment) -> str:
    # The page's Content-Security-Policy allows exactly this inline script and nothing else,
    # so markup that slipped past escaping still could not run. The script takes no data.
    script = env.get_template(SCRIPT).render()
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def render(report: Report, history: dict[str, Any] | None = None) -> bytes:
    """The page; `history` (auditor.history.document) adds a trend per workload."""
    env = environment()
    doc = json_report.document(report)
    try:
        page = env.get_template(TEMPLATE).render(
            doc=doc, script_hash=_script_hash(env), history=history
        )
    except jinja2.TemplateError as exc:
        raise RenderError(f"HTML report template {templates_dir()}: {exc}") from exc
    return page.encode("utf-8")
