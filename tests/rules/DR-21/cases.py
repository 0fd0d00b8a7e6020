"""DR-21 cases: A tested failover runbook exists."""

from __future__ import annotations

from tests.rules.kit import Attested

cases = Attested("DR-21").cases
