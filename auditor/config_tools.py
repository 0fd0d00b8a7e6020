"""Config tooling: a starter auditor.yaml proposed from an estate (auditor init), and checks of
a config against an estate (auditor config validate)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from auditor.azure import WORKSPACE, norm_id
from auditor.config import MANUAL_REQUIREMENTS, Config
from auditor.errors import ConfigError
from auditor.estate import Estate, Resource
from auditor.inert import inert, is_inert
from auditor.model import AssetClass, Tier
from auditor.workloads import Workload, resolve


def _scalar(value: str) -> str:
    """A string as a YAML scalar, emitted by the YAML emitter on one line: quoted only when
    YAML needs it, and double-quoted with escapes when it holds a control, line-breaking,
    bidirectional or other non-ASCII character a reader could not see as it is."""
    if is_inert(value):
        text = yaml.safe_dump(value, width=1_000_000, allow_unicode=True)
    else:
        text = yaml.safe_dump(value, width=1_000_000, default_style='"', allow_unicode=False)
    return text.strip().removesuffix("...").strip()


def _comment(text: str) -> str:
    """A YAML comment line: what it says from the estate (names, tags) cannot end it."""
    return "# " + inert(text)


def _where(estate: Estate, workspace_id: str) -> str:
    resource = estate.get(workspace_id)
    if resource is None:
        return workspace_id.rsplit("/", 1)[-1]
    return f"{resource.name} in {resource.location or 'an unknown region'}"


def _why(workload: Workload, estate: Estate) -> list[str]:
    primary = _where(estate, workload.primary)
    if workload.source == "standalone":
        return [
            f"standalone: {primary} has no configured, tagged or discoverable partner.",
            "Add 'secondary:' when a workspace in another region is meant to take over",
            "(DR-01 fails until then), or leave this workload out.",
        ]
    assert workload.secondary is not None
    how = {"discovered": "discovered", "tags": "from tags"}.get(workload.source, workload.source)
    return [
        f"{how}: {workload.reason}.",
        f"primary: {primary}; secondary: {_where(estate, workload.secondary)}.",
        "The primary is the one tagged dr-role=primary, else the busier (online endpoints",
        "and their instances): swap them if the secondary serves production today.",
    ]


def propose(
    estate: Estate, origin: str, validate: str, default: Tier = Tier.HOT_COLD
) -> tuple[str, list[Workload]]:
    """A commented auditor.yaml with the workloads the estate suggests, for a person to confirm."""
    workloads, notes = resolve(estate, Config(), default)
    lines = [
        _comment(f"auditor.yaml proposed by `auditor init` from {origin}"),
        _comment(
            f"({len(estate.workspaces)} workspace(s), collected {estate.snapshot.collected_at})."
        ),
        "# Review it before relying on a scan: confirm each primary/secondary pair, set the",
        "# target tier each workload aims at (hot/hot, hot/warm or hot/cold), and record",
        f"# attestations ({', '.join(MANUAL_REQUIREMENTS)}) once a person has checked them.",
        _comment(f"Then check it: {validate}"),
    ]
    lines += [_comment(f"note: {note}") for note in notes]
    lines.append("workloads:" if workloads else "workloads: []")
    for workload in workloads:
        lines.append("")
        lines += ["  " + _comment(line) for line in _why(workload, estate)]
        lines.append(f"  - name: {_scalar(workload.name)}")
        lines.append(f"    primary: {_scalar(workload.primary)}")
        if workload.secondary is not None:
            lines.append(f"    secondary: {_scalar(workload.secondary)}")
        tier = workload.targets[AssetClass.FOUNDATION]
        if workload.target_source == "tag":
            lines.append(f"    target: {tier.value}  # from the dr-target tag")
        else:
            lines.append(
                f"    target: {tier.value}  # the default: set the tier this workload aims at"
            )
        lines.append("    # attestations:")
        lines.append(
            f"    #   {MANUAL_REQUIREMENTS[0]}: {{by: <owner>, date: <YYYY-MM-DD>, "
            "evidence: <link>, expires: <YYYY-MM-DD>}"
        )
    text = "\n".join(lines) + "\n"
    _reads_as_proposed(text, workloads)
    return text, workloads


def _reads_as_proposed(text: str, workloads: list[Workload]) -> None:
    """What `config validate` and a scan will read from the file is what it shows a person:
    the proposed workloads, each with its name, pair and target, and nothing else (a value
    from the estate that broke out of its line or comment would add or change an entry)."""
    expected = [
        {
            "name": w.name,
            "primary": w.primary,
            **({"secondary": w.secondary} if w.secondary is not None else {}),
            "target": w.targets[AssetClass.FOUNDATION].value,
        }
        for w in workloads
    ]
    if yaml.safe_load(text) != {"workloads": expected}:
        raise ConfigError("auditor init: the proposed configuration does not read back as written")


@dataclass(frozen=True)
class Check:
    problems: list[str]
    notes: list[str]


def _suggest(estate: Estate, workspace_id: str) -> str:
    name = workspace_id.rstrip("/").rsplit("/", 1)[-1].lower()
    same = [w.raw_id for w in estate.workspaces if w.name.lower() == name]
    return f" (a workspace of that name: {same[0]})" if len(same) == 1 else ""


def against_estate(
    config: Config, estate: Estate, source: str, indices: Sequence[int] | None = None
) -> Check:
    """What the schema cannot see: ids that are not workspaces of this estate (`indices`: the
    workloads' places in the file, when only some of them were valid)."""
    problems: list[str] = []
    claimed: set[str] = set()
    places = indices if indices is not None else range(len(config.workloads))
    for index, workload in zip(places, config.workloads, strict=True):
        where = f"{source}: workloads.{index} ({workload.name})"
        for role, workspace_id in (
            ("primary", workload.primary),
            ("secondary", workload.secondary),
        ):
            if workspace_id is None:
                continue
            claimed.add(norm_id(workspace_id))
            resource: Resource | None = estate.get(workspace_id)
            if resource is None:
                problems.append(
                    f"{where}: {role} {workspace_id} is not in the snapshot"
                    f"{_suggest(estate, workspace_id)}"
                )
            elif resource.type != WORKSPACE:
                problems.append(
                    f"{where}: {role} {workspace_id} is a {resource.type}, "
                    "not an Azure ML workspace"
                )
    notes: list[str] = []
    left = [w for w in estate.workspaces if w.id not in claimed]
    if left:
        notes.append(
            f"{len(left)} workspace(s) not in the config come from tags, discovery or stand "
            "alone: " + ", ".join(sorted(w.name for w in left))
        )
    return Check(problems, notes)
