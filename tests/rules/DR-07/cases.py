"""DR-07 cases: Each workspace has its own Application Insights in its own region."""

from __future__ import annotations

from tests.rules.kit import HUB_NOTE, HUB_PAIR, SUB, Cases, HubPair, Pair

cases = Cases("DR-07")

cases.add(
    "pass-own-component-per-region",
    "Each workspace has its own component; ids differ in case (microsoft.insights vs "
    "Microsoft.Insights) and locations are display names ('East US'), as Azure returns them.",
    Pair(),
    "pass",
    "each workspace has its own Application Insights in its own region",
)
cases.add(
    "fail-shared-component",
    "Both workspaces use the primary's Application Insights.",
    Pair(shared_app_insights=True),
    "fail",
    "both workspaces use the same Application Insights appi-fraud-eastus; each region needs its own",
    "Application Insights appi-fraud-eastus of mlw-fraud-westus is in eastus, not in the workspace's region westus",
)
e = Pair()
e.set("components/appi-fraud-westus", "location", "East US")
cases.add(
    "fail-component-in-another-region",
    "The secondary's own component is located in the primary's region.",
    e,
    "fail",
    "Application Insights appi-fraud-westus of mlw-fraud-westus is in eastus, not in the workspace's region westus",
)
e = Pair()
e.drop_rows("components/appi-fraud-westus")
cases.add(
    "error-component-absent",
    "The secondary's component is not in the snapshot.",
    e,
    "error",
    "Application Insights of mlw-fraud-westus:",
    "appi-fraud-westus is not in the snapshot",
)
e = Pair()
e.drop_rows("components/appi-fraud-westus")
e.b.error(
    "resource_graph",
    "POST /providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01",
    None,
    "ResponseTooLarge",
    "Response payload exceeded the limit; results were truncated",
    subscription=SUB,
)
cases.add(
    "error-component-absent-resource-graph-failed",
    "The component is absent and Resource Graph reported an error: the message names it.",
    e,
    "error",
    "appi-fraud-westus is not in the snapshot (Resource Graph could not be read: Response payload exceeded the limit",
)
e = Pair()
e.set("workspaces/mlw-fraud-westus", "properties.applicationInsights", None)
cases.add(
    "fail-no-component",
    "The secondary workspace has no Application Insights (null, as Azure returns it).",
    e,
    "fail",
    "workspace mlw-fraud-westus has no Application Insights",
)
e = Pair()
e.delete("workspaces/mlw-fraud-westus", "properties.applicationInsights")
cases.add(
    "error-property-absent",
    "The secondary workspace's payload has no properties.applicationInsights.",
    e,
    "error",
    "mlw-fraud-westus has no 'properties.applicationInsights'",
)

# -- hub and project workspaces --

cases.add(
    "pass-project-pair-through-hubs",
    HUB_PAIR,
    HubPair(),
    "pass",
    "each workspace has its own Application Insights",
    notes=(HUB_NOTE.format("properties.applicationInsights"),),
)
