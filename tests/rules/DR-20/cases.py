"""DR-20 cases: Machine-learning assets are managed as code."""

from __future__ import annotations

import copy
from typing import Any

from tests.rules.kit import EVIDENCE, OWNER, Cases, Pair, attestation, pair_config

cases = Cases("DR-20")

# An attested rule reads the workload's configuration, not Azure: one snapshot serves every case.
e = Pair(tags=False)
snapshot = e.snapshot()


def config(expires: str | None) -> dict[str, Any]:
    return pair_config(e, attestations={"DR-20": attestation(expires)} if expires else {})


cases.add(
    "pass-attested",
    "The workload's configuration records a valid attestation.",
    copy.deepcopy(snapshot),
    "pass",
    f"attested by {OWNER} on 2026-10-01 (evidence: {EVIDENCE}), valid until 2027-04-01",
    config=config("2027-04-01"),
)
cases.add(
    "fail-no-attestation",
    "No attestation recorded: the rule stays manual, never a pass.",
    copy.deepcopy(snapshot),
    "manual",
    "needs a person's attestation:",
    "Record it under attestations.DR-20 of the workload in auditor.yaml",
    config=config(None),
)
