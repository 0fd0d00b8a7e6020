"""DR-10: the secondary's online endpoints serve the primary's models."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.azure import ONLINE_DEPLOYMENT, ONLINE_ENDPOINT
from auditor.checks.kit import Context, Look, Outcome, check, model_key, pair_of, serving
from auditor.estate import Estate, Resource
from auditor.frozen import FrozenModel, quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class Served:
    endpoint: Resource
    models: dict[str, int]
    # models of deployments whose state, count or model is missing (None: model unknown)
    unsure: frozenset[str | None] = frozenset()

    def may_serve(self, wanted: set[str]) -> bool:
        return None in self.unsure or wanted <= set(self.models) | self.unsure

    def doubtful(self, wanted: set[str]) -> bool:
        return None in self.unsure or bool(self.unsure & wanted)


def _served(
    look: Look, estate: Estate, ws: Resource, *, secondary: bool, capacity: bool
) -> list[Served]:
    """Models each online endpoint serves, with instance counts. In the primary, deployments
    that take no traffic or do not serve (failed, being created or deleted) are left out; in
    the secondary, every serving deployment of a serving endpoint counts (a standby deployment
    takes no traffic until failover)."""
    served = []
    for endpoint in estate.children_of(ws.id, ONLINE_ENDPOINT):
        look.seen(endpoint)
        if secondary:
            state = endpoint.get("properties.provisioningState")
            if not serving(state):
                # A failed (or deleting, ...) endpoint serves nothing, whatever its deployments say.
                look.observe(endpoint.raw_id, "properties.provisioningState", state, "Succeeded")
                if isinstance(state, str):
                    look.note(f"endpoint {endpoint.name} in {ws.name} is {state}")
                    continue
                look.missing.append(f"{endpoint.raw_id} has no 'properties.provisioningState'")
                served.append(Served(endpoint, {}, frozenset({None})))
                continue
        traffic = endpoint.get("properties.traffic")
        weights = (
            {str(k).lower(): v for k, v in traffic.items()} if isinstance(traffic, dict) else {}
        )
        models: dict[str, int] = {}
        unsure: set[str | None] = set()
        for deployment in estate.children_of(endpoint.id, ONLINE_DEPLOYMENT):
            if not secondary and weights and not weights.get(deployment.name.lower()):
                continue
            state = deployment.get("properties.provisioningState")
            if not secondary and isinstance(state, str) and not serving(state):
                # A primary deployment that failed (or is being deleted) serves no model.
                look.observe(deployment.raw_id, "properties.provisioningState", state, "Succeeded")
                continue
            if secondary and not serving(state):
                look.observe(deployment.raw_id, "properties.provisioningState", state, "Succeeded")
                if not isinstance(state, str):
                    look.missing.append(
                        f"{deployment.raw_id} has no 'properties.provisioningState'"
                    )
                    model = deployment.get("properties.model")
                    unsure.add(model_key(model) if isinstance(model, str) else None)
                continue
            model = look.prop(deployment, "properties.model")
            count = look.prop(deployment, "sku.capacity") if capacity else 0
            if model is not None and not isinstance(model, str):
                look.missing.append(f"'properties.model' of {deployment.raw_id} is {model!r}")
            if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
                look.missing.append(f"'sku.capacity' of {deployment.raw_id} is {count!r}")
                count = None
            if not isinstance(model, str):
                unsure.add(None)
                continue
            key = model_key(model)
            if count is None:
                unsure.add(key)
                continue
            models[key] = models.get(key, 0) + count
        served.append(Served(endpoint, models, frozenset(unsure)))
    return served


class ModelParams(FrozenModel):
    capacity: bool = False


@check("models_in_secondary", ModelParams)
def models_in_secondary(ctx: Context, params: ModelParams) -> Outcome:
    """DR-10: every primary online endpoint has a secondary endpoint serving the same models
    (provisioned; with `capacity`, with at least the primary's instance count)."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    ours = _served(look, ctx.estate, primary, secondary=False, capacity=params.capacity)
    theirs = _served(look, ctx.estate, secondary, secondary=True, capacity=params.capacity)
    if not ours:
        return look.outcome("the primary has no online endpoints", inapplicable=True)
    for mine in ours:
        if not mine.models:
            continue
        by_name = [s for s in theirs if s.endpoint.name.lower() == mine.endpoint.name.lower()]
        others = [s for s in theirs if s not in by_name]
        candidates = by_name + others
        covering = [s for s in candidates if set(mine.models) <= set(s.models)]
        wanted = ", ".join(sorted(mine.models))
        if not covering:
            if any(s.may_serve(set(mine.models)) for s in candidates):
                continue  # a deployment whose data is missing may serve them: error, not fail
            look.fail(
                f"endpoint {mine.endpoint.name} serves {wanted}; no provisioned endpoint in "
                f"{secondary.name} serves the same model"
            )
            continue
        if params.capacity:
            enough = [s for s in covering if all(s.models[m] >= n for m, n in mine.models.items())]
            if not enough and not any(s.doubtful(set(mine.models)) for s in candidates):
                best = covering[0]
                shortfalls = ", ".join(
                    f"{m}: {best.models[m]} < {n}"
                    for m, n in sorted(mine.models.items())
                    if best.models[m] < n
                )
                look.fail(
                    f"endpoint {best.endpoint.name} in {secondary.name} has fewer instances "
                    f"than {mine.endpoint.name} in the primary ({shortfalls})"
                )
    what = "with the primary's instance counts" if params.capacity else "provisioned"
    return look.outcome(
        f"every primary online endpoint's models are served in {secondary.name}, {what}"
    )
