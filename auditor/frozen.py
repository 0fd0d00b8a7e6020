"""Frozen values: the base of every frozen, closed pydantic model (rules, config, waivers, check
parameters), and quick_init (from auditor.quickinit) for frozen dataclasses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from auditor.quickinit import quick_init as quick_init


class FrozenModel(BaseModel):
    """A validated value read from a file: immutable, and no field it does not declare."""

    model_config = ConfigDict(frozen=True, extra="forbid")
