"""DR-25 cases: A global router fronts both regions' online endpoints."""

from __future__ import annotations

from tests.rules.kit import RG, SUB, Cases, Pair

ORIGINS = "profiles/afd-fraud/origingroups/score/origins"

cases = Cases("DR-25")

cases.add(
    "pass-front-door",
    "One Front Door origin group holds both scoring hosts (AFDOrigins_Get.json).",
    Pair(router="frontdoor"),
    "pass",
    "Front Door origin group score fronts both regions' online endpoints",
)
cases.add(
    "pass-classic-front-door",
    "One classic Front Door backend pool holds both (FrontdoorGet.json).",
    Pair(router="frontdoor-classic"),
    "pass",
    "Front Door fd-fraud backend pool score fronts both",
)
cases.add(
    "pass-traffic-manager",
    "One Traffic Manager profile has both as endpoints (Profile-GET-WithTrafficViewEnabled.json).",
    Pair(router="trafficmanager"),
    "pass",
    "Traffic Manager profile tm-fraud-score fronts both",
)
cases.add(
    "fail-no-router",
    "Nothing fronts the endpoints.",
    Pair(),
    "fail",
    "no Front Door or Traffic Manager fronts endpoint score (score.eastus.inference.ml.azure.com) "
    "together with score of mlw-fraud-westus (score.westus.inference.ml.azure.com)",
)
e = Pair(router="frontdoor")
e.drop_rows(f"{ORIGINS}/origin2")
cases.add(
    "fail-origin-group-without-secondary",
    "The origin group holds the primary's scoring host only.",
    e,
    "fail",
    "Front Door origin group score fronts endpoint score (score.eastus.inference.ml.azure.com) "
    "but not score of mlw-fraud-westus",
)
e = Pair(router="frontdoor")
e.set(f"{ORIGINS}/origin2", "properties.enabledState", "Disabled")
cases.add(
    "fail-secondary-origin-disabled",
    "The secondary's origin is disabled.",
    e,
    "fail",
    "fronts endpoint score (score.eastus.inference.ml.azure.com) but not score",
)
e = Pair(router="frontdoor-classic")
e.set("frontDoors/fd-fraud", "properties.enabledState", "Disabled")
cases.add(
    "fail-classic-front-door-disabled",
    "The classic Front Door whose backend pool holds both hosts is disabled: it routes nothing.",
    e,
    "fail",
    "no Front Door or Traffic Manager fronts endpoint score",
)
e = Pair(secondary_endpoints=(("score", "model", 3), ("other", "model", 3)))
e.b.front_door(
    SUB,
    RG,
    "afd-fraud",
    {"score": ["score.eastus.inference.ml.azure.com", "other.westus.inference.ml.azure.com"]},
)
cases.add(
    "fail-router-pairs-another-endpoint",
    "The secondary has its own score endpoint, but the origin group pairs the primary's "
    "score with the secondary's other: score's counterpart is not behind it.",
    e,
    "fail",
    "Front Door origin group score fronts endpoint score (score.eastus.inference.ml.azure.com) "
    "but not score of mlw-fraud-westus",
)
cases.add(
    "fail-no-secondary-endpoint",
    "The secondary has no online endpoint to route to.",
    Pair(router="frontdoor", secondary_endpoints=()),
    "fail",
    "mlw-fraud-westus has no online endpoint for a global router to fail over to",
)
e = Pair(router="frontdoor")
e.delete("mlw-fraud-eastus/onlineEndpoints/score", "properties.scoringUri")
cases.add(
    "error-scoring-uri-absent",
    "The primary's endpoint has no scoringUri.",
    e,
    "error",
    "onlineEndpoints/score has no 'properties.scoringUri'",
)
e = Pair()
e.b.front_door(SUB, RG, "afd-fraud", {"score": ["score.eastus.inference.ml.azure.com"]})
e.delete(f"{ORIGINS}/origin1", "properties.hostName")
cases.add(
    "error-router-unreadable",
    "The only origin row has no hostName: it may front the endpoints, so this is an error.",
    e,
    "error",
    "origins/origin1 has no 'properties.hostName'",
)
cases.add(
    "not-applicable-no-online-endpoints",
    "The primary has no online endpoints.",
    Pair(endpoints=()),
    "not_applicable",
    "the primary has no online endpoints",
)
e = Pair(router="frontdoor")
e.set("mlw-fraud-westus/onlineEndpoints/score", "properties.provisioningState", "Creating")
e.set("mlw-fraud-westus/onlineEndpoints/score", "properties.scoringUri", None)
cases.add(
    "fail-secondary-endpoint-being-created",
    "The secondary's endpoint is still being created (scoringUri null, as the service answers "
    "it: tests/real/ml-online-endpoints/creating.json): it serves nothing, as DR-10 judges it, "
    "so no router can fail over to it.",
    e,
    "fail",
    "mlw-fraud-westus has no serving online endpoint for a global router",
)
