"""Shared fixtures: the demo estate, snapshot documents to mutate, and a CLI runner."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from auditor import cli, demo

# In CI the properties run on a fixed seed, so a landing never depends on the draw; locally
# each run explores new examples.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    def invoke(*argv: str) -> CliResult:
        capsys.readouterr()
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


_DEMO = json.loads(demo.snapshot_path().read_text())


@pytest.fixture
def demo_doc() -> dict[str, Any]:
    """A fresh copy of the demo snapshot document, to mutate."""
    return copy.deepcopy(_DEMO)


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[Any, str], Path]:
    def write(document: Any, name: str = "estate.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(document))
        return path

    return write
