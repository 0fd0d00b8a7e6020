"""A plan with the estate's own names: the ordered steps that take one workload to its target,
each with the `az` commands, files and Bicep filled from the estate (docs/plan.md).

A plan reads a scan's report (the findings of the workload, and which of them block its target)
and the estate the report was made from; it judges nothing the rules did not judge, and it runs
nothing. A value the estate cannot tell (a virtual network, a Log Analytics workspace) stays a
marked placeholder, `<like-this>`, and the step's notes say what to fill in."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.azure import (
    BATCH_DEPLOYMENT,
    BATCH_ENDPOINT,
    ONLINE_DEPLOYMENT,
    ONLINE_ENDPOINT,
    REPLICATION,
    get_path,
    norm_id,
    norm_region,
)
from auditor.errors import AuditorError
from auditor.estate import Estate, Resource
from auditor.model import AssetClass, Finding, Level, Status, Tier
from auditor.report import Report, WorkloadResult

PLACEHOLDER = re.compile(r"<([a-z][a-z0-9-]*)>")

# What a person fills in for the placeholders the estate cannot tell.
FILL_IN: Mapping[str, str] = {
    "secondary-region": "the secondary region (the primary region's pair is not recorded in the "
    "subscription's locations)",
    "log-analytics-workspace-id": "the id of a Log Analytics workspace in the secondary region "
    "for the new Application Insights (workspace-based Application Insights needs one)",
    "vnet-secondary": "the virtual network in the secondary region that clients reach the "
    "workspace from",
    "subnet-secondary": "the subnet of that virtual network for the private endpoint",
    "registry": "the name of a Premium container registry for both workspaces (the primary "
    "has none)",
    "sttraining": "a name for the new geo-redundant storage account for training data",
    "environment-and-code": "the deployment's environment and code_configuration, as in the "
    "primary's deployment definition (not recorded in the estate)",
}

_SCHEMA = "https://azuremlschemas.azureedge.net/latest/{}.schema.json"
_API_ML = "2024-04-01"


@dataclass(frozen=True)
class Command:
    """One `az` command as its words (a word may hold a `<placeholder>`), and what it does."""

    args: tuple[str, ...]
    comment: str = ""

    @property
    def text(self) -> str:
        return " ".join(
            word if PLACEHOLDER.fullmatch(word) else shlex.quote(word) for word in self.args
        )

    @property
    def group(self) -> tuple[str, ...]:
        """The command's name: the words before its first option (`az acr replication create`)."""
        words = []
        for word in self.args:
            if word.startswith("-"):
                break
            words.append(word)
        return tuple(words)

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(w for w in self.args if w.startswith("--"))


@dataclass(frozen=True)
class File:
    """A file a command reads (`--file`), written next to the script."""

    path: str
    content: str


@dataclass(frozen=True)
class Bicep:
    """A declarative fragment: the resources it adds, in one resource group. `existing` lines
    declare the resources it refers to; `params` are (name, type, default or None when the
    person deploying must give it)."""

    resource_group: str
    body: str
    existing: tuple[str, ...] = ()
    params: tuple[tuple[str, str, str | None], ...] = ()


@dataclass(frozen=True)
class Step:
    rule: str
    title: str
    blocking: bool
    severity: str
    why: str
    summary: str
    docs: str
    commands: tuple[Command, ...] = ()
    files: tuple[File, ...] = ()
    bicep: tuple[Bicep, ...] = ()
    notes: tuple[str, ...] = ()
    unseen: bool = False  # the scan could not read what the rule needs

    @property
    def placeholders(self) -> tuple[str, ...]:
        found: list[str] = []
        texts = [w for c in self.commands for w in c.args] + [f.content for f in self.files]
        for text in texts:
            for name in PLACEHOLDER.findall(text):
                if name not in found:
                    found.append(name)
        return tuple(found)


@dataclass(frozen=True)
class Plan:
    workload: str
    target: Tier
    target_source: str
    primary: str | None
    primary_region: str | None
    secondary: str | None
    secondary_region: str | None
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()
    resource_group: str | None = None  # where the Bicep file deploys

    @property
    def blockers(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.blocking)

    @property
    def advisories(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if not s.blocking)

    @property
    def ready(self) -> bool:
        return not self.blockers

    @property
    def exit_code(self) -> int:
        """3 when a step's finding could not be evaluated, 1 when a step blocks the target,
        else 0 (as `auditor scan`: readiness unproven wins over not ready)."""
        if any(s.unseen for s in self.steps):
            return 3
        return 1 if self.blockers else 0

    @property
    def placeholders(self) -> tuple[tuple[str, str], ...]:
        names: list[str] = []
        for step in self.steps:
            names += [n for n in step.placeholders if n not in names]
        return tuple((n, FILL_IN.get(n, "not known from the estate")) for n in names)

    @property
    def commands(self) -> tuple[Command, ...]:
        return tuple(c for s in self.steps for c in s.commands)

    def bicep_parts(self) -> tuple[Bicep, ...]:
        return tuple(b for s in self.steps for b in s.bicep)


class PlanError(AuditorError):
    """The workload asked for is not in the report."""


# -- names from the estate ----------------------------------------------------------------------


def _rg(raw_id: str) -> str | None:
    """The resource group in an id, as Azure spelled it."""
    parts = raw_id.strip("/").split("/")
    if len(parts) > 3 and parts[2].lower() == "resourcegroups":
        return parts[3]
    return None


def _sub(raw_id: str) -> str | None:
    parts = raw_id.strip("/").split("/")
    return parts[1] if len(parts) > 1 and parts[0].lower() == "subscriptions" else None


def _last(raw_id: str) -> str:
    return raw_id.rstrip("/").rsplit("/", 1)[-1]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def rename(name: str, old_region: str | None, new_region: str, *, compact: bool = False) -> str:
    """A name for the secondary's copy of a resource: the primary's, its region swapped for
    the secondary's (`mlw-churn-eastus2` -> `mlw-churn-centralus`), or suffixed with it."""
    if old_region and old_region in name.lower():
        at = name.lower().rindex(old_region)
        return name[:at] + new_region + name[at + len(old_region) :]
    if compact:  # storage account names: 3-24 lower-case letters and digits
        return (re.sub(r"[^a-z0-9]", "", name.lower()) + new_region)[:24]
    return f"{name}-{new_region}"


def _symbol(*parts: str) -> str:
    """A Bicep identifier from names (`cpu-train` -> `cpuTrain`)."""
    words = [w for p in parts for w in re.split(r"[^A-Za-z0-9]+", p) if w]
    if not words:
        return "item"
    head = words[0][0].lower() + words[0][1:]
    ident = head + "".join(w[0].upper() + w[1:] for w in words[1:])
    return ident if ident[0].isalpha() else f"r{ident}"


