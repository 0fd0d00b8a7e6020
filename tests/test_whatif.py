"""What a regional outage does to the fleet: golden cases of `auditor.whatif` on built estates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from auditor import config, rules, scan, snapshot, whatif
from auditor.estate import Estate, build
from auditor.model import Tier
from auditor.report import Report
from auditor.testing.builder import PairSpec, SnapshotBuilder, add_pair, standard_quota
from auditor.whatif import Verdict

SUB = "5c0f1e2d-7a8b-4c9d-8e1f-2a3b4c5d6e7f"
AS_OF = dt.date(2026, 11, 26)
SCHEMA = Path(__file__).resolve().parents[1] / "auditor" / "schemas" / "whatif-v1.schema.json"
RULES = rules.load()


def _scan(*specs: PairSpec) -> tuple[Report, Estate]:
    builder = SnapshotBuilder()
    builder.subscription(SUB)
    regions = sorted({r for s in specs for r in (s.primary_region, s.secondary_region)})
    standard_quota(builder, SUB, regions, 96)
    for spec in specs:
        add_pair(builder, spec)
    snap = snapshot.validate(builder.build(), "built")
    report = scan.run(snap, config.Config(), RULES, default_target=Tier.HOT_HOT, as_of=AS_OF)
    return report, build(snap)


def _pair(name: str, primary: str, secondary: str, **kw: object) -> PairSpec:
    return PairSpec(
        name=name, sub=SUB, primary_region=primary, secondary_region=secondary, tags=True, **kw
    )  # type: ignore[arg-type]


def _verdicts(outlook: whatif.RegionDown) -> dict[str, Verdict]:
    return {o.workload: o.verdict for o in outlook.workloads}


def test_a_healthy_pair_serves_when_its_primary_region_goes_down() -> None:
    report, estate = _scan(_pair("fraud", "eastus", "westus"))
    outlook = whatif.region_down(report, estate, "East US")
    fraud = outlook.workloads[0]
    assert (fraud.verdict, fraud.tier, fraud.keeps_target) == (Verdict.SERVES, "hot/hot", True)
    assert fraud.reasons[0] == "ready for hot/hot in westus"
    assert outlook.exit_code == 0


def test_primaries_secondaries_and_untouched_workloads_in_one_outage() -> None:
    report, estate = _scan(
        _pair("fraud", "eastus", "westus"),
        _pair("churn", "westus", "eastus"),
        _pair("recsys", "westeurope", "northeurope"),
    )
    outlook = whatif.region_down(report, estate, "eastus")
    assert _verdicts(outlook) == {
        "fraud": Verdict.SERVES,
        "churn": Verdict.UNPROTECTED,
        "recsys": Verdict.UNTOUCHED,
    }
    churn = next(o for o in outlook.workloads if o.workload == "churn")
    assert churn.keeps_target is None and "unprotected until a new secondary" in churn.reasons[0]
    assert [o.workload for o in outlook.failing_over] == ["fraud"]


def test_a_secondary_without_deployments_needs_a_redeploy_and_misses_a_hot_target() -> None:
    report, estate = _scan(_pair("fraud", "eastus", "westus", secondary_endpoints=()))
    outlook = whatif.region_down(report, estate, "eastus")
    fraud = outlook.workloads[0]
    assert fraud.verdict is Verdict.REDEPLOY and fraud.tier == "hot/cold"
    assert fraud.keeps_target is False  # its target is hot/hot
    assert any(r.startswith("not ready for hot/hot: DR-10") for r in fraud.reasons)
    assert fraud.blockers and all(b.startswith("F-") for b in fraud.blockers)
    assert outlook.exit_code == 1


def test_a_registry_homed_in_the_lost_region_without_a_replica_takes_the_workload_down() -> None:
    report, estate = _scan(_pair("fraud", "eastus", "westus", replicate_registry=False))
    outlook = whatif.region_down(report, estate, "eastus")
    fraud = outlook.workloads[0]
    assert fraud.verdict is Verdict.DOWN
    assert any("container registry acrfraud is in the lost region" in r for r in fraud.reasons)
    (registry,) = [d for d in outlook.dependencies if d.kind == "container registry"]
    assert registry.blocks and registry.workloads == ("fraud",)


def test_a_replicated_registry_and_a_paired_key_vault_in_the_lost_region_only_degrade() -> None:
    report, estate = _scan(_pair("fraud", "eastus", "westus"))
    outlook = whatif.region_down(report, estate, "eastus")
    kinds = {d.kind: d for d in outlook.dependencies}
    assert not kinds["container registry"].blocks
    assert "replicas (westus) keep serving image pulls" in kinds["container registry"].effect
    assert not kinds["Key Vault"].blocks and "read-only" in kinds["Key Vault"].effect
    assert "paired region (westus)" in kinds["Key Vault"].effect


def test_a_shared_dependency_in_a_third_region_affects_workloads_that_do_not_fail_over() -> None:
    report, estate = _scan(_pair("fraud", "eastus", "westus"))
    raw = json.loads(json.dumps(estate.snapshot.data))
    for row in raw["resources"]:
        if row["type"] == "microsoft.containerregistry/registries":
            row["location"] = "centralus"
    snap = snapshot.validate(raw, "edited")
    report = scan.run(snap, config.Config(), RULES, as_of=AS_OF)
    outlook = whatif.region_down(report, build(snap), "centralus")
    (fraud,) = outlook.workloads
    assert fraud.verdict is Verdict.AFFECTED and fraud.keeps_target is None
    assert "pushes and new replications stop" in fraud.reasons[0]
    assert outlook.exit_code == 0


def test_a_lone_workspace_goes_down() -> None:
    builder = SnapshotBuilder()
    builder.subscription(SUB)
    standard_quota(builder, SUB, ["uksouth"], 96)
    add_pair(builder, _pair("sandbox", "uksouth", "ukwest"))
    raw = builder.build()
    raw["resources"] = [r for r in raw["resources"] if "ukwest" not in json.dumps(r)]
    snap = snapshot.validate(raw, "built")
    report = scan.run(snap, config.Config(), RULES, as_of=AS_OF)
    outlook = whatif.region_down(report, build(snap), "uksouth")
    assert [o.verdict for o in outlook.workloads] == [Verdict.DOWN]
    assert outlook.workloads[0].reasons == ("no secondary workspace to fail over to (DR-01)",)


def test_unread_data_gives_unknown_and_exit_3_never_serves() -> None:
    builder = SnapshotBuilder()
    builder.subscription(SUB)
    standard_quota(builder, SUB, ["eastus", "westus"], 96)
    _, secondary = add_pair(builder, _pair("fraud", "eastus", "westus"))
    raw = builder.build()
    # The secondary's online endpoints could not be read: whether it serves hot is unknown.
    raw["resources"] = [
        r
        for r in raw["resources"]
        if not (r["type"].endswith("/onlineendpoints") and r["id"].startswith(secondary))
        and not (r["type"].endswith("/deployments") and r["id"].startswith(secondary))
    ]
    raw["errors"].append(
        {
            "source": "resource_graph",
            "request": "resources (subscription)",
            "status": 429,
            "code": "RateLimiting",
            "message": "throttled",
            "subscription": SUB,
        }
    )
    snap = snapshot.validate(raw, "built")
    report = scan.run(snap, config.Config(), RULES, as_of=AS_OF)
    outlook = whatif.region_down(report, build(snap), "eastus")
    (fraud,) = outlook.workloads
    assert fraud.verdict is Verdict.UNKNOWN and fraud.keeps_target is False
    assert outlook.exit_code == 3


def test_all_regions_rank_the_widest_blast_first_and_the_document_meets_its_schema() -> None:
    report, estate = _scan(
        _pair("fraud", "eastus", "westus", secondary_endpoints=(), replicate_registry=False),
        _pair("churn", "eastus", "westus"),
        _pair("recsys", "westeurope", "northeurope"),
    )
    outlooks = whatif.all_regions(report, estate)
    assert outlooks[0].region == "eastus" and outlooks[0].blast[2] == 1
    assert {o.region for o in outlooks} >= {"eastus", "westus", "westeurope", "northeurope"}
    document = whatif.document(report, outlooks, "all-regions")
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    assert document["exit_code"] == 1


@pytest.mark.parametrize("region", ["eastus", "westus", "nowhere"])
def test_every_outlook_is_valid_against_the_schema(region: str) -> None:
    report, estate = _scan(_pair("fraud", "eastus", "westus"))
    document = whatif.document(report, [whatif.region_down(report, estate, region)], "region-down")
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))


# -- the command, on the demo ---------------------------------------------------------------------


def test_what_if_westus_down_the_demo_s_shared_pool_does_not_hold_both(run, tmp_path: Path) -> None:
    out = tmp_path / "what-if.json"
    result = run("what-if", "--region-down", "westus", "--demo", "--json", str(out))
    assert result.code == 1, result.err
    assert "If westus goes down: 0 of 2 workload(s) with their primary there keep" in result.out
    assert "UNPROTECTED  fraud-scoring" in result.out
    document = json.loads(out.read_text())
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    (region,) = document["regions"]
    verdicts = {w["workload"]: w for w in region["workloads"]}
    for name in ("vision", "speech"):
        assert verdicts[name]["verdict"] == "down"
        assert verdicts[name]["reasons"] == ["not ready even for hot/cold: DR-09-SHARED"]
    assert verdicts["fraud-scoring"]["verdict"] == "unprotected"


def test_what_if_all_regions_ranks_the_demo_and_writes_the_html_section(
    run, tmp_path: Path
) -> None:
    page = tmp_path / "what-if.html"
    result = run("what-if", "--all-regions", "--demo", "--html", str(page))
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == "If one region goes down (widest blast radius first)"
    first = next(line for line in lines if line.startswith("| ") and "Region" not in line)
    assert first.split("|")[1].strip() == "westus"  # vision and speech go down with it
    html = page.read_text()
    assert 'id="what-if"' in html and 'id="what-if-westus"' in html


def test_what_if_needs_one_region_choice_and_refuses_to_overwrite_an_input(run, tmp_path) -> None:
    assert run("what-if", "--demo").code == 2
    assert run("what-if", "--demo", "--region-down", "eastus", "--all-regions").code == 2
    snap = tmp_path / "estate.json"
    snap.write_text(json.dumps(json.loads(snapshot_text())))
    result = run("what-if", "--region-down", "eastus", "--snapshot", str(snap), "--json", str(snap))
    assert result.code == 2 and "never replaces an input" in result.err
    assert json.loads(snap.read_text())["format"] == "auditor.snapshot"


def snapshot_text() -> str:
    from auditor import demo

    return demo.snapshot_path().read_text()


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("args", [["--region-down", "westeurope"], ["--all-regions"]])
def test_what_if_fits_the_terminal(run, monkeypatch, width: int, args: list[str]) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result = run("what-if", "--demo", *args)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines and all(len(line) <= width for line in lines)
    assert all(line == line.rstrip() for line in lines)
