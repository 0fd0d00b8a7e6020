"""Workloads come from config, then tags, then discovery; every workspace lands in one."""

from __future__ import annotations

from auditor import config as config_mod
from auditor import snapshot
from auditor.estate import build
from auditor.model import AssetClass, Tier
from auditor.testing.builder import PairSpec, SnapshotBuilder, add_pair
from auditor.workloads import resolve, resolve_targets

SUB = "11111111-2222-3333-4444-555555555555"


def _estate(builder: SnapshotBuilder):
    return build(snapshot.validate(builder.build(), "test"))


def test_per_class_targets_judge_foundation_at_the_strictest():
    targets = resolve_targets(
        None,
        {AssetClass.INFERENCE: Tier.HOT_HOT, AssetClass.TRAINING: Tier.HOT_COLD},
        Tier.HOT_COLD,
    )
    assert targets == {
        AssetClass.FOUNDATION: Tier.HOT_HOT,
        AssetClass.INFERENCE: Tier.HOT_HOT,
        AssetClass.TRAINING: Tier.HOT_COLD,
    }
    assert resolve_targets(Tier.HOT_WARM, None, Tier.HOT_COLD)[AssetClass.TRAINING] is Tier.HOT_WARM
    assert resolve_targets(None, None, Tier.HOT_COLD)[AssetClass.FOUNDATION] is Tier.HOT_COLD


def test_config_wins_over_tags_and_discovery():
    b = SnapshotBuilder()
    b.subscription(SUB)
    p, s = add_pair(
        b,
        PairSpec(
            name="fraud", sub=SUB, primary_region="eastus", secondary_region="westus", tags=True
        ),
    )
    cfg = config_mod.parse(
        {
            "workloads": [
                {"name": "payments", "primary": p.upper(), "secondary": s, "target": "hot/warm"}
            ]
        },
        "cfg",
    )
    workloads, _ = resolve(_estate(b), cfg, Tier.HOT_COLD)
    assert [(w.name, w.source) for w in workloads] == [("payments", "config")]
    assert workloads[0].targets[AssetClass.INFERENCE] is Tier.HOT_WARM


def _tagged_pair(**tags_by_region: dict[str, str]) -> SnapshotBuilder:
    """The churn pair (eastus2 -> centralus) with each workspace's tags replaced."""
    b = SnapshotBuilder()
    b.subscription(SUB)
    add_pair(
        b,
        PairSpec(
            name="churn", sub=SUB, primary_region="eastus2", secondary_region="centralus", tags=True
        ),
    )
    for row in b.rows:
        if row["type"] == "microsoft.machinelearningservices/workspaces":
            row["tags"] = tags_by_region[row["location"].replace(" ", "").lower()]
    return b


def test_tags_pair_workspaces_with_roles_and_target():
    b = _tagged_pair(
        eastus2={"dr-workload": "churn", "dr-role": "primary", "DR-Target": "hot/warm"},
        centralus={"dr-workload": "churn", "dr-role": "secondary", "DR-Target": "hot/warm"},
    )
    workloads, _ = resolve(_estate(b), config_mod.Config(), Tier.HOT_COLD)
    (wl,) = workloads
    assert (wl.name, wl.source) == ("churn", "tags")
    assert wl.primary.endswith("mlw-churn-eastus2") and wl.secondary.endswith("mlw-churn-centralus")
    assert wl.targets[AssetClass.FOUNDATION] is Tier.HOT_WARM and wl.target_source == "tag"


def test_discovery_by_region_token_and_lone_workspaces():
    b = SnapshotBuilder()
    b.subscription(SUB)
    add_pair(
        b,
        PairSpec(
            name="forecast", sub=SUB, primary_region="swedencentral", secondary_region="swedensouth"
        ),
    )
    rg = "rg-x"
    for name, region in (
        ("mlw-risk-eus", "eastus"),
        ("mlw-risk-wus", "westus"),
        ("lonely", "uksouth"),
    ):
        b.workspace(
            SUB,
            rg,
            name,
            region,
            storage=b.storage(SUB, rg, f"st{name}".replace("-", ""), region),
            key_vault=b.key_vault(SUB, rg, f"kv-{name}", region),
            registry=None,
            app_insights=b.app_insights(SUB, rg, f"appi-{name}", region),
        )
    workloads, _ = resolve(_estate(b), config_mod.Config(), Tier.HOT_COLD)
    by_name = {w.name: w for w in workloads}
    assert by_name["mlw-forecast"].source == "discovered"
    assert "region token" in by_name["mlw-forecast"].reason
    assert by_name["mlw-risk"].source == "discovered"
    assert by_name["lonely"].source == "standalone" and by_name["lonely"].secondary is None
    claimed = [ws for w in workloads for ws in (w.primary, w.secondary) if ws]
    assert len(claimed) == len(set(claimed)) == 5


