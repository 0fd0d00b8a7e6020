"""Generate a synthetic estate of N DR pairs: a snapshot and a matching configuration file.

    python benchmarks/generate.py N OUT.json[.gz] [--seed S]

writes OUT.json (or OUT.json.gz) with N pairs of Azure ML workspaces spread over a few
subscriptions and region pairs, and OUT.config.yaml declaring about a third of them as configured
workloads; the rest are found through dr-workload tags or by name discovery. The pairs are a
deterministic mix (seeded `random.Random`) of healthy ones and ones broken in the ways the rules
look for: Standard or unreplicated registries, shared storage, separate Key Vaults, smaller
secondary clusters, missing endpoints, unpaired regions, low quota, unreadable or unrecorded ARM
reads and configured workspaces that are not in the snapshot.
"""

from __future__ import annotations

import argparse
import random
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# Run from a checkout without installing the package: python benchmarks/generate.py ...
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from auditor.azure import API_ML, computes_path  # noqa: E402
from auditor.snapshot import dump  # noqa: E402
from auditor.testing.builder import (  # noqa: E402
    SIZES,
    PairSpec,
    SnapshotBuilder,
    add_pair,
    standard_quota,
)

DEFAULT_SEED = 20261120

# (primary, secondary): mostly Azure paired regions, some same-geography non-pairs, and one
# pair of regions without an Azure pair in different geographies.
REGION_PAIRS: tuple[tuple[str, str], ...] = (
    ("eastus", "westus"),
    ("eastus2", "centralus"),
    ("westus2", "westcentralus"),
    ("northeurope", "westeurope"),
    ("westeurope", "northeurope"),
    ("uksouth", "ukwest"),
    ("swedencentral", "swedensouth"),
    ("japaneast", "japanwest"),
    ("eastus", "eastus2"),
    ("italynorth", "polandcentral"),
)
REGION_WEIGHTS = (14, 12, 8, 12, 8, 8, 6, 6, 3, 2)

# Name words that are not region tokens (see auditor.workloads.REGION_ABBREVIATIONS).
TEAMS = (
    "fraud",
    "churn",
    "recsys",
    "forecast",
    "vision",
    "speech",
    "pricing",
    "ranking",
    "search",
    "credit",
    "claims",
    "routing",
)

SIZE_NAMES = tuple(s.name for s in SIZES.values())
QUOTA_LIMITS = (96, 512, 48, 1024)  # dedicated vCPU limit per family, by subscription


@dataclass(frozen=True)
class Generated:
    snapshot: Path
    config: Path
    pairs: int
    resources: int
    arm_reads: int
    errors: int
    configured: int


def config_path_for(snapshot: Path) -> Path:
    """OUT.json[.gz] -> OUT.config.yaml."""
    name = snapshot.name
    for suffix in (".gz", ".json"):
        name = name.removesuffix(suffix)
    return snapshot.with_name(f"{name}.config.yaml")


def _subscriptions(rng: random.Random, count: int) -> list[str]:
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]


def _clusters(rng: random.Random) -> tuple[tuple[str, str, int, str], ...]:
    count = rng.choices((0, 1, 2, 3), weights=(10, 50, 30, 10))[0]
    return tuple(
        (
            f"cluster-{k}",
            rng.choice(SIZE_NAMES),
            rng.choice((2, 4, 8, 16)),
            "LowPriority" if rng.random() < 0.2 else "Dedicated",
        )
        for k in range(count)
    )


