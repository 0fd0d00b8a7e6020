"""Pure check functions: each looks at the estate and one workload, and says what it saw."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from auditor.azure import (
    MISSING,
    ONLINE_DEPLOYMENT,
    ONLINE_ENDPOINT,
    REPLICATION,
    family_key,
    get_path,
    norm_id,
    usages_path,
)
from auditor.estate import Estate, Lookup, Resource
from auditor.frozen import FrozenModel, quick_init
from auditor.model import Evidence
from auditor.workloads import Workload

GEO_REDUNDANT_SKUS = ("grs", "gzrs", "ragrs", "ragzrs")


@dataclass(frozen=True)
class Context:
    """What a check may look at."""

    estate: Estate
    workload: Workload
    primary: Resource
    secondary: Resource | None
    as_of: dt.date


@quick_init
@dataclass(frozen=True, slots=True)
class Outcome:
    """What a check saw. The engine turns it into a status: failures make `fail`; otherwise
    anything missing makes `error`; `manual` and `inapplicable` are the check's to say."""

    summary: str
    failures: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    manual: bool = False
    inapplicable: bool = False


class NoParams(FrozenModel):
    """A check that takes no parameters."""


CheckFunction = Callable[[Context, Any], Outcome]


@dataclass(frozen=True)
class CheckSpec:
    function: CheckFunction
    params: type[BaseModel]
    # False for a check that reads nothing Azure answered (an attestation in the config): a
    # failed Resource Graph read cannot make its verdict wrong.
    reads_azure: bool = True


CHECKS: dict[str, CheckSpec] = {}


def check(
    name: str, params: type[BaseModel] = NoParams, *, reads_azure: bool = True
) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        CHECKS[name] = CheckSpec(function=function, params=params, reads_azure=reads_azure)
        return function

    return register


@dataclass
class Look:
    """Collects what a check looks at: evidence, resources, failures and missing data."""

    estate: Estate
    evidence: list[Evidence] = field(default_factory=list)
    resources: dict[str, None] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def seen(self, resource: Resource) -> Resource:
        self.resources.setdefault(resource.raw_id, None)
        return resource

    def observe(self, resource: str, path: str, observed: Any, expected: Any = None) -> None:
        observed = None if observed is MISSING else observed  # evidence must stay JSON
        self.evidence.append(Evidence(resource, path, observed, expected))
        if resource[:1] == "/":  # a resource id: one the finding looked at (waivers match them)
            self.resources.setdefault(resource, None)

    def prop(self, resource: Resource, path: str, *, null_ok: bool = False) -> Any:
        """A property of a resource, recorded as evidence; absent (or null) is missing data."""
        raw_id = resource.raw_id  # seen() and observe() written out: the checks' commonest call
        self.resources.setdefault(raw_id, None)
        value = get_path(resource.row, path)
        if value is MISSING:
            self.evidence.append(Evidence(raw_id, path, None))
        else:
            self.evidence.append(Evidence(raw_id, path, value))
            if value is not None or null_ok:
                return value
        self.missing.append(f"{raw_id} has no '{path}'")
        return None

    def prop_id(self, resource: Resource, path: str, *, null_ok: bool = False) -> str | None:
        value = self.prop(resource, path, null_ok=null_ok)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            if value == "" and null_ok:
                return None
            self.missing.append(f"'{path}' of {resource.raw_id} is not a resource id: {value!r}")
            return None
        return value

    def resource(self, resource_id: str, what: str) -> Resource | None:
        found = self.estate.get(resource_id)
        if found is None:
            self.missing.append(f"{what}: {self.estate.why_absent(resource_id)}")
            return None
        return self.seen(found)

    def holder(self, workspace: Resource, path: str) -> Resource | None:
        """The workspace whose dependency property `path` to read: the workspace itself, or,
        for a project workspace whose row lacks it, its hub (a project's storage, Key Vault,
        registry and Application Insights are its hub's). None when the hub is not known."""
        if not is_project(workspace) or workspace.get(path) not in (MISSING, None, ""):
            return workspace
        self.seen(workspace)
        self.observe(workspace.raw_id, path, workspace.get(path))
        hub_id = self.prop_id(workspace, "properties.hubResourceId")
        if hub_id is None:
            return None
        hub = self.resource(hub_id, f"hub of project {workspace.name}")
        if hub is not None:
            self.note(
                f"{workspace.name} is a project workspace without its own "
                f"'{path}': judged through hub {hub.name}"
            )
        return hub

    def dependency_id(self, workspace: Resource, path: str, *, null_ok: bool = False) -> str | None:
        """A workspace's dependency id (through its hub for a project that lacks it)."""
        holder = self.holder(workspace, path)
        return None if holder is None else self.prop_id(holder, path, null_ok=null_ok)

    def lookup(self, found: Lookup) -> Any:
        if not found.ok:
            self.missing.append(str(found.problem))
            return None
        return found.value

    def location(self, resource: Resource) -> str | None:
        raw_id = resource.raw_id
        self.resources.setdefault(raw_id, None)
        self.evidence.append(Evidence(raw_id, "location", resource.row.get("location")))
        if not resource.location:
            self.missing.append(f"{resource.raw_id} has no 'location'")
            return None
        return resource.location

    def fail(self, reason: str) -> None:
        self.failures.append(reason)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def outcome(self, summary: str, **flags: bool) -> Outcome:
        return Outcome(
            summary=summary,
            failures=tuple(self.failures),
            missing=tuple(dict.fromkeys(self.missing)) if self.missing else (),
            notes=tuple(dict.fromkeys(self.notes)) if self.notes else (),
            resources=tuple(self.resources),
            evidence=_unique(self.evidence),
            **flags,
        )


