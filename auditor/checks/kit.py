"""What every check uses: Context, Outcome, Look, the registry and the helpers checks share."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from auditor.azure import MISSING, get_path, norm_id
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
    # Every workload of the scan: a regional outage fails them over together (shared quota).
    fleet: tuple[Workload, ...] = ()


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


def pair_of(ctx: Context) -> tuple[Resource, Resource]:
    """The primary and secondary workspaces of a check that judges a pair."""
    assert ctx.secondary is not None, "the engine runs pair checks only with a secondary"
    return ctx.primary, ctx.secondary


def id_name(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def json_text(value: Any) -> str:
    """A payload value as a reader sees it in a message (JSON spelling)."""
    return "absent" if value is MISSING or value is None else json.dumps(value)


def distinct_ids(ids: Iterable[str | None]) -> list[str]:
    return list({norm_id(i): i for i in ids if i}.values())


def two_names(first: str, second: str) -> str:
    """Two different resources by name, or by id when their names are the same."""
    names = [rid.rstrip("/").rsplit("/", 1)[-1] for rid in (first, second)]
    if names[0].lower() == names[1].lower():
        return f"{first} and {second}"
    return f"{names[0]} and {names[1]}"


def optional_link(look: Look, ws: Resource, path: str, what: str) -> str | None:
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


@quick_init
@dataclass(frozen=True, slots=True)
class Cluster:
    name: str
    raw_id: str
    vm_size: str
    max_nodes: int
    priority: str
    state: Any = None  # properties.provisioningState as recorded (None: absent)


def clusters_of(look: Look, ctx: Context, ws: Resource) -> list[Cluster] | None:
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


# Provisioning states of an online endpoint or deployment that serve requests (an update, a
# scale-out, keeps serving; creating, failed, canceled or deleting does not).
_SERVING_STATES = frozenset({"succeeded", "updating"})


def serving(state: Any) -> bool:
    return isinstance(state, str) and state.lower() in _SERVING_STATES
