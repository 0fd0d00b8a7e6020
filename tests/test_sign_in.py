"""Fail fast, in one line (issue 13): arguments, then config, waivers and rules, then one token
request, then collection. No credential is exit 3 with no SDK text, no table and no files;
`auditor collect` lists what it could not read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError

from auditor import demo
from auditor.collect import auth
from tests.emulator import Emulator

DEMO = json.loads(demo.snapshot_path().read_text())
SUBS = [a for s in DEMO["scope"]["subscriptions"] for a in ("--subscription", s)]


def _nobody_signed_in(tmp_path: Path) -> dict[str, str]:
    """An environment where every source DefaultAzureCredential tries finds nothing, without
    leaving the machine: no AZURE_* variables, no az/pwsh/azd on PATH, an empty home, and the
    managed-identity endpoint pointed at a closed loopback port."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AZURE_", "AUDITOR_", "IDENTITY_", "MSI_"))
    }
    home = tmp_path / "home"
    home.mkdir()
    env.update(
        PATH=str(tmp_path),
        HOME=str(home),
        AZURE_POD_IDENTITY_AUTHORITY_HOST="http://127.0.0.1:9",
        COLUMNS="80",
    )
    return env


def test_no_credential_is_one_line_exit_3_and_nothing_sent_or_written(tmp_path):
    html = tmp_path / "report.html"
    with Emulator(DEMO) as emu:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "auditor",
                "scan",
                "--arm-endpoint",
                emu.url,
                *SUBS,
                "--html",
                str(html),
                "--save-snapshot",
                str(tmp_path / "s.json"),
            ],
            capture_output=True,
            text=True,
            env=_nobody_signed_in(tmp_path),
            timeout=120,
            cwd=tmp_path,
        )
        sent = list(emu.requests)
    assert done.returncode == 3, done.stderr
    assert done.stdout == ""  # no empty table, no "0 findings"
    (line,) = done.stderr.splitlines()
    assert line.startswith("auditor: error: not signed in to Azure: no credential gave a token")
    # what was tried, and how to sign in
    for words in ("AUDITOR_ACCESS_TOKEN is not set", "managed identity", "Azure CLI (not found"):
        assert words in line
    for way in ("`az login`", "a managed identity or a workload identity", "AUDITOR_ACCESS_TOKEN"):
        assert way in line.split("To scan, ")[1]
    assert "DefaultAzureCredential failed" not in done.stderr  # no SDK text
    assert sent == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


class _Refused:
    """A credential that fails as an expired sign-in does."""

    calls = 0

    def get_token(self, *scopes: str, **kwargs: object) -> object:
        _Refused.calls += 1
        raise ClientAuthenticationError(
            "AADSTS700082: The refresh token has expired due to inactivity.\nTrace ID: 1234"
        )


@pytest.fixture
def refused(monkeypatch):
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    monkeypatch.setattr(auth, "credential", lambda target: _Refused())
    _Refused.calls = 0


@pytest.mark.parametrize("command", ["scan", "collect"])
def test_a_refused_sign_in_stops_before_any_collection(run, refused, tmp_path, command):
    out = tmp_path / "out.json"
    option = "--json" if command == "scan" else "-o"
    with Emulator(DEMO) as emu:
        result = run(command, "--arm-endpoint", emu.url, *SUBS, option, str(out))
        sent = list(emu.requests)
    assert result.code == 3
    assert result.out == ""
    (line,) = result.err.splitlines()
    assert "not signed in to Azure" in line
    assert "the Azure credential failed: AADSTS700082: The refresh token has expired" in line
    assert "Trace ID" not in line
    assert _Refused.calls == 1 and sent == [] and not out.exists()


def test_config_waivers_and_rules_are_read_before_the_sign_in(run, refused, tmp_path):
    config = tmp_path / "auditor.yaml"
    config.write_text("workloads: [\n")
    result = run("scan", *SUBS, "--config", str(config))
    assert result.code == 2
    assert "auditor.yaml: not valid YAML" in result.err
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers: 3\n")
    result = run("scan", *SUBS, "--waivers", str(waivers))
    assert result.code == 2 and "waivers.yaml" in result.err
    assert _Refused.calls == 0


@pytest.mark.parametrize("more", [0, 3])
def test_collect_lists_what_it_could_not_read_and_exits_3(run, monkeypatch, tmp_path, more):
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", "token")
    out = tmp_path / "s.json.gz"
    forbidden = [
        *DEMO["scope"]["subscriptions"],
        *(f"{n:08d}-0000-0000-0000-000000000000" for n in range(more)),
    ]
    subs = [a for s in forbidden for a in ("--subscription", s)]
    with Emulator(DEMO, forbidden_subscriptions=forbidden) as emu:
        result = run("collect", "--arm-endpoint", emu.url, *subs, "-o", str(out), "-q")
    assert result.code == 3
    from auditor import snapshot

    errors = snapshot.load(out).data["errors"]
    lines = result.err.splitlines()
    assert lines[0].startswith(f"wrote {out}: ") and lines[0].endswith(f"{len(errors)} error(s)")
    shown = [line for line in lines[1:] if not line.startswith("auditor: error: ...")]
    assert len(shown) == min(10, len(errors))
    first = errors[0]
    assert shown[0].startswith(f"auditor: error: {first['request']}: {first['status']} ")
    assert all("403" in line for line in shown)
    assert (len(errors) > 10) == bool(more)
    if more:
        assert lines[-1] == (
            f'auditor: error: ... and {len(errors) - 10} more error(s), all in {out} ("errors")'
        )
