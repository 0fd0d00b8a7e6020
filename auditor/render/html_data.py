"""The data a large HTML report's script builds its findings and workload cards from."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from auditor.model import FAILING, NO_SECONDARY
from auditor.render.common import SHOWN_ITEMS
from auditor.render.diagram import Box

# A large report (auditor/render/html.py) carries its findings and workload cards as data in
# one <script type="application/json"> element instead of markup: the HTML parser reads a data
# block many times faster than it builds elements, and the page's script makes the elements of
# what is shown (createElement and textContent only, never markup from the data).
#
# A finding is an array, in this order (tens of thousands of them: no repeated keys):
F_ID, F_GUIDE, F_WORKLOAD, F_STATUS, F_SEVERITY, F_CLASS, F_MESSAGE = range(7)
F_BLOCKS, F_OWN_TARGET, F_FLAGS, F_BODY = range(7, 11)
# F_FLAGS bits: in the group "blocking the workload's target"; an advisory failure (fails, but
# keeps its workload from no target of its own); the message says no secondary was found.
FLAG_TARGET, FLAG_ADVISORY, FLAG_NO_SECONDARY = 1, 2, 4
# F_BODY is 0 for a finding listed without its evidence (a very large report lists what holds
# so), else [notes, level at its target, the first resources, how many more, evidence rows,
# how many evidence items in all]; an evidence row is [the resource's short name, its full id
# when the resources listed do not show it (else ""), the property path, the observed value
# as JSON text, the expected value as JSON text or null when none was recorded].
# Its workload, status, severity, asset class, message, the tiers it blocks and its own target
# tier, the resource ids and the strings of evidence rows repeat across findings (a workload's
# resources, a quota pool's message), as the strings of the maps do across workloads: they are
# numbers into one table of strings (Strings).


class Strings:
    """A table of distinct strings, each written once; the data holds their numbers."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        number = self.numbers.get(text)
        if number is None:
            number = self.numbers[text] = len(self.numbers)
        return number

    def table(self) -> list[str]:
        return list(self.numbers)


def _short_name(rid: str) -> str:
    """A resource's names after its provider: 'mlw-churn/cpu-train' for a compute of a
    workspace (as the template's short_name)."""
    parts = rid.rstrip("/").split("/")
    if "providers" in parts and len(parts) > parts.index("providers") + 3:
        return "/".join(parts[parts.index("providers") + 3 :: 2])
    return parts[-1]


def _resource_name(rid: str | None) -> str:
    return (rid or "").rstrip("/").split("/")[-1]


def _box(box: Box, text: Strings) -> list[Any]:
    """A box of a map in the order of its fields, which the script reads: x, y, w, h, kind,
    label, sub, title, classes, region_off, badge, badge_w (its strings as numbers)."""
    return [
        text(value) if isinstance(value, str) else value
        for value in (getattr(box, f.name) for f in dataclasses.fields(box))
    ]


def _panel(panel: Mapping[str, Any], text: Strings) -> list[Any]:
    """A region's panel of a map: x, w, h, cx, column, kicker, region, empty, boxes."""
    return [
        panel["x"],
        panel["w"],
        panel["h"],
        panel["cx"],
        text(panel["column"]),
        text(panel["kicker"]),
        text(panel["region"]),
        panel["empty"],
        panel["boxes"],
    ]


def _place(workload: Mapping[str, Any], role: str) -> list[Any]:
    """A workspace of the pair: [its region, its name, its id]."""
    return [workload[f"{role}_region"], _resource_name(workload[role]), workload[role]]


def _body(finding: Mapping[str, Any], as_json: Callable[[Any], str], text: Strings) -> list[Any]:
    resources = list(finding.get("resources") or [])
    listed = resources[:SHOWN_ITEMS]
    evidence = list(finding.get("evidence") or [])
    shown = set(listed)

    def full(rid: str) -> str:
        # the full id, when the resources listed do not show it already
        return rid if "/" in rid and rid not in shown else ""

    rows = [
        [
            text(_short_name(str(e["resource"]))),
            text(full(str(e["resource"]))),
            text(str(e["path"])),
            text(as_json(e.get("observed"))),
            text(as_json(e["expected"])) if "expected" in e else None,
        ]
        for e in evidence[:SHOWN_ITEMS]
    ]
    return [
        list(finding.get("notes") or []),
        finding["target_level"],
        [text(rid) for rid in listed],
        len(resources) - len(listed),
        rows,
        len(evidence),
    ]