@dataclass
class _Names:
    """The workload's resources as the commands name them."""

    estate: Estate
    result: WorkloadResult
    failing: frozenset[str]
    primary: Resource | None = None
    secondary: Resource | None = None
    secondary_region: str = "<secondary-region>"
    secondary_name: str = "<ws-secondary>"
    secondary_rg: str = "<rg>"
    notes: list[str] = field(default_factory=list)
    done: dict[str, str] = field(default_factory=dict)  # shared work -> the rule whose step does it

    def __post_init__(self) -> None:
        workload = self.result.workload
        self.primary = self.estate.get(workload.primary)
        self.secondary = self.estate.get(workload.secondary) if workload.secondary else None
        if self.secondary is not None:
            self.secondary_region = norm_region(self.secondary.location)
            self.secondary_name = self.secondary.name
            self.secondary_rg = _rg(self.secondary.raw_id) or "<rg>"
        elif self.primary is not None:
            paired = self.paired(self.primary)
            if paired:
                self.secondary_region = paired[0]
            self.secondary_name = rename(
                self.primary.name, self.primary_region, self.secondary_region
            )
            self.secondary_rg = _rg(self.primary.raw_id) or "<rg>"

    @property
    def primary_region(self) -> str | None:
        return norm_region(self.primary.location) if self.primary else None

    def paired(self, ws: Resource) -> tuple[str, ...]:
        found = self.estate.locations(ws.subscription)
        if not found.ok:
            return ()
        location = found.value.get(norm_region(ws.location))
        return tuple(location.paired) if location is not None else ()

    def link(self, ws: Resource | None, path: str) -> str | None:
        """A workspace's linked resource id (a project's, through its hub)."""
        if ws is None:
            return None
        own = _text(ws.get(path))
        if own is not None:
            return own
        kind = _text(ws.row.get("kind"))
        hub = _text(ws.get("properties.hubResourceId"))
        if kind and kind.lower() == "project" and hub:
            found = self.estate.get(hub)
            return _text(found.get(path)) if found else None
        return None

    @property
    def secondary_sub(self) -> str | None:
        ws = self.secondary or self.primary
        return ws.subscription if ws else None

    @property
    def secondary_id(self) -> str:
        if self.secondary is not None:
            return self.secondary.raw_id
        return self.arm_id("Microsoft.MachineLearningServices/workspaces", self.secondary_name)

    def arm_id(self, rtype: str, name: str, rg: str | None = None) -> str:
        """The id a new resource in the secondary's resource group will have."""
        sub = self.secondary_sub or "<subscription-id>"
        group = rg or self.secondary_rg
        return f"/subscriptions/{sub}/resourceGroups/{group}/providers/{rtype}/{name}"

    def ws_args(self) -> tuple[str, ...]:
        """The arguments that name the secondary workspace for an `az ml` command."""
        return (
            "--workspace-name",
            self.secondary_name,
            "--resource-group",
            self.secondary_rg,
            *self.sub_args(self.secondary_sub),
        )

    @staticmethod
    def sub_args(sub: str | None) -> tuple[str, ...]:
        return ("--subscription", sub) if sub else ()


# -- steps per rule -----------------------------------------------------------------------------