# JSON of the scalars evidence mostly holds, exactly as json.dumps writes them (ASCII strings).
_ENCODE_STR: Callable[[str], str] = json.encoder.encode_basestring_ascii
_SCALAR_JSON: dict[type, Callable[[Any], str]] = {
    str: _ENCODE_STR,
    int: int.__repr__,
    bool: lambda value: "true" if value else "false",
    type(None): lambda _: "null",
}


def _evidence_key(item: Evidence) -> str:
    """json.dumps([resource, path, observed, expected], sort_keys=True, default=str), written
    directly when all four are plain scalars: json.dumps per item costs more than the check."""
    resource, path, observed, expected = values = (
        item.resource,
        item.path,
        item.observed,
        item.expected,
    )
    if (
        type(resource) is str
        and type(path) is str
        and (observed is None or type(observed) is str)
        and (expected is None or type(expected) is str)
    ):  # the usual evidence: strings and nulls
        return (
            f"[{_ENCODE_STR(resource)}, {_ENCODE_STR(path)}, "
            f"{'null' if observed is None else _ENCODE_STR(observed)}, "
            f"{'null' if expected is None else _ENCODE_STR(expected)}]"
        )
    parts = []
    for value in values:
        encode = _SCALAR_JSON.get(type(value))
        if encode is None:
            return json.dumps(list(values), sort_keys=True, default=str)
        parts.append(encode(value))
    return "[" + ", ".join(parts) + "]"


_PLAIN = frozenset({str, int, bool, type(None)})


def _unique(evidence: list[Evidence]) -> tuple[Evidence, ...]:
    """Evidence without repeats (a check may read the same property twice). Two items repeat
    when their JSON is the same: for the usual strings, integers, booleans and nulls the
    values and their types say so directly (True == 1 in Python, not in JSON); anything else
    is compared by its JSON. Most items are the only one of their resource and path: only
    those that are not get their values compared."""
    if len(evidence) < 2:
        return tuple(evidence)
    first: dict[tuple[str, str], list[Evidence]] = {}
    kept = []
    for item in evidence:
        place = (item.resource, item.path)
        earlier = first.get(place)
        if earlier is None:
            first[place] = [item]
        elif any(_repeats(item, other) for other in earlier):
            continue
        else:
            earlier.append(item)
        kept.append(item)
    return tuple(kept)


def _repeats(item: Evidence, other: Evidence) -> bool:
    """Whether two items of the same resource and path say the same, as JSON."""
    pairs = ((item.observed, other.observed), (item.expected, other.expected))
    if all(type(a) in _PLAIN and type(b) in _PLAIN for a, b in pairs):
        return all(type(a) is type(b) and a == b for a, b in pairs)
    return _evidence_key(item) == _evidence_key(other)


def is_project(workspace: Resource) -> bool:
    """A project workspace (kind Project) of an Azure AI Foundry / ML hub."""
    kind = workspace.row.get("kind")
    return isinstance(kind, str) and kind.lower() == "project"


def _pair(ctx: Context) -> tuple[Resource, Resource]:
    assert ctx.secondary is not None, "the engine runs pair checks only with a secondary"
    return ctx.primary, ctx.secondary


