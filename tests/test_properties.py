"""Properties over arbitrary estates: junk never crashes a scan, missing data never passes,
readiness is monotone across tiers, and the report does not depend on the order of rows."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor import demo, rules, scan, snapshot
from auditor.azure import (
    API_LOCATIONS,
    API_PROVIDER,
    blob_service_path,
    computes_path,
    datastores_path,
    locations_path,
    provider_path,
    usages_path,
    vm_sizes_path,
)
from auditor.config import Config
from auditor.model import TIERS, Status, Tier
from auditor.render import json_report
from auditor.report import Report
from auditor.testing.builder import (
    REGIONS,
    SIZES,
    PairSpec,
    SnapshotBuilder,
    add_pair,
    standard_quota,
)

RULES = rules.load()
NOW = dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.UTC)
SUB = "3e1d2c4b-6a5f-4e7d-9c8b-0a1f2e3d4c5b"
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ATTESTATION = {
    "by": "ml-platform@contoso.example",
    "date": "2026-10-01",
    "evidence": "https://dev.azure.com/contoso/ml-platform/_wiki/wikis/dr/42",
    "expires": "2027-04-01",
}


def _healthy() -> tuple[dict[str, Any], dict[str, Any], tuple[str, str]]:
    """A pair that passes every rule at hot/hot: two clusters, two endpoints, attestations,
    a batch endpoint, training data, private endpoints, AKS, customer-managed keys, Front Door."""
    b = SnapshotBuilder()
    b.subscription(SUB)
    standard_quota(b, SUB, ["eastus", "westus"], 96)
    spec = PairSpec(
        name="fraud",
        sub=SUB,
        primary_region="eastus",
        secondary_region="westus",
        clusters=(
            ("cpu-train", "Standard_DS3_v2", 8, "Dedicated"),
            ("gpu-train", "Standard_NC6s_v3", 2, "LowPriority"),
        ),
        endpoints=(("score", "fraud-detector", 3), ("rank", "ranker", 2)),
        # what the recommended rules judge, so that none of them is not_applicable
        training_storage_sku="Standard_RAGZRS",
        batch_endpoints=(("nightly", "fraud-detector"),),
        private=True,
        aks_zones=("1", "2", "3"),
        cmk=True,
        router="frontdoor",
    )
    primary, secondary = add_pair(b, spec)
    config = {
        "workloads": [
            {
                "name": "fraud",
                "primary": primary,
                "secondary": secondary,
                "target": "hot/hot",
                "attestations": {req: ATTESTATION for req in ("DR-16", "DR-20", "DR-21")},
            }
        ]
    }
    return b.build(), config, (primary, secondary)


HEALTHY, HEALTHY_CONFIG, (PRIMARY, SECONDARY) = _healthy()
CONFIG = Config.model_validate(HEALTHY_CONFIG)


def _scan(doc: dict[str, Any], config: Config = CONFIG) -> Report:
    return scan.run(snapshot.validate(doc, "hypothesis"), config, RULES, now=NOW)


def _statuses(report: Report) -> dict[str, Status]:
    return {f.rule: f.status for f in report.findings if f.workload == "fraud"}


def test_the_healthy_pair_passes_every_rule() -> None:
    statuses = _statuses(_scan(copy.deepcopy(HEALTHY)))
    assert statuses == {rule.id: Status.PASS for rule in RULES}


# -- arbitrary rows never crash a scan ----------------------------------------------------------

IDS = sorted({row["id"] for row in HEALTHY["resources"]})
TYPES = sorted({row["type"] for row in HEALTHY["resources"]})
PATHS = (
    "id",
    "type",
    "name",
    "location",
    "tags",
    "sku",
    "sku.name",
    "sku.capacity",
    "properties",
    "properties.keyVault",
    "properties.storageAccount",
    "properties.containerRegistry",
    "properties.applicationInsights",
    "properties.provisioningState",
    "properties.traffic",
    "properties.model",
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
junk_ids = (
    st.sampled_from(IDS)
    | st.sampled_from(IDS).map(str.upper)
    | st.sampled_from(IDS).map(lambda i: i + "/onlineEndpoints/x")
    | st.sampled_from(["", "/", "//[x", "//[x/mlw-junk-eastus", "x", "/subscriptions", "?a=b"])
    | st.text(max_size=30)
)
junk_rows = st.fixed_dictionaries(
    {},
    optional={
        "id": junk_ids | json_values,
        "type": st.sampled_from(TYPES) | st.text(max_size=20) | json_values,
        "name": st.sampled_from(["mlw-junk-eastus", "mlw-junk-westus", ""]) | json_values,
        "location": st.sampled_from(["eastus", "West US", " ", ""]) | json_values,
        "tags": st.dictionaries(st.sampled_from(["dr-workload", "dr-role", "dr-target"]), scalars)
        | json_values,
        "sku": json_values,
        "properties": st.dictionaries(
            st.sampled_from([p.split(".")[-1] for p in PATHS]), json_values
        )
        | json_values,
    },
)
edits = st.tuples(
    st.sampled_from(["append", "replace", "set", "delete", "arm"]),
    st.integers(min_value=0, max_value=10**6),
    junk_rows | json_values,
    st.sampled_from(PATHS),
    junk_ids | json_values,
)


def _set_path(node: Any, path: str, value: Any, *, delete: bool = False) -> None:
    *parents, last = path.split(".")
    for part in parents:
        if not isinstance(node, dict):
            return
        if not isinstance(node.get(part), dict):
            if delete:
                return  # nothing there to delete: deleting must not create the parents
            node[part] = {}
        node = node[part]
    if not isinstance(node, dict):
        return
    if delete:
        node.pop(last, None)
    else:
        node[last] = value


def _apply(doc: dict[str, Any], edit: tuple[str, int, Any, str, Any]) -> None:
    kind, index, row, path, value = edit
    rows = doc["resources"]
    if kind == "append" or not rows:
        rows.append(row)
    elif kind == "replace":
        rows[index % len(rows)] = row
    elif kind in ("set", "delete"):
        _set_path(rows[index % len(rows)], path, value, delete=kind == "delete")
    else:
        read = doc["arm"][index % len(doc["arm"])]
        listed = read["body"].get("value") if isinstance(read["body"], dict) else None
        if isinstance(listed, list) and listed and index % 2:
            listed[index % len(listed)] = value
        else:
            read["body"] = value


@PROPERTY
@given(st.lists(edits, min_size=1, max_size=6), st.booleans())
def test_arbitrary_rows_never_crash_a_scan(edit_list: list[Any], with_config: bool) -> None:
    doc = copy.deepcopy(HEALTHY)
    for edit in edit_list:
        _apply(doc, edit)
    report = _scan(doc, CONFIG if with_config else Config())
    document = json.loads(json_report.render(report))
    assert len(document["findings"]) == len(report.findings)
    malformed = [r for r in doc["resources"] if not isinstance(r, dict)]
    if malformed:
        assert not report.scan.complete


HOSTILE_IDS = ("", "/", "//[x", "http://[::1/a", "x?y", "/subscriptions/" + SUB)


def test_every_deleted_property_and_hostile_id_still_renders() -> None:
    """The sweep Hypothesis may not reach: each path the rules read, deleted from each row,
    and each row given an id that is not a resource id (nor even a URL)."""
    for index in range(len(HEALTHY["resources"])):
        for path in PATHS:
            doc = copy.deepcopy(HEALTHY)
            _set_path(doc["resources"][index], path, None, delete=True)
            for config in (CONFIG, Config()):
                json_report.render(_scan(doc, config))
        for hostile in HOSTILE_IDS:
            doc = copy.deepcopy(HEALTHY)
            doc["resources"][index]["id"] = hostile
            json_report.render(_scan(doc, Config()))


# -- missing data never passes -----------------------------------------------------------------


@dataclass(frozen=True)
class Removal:
    """Data taken away from the healthy pair, and the rules that need it."""

    what: str
    apply: Callable[[dict[str, Any]], None]
    needed_by: frozenset[str]


def _row(doc: dict[str, Any], rid: str) -> dict[str, Any]:
    """The row with that id; an empty one when another removal dropped it."""
    return next((r for r in doc["resources"] if r["id"] == rid), {})


def _id_of(suffix: str) -> str:
    return next(i for i in IDS if i.endswith(suffix))


def _delete(rid: str, path: str) -> Callable[[dict[str, Any]], None]:
    return lambda doc: _set_path(_row(doc, rid), path, None, delete=True)


def _drop_row(rid: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        doc["resources"] = [r for r in doc["resources"] if r["id"] != rid]

    return apply


def _lose_read(path: str, api_version: str, mode: str) -> Callable[[dict[str, Any]], None]:
    """Lose an ARM read: not recorded, answered 403, a body without its list, or throttled."""

    def apply(doc: dict[str, Any]) -> None:
        read = next((r for r in doc["arm"] if r["path"].lower() == path.lower()), None)
        if read is None:  # another removal took it already
            return
        if mode == "forbidden":
            read["status"] = 403
            read["body"] = {"error": {"code": "AuthorizationFailed", "message": "denied"}}
        elif mode == "no-list":
            read["body"] = {}
        else:
            doc["arm"].remove(read)
        if mode == "throttled":
            doc["errors"].append(
                {
                    "source": "arm",
                    "request": f"GET {path}?api-version={api_version}",
                    "status": 429,
                    "code": "TooManyRequests",
                    "message": "gave up after 5 retries",
                }
            )

    return apply


def _removals() -> list[Removal]:
    removals = []
    for role, ws in (("primary", PRIMARY), ("secondary", SECONDARY)):
        for path, rules_ in (
            ("properties.keyVault", {"DR-05", "DR-22"}),
            ("properties.storageAccount", {"DR-04", "DR-12", "DR-19", "DR-22"}),
            ("properties.containerRegistry", {"DR-06", "DR-19"}),
            ("properties.applicationInsights", {"DR-07"}),
            ("properties", {"DR-04", "DR-05", "DR-06", "DR-07", "DR-15", "DR-19", "DR-22"}),
            ("location", {"DR-01", "DR-02", "DR-04", "DR-07", "DR-11", "DR-24"}),
        ):
            if role == "secondary" and path == "location":
                # DR-06: the registry must be present in the secondary's region only
                rules_ = rules_ | {"DR-06", "DR-09", "DR-12", "DR-18"}
            if role == "primary" and path == "location":
                rules_ = rules_ | {"DR-17"}
            if role == "primary" and path == "properties":
                rules_ = rules_ | {"DR-18"}
            removals.append(Removal(f"{role} {path}", _delete(ws, path), frozenset(rules_)))
    storage = _id_of("storageAccounts/stfraudwestus")
    vault = _id_of("vaults/kv-fraud")
    registry = _id_of("registries/acrfraud")
    replica = _id_of("registries/acrfraud/replications/westus")
    insights = _id_of("components/appi-fraud-westus")
    primary_blue = _id_of("mlw-fraud-eastus/onlineEndpoints/score/deployments/blue")
    secondary_blue = _id_of("mlw-fraud-westus/onlineEndpoints/score/deployments/blue")
    both = frozenset({"DR-10", "DR-10-CAPACITY"})
    removals += [
        Removal("storage location", _delete(storage, "location"), frozenset({"DR-04"})),
        Removal("storage row", _drop_row(storage), frozenset({"DR-04", "DR-19"})),
        Removal("storage sku", _delete(storage, "sku"), frozenset({"DR-19"})),
        Removal("key vault row", _drop_row(vault), frozenset({"DR-05", "DR-22"})),
        Removal("registry sku", _delete(registry, "sku"), frozenset({"DR-06"})),
        Removal("registry sku.name", _delete(registry, "sku.name"), frozenset({"DR-06"})),
        Removal("registry location", _delete(registry, "location"), frozenset({"DR-06"})),
        Removal("registry row", _drop_row(registry), frozenset({"DR-06", "DR-19"})),
        Removal(
            "registry zoneRedundancy",
            _delete(registry, "properties.zoneRedundancy"),
            frozenset({"DR-19"}),
        ),
        Removal(
            "replication zoneRedundancy",
            _delete(replica, "properties.zoneRedundancy"),
            frozenset({"DR-19"}),
        ),
        Removal(
            "replication state",
            _delete(replica, "properties.provisioningState"),
            frozenset({"DR-06"}),
        ),
        Removal("replication location", _delete(replica, "location"), frozenset({"DR-06"})),
        Removal("app insights location", _delete(insights, "location"), frozenset({"DR-07"})),
        Removal("app insights row", _drop_row(insights), frozenset({"DR-07"})),
        Removal("primary model", _delete(primary_blue, "properties.model"), both),
        Removal("secondary model", _delete(secondary_blue, "properties.model"), both),
        Removal(
            "secondary deployment state",
            _delete(secondary_blue, "properties.provisioningState"),
            both,
        ),
        Removal(
            "primary capacity",
            _delete(primary_blue, "sku.capacity"),
            frozenset({"DR-10-CAPACITY"}),
        ),
        Removal(
            "secondary capacity",
            _delete(secondary_blue, "sku.capacity"),
            frozenset({"DR-10-CAPACITY"}),
        ),
    ]
    removals += _catalogue_removals()
    reads = (
        ("locations", locations_path(SUB), API_LOCATIONS, {"DR-02"}),
        ("ML provider", provider_path(SUB), API_PROVIDER, {"DR-24"}),
        ("primary computes", computes_path(PRIMARY), "2024-04-01", {"DR-08", "DR-09", "DR-17"}),
        ("secondary computes", computes_path(SECONDARY), "2024-04-01", {"DR-08", "DR-17"}),
        ("primary datastores", datastores_path(PRIMARY), "2024-04-01", {"DR-12"}),
        ("secondary usages", usages_path(SUB, "westus"), "2024-04-01", {"DR-09"}),
        ("secondary vm sizes", vm_sizes_path(SUB, "westus"), "2024-04-01", {"DR-09"}),
        (
            "blob service",
            blob_service_path(_id_of("storageAccounts/stfraudeastus")),
            "2023-05-01",
            {"DR-22"},
        ),
    )
    for name, path, version, rules_ in reads:
        for mode in ("not-recorded", "forbidden", "no-list", "throttled"):
            removals.append(
                Removal(f"{name} read {mode}", _lose_read(path, version, mode), frozenset(rules_))
            )
    return removals


def _catalogue_removals() -> list[Removal]:
    """The data the recommended rules DR-11 to DR-25 read."""
    registry = _id_of("registries/mlr-fraud")
    training = _id_of("storageAccounts/stfraudtrain")
    batch = _id_of("mlw-fraud-westus/batchEndpoints/nightly")
    batch_primary = _id_of("mlw-fraud-eastus/batchEndpoints/nightly/deployments/default")
    aks = _id_of("managedClusters/aks-fraud-eastus")
    cosmos = _id_of("databaseAccounts/cosmosfraudeastus")
    origin = _id_of("origingroups/score/origins/origin1")
    endpoint = _id_of("mlw-fraud-eastus/onlineEndpoints/score")

    def lose_table(doc: dict[str, Any]) -> None:
        doc["tables"].pop("authorizationresources", None)

    def table_failed(doc: dict[str, Any]) -> None:
        doc["errors"].append(
            {
                "source": "resource_graph",
                "request": "POST /providers/Microsoft.ResourceGraph/resources "
                f"(authorizationresources, subscription {SUB}, page 1)",
                "status": 429,
                "code": "RateLimiting",
                "message": "gave up after 5 retries",
                "subscription": SUB,
            }
        )

    def lose_managed_group(doc: dict[str, Any]) -> None:
        # not through _delete: an empty 'properties' it would recreate is a non-CMK workspace
        props = _row(doc, PRIMARY).get("properties")
        if isinstance(props, dict):
            props.pop("serviceProvisionedResourceGroup", None)

    one = frozenset
    return [
        Removal("ml registry row", _drop_row(registry), one({"DR-11"})),
        Removal(
            "ml registry regions", _delete(registry, "properties.regionDetails"), one({"DR-11"})
        ),
        Removal("training storage row", _drop_row(training), one({"DR-12"})),
        Removal("training storage sku", _delete(training, "sku"), one({"DR-12"})),
        Removal(
            "training storage secondary",
            _delete(training, "properties.secondaryLocation"),
            one({"DR-12"}),
        ),
        Removal(
            "secondary batch endpoint state",
            _delete(batch, "properties.provisioningState"),
            one({"DR-13"}),
        ),
        Removal(
            "secondary batch deployment state",
            _delete(f"{batch}/deployments/default", "properties.provisioningState"),
            one({"DR-13"}),
        ),
        Removal("primary batch model", _delete(batch_primary, "properties.model"), one({"DR-13"})),
        Removal("role assignments table", lose_table, one({"DR-14"})),
        Removal("role assignments throttled", table_failed, one({"DR-14"})),
        Removal("aks row", _drop_row(aks), one({"DR-17"})),
        Removal("aks pools", _delete(aks, "properties.agentPoolProfiles"), one({"DR-17"})),
        Removal("cosmos row", _drop_row(cosmos), one({"DR-18"})),
        Removal("cosmos locations", _delete(cosmos, "properties.locations"), one({"DR-18"})),
        Removal("primary managed resource group", lose_managed_group, one({"DR-18"})),
        Removal("origin host", _delete(origin, "properties.hostName"), one({"DR-25"})),
        Removal("scoring uri", _delete(endpoint, "properties.scoringUri"), one({"DR-25"})),
    ]


REMOVALS = _removals()


@PROPERTY
@given(st.lists(st.sampled_from(REMOVALS), min_size=1, max_size=3, unique_by=lambda r: r.what))
def test_missing_data_never_passes(removals: list[Removal]) -> None:
    doc = copy.deepcopy(HEALTHY)
    for removal in removals:
        removal.apply(doc)
    statuses = _statuses(_scan(doc))
    needed = set().union(*(r.needed_by for r in removals))
    wrong = {rule: statuses[rule].value for rule in needed if statuses[rule] is not Status.ERROR}
    assert not wrong, f"after removing {[r.what for r in removals]}: expected error, got {wrong}"
    # Missing data is never a reason to fail either: a fail needs evidence.
    failed = sorted(rule for rule, status in statuses.items() if status is Status.FAIL)
    assert not failed, f"after removing {[r.what for r in removals]}: {failed} fail"


def test_the_required_removals_are_covered() -> None:
    """The cases the policy insists on are in the table the property draws from."""
    table = {r.what: r.needed_by for r in REMOVALS}
    for role in ("primary", "secondary"):
        assert "DR-05" in table[f"{role} properties.keyVault"]
    for mode in ("not-recorded", "forbidden"):
        assert {"DR-08", "DR-09"} <= table[f"primary computes read {mode}"]
        assert "DR-09" in table[f"secondary usages read {mode}"]
        assert "DR-02" in table[f"locations read {mode}"]


# -- readiness is monotone across tiers ---------------------------------------------------------

cluster = st.tuples(
    st.sampled_from(["cpu", "gpu", "big"]),
    st.sampled_from(sorted(s.name for s in SIZES.values())),
    st.integers(min_value=0, max_value=24),
    st.sampled_from(["Dedicated", "LowPriority"]),
)
clusters = st.lists(cluster, max_size=3, unique_by=lambda c: c[0]).map(tuple)
endpoint = st.tuples(
    st.sampled_from(["score", "rank", "embed"]),
    st.sampled_from(["fraud-detector", "ranker"]),
    st.integers(min_value=1, max_value=5),
)
endpoints = st.lists(endpoint, max_size=3, unique_by=lambda e: e[0]).map(tuple)
region_pairs = st.lists(st.sampled_from(sorted(REGIONS)), min_size=2, max_size=2, unique=True)
tiers = st.sampled_from([t.value for t in TIERS])


@st.composite
def pair_specs(draw: st.DrawFn) -> PairSpec:
    primary, secondary = draw(region_pairs)
    return PairSpec(
        name="fraud",
        sub=SUB,
        primary_region=primary,
        secondary_region=secondary,
        registry_sku=draw(st.sampled_from(["Premium", "Standard", "Basic"])),
        replicate_registry=draw(st.booleans()),
        shared_storage=draw(st.booleans()),
        shared_key_vault=draw(st.booleans()),
        shared_app_insights=draw(st.booleans()),
        clusters=draw(clusters),
        secondary_clusters=draw(st.none() | clusters),
        endpoints=draw(endpoints),
        secondary_endpoints=draw(st.none() | endpoints),
        tags=draw(st.booleans()),
        storage_sku=draw(st.sampled_from(["Standard_ZRS", "Standard_LRS", "Standard_RAGRS"])),
    )


@st.composite
def estates(draw: st.DrawFn) -> tuple[dict[str, Any], Config]:
    """A snapshot of one randomly mutated pair, and a config naming it (or none)."""
    spec = draw(pair_specs())
    b = SnapshotBuilder()
    b.subscription(SUB, draw(st.none() | st.lists(st.sampled_from(sorted(REGIONS)), max_size=8)))
    if draw(st.booleans()):
        standard_quota(b, SUB, [spec.secondary_region], draw(st.integers(0, 200)))
    primary, secondary = add_pair(b, spec)
    if not draw(st.booleans()):
        return b.build(), Config()
    targets = draw(
        st.fixed_dictionaries({"target": tiers})
        | st.fixed_dictionaries({}, optional={c: tiers for c in ("inference", "training")}).map(
            lambda t: {"targets": t} if t else {}
        )
    )
    expiry = st.sampled_from(["2026-11-01", "2026-11-26", "2027-04-01"])
    attestations = draw(
        st.dictionaries(
            st.sampled_from(["DR-16", "DR-20", "DR-21"]),
            expiry.map(lambda e: {**ATTESTATION, "expires": e}),
        )
    )
    workload = {"name": "pair", "primary": primary, "secondary": secondary, **targets}
    return b.build(), Config.model_validate(
        {"workloads": [{**workload, "attestations": attestations}]}
    )


@PROPERTY
@given(estates())
def test_readiness_is_monotone_across_tiers(estate: tuple[dict[str, Any], Config]) -> None:
    doc, config = estate
    report = _scan(doc, config)
    for result in report.workloads:
        ready = {tier: result.tiers[tier].ready for tier in TIERS}
        assert ready[Tier.HOT_WARM] or not ready[Tier.HOT_HOT], result.name
        assert ready[Tier.HOT_COLD] or not ready[Tier.HOT_WARM], result.name
        # the per-class target sits between the strictest and the loosest tier it asks for
        asked = sorted(set(result.workload.targets.values()), key=lambda t: t.strictness)
        strictest, loosest = asked[-1], asked[0]
        assert result.target.ready or not ready[strictest], result.name
        assert ready[loosest] or not result.target.ready, result.name
        if len(asked) == 1:
            assert result.target == result.tiers[strictest], result.name


# -- the report does not depend on the order of rows -------------------------------------------

DEMO_DOC, DEMO_CONFIG = demo.build()


@PROPERTY
@given(st.booleans(), estates(), st.randoms(use_true_random=False))
def test_output_is_deterministic_and_ignores_row_order(
    use_demo: bool, estate: tuple[dict[str, Any], Config], rng: random.Random
) -> None:
    doc, config = (DEMO_DOC, Config.model_validate(DEMO_CONFIG)) if use_demo else estate
    first = json_report.render(_scan(copy.deepcopy(doc), config))
    assert json_report.render(_scan(copy.deepcopy(doc), config)) == first
    shuffled = copy.deepcopy(doc)
    rng.shuffle(shuffled["resources"])
    assert json_report.render(_scan(shuffled, config)) == first
