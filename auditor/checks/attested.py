"""DR-16, DR-20, DR-21: a person attests, until the attestation expires."""

from __future__ import annotations

from auditor.checks.kit import Context, Look, Outcome, check
from auditor.frozen import FrozenModel


class AttestParams(FrozenModel):
    requirement: str
    asks: str


@check("attested", AttestParams, reads_azure=False)
def attested(ctx: Context, params: AttestParams) -> Outcome:
    """DR-16, DR-20, DR-21: a person attests; valid until the attestation expires."""
    look = Look(ctx.estate)
    look.seen(ctx.primary)
    attestation = ctx.workload.attestations.get(params.requirement)
    where = f"workload {ctx.workload.name} in the configuration"
    if attestation is None:
        look.observe(where, f"attestations.{params.requirement}", None)
        return look.outcome(
            f"needs a person's attestation: {params.asks} Record it under "
            f"attestations.{params.requirement} of the workload in auditor.yaml",
            manual=True,
        )
    look.observe(where, f"attestations.{params.requirement}", attestation.model_dump(mode="json"))
    if attestation.date > ctx.as_of:
        return look.outcome(
            f"the attestation by {attestation.by} is dated {attestation.date.isoformat()}, "
            f"after the date the scan judges at ({ctx.as_of.isoformat()}): it attests nothing "
            f"yet: {params.asks}",
            manual=True,
        )
    if attestation.expires < ctx.as_of:
        return look.outcome(
            f"the attestation by {attestation.by} expired on {attestation.expires.isoformat()}; "
            f"attest again: {params.asks}",
            manual=True,
        )
    return look.outcome(
        f"attested by {attestation.by} on {attestation.date.isoformat()} "
        f"(evidence: {attestation.evidence}), valid until {attestation.expires.isoformat()}"
    )
