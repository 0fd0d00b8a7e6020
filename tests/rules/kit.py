"""The case kit: one healthy DR pair to edit into a case's snapshot, and the cases of a rule
(name, description, snapshot, config, expected findings), built in memory with
auditor.testing.builder.

Every case starts from one healthy DR pair (workload `fraud`, eastus -> westus, tagged
dr-workload=fraud) and changes one thing; `Cases.add` records what the scan must then find,
in the shape of an expected.yaml of `auditor rules test`.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from auditor.azure import locations_path
from auditor.testing.builder import AZUREML_DATA_SCIENTIST as DATA_SCIENTIST
from auditor.testing.builder import (
    DATA_SCIENTISTS,
    REGIONS,
    PairSpec,
    SnapshotBuilder,
    add_pair,
    standard_quota,
)

SUB = "5c0f1e2d-7a8b-4c9d-8e1f-2a3b4c5d6e7f"
OTHER_SUB = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
RG = "rg-fraud"
AS_OF = dt.date(2026, 11, 26)
OWNER = "ml-platform@contoso.example"
EVIDENCE = "https://dev.azure.com/contoso/ml-platform/_wiki/wikis/dr/42"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"  # the built-in Reader role

# Row id suffixes of the healthy pair, shared by several rules' cases.
PRIMARY_WS = "workspaces/mlw-fraud-eastus"
SECONDARY_WS = "workspaces/mlw-fraud-westus"
PRIMARY_BLUE = "mlw-fraud-eastus/onlineEndpoints/score/deployments/blue"
SECONDARY_BLUE = "mlw-fraud-westus/onlineEndpoints/score/deployments/blue"
CLUSTER = ("cpu-cluster", "Standard_DS3_v2", 8, "Dedicated")
ZONES = ("1", "2", "3")


def arm_id(provider: str, name: str, sub: str = SUB) -> str:
    return SnapshotBuilder.rid(sub, RG, provider, name)


def ws_id(region: str, sub: str = SUB) -> str:
    return arm_id("Microsoft.MachineLearningServices", f"workspaces/mlw-fraud-{region}", sub)


def registry_uri(model: str, version: int) -> str:
    return f"azureml://registries/mlr-fraud/models/{model}/versions/{version}"


def other_casing(resource_id: str) -> str:
    """The same id as Azure also returns it: 'resourcegroups' and a lower-case provider."""
    parts = resource_id.split("/")
    parts[3], parts[6] = parts[3].lower(), parts[6].lower()
    return "/".join(parts)


class Pair:
    """A healthy pair being edited into one case's snapshot."""

    def __init__(
        self,
        primary: str = "eastus",
        secondary: str = "westus",
        *,
        ml_regions: list[str] | None = None,
        secondary_quota: int = 96,
        **spec: Any,
    ) -> None:
        self.b = SnapshotBuilder()
        self.b.subscription(SUB, ml_regions)
        # Only the secondary region's quota is read (DR-09); the primary's is left out for size.
        standard_quota(self.b, SUB, [secondary], secondary_quota)
        spec.setdefault("tags", True)
        pair = PairSpec(
            name="fraud", sub=SUB, primary_region=primary, secondary_region=secondary, **spec
        )
        self.primary, self.secondary = add_pair(self.b, pair)
        self.regions = (primary, secondary)

    # -- Resource Graph rows -----------------------------------------------------------------

    def row(self, suffix: str) -> dict[str, Any]:
        """The one row whose id ends with `suffix`."""
        found = [r for r in self.b.rows if r["id"].endswith(suffix)]
        assert len(found) == 1, f"{len(found)} rows end with {suffix}"
        return found[0]

    def set(self, suffix: str, path: str, value: Any) -> None:
        *parents, last = path.split(".")
        node = self.row(suffix)
        for part in parents:
            node = node[part]
        node[last] = value

    def delete(self, suffix: str, path: str) -> None:
        *parents, last = path.split(".")
        node = self.row(suffix)
        for part in parents:
            node = node[part]
        del node[last]

    def drop_rows(self, suffix: str) -> None:
        """Remove a resource and its child resources."""
        rid = self.row(suffix)["id"]
        self.b.rows = [
            r for r in self.b.rows if r["id"] != rid and not r["id"].startswith(rid + "/")
        ]

    # -- ARM reads ---------------------------------------------------------------------------

    def body(self, path: str) -> Any:
        return self.b.arm[path.lower()]["body"]

    def drop_read(self, path: str) -> None:
        del self.b.arm[path.lower()]

    def forbid(self, path: str, api_version: str | None = None) -> None:
        version = self.b.arm[path.lower()]["api_version"] if api_version is None else api_version
        self.b.forbid(path, version)

    def snapshot(self) -> dict[str, Any]:
        """The document; the locations answer is trimmed to the pair's regions and their pairs."""
        keep = set(self.regions)
        keep.update(p for r in self.regions for p in REGIONS[r].paired)
        read = self.b.arm.get(locations_path(SUB).lower(), {})
        if read.get("status") == 200:
            read["body"]["value"] = [v for v in read["body"]["value"] if v["name"] in keep]
        return self.b.build()


