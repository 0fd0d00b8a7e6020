"""Shared fixtures: the demo estate, snapshot documents to mutate, and a CLI runner."""

from __future__ import annotations

import copy
import json
import os
import signal
from collections.abc import Callable, Iterator
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


@pytest.fixture
def ctrl_c_reaches_children() -> Iterator[None]:
    """Children started during the test take SIGINT as a terminal's Ctrl-C (KeyboardInterrupt).

    A suite started in the background by a non-interactive shell (`pytest &`) runs with SIGINT
    ignored, and an ignored signal stays ignored across exec: a child would never see the
    Ctrl-C a test sends it. A handled signal is reset to the default by exec instead.
    """
    previous = signal.getsignal(signal.SIGINT)
    if previous == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
