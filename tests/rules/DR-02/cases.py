"""DR-02 cases: The secondary region is the primary's Azure paired region."""

from __future__ import annotations

from auditor.azure import API_LOCATIONS, locations_path
from tests.rules.kit import SUB, Cases, Pair, unpaired

cases = Cases("DR-02")

cases.add(
    "pass-paired-region",
    "westus is the Azure paired region of eastus (metadata.pairedRegion of List Locations).",
    Pair(),
    "pass",
    "westus is the Azure paired region of eastus",
)
e = Pair()
e.set("workspaces/mlw-fraud-eastus", "location", "East US")
e.set("workspaces/mlw-fraud-westus", "location", "West US")
cases.add(
    "pass-region-display-names",
    "Workspace locations given as display names ('East US') compare by programmatic name.",
    e,
    "pass",
    "westus is the Azure paired region of eastus",
)
cases.add(
    "pass-no-pair-same-geography",
    "The locations answer lists no pair for swedencentral; swedensouth is in its geography.",
    unpaired(Pair("swedencentral", "swedensouth").snapshot(), "swedencentral", "swedensouth"),
    "pass",
    "swedencentral has no paired region; swedensouth is in the same geography (Sweden)",
)
cases.add(
    "fail-not-the-paired-region",
    "westus2 is in the same geography but is not eastus's paired region.",
    Pair("eastus", "westus2"),
    "fail",
    "westus2 is not the Azure paired region of eastus (paired: westus)",
)
cases.add(
    "fail-no-pair-other-geography",
    "italynorth has no paired region, and polandcentral is in another geography.",
    Pair("italynorth", "polandcentral"),
    "fail",
    "italynorth has no paired region, and polandcentral is in another geography (Poland, not Italy)",
)
e = Pair()
e.drop_read(locations_path(SUB))
cases.add(
    "error-locations-not-recorded",
    "The subscription's List Locations answer is not in the snapshot.",
    e,
    "error",
    "the subscription's locations was not recorded in the snapshot",
)
e = Pair()
e.forbid(locations_path(SUB), API_LOCATIONS)
cases.add(
    "error-locations-forbidden",
    "List Locations answered 403.",
    e,
    "error",
    "the subscription's locations could not be read",
    "answered HTTP 403 AuthorizationFailed",
)
e = Pair()
e.drop_read(locations_path(SUB))
e.b.error(
    "arm",
    f"GET {locations_path(SUB)}?api-version={API_LOCATIONS}",
    429,
    "TooManyRequests",
    "Rate limit exceeded; gave up after 5 retries",
    subscription=SUB,
)
cases.add(
    "error-locations-throttled",
    "List Locations was throttled until the collector gave up; the error is recorded.",
    e,
    "error",
    "the subscription's locations could not be read: HTTP 429 TooManyRequests",
)
