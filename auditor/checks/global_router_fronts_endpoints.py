"""DR-25: one Front Door or Traffic Manager fronts both regions' online endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from auditor.azure import (
    AFD_ORIGIN,
    FRONT_DOOR,
    ONLINE_ENDPOINT,
    TRAFFIC_MANAGER,
    get_path,
    norm_id,
    parent_id,
)
from auditor.checks.kit import Context, Look, NoParams, Outcome, check, id_name, pair_of, serving
from auditor.estate import Estate, Resource


@dataclass
class _Router:
    label: str
    raw_id: str
    hosts: set[str] = field(default_factory=set)


def _host(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    host = urlsplit(value if "//" in value else f"//{value}").hostname
    return host.lower().rstrip(".") if host else None


def _enabled(value: Any) -> bool:
    return not (isinstance(value, str) and value.lower() == "disabled")


def _routers(estate: Estate) -> tuple[list[_Router], list[str]]:
    """Every origin group (Front Door Standard/Premium), backend pool (Front Door classic) and
    Traffic Manager profile with the hosts it routes to; and rows that could not be read."""
    routers: dict[str, _Router] = {}
    unreadable: list[str] = []
    for origin in estate.of_type(AFD_ORIGIN):
        group = parent_id(origin.raw_id)
        host = _host(origin.get("properties.hostName"))
        if host is None:
            unreadable.append(f"{origin.raw_id} has no 'properties.hostName'")
            continue
        router = routers.setdefault(
            norm_id(group), _Router(f"Front Door origin group {id_name(group)}", group)
        )
        if _enabled(origin.get("properties.enabledState")):
            router.hosts.add(host)
    for door in estate.of_type(FRONT_DOOR):
        if not _enabled(door.get("properties.enabledState")):
            continue  # a disabled Front Door routes nothing
        pools = door.get("properties.backendPools")
        if not isinstance(pools, list):
            unreadable.append(f"{door.raw_id} has no 'properties.backendPools'")
            continue
        for pool in pools:
            label = f"Front Door {door.name} backend pool {get_path(pool, 'name')}"
            router = _Router(label, str(get_path(pool, "id") or door.raw_id))
            backends = get_path(pool, "properties.backends")
            for backend in backends if isinstance(backends, list) else ():
                host = _host(get_path(backend, "address"))
                if host and _enabled(get_path(backend, "enabledState")):
                    router.hosts.add(host)
            routers[f"{door.id}|{label}"] = router
    for profile in estate.of_type(TRAFFIC_MANAGER):
        endpoints = profile.get("properties.endpoints")
        if not isinstance(endpoints, list):
            unreadable.append(f"{profile.raw_id} has no 'properties.endpoints'")
            continue
        if not _enabled(profile.get("properties.profileStatus")):
            continue
        router = _Router(f"Traffic Manager profile {profile.name}", profile.raw_id)
        for endpoint in endpoints:
            host = _host(get_path(endpoint, "properties.target"))
            if host and _enabled(get_path(endpoint, "properties.endpointStatus")):
                router.hosts.add(host)
        routers[profile.id] = router
    return list(routers.values()), unreadable


@check("global_router_fronts_endpoints")
def global_router_fronts_endpoints(ctx: Context, _: NoParams) -> Outcome:
    """DR-25: one Front Door origin group or backend pool, or one Traffic Manager profile,
    routes to the scoring hosts of both the primary's and the secondary's online endpoints."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    ours = ctx.estate.children_of(primary.id, ONLINE_ENDPOINT)
    if not ours:
        return look.outcome("the primary has no online endpoints", inapplicable=True)
    theirs = ctx.estate.children_of(secondary.id, ONLINE_ENDPOINT)
    if not theirs:
        for endpoint in ours:
            look.seen(endpoint)
        look.seen(secondary)
        look.fail(f"{secondary.name} has no online endpoint for a global router to fail over to")
        return look.outcome("")
    # A secondary endpoint being created (scoringUri null), failed or deleting serves nothing,
    # as DR-10 judges it: no router can fail over to it.
    states = {e.id: e.get("properties.provisioningState") for e in theirs}
    live = [e for e in theirs if not isinstance(states[e.id], str) or serving(states[e.id])]
    for endpoint in (e for e in theirs if e not in live):
        state = states[endpoint.id]
        look.observe(endpoint.raw_id, "properties.provisioningState", state, "Succeeded")
        look.note(f"endpoint {endpoint.name} in {secondary.name} is {state}")
    if not live:
        look.fail(f"{secondary.name} has no serving online endpoint for a global router")
        return look.outcome("")
    routers, unreadable = ctx.estate.memo("routers", lambda: _routers(ctx.estate))

    def host(endpoint: Resource) -> str | None:
        uri = look.prop(endpoint, "properties.scoringUri")
        found = _host(uri)
        if uri is not None and found is None:
            look.missing.append(f"'properties.scoringUri' of {endpoint.raw_id} is not a URL")
        return found

    fronted_by: set[str] = set()
    for mine in ours:
        ours_host = host(mine)
        # its counterpart: the secondary's endpoint of the same name, else any of them
        same = [e for e in live if e.name.lower() == mine.name.lower()]
        partners = [(e, host(e)) for e in same or live]
        if ours_host is None or any(h is None for _, h in partners):
            continue
        both = [
            r for r in routers if ours_host in r.hosts and any(h in r.hosts for _, h in partners)
        ]
        look.observe(
            mine.raw_id,
            "router fronting this endpoint and the secondary's",
            [r.label for r in both] or None,
            "an origin group, backend pool or Traffic Manager profile with both scoring hosts",
        )
        if both:
            fronted_by.update(r.label for r in both)
            continue
        if unreadable:
            look.missing.extend(unreadable)  # an unreadable router may front them: error
            continue
        partner, partner_host = partners[0]
        alone = [r for r in routers if ours_host in r.hosts]
        if alone:
            look.fail(
                f"{alone[0].label} fronts endpoint {mine.name} ({ours_host}) but not "
                f"{partner.name} of {secondary.name} ({partner_host})"
            )
        else:
            look.fail(
                f"no Front Door or Traffic Manager fronts endpoint {mine.name} ({ours_host}) "
                f"together with {partner.name} of {secondary.name} ({partner_host})"
            )
    return look.outcome(
        f"{', '.join(sorted(fronted_by))} front{'s' if len(fronted_by) == 1 else ''} both "
        "regions' online endpoints"
    )
