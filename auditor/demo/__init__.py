"""The bundled demo estate: a snapshot and a config whose workloads show the range of verdicts.

Regenerate the committed files with `python -m auditor.demo` after changing the builder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from auditor.testing.builder import PairSpec, SnapshotBuilder, add_pair, standard_quota

SUB_PROD = "8f3c2a1e-5b7d-4c9a-9e2f-1a6b3c4d5e6f"
SUB_DATA = "2b9e7c4d-1f3a-4e8b-a6c5-7d9e0f1a2b3c"


def build() -> tuple[dict[str, Any], dict[str, Any]]:
    """The demo snapshot and config documents."""
    b = SnapshotBuilder(collected_at="2026-11-20T06:00:00Z", origin="demo")
    b.subscription(SUB_PROD)
    b.subscription(SUB_DATA)
    standard_quota(b, SUB_PROD, ["eastus", "westus", "eastus2", "centralus"], 96)
    standard_quota(
        b, SUB_DATA, ["westeurope", "northeurope", "swedencentral", "swedensouth", "uksouth"], 48
    )
    fraud = add_pair(
        b,
        PairSpec(
            name="fraud",
            sub=SUB_PROD,
            primary_region="eastus",
            secondary_region="westus",
            clusters=(
                ("cpu-train", "Standard_DS3_v2", 8, "Dedicated"),
                ("gpu-train", "Standard_NC6s_v3", 4, "Dedicated"),
            ),
            endpoints=(("fraud-score", "fraud-detector", 3),),
            # fraud-scoring shows the recommended practices passing too
            router="frontdoor",
            batch_endpoints=(("fraud-batch", "fraud-detector"),),
            training_storage_sku="Standard_RAGZRS",
            aks_zones=("1", "2", "3"),
            private=True,
            cmk=True,
        ),
    )
    churn = add_pair(
        b,
        PairSpec(
            name="churn",
            sub=SUB_PROD,
            primary_region="eastus2",
            secondary_region="centralus",
            clusters=(("cpu-train", "Standard_DS3_v2", 10, "Dedicated"),),
            secondary_clusters=(("cpu-train", "Standard_DS3_v2", 4, "Dedicated"),),
            endpoints=(("churn-score", "churn-model", 4),),
            secondary_endpoints=(("churn-score", "churn-model", 1),),
            # its training data sits on locally redundant storage, and the shared registry
            # does not replicate to centralus
            training_storage_sku="Standard_LRS",
            ml_registry_regions=("eastus2",),
        ),
    )
    # Two training workloads failing over from westus into eastus, the region fraud-scoring's
    # primary uses: the NCSv3 quota there (96 vCPUs) holds each alone (60, 48) but not both at
    # once (DR-09-SHARED); `auditor what-if --region-down westus` shows them competing.
    for name, nodes in (("vision", 10), ("speech", 8)):
        add_pair(
            b,
            PairSpec(
                name=name,
                sub=SUB_PROD,
                primary_region="westus",
                secondary_region="eastus",
                clusters=(("gpu-train", "Standard_NC6s_v3", nodes, "Dedicated"),),
                endpoints=(),
                tags=True,
            ),
        )
    add_pair(
        b,
        PairSpec(
            name="recsys",
            sub=SUB_DATA,
            primary_region="westeurope",
            secondary_region="northeurope",
            registry_sku="Standard",
            replicate_registry=False,
            shared_storage=True,
            storage_sku="Standard_RAGRS",
            tags=True,
            clusters=(("gpu-train", "Standard_NC24ads_A100_v4", 4, "Dedicated"),),
            endpoints=(),
            # the primary is private but the secondary is open; the vault can be purged
            private=True,
            secondary_private=False,
            purge_protection=False,
        ),
    )
    add_pair(
        b,
        PairSpec(
            name="forecast",
            sub=SUB_DATA,
            primary_region="swedencentral",
            secondary_region="swedensouth",
            clusters=(("cpu-train", "Standard_E4ds_v4", 4, "Dedicated"),),
            endpoints=(("forecast-score", "demand-forecast", 2),),
            secondary_endpoints=(),
        ),
    )
    rg = "rg-sandbox"
    sandbox = b.workspace(
        SUB_DATA,
        rg,
        "mlw-sandbox-uksouth",
        "uksouth",
        storage=b.storage(SUB_DATA, rg, "stsandboxuks", "uksouth", "Standard_LRS"),
        key_vault=b.key_vault(SUB_DATA, rg, "kv-sandbox", "uksouth"),
        registry=None,
        app_insights=b.app_insights(SUB_DATA, rg, "appi-sandbox", "uksouth"),
        tags={"env": "dev", "owner": "<b>data-science</b>"},
    )
    b.computes(sandbox, "uksouth", [("cpu-small", "Standard_DS3_v2", 2, "LowPriority")])
    sandbox_storage = sandbox.replace(
        "Microsoft.MachineLearningServices/workspaces/mlw-sandbox-uksouth",
        "Microsoft.Storage/storageAccounts/stsandboxuks",
    )
    b.datastores(sandbox, sandbox_storage)
    b.blob_service(sandbox_storage, soft_delete=False)
    evidence = "https://dev.azure.com/contoso/ml-platform/_wiki/wikis/dr/42"
    attest = {
        req: {
            "by": "ml-platform@contoso.example",
            "date": "2026-10-01",
            "evidence": evidence,
            "expires": "2027-04-01",
        }
        for req in ("DR-16", "DR-20", "DR-21")
    }
    config = {
        "workloads": [
            {
                "name": "fraud-scoring",
                "primary": fraud[0],
                "secondary": fraud[1],
                "target": "hot/hot",
                "attestations": attest,
            },
            {
                "name": "churn-prediction",
                "primary": churn[0],
                "secondary": churn[1],
                "targets": {"inference": "hot/warm", "training": "hot/cold"},
                "attestations": {"DR-16": {**attest["DR-16"], "expires": "2026-11-01"}},
            },
        ]
    }
    return b.build(), config


def snapshot_path() -> Path:
    return Path(str(resources.files("auditor.demo").joinpath("snapshot.json")))


def config_path() -> Path:
    return Path(str(resources.files("auditor.demo").joinpath("auditor.yaml")))