# -- foundation --------------------------------------------------------------------------------


@check("secondary_workspace")
def secondary_workspace(ctx: Context, _: NoParams) -> Outcome:
    """DR-01: a secondary workspace exists, in another region."""
    look = Look(ctx.estate)
    primary_region = look.location(ctx.primary)
    if ctx.secondary is None:
        look.fail(
            f"workspace {ctx.primary.name} has no secondary workspace: none is configured, "
            "tagged or discoverable"
        )
        return look.outcome("")
    secondary_region = look.location(ctx.secondary)
    if primary_region and secondary_region and primary_region == secondary_region:
        look.fail(
            f"the secondary workspace {ctx.secondary.name} is in the same region as the "
            f"primary ({primary_region}); a regional outage would take both"
        )
    return look.outcome(
        f"secondary workspace {ctx.secondary.name} is in {secondary_region}, "
        f"primary {ctx.primary.name} in {primary_region}"
    )


@check("paired_region")
def paired_region(ctx: Context, _: NoParams) -> Outcome:
    """DR-02: the secondary is in the primary's Azure paired region (or same geography)."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    p_region, s_region = look.location(primary), look.location(secondary)
    locations = look.lookup(ctx.estate.locations(primary.subscription))
    if not (p_region and s_region and locations is not None):
        return look.outcome("")
    where = f"/subscriptions/{primary.subscription}/locations"
    info = locations.get(p_region)
    if info is None:
        look.missing.append(f"region {p_region} is not in the list of {where}")
        return look.outcome("")
    look.observe(where, f"[{p_region}].metadata.pairedRegion", list(info.paired), s_region)
    if info.paired:
        if s_region not in info.paired:
            look.fail(
                f"{s_region} is not the Azure paired region of {p_region} "
                f"(paired: {', '.join(info.paired)})"
            )
        return look.outcome(f"{s_region} is the Azure paired region of {p_region}")
    other = locations.get(s_region)
    if info.geography is None or other is None or other.geography is None:
        look.missing.append(
            f"{p_region} has no paired region and the geography of {p_region} or "
            f"{s_region} is not in {where}"
        )
        return look.outcome("")
    look.observe(where, f"[{s_region}].metadata.geography", other.geography, info.geography)
    if other.geography != info.geography:
        look.fail(
            f"{p_region} has no paired region, and {s_region} is in another geography "
            f"({other.geography}, not {info.geography})"
        )
    return look.outcome(
        f"{p_region} has no paired region; {s_region} is in the same geography ({info.geography})"
    )


@check("ml_offered")
def ml_offered(ctx: Context, _: NoParams) -> Outcome:
    """DR-24: the ML provider offers workspaces in both regions."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    for ws in (primary, secondary):
        region = look.location(ws)
        offered = look.lookup(ctx.estate.ml_regions(ws.subscription))
        if region is None or offered is None:
            continue
        path = f"/subscriptions/{ws.subscription}/providers/Microsoft.MachineLearningServices"
        look.observe(path, "resourceTypes[workspaces].locations", region in offered, True)
        if region not in offered:
            look.fail(f"Azure ML workspaces are not offered in {region} ({ws.name})")
    return look.outcome("Azure ML workspaces are offered in both regions")


