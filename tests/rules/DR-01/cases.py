"""DR-01 cases: A secondary workspace exists in another region."""

from __future__ import annotations

from auditor.azure import computes_path
from tests.rules.kit import (
    OTHER_SUB,
    PRIMARY_WS,
    SECONDARY_WS,
    Cases,
    Pair,
    expect,
    other_casing,
    pair_config,
    ws_id,
)

cases = Cases("DR-01")

cases.add(
    "pass-secondary-in-another-region",
    "A tagged pair with the secondary in westus and the primary in eastus.",
    Pair(),
    "pass",
    "secondary workspace mlw-fraud-westus is in westus, primary mlw-fraud-eastus in eastus",
)
e = Pair(tags=False)
config = pair_config(e)
config["workloads"][0]["primary"] = e.primary.lower()
config["workloads"][0]["secondary"] = other_casing(e.secondary)
cases.add(
    "pass-config-ids-differ-in-case",
    "The configuration names the workspaces with ids in other casings than Azure returns.",
    e,
    "pass",
    "secondary workspace mlw-fraud-westus is in westus",
    config=config,
)
e = Pair()
e.drop_rows("workspaces/mlw-fraud-westus")
e.drop_read(computes_path(e.secondary))
cases.add(
    "fail-no-secondary",
    "Only the primary workspace exists; rules comparing the pair fail too, pointing to DR-01.",
    e,
    "fail",
    "workspace mlw-fraud-eastus has no secondary workspace",
    also=(expect("DR-05", "fail", "there is no secondary workspace to compare with (see DR-01)"),),
)
e = Pair()
e.set("workspaces/mlw-fraud-westus", "location", "East US")
cases.add(
    "fail-same-region",
    "The secondary's location is 'East US', the primary's 'eastus': one region, two spellings.",
    e,
    "fail",
    "is in the same region as the primary (eastus)",
)
e = Pair(tags=False)
e.drop_rows("workspaces/mlw-fraud-westus")
cases.add(
    "error-configured-secondary-absent",
    "The configured secondary workspace is not in the snapshot (deleted, or never collected).",
    e,
    "error",
    "secondary workspace:",
    "mlw-fraud-westus is not in the snapshot",
    config=pair_config(e),
)
e = Pair(tags=False)
e.drop_rows("workspaces/mlw-fraud-westus")
config = pair_config(e)
config["workloads"][0]["secondary"] = ws_id("westus", OTHER_SUB)
cases.add(
    "error-secondary-in-unscanned-subscription",
    "The configured secondary lives in a subscription the scan did not cover.",
    e,
    "error",
    f"(subscription {OTHER_SUB} was not in the scanned scope)",
    config=config,
)
e = Pair()
e.delete("workspaces/mlw-fraud-westus", "location")
cases.add(
    "error-secondary-location-absent",
    "The secondary workspace's row has no location: the regions cannot be compared.",
    e,
    "error",
    "mlw-fraud-westus has no 'location'",
)

# -- feature stores --

e = Pair()
for ws in (PRIMARY_WS, SECONDARY_WS):
    e.set(ws, "kind", "FeatureStore")
cases.add(
    "pass-feature-store-pair",
    "Feature stores (kind FeatureStore) are workspaces: a pair of them is judged like any.",
    e,
    "pass",
    "secondary workspace mlw-fraud-westus is in westus",
)
