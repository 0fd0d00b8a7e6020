"""The estate reads the payload shapes Azure really returns (spec examples), case-insensitively."""

from __future__ import annotations

import json
from pathlib import Path

from auditor import snapshot
from auditor.azure import MISSING, family_key, norm_region
from auditor.estate import build, parse_locations, parse_quota, parse_vm_sizes

EXAMPLES = Path(__file__).parent / "fixtures" / "azure"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def test_family_names_differ_between_apis_but_map_to_one_key():
    sizes = parse_vm_sizes(example("ml-vmsizes.list.json")["value"])
    quota = parse_quota(
        example("ml-usages.list.json")["value"], "00000000-0000-0000-0000-000000000000"
    )
    ds3 = sizes["standard_ds3_v2"]
    assert (ds3.family, ds3.vcpus) == ("standardDSv2Family", 4)
    row = quota.families[(family_key(ds3.family), "dedicated")]
    assert (row.limit, row.current) == (24, 2)
    # NC low priority has no per-family cap (-1); the regional totals are separate rows
    assert quota.families[("standardncfamily", "lowpriority")].limit == -1
    assert quota.totals["dedicated"].limit == 24
    assert quota.totals["lowpriority"].limit == 50
    # per-workspace and per-cluster usage rows are not mistaken for subscription quota
    assert len(quota.families) == 2


def test_paired_regions_from_list_locations():
    locations = parse_locations(example("subscription-locations.list.json")["value"])
    assert locations["eastus"].paired == ("westus",)
    assert locations["eastus2"].paired == ("centralus",)
    assert locations["eastus"].geography == "United States"


def test_regions_compare_by_programmatic_name():
    assert norm_region("South Central US") == "southcentralus" == norm_region("southcentralus")


def _doc(rows, arm=()):
    return snapshot.validate(
        {
            "format": "auditor.snapshot",
            "version": 1,
            "collected_at": "2026-11-20T06:00:00Z",
            "cloud": "AzureCloud",
            "scope": {"subscriptions": [], "management_groups": []},
            "resources": rows,
            "arm": list(arm),
            "errors": [],
        },
        "test",
    )


def test_ids_resolve_whatever_their_casing():
    ws = example("ml-workspace.get.json")
    ai = example("appinsights-component.get.json")
    ai["id"] = ws["properties"]["applicationInsights"].replace(
        "microsoft.insights", "Microsoft.Insights"
    )
    estate = build(_doc([ws, ai]))
    found = estate.get(ws["properties"]["applicationInsights"])
    assert found is not None and found.location == "southcentralus"
    assert estate.get(ws["id"].upper().replace("/SUBSCRIPTIONS/", "/subscriptions/")) is not None
    assert estate.get(ws["id"] + "/") is not None


def test_replications_are_children_of_their_registry():
    registry = example("acr-registry.get.json")
    replica = example("acr-replications.list.json")["value"][0]
    estate = build(_doc([registry, replica]))
    kids = estate.children_of(registry["id"].lower(), replica["type"].lower())
    assert [k.location for k in kids] == ["eastus"]


def test_malformed_rows_are_reported_not_raised():
    estate = build(_doc([None, {"id": 5}, {"type": "x"}, [], "row", example("keyvault.get.json")]))
    assert len(estate.problems) == 5
    assert "resources[1]" in estate.problems[1]
    assert not estate.complete
    vault = estate.get(example("keyvault.get.json")["id"])
    # the example omits the soft-delete keys: absent is MISSING, never False
    assert vault.get("properties.enableSoftDelete") is MISSING


def test_arm_lookups_say_why_they_failed():
    path = "/subscriptions/s1/providers/Microsoft.MachineLearningServices/locations/eastus/usages"
    estate = build(
        _doc(
            [],
            [
                {
                    "path": path,
                    "api_version": "2024-04-01",
                    "status": 403,
                    "body": {"error": {"code": "AuthorizationFailed", "message": "denied"}},
                }
            ],
        )
    )
    found = estate.quota("s1", "eastus")
    assert not found.ok and "HTTP 403 AuthorizationFailed: denied" in found.problem
    absent = estate.quota("s1", "westus")
    assert not absent.ok and "not recorded in the snapshot" in absent.problem


def test_a_snapshot_reads_as_the_standard_library_reads_it(tmp_path):
    """The fast parser hands what it refuses to the standard library: a snapshot holding
    NaN, a 100-bit integer and a lone surrogate (json.loads accepts all three) loads with
    the same values as before, the surrogate as its escape (no output could encode it)."""
    text = (
        '{"format": "auditor.snapshot", "version": 1, "collected_at": "2026-11-26T00:00:00Z",'
        ' "cloud": "AzureCloud", "scope": {"subscriptions": [], "management_groups": []},'
        ' "resources": [{"id": "/subscriptions/s/x", "name": "x\\ud800", "type": "t",'
        ' "properties": {"ratio": NaN, "big": 1267650600228229401496703205376}}],'
        ' "arm": [], "errors": []}'
    )
    path = tmp_path / "odd.json"
    path.write_text(text)
    loaded = snapshot.load(path).resources[0]
    expected = json.loads(text)["resources"][0]
    assert expected["name"] == "x\ud800" and loaded["name"] == "x\\ud800"
    assert loaded["properties"]["big"] == 2**100
    assert loaded["properties"]["ratio"] != loaded["properties"]["ratio"]  # NaN


def test_a_finding_lists_each_piece_of_evidence_once_as_json_tells_them_apart():
    from auditor.checks import Look

    look = Look(build(_doc([])))
    ws = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w"
    for observed in ("eastus", "eastus", True, 1, 1.0, {"a": [1]}, {"a": [1]}, {"a": [2]}, None):
        look.observe(ws, "location", observed)
    look.observe(ws, "location", "eastus", "westus")  # the same value, another expectation
    look.observe(ws, "name", "eastus")  # the same value at another path
    evidence = [(e.path, e.observed, e.expected) for e in look.outcome("").evidence]
    assert evidence == [
        ("location", "eastus", None),
        ("location", True, None),
        ("location", 1, None),
        ("location", 1.0, None),
        ("location", {"a": [1]}, None),
        ("location", {"a": [2]}, None),
        ("location", None, None),
        ("location", "eastus", "westus"),
        ("name", "eastus", None),
    ]
    assert [type(e.observed) for e in look.outcome("").evidence[1:4]] == [bool, int, float]


def test_finding_ids_are_the_documented_hash_of_rule_workload_and_workspaces():
    """F- + the first 16 hex digits of sha256("rule|workload|primary|secondary"), normalised
    ids: stable across runs and versions (waivers, diffs and history match on them)."""
    import hashlib

    from auditor import config, demo, engine, rules, scan

    report = scan.run(
        snapshot.load(demo.snapshot_path()), config.load(demo.config_path()), rules.load()
    )
    workloads = {w.name: w.workload for w in report.workloads}
    for finding in report.findings:
        workload = workloads[finding.workload]
        subject = "|".join(
            [workload.name, workload.primary.lower(), (workload.secondary or "").lower()]
        )
        digest = hashlib.sha256(f"{finding.rule}|{subject}".encode()).hexdigest()
        assert finding.id == "F-" + digest[:16] == engine.finding_id(finding.rule, workload)