@check("separate_default_storage")
def separate_default_storage(ctx: Context, _: NoParams) -> Outcome:
    """DR-04: each workspace has its own default storage account, in its own region."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    ids = [look.dependency_id(ws, "properties.storageAccount") for ws in (primary, secondary)]
    if ids[0] and ids[1] and norm_id(ids[0]) == norm_id(ids[1]):
        look.observe(secondary.raw_id, "properties.storageAccount", ids[1], "not the primary's")
        look.fail(
            f"both workspaces use the same default storage account "
            f"{ids[0].rsplit('/', 1)[-1]}; a regional outage takes both workspaces' storage"
        )
    for ws, storage_id in zip((primary, secondary), ids, strict=True):
        if not storage_id:
            continue
        storage = look.resource(storage_id, f"default storage of {ws.name}")
        if storage is None:
            continue
        region, ws_region = look.location(storage), look.location(ws)
        if region and ws_region and region != ws_region:
            look.fail(
                f"default storage {storage.name} of {ws.name} is in {region}, "
                f"not in the workspace's region {ws_region}"
            )
        sku = storage.get("sku.name")
        if isinstance(sku, str) and sku.lower().split("_")[-1] in GEO_REDUNDANT_SKUS:
            look.observe(storage.raw_id, "sku.name", sku)
            look.note(
                f"{storage.name} is {sku}: Azure ML does not support failing over a "
                "default storage account through GRS/GZRS; this does not count toward DR"
            )
    return look.outcome("each workspace has its own default storage account in its own region")


def _two(first: str, second: str) -> str:
    """Two different resources by name, or by id when their names are the same."""
    names = [rid.rstrip("/").rsplit("/", 1)[-1] for rid in (first, second)]
    if names[0].lower() == names[1].lower():
        return f"{first} and {second}"
    return f"{names[0]} and {names[1]}"


@check("same_key_vault")
def same_key_vault(ctx: Context, _: NoParams) -> Outcome:
    """DR-05: both workspaces use the same Key Vault."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    ids = [look.dependency_id(ws, "properties.keyVault") for ws in (primary, secondary)]
    if not (ids[0] and ids[1]):
        return look.outcome("")
    if norm_id(ids[0]) != norm_id(ids[1]):
        look.fail(
            f"the workspaces use different Key Vaults ({_two(ids[0], ids[1])}); the guidance "
            "asks for one vault for both regions"
        )
    else:
        look.resource(ids[0], "the shared Key Vault")
    return look.outcome(f"both workspaces use the Key Vault {ids[0].rsplit('/', 1)[-1]}")


class RegistryParams(FrozenModel):
    pass

    sku: str = "Premium"


def _optional_link(look: Look, ws: Resource, path: str, what: str) -> str | None:
    """A workspace's link to a dependency it may lack (through its hub, for a project): the
    id, or None. A null or empty link is a workspace without one (a failure); a payload
    without the property is missing data."""
    holder = look.holder(ws, path)
    if holder is None:
        return None
    value = look.prop_id(holder, path, null_ok=True)
    if holder.get(path) in (None, ""):
        hub = "" if holder is ws else f" (nor has its hub {holder.name})"
        look.fail(f"workspace {ws.name} has no {what}{hub}")
    return value


@check("shared_geo_replicated_registry", RegistryParams)
def shared_geo_replicated_registry(ctx: Context, params: RegistryParams) -> Outcome:
    """DR-06: one Premium registry for both, present in the secondary region (its home, or a
    replication whose provisioning succeeded)."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    ids = [
        _optional_link(look, ws, "properties.containerRegistry", "container registry")
        for ws in (primary, secondary)
    ]
    if not (ids[0] and ids[1]):
        return look.outcome("")
    if norm_id(ids[0]) != norm_id(ids[1]):
        look.fail(
            f"the workspaces use different container registries ({_two(ids[0], ids[1])}); use "
            "one geo-replicated registry for both"
        )
        return look.outcome("")
    registry = look.resource(ids[0], "the shared container registry")
    if registry is None:
        return look.outcome("")
    sku = look.prop(registry, "sku.name")
    if isinstance(sku, str) and sku.lower() != params.sku.lower():
        look.fail(f"registry {registry.name} is {sku}; geo-replication needs {params.sku}")
    home = look.location(registry)
    regions = {home} if home else set()
    unsure: set[str | None] = set()  # replications whose region or state is not recorded
    for replica in ctx.estate.children_of(registry.id, REPLICATION):
        where = look.location(replica)
        state = replica.get("properties.provisioningState")
        look.observe(replica.raw_id, "properties.provisioningState", state, "Succeeded")
        if not isinstance(state, str):
            look.missing.append(f"{replica.raw_id} has no 'properties.provisioningState'")
            unsure.add(where)
        elif where is None:
            unsure.add(where)
        elif state.lower() == "succeeded":
            regions.add(where)
        else:
            look.note(f"replication of {registry.name} to {where} is {state}")
    region = look.location(secondary)
    if region in unsure or None in unsure:
        pass  # a replication whose data is missing may serve it: error, not fail
    elif region and home and region not in regions:
        look.fail(
            f"registry {registry.name} has no successful replication in {region} "
            f"(the region of {secondary.name})"
        )
    look.observe(registry.raw_id, "regions (home + succeeded replications)", sorted(regions))
    return look.outcome(
        f"both workspaces use the {sku} registry {registry.name}, present in "
        f"{', '.join(sorted(regions))}"
    )


@check("app_insights_per_region")
def app_insights_per_region(ctx: Context, _: NoParams) -> Outcome:
    """DR-07: each workspace has its own Application Insights, in its own region."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    ids = [
        _optional_link(look, ws, "properties.applicationInsights", "Application Insights")
        for ws in (primary, secondary)
    ]
    if ids[0] and ids[1] and norm_id(ids[0]) == norm_id(ids[1]):
        look.fail(
            f"both workspaces use the same Application Insights {ids[0].rsplit('/', 1)[-1]}; "
            "each region needs its own"
        )
    for ws, component_id in zip((primary, secondary), ids, strict=True):
        if not component_id:
            continue
        component = look.resource(component_id, f"Application Insights of {ws.name}")
        if component is None:
            continue
        region, ws_region = look.location(component), look.location(ws)
        if region and ws_region and region != ws_region:
            look.fail(
                f"Application Insights {component.name} of {ws.name} is in {region}, "
                f"not in the workspace's region {ws_region}"
            )
    return look.outcome("each workspace has its own Application Insights in its own region")


