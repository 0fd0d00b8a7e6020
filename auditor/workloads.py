"""Workloads (DR pairs) from the config file, then workspace tags, then discovery."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from auditor.azure import ONLINE_DEPLOYMENT, ONLINE_ENDPOINT, norm_id
from auditor.config import Attestation, Config, WorkloadConfig
from auditor.estate import Estate, Resource
from auditor.model import AssetClass, Tier, strictest

TAG_WORKLOAD = "dr-workload"
TAG_ROLE = "dr-role"
TAG_TARGET = "dr-target"

# Abbreviations teams put in resource names (Cloud Adoption Framework and common usage).
REGION_ABBREVIATIONS: Mapping[str, tuple[str, ...]] = {
    "eastus": ("eus", "use", "ue"),
    "eastus2": ("eus2", "use2", "ue2"),
    "westus": ("wus", "usw", "uw"),
    "westus2": ("wus2", "usw2", "uw2"),
    "westus3": ("wus3", "usw3", "uw3"),
    "centralus": ("cus", "usc", "uc"),
    "northcentralus": ("ncus", "usnc"),
    "southcentralus": ("scus", "ussc"),
    "westcentralus": ("wcus", "uswc"),
    "canadacentral": ("cac", "cnc", "canc"),
    "canadaeast": ("cae", "cne", "cane"),
    "brazilsouth": ("brs", "bs"),
    "northeurope": ("neu", "eun", "ne"),
    "westeurope": ("weu", "euw", "we"),
    "uksouth": ("uks", "suk"),
    "ukwest": ("ukw", "wuk"),
    "francecentral": ("frc", "fc"),
    "francesouth": ("frs", "fs"),
    "germanywestcentral": ("gwc", "dewc"),
    "germanynorth": ("gn", "den"),
    "swedencentral": ("sdc", "sec", "swc"),
    "swedensouth": ("sds", "ses"),
    "switzerlandnorth": ("szn", "chn"),
    "switzerlandwest": ("szw", "chw"),
    "norwayeast": ("nwe", "noe"),
    "norwaywest": ("nww", "now"),
    "eastasia": ("ea", "eas"),
    "southeastasia": ("sea",),
    "japaneast": ("jpe", "jae"),
    "japanwest": ("jpw", "jaw"),
    "koreacentral": ("krc", "koc"),
    "koreasouth": ("krs", "kos"),
    "australiaeast": ("aue", "ae"),
    "australiasoutheast": ("ause", "ase"),
    "centralindia": ("inc", "cin"),
    "southindia": ("ins", "sin"),
    "uaenorth": ("uan", "uaen"),
    "southafricanorth": ("san", "zan"),
}

_SEPARATORS = re.compile(r"[-_.]+")


@dataclass(frozen=True)
class Workload:
    """One DR pair and where it came from."""

    name: str
    source: str
    reason: str
    primary: str
    secondary: str | None
    targets: Mapping[AssetClass, Tier]
    target_source: str
    attestations: Mapping[str, Attestation] = field(default_factory=dict)

    @property
    def target_summary(self) -> str:
        base = self.targets[AssetClass.FOUNDATION]
        others = [
            f"{cls.value} {tier.value}" for cls, tier in self.targets.items() if tier is not base
        ]
        return base.value + (f" ({', '.join(others)})" if others else "")


def resolve_targets(
    target: Tier | None, targets: Mapping[AssetClass, Tier] | None, default: Tier
) -> dict[AssetClass, Tier]:
    """Per-class targets; foundation is judged at the strictest tier the workload asks for."""
    base = target or default
    per_class = dict(targets or {})
    inference = per_class.get(AssetClass.INFERENCE, base)
    training = per_class.get(AssetClass.TRAINING, base)
    asked = [inference, training]
    if AssetClass.FOUNDATION in per_class:
        asked.append(per_class[AssetClass.FOUNDATION])
    if target is not None or not per_class:
        asked.append(base)
    return {
        AssetClass.FOUNDATION: strictest(asked),
        AssetClass.INFERENCE: inference,
        AssetClass.TRAINING: training,
    }


def region_tokens(region: str) -> set[str]:
    return {region, *REGION_ABBREVIATIONS.get(region, ())}


def name_stem(workspace: Resource) -> str | None:
    """The workspace name without its region token; None when the name has no region token."""
    tokens = [t for t in _SEPARATORS.split(workspace.name.lower()) if t]
    known = region_tokens(workspace.location)
    kept = [t for t in tokens if t not in known]
    if len(kept) == len(tokens) or not kept:
        return None
    return "-".join(kept)


def _activity(estate: Estate, workspace: Resource) -> int:
    """How busy a workspace looks: online endpoints and the instances deployed behind them."""
    score = 0
    for endpoint in estate.children_of(workspace.id, ONLINE_ENDPOINT):
        score += 1
        for deployment in estate.children_of(endpoint.id, ONLINE_DEPLOYMENT):
            capacity = deployment.get("sku.capacity")
            score += capacity if isinstance(capacity, int) else 0
    return score


def _role(workspace: Resource) -> str:
    return workspace.tags.get(TAG_ROLE, "").strip().lower()


def _order_pair(estate: Estate, a: Resource, b: Resource) -> tuple[Resource, Resource]:
    """Which of two discovered workspaces is the primary: a dr-role tag, else the busier one."""
    for first, second in ((a, b), (b, a)):
        if _role(first) == "primary":
            return first, second
        if _role(second) == "secondary":
            return first, second
    ranked = sorted((a, b), key=lambda w: (-_activity(estate, w), w.name, w.id))
    return ranked[0], ranked[1]


# Separators people write between the two words of a tier: 'hot-hot', 'Hot / Warm', 'hot_cold'.
_TIER_SEPARATOR = re.compile(r"\s*[/\\_|-]\s*")


def _tag_target(workspace: Resource, notes: list[str]) -> Tier | None:
    """The tier a workspace's dr-target tag asks for. A value that is no tier is judged at the
    strictest tier, with a note: a typo must not make a workload look ready at a weaker one."""
    raw = workspace.tags.get(TAG_TARGET, "")
    value = _TIER_SEPARATOR.sub("/", raw.strip().lower())
    if not value:
        return None
    try:
        return Tier(value)
    except ValueError:
        strict = strictest(list(Tier))
        notes.append(
            f"workspace {workspace.name}: tag {TAG_TARGET}={raw!r} is not a tier "
            f"({', '.join(t.value for t in Tier)}); judged at {strict.value}, the strictest, "
            "until the tag is fixed"
        )
        return strict


def _targets_of(
    workspaces: list[Resource | None], default: Tier, notes: list[str]
) -> tuple[dict[AssetClass, Tier], str]:
    """Targets from the workspaces' dr-target tags (the strictest), else the default."""
    tagged = [t for t in (_tag_target(w, notes) for w in workspaces if w) if t]
    if not tagged:
        return resolve_targets(None, None, default), "default"
    return resolve_targets(strictest(tagged), None, default), "tag"


