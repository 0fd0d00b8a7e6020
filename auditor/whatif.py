"""What a regional outage does to the fleet: every workload with its primary in the lost region
fails over at once, those with their secondary there lose their protection, and what is homed
there (a registry, a Key Vault, an ML registry, storage, Application Insights) affects every
workload that uses it.

A what-if reads a scan's report (the verdicts per workload and tier, and the topology of each
workload) and the estate it was made from; it judges nothing the rules did not judge. Shared
quota, the one fleet effect a rule can see, is the shared-quota rule's (DR-09): its findings are
in the report like any other."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from auditor.azure import ML_REGISTRY, norm_region
from auditor.estate import Estate
from auditor.model import TIERS, AssetClass, Finding, Status, Tier
from auditor.report import EXIT_INCOMPLETE, EXIT_NOT_READY, EXIT_OK, Report, WorkloadResult
from auditor.topology import NodeKind, Role

SCHEMA_VERSION = 1


class Verdict(StrEnum):
    """What happens to a workload when the region goes down, from best to worst."""

    UNTOUCHED = "untouched"  # nothing of it is in the region
    AFFECTED = "affected"  # keeps serving, but something it uses is in the region
    UNPROTECTED = "unprotected"  # its secondary is in the region: serving, nothing to fail to
    SERVES = "serves"  # fails over hot: the secondary already serves at the primary's capacity
    SCALE_UP = "serves_after_scale_up"  # the secondary serves once its deployments scale up
    REDEPLOY = "needs_redeploy"  # the secondary has the foundation: redeploy, hours not minutes
    DOWN = "down"  # nothing to fail over to, or the secondary is not ready even for hot/cold
    UNKNOWN = "unknown"  # what decides it could not be read: readiness unproven

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Verdict.UNTOUCHED: "untouched",
    Verdict.AFFECTED: "affected",
    Verdict.UNPROTECTED: "unprotected",
    Verdict.SERVES: "serves",
    Verdict.SCALE_UP: "serves after scale-up",
    Verdict.REDEPLOY: "needs redeploy",
    Verdict.DOWN: "down",
    Verdict.UNKNOWN: "unknown",
}

# The tier a workload fails over at, as the verdict that names it.
_AT_TIER = {Tier.HOT_HOT: Verdict.SERVES, Tier.HOT_WARM: Verdict.SCALE_UP}
_AT_TIER[Tier.HOT_COLD] = Verdict.REDEPLOY

# The three columns of the all-regions matrix.
KEEPS = frozenset({Verdict.UNTOUCHED, Verdict.AFFECTED, Verdict.SERVES})
DEGRADES = frozenset({Verdict.UNPROTECTED, Verdict.SCALE_UP, Verdict.REDEPLOY})
GOES_DOWN = frozenset({Verdict.DOWN, Verdict.UNKNOWN})


@dataclass(frozen=True)
class Dependency:
    """A resource homed in the lost region, what the outage does to it, and who uses it."""

    kind: str
    id: str
    name: str
    region: str
    effect: str
    blocks: bool  # the workloads using it cannot run on their secondary while it is down
    workloads: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "region": self.region,
            "effect": self.effect,
            "blocks": self.blocks,
            "workloads": list(self.workloads),
        }


@dataclass(frozen=True)
class Outlook:
    """One workload's fate when the region goes down."""

    workload: str
    primary_region: str | None
    secondary_region: str | None
    target: Tier
    verdict: Verdict
    tier: Tier | None  # the tier it fails over at, when it fails over
    keeps_target: bool | None  # None for a workload the outage does not make fail over
    reasons: tuple[str, ...]
    blockers: tuple[str, ...] = ()  # finding ids that stand between it and its target
    dependencies: tuple[str, ...] = ()  # ids of the dependencies in the region it uses

    def as_dict(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "primary_region": self.primary_region,
            "secondary_region": self.secondary_region,
            "target": self.target.value,
            "verdict": self.verdict.value,
            "tier": self.tier.value if self.tier else None,
            "keeps_target": self.keeps_target,
            "reasons": list(self.reasons),
            "blockers": list(self.blockers),
            "dependencies": list(self.dependencies),
        }


