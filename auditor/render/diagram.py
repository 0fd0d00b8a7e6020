"""Geometry of a workload's topology diagram: boxes, lines and labels for the HTML template.

Only numbers and plain strings come out of here; the template draws the SVG, and autoescape
escapes every label, so a resource name never becomes markup."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

WIDTH = 960
TOP = 62  # y of the workspace boxes
WS_H = 50
DEP_H = 42
PITCH = 52  # vertical distance between two boxes of one column
GROUP_GAP = 10  # extra space between two kinds of resource
BOTTOM = 16

# x ranges: the primary column, the shared band, the secondary column (mirror of the primary).
PANELS = {"L": (8, 322), "M": (338, 622), "R": (638, 952)}
WS_BOX = {"L": (20, 290), "R": (650, 290)}
DEP_BOX = {"L": (52, 258), "M": (351, 258), "R": (650, 258)}  # sizes of the boxes' symbols
TRUNK = {"L": 34, "R": 926}  # where a workspace's links run down its column
COLUMN = {"primary": "L", "shared": "M", "secondary": "R"}

KINDS = {
    "workspace": "Workspace",
    "storage": "Storage",
    "key_vault": "Key Vault",
    "registry": "Registry",
    "replica": "Replica",
    "app_insights": "App Insights",
    "compute": "Cluster",
    "endpoint": "Endpoint",
}
LONG_KINDS = {
    "workspace": "Azure ML workspace",
    "storage": "default storage account",
    "key_vault": "Key Vault",
    "registry": "container registry",
    "replica": "registry replica",
    "app_insights": "Application Insights",
    "compute": "compute cluster",
    "endpoint": "online endpoint",
}
ORDER = ("storage", "key_vault", "registry", "replica", "app_insights", "compute", "endpoint")
NAME_EM = 13.6  # font sizes of the node labels, 13px and 11px, with a margin for wider faces
SUB_EM = 10.8
TEXT_LEFT = 40  # where the labels start inside a box, right of the icon
# Rough advance widths in em of a sans-serif face (Arial and its metric clones), by class.
_NARROW = frozenset("fijlrtI!.,:;'|()[]{} \u00b7")
_WIDE = frozenset("mwMW@%")


@dataclass
class Box:
    x: int
    y: int
    w: int
    h: int
    kind: str
    label: str
    sub: str
    title: str
    classes: str
    region_off: bool = False
    badge: str = ""
    badge_w: int = 0

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2


@dataclass
class Line:
    d: str
    classes: str
    title: str = ""


@dataclass
class Failing:
    kind: str
    name: str
    findings: list[dict[str, str]] = field(default_factory=list)
    region: str = ""
    where: str = ""  # the region, when another failing resource of the kind has the same name
    blocking: bool = True  # whether one of its findings keeps the workload from its target


@dataclass
class Diagram:
    width: int
    height: int
    panels: list[dict[str, Any]]
    boxes: list[Box]
    lines: list[Line]
    failing: list[Failing]
    description: str
    pair_label: tuple[int, int, str] | None  # x, y and the mark's class ('' when none)


def _advance(char: str) -> float:
    if char in _NARROW:
        return 0.3
    if char in _WIDE:
        return 0.86
    if char.isupper() or char == "_":
        return 0.68
    return 0.56


def fit(text: str, em: float, room: float) -> str:
    """The text, cut with an ellipsis to what fits in `room` user units at font size `em`."""
    used = 0.0
    budget = room / em
    for index, char in enumerate(text):
        used += _advance(char)
        if used > budget:
            return text[: max(index - 1, 1)].rstrip() + "\u2026"
    return text


def _detail(node: Mapping[str, Any]) -> str:
    detail = node.get("detail") or {}
    kind = node["kind"]
    if kind in ("storage", "registry"):
        return str(detail.get("sku") or "")
    if kind == "compute":
        size, count = detail.get("vm_size"), detail.get("max_node_count")
        if size and count is not None:
            return f"{size} \u00d7 {count}"
        return str(size or "")
    if kind == "replica":
        return str(detail.get("provisioning_state") or "state unknown")
    if kind == "workspace" and detail.get("kind"):
        return str(detail["kind"]).lower() if str(detail["kind"]) != "Default" else ""
    return ""


def _findings(
    mark: Mapping[str, Any] | None,
    findings: Mapping[str, Mapping[str, Any]],
    blocking: frozenset[str],
) -> list[dict[str, str]]:
    if not mark:
        return []
    found = []
    for index, finding_id in enumerate(mark["findings"]):
        finding = findings.get(finding_id)
        rule = finding["rule"] if finding else mark["rules"][min(index, len(mark["rules"]) - 1)]
        found.append(
            {
                "id": finding_id,
                "blocking": "yes" if finding_id in blocking else "",
                "rule": str(rule),
                "title": str(finding["title"]) if finding else "",
                "status": str(finding["status"]) if finding else str(mark["status"]),
            }
        )
    return found


def _why(found: list[dict[str, str]]) -> str:
    return "\n".join(
        f"\u2716 {f['rule']} {f['status']}"
        + ("" if f["blocking"] else " (advisory)")
        + (f": {f['title']}" if f["title"] else "")
        for f in found
    )


def _mark_class(mark: Mapping[str, Any], blocking: frozenset[str]) -> str:
    """A blocker is red (fail) or purple (error); a failure that keeps the workload from no
    target of its own is advisory, amber."""
    if not any(finding_id in blocking for finding_id in mark["findings"]):
        return "adv"
    return "bad" if mark["status"] == "fail" else "err"


def layout(workload: Mapping[str, Any], findings: Mapping[str, Mapping[str, Any]]) -> Diagram:
    """Place a workload's topology (`workload["topology"]` of the JSON report) in three columns:
    the primary region, the resources both workspaces share, the secondary region."""
    topology = workload["topology"]
    marks = {(m["type"], m["id"]): m for m in topology["marks"]}
    regions = {"L": workload.get("primary_region"), "R": workload.get("secondary_region")}
    boxes: dict[str, Box] = {}
    columns: dict[str, str] = {}
    failing: list[Failing] = []
    workspaces = {n["role"]: n for n in topology["nodes"] if n["kind"] == "workspace"}
    # the findings that keep the workload from one of its own targets
    blocking = frozenset(
        finding_id
        for tier in set((workload.get("targets") or {}).values())
        for finding_id in workload["tiers"][tier]["blocking_findings"]
    )

    def place(node: Mapping[str, Any], column: str, x: int, y: int, w: int, h: int) -> None:
        kind = node["kind"]
        mark = marks.get(("node", node["id"]))
        found = _findings(mark, findings, blocking)
        region = node.get("region")
        home = regions.get(column)
        off = bool(region and column in ("L", "R") and home and region != home)
        parts = [KINDS[kind]]
        if kind not in ("workspace", "compute", "endpoint") or off or column == "M":
            parts.append(region or "region unknown")
        if node.get("missing"):
            parts = ["the registry has no replica here"]
        elif not node["present"]:
            parts.append("not in the snapshot")
        elif detail := _detail(node):
            parts.append(detail)
        room = w - TEXT_LEFT - 8
        label, sub = fit(node["name"], NAME_EM, room), fit(" \u00b7 ".join(parts), SUB_EM, room)
        title = [node["name"], f"{LONG_KINDS[kind]} \u00b7 {region or 'region unknown'}"]
        if not node["present"]:
            title.append("not in the snapshot")
        if detail := _detail(node):
            title.append(detail)
        if found:
            title.append(_why(found))
            failing.append(
                Failing(
                    KINDS[kind],
                    node["name"],
                    found,
                    region or "region unknown",
                    blocking=any(f["blocking"] for f in found),
                )
            )
        # A tooltip where the box does not say it all: a failing, absent or cut-off resource.
        wanted = bool(found) or not node["present"] or label != node["name"] or "\u2026" in sub
        classes = [f"k-{kind}"]
        if node.get("missing"):
            classes.append("missing")
            wanted = False
        elif not node["present"]:
            classes.append("absent")
        if mark:
            classes.append(_mark_class(mark, blocking))
        badge = ""
        if mark:
            rules = list(dict.fromkeys(mark["rules"]))
            badge = rules[0] + (f" +{len(rules) - 1}" if len(rules) > 1 else "")
        boxes[node["id"]] = Box(
            x=x,
            y=y,
            w=w,
            h=h,
            kind=kind,
            label=label,
            sub=sub,
            title="\n".join(title) if wanted else "",
            classes=" ".join(classes),
            region_off=off,
            badge=badge,
            badge_w=int(len(badge) * 6.2 + 14),
        )
        columns[node["id"]] = column

    for role, column in (("primary", "L"), ("secondary", "R")):
        if role in workspaces:
            x, w = WS_BOX[column]
            place(workspaces[role], column, x, TOP, w, WS_H)
    cursor = TOP + WS_H + 22
    nodes = list(topology["nodes"]) + _missing_replicas(topology, regions, workspaces)
    for kind in ORDER:
        stacks: dict[str, list[Mapping[str, Any]]] = {"L": [], "M": [], "R": []}
        for node in nodes:
            if node["kind"] == kind:
                stacks[COLUMN.get(node["role"], "M")].append(node)
        rows = max(len(s) for s in stacks.values())
        if not rows:
            continue
        for column, stack in stacks.items():
            x, w = DEP_BOX[column]
            for row, node in enumerate(stack):
                place(node, column, x, cursor + row * PITCH, w, DEP_H)
        cursor += rows * PITCH + GROUP_GAP
    height = max(cursor - GROUP_GAP - PITCH + DEP_H, TOP + WS_H) + BOTTOM

    # Lines that are not failing are drawn as one path per style (fewer elements to parse in a
    # report of thousands of workloads); each failing one is its own path, with a tooltip.
    neutral: dict[str, list[str]] = {}
    lines: list[Line] = []
    # One trunk down each workspace's column; each link branches off it to what it uses.
    reach: dict[str, int] = {}
    for edge in topology["edges"]:
        source, target = boxes.get(edge["from"]), boxes.get(edge["to"])
        column = columns.get(edge["from"], "")
        if edge["kind"] == "uses" and source and target and column in TRUNK:
            reach[edge["from"]] = max(reach.get(edge["from"], 0), target.cy)
    for node in nodes:
        if node.get("missing") and node["registry"] in boxes:
            source, target = boxes[node["registry"]], boxes[node["id"]]
            d = _route("replica", source, columns[node["registry"]], target, columns[node["id"]])
            neutral.setdefault("e e-replica absent", []).append(d)
    for ws, bottom in reach.items():
        box = boxes[ws]
        neutral.setdefault("e", []).append(f"M{TRUNK[columns[ws]]} {box.y + box.h}V{bottom}")
    pair_label = None
    for edge in topology["edges"]:
        source, target = boxes.get(edge["from"]), boxes.get(edge["to"])
        if source is None or target is None:
            continue
        d = _route(edge["kind"], source, columns[edge["from"]], target, columns[edge["to"]])
        mark = marks.get(("edge", edge["id"]))
        if edge["kind"] == "pair":
            marked = _mark_class(mark, blocking) if mark else ""
            pair_label = ((source.x + source.w + target.x) // 2, source.cy - 8, marked)
        classes = ["e"] if edge["kind"] == "uses" else ["e", f"e-{edge['kind']}"]
        if "absent" in target.classes:
            classes.append("absent")
        if not mark:
            neutral.setdefault(" ".join(classes), []).append(d)
            continue
        classes.append(_mark_class(mark, blocking))
        rules = ", ".join(dict.fromkeys(mark["rules"]))
        what = "Advisory failure" if classes[-1] == "adv" else "Failing"
        lines.append(Line(d, " ".join(classes), f"{what}: {rules}"))
    # Failing links last, so they are drawn over the neutral ones that share a trunk.
    lines[:0] = [Line("".join(paths), classes) for classes, paths in neutral.items()]

    panels = []
    for column, role, kicker in (
        ("L", "primary", "Primary region"),
        ("M", "shared", "Shared"),
        ("R", "secondary", "Secondary region"),
    ):
        x0, x1 = PANELS[column]
        if column == "M":
            region = "used by both workspaces"
        elif role in workspaces:
            region = regions[column] or "region unknown"
        else:
            region = "none"
        panels.append(
            {
                "x": x0,
                "w": x1 - x0,
                "h": height - 8,
                "cx": (x0 + x1) // 2,
                "column": column,
                "kicker": kicker,
                "region": region,
                "empty": column == "R" and role not in workspaces,
                "boxes": sum(1 for c in columns.values() if c == column),
            }
        )
    names = Counter((item.kind, item.name) for item in failing)
    for item in failing:
        if names[(item.kind, item.name)] > 1:
            item.where = item.region
    ordered = sorted(boxes.values(), key=lambda b: (b.y, b.x))
    description = (
        f"{len(topology['nodes'])} resources: the workspaces in "
        f"{regions['L'] or 'an unknown region'} and "
        f"{regions['R'] or 'no secondary region'} and what they use; "
        f"{sum(item.blocking for item in failing)} blocking, "
        f"{sum(not item.blocking for item in failing)} advisory"
    )
    return Diagram(WIDTH, height, panels, ordered, lines, failing, description, pair_label)


def _missing_replicas(
    topology: Mapping[str, Any],
    regions: Mapping[str, str | None],
    workspaces: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Where a workspace's region has neither its registry's home nor a replica of it: an empty
    place drawn where the replica would be (a picture of the data, not a node of it)."""
    found = []
    nodes = {n["id"]: n for n in topology["nodes"]}
    for registry in (n for n in topology["nodes"] if n["kind"] == "registry" and n["present"]):
        covered = {registry.get("region")} | {
            nodes[e["to"]].get("region")
            for e in topology["edges"]
            if e["kind"] == "replica" and e["from"] == registry["id"] and e["to"] in nodes
        }
        users = {e["from"] for e in topology["edges"] if e["to"] == registry["id"]}
        for role, column in (("primary", "L"), ("secondary", "R")):
            region = regions.get(column)
            ws = workspaces.get(role)
            if ws is None or ws["id"] not in users or not region or region in covered:
                continue
            found.append(
                {
                    "id": f"{registry['id']} (no replica in {region})",
                    "kind": "replica",
                    "name": f"no replica in {region}",
                    "region": region,
                    "role": role,
                    "present": False,
                    "missing": True,
                    "registry": registry["id"],
                }
            )
    return found


def _route(kind: str, source: Box, col_s: str, target: Box, col_t: str) -> str:
    """A path from a workspace (or registry) to what it links to, with right angles."""
    if kind == "pair":
        return f"M{source.x + source.w} {source.cy}H{target.x}"
    if kind == "replica":
        if col_s == col_t:
            return f"M{target.cx} {source.y + source.h}V{target.y}"
        rightwards = target.x > source.x
        sx = source.x + (source.w * 4 // 5 if rightwards else source.w // 5)
        edge = target.x if rightwards else target.x + target.w
        return f"M{sx} {source.y + source.h}V{target.cy}H{edge}"
    if col_s in TRUNK:
        trunk = TRUNK[col_s]
        edge = target.x if target.x > trunk else target.x + target.w
        return f"M{trunk} {target.cy}H{edge}"
    return f"M{source.cx} {source.y + source.h}V{target.cy}H{target.x}"