def _secondary_clusters(
    rng: random.Random, clusters: tuple[tuple[str, str, int, str], ...]
) -> tuple[tuple[str, str, int, str], ...] | None:
    roll = rng.random()
    if roll < 0.75 or not clusters:
        return None  # mirrored
    if roll < 0.9:
        return tuple((n, s, max(1, m // 2), p) for n, s, m, p in clusters)  # smaller
    if roll < 0.95:
        return ()  # none at all
    return tuple((n, "Standard_E4ds_v4", m, p) for n, _, m, p in clusters)  # other family


def _endpoints(rng: random.Random, team: str) -> tuple[tuple[str, str, int], ...]:
    count = rng.choices((0, 1, 2), weights=(20, 60, 20))[0]
    return tuple(
        (f"{team}-score-{k}", f"{team}-model-{k}", rng.choice((1, 2, 3, 4))) for k in range(count)
    )


def _secondary_endpoints(
    rng: random.Random, endpoints: tuple[tuple[str, str, int], ...]
) -> tuple[tuple[str, str, int], ...] | None:
    roll = rng.random()
    if roll < 0.8 or not endpoints:
        return None
    if roll < 0.9:
        return ()
    return tuple((e, m, 1) for e, m, _ in endpoints)


def _spec(rng: random.Random, index: int, sub: str, tags: bool) -> PairSpec:
    team = rng.choice(TEAMS)
    primary, secondary = rng.choices(REGION_PAIRS, weights=REGION_WEIGHTS)[0]
    clusters = _clusters(rng)
    endpoints = _endpoints(rng, team)
    return PairSpec(
        name=f"{team}-{index:05d}",
        sub=sub,
        primary_region=primary,
        secondary_region=secondary,
        registry_sku="Standard" if rng.random() < 0.08 else "Premium",
        replicate_registry=rng.random() >= 0.08,
        shared_storage=rng.random() < 0.06,
        shared_key_vault=rng.random() >= 0.08,
        shared_app_insights=rng.random() < 0.06,
        clusters=clusters,
        secondary_clusters=_secondary_clusters(rng, clusters),
        endpoints=endpoints,
        secondary_endpoints=_secondary_endpoints(rng, endpoints),
        tags=tags,
        storage_sku=rng.choices(
            ("Standard_ZRS", "Standard_LRS", "Standard_GRS", "Standard_RAGZRS"),
            weights=(70, 15, 10, 5),
        )[0],
    )


def _attestations(rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for req in ("DR-16", "DR-20", "DR-21"):
        if rng.random() < 0.5:
            continue
        out[req] = {
            "by": "ml-platform@contoso.example",
            "date": "2026-06-01",
            "evidence": "https://dev.azure.com/contoso/ml-platform/_wiki/wikis/dr/42",
            "expires": rng.choice(("2026-09-01", "2027-06-01", "2027-12-01")),
        }
    return out


def build(n: int, seed: int = DEFAULT_SEED) -> tuple[dict[str, Any], dict[str, Any]]:
    """The snapshot and config documents of an estate of n DR pairs."""
    rng = random.Random(seed)
    subs = _subscriptions(rng, 4)
    builder = SnapshotBuilder()
    regions = sorted({r for pair in REGION_PAIRS for r in pair})
    for k, sub in enumerate(subs):
        # The last subscription's provider does not offer workspaces in polandcentral (DR-24).
        offered = [r for r in regions if not (k == len(subs) - 1 and r == "polandcentral")]
        builder.subscription(sub, ml_regions=None if k != len(subs) - 1 else offered)
        standard_quota(builder, sub, regions, QUOTA_LIMITS[k % len(QUOTA_LIMITS)])
    workloads: list[dict[str, Any]] = []
    for index in range(n):
        sub = subs[rng.randrange(len(subs))]
        configured = index % 3 == 0
        spec = _spec(rng, index, sub, tags=not configured and rng.random() < 0.5)
        primary, secondary = add_pair(builder, spec)
        roll = rng.random()
        if roll < 0.01:
            # The secondary's computes could not be read: recorded as a 403 and an error.
            path = computes_path(secondary)
            builder.forbid(path)
            builder.error(
                "arm",
                f"GET {path}?api-version={API_ML}",
                403,
                "AuthorizationFailed",
                "The client does not have authorization to perform action over scope.",
                subscription=sub,
            )
        elif roll < 0.02:
            # The read was throttled and never recorded: only the error says why.
            path = computes_path(secondary)
            del builder.arm[path.lower()]
            builder.error(
                "arm",
                f"GET {path}?api-version={API_ML}",
                429,
                "TooManyRequests",
                "The request was throttled; retry after 30 seconds.",
                subscription=sub,
            )
        if configured:
            entry: dict[str, Any] = {"name": spec.name, "primary": primary, "secondary": secondary}
            if rng.random() < 0.02:
                # The configured secondary was deleted (or renamed) since the file was written.
                entry["secondary"] = secondary.replace(
                    f"-{spec.secondary_region}", f"-{spec.secondary_region}-old"
                )
            shape = rng.random()
            if shape < 0.3:
                entry["target"] = "hot/hot"
            elif shape < 0.55:
                entry["target"] = "hot/warm"
            elif shape < 0.7:
                entry["targets"] = {"inference": "hot/warm", "training": "hot/cold"}
            attestations = _attestations(rng)
            if attestations:
                entry["attestations"] = attestations
            workloads.append(entry)
    return builder.build(), {"workloads": workloads}


def generate(n: int, out: Path | str, seed: int = DEFAULT_SEED) -> Generated:
    """Write the snapshot of n pairs to `out` and its config beside it."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    snapshot, config = build(n, seed)
    dump(snapshot, out)
    config_file = config_path_for(out)
    header = f"# Synthetic estate of {n} DR pairs (seed {seed}): benchmarks/generate.py\n"
    text = header + yaml.safe_dump(config, sort_keys=False, width=200)
    config_file.write_text(text)
    return Generated(
        snapshot=out,
        config=config_file,
        pairs=n,
        resources=len(snapshot["resources"]),
        arm_reads=len(snapshot["arm"]),
        errors=len(snapshot["errors"]),
        configured=len(config["workloads"]),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of DR pairs (workloads)")
    parser.add_argument("out", type=Path, help="snapshot to write (.json, or .json.gz)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    made = generate(args.n, args.out, args.seed)
    print(
        f"wrote {made.snapshot} ({made.pairs} pairs, {made.resources} resources, "
        f"{made.arm_reads} ARM reads, {made.errors} errors) and {made.config} "
        f"({made.configured} configured workloads)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