def findings(
    groups: list[list[dict[str, Any]]],
    *,
    guide_of: Mapping[str, int],
    blocking_ids: set[str],
    targets: Mapping[str, Mapping[str, str]],
    brief: bool,
    as_json: Callable[[Any], str],
    text: Strings,
) -> list[list[list[Any]]]:
    """Each group's findings, in the page's order, as arrays (F_*)."""
    out = []
    for number, items in enumerate(groups):
        rows = []
        for f in items:
            flags = (
                (FLAG_TARGET if number == 0 else 0)
                | (FLAG_ADVISORY if f["status"] in FAILING and f["id"] not in blocking_ids else 0)
                | (FLAG_NO_SECONDARY if f["message"] == NO_SECONDARY else 0)
            )
            short = brief and f["status"] in ("pass", "not_applicable", "manual")
            rows.append(
                [
                    f["id"],
                    guide_of[f["id"]],
                    text(f["workload"]),
                    text(f["status"]),
                    text(f["severity"]),
                    text(f["asset_class"]),
                    text(f["message"]),
                    [text(tier) for tier in f["blocks"]],
                    text((targets.get(f["workload"]) or {}).get(f["asset_class"], "")),
                    flags,
                    0 if short else _body(f, as_json, text),
                ]
            )
        out.append(rows)
    return out


def guides(shared: list[dict[str, Any]]) -> list[list[Any]]:
    """What the findings of a guide share that their rows show: [rule, title, requirements]."""
    return [[f["rule"], f["title"], ", ".join(f["requirements"])] for f in shared]


def card(
    workload: Mapping[str, Any],
    *,
    number: int,
    by_id: Mapping[str, Mapping[str, Any]],
    advisory: int,
    count: int,
    layout: Callable[[Mapping[str, Any]], Any] | None,
    text: Strings,
) -> dict[str, Any]:
    """What a workload's card and its row of the readiness ladder show: its verdict, facts,
    tiers ([tier, ready, score, blocking findings [id, rule, severity], how many blocking
    rules]) and map (the diagram's layout, auditor.render.diagram, as plain numbers and
    strings; boxes, panels and lines as arrays of numbers into `text`; a failing resource is
    [kind, name, where, blocking, findings [id, rule, status, blocking]]). A rule's title is
    the data's `titles`."""
    tiers = []
    for tier in ("hot/hot", "hot/warm", "hot/cold"):
        t = workload["tiers"][tier]
        blockers = [
            [fid, by_id[fid]["rule"], by_id[fid]["severity"]]
            for fid in t["blocking_findings"]
            if fid in by_id
        ]
        tiers.append([tier, bool(t["ready"]), int(t["score"]), blockers, len(t["blocking"])])
    out: dict[str, Any] = {
        "n": number,
        "name": workload["name"],
        "ready": bool(workload["ready_for_target"]),
        "score": int(workload["score_for_target"]),
        "target": workload["target"],
        "blocking": len(workload["blocking_for_target"]),
        "advisory": advisory,
        "findings": count,
        "primary": _place(workload, "primary"),
        "secondary": None if workload["secondary"] is None else _place(workload, "secondary"),
        "source": [workload["source"], workload["source_reason"]],
        "targets": list(workload["targets"].items()),
        "target_tiers": sorted(set(workload["targets"].values())),
        "target_source": workload.get("target_source"),
        "attestations": workload.get("attestations"),
        "tiers": tiers,
    }
    if layout is not None and "topology" in workload:
        dg = layout(workload)
        out["map"] = {
            "width": dg.width,
            "height": dg.height,
            "description": dg.description,
            "panels": [_panel(panel, text) for panel in dg.panels],
            "pair_label": dg.pair_label,
            "lines": [[text(line.d), text(line.classes), text(line.title)] for line in dg.lines],
            "boxes": [_box(b, text) for b in dg.boxes],
            "failing": [
                [
                    item.kind,
                    item.name,
                    item.where,
                    item.blocking,
                    [[f["id"], f["rule"], f["status"], bool(f["blocking"])] for f in item.findings],
                ]
                for item in dg.failing
            ],
        }
    return out
