"""The rules read real recorded Azure answers (tests/real/) where Azure puts each field, and
give the verdicts those answers call for."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor import config, rules, scan, snapshot
from auditor import estate as estate_module
from auditor.azure import (
    API_ML,
    MISSING,
    blob_service_path,
    computes_path,
    datastores_path,
    get_path,
    usages_path,
    vm_sizes_path,
)
from auditor.model import Status
from auditor.testing.builder import SnapshotBuilder, rg_row

REAL = Path(__file__).parent / "real"
SUB = "5e1b0c2d-7a43-4f6e-9b8a-2c4d6e8f0a12"
RG = f"/subscriptions/{SUB}/resourceGroups/rg-ml/providers"
WS = f"{RG}/Microsoft.MachineLearningServices/workspaces"
PRIMARY, SECONDARY = f"{WS}/mlw-fraud-eastus", f"{WS}/mlw-fraud-eastus2"
KV = f"{RG}/Microsoft.KeyVault/vaults/kv-fraud-shared"
ACR = f"{RG}/Microsoft.ContainerRegistry/registries/acrfraudshared"
RULES = rules.load()


@cache
def _case(name: str) -> str:
    return (REAL / name).read_text()


def real(name: str) -> Any:
    """A fresh copy of a recorded body."""
    return json.loads(_case(name))


def test_every_case_is_in_the_index_with_its_source() -> None:
    index = yaml.safe_load((REAL / "index.yaml").read_text())
    listed = {entry["case"] for entry in index["cases"]}
    on_disk = {str(p.relative_to(REAL)) for p in REAL.rglob("*.json")}
    assert listed == on_disk
    for entry in index["cases"]:
        assert {"repository", "path", "commit"} <= set(entry["source"]), entry["case"]
    assert index["not_found"], "the index says which types no real answer was found for"


# -- fields: where the real answers put what the checks read -----------------------------------

PRESENT = [
    ("storage/ragrs-storage-v2.json", "sku.name", "Standard_RAGRS"),
    ("storage/ragrs-storage-v2.json", "properties.secondaryLocation", "westus"),
    ("storage/lrs-storage-v1.rg-row.json", "sku.name", "Standard_LRS"),
    ("blob-services/default-soft-delete-on.json", "properties.deleteRetentionPolicy.enabled", True),
    ("container-registries/premium-zone-redundant.json", "sku.name", "Premium"),
    ("container-registries/premium-zone-redundant.json", "properties.zoneRedundancy", "Enabled"),
    ("container-registry-replications/creating.json", "properties.provisioningState", "Creating"),
    ("container-registry-replications/succeeded-syncing.json", "location", "eastus2"),
    ("app-insights/component-2015-05-01.json", "location", "centralus"),
    (
        "ml-workspaces/private-public-access-disabled.json",
        "properties.publicNetworkAccess",
        "Disabled",
    ),
    ("ml-workspaces/no-registry-no-public-access-key.json", "properties.containerRegistry", None),
    ("ml-online-endpoints/list-item-2023-04-01.json", "properties.provisioningState", "Succeeded"),
    ("ml-online-endpoints/creating.json", "properties.scoringUri", None),
    (
        "front-door-standard/afd-endpoint.json",
        "properties.hostName",
        "ep-fraud-c4dbb7f2a9e3h1gx.z01.azurefd.net",
    ),
    ("traffic-manager/profile-without-endpoints.json", "properties.endpoints", []),
    ("traffic-manager/profile-without-endpoints.json", "properties.profileStatus", "Enabled"),
    ("cosmos-db/single-region.json", "properties.encryption", MISSING),
    ("keyvault/vault-2019-09-01.json", "properties.enableSoftDelete", MISSING),
    ("keyvault/vault-2019-09-01.json", "properties.enablePurgeProtection", MISSING),
    ("container-registries/basic-2017-10-01.json", "properties.zoneRedundancy", MISSING),
    (
        "ml-workspaces/no-registry-no-public-access-key.json",
        "properties.publicNetworkAccess",
        MISSING,
    ),
    ("ml-online-endpoints/list-item-2023-04-01.json", "properties.traffic", MISSING),
    ("aks/availability-set-pool.json", "type", "Microsoft.ContainerService/ManagedClusters"),
]


@pytest.mark.parametrize(("case", "path", "value"), PRESENT, ids=lambda v: str(v)[:40])
def test_a_field_the_checks_read_is_where_the_real_answer_has_it(
    case: str, path: str, value: Any
) -> None:
    assert get_path(real(case), path) == value


def test_fields_inside_lists_are_where_the_real_answers_have_them() -> None:
    door = real("front-door-classic/one-backend.json")["properties"]
    backend = door["backendPools"][0]["properties"]["backends"][0]
    assert (backend["address"], backend["enabledState"]) == (
        "fraud-eastus.contoso.example",
        "Enabled",
    )
    cosmos = real("cosmos-db/single-region.json")["properties"]["locations"]
    assert [c["locationName"] for c in cosmos] == ["South Central US"]  # a display name
    pool = real("aks/availability-set-pool.json")["properties"]["agentPoolProfiles"][0]
    assert pool["name"] == "agentpool" and "availabilityZones" not in pool
    computes = real("ml-computes/cluster-and-instance.json")["value"]
    cluster = computes[0]["properties"]
    assert (cluster["computeType"], cluster["properties"]["vmSize"]) == (
        "AmlCompute",
        "STANDARD_DS3_V2",
    )
    assert cluster["properties"]["scaleSettings"]["maxNodeCount"] == 1
    assert "scaleSettings" not in computes[1]["properties"]["properties"]  # a ComputeInstance
    assignment = real("role-assignments/owner-at-subscription.json")["properties"]
    assert {"principalId", "roleDefinitionId", "principalType", "scope"} <= set(assignment)
    links = real("ml-workspaces/private-public-access-disabled.json")["properties"]
    state = links["privateEndpointConnections"][0]["properties"]
    assert state["privateLinkServiceConnectionState"]["status"] == "Approved"


def test_the_documented_row_of_an_arm_body_is_the_row_resource_graph_answered() -> None:
    """The ARM body of an account and the Resource Graph row of the same account, both real:
    rg_row derives the row the product reads (type, sku, region, properties read, scope)."""
    answer = real("resource-graph/storage-table-format.json")
    columns = [c["name"] for c in answer["data"]["columns"]]
    answered = dict(zip(columns, answer["data"]["rows"][0], strict=True))
    assert answered == real("storage/lrs-storage-v1.rg-row.json")
    assert answer["resultTruncated"] == "false"  # a string, not a JSON boolean
    derived = rg_row(real("storage/lrs-storage-v1.json"), answered["tenantId"])
    for key in ("id", "type", "name", "kind", "location", "sku", "tags", "subscriptionId"):
        assert derived[key] == answered[key], key
    assert derived["resourceGroup"] == answered["resourceGroup"]
    for key in ("primaryLocation", "statusOfPrimary", "provisioningState"):
        assert derived["properties"][key] == answered["properties"][key], key
    # what differs: Resource Graph adds privateEndpointConnections and rounds the times
    assert "privateEndpointConnections" not in derived["properties"]
    assert answered["properties"]["privateEndpointConnections"] == []


# -- whole estates built from the real answers -------------------------------------------------


def _repoint(body: dict[str, Any], workspace: str) -> dict[str, Any]:
    """A recorded computes list, its ids under our workspace."""
    body = copy.deepcopy(body)
    for item in body["value"]:
        item["id"] = f"{workspace}/computes/{item['name']}"
    return body


def estate(
    primary: str = "ml-workspaces/private-public-access-disabled.json",
    secondary: str = "ml-workspaces/private-public-access-disabled.json",
    *,
    secondary_region: str = "eastus2",
    replica: str = "container-registry-replications/succeeded-syncing.json",
    registry: str = "container-registries/premium-zone-redundant.json",
    storage_sku: str = "Standard_ZRS",
) -> SnapshotBuilder:
    """A pair of workspaces made from real answers: its own storage account and Application
    Insights per region, one Key Vault and one registry replicated to the secondary region."""
    b = SnapshotBuilder()
    b.subscription(SUB)
    b.from_template(real("keyvault/vault-2019-09-01.json"), KV, "eastus")
    b.from_template(real(registry), ACR, "eastus")
    b.from_template(real(replica), f"{ACR}/replications/{secondary_region}", secondary_region)
    for ws_id, case, region in (
        (PRIMARY, primary, "eastus"),
        (SECONDARY.replace("eastus2", secondary_region), secondary, secondary_region),
    ):
        name = ws_id.rsplit("-", 1)[-1]
        storage = b.from_template(
            real("storage/ragrs-storage-v2.json"),
            f"{RG}/Microsoft.Storage/storageAccounts/stmlwfraud{name}",
            region,
            {"primaryLocation": region},
        )
        b.rows[-1]["sku"] = {"name": storage_sku, "tier": "Standard"}
        insights = b.from_template(
            real("app-insights/component-2015-05-01.json"),
            f"{RG}/microsoft.insights/components/appi-mlw-fraud-{name}",
            region,
        )
        b.from_template(
            real(case),
            ws_id,
            region,
            {
                "storageAccount": storage,
                "keyVault": KV,
                "applicationInsights": insights,
                "containerRegistry": ACR,
            },
        )
        b.read(
            computes_path(ws_id),
            API_ML,
            _repoint(real("ml-computes/cluster-and-instance.json"), ws_id),
        )
        b.read(
            blob_service_path(storage),
            "2021-02-01",
            real("blob-services/default-soft-delete-on.json"),
        )
    return b


def verdict(b: SnapshotBuilder, rule: str, secondary: str = SECONDARY) -> Any:
    cfg = config.Config(
        workloads=[config.WorkloadConfig(name="fraud", primary=PRIMARY, secondary=secondary)]
    )
    chosen = [r for r in RULES if r.id == rule]
    report = scan.run(snapshot.validate(b.build(), "real answers"), cfg, chosen)
    (finding,) = report.findings
    return finding


def test_a_pair_built_from_real_answers_passes_the_rules_its_answers_meet() -> None:
    b = estate()
    for rule in ("DR-04", "DR-05", "DR-06", "DR-07", "DR-08"):
        finding = verdict(b, rule)
        assert finding.status is Status.PASS, (rule, finding.message)


def test_a_replica_still_being_created_is_no_copy_in_the_secondary_region() -> None:
    b = estate(secondary_region="westus2", replica="container-registry-replications/creating.json")
    finding = verdict(b, "DR-06", SECONDARY.replace("eastus2", "westus2"))
    assert finding.status is Status.FAIL
    assert "no successful replication in westus2" in finding.message


def test_a_replica_without_zone_redundancy_fails_dr19() -> None:
    finding = verdict(estate(), "DR-19")
    assert finding.status is Status.FAIL
    assert "replication of acrfraudshared in eastus2 has zone redundancy Disabled" in (
        finding.message
    )


def test_a_registry_answer_without_zone_redundancy_is_an_error_not_a_pass() -> None:
    b = estate(
        registry="container-registries/basic-2017-10-01.json",
        replica="container-registry-replications/creating.json",
    )
    b.rows = [r for r in b.rows if not r["type"].endswith("/replications")]
    finding = verdict(b, "DR-19")
    assert finding.status is Status.ERROR
    assert "has no 'properties.zoneRedundancy'" in finding.message


def test_a_workspace_before_its_first_image_build_has_no_registry_to_share() -> None:
    b = estate(secondary="ml-workspaces/no-registry-no-public-access-key.json")
    next(r for r in b.rows if r["id"] == SECONDARY)["properties"]["containerRegistry"] = None
    finding = verdict(b, "DR-06")
    assert finding.status is Status.FAIL
    assert "has no container registry" in finding.message


def test_a_real_vault_without_the_purge_protection_key_fails_and_soft_delete_is_judged_on() -> None:
    finding = verdict(estate(), "DR-22")
    assert finding.status is Status.FAIL
    assert "has no purge protection (enablePurgeProtection absent)" in finding.message
    assert any("does not say enableSoftDelete" in note for note in finding.notes)


def test_a_vault_with_purge_protection_and_blob_soft_delete_passes_dr22() -> None:
    b = estate()
    next(r for r in b.rows if r["id"] == KV)["properties"]["enablePurgeProtection"] = True
    assert verdict(b, "DR-22").status is Status.PASS


def test_an_attached_aks_in_an_availability_set_fails_dr17() -> None:
    b = estate()
    for ws_id, region in ((PRIMARY, "eastus"), (SECONDARY, "eastus2")):
        aks = b.from_template(
            real("aks/availability-set-pool.json"),
            f"/subscriptions/{SUB}/resourcegroups/rg-ml-aks/providers/"
            f"Microsoft.ContainerService/managedClusters/aks-fraud-{region}",
            region,
        )
        b.computes(
            ws_id, region, [("cpu-cluster", "Standard_DS3_v2", 1, "Dedicated")], [("aks", aks)]
        )
    finding = verdict(b, "DR-17")
    assert finding.status is Status.FAIL
    assert "node pool agentpool of AKS cluster aks-fraud-eastus" in finding.message


def _endpoints(
    b: SnapshotBuilder, secondary: str = "ml-online-endpoints/list-item-2023-04-01.json"
) -> None:
    for ws_id, region, case in (
        (PRIMARY, "eastus", "ml-online-endpoints/list-item-2023-04-01.json"),
        (SECONDARY, "eastus2", secondary),
    ):
        uri = f"https://fraud-scoring.{region}.inference.ml.azure.com/score"
        body = real(case)
        if body["properties"].get("scoringUri"):
            body["properties"]["scoringUri"] = uri
        b.from_template(body, f"{ws_id}/onlineEndpoints/fraud-scoring", region)


def test_a_real_front_door_in_front_of_both_endpoints_passes_dr25() -> None:
    b = estate()
    _endpoints(b)
    door = real("front-door-classic/one-backend.json")
    pool = door["properties"]["backendPools"][0]["properties"]
    second = copy.deepcopy(pool["backends"][0])
    pool["backends"][0]["address"] = "fraud-scoring.eastus.inference.ml.azure.com"
    second["address"] = "fraud-scoring.eastus2.inference.ml.azure.com"
    pool["backends"].append(second)
    b.from_template(door, f"{RG}/Microsoft.Network/frontDoors/fd-fraud-scoring", "global")
    assert verdict(b, "DR-25").status is Status.PASS


def test_a_real_traffic_manager_without_endpoints_fronts_nothing() -> None:
    b = estate()
    _endpoints(b)
    b.from_template(
        real("traffic-manager/profile-without-endpoints.json"),
        f"{RG}/Microsoft.Network/trafficManagerProfiles/tm-fraud-scoring",
        "global",
    )
    finding = verdict(b, "DR-25")
    assert finding.status is Status.FAIL
    assert "no Front Door or Traffic Manager fronts endpoint fraud-scoring" in finding.message


def test_role_assignments_read_from_rows_derived_from_a_real_assignment() -> None:
    b = estate()
    body = real("role-assignments/owner-at-subscription.json")
    body["id"] = f"{PRIMARY}/providers/Microsoft.Authorization/roleAssignments/{body['name']}"
    body["properties"]["scope"] = PRIMARY
    row = rg_row(body, b.tenant)  # derived: authorizationresources rows are ARM's plus columns
    b.tables["authorizationresources"].append(row)
    finding = verdict(b, "DR-14")
    assert finding.status is Status.FAIL
    assert "User" in finding.message and "Owner on mlw-fraud-eastus" in finding.message


def test_an_isolated_primary_and_a_secondary_whose_answer_leaves_out_public_access_fails() -> None:
    """The service leaves publicNetworkAccess out of a workspace with public access on (the
    default): in one real list answer one workspace says Disabled and the other says nothing."""
    b = estate(secondary="ml-workspaces/no-registry-no-public-access-key.json")
    primary = next(r for r in b.rows if r["id"] == PRIMARY)
    primary["properties"]["privateEndpointConnections"] = []  # isolated by the flag alone
    finding = verdict(b, "DR-15")
    assert finding.status is Status.FAIL, finding.message
    assert "mlw-fraud-eastus2 has it Enabled" in finding.message


def test_a_primary_whose_answer_leaves_out_public_access_has_no_isolation_to_mirror() -> None:
    b = estate(primary="ml-workspaces/no-registry-no-public-access-key.json")
    finding = verdict(b, "DR-15")
    assert finding.status is Status.PASS, finding.message


# -- ML usages, vmSizes, deployments, batch endpoints, datastores (azure-powershell) -----------

USAGES = "ml-usages/eastus-2024-04-01.json"


def test_new_types_have_the_fields_the_checks_read_where_the_real_answers_put_them() -> None:
    deployment = real("ml-online-deployments/managed-succeeded.json")
    assert deployment["properties"]["model"].endswith("/models/fraud-model/versions/1")
    assert (deployment["sku"]["capacity"], deployment["properties"]["provisioningState"]) == (
        3,
        "Succeeded",
    )
    batch = real("ml-batch-deployments/model-succeeded.json")["properties"]
    assert batch["model"]["assetId"].endswith("/models/fraud-batch-model/versions/1")
    assert batch["deploymentConfiguration"] is None
    endpoint = real("ml-batch-endpoints/succeeded-no-default.json")["properties"]
    assert endpoint["defaults"] == {"deploymentName": None}
    stores = {
        s["name"]: s["properties"]
        for s in real("ml-datastores/user-and-system-2024-04-01.json")["value"]
    }
    assert (stores["trainingdata"]["subscriptionId"], stores["trainingdata"]["resourceGroup"]) == (
        None,
        None,
    )
    assert stores["workspaceblobstore"]["resourceGroup"] == "rg-ml"
    assert "containerName" not in stores["workspacefilestore"]
    sizes = {s["name"]: s for s in real("ml-vm-sizes/eastus-2024-04-01.json")["value"]}
    assert (sizes["Standard_D11_v2"]["family"], sizes["Standard_D11_v2"]["vCPUs"]) == (
        "standardDv2Family",
        2,
    )
    assert "estimatedVMPrices" not in sizes["Standard_D1"]


def test_real_usages_keep_a_family_s_dedicated_and_low_priority_rows_apart() -> None:
    """One id (.../usages/standardDSv2Family) and one name.value serve both rows of a family;
    only `type` says which priority a row counts."""
    quota = estate_module.parse_quota(real(USAGES)["value"], SUB)
    assert quota.families[("standarddsv2family", "dedicated")].limit == 6
    assert quota.families[("standarddsv2family", "lowpriority")].limit == -1
    assert quota.families[("standardncasv3t4family", "dedicated")].limit == 0


def test_real_usages_regional_totals_sit_at_the_subscription_id() -> None:
    quota = estate_module.parse_quota(real(USAGES)["value"], SUB)
    assert {k: (v.limit, v.label) for k, v in quota.totals.items()} == {
        "dedicated": (20, "TotalDedicatedCores"),
        "lowpriority": (0, "TotalLowPriorityCores"),
    }


def _quota_estate(max_nodes: int, family_limit: int | None = None) -> SnapshotBuilder:
    """A pair whose clusters are real compute answers resized to Standard_D11_v2 (2 vCPUs,
    standardDv2Family), with the real usages and vmSizes of the secondary region."""
    b = estate()
    for ws_id in (PRIMARY, SECONDARY):
        body = _repoint(real("ml-computes/cluster-and-instance.json"), ws_id)
        inner = body["value"][0]["properties"]["properties"]
        inner["vmSize"] = "STANDARD_D11_V2"  # resized: the real list has no D11_v2 cluster
        inner["scaleSettings"]["maxNodeCount"] = max_nodes
        b.read(computes_path(ws_id), API_ML, body)
    usages = real(USAGES)
    if family_limit is not None:
        for row in usages["value"]:
            if row["id"].endswith("/standardDv2Family") and "dedicated" in row["type"]:
                row["limit"] = family_limit
    b.read(usages_path(SUB, "eastus2"), API_ML, usages)
    b.read(vm_sizes_path(SUB, "eastus2"), API_ML, real("ml-vm-sizes/eastus-2024-04-01.json"))
    return b


def test_real_usages_with_room_pass_dr09() -> None:
    finding = verdict(_quota_estate(max_nodes=3), "DR-09")
    assert finding.status is Status.PASS, finding.message
    assert "quota in eastus2 holds the 6 vCPUs" in finding.message


def test_real_usages_whose_family_quota_is_too_low_fail_dr09() -> None:
    finding = verdict(_quota_estate(max_nodes=4), "DR-09")
    assert finding.status is Status.FAIL, finding.message
    assert "standardDv2Family dedicated quota in eastus2 is 6 vCPUs" in finding.message


def test_real_usages_whose_regional_total_is_too_low_fail_dr09() -> None:
    finding = verdict(_quota_estate(max_nodes=12, family_limit=100), "DR-09")
    assert finding.status is Status.FAIL, finding.message
    assert "regional dedicated vCPU quota in eastus2 is 20" in finding.message


def _deployments(b: SnapshotBuilder, secondary_state: str = "Succeeded") -> None:
    _endpoints(b)
    for ws_id, region, state in (
        (PRIMARY, "eastus", "Succeeded"),
        (SECONDARY, "eastus2", secondary_state),
    ):
        body = real("ml-online-deployments/managed-succeeded.json")
        body["properties"]["provisioningState"] = state
        b.from_template(body, f"{ws_id}/onlineEndpoints/fraud-scoring/deployments/blue", region)


def test_real_deployments_serving_the_same_model_pass_dr10() -> None:
    b = estate()
    _deployments(b)
    finding = verdict(b, "DR-10")
    assert finding.status is Status.PASS, finding.message


def test_a_real_secondary_deployment_still_being_created_fails_dr10() -> None:
    b = estate()
    _deployments(b, secondary_state="Creating")
    finding = verdict(b, "DR-10")
    assert finding.status is Status.FAIL, finding.message
    assert "no provisioned endpoint in mlw-fraud-eastus2 serves the same model" in finding.message


def _batch(b: SnapshotBuilder, secondary: bool = True) -> None:
    for ws_id, region in ((PRIMARY, "eastus"), (SECONDARY, "eastus2"))[: 2 if secondary else 1]:
        b.from_template(
            real("ml-batch-endpoints/succeeded-no-default.json"),
            f"{ws_id}/batchEndpoints/fraud-batch",
            region,
        )
        b.from_template(
            real("ml-batch-deployments/model-succeeded.json"),
            f"{ws_id}/batchEndpoints/fraud-batch/deployments/fraud-batch-v1",
            region,
        )


def test_real_batch_endpoints_in_both_regions_pass_dr13() -> None:
    b = estate()
    _batch(b)
    finding = verdict(b, "DR-13")
    assert finding.status is Status.PASS, finding.message


def test_a_real_batch_endpoint_only_in_the_primary_fails_dr13() -> None:
    b = estate()
    _batch(b, secondary=False)
    finding = verdict(b, "DR-13")
    assert finding.status is Status.FAIL
    assert "batch endpoint fraud-batch has no endpoint of the same name" in finding.message


def _datastores(b: SnapshotBuilder, account: str | None = None) -> None:
    for ws_id in (PRIMARY, SECONDARY):
        body = real("ml-datastores/user-and-system-2024-04-01.json")
        for store in body["value"]:
            store["id"] = f"{ws_id}/datastores/{store['name']}"
            if account and store["name"] == "trainingdata":
                store["properties"]["accountName"] = account
        b.read(datastores_path(ws_id), API_ML, body)


def test_a_real_user_datastore_on_the_default_storage_fails_dr12() -> None:
    """The user datastore's answer has subscriptionId and resourceGroup null: the account is
    found by name."""
    b = estate()
    _datastores(b)
    finding = verdict(b, "DR-12")
    assert finding.status is Status.FAIL, finding.message
    assert "datastore trainingdata is on stmlwfraudeastus, a workspace's default" in (
        finding.message
    )


def test_a_real_user_datastore_on_separate_geo_storage_passes_dr12() -> None:
    b = estate()
    b.from_template(
        real("storage/ragrs-storage-v2.json"),
        f"{RG}/Microsoft.Storage/storageAccounts/sttrainingfraud",
        "eastus",
        {"primaryLocation": "eastus", "secondaryLocation": "eastus2"},
    )
    _datastores(b, account="sttrainingfraud")
    finding = verdict(b, "DR-12")
    assert finding.status is Status.PASS, finding.message
    assert "training data (sttrainingfraud) is on separate geo-redundant storage" in (
        finding.message
    )


def test_a_secondary_endpoint_still_being_created_serves_nothing_for_dr25() -> None:
    """A real endpoint being created has scoringUri null: it is not serving (as DR-10 judges
    it), so no router can fail over to it."""
    b = estate()
    _endpoints(b, secondary="ml-online-endpoints/creating.json")
    finding = verdict(b, "DR-25")
    assert finding.status is Status.FAIL, finding.message
    assert "mlw-fraud-eastus2 has no serving online endpoint" in finding.message
    assert "endpoint fraud-scoring in mlw-fraud-eastus2 is Creating" in finding.notes