@dataclass(frozen=True)
class RegionDown:
    """The outlook of every workload when one region goes down."""

    region: str
    complete: bool  # the scan saw everything it needed
    workloads: tuple[Outlook, ...]
    dependencies: tuple[Dependency, ...] = field(default=())

    @property
    def failing_over(self) -> tuple[Outlook, ...]:
        return tuple(o for o in self.workloads if o.keeps_target is not None)

    @property
    def counts(self) -> dict[Verdict, int]:
        found = Counter(o.verdict for o in self.workloads)
        return {verdict: found[verdict] for verdict in Verdict}

    @property
    def blast(self) -> tuple[int, int, int]:
        """Workloads that keep serving, degrade, and go down."""
        counts = self.counts
        return (
            sum(counts[v] for v in KEEPS),
            sum(counts[v] for v in DEGRADES),
            sum(counts[v] for v in GOES_DOWN),
        )

    @property
    def exit_code(self) -> int:
        """3 when what decides a verdict could not be read, 1 when a workload with its primary
        in the region does not keep serving at its target, else 0."""
        if not self.complete or any(o.verdict is Verdict.UNKNOWN for o in self.workloads):
            return EXIT_INCOMPLETE
        if any(o.keeps_target is False for o in self.workloads):
            return EXIT_NOT_READY
        return EXIT_OK

    def as_dict(self) -> dict[str, Any]:
        keeps, degrades, down = self.blast
        return {
            "region": self.region,
            "complete": self.complete,
            "exit_code": self.exit_code,
            "summary": {
                "failing_over": len(self.failing_over),
                "keep_target": sum(1 for o in self.workloads if o.keeps_target),
                "keep_serving": keeps,
                "degrade": degrades,
                "down": down,
                "verdicts": {v.value: n for v, n in self.counts.items()},
            },
            "workloads": [o.as_dict() for o in self.workloads],
            "dependencies": [d.as_dict() for d in self.dependencies],
        }


def _target(result: WorkloadResult) -> Tier:
    """The strictest tier the workload asks for (foundation is judged at it)."""
    return result.workload.targets[AssetClass.FOUNDATION]


def _rules(findings: Iterable[Finding]) -> str:
    return ", ".join(sorted({f.rule for f in findings}))


def _judged(
    result: WorkloadResult,
    verdict: Verdict,
    reasons: Sequence[str],
    *,
    tier: Tier | None = None,
    keeps: bool | None = None,
    blockers: Iterable[Finding] = (),
    uses: Iterable[Dependency] = (),
) -> Outlook:
    return Outlook(
        workload=result.name,
        primary_region=result.primary_region,
        secondary_region=result.secondary_region,
        target=_target(result),
        verdict=verdict,
        tier=tier,
        keeps_target=keeps,
        reasons=tuple(reasons),
        blockers=tuple(f.id for f in blockers),
        dependencies=tuple(d.id for d in uses),
    )


def _fail_over(result: WorkloadResult, blocking: Sequence[Dependency]) -> Outlook:
    """A workload whose primary is in the lost region, with a secondary elsewhere."""
    target = _target(result)
    lost = [f"{d.kind} {d.name} is in the lost region: {d.effect}" for d in blocking]
    reasons: list[str] = []
    for tier in TIERS:
        judged = result.tiers[tier]
        if judged.ready:
            if lost:
                break  # ready by its own rules, but what it needs went down with the region
            keeps = tier.strictness >= target.strictness
            missed = () if keeps else result.tiers[target].blocking
            if not keeps:
                reasons.append(f"not ready for {target.value}: {_rules(missed)}")
            reasons.insert(0, f"ready for {tier.value} in {result.secondary_region}")
            return _judged(result, _AT_TIER[tier], reasons, tier=tier, keeps=keeps, blockers=missed)
        failed = [f for f in judged.blocking if f.status is Status.FAIL]
        unseen = [f for f in judged.blocking if f.status is Status.ERROR]
        if not failed and not lost:
            # Only unread data stands between the workload and this tier: whether it would
            # serve at it is unknown, and no less strict verdict may be claimed in its place.
            why = f"{tier.value} could not be judged: {_rules(unseen)} could not be evaluated"
            return _judged(result, Verdict.UNKNOWN, [why], keeps=False, blockers=unseen)
        reasons.append(f"not ready for {tier.value}: {_rules(judged.blocking)}")
    else:
        # Ready for no tier: what blocks hot/cold, then what each stricter tier adds to it.
        reasons = [f"not ready even for hot/cold: {_rules(result.tiers[Tier.HOT_COLD].blocking)}"]
        below = {f.rule for f in result.tiers[Tier.HOT_COLD].blocking}
        for tier in (Tier.HOT_WARM, Tier.HOT_HOT):
            more = [f for f in result.tiers[tier].blocking if f.rule not in below]
            if more:
                reasons.append(f"{tier.value} also needs: {_rules(more)}")
            below |= {f.rule for f in more}
    return _judged(
        result,
        Verdict.DOWN,
        lost + reasons,
        keeps=False,
        blockers=result.tiers[Tier.HOT_COLD].blocking,
        uses=blocking,
    )


