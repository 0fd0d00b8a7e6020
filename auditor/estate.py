"""The immutable Estate: a snapshot with ids normalised, links resolved and ARM reads indexed."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from auditor.azure import (
    COMPUTE,
    PRIVATE_ENDPOINT,
    RESOURCES_TABLE,
    ROLE_ASSIGNMENTS_TABLE,
    WORKSPACE,
    computes_path,
    family_key,
    get_path,
    locations_path,
    norm_id,
    norm_region,
    parent_id,
    priority_key,
    provider_path,
    scope_ancestors,
    subscription_of,
    usages_path,
    vm_sizes_path,
)
from auditor.heap import paused_gc
from auditor.quickinit import quick_init
from auditor.snapshot import Snapshot


def _names_table(request: str, table: str) -> bool:
    """Whether a recorded Resource Graph request names a table (as the collector writes it,
    '(authorizationresources, ...)', or in the query text), whatever its case."""
    return re.search(rf"(?<![\w.]){re.escape(table)}(?![\w])", request, re.IGNORECASE) is not None


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


@quick_init
@dataclass(frozen=True, slots=True)
class Resource:
    """One Resource Graph row, with its normalised id, type and region."""

    id: str
    raw_id: str
    type: str
    name: str
    location: str
    row: Mapping[str, Any]

    def get(self, path: str) -> Any:
        return get_path(self.row, path)

    @property
    def subscription(self) -> str:
        return subscription_of(self.id) or ""

    @property
    def tags(self) -> Mapping[str, str]:
        tags = self.row.get("tags")
        if not isinstance(tags, Mapping):
            return {}
        return {str(k).lower(): str(v) for k, v in tags.items()}


@quick_init
@dataclass(frozen=True, slots=True)
class ArmRead:
    """One recorded ARM GET."""

    path: str
    api_version: str
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def describe_failure(self) -> str:
        code = get_path(self.body, "error.code")
        message = get_path(self.body, "error.message")
        detail = f" {code}" if isinstance(code, str) else ""
        if isinstance(message, str):
            detail += f": {message}"
        return f"GET {self.path} answered HTTP {self.status}{detail}"

    def values(self) -> list[Any] | None:
        """The merged `value` list of a list response; None when the body has no list."""
        value = get_path(self.body, "value")
        return value if isinstance(value, list) else None


@dataclass(frozen=True)
class VmSize:
    """A row of a region's vmSizes; `family` or `vcpus` None when the row lacks it."""

    name: str
    family: str | None
    vcpus: int | None

    def lacks(self) -> str | None:
        """What the row is missing for the rules, or None."""
        absent = [key for key, v in (("family", self.family), ("vCPUs", self.vcpus)) if v is None]
        return f"VM size {self.name} has no '{' or '.join(absent)}'" if absent else None


@dataclass(frozen=True)
class QuotaRow:
    key: str
    label: str
    limit: int
    current: int
    raw_id: str


@dataclass(frozen=True)
class Quota:
    """Azure ML cluster vCPU quota of one subscription in one region."""

    families: Mapping[tuple[str, str], QuotaRow]
    totals: Mapping[str, QuotaRow]


@dataclass(frozen=True)
class Location:
    name: str
    display_name: str
    geography: str | None
    paired: tuple[str, ...]
    # Whether the region has availability zones (availabilityZoneMappings); None when the
    # answer does not say for any region (an api-version without the field).
    zones: bool | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Lookup:
    """The answer to a lookup the rules make: a value, or why it is not known."""

    value: Any
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@quick_init
@dataclass(frozen=True, slots=True)
class RoleAssignment:
    """One row of the authorizationresources table: who has which role at which scope."""

    raw_id: str
    scope: str  # normalised
    principal: str  # lower-cased object id
    principal_type: str
    role: str  # lower-cased role definition GUID (the last segment of roleDefinitionId)


