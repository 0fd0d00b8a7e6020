"""DR-11: the Azure ML registries the pair's deployments use list both regions."""

from __future__ import annotations

import re

from auditor.azure import (
    BATCH_DEPLOYMENT,
    BATCH_ENDPOINT,
    ML_REGISTRY,
    ONLINE_DEPLOYMENT,
    ONLINE_ENDPOINT,
    get_path,
    norm_region,
)
from auditor.checks.kit import Context, Look, Outcome, check, pair_of
from auditor.estate import Estate, Resource
from auditor.frozen import FrozenModel

_REGISTRY_REF = re.compile(r"^azureml://registries/([^/]+)/", re.IGNORECASE)


def _registry_references(estate: Estate, ws: Resource) -> dict[str, tuple[str, str, str]]:
    """Azure ML registries the workspace's deployments take models or environments from:
    name -> (deployment id, property path, reference) of the first reference seen."""
    found: dict[str, tuple[str, str, str]] = {}
    paths = {
        ONLINE_DEPLOYMENT: ("properties.model", "properties.environmentId"),
        BATCH_DEPLOYMENT: ("properties.model.assetId", "properties.environmentId"),
    }
    for endpoint_type, deployment_type in (
        (ONLINE_ENDPOINT, ONLINE_DEPLOYMENT),
        (BATCH_ENDPOINT, BATCH_DEPLOYMENT),
    ):
        for endpoint in estate.children_of(ws.id, endpoint_type):
            for deployment in estate.children_of(endpoint.id, deployment_type):
                for path in paths[deployment_type]:
                    value = deployment.get(path)
                    match = _REGISTRY_REF.match(value) if isinstance(value, str) else None
                    if match:
                        found.setdefault(match.group(1).lower(), (deployment.raw_id, path, value))
    return found


def _registry_regions(look: Look, estate: Estate, registry: Resource) -> set[str] | None:
    """The regions an ML registry replicates to: its row's regionDetails, or, when the row
    has none, those of a recorded ARM GET of the registry."""
    look.seen(registry)
    details = registry.get("properties.regionDetails")
    source = "properties.regionDetails"
    if not isinstance(details, list):
        look.observe(registry.raw_id, source, details)
        found = estate.arm_get(registry.raw_id, f"the registry {registry.name}")
        body_details = get_path(found.value, "properties.regionDetails") if found.ok else None
        if not isinstance(body_details, list):
            problem = found.problem or f"GET {registry.raw_id} has no properties.regionDetails"
            look.missing.append(
                f"{registry.raw_id} has no 'properties.regionDetails' in its row, and {problem}"
            )
            return None
        details, source = body_details, f"properties.regionDetails (GET {registry.raw_id})"
        look.note(f"the regions of registry {registry.name} come from its ARM read")
    regions = {
        norm_region(entry["location"])
        for entry in details
        if isinstance(entry, dict) and isinstance(entry.get("location"), str)
    }  # the home region is listed too: one not listed holds no copy
    look.observe(registry.raw_id, source + "[].location", sorted(regions))
    return regions


# Registries Microsoft runs for everyone (azureml://registries/azureml/... curated
# environments, the model catalog's publishers): not the team's to replicate.
_MICROSOFT_REGISTRIES = frozenset({"azureml", "azure-openai", "huggingface", "nvidia-ai"})


def _microsoft_registry(name: str) -> bool:
    return name in _MICROSOFT_REGISTRIES or name.startswith("azureml-")


class RegistryParams(FrozenModel):
    registries: tuple[str, ...] = ()  # registry names judged for every pair, referenced or not


@check("registries_replicated", RegistryParams)
def registries_replicated(ctx: Context, params: RegistryParams) -> Outcome:
    """DR-11: the ML registries the pair's deployments use list both regions."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    wanted = {r for r in (look.location(primary), look.location(secondary)) if r}
    references = {
        **_registry_references(ctx.estate, secondary),
        **_registry_references(ctx.estate, primary),
    }
    for name in params.registries:
        references.setdefault(name.lower(), ("rule parameters", "registries", name))
    for name in [n for n in references if _microsoft_registry(n)]:
        where, path, value = references.pop(name)
        look.observe(where, path, value)
        look.note(
            f"registry {name} is one of Microsoft's (curated models and environments, kept in "
            "every region by Microsoft): not judged"
        )
    if not references:
        return look.outcome(
            "no deployment of either workspace takes a model or environment from an Azure ML "
            "registry (azureml://registries/...)",
            inapplicable=True,
        )
    judged = []
    for name in sorted(references):
        where, path, value = references[name]
        look.observe(where, path, value)
        rows = ctx.estate.named(ML_REGISTRY, name)
        if not rows:
            look.missing.append(
                f"registry {name}, referenced by {where}, is not in the snapshot (no "
                f"{ML_REGISTRY} row named {name}; its subscription may not have been scanned)"
            )
            continue
        if len(rows) > 1:
            look.note(f"{len(rows)} registries are named {name}: each is judged")
        for registry in rows:
            regions = _registry_regions(look, ctx.estate, registry)
            if regions is None or len(wanted) < 2:
                continue
            lacking = sorted(wanted - regions)
            if lacking:
                look.fail(
                    f"registry {registry.name} is not replicated to {', '.join(lacking)} "
                    f"(its regions: {', '.join(sorted(regions))})"
                )
            judged.append(registry.name)
    return look.outcome(
        f"registr{'y' if len(judged) == 1 else 'ies'} {', '.join(sorted(set(judged)))} "
        f"replicate{'s' if len(judged) == 1 else ''} to {' and '.join(sorted(wanted))}"
    )
