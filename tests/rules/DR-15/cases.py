"""DR-15 cases: The secondary workspace is network-isolated like the primary."""

from __future__ import annotations

from tests.rules.kit import PRIMARY_WS, Cases, Pair

cases = Cases("DR-15")

cases.add(
    "pass-both-private",
    "Both workspaces disable public access and have an approved private endpoint "
    "(the shape of PrivateEndpointGet.json).",
    Pair(private=True),
    "pass",
    "mlw-fraud-eastus disables public network access and is reached through private "
    "endpoint(s) pe-mlw-fraud-eastus; mlw-fraud-westus is isolated the same way",
)
cases.add(
    "pass-primary-not-isolated",
    "The primary allows public access and has no private endpoints: nothing to mirror.",
    Pair(),
    "pass",
    "mlw-fraud-eastus allows public network access and has no private endpoints",
)
cases.add(
    "fail-secondary-public",
    "The primary is private; the secondary is open and has no private endpoint.",
    Pair(private=True, secondary_private=False),
    "fail",
    "mlw-fraud-eastus disables public network access; mlw-fraud-westus has it Enabled",
    "mlw-fraud-westus has none",
)
e = Pair(private=True)
e.drop_rows("privateEndpoints/pe-mlw-fraud-westus")
cases.add(
    "fail-secondary-without-private-endpoint",
    "Both disable public access, but only the primary has a private endpoint.",
    e,
    "fail",
    "mlw-fraud-eastus is reached through private endpoint(s) pe-mlw-fraud-eastus; "
    "mlw-fraud-westus has none",
)
e = Pair(private=True, secondary_private=False)
e.set(PRIMARY_WS, "properties.publicNetworkAccess", "Enabled")
link = e.row("privateEndpoints/pe-mlw-fraud-eastus")["properties"]
link["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"][
    "status"
] = "approved"
cases.add(
    "fail-primary-private-endpoint-status-in-lower-case",
    "The primary is reached through a private endpoint whose connection reads 'approved'; "
    "the secondary has none.",
    e,
    "fail",
    "mlw-fraud-eastus is reached through private endpoint(s) pe-mlw-fraud-eastus; "
    "mlw-fraud-westus has none",
)
e = Pair()
e.delete(PRIMARY_WS, "properties.publicNetworkAccess")
cases.add(
    "pass-public-network-access-absent",
    "The primary's payload has no publicNetworkAccess: the service leaves it out while public "
    "access is on, the default (tests/real/ml-workspaces/).",
    e,
    "pass",
    "mlw-fraud-eastus allows public network access and has no private endpoints",
)