@quick_init
@dataclass(frozen=True, slots=True)
class PrivateLink:
    """A private endpoint's connection to a resource, and the connection's state."""

    endpoint: Resource
    target: str  # normalised privateLinkServiceId
    status: str | None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _total_priority(rtype: Any, label: str) -> str | None:
    """Which regional vCPU total a row at /subscriptions/{s}/usages is: `dedicated` or
    `lowpriority`; None for the other totals there (`totalCores/usages` "Clusters" counts
    clusters, not vCPUs)."""
    kind = str(rtype).replace(" ", "").lower()
    if "lowprioritycores" in kind:
        return "lowpriority"
    if "dedicatedcores" in kind:
        return "dedicated"
    if "vcpu" in label.replace(" ", "").lower():
        return priority_key(label)
    return None


def parse_quota(rows: Iterable[Any], subscription: str) -> Quota:
    """Classify ML usages rows by the shape of their id (their `type` strings are inconsistent)."""
    families: dict[tuple[str, str], QuotaRow] = {}
    totals: dict[str, QuotaRow] = {}
    base = f"/subscriptions/{subscription}/usages"
    for row in rows:
        raw_id = get_path(row, "id")
        limit = _as_int(get_path(row, "limit"))
        current = _as_int(get_path(row, "currentValue"))
        if not isinstance(raw_id, str) or limit is None:
            continue
        label = get_path(row, "name.value")
        label = label if isinstance(label, str) else raw_id
        rtype = get_path(row, "type")
        rid = norm_id(raw_id)
        used = current or 0
        if rid in (base, base.rsplit("/", 1)[0]):  # real answers: the subscription's id
            priority = _total_priority(rtype, label)
            if priority is not None:
                totals[priority] = QuotaRow(priority, label, limit, used, raw_id)
        elif rid.startswith(base + "/") and rid.count("/") == base.count("/") + 1:
            suffix = raw_id.rsplit("/", 1)[1]
            key = family_key(suffix)
            # One id serves both rows of a family in real answers: the type tells them apart.
            priority = _total_priority(rtype, suffix) or priority_key(suffix)
            families[(key, priority)] = QuotaRow(key, label, limit, used, raw_id)
    return Quota(families=families, totals=totals)


def parse_vm_sizes(rows: Iterable[Any]) -> dict[str, VmSize]:
    sizes: dict[str, VmSize] = {}
    for row in rows:
        name, family, vcpus = (get_path(row, k) for k in ("name", "family", "vCPUs"))
        if isinstance(name, str):  # a row that lacks the rest says the size is offered
            sizes[name.lower()] = VmSize(
                name=name,
                family=family if isinstance(family, str) and family else None,
                vcpus=_as_int(vcpus),
            )
    return sizes


def parse_locations(rows: Iterable[Any]) -> dict[str, Location]:
    rows = list(rows)
    mapped = any(isinstance(get_path(r, "availabilityZoneMappings"), list) for r in rows)
    locations: dict[str, Location] = {}
    for row in rows:
        name = get_path(row, "name")
        if not isinstance(name, str):
            continue
        display = get_path(row, "displayName")
        geography = get_path(row, "metadata.geography")
        pairs = get_path(row, "metadata.pairedRegion")
        paired = tuple(
            norm_region(p["name"])
            for p in (pairs if isinstance(pairs, list) else [])
            if isinstance(p, Mapping) and isinstance(p.get("name"), str)
        )
        locations[norm_region(name)] = Location(
            name=norm_region(name),
            display_name=display if isinstance(display, str) else name,
            geography=geography if isinstance(geography, str) else None,
            paired=paired,
            zones=bool(get_path(row, "availabilityZoneMappings") or None) if mapped else None,
        )
    return locations


_LOCATIONS_KEY = re.compile(r"^/subscriptions/[^/]+/locations$")


def _is_locations(key: str) -> bool:
    return bool(_LOCATIONS_KEY.match(key))


def _arm_key(path: str) -> str:
    if (
        isinstance(path, str)
        and path[:1] == "/"
        and path[1:2] != "/"
        and "?" not in path
        and "#" not in path
        and "\t" not in path
        and "\r" not in path
        and "\n" not in path
    ):
        return norm_id(path)  # a plain path: urlsplit would return it unchanged (and is slow)
    try:
        path = urlsplit(path).path
    except ValueError:  # a malformed id such as '//[x' is not a URL: compare its text as it is
        path = path.split("?", 1)[0]
    return norm_id(path)


