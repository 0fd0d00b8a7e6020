"""DR-24 cases: Azure Machine Learning is offered in both regions."""

from __future__ import annotations

from auditor.azure import API_PROVIDER, provider_path
from auditor.testing.builder import REGIONS
from tests.rules.kit import SUB, Cases, Pair

cases = Cases("DR-24")

cases.add(
    "pass-offered-in-both-regions",
    "The ML provider's workspaces resource type lists both regions (as display names).",
    Pair(),
    "pass",
    "Azure ML workspaces are offered in both regions",
)
cases.add(
    "fail-not-offered-in-secondary",
    "The ML provider does not list westus for workspaces.",
    Pair(ml_regions=[r for r in REGIONS if r != "westus"]),
    "fail",
    "Azure ML workspaces are not offered in westus (mlw-fraud-westus)",
)
e = Pair()
e.forbid(provider_path(SUB), API_PROVIDER)
cases.add(
    "error-provider-forbidden",
    "Reading the Microsoft.MachineLearningServices provider answered 403.",
    e,
    "error",
    "the Microsoft.MachineLearningServices provider could not be read",
    "HTTP 403 AuthorizationFailed",
)
e = Pair()
e.drop_read(provider_path(SUB))
cases.add(
    "error-provider-not-recorded",
    "The provider read is not in the snapshot.",
    e,
    "error",
    "was not recorded in the snapshot",
)