def test_shared_key_vault_pairs_workspaces_with_unrelated_names():
    b = SnapshotBuilder()
    b.subscription(SUB)
    rg = "rg-y"
    kv = b.key_vault(SUB, rg, "kv-shared", "eastus")
    for name, region in (("alpha", "eastus"), ("omega", "westus")):
        b.workspace(
            SUB,
            rg,
            name,
            region,
            storage=b.storage(SUB, rg, f"st{name}", region),
            key_vault=kv,
            registry=None,
            app_insights=b.app_insights(SUB, rg, f"appi-{name}", region),
        )
    workloads, _ = resolve(_estate(b), config_mod.Config(), Tier.HOT_COLD)
    (wl,) = workloads
    assert wl.source == "discovered" and "Key Vault" in wl.reason


def test_tag_values_that_differ_in_case_or_spaces_name_one_pair():
    b = _tagged_pair(
        eastus2={"dr-workload": "Churn", "dr-role": " primary"},
        centralus={"DR-Workload": "churn ", "dr-role": "SECONDARY "},
    )
    workloads, notes = resolve(_estate(b), config_mod.Config(), Tier.HOT_COLD)
    (wl,) = workloads
    assert (wl.name, wl.source) == ("churn", "tags")
    assert wl.primary.endswith("mlw-churn-eastus2") and wl.secondary.endswith("mlw-churn-centralus")
    assert notes == ["tag values dr-workload=Churn, churn differ only in case: one workload, churn"]


def test_two_workspaces_that_both_say_primary_are_still_a_pair():
    b = _tagged_pair(
        eastus2={"dr-workload": "churn", "dr-role": "primary"},
        centralus={"dr-workload": "churn", "dr-role": "primary"},
    )
    workloads, notes = resolve(_estate(b), config_mod.Config(), Tier.HOT_COLD)
    (wl,) = workloads
    assert wl.secondary is not None
    assert {wl.primary.rsplit("/", 1)[1], wl.secondary.rsplit("/", 1)[1]} == {
        "mlw-churn-eastus2",
        "mlw-churn-centralus",
    }
    (note,) = notes
    assert "both say dr-role=primary" in note and "more than two" not in note


def test_a_target_tag_spelled_loosely_is_read_and_one_that_is_no_tier_is_judged_strictest():
    loose = _tagged_pair(
        eastus2={"dr-workload": "churn", "dr-role": "primary", "dr-target": "Hot-Warm"},
        centralus={"dr-workload": "churn", "dr-role": "secondary"},
    )
    (wl,), notes = resolve(_estate(loose), config_mod.Config(), Tier.HOT_COLD)
    assert (wl.targets[AssetClass.FOUNDATION], wl.target_source, notes) == (
        Tier.HOT_WARM,
        "tag",
        [],
    )
    typo = _tagged_pair(
        eastus2={"dr-workload": "churn", "dr-role": "primary", "dr-target": "hot/hoot"},
        centralus={"dr-workload": "churn", "dr-role": "secondary"},
    )
    (wl,), notes = resolve(_estate(typo), config_mod.Config(), Tier.HOT_COLD)
    assert wl.targets[AssetClass.TRAINING] is Tier.HOT_HOT and wl.target_source == "tag"
    assert notes == [
        "workspace mlw-churn-eastus2: tag dr-target='hot/hoot' is not a tier (hot/hot, "
        "hot/warm, hot/cold); judged at hot/hot, the strictest, until the tag is fixed"
    ]


def test_a_configured_workload_without_a_target_takes_its_workspaces_target_tag():
    b = _tagged_pair(
        eastus2={"dr-target": "hot/hot"},
        centralus={},
    )
    p, s = (r["id"] for r in b.rows if r["type"] == "microsoft.machinelearningservices/workspaces")
    cfg = config_mod.parse({"workloads": [{"name": "churn", "primary": p, "secondary": s}]}, "c")
    (wl,), _ = resolve(_estate(b), cfg, Tier.HOT_COLD)
    assert (wl.targets[AssetClass.INFERENCE], wl.target_source) == (Tier.HOT_HOT, "tag")
    cfg = config_mod.parse(
        {"workloads": [{"name": "churn", "primary": p, "secondary": s, "target": "hot/cold"}]}, "c"
    )
    (wl,), _ = resolve(_estate(b), cfg, Tier.HOT_COLD)
    assert (wl.targets[AssetClass.INFERENCE], wl.target_source) == (Tier.HOT_COLD, "config")
