"""`auditor scan|report --log-analytics` and `auditor upload`, end to end against the Logs
Ingestion emulator, with the real client and the CLI's exit codes."""

from __future__ import annotations

import json

import pytest

from tests.emulator.ingestion import RULE_ID, IngestionEmulator

TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-cli-token"
FINDINGS, WORKLOADS, RUNS = (
    "Custom-AuditorFinding_CL",
    "Custom-AuditorWorkload_CL",
    "Custom-AuditorRun_CL",
)


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", TOKEN)
    monkeypatch.delenv("AUDITOR_LOG_ANALYTICS", raising=False)
    monkeypatch.delenv("AUDITOR_DCR", raising=False)


def _to(emu):
    return ("--log-analytics", emu.url, "--dcr", RULE_ID)


def test_a_scan_sends_its_rows_and_keeps_its_exit_code(run, tmp_path):
    ndjson = tmp_path / "findings.ndjson"
    with IngestionEmulator(TOKEN) as emu:
        result = run("scan", "--demo", "--ndjson", str(ndjson), "-q", *_to(emu))
        findings = emu.rows(FINDINGS)
        counts = {s: len(emu.rows(s)) for s in (RUNS, WORKLOADS)}
    assert result.code == 1, result.err  # four demo workloads are not ready
    lines = [json.loads(line) for line in ndjson.read_text().splitlines()]
    assert [r["finding_id"] for r in findings] == [e["finding_id"] for e in lines]
    assert {r["scan_id"] for r in findings} == {lines[0]["scan_id"]}
    assert counts == {RUNS: 1, WORKLOADS: 21}  # 7 workloads x 3 tiers
    assert not list(tmp_path.glob("auditor-spool-*"))


def test_the_success_line_is_shown_unless_quiet(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with IngestionEmulator(TOKEN) as emu:
        result = run("scan", "--demo", *_to(emu))
    assert result.code == 1
    assert f"log analytics: sent 1 run, 21 workload, 175 finding row(s) to {RULE_ID}" in result.err


def test_an_upload_that_fails_exits_3_spools_beside_the_history_and_upload_sends_the_rest(
    run, tmp_path
):
    history = tmp_path / "state" / "history.sqlite"
    history.parent.mkdir()
    with IngestionEmulator(TOKEN) as emu:
        fault = emu.fail(500, times=None, when=lambda stream, rows: stream == FINDINGS)
        result = run("scan", "--demo", "-q", "--history", str(history), *_to(emu))
        spools = list(history.parent.glob("auditor-spool-*.ndjson"))
        assert result.code == 3
        assert len(spools) == 1
        lines = result.err.splitlines()
        assert lines == [
            "log analytics: error: the endpoint kept failing, retries included (500 "
            "ServiceError: scripted fault)",
            f"log analytics: upload incomplete: 175 of 197 row(s) not sent, kept in {spools[0]}",
            f"send them with: auditor upload {spools[0]} --log-analytics {emu.url} --dcr {RULE_ID}",
            "exit code 3: the upload is incomplete",
        ]
        assert emu.rows(FINDINGS) == [] and len(emu.rows(WORKLOADS)) == 21
        # still failing: the spool stays, exit 3 again
        again = run("upload", str(history.parent), "-q", *_to(emu))
        assert again.code == 3 and spools[0].exists()
        # the endpoint recovers: exactly the missing rows, once
        fault.times = 0
        done = run("upload", str(history.parent), *_to(emu))
        assert done.code == 0, done.err
        assert "sent 0 run, 0 workload, 175 finding row(s)" in done.err
        assert len(emu.rows(FINDINGS)) == 175 and len(emu.rows(RUNS)) == 1
        assert len({r["event_id"] for r in emu.rows(FINDINGS)}) == 175
        assert not spools[0].exists()
        assert run("upload", str(history.parent), *_to(emu)).code == 0


def test_a_403_is_one_line_naming_the_role_and_exit_3(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with IngestionEmulator(TOKEN) as emu:
        emu.forbidden = True
        result = run("scan", "--demo", "-q", *_to(emu))
    assert result.code == 3
    errors = [line for line in result.err.splitlines() if "error" in line]
    assert errors == [
        "log analytics: error: Log Analytics refused the upload (403 OperationFailed): the "
        f"identity may not send to data collection rule {RULE_ID}; grant it the Monitoring "
        "Metrics Publisher role on that data collection rule"
    ]
    spool = next(tmp_path.glob("auditor-spool-*.ndjson")).read_text()
    for text in (result.out, result.err, spool):
        assert "secret-cli-token" not in text


def test_report_uploads_a_saved_report(run, tmp_path):
    saved = tmp_path / "report.json"
    assert run("scan", "--demo", "-q", "--json", str(saved)).code == 1
    with IngestionEmulator(TOKEN) as emu:
        result = run("report", str(saved), "-q", *_to(emu), "--stream", "run=Custom-AuditorRun_CL")
        assert result.code == 0, result.err
        assert len(emu.rows(FINDINGS)) == 175
        emu.forbidden = True
        failed = run("report", str(saved), "-q", *_to(emu), "--spool", str(tmp_path / "s"))
    assert failed.code == 3
    assert len(list((tmp_path / "s").glob("auditor-spool-*.ndjson"))) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--log-analytics", "http://dce.example.com", "--dcr", RULE_ID),
            "auditor: error: --log-analytics: plain http is accepted only on a loopback address",
        ),
        (
            ("--log-analytics", "https://dce.example.com", "--dcr", "my-rule"),
            "auditor: error: --dcr: expected a data collection rule's immutable id",
        ),
        (("--dcr", RULE_ID), "Error: --dcr, --stream and --spool go with --log-analytics"),
    ],
)
def test_bad_upload_options_are_one_line_and_exit_2_before_scanning(run, args, message):
    result = run("scan", "--demo", "-q", *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err and result.out == ""


def test_upload_refuses_what_is_not_a_spool(run, tmp_path):
    bad = tmp_path / "x.ndjson"
    bad.write_text("{}\n")
    result = run("upload", str(bad), "--log-analytics", "https://d.example.com", "--dcr", RULE_ID)
    assert result.code == 2
    assert (
        result.err
        == f"auditor: error: {bad}: not an auditor upload spool (line 1: no auditor.log-analytics-spool header)\n"
    )
    missing = run("upload", str(bad))
    assert missing.code == 2 and "needs --log-analytics" in missing.err


@pytest.mark.parametrize("name", ["github-actions.yml", "azure-pipelines.yml"])
def test_the_scheduled_examples_upload_and_send_the_spool_first(name):
    from pathlib import Path

    import yaml

    from tests.test_scheduled_runs import auditor_commands

    path = Path(__file__).resolve().parents[1] / "examples" / name
    text = path.read_text()
    commands = auditor_commands(yaml.safe_load(text))
    uploads = [c for c in commands if c[0] == "upload"]
    assert uploads and {"--log-analytics", "--dcr"} <= set(uploads[0])
    assert text.index("auditor upload") < text.index("auditor scan --management-group")
    assert 'upload=(--log-analytics "$' in text and '"${upload[@]}"' in text