# -- training ----------------------------------------------------------------------------------


@quick_init
@dataclass(frozen=True, slots=True)
class Cluster:
    name: str
    raw_id: str
    vm_size: str
    max_nodes: int
    priority: str
    state: Any = None  # properties.provisioningState as recorded (None: absent)


def _clusters(look: Look, ctx: Context, ws: Resource) -> list[Cluster] | None:
    rows = look.lookup(ctx.estate.computes(ws))
    if rows is None:
        return None
    clusters = []
    for row in rows:
        props = row.get("properties") if isinstance(row, dict) else None
        if not isinstance(props, dict) or props.get("computeType") != "AmlCompute":
            continue
        raw_id = str(row.get("id") or f"{ws.raw_id}/computes/{row.get('name')}")
        inner = props.get("properties")
        size = inner.get("vmSize") if isinstance(inner, dict) else None
        scale = inner.get("scaleSettings") if isinstance(inner, dict) else None
        max_nodes = scale.get("maxNodeCount") if isinstance(scale, dict) else None
        priority = inner.get("vmPriority", "Dedicated") if isinstance(inner, dict) else None
        look.observe(raw_id, "properties.properties.vmSize", size)
        look.observe(raw_id, "properties.properties.scaleSettings.maxNodeCount", max_nodes)
        if (
            not isinstance(size, str)
            or not isinstance(max_nodes, int)
            or isinstance(max_nodes, bool)
        ):
            look.missing.append(f"compute {raw_id} has no vmSize or scaleSettings.maxNodeCount")
            continue
        clusters.append(
            Cluster(
                name=str(row.get("name") or raw_id.rsplit("/", 1)[-1]),
                raw_id=raw_id,
                vm_size=size,
                max_nodes=max_nodes,
                priority="lowpriority" if str(priority).lower() == "lowpriority" else "dedicated",
                state=props.get("provisioningState"),
            )
        )
    return clusters


