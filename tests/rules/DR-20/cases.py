"""DR-20 cases: Machine-learning assets are managed as code."""

from __future__ import annotations

from tests.rules.kit import Attested

cases = Attested("DR-20").cases