def _outlook(result: WorkloadResult, region: str, uses: Sequence[Dependency]) -> Outlook:
    primary = norm_region(result.primary_region or "")
    secondary = norm_region(result.secondary_region or "") if result.secondary_region else None
    if primary == region:
        if result.workload.secondary is None or secondary is None:
            why = "no secondary workspace to fail over to (DR-01)"
            return _judged(result, Verdict.DOWN, [why], keeps=False)
        if secondary == region:
            why = "its secondary is in the same region"
            return _judged(result, Verdict.DOWN, [why], keeps=False)
        return _fail_over(result, [d for d in uses if d.blocks])
    if secondary == region:
        why = (
            f"keeps serving in {result.primary_region}; its secondary is lost: unprotected "
            "until a new secondary exists"
        )
        return _judged(result, Verdict.UNPROTECTED, [why], uses=uses)
    if uses:
        reasons = [f"{d.kind} {d.name}: {d.effect}" for d in uses]
        return _judged(result, Verdict.AFFECTED, reasons, uses=uses)
    return _judged(result, Verdict.UNTOUCHED, [])


_KINDS = {
    NodeKind.REGISTRY: "container registry",
    NodeKind.KEY_VAULT: "Key Vault",
    NodeKind.STORAGE: "storage account",
    NodeKind.APP_INSIGHTS: "Application Insights",
}


_OWN = (NodeKind.STORAGE, NodeKind.APP_INSIGHTS)


def _paired(estate: Estate, region: str) -> tuple[str, ...]:
    for subscription in sorted(estate.subscriptions_in_scope):
        found = estate.locations(subscription)
        if found.ok and region in found.value:
            return tuple(found.value[region].paired)
    return ()


def _effect(kind: NodeKind, replicas: Sequence[str], paired: Sequence[str]) -> tuple[str, bool]:
    """What the outage does to a resource of this kind, and whether it stops a failover."""
    if kind is NodeKind.REGISTRY:
        if replicas:
            return (
                f"its replicas ({', '.join(replicas)}) keep serving image pulls; pushes and new "
                "replications stop until the region is back",
                False,
            )
        return "no replica elsewhere: images cannot be pulled, nothing can be deployed", True
    if kind is NodeKind.KEY_VAULT:
        if paired:
            return (
                f"Azure fails the vault over to its paired region ({', '.join(paired)}), "
                "read-only: secrets and keys can be read, not created or changed, until the "
                "region is back",
                False,
            )
        return (
            "the region has no pair: the vault is unavailable, and a workspace cannot run "
            "without its vault",
            True,
        )
    if kind is NodeKind.STORAGE:
        return "the account is unavailable unless Microsoft fails it over (GRS): data at risk", True
    return "telemetry of the workloads that use it stops; serving does not", False