@dataclass(frozen=True)
class Estate:
    """Everything a rule may look at, built once from a snapshot and never changed."""

    snapshot: Snapshot
    resources: Mapping[str, Resource]
    by_type: Mapping[str, tuple[Resource, ...]]
    children: Mapping[str, Mapping[str, tuple[Resource, ...]]]
    arm_reads: Mapping[str, ArmRead]
    problems: tuple[str, ...]
    _cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    # -- resources -------------------------------------------------------------------------

    def get(self, resource_id: str) -> Resource | None:
        return self.resources.get(norm_id(resource_id))

    def of_type(self, rtype: str) -> tuple[Resource, ...]:
        return self.by_type.get(rtype, ())

    @property
    def workspaces(self) -> tuple[Resource, ...]:
        return self.of_type(WORKSPACE)

    def children_of(self, resource_id: str, rtype: str) -> tuple[Resource, ...]:
        return self.children.get(norm_id(resource_id), {}).get(rtype, ())

    def why_absent(self, resource_id: str) -> str:
        """Why a resource is not in the snapshot, naming a collection error that may explain it."""
        reason = f"{resource_id} is not in the snapshot"
        sub = subscription_of(resource_id)
        if sub is not None and sub not in self.subscriptions_in_scope:
            reason += f" (subscription {sub} was not in the scanned scope)"
        message = self._graph_error(RESOURCES_TABLE, sub)
        if message is not None:
            reason += f" (Resource Graph could not be read: {message})"
        return reason

    def graph_problem(self, subscription: str | None) -> str | None:
        """Why rows of the `resources` table may be missing for a subscription (Resource Graph
        failed for it, or for a batch or scope that held it), or None when it answered."""
        message = self._graph_error(RESOURCES_TABLE, subscription)
        if message is None:
            return None
        where = f" for subscription {subscription}" if subscription else ""
        return f"Resource Graph could not be read{where} ({message}): rows may be missing"

    @property
    def graph_failed(self) -> bool:
        """Whether any Resource Graph error on the `resources` table was recorded."""
        failed: bool = self._memo(
            "graph_failed",
            lambda: any(self._on_table(err, RESOURCES_TABLE) for err in self.snapshot.errors),
        )
        return failed

    def _graph_error(self, table: str, subscription: str | None) -> str | None:
        """The message of the first Resource Graph error on `table` that covers the
        subscription: one recorded for it, or for no one subscription. (Memoised: rules ask
        per workspace, and a large snapshot records many errors.)"""

        def build() -> str | None:
            for err in self.snapshot.errors:
                err_sub = _lower(err.get("subscription"))
                if self._on_table(err, table) and (err_sub is None or err_sub == subscription):
                    return str(err.get("message"))
            return None

        message: str | None = self._memo(("graph_error", table, subscription), build)
        return message

    def _on_table(self, err: Mapping[str, Any], table: str) -> bool:
        """A Resource Graph error on a table: its request names the table. One that names no
        other table of the snapshot is on `resources` (the collector's main query)."""
        if err.get("source") != "resource_graph":
            return False
        request = str(err.get("request", ""))
        if table != RESOURCES_TABLE:
            return _names_table(request, table)
        others = (set(self.snapshot.tables) | {ROLE_ASSIGNMENTS_TABLE}) - {RESOURCES_TABLE}
        return not any(_names_table(request, other) for other in others)

    @property
    def subscriptions_in_scope(self) -> frozenset[str]:
        key = "subscriptions"
        if key not in self._cache:
            subs = {str(s).lower() for s in self.snapshot.scope.get("subscriptions", [])}
            subs.update(subscription_of(rid) or "" for rid in self.resources)  # normalised ids
            self._cache[key] = frozenset(subs)
        result: frozenset[str] = self._cache[key]
        return result

    # -- ARM reads -------------------------------------------------------------------------

    def arm(self, path: str) -> ArmRead | None:
        return self.arm_reads.get(_arm_key(path))

    def arm_list(self, path: str, what: str) -> Lookup:
        """The merged list a recorded ARM list read returned, or why it is not available."""
        found = self.arm_get(path, what)
        if not found.ok:
            return found
        values = get_path(found.value, "value")
        if not isinstance(values, list):
            return Lookup(None, f"{what}: the response of GET {path} has no 'value' list")
        return Lookup(values)

    def _recorded_error(self, path: str) -> str | None:
        """The first recorded error whose request contains the path (after normalisation)."""
        key = _arm_key(path)
        keys, text, starts = self._memo("error_keys", self._error_keys)
        if not keys:
            return None
        if "\0" in key:
            index = next((i for i, k in enumerate(keys) if key in k), -1)
        else:
            # One search through all keys joined by NUL: the first hit is in the first error
            # whose key contains this one (a NUL-free key cannot match across a separator).
            at = text.find(key)
            index = -1 if at < 0 else bisect.bisect_right(starts, at) - 1
        if index < 0:
            return None
        err = self.snapshot.errors[index]
        status = err.get("status")
        code = err.get("code")
        parts = [f"HTTP {status}" if status else None, code, err.get("message")]
        return " ".join(str(p) for p in parts if p)

    def _error_keys(self) -> tuple[list[str], str, list[int]]:
        """The normalised request path of every recorded error, joined for searching."""
        keys = [
            _arm_key(str(err.get("request", "")).split(" ", 1)[-1]) for err in self.snapshot.errors
        ]
        starts = []
        offset = 0
        for k in keys:
            starts.append(offset)
            offset += len(k) + 1
        return keys, "\0".join(keys), starts

    def memo(self, key: Any, build: Callable[[], Any]) -> Any:
        """A value derived from the whole estate, built once (checks index rows with it)."""
        return self._memo(("check", key), build)

    def _memo(self, key: Any, build: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def locations(self, subscription: str) -> Lookup:
        """Regions of a subscription (names, geography, pairs): Subscriptions - List Locations."""

        def build() -> Lookup:
            found = self.arm_list(locations_path(subscription), "the subscription's locations")
            if not found.ok and self.arm(locations_path(subscription)) is None:
                # Collected once per cloud: any subscription's list gives the same pairs.
                other = next(
                    (r for k, r in self.arm_reads.items() if _is_locations(k) and r.ok), None
                )
                if other is not None and other.values() is not None:
                    return Lookup(parse_locations(other.values() or []))
            return Lookup(parse_locations(found.value)) if found.ok else found

        result: Lookup = self._memo(("locations", subscription), build)
        return result

    def ml_regions(self, subscription: str) -> Lookup:
        """Regions where the Microsoft.MachineLearningServices provider offers workspaces."""

        def build() -> Lookup:
            path = provider_path(subscription)
            read = self.arm(path)
            what = "the Microsoft.MachineLearningServices provider"
            if read is None or not read.ok:
                return self.arm_list(path, what)
            types = get_path(read.body, "resourceTypes")
            if not isinstance(types, list):
                return Lookup(None, f"{what}: GET {path} has no 'resourceTypes' list")
            for entry in types:
                if str(get_path(entry, "resourceType")).lower() == "workspaces":
                    locs = get_path(entry, "locations")
                    if isinstance(locs, list):
                        return Lookup(frozenset(norm_region(str(x)) for x in locs))
            return Lookup(None, f"{what}: GET {path} lists no 'workspaces' resource type")

        result: Lookup = self._memo(("ml_regions", subscription), build)
        return result

    def computes(self, workspace: Resource) -> Lookup:
        """The workspace's computes: the recorded ARM list, or Resource Graph rows of computes
        when a snapshot carries them instead (Resource Graph does not index computes today).
        Worked out once per workspace: several rules and the topology read them."""

        def build() -> Lookup:
            path = computes_path(workspace.raw_id)
            if self.arm(path) is None:
                rows = self.children_of(workspace.id, COMPUTE)
                if rows:
                    return Lookup([dict(r.row) for r in rows])
            return self.arm_list(path, f"the computes of {workspace.name}")

        result: Lookup = self._memo(("computes", workspace.id, workspace.raw_id), build)
        return result

    def quota(self, subscription: str, region: str) -> Lookup:
        def build() -> Lookup:
            what = f"Azure ML usages of subscription {subscription} in {region}"
            found = self.arm_list(usages_path(subscription, region), what)
            return Lookup(parse_quota(found.value, subscription)) if found.ok else found

        result: Lookup = self._memo(("quota", subscription, region), build)
        return result

    def vm_sizes(self, subscription: str, region: str) -> Lookup:
        def build() -> Lookup:
            what = f"Azure ML VM sizes of subscription {subscription} in {region}"
            found = self.arm_list(vm_sizes_path(subscription, region), what)
            return Lookup(parse_vm_sizes(found.value)) if found.ok else found

        result: Lookup = self._memo(("vmsizes", subscription, region), build)
        return result

    def arm_get(self, path: str, what: str) -> Lookup:
        """The body a recorded ARM GET of one resource returned, or why it is not available."""
        read = self.arm(path)
        if read is None:
            error = self._recorded_error(path)
            if error is not None:
                return Lookup(None, f"{what} could not be read: {error}")
            return Lookup(None, f"{what} was not recorded in the snapshot (GET {path})")
        if not read.ok:
            return Lookup(None, f"{what} could not be read: {read.describe_failure()}")
        return Lookup(read.body)

    # -- other Resource Graph tables ---------------------------------------------------------

    def table_problem(self, table: str, subscription: str | None) -> str | None:
        """Why rows of a Resource Graph table other than `resources` are not known for a
        subscription (the query failed for it, or the snapshot has no such table), or None."""
        message = self._graph_error(table, subscription)
        if message is not None:
            return f"the Resource Graph table {table} could not be read: {message}"
        if not isinstance(self.snapshot.tables.get(table), list):
            return f"the Resource Graph table {table} was not recorded in the snapshot"
        return None

    def role_assignments(self, resource_id: str) -> Lookup:
        """Role assignments at a resource's scope and the scopes it inherits from (resource
        group, subscription), from the authorizationresources table; or why not known."""
        problem = self.table_problem(ROLE_ASSIGNMENTS_TABLE, subscription_of(resource_id))
        if problem is not None:
            return Lookup(None, problem)
        index: dict[str, list[RoleAssignment]]
        index, malformed = self._memo("roles", self._role_index)
        if malformed:
            return Lookup(None, malformed)
        scopes = (norm_id(resource_id), *scope_ancestors(resource_id))
        return Lookup(tuple(a for scope in scopes for a in index.get(scope, ())))

    def _role_index(self) -> tuple[dict[str, list[RoleAssignment]], str | None]:
        """Role assignments by scope; and what is wrong with the table when a row cannot be
        read (then no assignment can be said to be missing)."""
        index: dict[str, list[RoleAssignment]] = defaultdict(list)
        bad: list[str] = []
        for position, row in enumerate(self.snapshot.tables.get(ROLE_ASSIGNMENTS_TABLE) or ()):
            raw_id = get_path(row, "id")
            principal = get_path(row, "properties.principalId")
            role = get_path(row, "properties.roleDefinitionId")
            rtype = get_path(row, "type")
            if not isinstance(row, dict) or not isinstance(rtype, str):
                bad.append(f"row {position} is not a resource row")
                continue
            if rtype.lower() != "microsoft.authorization/roleassignments":
                continue
            if not all(isinstance(v, str) and v for v in (raw_id, principal, role)):
                bad.append(
                    f"row {position} lacks id, properties.principalId or "
                    "properties.roleDefinitionId"
                )
                continue
            scope = get_path(row, "properties.scope")
            if not isinstance(scope, str) or not scope:
                # the id is the scope followed by /providers/Microsoft.Authorization/...
                scope = raw_id.lower().split("/providers/microsoft.authorization/", 1)[0]
            kind = get_path(row, "properties.principalType")
            index[norm_id(scope) or "/"].append(
                RoleAssignment(
                    raw_id=raw_id,
                    scope=norm_id(scope) or "/",
                    principal=principal.lower(),
                    principal_type=kind if isinstance(kind, str) else "principal",
                    role=role.rstrip("/").rsplit("/", 1)[-1].lower(),
                )
            )
        if bad:
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            return index, (
                f"the Resource Graph table {ROLE_ASSIGNMENTS_TABLE} has rows that cannot be "
                f"read: {bad[0]}{more}"
            )
        return index, None

    # -- look-ups across rows ----------------------------------------------------------------

    def named(self, rtype: str, name: str) -> tuple[Resource, ...]:
        """Rows of a type with a name (case-insensitive): registries are referenced by name."""
        index: dict[str, list[Resource]] = self._memo(
            ("named", rtype), lambda: _by_name(self, rtype)
        )
        return tuple(index.get(name.lower(), ()))

    def private_links(self, resource_id: str) -> tuple[PrivateLink, ...]:
        """Private endpoint connections (automatic or manual) whose privateLinkServiceId is the
        resource."""
        index: dict[str, list[PrivateLink]] = self._memo("private_links", self._link_index)
        return tuple(index.get(norm_id(resource_id), ()))

    def _link_index(self) -> dict[str, list[PrivateLink]]:
        index: dict[str, list[PrivateLink]] = defaultdict(list)
        for endpoint in self.of_type(PRIVATE_ENDPOINT):
            for key in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
                connections = endpoint.get(f"properties.{key}")
                for connection in connections if isinstance(connections, list) else ():
                    target = get_path(connection, "properties.privateLinkServiceId")
                    status = get_path(
                        connection, "properties.privateLinkServiceConnectionState.status"
                    )
                    if isinstance(target, str) and target:
                        index[norm_id(target)].append(
                            PrivateLink(
                                endpoint,
                                norm_id(target),
                                status if isinstance(status, str) else None,
                            )
                        )
        return index

    @property
    def complete(self) -> bool:
        return not self.snapshot.errors and not self.problems


def _by_name(estate: Estate, rtype: str) -> dict[str, list[Resource]]:
    index: dict[str, list[Resource]] = defaultdict(list)
    for resource in estate.of_type(rtype):
        index[resource.name.lower()].append(resource)
    return index


def _row_problem(index: int, row: Any) -> str | None:
    if (
        type(row) is dict
        and type(row.get("id")) is str
        and type(row.get("type")) is str
        and row["id"]
        and row["type"]
    ):
        return None  # the common case, without the slow Mapping ABC check
    if not isinstance(row, Mapping):
        return f"resources[{index}]: expected an object, found {type(row).__name__}"
    for key in ("id", "type"):
        if not isinstance(row.get(key), str) or not row.get(key):
            return f"resources[{index}]: field '{key}' is missing or not a string"
    return None


def build(snapshot: Snapshot) -> Estate:
    """Index a snapshot. Malformed rows are kept out and reported, never raised."""
    with paused_gc():
        return _build(snapshot)


def _build(snapshot: Snapshot) -> Estate:
    resources: dict[str, Resource] = {}
    by_type: dict[str, list[Resource]] = defaultdict(list)
    children: dict[str, dict[str, list[Resource]]] = defaultdict(lambda: defaultdict(list))
    problems: list[str] = []
    for index, row in enumerate(snapshot.resources):
        problem = _row_problem(index, row)
        if problem is not None:
            problems.append(problem)
            continue
        raw_id: str = row["id"]
        rid = norm_id(raw_id)
        if rid in resources:
            continue
        rtype = row["type"].lower()
        name = row.get("name")
        location = row.get("location")
        resource = Resource(
            id=rid,
            raw_id=raw_id,
            type=rtype,
            name=name if isinstance(name, str) else raw_id.rsplit("/", 1)[-1],
            location=norm_region(location) if isinstance(location, str) else "",
            row=row,
        )
        resources[rid] = resource
        by_type[rtype].append(resource)
        if rtype.count("/") >= 2:
            children[parent_id(rid)][rtype].append(resource)
    arm_reads: dict[str, ArmRead] = {}
    for index, entry in enumerate(snapshot.arm):
        status = entry.get("status")
        path = entry.get("path")
        if not isinstance(path, str) or not isinstance(status, int):
            problems.append(f"arm[{index}]: 'path' must be a string and 'status' an integer")
            continue
        arm_reads[_arm_key(path)] = ArmRead(
            path=path,
            api_version=str(entry.get("api_version", "")),
            status=status,
            body=entry.get("body"),
        )
    return Estate(
        snapshot=snapshot,
        resources=resources,
        by_type={k: tuple(sorted(v, key=lambda r: r.id)) for k, v in by_type.items()},
        # sorted like by_type, so a scan does not depend on the order of the snapshot's rows
        children={
            p: {t: tuple(sorted(rs, key=lambda r: r.id)) for t, rs in kids.items()}
            for p, kids in children.items()
        },
        arm_reads=arm_reads,
        problems=tuple(problems),
    )
