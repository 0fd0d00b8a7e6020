"""DR-15: the secondary is network-isolated as the primary is."""

from __future__ import annotations

from typing import Any

from auditor.azure import MISSING, get_path
from auditor.checks.kit import Context, Look, NoParams, Outcome, check, id_name, is_project, pair_of
from auditor.estate import Estate, PrivateLink, Resource


def _approved(status: Any) -> bool:
    """A private endpoint connection that serves: approved, or with no state recorded (an
    auto-approved connection may carry none)."""
    return status is None or status is MISSING or str(status).lower() == "approved"


def _private_links(look: Look, estate: Estate, ws: Resource) -> list[str]:
    """Names of the approved private endpoints of a workspace (through its hub for a project
    without its own); the workspace's own privateEndpointConnections when none is a row."""
    links: list[PrivateLink] = list(estate.private_links(ws.id))
    owner = ws
    if not links and is_project(ws):
        hub_id = ws.get("properties.hubResourceId")
        hub = estate.get(hub_id) if isinstance(hub_id, str) and hub_id else None
        if hub is not None and estate.private_links(hub.id):
            links, owner = list(estate.private_links(hub.id)), hub
            look.note(
                f"{ws.name} is a project: its private endpoints are judged through hub {hub.name}"
            )
    approved = []
    for link in links:
        look.seen(link.endpoint)
        look.observe(
            link.endpoint.raw_id,
            "properties.privateLinkServiceConnections[].properties.privateLinkServiceId",
            owner.raw_id,
        )
        if _approved(link.status):
            approved.append(link.endpoint.name)
        else:
            look.note(f"private endpoint {link.endpoint.name} of {ws.name} is {link.status}")
    if not links:
        connections = owner.get("properties.privateEndpointConnections")
        for connection in connections if isinstance(connections, list) else ():
            status = get_path(connection, "properties.privateLinkServiceConnectionState.status")
            endpoint = get_path(connection, "properties.privateEndpoint.id")
            if _approved(status) and isinstance(endpoint, str):
                approved.append(id_name(endpoint))
                look.observe(ws.raw_id, "properties.privateEndpointConnections", endpoint)
    return sorted(set(approved))


def _public_access(look: Look, ws: Resource) -> Any:
    """A workspace's publicNetworkAccess. The service leaves the key out while public access is
    on, the default (real answers: tests/real/ml-workspaces/): absent is Enabled."""
    if ws.get("properties.publicNetworkAccess") is MISSING and isinstance(
        ws.get("properties"), dict
    ):
        look.observe(ws.raw_id, "properties.publicNetworkAccess", None)
        look.note(f"{ws.name} does not say publicNetworkAccess: the default, Enabled, is judged")
        return "Enabled"
    return look.prop(ws, "properties.publicNetworkAccess")


@check("network_isolation_mirrored")
def network_isolation_mirrored(ctx: Context, _: NoParams) -> Outcome:
    """DR-15: when the primary disables public network access or is reached through private
    endpoints, the secondary does too."""
    look = Look(ctx.estate)
    primary, secondary = pair_of(ctx)
    public = _public_access(look, primary)
    ours = _private_links(look, ctx.estate, primary)
    theirs = _private_links(look, ctx.estate, secondary)
    look.observe(primary.raw_id, "private endpoints (approved)", ours or None)
    look.observe(secondary.raw_id, "private endpoints (approved)", theirs or None)
    isolated = []
    if isinstance(public, str) and public.lower() == "disabled":
        isolated.append("disables public network access")
        other = _public_access(look, secondary)
        if isinstance(other, str) and other.lower() != "disabled":
            look.fail(
                f"{primary.name} disables public network access; {secondary.name} has it {other}"
            )
    if ours:
        isolated.append(f"is reached through private endpoint(s) {', '.join(ours)}")
        if not theirs:
            look.fail(
                f"{primary.name} is reached through private endpoint(s) {', '.join(ours)}; "
                f"{secondary.name} has none"
            )
    if not isolated:
        if theirs or str(secondary.get("properties.publicNetworkAccess")).lower() == "disabled":
            look.note(
                f"{secondary.name} is network-isolated while {primary.name} is not: clients "
                "that reach the primary may not reach the secondary"
            )
        return look.outcome(
            f"{primary.name} allows public network access and has no private endpoints: "
            "no isolation to mirror"
        )
    return look.outcome(
        f"{primary.name} {' and '.join(isolated)}; {secondary.name} is isolated the same way"
    )