@dataclass
class _Draft:
    commands: list[Command] = field(default_factory=list)
    files: list[File] = field(default_factory=list)
    bicep: list[Bicep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def az(self, *args: str, comment: str = "") -> None:
        self.commands.append(Command(("az", *args), comment))


_Builder = Callable[[_Names, Finding], _Draft]
_BUILDERS: dict[str, _Builder] = {}


def _builds(*rules: str) -> Callable[[_Builder], _Builder]:
    def register(fn: _Builder) -> _Builder:
        for rule in rules:
            _BUILDERS[rule] = fn
        return fn

    return register


def _existing_ws(symbol: str, name: str) -> str:
    return (
        f"resource {symbol} 'Microsoft.MachineLearningServices/workspaces@{_API_ML}' existing = "
        f"{{\n  name: '{name}'\n}}"
    )


def _storage_bicep(n: _Names, name: str) -> Bicep:
    return Bicep(
        n.secondary_rg,
        f"resource {_symbol(name)} 'Microsoft.Storage/storageAccounts@2023-05-01' = {{\n"
        f"  name: '{name}'\n  location: '{n.secondary_region}'\n"
        "  sku: { name: 'Standard_ZRS' }\n  kind: 'StorageV2'\n"
        "  properties: { minimumTlsVersion: 'TLS1_2', allowBlobPublicAccess: false }\n}",
    )


def _insights_bicep(n: _Names, name: str) -> Bicep:
    return Bicep(
        n.secondary_rg,
        f"resource {_symbol(name)} 'Microsoft.Insights/components@2020-02-02' = {{\n"
        f"  name: '{name}'\n  location: '{n.secondary_region}'\n  kind: 'web'\n"
        "  properties: {\n    Application_Type: 'web'\n"
        "    WorkspaceResourceId: logAnalyticsWorkspaceId\n  }\n}",
        params=(("logAnalyticsWorkspaceId", "string", None),),
    )


def _insights_note(n: _Names) -> str:
    current = n.link(n.primary, "properties.applicationInsights")
    found = n.estate.get(current) if current else None
    law = _text(found.get("properties.WorkspaceResourceId")) if found else None
    where = f" (the primary's sends to {_last(law)})" if law else ""
    return (
        "Application Insights is created with the application-insights CLI extension "
        "(`az extension add --name application-insights`); it needs a Log Analytics workspace "
        f"in {n.secondary_region}{where}: fill in <log-analytics-workspace-id>."
    )


def _registry_commands(d: _Names, draft: _Draft, registry: Resource, region: str) -> None:
    """Premium and a replication in `region`, for the registry both workspaces use."""
    args = ("--resource-group", _rg(registry.raw_id) or "<rg>", *d.sub_args(registry.subscription))
    sku = _text(registry.get("sku.name"))
    if (sku or "").lower() != "premium":
        draft.az(
            "acr",
            "update",
            "--name",
            registry.name,
            "--sku",
            "Premium",
            *args,
            comment=f"geo-replication needs Premium (it is {sku or 'of an unrecorded SKU'})",
        )
    replicas = {
        norm_region(r.location): _text(r.get("properties.provisioningState"))
        for r in d.estate.children_of(registry.id, REPLICATION)
    }
    home = norm_region(registry.location)
    if region == home:
        return
    state = replicas.get(region)
    if state is not None and state.lower() == "succeeded":
        return
    if state is not None:
        draft.az(
            "acr",
            "replication",
            "delete",
            "--registry",
            registry.name,
            "--name",
            region,
            *args,
            comment=f"its replication in {region} is {state}: replace it",
        )
    draft.az(
        "acr",
        "replication",
        "create",
        "--registry",
        registry.name,
        "--location",
        region,
        "--zone-redundancy",
        "Enabled",
        *args,
        comment=f"replicate {registry.name} to {region}",
    )
    if _rg(registry.raw_id) == d.secondary_rg:
        draft.bicep.append(
            Bicep(
                d.secondary_rg,
                f"resource {_symbol(registry.name, region)} "
                "'Microsoft.ContainerRegistry/registries/replications@2023-07-01' = {\n"
                f"  parent: {_symbol(registry.name)}\n  name: '{region}'\n  location: '{region}'\n"
                "  properties: { zoneRedundancy: 'Enabled' }\n}",
                existing=(
                    f"resource {_symbol(registry.name)} "
                    "'Microsoft.ContainerRegistry/registries@2023-07-01' existing = "
                    f"{{\n  name: '{registry.name}'\n}}",
                ),
            )
        )


def _workspace_create(
    n: _Names, draft: _Draft, *, storage_id: str, insights_id: str | None, comment: str
) -> None:
    kv = n.link(n.primary, "properties.keyVault")
    acr = n.link(n.primary, "properties.containerRegistry")
    args = [
        "ml",
        "workspace",
        "create",
        "--name",
        n.secondary_name,
        "--resource-group",
        n.secondary_rg,
        "--location",
        n.secondary_region,
        "--storage-account",
        storage_id,
    ]
    if kv:
        args += ["--key-vault", kv]
    if acr:
        args += ["--container-registry", acr]
    if insights_id:
        args += ["--application-insights", insights_id]
    args += ["--tags", f"dr-workload={n.result.name}", "dr-role=secondary"]
    draft.az(*args[0:], *n.sub_args(n.secondary_sub), comment=comment)
    # A resource this plan creates is referred to by its Bicep symbol, one that exists by id.
    created = {b.body.split(" ", 2)[1] for b in draft.bicep}

    def ref(rid: str) -> str:
        symbol = _symbol(_last(rid))
        return f"{symbol}.id" if symbol in created else f"'{rid}'"

    props = [f"storageAccount: {ref(storage_id)}"]
    existing: list[str] = []
    if kv:
        props.append(f"keyVault: '{kv}'")
    if acr:
        props.append(f"containerRegistry: '{acr}'")
    if insights_id:
        props.append(f"applicationInsights: {ref(insights_id)}")
    body = (
        f"resource {_symbol(n.secondary_name)} "
        f"'Microsoft.MachineLearningServices/workspaces@{_API_ML}' = {{\n"
        f"  name: '{n.secondary_name}'\n  location: '{n.secondary_region}'\n"
        "  identity: { type: 'SystemAssigned' }\n"
        f"  tags: {{ 'dr-workload': '{n.result.name}', 'dr-role': 'secondary' }}\n"
        "  properties: {\n" + "".join(f"    {p}\n" for p in props) + "  }\n}"
    )
    draft.bicep.append(Bicep(n.secondary_rg, body, existing=tuple(existing)))


@_builds("DR-01")
def _secondary(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    if n.primary is None:
        draft.notes.append("the primary workspace is not in the estate: nothing to mirror")
        return draft
    region = n.secondary_region
    paired = n.paired(n.primary)
    if paired:
        draft.notes.append(
            f"{region} is {n.primary_region}'s paired region (the subscription's locations)."
        )
    else:
        draft.notes.append(
            f"{n.primary_region} has no paired region recorded: choose a region in the same "
            "geography and fill in <secondary-region>."
        )
    storage = n.estate.get(n.link(n.primary, "properties.storageAccount") or "")
    insights = n.estate.get(n.link(n.primary, "properties.applicationInsights") or "")
    st_name = rename(
        storage.name if storage else f"st{n.result.name}", n.primary_region, region, compact=True
    )
    ai_name = rename(
        insights.name if insights else f"appi-{n.result.name}", n.primary_region, region
    )
    st_id = n.arm_id("Microsoft.Storage/storageAccounts", st_name)
    ai_id = n.arm_id("Microsoft.Insights/components", ai_name)
    draft.az(
        "storage",
        "account",
        "create",
        "--name",
        st_name,
        "--resource-group",
        n.secondary_rg,
        "--location",
        region,
        "--sku",
        "Standard_ZRS",
        "--kind",
        "StorageV2",
        *n.sub_args(n.secondary_sub),
        comment=f"the secondary's own default storage, in {region} (DR-04)",
    )
    draft.az(
        "monitor",
        "app-insights",
        "component",
        "create",
        "--app",
        ai_name,
        "--resource-group",
        n.secondary_rg,
        "--location",
        region,
        "--workspace",
        "<log-analytics-workspace-id>",
        *n.sub_args(n.secondary_sub),
        comment=f"the secondary's own Application Insights, in {region} (DR-07)",
    )
    registry = n.estate.get(n.link(n.primary, "properties.containerRegistry") or "")
    if registry is not None:
        _registry_commands(n, draft, registry, region)
    draft.bicep.append(_storage_bicep(n, st_name))
    draft.bicep.append(_insights_bicep(n, ai_name))
    _workspace_create(
        n,
        draft,
        storage_id=st_id,
        insights_id=ai_id,
        comment="the secondary workspace, with the primary's Key Vault and registry (DR-05, DR-06)",
    )
    if not n.primary.tags.get("dr-workload"):
        draft.az(
            "tag",
            "update",
            "--resource-id",
            n.primary.raw_id,
            "--operation",
            "merge",
            "--tags",
            f"dr-workload={n.result.name}",
            "dr-role=primary",
            comment="tag the primary so that scans pair the two",
        )
    draft.notes.append(
        f"New names ({n.secondary_name}, {st_name}, {ai_name}) follow the primary's, with the "
        "region swapped: change them if taken (storage account names are global)."
    )
    draft.notes.append(_insights_note(n))
    n.done.update({"DR-04": "DR-01", "DR-05": "DR-01", "DR-06": "DR-01", "DR-07": "DR-01"})
    return draft


def _recreate(n: _Names, draft: _Draft, rule: str, *, new_storage: bool) -> None:
    """A workspace's default storage and Key Vault are fixed at creation: the secondary is
    deleted and created again with them right."""
    if "recreate" in n.done:
        draft.notes.append(
            f"The {n.done['recreate']} step recreates {n.secondary_name}: done there."
        )
        return
    n.done["recreate"] = rule
    storage_id = n.link(n.secondary, "properties.storageAccount")
    if new_storage or not storage_id:
        primary_st = n.estate.get(n.link(n.primary, "properties.storageAccount") or "")
        base = primary_st.name if primary_st else f"st{n.result.name}"
        name = rename(base, n.primary_region, n.secondary_region, compact=True)
        storage_id = n.arm_id("Microsoft.Storage/storageAccounts", name)
        draft.az(
            "storage",
            "account",
            "create",
            "--name",
            name,
            "--resource-group",
            n.secondary_rg,
            "--location",
            n.secondary_region,
            "--sku",
            "Standard_ZRS",
            "--kind",
            "StorageV2",
            *n.sub_args(n.secondary_sub),
            comment=f"the secondary's own default storage, in {n.secondary_region}",
        )
        draft.bicep.append(_storage_bicep(n, name))
        draft.notes.append(f"{name} is a proposed name (storage account names are global).")
    draft.az(
        "ml",
        "workspace",
        "delete",
        "--name",
        n.secondary_name,
        "--resource-group",
        n.secondary_rg,
        "--permanently-delete",
        *n.sub_args(n.secondary_sub),
        comment="DESTRUCTIVE: a workspace's default storage and Key Vault cannot be changed; "
        "az asks to confirm",
    )
    insights = n.link(n.secondary, "properties.applicationInsights")
    _workspace_create(
        n,
        draft,
        storage_id=storage_id,
        insights_id=insights,
        comment=f"{n.secondary_name} again, with its own storage and the primary's Key Vault",
    )
    draft.notes.append(
        f"Recreating {n.secondary_name} loses what lives in it (endpoints, clusters, "
        "datastores, role assignments on it): recreate them, then scan and plan again."
    )


@_builds("DR-04")
def _own_storage(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    if n.secondary is None:
        return draft
    _recreate(n, draft, "DR-04", new_storage=True)
    return draft


@_builds("DR-05")
def _same_vault(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    if n.secondary is None:
        return draft
    _recreate(n, draft, "DR-05", new_storage="DR-04" in n.failing)
    return draft


@_builds("DR-06")
def _registry(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    acr_id = n.link(n.primary, "properties.containerRegistry")
    registry = n.estate.get(acr_id) if acr_id else None
    if registry is None:
        draft.notes.append(
            "The primary's container registry is not in the estate: create a Premium registry "
            "(fill in <registry>), replicate it and point both workspaces at it."
        )
        draft.az(
            "acr",
            "create",
            "--name",
            "<registry>",
            "--resource-group",
            n.secondary_rg,
            "--sku",
            "Premium",
            "--location",
            n.primary_region or "<primary-region>",
        )
        return draft
    for region in (n.primary_region, n.secondary_region):
        if region:
            _registry_commands(n, draft, registry, region)
    unique: dict[str, Command] = {}
    for command in draft.commands:
        unique.setdefault(command.text, command)
    draft.commands = list(unique.values())
    theirs = n.link(n.secondary, "properties.containerRegistry")
    if n.secondary is not None and (theirs is None or norm_id(theirs) != registry.id):
        draft.az(
            "ml",
            "workspace",
            "update",
            "--name",
            n.secondary_name,
            "--resource-group",
            n.secondary_rg,
            "--container-registry",
            registry.raw_id,
            "--update-dependent-resources",
            *n.sub_args(n.secondary_sub),
            comment=f"{n.secondary_name} uses {_last(theirs) if theirs else 'no registry'}: "
            f"point it at {registry.name}",
        )
    return draft


@_builds("DR-07")
def _insights(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    if n.secondary is None:
        return draft
    theirs = n.link(n.primary, "properties.applicationInsights")
    base = _last(theirs) if theirs else f"appi-{n.result.name}"
    name = rename(base, n.primary_region, n.secondary_region)
    new_id = n.arm_id("Microsoft.Insights/components", name)
    draft.az(
        "monitor",
        "app-insights",
        "component",
        "create",
        "--app",
        name,
        "--resource-group",
        n.secondary_rg,
        "--location",
        n.secondary_region,
        "--workspace",
        "<log-analytics-workspace-id>",
        *n.sub_args(n.secondary_sub),
        comment=f"Application Insights of {n.secondary_name}, in {n.secondary_region}",
    )
    draft.az(
        "ml",
        "workspace",
        "update",
        "--name",
        n.secondary_name,
        "--resource-group",
        n.secondary_rg,
        "--application-insights",
        new_id,
        "--update-dependent-resources",
        *n.sub_args(n.secondary_sub),
    )
    draft.bicep.append(_insights_bicep(n, name))
    draft.notes.append(_insights_note(n))
    return draft


def _evidence(f: Finding, path: str) -> list[tuple[str, Any, Any]]:
    return [(e.resource, e.observed, e.expected) for e in f.evidence if e.path == path]


def _under(resource_id: str, ws: Resource | None) -> bool:
    return ws is not None and norm_id(resource_id).startswith(ws.id + "/")


@_builds("DR-08")
def _clusters(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    rows = n.estate.computes(n.primary).value if n.primary else None
    by_id = {
        norm_id(str(r.get("id"))): r for r in (rows or []) if isinstance(r, dict) and r.get("id")
    }
    for rid, observed, _expected in _evidence(
        f, "counterpart in secondary (size or family, max nodes)"
    ):
        row = by_id.get(norm_id(rid), {})
        name = _text(row.get("name")) or _last(rid)
        size = _text(get_path(row, "properties.properties.vmSize"))
        nodes = _int(get_path(row, "properties.properties.scaleSettings.maxNodeCount"))
        priority = str(get_path(row, "properties.properties.vmPriority") or "Dedicated")
        if size is None or nodes is None:
            draft.notes.append(f"cluster {name}: its VM size or node count is not recorded")
            continue
        match = re.match(r"^(.*): (\S+) x (\d+)$", observed) if isinstance(observed, str) else None
        if match is None:
            args = [
                "ml",
                "compute",
                "create",
                "--name",
                name,
                "--type",
                "AmlCompute",
                "--size",
                size,
                "--min-instances",
                "0",
                "--max-instances",
                str(nodes),
            ]
            if priority.lower() == "lowpriority":
                args += ["--tier", "low_priority"]
            draft.az(
                *args,
                *n.ws_args(),
                comment=f"{name}: {size}, up to {nodes} nodes, as in the primary",
            )
            draft.bicep.append(
                Bicep(
                    n.secondary_rg,
                    f"resource {_symbol(name)} "
                    f"'Microsoft.MachineLearningServices/workspaces/computes@{_API_ML}' = {{\n"
                    f"  parent: {_symbol(n.secondary_name)}\n  name: '{name}'\n"
                    f"  location: '{n.secondary_region}'\n  properties: {{\n"
                    "    computeType: 'AmlCompute'\n    properties: {\n"
                    f"      vmSize: '{size}'\n      vmPriority: '{priority}'\n"
                    f"      scaleSettings: {{ minNodeCount: 0, maxNodeCount: {nodes} }}\n"
                    "    }\n  }\n}",
                    existing=(_existing_ws(_symbol(n.secondary_name), n.secondary_name),),
                )
            )
        else:
            counterpart, theirs, count = match.group(1), match.group(2), int(match.group(3))
            if count >= nodes:
                continue
            draft.az(
                "ml",
                "compute",
                "update",
                "--name",
                counterpart,
                "--max-instances",
                str(nodes),
                *n.ws_args(),
                comment=f"{counterpart} ({theirs}) in {n.secondary_name} scales to {count} "
                f"nodes; the primary's {name} to {nodes}",
            )
    if draft.commands:
        draft.notes.append("A cluster can only scale as far as the region's quota (DR-09).")
    return draft


@_builds("DR-09", "DR-09-SHARED")
def _quota(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    sub, region = n.secondary_sub, n.secondary_region
    if sub is None or n.secondary is None:
        return draft
    scope = f"/subscriptions/{sub}/providers/Microsoft.MachineLearningServices/locations/{region}"
    quota = n.estate.quota(sub, region)
    sizes = n.estate.vm_sizes(sub, region)
    rows = {norm_id(r.raw_id): (k, r) for k, r in quota.value.families.items()} if quota.ok else {}
    totals = {norm_id(r.raw_id): (k, r) for k, r in quota.value.totals.items()} if quota.ok else {}
    draft.az(
        "ml",
        "compute",
        "list-usage",
        "--location",
        region,
        *n.ws_args(),
        "--output",
        "table",
        comment=f"what is in use in {region} now",
    )
    for e in f.evidence:
        need, limit = _int(e.expected), _int(e.observed)
        if need is None or limit is None or not e.path.startswith("limit"):
            continue
        key = norm_id(e.resource)
        if key in rows and e.path == "limit":
            (family, priority), row = rows[key]
            if limit >= need + max(row.current, 0):
                continue  # this family holds the need beside what is in use

            label = family
            if sizes.ok:
                label = next(
                    (
                        s.family
                        for s in sizes.value.values()
                        if s.family
                        and re.sub(r"[^a-z0-9]", "", s.family.lower())
                        == re.sub(r"[^a-z0-9]", "", family.lower())
                    ),
                    family,
                )
            ask = need + max(row.current, 0)
            draft.az(
                "quota",
                "update",
                "--resource-name",
                label,
                "--scope",
                scope,
                "--limit-object",
                f"value={ask}",
                "--resource-type",
                "lowPriority" if priority == "lowpriority" else "dedicated",
                comment=f"{label} {priority} vCPUs in {region}: {limit} -> {ask}",
            )
            draft.notes.append(
                f"{label}: the primary's clusters can scale to {need} vCPUs and {row.current} "
                f"are in use in {region}: the request asks for {ask}."
            )
        elif (key in totals or e.path.startswith("limit (")) and limit < need:
            priority = totals[key][0] if key in totals else "dedicated"
            if priority == "lowpriority":
                draft.az(
                    "quota",
                    "update",
                    "--resource-name",
                    "TotalLowPriorityCores",
                    "--scope",
                    scope,
                    "--limit-object",
                    f"value={need}",
                    "--resource-type",
                    "lowPriority",
                    comment=f"regional low-priority vCPUs in {region}: {limit} -> {need}",
                )
            else:
                draft.notes.append(
                    f"The regional dedicated vCPU total in {region} is {limit}; the primary's "
                    f"clusters need {need}. Raise it with a support request: Azure portal > "
                    "Help + support > Create a support request > Service and subscription "
                    "limits (quotas) > Machine Learning Service: Virtual Machine Quota, "
                    f"{region}, total regional dedicated vCPUs {need}."
                )
    draft.notes.append(
        "`az quota` is the quota CLI extension (`az extension add --name quota`); the "
        "resource name is the VM family as the region's VM sizes name it. A request the "
        "platform cannot approve at once becomes a support request; the portal's Azure Machine "
        "Learning studio > Quota page does the same."
    )
    return draft


def _models(estate: Estate, endpoint: Resource, *, serving_only: bool) -> dict[str, list[Resource]]:
    """The model each deployment of an online endpoint serves, with its deployments."""
    traffic = endpoint.get("properties.traffic")
    weights = {str(k).lower(): v for k, v in traffic.items()} if isinstance(traffic, dict) else {}
    found: dict[str, list[Resource]] = {}
    for deployment in estate.children_of(endpoint.id, ONLINE_DEPLOYMENT):
        if weights and not weights.get(deployment.name.lower()) and not serving_only:
            continue
        state = _text(deployment.get("properties.provisioningState")) or ""
        if serving_only and state.lower() not in ("succeeded", "updating"):
            continue
        model = _text(deployment.get("properties.model"))
        if model:
            found.setdefault(model.lower(), []).append(deployment)
    return found


def _count(deployment: Resource) -> int:
    return _int(deployment.get("sku.capacity")) or 0


def _deployment_file(
    n: _Names, endpoint: str, deployment: Resource, model: str, count: int
) -> File:
    instance_type = _text(deployment.get("properties.instanceType")) or "<instance-type>"
    content = (
        f"$schema: {_SCHEMA.format('managedOnlineDeployment')}\n"
        f"name: {deployment.name}\nendpoint_name: {endpoint}\nmodel: {model}\n"
        f"instance_type: {instance_type}\ninstance_count: {count}\n"
        "# <environment-and-code>\n"
    )
    return File(f"online-deployment-{endpoint}-{deployment.name}.yml", content)


def _missing_endpoints(n: _Names) -> list[Resource]:
    """The primary's online endpoints whose models no serving endpoint of the secondary serves."""
    if n.primary is None or n.secondary is None:
        return []
    theirs = [
        set(_models(n.estate, e, serving_only=True))
        for e in n.estate.children_of(n.secondary.id, ONLINE_ENDPOINT)
        if (_text(e.get("properties.provisioningState")) or "").lower() in ("succeeded", "updating")
    ]
    missing = []
    for endpoint in n.estate.children_of(n.primary.id, ONLINE_ENDPOINT):
        wanted = set(_models(n.estate, endpoint, serving_only=False))
        if wanted and not any(wanted <= served for served in theirs):
            missing.append(endpoint)
    return missing


@_builds("DR-10")
def _online(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    if n.secondary is None:
        return draft
    names = {e.name.lower() for e in n.estate.children_of(n.secondary.id, ONLINE_ENDPOINT)}
    for endpoint in _missing_endpoints(n):
        new = endpoint.name.lower() not in names
        if new:
            args = ["ml", "online-endpoint", "create", "--name", endpoint.name]
            mode = (_text(endpoint.get("properties.authMode")) or "").lower()
            if mode in ("key", "amltoken", "aadtoken"):
                args += [
                    "--auth-mode",
                    {"amltoken": "aml_token", "aadtoken": "aad_token"}.get(mode, mode),
                ]
            draft.az(*args, *n.ws_args(), comment=f"endpoint {endpoint.name} in {n.secondary_name}")
        for model, deployments in sorted(_models(n.estate, endpoint, serving_only=False).items()):
            for deployment in deployments:
                real_model = _text(deployment.get("properties.model")) or model
                file = _deployment_file(
                    n, endpoint.name, deployment, real_model, _count(deployment)
                )
                draft.files.append(file)
                extra = ("--all-traffic",) if new and len(deployments) == 1 else ()
                draft.az(
                    "ml",
                    "online-deployment",
                    "create",
                    "--file",
                    file.path,
                    *extra,
                    *n.ws_args(),
                    comment=f"{deployment.name}: {real_model}, "
                    f"{_count(deployment)} instance(s) as in the primary",
                )
    if draft.files:
        draft.notes.append(
            "Each deployment file names the primary's model, instance type and count; a model "
            "that is not MLflow also needs the environment and code_configuration of the "
            "primary's deployment: fill in <environment-and-code> in the file."
        )
    else:
        draft.notes.append(
            "The endpoints lacking in the secondary could not be told from the estate."
        )
    n.done["online"] = "DR-10"
    return draft


@_builds("DR-10-CAPACITY")
def _capacity(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    if n.secondary is None or n.primary is None:
        return draft
    lacking = {e.name.lower() for e in _missing_endpoints(n)}
    if lacking and "DR-10" in n.failing:
        draft.notes.append(
            "The DR-10 step creates the lacking deployments with the primary's instance counts."
        )
    theirs = {e.name.lower(): e for e in n.estate.children_of(n.secondary.id, ONLINE_ENDPOINT)}
    for endpoint in n.estate.children_of(n.primary.id, ONLINE_ENDPOINT):
        match = theirs.get(endpoint.name.lower())
        if endpoint.name.lower() in lacking or match is None:
            continue
        served = _models(n.estate, match, serving_only=True)
        for model, deployments in sorted(_models(n.estate, endpoint, serving_only=False).items()):
            need = sum(_count(d) for d in deployments)
            have = served.get(model, [])
            short = need - sum(_count(d) for d in have)
            if short <= 0 or not have:
                continue
            target = have[0]
            draft.az(
                "ml",
                "online-deployment",
                "update",
                "--name",
                target.name,
                "--endpoint-name",
                match.name,
                "--set",
                f"instance_count={_count(target) + short}",
                *n.ws_args(),
                comment=f"{_last(model)}: {need - short} instance(s) in {n.secondary_name}, "
                f"{need} in the primary",
            )
    if draft.commands:
        draft.notes.append(
            "Managed online deployments draw on the region's VM quota for their instance type."
        )
    return draft


@_builds("DR-11")
def _ml_registry(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    for rid, observed, _ in _evidence(f, "properties.regionDetails[].location"):
        registry = n.estate.get(rid)
        if registry is None:
            continue
        regions = [norm_region(str(r)) for r in (observed or [])]
        for region in (n.primary_region, n.secondary_region):
            if region and region not in regions and not region.startswith("<"):
                regions.append(region)
        home = norm_region(registry.location)
        content = (
            f"$schema: {_SCHEMA.format('registry')}\nname: {registry.name}\nlocation: {home}\n"
            "replication_locations:\n" + "".join(f"  - location: {r}\n" for r in regions)
        )
        file = File(f"registry-{registry.name}.yml", content)
        draft.files.append(file)
        draft.az(
            "ml",
            "registry",
            "update",
            "--file",
            file.path,
            "--resource-group",
            _rg(registry.raw_id) or "<rg>",
            *n.sub_args(registry.subscription),
            comment=f"{registry.name} replicates to {', '.join(regions)}",
        )
    return draft


def _batch_file(endpoint: str, deployment: Resource) -> File | None:
    asset = _text(deployment.get("properties.model.assetId"))
    if asset is None:
        return None
    compute = _text(deployment.get("properties.compute"))
    count = _int(deployment.get("properties.resources.instanceCount")) or 1
    content = (
        f"$schema: {_SCHEMA.format('modelBatchDeployment')}\n"
        f"name: {deployment.name}\nendpoint_name: {endpoint}\nmodel: {asset}\n"
        f"compute: azureml:{_last(compute) if compute else '<cluster>'}\n"
        f"resources:\n  instance_count: {count}\n# <environment-and-code>\n"
    )
    return File(f"batch-deployment-{endpoint}-{deployment.name}.yml", content)


@_builds("DR-13")
def _batch(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    if n.primary is None or n.secondary is None:
        return draft
    theirs = {e.name.lower(): e for e in n.estate.children_of(n.secondary.id, BATCH_ENDPOINT)}
    for endpoint in n.estate.children_of(n.primary.id, BATCH_ENDPOINT):
        match = theirs.get(endpoint.name.lower())
        have: set[str] = set()
        if match is not None:
            for d in n.estate.children_of(match.id, BATCH_DEPLOYMENT):
                state = (_text(d.get("properties.provisioningState")) or "").lower()
                asset = _text(d.get("properties.model.assetId"))
                if state == "succeeded" and asset:
                    have.add(asset.lower())
        todo = [
            d
            for d in n.estate.children_of(endpoint.id, BATCH_DEPLOYMENT)
            if (_text(d.get("properties.model.assetId")) or "").lower() not in have
        ]
        if not todo:
            continue
        if match is None:
            draft.az(
                "ml",
                "batch-endpoint",
                "create",
                "--name",
                endpoint.name,
                *n.ws_args(),
                comment=f"batch endpoint {endpoint.name} in {n.secondary_name}",
            )
        for i, deployment in enumerate(todo):
            file = _batch_file(endpoint.name, deployment)
            if file is None:
                draft.notes.append(f"batch deployment {deployment.name} has no model recorded")
                continue
            draft.files.append(file)
            default = ("--set-default",) if match is None and i == 0 else ()
            draft.az(
                "ml",
                "batch-deployment",
                "create",
                "--file",
                file.path,
                *default,
                *n.ws_args(),
                comment=f"{deployment.name} of {endpoint.name}",
            )
    if draft.files:
        draft.notes.append(
            "The batch deployments run on the secondary's cluster of the same name (DR-08); a "
            "model that is not MLflow also needs its environment and code_configuration: fill "
            "in <environment-and-code> in the file."
        )
    return draft


@_builds("DR-14")
def _roles(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    if n.primary is None or n.secondary is None:
        return draft
    found = n.estate.role_assignments(n.primary.raw_id)
    kinds = {(a.principal, a.role): a.principal_type for a in (found.value if found.ok else ())}
    evidence = list(f.evidence)
    for i, e in enumerate(evidence):
        if not e.path.startswith("role assignment of ") or e.observed is not None:
            continue
        before = evidence[i - 1] if i else None
        if before is None or before.path != "properties.principalId, roleDefinitionId":
            continue
        principal, _, role = str(before.observed).partition(" ")
        if not principal or not role:
            continue
        label = e.path.split("(", 1)[-1].rstrip(")")
        kind = kinds.get((principal, role), "") or "<principal-type>"
        draft.az(
            "role",
            "assignment",
            "create",
            "--assignee-object-id",
            principal,
            "--assignee-principal-type",
            kind,
            "--role",
            role,
            "--scope",
            n.secondary.raw_id,
            comment=f"{kind} {principal}: {label} on {n.secondary_name}",
        )
        draft.bicep.append(
            Bicep(
                n.secondary_rg,
                f"resource {_symbol('role', principal[:8], role[:8])} "
                "'Microsoft.Authorization/roleAssignments@2022-04-01' = {\n"
                f"  name: guid({_symbol(n.secondary_name)}.id, '{principal}', '{role}')\n"
                f"  scope: {_symbol(n.secondary_name)}\n  properties: {{\n"
                f"    principalId: '{principal}'\n    principalType: '{kind}'\n"
                "    roleDefinitionId: subscriptionResourceId("
                f"'Microsoft.Authorization/roleDefinitions', '{role}')\n  }}\n}}",
                existing=(_existing_ws(_symbol(n.secondary_name), n.secondary_name),),
            )
        )
    return draft


@_builds("DR-15")
def _network(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    if n.primary is None or n.secondary is None:
        return draft
    access = {norm_id(r): o for r, o, _ in _evidence(f, "properties.publicNetworkAccess")}
    links = {norm_id(r): o for r, o, _ in _evidence(f, "private endpoints (approved)")}
    mine = str(access.get(n.primary.id, "")).lower()
    theirs = str(access.get(n.secondary.id, "")).lower()
    if mine == "disabled" and theirs != "disabled":
        draft.az(
            "ml",
            "workspace",
            "update",
            "--name",
            n.secondary_name,
            "--resource-group",
            n.secondary_rg,
            "--public-network-access",
            "Disabled",
            *n.sub_args(n.secondary_sub),
            comment=f"{n.primary.name} disables public access; {n.secondary_name} must too",
        )
    if links.get(n.primary.id) and not links.get(n.secondary.id):
        pe = f"pe-{n.secondary_name}"
        draft.az(
            "network",
            "private-endpoint",
            "create",
            "--name",
            pe,
            "--resource-group",
            n.secondary_rg,
            "--location",
            n.secondary_region,
            "--vnet-name",
            "<vnet-secondary>",
            "--subnet",
            "<subnet-secondary>",
            "--group-id",
            "amlworkspace",
            "--private-connection-resource-id",
            n.secondary.raw_id,
            "--connection-name",
            pe,
            *n.sub_args(n.secondary_sub),
            comment=f"a private endpoint for {n.secondary_name} in {n.secondary_region}",
        )
        primary_pes = ", ".join(str(x) for x in links[n.primary.id])
        draft.notes.append(
            f"{n.primary.name} is reached through {primary_pes}: give {n.secondary_name} one in "
            f"the virtual network of {n.secondary_region} (fill in <vnet-secondary> and "
            "<subnet-secondary>), and link it to the privatelink.api.azureml.ms and "
            "privatelink.notebooks.azure.net DNS zones as the primary's is."
        )
    return draft


_ZONE_SKU = {
    "standard_lrs": "Standard_ZRS",
    "standard_grs": "Standard_GZRS",
    "standard_ragrs": "Standard_RAGZRS",
    "premium_lrs": "Premium_ZRS",
}


@_builds("DR-19")
def _zones(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    for rid, observed, _ in _evidence(f, "sku.name"):
        sku = _ZONE_SKU.get(str(observed).lower())
        if sku is None:
            continue
        draft.az(
            "storage",
            "account",
            "migration",
            "start",
            "--account-name",
            _last(rid),
            "--resource-group",
            _rg(rid) or "<rg>",
            "--sku",
            sku,
            "--no-wait",
            *n.sub_args(_sub(rid)),
            comment=f"{_last(rid)}: {observed} -> {sku} (Azure converts it in the background)",
        )
    for rid, observed, _ in _evidence(f, "properties.zoneRedundancy"):
        if str(observed).lower() == "enabled":
            continue
        if "/replications/" in rid.lower():
            registry, region = rid.split("/replications/")[0], _last(rid)
            args = ("--resource-group", _rg(rid) or "<rg>", *n.sub_args(_sub(rid)))
            draft.az(
                "acr",
                "replication",
                "delete",
                "--registry",
                _last(registry),
                "--name",
                region,
                *args,
                comment="zone redundancy is set when a replication is created",
            )
            draft.az(
                "acr",
                "replication",
                "create",
                "--registry",
                _last(registry),
                "--location",
                region,
                "--zone-redundancy",
                "Enabled",
                *args,
            )
        else:
            draft.notes.append(
                f"Registry {_last(rid)} has zone redundancy {observed}: it is set when a "
                "registry is created. Its replications can be recreated zone-redundant; the "
                "home region needs a new registry (import the images with `az acr import`)."
            )
    return draft


@_builds("DR-22")
def _recoverable(n: _Names, f: Finding) -> _Draft:
    draft = _Draft()
    for e in f.evidence:
        if e.expected is None or e.observed == e.expected:
            continue
        rg = _rg(e.resource) or "<rg>"
        subs = n.sub_args(_sub(e.resource))
        if e.path == "properties.enablePurgeProtection":
            draft.az(
                "keyvault",
                "update",
                "--name",
                _last(e.resource),
                "--resource-group",
                rg,
                "--enable-purge-protection",
                "true",
                *subs,
                comment=f"purge protection on {_last(e.resource)} (it cannot be turned off again)",
            )
        elif e.path == "properties.deleteRetentionPolicy.enabled":
            account = e.resource.split("/blobServices/")[0]
            draft.az(
                "storage",
                "account",
                "blob-service-properties",
                "update",
                "--account-name",
                _last(account),
                "--resource-group",
                rg,
                "--enable-delete-retention",
                "true",
                "--delete-retention-days",
                "14",
                *subs,
                comment=f"blob soft delete on {_last(account)}, 14 days",
            )
        elif e.path == "properties.enableSoftDelete":
            draft.notes.append(
                f"Key Vault {_last(e.resource)} has soft delete off: it cannot be turned on for "
                "an existing vault created without it; move the secrets to a new vault."
            )
    return draft


# -- the template fallback ----------------------------------------------------------------------


def _bindings(n: _Names) -> dict[str, str]:
    """Values for the placeholders of the rules' remediation templates."""
    found: dict[str, str] = {
        "name": n.result.name,
        "secondary-region": n.secondary_region,
        "ws-secondary": n.secondary_name,
        "rg": n.secondary_rg,
        "secondary-workspace-id": n.secondary_id,
        "ws-secondary-id": n.secondary_id,
    }
    if n.secondary_sub:
        found["sub"] = n.secondary_sub
    if n.primary is not None:
        found["ws-primary"] = n.primary.name
        found["primary-region"] = norm_region(n.primary.location)
        rg = _rg(n.primary.raw_id)
        if rg:
            found["rg-primary"] = rg
        kv = n.link(n.primary, "properties.keyVault")
        if kv:
            found["primary-key-vault-id"] = found["shared-key-vault-id"] = kv
            found["key-vault"] = _last(kv)
        acr = n.link(n.primary, "properties.containerRegistry")
        if acr:
            found["registry"] = _last(acr)
            found["registry-id"] = found["shared-registry-id"] = acr
        st = n.link(n.primary, "properties.storageAccount")
        if st:
            found["storage"] = _last(st)
        cosmos_rg = _text(n.primary.get("properties.serviceProvisionedResourceGroup"))
        if cosmos_rg:
            found["service-provisioned-rg"] = _last(cosmos_rg)
    return found


def _from_template(n: _Names, f: Finding) -> _Draft:
    """A rule without its own step builder: its remediation's az_cli, filled from the estate."""
    draft = _Draft()
    template = f.remediation.get("az_cli", "")
    values = _bindings(n)
    comment = ""
    for line in template.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            comment = (comment + " " + line.lstrip("# ")).strip()
            continue
        filled = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), line)
        try:
            words = shlex.split(filled)
        except ValueError:
            draft.notes.append(f"could not read a command of the rule's remediation: {line}")
            continue
        draft.commands.append(Command(tuple(words), comment))
        comment = ""
    if comment:
        draft.notes.append(comment)
    if template:
        draft.notes.append("Commands from the rule's remediation, filled from the estate.")
    return draft


# -- the plan -----------------------------------------------------------------------------------


# The order steps are taken in: what exists before what depends on it (the secondary before its
# dependencies, quota before clusters, clusters before the deployments that run on them).
ORDER = (
    "DR-01",
    "DR-24",
    "DR-02",
    "DR-04",
    "DR-05",
    "DR-06",
    "DR-07",
    "DR-15",
    "DR-14",
    "DR-22",
    "DR-19",
    "DR-18",
    "DR-11",
    "DR-12",
    "DR-09",
    "DR-08",
    "DR-10",
    "DR-10-CAPACITY",
    "DR-13",
    "DR-17",
    "DR-25",
)


def _order(rule: str) -> tuple[int, str]:
    return (ORDER.index(rule) if rule in ORDER else len(ORDER), rule)


def _tier_of(result: WorkloadResult, target: Tier | None, asset_class: AssetClass) -> Tier:
    if target is not None:
        return target
    return result.workload.targets[asset_class]


def build(report: Report, estate: Estate, workload: str, target: Tier | None = None) -> Plan:
    """The plan that takes `workload` to `target` (default: its own targets)."""
    result = next((r for r in report.workloads if r.name == workload), None)
    if result is None:
        known = ", ".join(r.name for r in report.workloads) or "none"
        raise PlanError(f"no workload named {workload!r} in the estate (workloads: {known})")
    chosen: list[tuple[Finding, bool]] = []
    notes: list[str] = []
    waived, manual = [], []
    for finding in result.findings:
        level = finding.levels[_tier_of(result, target, finding.asset_class)]
        if finding.status is Status.SUPPRESSED and level in (Level.REQUIRED, Level.RECOMMENDED):
            waived.append(finding.rule)
        if finding.status is Status.MANUAL:
            manual.append(finding.rule)
        if finding.status not in (Status.FAIL, Status.ERROR):
            continue
        if level is Level.REQUIRED:
            chosen.append((finding, True))
        elif level is Level.RECOMMENDED:
            chosen.append((finding, False))
    failing = frozenset(f.rule for f, _ in chosen if f.status is Status.FAIL)
    names = _Names(estate, result, failing)
    awaiting = sorted((f.rule for f, _ in chosen if f.awaits_secondary), key=_order)
    steps = []
    chosen.sort(key=lambda c: (not c[1], _order(c[0].rule)))
    for finding, blocking in chosen:
        if finding.awaits_secondary and "DR-01" in failing:
            continue
        steps.append(_step(names, finding, blocking, awaiting))
    used = {c.group[1:3] for s in steps for c in s.commands} | {
        c.group[1:2] for s in steps for c in s.commands
    }
    extensions = sorted(" ".join(("az", *g)) for g in _EXTENSIONS & used)
    if extensions:
        notes.append(
            f"{', '.join(extensions)}: commands of Azure CLI extensions; az offers to install "
            "one the first time it is used (or `az extension add --name NAME`)."
        )
    if manual:
        notes.append(
            "Needs attestation (auditor.yaml attestations): "
            f"{', '.join(sorted(set(manual), key=_order))}."
        )
    if waived:
        notes.append(f"Waived, not planned: {', '.join(sorted(set(waived), key=_order))}.")
    tier = target or result.workload.targets[AssetClass.FOUNDATION]
    source = "--target" if target else result.workload.target_source
    return Plan(
        workload=result.name,
        target=tier,
        target_source=source,
        primary=names.primary.name if names.primary else None,
        primary_region=names.primary_region,
        secondary=names.secondary_name if not names.secondary_name.startswith("<") else None,
        secondary_region=names.secondary_region,
        steps=tuple(steps),
        notes=tuple(notes),
        resource_group=None if names.secondary_rg.startswith("<") else names.secondary_rg,
    )


# Command groups that come from Azure CLI extensions, not the azure-cli package.
_EXTENSIONS = {("ml",), ("quota",), ("monitor", "app-insights"), ("k8s-extension",), ("afd",)}


def _step(names: _Names, finding: Finding, blocking: bool, awaiting: Sequence[str]) -> Step:
    common = Step(
        rule=finding.rule,
        title=finding.title,
        blocking=blocking,
        severity=finding.severity.value,
        why=finding.message,
        summary=finding.remediation.get("summary", ""),
        docs=finding.docs,
    )
    if finding.status is Status.ERROR:
        return replace(
            common,
            unseen=True,
            notes=(
                "The scan could not read what this rule needs, so the plan cannot say what to "
                "change: give the scanning identity read access to it (docs/scheduled-runs.md) "
                "and scan again.",
            ),
        )
    if finding.rule in names.done and finding.rule != names.done[finding.rule]:
        return replace(common, notes=(f"Done by the {names.done[finding.rule]} step.",))
    builder = _BUILDERS.get(finding.rule, _from_template)
    draft = builder(names, finding)
    if finding.rule == "DR-01" and awaiting:
        draft.notes.append(
            f"{', '.join(awaiting)} compare the pair and wait for this secondary: the workspace "
            "this step creates has its own storage and Application Insights and shares the "
            "primary's Key Vault and registry; scan and plan again once it exists."
        )
    if not draft.commands and not draft.notes:
        draft.notes.append("Nothing in the estate names what to change: see the rule's docs.")
    notes = list(draft.notes)
    seen: set[str] = set()
    for command in draft.commands:
        for word in command.args:
            for name in PLACEHOLDER.findall(word):
                seen.add(name)
    for file in draft.files:
        seen.update(PLACEHOLDER.findall(file.content))
    for name in sorted(seen):
        if not any(f"<{name}>" in note for note in notes):
            notes.append(f"Fill in <{name}>: {FILL_IN.get(name, 'not known from the estate')}.")
    return replace(
        common,
        commands=tuple(draft.commands),
        files=tuple(draft.files),
        bicep=tuple(draft.bicep),
        notes=tuple(notes),
    )


def rules_with_builders() -> Iterable[str]:
    return tuple(_BUILDERS)