def _from_config(
    estate: Estate, entry: WorkloadConfig, default: Tier, notes: list[str]
) -> Workload:
    """A configured workload; without a target of its own, its workspaces' dr-target tags (then
    the default) give it one."""
    if entry.target is not None or entry.targets is not None:
        targets, source = resolve_targets(entry.target, entry.targets, default), "config"
    else:
        members = [entry.primary, entry.secondary]
        targets, source = _targets_of(
            [estate.get(ws) if ws else None for ws in members], default, notes
        )
    return Workload(
        name=entry.name,
        source="config",
        reason="declared in the configuration file",
        primary=entry.primary,
        secondary=entry.secondary,
        targets=targets,
        target_source=source,
        attestations=dict(entry.attestations),
    )


def _from_tags(name: str, members: list[Resource], default: Tier, notes: list[str]) -> Workload:
    """One workload from workspaces sharing a dr-workload tag; extra members are left to
    discovery (with a note)."""
    primaries = [w for w in members if _role(w) == "primary"]
    secondaries = [w for w in members if _role(w) == "secondary"]
    others = [w for w in members if w not in primaries and w not in secondaries]
    ordered = primaries + others + secondaries
    primary = ordered[0]
    # Two workspaces that both say primary (or both secondary) are still the pair they name.
    secondary = next((w for w in secondaries + others + primaries if w is not primary), None)
    leftovers = [w for w in members if w is not primary and w is not secondary]
    if leftovers:
        notes.append(
            f"tag {TAG_WORKLOAD}={name} is on more than two workspaces; "
            f"{', '.join(w.name for w in leftovers)} left out of the pair"
        )
    if secondary is not None and _role(primary) == _role(secondary) != "":
        notes.append(
            f"workspaces tagged {TAG_WORKLOAD}={name} both say {TAG_ROLE}={_role(primary)}: "
            f"{primary.name} taken as the primary, {secondary.name} as the secondary"
        )
    targets, source = _targets_of([primary, secondary], default, notes)
    workload = Workload(
        name=name,
        source="tags",
        reason=f"workspaces tagged {TAG_WORKLOAD}={name}",
        primary=primary.raw_id,
        secondary=secondary.raw_id if secondary else None,
        targets=targets,
        target_source=source,
    )
    return workload


