"""Waivers: accepted risks, each with a reason, an owner and an expiry (auditor scan --waivers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from auditor.azure import norm_id
from auditor.errors import WaiverError
from auditor.frozen import FrozenModel
from auditor.model import Finding
from auditor.textfiles import Unreadable, parse_yaml

EXAMPLE = (
    "waivers:\n"
    "  - rule: DR-06\n"
    "    workload: recsys            # or resources: [<resource id>, ...]\n"
    "    reason: registry moves to Premium in Q3 (CHG-1234)\n"
    "    owner: ml-platform@contoso.example\n"
    "    expires: 2027-03-31\n"
)


class WaiverStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    STALE = "stale"


class Waiver(FrozenModel):
    """One accepted risk: a rule, on a workload or on resources, until a date."""

    rule: str = Field(min_length=1)
    workload: str | None = Field(default=None, min_length=1)
    resources: tuple[str, ...] | None = Field(default=None, min_length=1)

    @field_validator("resources", mode="before")
    @classmethod
    def _a_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError("expected a list of resource ids, e.g. [/subscriptions/...]")
        return value

    reason: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    expires: dt.date

    @field_validator("reason", "owner")
    @classmethod
    def _said(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must say something (it is what a reviewer reads)")
        return value

    @field_validator("expires", mode="before")
    @classmethod
    def _a_date(cls, value: Any) -> Any:
        # YAML reads 2027-03-31 as a date; a number would be taken for a Unix timestamp
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
            raise ValueError(f"expected a date YYYY-MM-DD, found {value!r}")
        return value

    @model_validator(mode="after")
    def _one_scope(self) -> Waiver:
        if (self.workload is None) == (self.resources is None):
            raise ValueError(
                "give the scope as either 'workload: NAME' or 'resources: [ids]' (one of the two)"
            )
        return self

    @property
    def scope(self) -> str:
        if self.workload is not None:
            return f"workload {self.workload}"
        resources = self.resources or ()
        return "resources " + ", ".join(resources)

    def expired(self, as_of: dt.date) -> bool:
        """Valid through its expiry date, like an attestation."""
        return self.expires < as_of

    def matches(self, finding: Finding) -> bool:
        if finding.rule.lower() != self.rule.strip().lower():
            return False
        if self.workload is not None:  # names compared as tag values are: case-insensitively
            return finding.workload.strip().casefold() == self.workload.strip().casefold()
        wanted = {norm_id(r) for r in self.resources or ()}
        return any(norm_id(r) in wanted for r in finding.resources)


class WaiverFile(FrozenModel):
    waivers: list[Waiver] = Field(default_factory=list)


@dataclass(frozen=True)
class WaiverResult:
    """What one waiver did in a scan: its status and the failing findings it matched."""

    id: str
    waiver: Waiver
    status: WaiverStatus
    matched: tuple[str, ...]
    message: str

    def as_dict(self) -> dict[str, Any]:
        waiver = self.waiver
        return {
            "id": self.id,
            "rule": waiver.rule,
            "workload": waiver.workload,
            "resources": list(waiver.resources) if waiver.resources is not None else None,
            "reason": waiver.reason,
            "owner": waiver.owner,
            "expires": waiver.expires.isoformat(),
            "status": self.status.value,
            "matched": list(self.matched),
            "message": self.message,
        }


def waiver_id(index: int) -> str:
    """Waivers are named by their position in the file: W-1 is the first."""
    return f"W-{index + 1}"


def _message(error: dict[str, Any]) -> str:
    if error["type"] == "missing":
        return "is required (a waiver needs rule, workload or resources, reason, owner, expires)"
    if error["type"] == "extra_forbidden":
        return "is not a waiver field (rule, workload, resources, reason, owner, expires)"
    return str(error["msg"]).removeprefix("Value error, ")


def parse(data: Any, source: str) -> tuple[Waiver, ...]:
    if data is None:  # an empty file, or every waiver commented out: no waivers
        return ()
    if not isinstance(data, dict) or "waivers" not in data:
        raise WaiverError(f"{source}: expected a mapping with 'waivers:' at the top level")
    if data["waivers"] is None:
        return ()
    try:
        return tuple(WaiverFile.model_validate(data).waivers)
    except ValidationError as exc:
        found = [
            f"{source}: field '{'.'.join(str(p) for p in e['loc']) or '(top level)'}': "
            f"{_message(dict(e))}"
            for e in exc.errors()
        ]
        raise WaiverError(found[0], found) from None


def load(path: Path | str) -> tuple[Waiver, ...]:
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise WaiverError(f"{path}: no such waivers file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WaiverError(f"{path}: cannot read waivers: {exc}") from None
    try:
        data = parse_yaml(text)
    except Unreadable as exc:
        raise WaiverError(f"{path}: {exc}") from None
    return parse(data, str(path))


def check_rules(waivers: Sequence[Waiver], rule_ids: Iterable[str], source: str) -> None:
    """A waiver for a rule that does not exist is a typo: say so rather than waive nothing."""
    known = {r.lower() for r in rule_ids}
    for index, waiver in enumerate(waivers):
        if waiver.rule.strip().lower() not in known:
            raise WaiverError(
                f"{source}: field 'waivers.{index}.rule': no rule '{waiver.rule}' "
                "(see `auditor rules list`)"
            )