class HubPair(Pair):
    """A DR pair of project workspaces (kind Project), each under its own hub (kind Hub) in
    its region; the projects' rows name no dependencies of their own, only hubResourceId."""

    def __init__(self) -> None:
        self.b = SnapshotBuilder()
        self.b.subscription(SUB)
        standard_quota(self.b, SUB, ["westus"], 96)
        kv = self.b.key_vault(SUB, RG, "kv-fraud", "eastus")
        acr = self.b.registry(SUB, RG, "acrfraud", "eastus", replicas={"westus": "Succeeded"})
        ids = []
        for role, region in (("primary", "eastus"), ("secondary", "westus")):
            storage = self.b.storage(SUB, RG, f"stfraudhub{region}", region)
            insights = self.b.app_insights(SUB, RG, f"appi-fraud-hub-{region}", region)
            hub = self.b.workspace(
                SUB,
                RG,
                f"hub-fraud-{region}",
                region,
                storage=storage,
                key_vault=kv,
                registry=acr,
                app_insights=insights,
                kind="Hub",
            )
            project = self.b.workspace(
                SUB,
                RG,
                f"mlw-fraud-{region}",
                region,
                storage=None,
                key_vault=None,
                registry=None,
                app_insights=None,
                kind="Project",
                hub=hub,
                tags={"dr-workload": "fraud", "dr-role": role},
            )
            for ws in (hub, project):
                self.b.datastores(ws, storage)
                self.b.computes(ws, region, [CLUSTER])
                self.b.role_assignment(ws, DATA_SCIENTISTS, DATA_SCIENTIST)
            self.b.blob_service(storage)
            ids.append(project)
        self.primary, self.secondary = ids
        self.regions = ("eastus", "westus")


HUB_NOTE = "mlw-fraud-westus is a project workspace without its own '{}': judged through hub hub-fraud-westus"
HUB_PAIR = (
    "Two project workspaces (kind Project) name no dependencies of their own: each is "
    "judged through its hub (kind Hub, properties.hubResourceId)."
)


def unpaired(doc: dict[str, Any], *regions: str) -> dict[str, Any]:
    """The snapshot with the locations answer listing no paired region for `regions`."""
    for read in doc["arm"]:
        if read["path"] == locations_path(SUB):
            for location in read["body"]["value"]:
                if location["name"] in regions:
                    location["metadata"]["pairedRegion"] = []
    return doc


def pair_config(pair: Pair, **extra: Any) -> dict[str, Any]:
    """An auditor.yaml naming the pair's workspaces as workload fraud."""
    return {
        "workloads": [
            {"name": "fraud", "primary": pair.primary, "secondary": pair.secondary, **extra}
        ]
    }


def attestation(expires: str) -> dict[str, str]:
    return {"by": OWNER, "date": "2026-10-01", "evidence": EVIDENCE, "expires": expires}


# -- cases ---------------------------------------------------------------------------------------


def expect(
    rule: str,
    status: str,
    *contains: str,
    workload: str = "fraud",
    notes: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One expected finding, as expected.yaml lists it."""
    finding: dict[str, Any] = {"workload": workload, "rule": rule, "status": status}
    if contains:
        finding["message_contains"] = list(contains)
    if notes:
        finding["notes_contain"] = list(notes)
    return finding


@dataclass(frozen=True)
class Case:
    """One case: the documents a case directory of `auditor rules test` holds, in memory."""

    rule: str
    name: str
    description: str
    snapshot: dict[str, Any]
    findings: list[dict[str, Any]]
    config: dict[str, Any] | None = None
    as_of: dt.date = AS_OF

    @property
    def expected(self) -> dict[str, Any]:
        """The expected.yaml document."""
        return {"description": self.description, "as_of": self.as_of, "findings": self.findings}


@dataclass
class Cases:
    """The cases of one rule."""

    rule: str
    cases: list[Case] = field(default_factory=list)

    def add(
        self,
        name: str,
        description: str,
        pair: Pair | dict[str, Any],
        status: str,
        *contains: str,
        notes: tuple[str, ...] = (),
        also: tuple[dict[str, Any], ...] = (),
        config: dict[str, Any] | None = None,
        workload: str = "fraud",
    ) -> None:
        """A case: its name, one sentence on what it shows, the edited pair (or a snapshot
        document), and the status and message fragments of the rule's finding; `also` lists
        other rules' findings to check."""
        assert all(c.name != name for c in self.cases), f"case {name} repeats"
        snapshot = pair.snapshot() if isinstance(pair, Pair) else pair
        first = expect(self.rule, status, *contains, workload=workload, notes=notes)
        self.cases.append(
            Case(self.rule, name, description, snapshot, [first, *also], config=config)
        )


@dataclass
class Attested:
    """The cases every attested rule (DR-16, DR-20, DR-21) has, on one snapshot: an attested
    rule reads the workload's configuration, not Azure. `config(expires)` is the configuration
    with the rule's attestation expiring then (None: no attestation)."""

    rule: str
    cases: Cases = field(init=False)
    snapshot: dict[str, Any] = field(init=False)
    pair: Pair = field(init=False)

    def __post_init__(self) -> None:
        self.cases = Cases(self.rule)
        self.pair = Pair(tags=False)
        self.snapshot = self.pair.snapshot()
        self.cases.add(
            "pass-attested",
            "The workload's configuration records a valid attestation.",
            copy.deepcopy(self.snapshot),
            "pass",
            f"attested by {OWNER} on 2026-10-01 (evidence: {EVIDENCE}), valid until 2027-04-01",
            config=self.config("2027-04-01"),
        )
        self.cases.add(
            "fail-no-attestation",
            "No attestation recorded: the rule stays manual, never a pass.",
            copy.deepcopy(self.snapshot),
            "manual",
            "needs a person's attestation:",
            f"Record it under attestations.{self.rule} of the workload in auditor.yaml",
            config=self.config(None),
        )

    def config(self, expires: str | None) -> dict[str, Any]:
        attested = {self.rule: attestation(expires)} if expires else {}
        return pair_config(self.pair, attestations=attested)