def _tag_name(members: list[Resource]) -> str:
    """A tag group's workload name: the dr-workload value as its workspaces write it; in lower
    case when they spell it differently (values that differ only in case name one workload,
    and its name, finding ids and history do not move with whichever tag was edited last)."""
    spelled = {w.tags[TAG_WORKLOAD].strip() for w in members}
    return spelled.pop() if len(spelled) == 1 else next(iter(spelled)).casefold()


def resolve(estate: Estate, config: Config, default: Tier) -> tuple[list[Workload], list[str]]:
    """Every workspace ends up in exactly one workload; returns the workloads and notes."""
    notes: list[str] = []
    workloads = [_from_config(estate, entry, default, notes) for entry in config.workloads]
    claimed = {norm_id(ws) for wl in workloads for ws in (wl.primary, wl.secondary) if ws}
    names = {wl.name for wl in workloads}
    free = [w for w in estate.workspaces if w.id not in claimed]

    tagged: dict[str, list[Resource]] = defaultdict(list)
    for ws in free:
        tag = ws.tags.get(TAG_WORKLOAD, "").strip()
        if tag:
            tagged[tag.casefold()].append(ws)
    for key in sorted(tagged):
        members = tagged[key]
        tag = _tag_name(members)
        spellings = sorted({w.tags[TAG_WORKLOAD].strip() for w in members})
        if len(spellings) > 1:
            notes.append(
                f"tag values {TAG_WORKLOAD}={', '.join(spellings)} differ only in case: "
                f"one workload, {tag}"
            )
        name = _unique_name(tag, names, "tags")
        workload = _from_tags(name, members, default, notes)
        workloads.append(workload)
        names.add(workload.name)
        claimed.update(norm_id(ws) for ws in (workload.primary, workload.secondary) if ws)
    free = [w for w in free if w.id not in claimed]

    discovered = _discover(estate, free)
    for name, a, b, reason in discovered:
        primary, secondary = _order_pair(estate, a, b)
        unique = _unique_name(name, names, primary.id)
        names.add(unique)
        claimed.update((a.id, b.id))
        targets, source = _targets_of([a, b], default, notes)
        workloads.append(
            Workload(
                name=unique,
                source="discovered",
                reason=reason,
                primary=primary.raw_id,
                secondary=secondary.raw_id,
                targets=targets,
                target_source=source,
            )
        )
    for ws in (w for w in free if w.id not in claimed):
        unique = _unique_name(ws.name, names, ws.id)
        names.add(unique)
        targets, source = _targets_of([ws], default, notes)
        workloads.append(
            Workload(
                name=unique,
                source="standalone",
                reason="no configured, tagged or discoverable partner workspace",
                primary=ws.raw_id,
                secondary=None,
                targets=targets,
                target_source=source,
            )
        )
    return workloads, list(dict.fromkeys(notes))


def _unique_name(name: str, taken: set[str], resource_id: str) -> str:
    """A workload name no other workload has: the name, else the name and the resource id."""
    return name if name not in taken else f"{name} ({resource_id})"


def _discover(estate: Estate, free: list[Resource]) -> list[tuple[str, Resource, Resource, str]]:
    """Pairs of free workspaces in different regions: same name but for a region token, or
    the only two workspaces sharing a Key Vault or container registry."""
    pairs: list[tuple[str, Resource, Resource, str]] = []
    taken: set[str] = set()
    by_stem: dict[str, list[Resource]] = defaultdict(list)
    for ws in free:
        stem = name_stem(ws)
        if stem is not None:
            by_stem[stem].append(ws)
    for stem in sorted(by_stem):
        group = by_stem[stem]
        if len(group) == 2 and group[0].location != group[1].location:
            a, b = group
            pairs.append((stem, a, b, "names differ only by a region token"))
            taken.update((a.id, b.id))
    for prop, label in (
        ("properties.keyVault", "Key Vault"),
        ("properties.containerRegistry", "container registry"),
    ):
        sharing: dict[str, list[Resource]] = defaultdict(list)
        for ws in free:
            value = ws.get(prop)
            if ws.id not in taken and isinstance(value, str) and value:
                sharing[norm_id(value)].append(ws)
        for shared in sorted(sharing):
            group = sharing[shared]
            if len(group) == 2 and group[0].location != group[1].location:
                a, b = group
                if a.id in taken or b.id in taken:
                    continue
                name = name_stem(a) or a.name
                pairs.append(
                    (
                        name,
                        a,
                        b,
                        f"the only two workspaces sharing the {label} {shared.rsplit('/', 1)[-1]}",
                    )
                )
                taken.update((a.id, b.id))
    return pairs