@check("compute_mirrored")
def compute_mirrored(ctx: Context, _: NoParams) -> Outcome:
    """DR-08: for each primary cluster, a secondary cluster of the same size or family with at
    least the same maximum node count."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    ours = _clusters(look, ctx, primary)
    before = len(look.missing)
    theirs = _clusters(look, ctx, secondary)
    if ours is None or theirs is None:
        return look.outcome("")
    # a secondary cluster that cannot be read may be the counterpart: no 'none' verdict then
    unreadable = len(look.missing) > before
    if not ours:
        return look.outcome("the primary has no compute clusters to mirror", inapplicable=True)
    standing = []
    for cluster in theirs:
        if isinstance(cluster.state, str) and not serving(cluster.state):
            look.observe(cluster.raw_id, "properties.provisioningState", cluster.state, "Succeeded")
            look.note(f"cluster {cluster.name} in {secondary.name} is {cluster.state}: not counted")
        else:
            standing.append(cluster)
    theirs = standing
    # A size's family, from the secondary region's VM sizes or else the primary's: a size the
    # secondary region does not offer can still have a counterpart of its family there.
    lookups = [ctx.estate.vm_sizes(ws.subscription, ws.location) for ws in (secondary, primary)]
    known = [lookup.value for lookup in lookups if lookup.ok]

    def family(size: str) -> str | None:
        for sizes in known:
            found = sizes.get(size.lower())
            if found is not None and found.family is not None:
                return family_key(found.family)
        return None

    for cluster in ours:
        same = [c for c in theirs if c.vm_size.lower() == cluster.vm_size.lower()]
        fam = family(cluster.vm_size)
        kin = [c for c in theirs if fam is not None and family(c.vm_size) == fam]
        candidates = same or kin
        best = max(candidates, key=lambda c: c.max_nodes, default=None)
        look.observe(
            cluster.raw_id,
            "counterpart in secondary (size or family, max nodes)",
            f"{best.name}: {best.vm_size} x {best.max_nodes}" if best else None,
            f"{cluster.vm_size} (or its family) x {cluster.max_nodes}",
        )
        if best is None:
            unknown = {c.vm_size for c in theirs if fam is None or family(c.vm_size) is None}
            if unknown:  # whether another size is of the same family cannot be told
                if fam is None:
                    unknown.add(cluster.vm_size)
                reasons = [str(lookup.problem) for lookup in lookups if not lookup.ok]
                look.missing.append(
                    f"the VM family of {', '.join(sorted(unknown))} is not known from the "
                    "recorded VM sizes" + "".join(f"; {reason}" for reason in reasons)
                )
                continue
            if unreadable:
                continue
            look.fail(
                f"cluster {cluster.name} ({cluster.vm_size}, up to {cluster.max_nodes} nodes) "
                f"has no cluster of the same size or family in {secondary.name}"
            )
        elif best.state is None:
            look.missing.append(f"compute {best.raw_id} has no 'properties.provisioningState'")
        elif best.max_nodes < cluster.max_nodes:
            look.fail(
                f"cluster {cluster.name} scales to {cluster.max_nodes} nodes of "
                f"{cluster.vm_size}; its counterpart {best.name} in {secondary.name} only to "
                f"{best.max_nodes}"
            )
    return look.outcome(
        f"all {len(ours)} primary clusters have a counterpart of the same size or family "
        f"and capacity in {secondary.name}"
    )


class QuotaParams(FrozenModel):
    pass

    headroom: bool = False


@check("quota_parity", QuotaParams)
def quota_parity(ctx: Context, params: QuotaParams) -> Outcome:
    """DR-09: the secondary region's ML quota (per family and regional total) holds the vCPUs
    the primary's clusters can scale to."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    clusters = _clusters(look, ctx, primary)
    region = look.location(secondary)
    sizes = look.lookup(ctx.estate.vm_sizes(secondary.subscription, secondary.location))
    quota = look.lookup(ctx.estate.quota(secondary.subscription, secondary.location))
    if clusters is None or region is None or sizes is None or quota is None:
        return look.outcome("")
    if not clusters:
        return look.outcome("the primary has no compute clusters to size", inapplicable=True)
    demand: dict[tuple[str, str], int] = defaultdict(int)
    labels: dict[tuple[str, str], str] = {}
    totals: dict[str, int] = defaultdict(int)
    for cluster in clusters:
        size = sizes.get(cluster.vm_size.lower())
        if size is None:
            look.fail(
                f"VM size {cluster.vm_size} of cluster {cluster.name} is not offered in {region}"
            )
            continue
        if size.family is None or size.vcpus is None:
            look.missing.append(f"{size.lacks()} in the VM sizes of {region}")
            continue
        need = cluster.max_nodes * size.vcpus
        key = (family_key(size.family), cluster.priority)
        demand[key] += need
        labels[key] = size.family
        totals[cluster.priority] += need
    usages = usages_path(secondary.subscription, region)

    def room(row: Any) -> int:
        return int(row.limit - row.current) if params.headroom else int(row.limit)

    for key in sorted(demand):
        priority = key[1]
        row = quota.families.get(key)
        if row is None:
            if priority == "lowpriority":
                continue  # no per-family low-priority cap: the regional total applies
            look.missing.append(f"{usages} has no quota row for {labels[key]} ({priority})")
            continue
        look.observe(row.raw_id, "limit", row.limit, demand[key])
        if row.limit < -1:  # -1 is 'no cap'; another negative limit is no quota at all
            look.missing.append(f"{row.raw_id} has limit {row.limit}: not a quota")
        elif row.limit >= 0 and room(row) < demand[key]:
            look.fail(
                f"{labels[key]} {priority} quota in {region} is {room(row)} vCPUs; the primary's "
                f"clusters can scale to {demand[key]}"
            )
    for priority in sorted(totals):
        total = quota.totals.get(priority)
        if total is None:
            look.missing.append(f"{usages} has no regional {priority} vCPU total")
            continue
        look.observe(total.raw_id, f"limit ({total.label})", total.limit, totals[priority])
        if total.limit < -1:
            look.missing.append(f"{total.raw_id} ({total.label}) has limit {total.limit}")
        elif total.limit >= 0 and room(total) < totals[priority]:
            look.fail(
                f"regional {priority} vCPU quota in {region} is {room(total)}; the primary's "
                f"clusters can scale to {totals[priority]}"
            )
    return look.outcome(
        f"quota in {region} holds the {sum(totals.values())} vCPUs "
        "the primary's clusters can scale to"
    )


