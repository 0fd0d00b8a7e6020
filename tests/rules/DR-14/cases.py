"""DR-14 cases: Role assignments on the secondary workspace mirror the primary's."""

from __future__ import annotations

from auditor.testing.builder import AZUREML_DATA_SCIENTIST as DATA_SCIENTIST
from auditor.testing.builder import DATA_SCIENTISTS
from tests.rules.kit import READER, RG, SUB, Cases, Pair

cases = Cases("DR-14")

cases.add(
    "pass-roles-mirrored",
    "The data scientists group has AzureML Data Scientist on both workspaces "
    "(authorizationresources rows, the shape of RoleAssignments_Get.json).",
    Pair(),
    "pass",
    "the 1 role assignment(s) on mlw-fraud-eastus are mirrored on mlw-fraud-westus",
)
e = Pair(mirror_roles=False)
e.b.role_assignment(f"/subscriptions/{SUB}/resourceGroups/{RG}", DATA_SCIENTISTS, DATA_SCIENTIST)
cases.add(
    "pass-covered-at-the-resource-group",
    "On the secondary the group holds the role through its resource group.",
    e,
    "pass",
    "are mirrored on mlw-fraud-westus",
    notes=("through an assignment at /subscriptions/",),
)
cases.add(
    "fail-role-missing-on-secondary",
    "Only the primary workspace has the assignment.",
    Pair(mirror_roles=False),
    "fail",
    f"Group {DATA_SCIENTISTS} has AzureML Data Scientist on mlw-fraud-eastus but not on "
    "mlw-fraud-westus",
)
e = Pair(mirror_roles=False)
e.b.role_assignment(e.secondary, DATA_SCIENTISTS, READER)
cases.add(
    "fail-other-role-on-secondary",
    "On the secondary the group is only a Reader.",
    e,
    "fail",
    "has AzureML Data Scientist on mlw-fraud-eastus but not on mlw-fraud-westus",
)
e = Pair()
e.b.tables.pop("authorizationresources")
cases.add(
    "error-table-not-recorded",
    "The snapshot has no authorizationresources table.",
    e,
    "error",
    "the Resource Graph table authorizationresources was not recorded in the snapshot",
)
e = Pair()
e.b.error(
    "resource_graph",
    "POST /providers/Microsoft.ResourceGraph/resources "
    f"(authorizationresources, subscription {SUB}, page 1)",
    403,
    "AuthorizationFailed",
    "The client does not have authorization to perform action over scope.",
    subscription=SUB,
)
cases.add(
    "error-table-forbidden",
    "Querying authorizationresources answered 403 for the subscription.",
    e,
    "error",
    "the Resource Graph table authorizationresources could not be read",
)
e = Pair(mirror_roles=False)
e.b.error(
    "resource_graph",
    "POST https://management.azure.com/providers/Microsoft.ResourceGraph/resources: "
    "AuthorizationResources | where type =~ 'microsoft.authorization/roleassignments'",
    429,
    "RateLimiting",
    "Too many requests",
    subscription=SUB,
)
cases.add(
    "error-table-throttled-request-in-other-words",
    "The throttled read is recorded with the query text, not the collector's wording: the "
    "table is named all the same, and rows it did not return are not 'unmirrored'.",
    e,
    "error",
    "the Resource Graph table authorizationresources could not be read: Too many requests",
)
e = Pair(mirror_roles=False)
e.b.tables["authorizationresources"].append(
    {"id": "/x/providers/Microsoft.Authorization/roleAssignments/1",
     "type": "microsoft.authorization/roleassignments"}
)  # fmt: skip
cases.add(
    "error-role-assignment-row-unreadable",
    "A role assignment row has no properties: it may be the secondary's missing one.",
    e,
    "error",
    "the Resource Graph table authorizationresources has rows that cannot be read: row",
    "lacks id, properties.principalId or properties.roleDefinitionId",
)
e = Pair(mirror_roles=False)
e.b.tables["authorizationresources"] = []
cases.add(
    "not-applicable-no-assignment-on-primary",
    "No role assignment is scoped to the primary workspace.",
    e,
    "not_applicable",
    "no role assignments are scoped to mlw-fraud-eastus",
)
