"""The configuration file (auditor.yaml): workloads, targets and attestations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from auditor.errors import ConfigError
from auditor.frozen import FrozenModel
from auditor.heap import paused_gc
from auditor.model import AssetClass, Tier
from auditor.textfiles import Unreadable, parse_yaml

# libyaml's loader when PyYAML was built with it (its wheels are): same safety, ~5x faster.

MANUAL_REQUIREMENTS = ("DR-16", "DR-20", "DR-21")


class Attestation(FrozenModel):
    """A person's statement that a manual requirement is met, with evidence and an expiry."""

    by: str = Field(min_length=1)
    date: dt.date
    evidence: str = Field(min_length=1)
    expires: dt.date

    @model_validator(mode="after")
    def _expires_after_date(self) -> Attestation:
        if self.expires < self.date:
            raise ValueError("'expires' is before 'date'")
        return self


class WorkloadConfig(FrozenModel):
    name: str = Field(min_length=1)
    primary: str = Field(min_length=1)
    secondary: str | None = None
    target: Tier | None = None
    targets: dict[AssetClass, Tier] | None = None
    attestations: dict[str, Attestation] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _two_workspaces(self) -> WorkloadConfig:
        if self.secondary is not None and _key(self.secondary) == _key(self.primary):
            raise ValueError(
                f"primary and secondary are the same workspace ({self.primary}): "
                "the secondary must be another workspace, in another region"
            )
        return self

    @field_validator("attestations")
    @classmethod
    def _known_requirement(cls, value: dict[str, Attestation]) -> dict[str, Attestation]:
        for key in value:
            if key not in MANUAL_REQUIREMENTS:
                raise ValueError(
                    f"'{key}' cannot be attested: attestations are for the manual "
                    f"requirements {', '.join(MANUAL_REQUIREMENTS)}"
                )
        return value


class Config(FrozenModel):
    workloads: list[WorkloadConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Config:
        names: set[str] = set()
        seen: dict[str, str] = {}
        for wl in self.workloads:
            if wl.name in names:
                raise ValueError(f"workload name '{wl.name}' is used twice")
            names.add(wl.name)
            for ws in (wl.primary, wl.secondary):
                if ws is None:
                    continue
                key = _key(ws)
                if key in seen:
                    raise ValueError(
                        f"workspace {ws} is in two workloads ('{seen[key]}' and '{wl.name}')"
                    )
                seen[key] = wl.name
        return self


def _key(workspace_id: str) -> str:
    return workspace_id.strip().rstrip("/").lower()


def _message(error: Any) -> str:
    """pydantic's message without its 'Value error, ' prefix (ours say what is wrong)."""
    return str(error["msg"]).removeprefix("Value error, ")


def _location(error: dict[str, Any]) -> str:
    return ".".join(str(p) for p in error["loc"]) or "(top level)"


def parse(data: Any, source: str) -> Config:
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level (with 'workloads:')")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        found = [f"{source}: field '{_location(dict(e))}': {_message(e)}" for e in exc.errors()]
        raise ConfigError(found[0], found) from None


def problems(path: Path | str) -> tuple[Config | None, list[str]]:
    """Every schema problem of a config file (not just the first), and the config if none."""
    data = _read(Path(path))
    if data is not None and not isinstance(data, dict):
        return None, [f"{path}: expected a mapping at the top level (with 'workloads:')"]
    try:
        return Config.model_validate(data or {}), []
    except ValidationError as exc:
        return None, [f"{path}: field '{_location(dict(e))}': {_message(e)}" for e in exc.errors()]


def salvage(path: Path | str) -> tuple[Config, list[int]]:
    """The workloads of a config that are valid on their own, and their indices: an invalid
    config is still checked against the estate where it can be, so that one run lists every
    problem."""
    data = _read(Path(path))
    items = data.get("workloads") if isinstance(data, dict) else None
    kept: list[WorkloadConfig] = []
    indices: list[int] = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        try:
            kept.append(WorkloadConfig.model_validate(item))
        except ValidationError:
            continue
        indices.append(index)
    return Config.model_construct(workloads=kept), indices


def load(path: Path | str) -> Config:
    path = Path(path)
    # Without the cyclic collector: once a large snapshot is loaded, its passes over that heap
    # cost ten times the parse and validation themselves (which make no cycles).
    with paused_gc():
        return parse(_read(path), str(path))


def _read(path: Path) -> Any:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None
    try:
        return parse_yaml(text)
    except Unreadable as exc:
        raise ConfigError(f"{path}: {exc}") from None