# -- inference ---------------------------------------------------------------------------------

_MODEL_REF = re.compile(r"models/([^/]+)/versions/([^/]+)$", re.IGNORECASE)
_MODEL_SHORT = re.compile(r"^azureml:([^:/]+):([^:/]+)$", re.IGNORECASE)


def model_key(reference: str) -> str:
    """A model version's identity across workspaces: 'name:version' from an ARM id, a registry
    URI or a short reference."""
    ref = reference.strip().rstrip("/")
    match = _MODEL_REF.search(ref) or _MODEL_SHORT.match(ref)
    if match:
        return f"{match.group(1).lower()}:{match.group(2).lower()}"
    return ref.lower()


@quick_init
@dataclass(frozen=True, slots=True)
class Served:
    endpoint: Resource
    models: dict[str, int]
    # models of deployments whose state, count or model is missing (None: model unknown)
    unsure: frozenset[str | None] = frozenset()

    def may_serve(self, wanted: set[str]) -> bool:
        return None in self.unsure or wanted <= set(self.models) | self.unsure

    def doubtful(self, wanted: set[str]) -> bool:
        return None in self.unsure or bool(self.unsure & wanted)


# Provisioning states of an online endpoint or deployment that serve requests (an update, a
# scale-out, keeps serving; creating, failed, canceled or deleting does not).
_SERVING_STATES = frozenset({"succeeded", "updating"})


def serving(state: Any) -> bool:
    return isinstance(state, str) and state.lower() in _SERVING_STATES


def _served(
    look: Look, estate: Estate, ws: Resource, *, secondary: bool, capacity: bool
) -> list[Served]:
    """Models each online endpoint serves, with instance counts. In the primary, deployments
    that take no traffic or do not serve (failed, being created or deleted) are left out; in
    the secondary, every serving deployment of a serving endpoint counts (a standby deployment
    takes no traffic until failover)."""
    served = []
    for endpoint in estate.children_of(ws.id, ONLINE_ENDPOINT):
        look.seen(endpoint)
        if secondary:
            state = endpoint.get("properties.provisioningState")
            if not serving(state):
                # A failed (or deleting, ...) endpoint serves nothing, whatever its deployments say.
                look.observe(endpoint.raw_id, "properties.provisioningState", state, "Succeeded")
                if isinstance(state, str):
                    look.note(f"endpoint {endpoint.name} in {ws.name} is {state}")
                    continue
                look.missing.append(f"{endpoint.raw_id} has no 'properties.provisioningState'")
                served.append(Served(endpoint, {}, frozenset({None})))
                continue
        traffic = endpoint.get("properties.traffic")
        weights = (
            {str(k).lower(): v for k, v in traffic.items()} if isinstance(traffic, dict) else {}
        )
        models: dict[str, int] = {}
        unsure: set[str | None] = set()
        for deployment in estate.children_of(endpoint.id, ONLINE_DEPLOYMENT):
            if not secondary and weights and not weights.get(deployment.name.lower()):
                continue
            state = deployment.get("properties.provisioningState")
            if not secondary and isinstance(state, str) and not serving(state):
                # A primary deployment that failed (or is being deleted) serves no model.
                look.observe(deployment.raw_id, "properties.provisioningState", state, "Succeeded")
                continue
            if secondary and not serving(state):
                look.observe(deployment.raw_id, "properties.provisioningState", state, "Succeeded")
                if not isinstance(state, str):
                    look.missing.append(
                        f"{deployment.raw_id} has no 'properties.provisioningState'"
                    )
                    model = deployment.get("properties.model")
                    unsure.add(model_key(model) if isinstance(model, str) else None)
                continue
            model = look.prop(deployment, "properties.model")
            count = look.prop(deployment, "sku.capacity") if capacity else 0
            if model is not None and not isinstance(model, str):
                look.missing.append(f"'properties.model' of {deployment.raw_id} is {model!r}")
            if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
                look.missing.append(f"'sku.capacity' of {deployment.raw_id} is {count!r}")
                count = None
            if not isinstance(model, str):
                unsure.add(None)
                continue
            key = model_key(model)
            if count is None:
                unsure.add(key)
                continue
            models[key] = models.get(key, 0) + count
        served.append(Served(endpoint, models, frozenset(unsure)))
    return served


