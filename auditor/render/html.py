"""The HTML report: one self-contained page for architecture reviews, from jinja2 templates."""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import orjson

from auditor.errors import RenderError
from auditor.model import FAILING, NO_SECONDARY
from auditor.render import diagram, html_data, json_report
from auditor.render.common import SHOWN_ITEMS
from auditor.report import Report

TEMPLATE = "report.html.j2"
SCRIPT = "_script.js.j2"
# Above this many findings the page is lazy: findings, their bodies and the workload cards stay
# inert (<template>s) until shown, and what the findings of a rule share is written once.
LAZY_FINDINGS = 400
# Above this many, passing, not-applicable and manual findings are listed with their message but
# without their evidence (the JSON report has it): a report of thousands of workloads then still
# opens in about three seconds (benchmarks/bench_html.py).
BRIEF_FINDINGS = 10_000


def templates_dir() -> Path:
    """The bundled templates/ folder: inside the installed package, else beside it in a checkout."""
    packaged = Path(str(resources.files("auditor"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def tojson_text(value: Any) -> str:
    """A value as JSON text, for display: a plain str, so autoescape still escapes it."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _compact_json(value: Any, **kwargs: Any) -> str:
    """json.dumps(value, **kwargs) for `tojson` (kwargs: compact, not ASCII-only), written by
    orjson, which writes the same text five times faster; json.dumps for what orjson refuses
    (a lone surrogate, an integer past 64 bits, a key that is not a string)."""
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value, **kwargs)


# The evidence rows a finding prints on paper (the page shows SHOWN_ITEMS, the JSON all).
PRINT_EVIDENCE = 5


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tojson_text"] = tojson_text
    # `tojson` writes a large report's data block: compact, and with <, >, & and ' as \u
    # escapes, so nothing in the data can end the <script type="application/json"> element.
    env.policies["json.dumps_function"] = _compact_json
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}
    env.globals["shown_items"] = SHOWN_ITEMS
    env.globals["print_evidence"] = PRINT_EVIDENCE
    env.globals["no_secondary"] = NO_SECONDARY
    return env


def _script_hash(env: jinja2.Environment) -> str:
    # The page's Content-Security-Policy allows exactly this inline script and nothing else,
    # so markup that slipped past escaping still could not run. The script takes no data.
    script = env.get_template(SCRIPT).render()
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


_GUIDE_FIELDS = ("rule", "title", "requirements", "levels", "rationale", "remediation", "docs")


def guides(findings: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """What findings share (a rule's levels, rationale, remediation, guidance): one finding per
    distinct value, and for each finding the index of its own."""
    first: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    seen: dict[str, int] = {}
    # The JSON of the fields, once per rule: the findings of one rule share the objects of
    # their texts (`rule` itself, a short string, is compared by value). The findings stay
    # alive meanwhile, so an id is not reused.
    keys: dict[tuple[object, ...], str] = {}
    for finding in findings:
        values = [finding.get(k) for k in _GUIDE_FIELDS]
        ident = (values[0], *map(id, values[1:]))
        key = keys.get(ident)
        if key is None:
            key = keys[ident] = json.dumps(values, sort_keys=True)
        if key not in seen:
            seen[key] = len(first)
            first.append(finding)
        index[finding["id"]] = seen[key]
    return first, index


def _subscription(error: dict[str, Any]) -> str:
    """The subscription a collection error is about: its own field, else its request's path."""
    if error.get("subscription"):
        return str(error["subscription"])
    parts = str(error.get("request") or "").split("/")
    lowered = [p.lower() for p in parts]
    if "subscriptions" in lowered and lowered.index("subscriptions") + 1 < len(parts):
        return parts[lowered.index("subscriptions") + 1]
    return "no subscription"


def _counted(values: list[str]) -> list[tuple[str, int]]:
    """Each distinct value with how often it occurs, most frequent first, then by name."""
    counts = Counter(values)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


_SEVERITIES = ("critical", "high", "medium", "low", "info")


def groups(doc: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The findings in reading order, in five groups: blocking the workload's own target tier,
    blocking a stricter tier, other failures, awaiting attestation (each by severity), and
    what holds (in the report's order: by workload, then requirement)."""
    own = {(w["name"], rule) for w in doc["workloads"] for rule in w["blocking_for_target"]}
    out: list[list[dict[str, Any]]] = [[], [], [], [], []]
    for severity in _SEVERITIES:
        for f in doc["findings"]:
            if f["severity"] != severity:
                continue
            if (f["workload"], f["rule"]) in own:
                out[0].append(f)
            elif f["blocks"]:
                out[1].append(f)
            elif f["status"] in ("fail", "error"):
                out[2].append(f)
            elif f["status"] == "manual":
                out[3].append(f)
    out[4] = [
        f
        for f in doc["findings"]
        if not f["blocks"] and f["status"] not in ("fail", "error", "manual")
    ]
    return out


def overview(doc: dict[str, Any]) -> dict[str, Any]:
    """What the first screen says: the workloads in reading order (not ready first, worst score
    first), the rules that keep the most workloads from their target, the collection errors
    counted by subscription and code, and the failing findings that block no target."""
    workloads = sorted(
        doc["workloads"],
        key=lambda w: (w["ready_for_target"], w["score_for_target"], w["name"]),
    )
    titles: dict[str, str] = {}
    advisory: dict[str, int] = {}
    blocking_ids = {
        fid
        for w in doc["workloads"]
        for tier in set(w["targets"].values())
        for fid in w["tiers"][tier]["blocking_findings"]
    }
    for finding in doc["findings"]:
        titles.setdefault(finding["rule"], finding["title"])
        if finding["status"] in FAILING and finding["id"] not in blocking_ids:
            advisory[finding["workload"]] = advisory.get(finding["workload"], 0) + 1
    blocked = [rule for w in doc["workloads"] for rule in w["blocking_for_target"]]
    errors = doc["scan"]["errors"]
    return {
        "workloads": workloads,
        "card_no": {w["name"]: n for n, w in enumerate(workloads, 1)},
        "top_rules": [
            {"rule": rule, "title": titles.get(rule, ""), "workloads": count}
            for rule, count in _counted(blocked)
        ],
        "titles": titles,
        "blocking_ids": blocking_ids,
        "advisory": advisory,
        "errors_by_subscription": _counted([_subscription(e) for e in errors]),
        "errors_by_code": _counted([str(e.get("code") or e.get("status") or "?") for e in errors]),
        "groups": groups(doc),
    }


def _data(
    doc: dict[str, Any],
    view: dict[str, Any],
    shared: list[dict[str, Any]],
    guide_of: dict[str, int],
    brief: bool,
) -> dict[str, Any]:
    """A large report's findings and workload cards as data (auditor.render.html_data)."""
    by_id = {f["id"]: f for f in doc["findings"]}
    per_workload = Counter(f["workload"] for f in doc["findings"])
    strings = html_data.Strings()
    return {
        "print_evidence": PRINT_EVIDENCE,
        "guides": html_data.guides(shared),
        "titles": view["titles"],
        "groups": html_data.findings(
            view["groups"],
            guide_of=guide_of,
            blocking_ids=view["blocking_ids"],
            targets={w["name"]: w["targets"] for w in doc["workloads"]},
            brief=brief,
            as_json=tojson_text,
            text=strings,
        ),
        "cards": [
            html_data.card(
                w,
                number=n,
                by_id=by_id,
                advisory=view["advisory"].get(w["name"], 0),
                count=per_workload.get(w["name"], 0),
                layout=lambda workload: diagram.layout(workload, by_id),
                text=strings,
            )
            for n, w in enumerate(view["workloads"], 1)
        ],
        "strings": strings.table(),
    }


def render(
    report: Report,
    history: dict[str, Any] | None = None,
    *,
    lazy: bool | None = None,
    brief: bool | None = None,
    whatif: Mapping[str, Any] | None = None,
) -> bytes:
    """The page; `history` (auditor.history.document) adds a trend per workload. `lazy` and
    `brief` force the modes of a large report (default: by the number of findings, above
    LAZY_FINDINGS and BRIEF_FINDINGS)."""
    env = environment()
    doc = json_report.flat_document(report)
    findings = {f["id"]: f for f in doc["findings"]}
    lazy = len(findings) > LAZY_FINDINGS if lazy is None else lazy
    brief = lazy and len(findings) > BRIEF_FINDINGS if brief is None else brief
    shared, guide_of = guides(doc["findings"]) if lazy else ([], {})
    view = overview(doc)
    try:
        page = env.get_template(TEMPLATE).render(
            doc=doc,
            script_hash=_script_hash(env),
            history=history,
            diagram=lambda workload: diagram.layout(workload, findings),
            lazy=lazy,
            brief=brief,
            guides=shared,
            whatif=whatif,
            view=view,
            data=_data(doc, view, shared, guide_of, brief) if lazy else None,
        )
    except jinja2.TemplateError as exc:
        raise RenderError(f"HTML report template {templates_dir()}: {exc}") from exc
    return page.encode("utf-8")