def dependencies(report: Report, estate: Estate, region: str) -> tuple[Dependency, ...]:
    """Resources homed in the region, with the workloads that use them."""
    found: dict[str, dict[str, Any]] = {}
    paired = _paired(estate, region)
    for result in report.workloads:
        topology = result.topology
        if topology is None:
            continue
        replicas: dict[str, list[str]] = {}
        for edge in topology.edges:
            if edge.kind.value == "replica":
                node = next((n for n in topology.nodes if n.id == edge.target), None)
                if node is not None and node.region:
                    replicas.setdefault(edge.source, []).append(node.region)
        for node in topology.nodes:
            if node.kind not in _KINDS or node.region is None or node.region != region:
                continue
            # A workspace's own storage or telemetry in its own region is lost with that
            # workspace; only one the pair shares, or one in a third region, is a dependency.
            if node.role is not Role.SHARED and node.kind in _OWN:
                continue
            others = sorted({r for r in replicas.get(node.id, []) if r != region})
            effect, blocks = _effect(node.kind, others, paired)
            entry = found.setdefault(
                node.id.lower(),
                {
                    "kind": _KINDS[node.kind],
                    "id": node.id,
                    "name": node.name,
                    "region": region,
                    "effect": effect,
                    "blocks": blocks,
                    "workloads": set(),
                },
            )
            entry["workloads"].add(result.name)
        for finding in result.findings:
            if finding.rule != "DR-11":
                continue
            for rid in finding.resources:
                if f"/{ML_REGISTRY.split('/')[-1]}/" not in rid.lower():
                    continue
                registry = estate.get(rid)
                if registry is None or norm_region(registry.location) != region:
                    continue
                entry = found.setdefault(
                    rid.lower(),
                    {
                        "kind": "Azure ML registry",
                        "id": registry.raw_id,
                        "name": registry.name,
                        "region": region,
                        "effect": "its home region is lost: models and environments already "
                        "replicated to other regions stay usable; new versions cannot be "
                        "created until the region is back",
                        "blocks": False,
                        "workloads": set(),
                    },
                )
                entry["workloads"].add(result.name)
    return tuple(
        Dependency(**{**e, "workloads": tuple(sorted(e["workloads"]))})
        for e in sorted(found.values(), key=lambda e: (e["kind"], e["name"].lower()))
    )


def region_down(report: Report, estate: Estate, region: str) -> RegionDown:
    """Every workload's outlook when `region` goes down."""
    region = norm_region(region)
    deps = dependencies(report, estate, region)
    by_workload: dict[str, list[Dependency]] = {}
    for dep in deps:
        for name in dep.workloads:
            by_workload.setdefault(name, []).append(dep)
    outlooks = [_outlook(r, region, by_workload.get(r.name, ())) for r in report.workloads]
    order = {v: i for i, v in enumerate(reversed(Verdict))}
    outlooks.sort(key=lambda o: (o.keeps_target is not False, order[o.verdict], o.workload))
    return RegionDown(region, report.scan.complete, tuple(outlooks), deps)


def regions_used(report: Report) -> tuple[str, ...]:
    """Every region a workload of the report has a workspace or a dependency in."""
    found: set[str] = set()
    for result in report.workloads:
        for region in (result.primary_region, result.secondary_region):
            if region:
                found.add(norm_region(region))
        topology = result.topology
        if topology is not None:
            found.update(n.region for n in topology.nodes if n.region)
    return tuple(sorted(found))


def all_regions(report: Report, estate: Estate) -> tuple[RegionDown, ...]:
    """A region-down outlook for every region the estate uses, the widest blast first."""
    outlooks = [region_down(report, estate, region) for region in regions_used(report)]
    outlooks.sort(key=lambda r: (-r.blast[2], -r.blast[1], r.region))
    return tuple(outlooks)


def document(report: Report, outlooks: Sequence[RegionDown], mode: str) -> Mapping[str, Any]:
    """The what-if JSON document (docs/what-if.md; schema auditor/schemas/whatif-v1.schema.json)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "auditor.what-if",
        "mode": mode,
        "tool_version": report.tool_version,
        "generated_at": report.generated_at,
        "scan": {
            "source": report.scan.source,
            "collected_at": report.scan.collected_at,
            "as_of": report.scan.as_of.isoformat(),
            "complete": report.scan.complete,
            "errors": len(report.scan.errors),
            "error_findings": report.scan.error_findings,
        },
        "exit_code": max((o.exit_code for o in outlooks), default=EXIT_OK),
        "regions": [o.as_dict() for o in outlooks],
    }


def schema() -> dict[str, Any]:
    """The JSON Schema of the what-if document."""
    from importlib import resources

    text = resources.files("auditor").joinpath("schemas/whatif-v1.schema.json").read_text()
    found: dict[str, Any] = json.loads(text)
    return found