class ModelParams(FrozenModel):
    pass

    capacity: bool = False


@check("models_in_secondary", ModelParams)
def models_in_secondary(ctx: Context, params: ModelParams) -> Outcome:
    """DR-10: every primary online endpoint has a secondary endpoint serving the same models
    (provisioned; with `capacity`, with at least the primary's instance count)."""
    look = Look(ctx.estate)
    primary, secondary = _pair(ctx)
    ours = _served(look, ctx.estate, primary, secondary=False, capacity=params.capacity)
    theirs = _served(look, ctx.estate, secondary, secondary=True, capacity=params.capacity)
    if not ours:
        return look.outcome("the primary has no online endpoints", inapplicable=True)
    for mine in ours:
        if not mine.models:
            continue
        by_name = [s for s in theirs if s.endpoint.name.lower() == mine.endpoint.name.lower()]
        others = [s for s in theirs if s not in by_name]
        candidates = by_name + others
        covering = [s for s in candidates if set(mine.models) <= set(s.models)]
        wanted = ", ".join(sorted(mine.models))
        if not covering:
            if any(s.may_serve(set(mine.models)) for s in candidates):
                continue  # a deployment whose data is missing may serve them: error, not fail
            look.fail(
                f"endpoint {mine.endpoint.name} serves {wanted}; no provisioned endpoint in "
                f"{secondary.name} serves the same model"
            )
            continue
        if params.capacity:
            enough = [s for s in covering if all(s.models[m] >= n for m, n in mine.models.items())]
            if not enough and not any(s.doubtful(set(mine.models)) for s in candidates):
                best = covering[0]
                shortfalls = ", ".join(
                    f"{m}: {best.models[m]} < {n}"
                    for m, n in sorted(mine.models.items())
                    if best.models[m] < n
                )
                look.fail(
                    f"endpoint {best.endpoint.name} in {secondary.name} has fewer instances "
                    f"than {mine.endpoint.name} in the primary ({shortfalls})"
                )
    what = "with the primary's instance counts" if params.capacity else "provisioned"
    return look.outcome(
        f"every primary online endpoint's models are served in {secondary.name}, {what}"
    )


# -- manual ------------------------------------------------------------------------------------


class AttestParams(FrozenModel):
    pass

    requirement: str
    asks: str


@check("attested", AttestParams, reads_azure=False)
def attested(ctx: Context, params: AttestParams) -> Outcome:
    """DR-16, DR-20, DR-21: a person attests; valid until the attestation expires."""
    look = Look(ctx.estate)
    look.seen(ctx.primary)
    attestation = ctx.workload.attestations.get(params.requirement)
    where = f"workload {ctx.workload.name} in the configuration"
    if attestation is None:
        look.observe(where, f"attestations.{params.requirement}", None)
        return look.outcome(
            f"needs a person's attestation: {params.asks} Record it under "
            f"attestations.{params.requirement} of the workload in auditor.yaml",
            manual=True,
        )
    look.observe(where, f"attestations.{params.requirement}", attestation.model_dump(mode="json"))
    if attestation.date > ctx.as_of:
        return look.outcome(
            f"the attestation by {attestation.by} is dated {attestation.date.isoformat()}, "
            f"after the date the scan judges at ({ctx.as_of.isoformat()}): it attests nothing "
            f"yet: {params.asks}",
            manual=True,
        )
    if attestation.expires < ctx.as_of:
        return look.outcome(
            f"the attestation by {attestation.by} expired on {attestation.expires.isoformat()}; "
            f"attest again: {params.asks}",
            manual=True,
        )
    return look.outcome(
        f"attested by {attestation.by} on {attestation.date.isoformat()} "
        f"(evidence: {attestation.evidence}), valid until {attestation.expires.isoformat()}"
    )


# The rest of the rule catalogue registers its checks on import.
from auditor import checks_catalogue  # noqa: E402,F401
