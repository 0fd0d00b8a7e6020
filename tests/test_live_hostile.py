"""Hostile and broken answers to the live collector (issue 19), through the real Azure SDK
clients against the local emulator: the token stays with Resource Manager, every read has a
deadline, a body that cannot be read is a recorded error, and no token is stored."""

from __future__ import annotations

import copy
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor import demo
from auditor.collect.auth import StaticTokenCredential, resolve_target
from auditor.collect.run import Collector, Options
from tests.emulator import Emulator

REPO = Path(__file__).resolve().parents[1]
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
DEMO = json.loads(demo.snapshot_path().read_text())
SUBS = tuple(DEMO["scope"]["subscriptions"])
SUB_ARGS = [a for s in SUBS for a in ("--subscription", s)]


@pytest.fixture
def live_env(monkeypatch):
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", TOKEN)
    monkeypatch.delenv("AUDITOR_ARM_ENDPOINT", raising=False)


class _Tripwire(http.server.BaseHTTPRequestHandler):
    def _any(self) -> None:
        self.server.hits.append((self.command, self.path, self.headers.get("Authorization")))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "13")
        self.end_headers()
        self.wfile.write(b'{"value": []}')

    do_GET = do_POST = _any

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def foreign() -> Iterator[str]:
    """A second loopback listener: the test fails if it receives any request."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tripwire)
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    assert server.hits == [], f"the foreign host received {server.hits}"  # type: ignore[attr-defined]


def _collector(emu: Emulator, **options: object) -> Collector:
    return Collector(
        resolve_target("AzureCloud", emu.url),
        StaticTokenCredential(TOKEN),
        Options(subscriptions=SUBS, retry_backoff_factor=0.01, **options),  # type: ignore[arg-type]
    )


def _errors(report: Path) -> list[dict]:
    return json.loads(report.read_text())["scan"]["errors"]


# -- the token stays with Resource Manager ---------------------------------------------------


@pytest.mark.parametrize("link", ["foreign", "other-scheme"])
def test_a_next_link_to_another_origin_is_not_followed(run, live_env, tmp_path, foreign, link):
    out = tmp_path / "r.json"
    with Emulator(DEMO) as emu:
        target = (
            f"{foreign}/x?$skiptoken=2" if link == "foreign" else emu.url.replace("http:", "https:")
        )
        page = {"value": [], "nextLink": target}
        emu.script("/computes", status=200, body=page, times=50)
        result = run("scan", "--arm-endpoint", emu.url, *SUB_ARGS, "-q", "--json", str(out))
    assert result.code == 3, result.err
    refused = [e for e in _errors(out) if e["code"] == "ForeignOrigin"]
    assert refused and all("/computes" in e["request"] for e in refused)
    assert target.split("/x")[0] in refused[0]["message"]
    assert TOKEN not in out.read_text() + result.out + result.err


@pytest.mark.parametrize("match", ["arg", "/usages"])
def test_a_redirect_is_an_error_not_followed(run, live_env, tmp_path, foreign, match):
    out = tmp_path / "r.json"
    with Emulator(DEMO) as emu:
        emu.script(match, status=307, headers={"Location": f"{foreign}/elsewhere"}, times=50)
        result = run("scan", "--arm-endpoint", emu.url, *SUB_ARGS, "-q", "--json", str(out))
    assert result.code == 3, result.err
    redirected = [e for e in _errors(out) if e["code"] == "RedirectRefused"]
    assert redirected and redirected[0]["status"] == 307
    assert foreign in redirected[0]["message"]


# -- every live read has a deadline ----------------------------------------------------------


@pytest.mark.parametrize("hang", ["silent", "dripping"])
def test_the_deadline_ends_the_scan_incomplete_with_its_reports(run, live_env, tmp_path, hang):
    out = tmp_path / "r.json"
    with Emulator(DEMO) as emu:
        if hang == "silent":
            emu.script("/datastores", status=200, body={"value": []}, delay=20, times=50)
        else:  # a byte every half second: no single wait is long, the whole never ends
            emu.script("/datastores", status=200, body={"value": []}, drip=0.5, times=50)
        started = time.monotonic()
        result = run(
            "scan", "--arm-endpoint", emu.url, *SUB_ARGS, "-q", "--json", str(out),
            "--deadline", "3", "--request-timeout", "30",
        )  # fmt: skip
        took = time.monotonic() - started
    assert result.code == 3, result.err
    assert took < 10
    late = [e for e in _errors(out) if e["code"] == "DeadlineExceeded"]
    # the hung reads, and those queued behind them
    assert any("/datastores" in e["request"] for e in late)
    assert "--deadline" in late[0]["message"]


def test_a_request_timeout_fails_the_read_not_the_scan(tmp_path):
    with Emulator(DEMO) as emu:
        emu.script("/datastores", status=200, body={"value": []}, delay=3, times=200)
        started = time.monotonic()
        doc = _collector(emu, request_timeout=0.5, retry_total=1).run()
        took = time.monotonic() - started
    failed = [e for e in doc["errors"] if "/datastores" in e["request"]]
    assert failed and {e["code"] for e in failed} == {"ServiceResponseTimeoutError"}
    assert len(doc["errors"]) == len(failed)
    assert took < 15


def test_a_long_retry_after_is_the_reads_error_not_a_wait(tmp_path):
    with Emulator(DEMO) as emu:
        emu.script("/usages", status=429, retry_after=3600, times=50)
        started = time.monotonic()
        doc = _collector(emu).run()
        took = time.monotonic() - started
    failed = [e for e in doc["errors"] if "/usages" in e["request"]]
    assert failed and {(e["code"], e["status"]) for e in failed} == {("RetryAfterTooLong", 429)}
    assert "3600" in failed[0]["message"]
    assert took < 15


def test_resource_graph_throttling_is_waited_out(tmp_path):
    """Six 429s in a row with Retry-After: 1 (azure-core alone gives up after four)."""
    with Emulator(DEMO) as emu:
        emu.script("arg", status=429, retry_after=1, times=6)
        doc = _collector(emu).run()
        assert not emu.pending_faults()
    assert doc["errors"] == []
    assert len(doc["resources"]) == len(DEMO["resources"])


@pytest.mark.usefixtures("ctrl_c_reaches_children")
def test_ctrl_c_stops_at_once_and_sends_nothing_after(tmp_path):
    out = tmp_path / "s.json"
    env = {**os.environ, "AUDITOR_ACCESS_TOKEN": TOKEN, "PYTHONPATH": str(REPO)}
    with Emulator(DEMO) as emu:
        emu.script("arm", status=200, body={"value": []}, delay=30, times=500)
        process = subprocess.Popen(
            [sys.executable, "-m", "auditor", "collect", "--arm-endpoint", emu.url, *SUB_ARGS,
             "-o", str(out), "-q"],
            env=env, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while emu.count(kind="arg") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # the ARM reads are hung on the emulator now
        interrupted = time.monotonic()
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("still running 10 s after Ctrl-C")
        stopped = time.monotonic() - interrupted
        after = [r for r in emu.requests if r.time > interrupted]
    assert process.returncode == 130, err
    assert stopped < 5
    assert after == []
    assert "Traceback" not in err
    assert not out.exists()


# -- no traceback: a body that cannot be read is the read's error ----------------------------


def _usages_with_big_integer() -> dict:
    usage = next(a for a in DEMO["arm"] if a["path"].endswith("/usages"))
    body = copy.deepcopy(usage["body"])
    body["value"][0]["currentValue"] = 2**70
    return body


@pytest.mark.parametrize(
    ("match", "fault"),
    [
        ("/usages", {"raw": b"<html><body>Gateway</body></html>"}),
        ("/usages", {"raw": b'{"value": [{"name": '}),
        ("/usages", {"body": _usages_with_big_integer()}),
        ("/blobServices/default", {"raw": b"<html>proxy login</html>"}),
        ("/providers/Microsoft.MachineLearningServices", {"raw": b'{"id": "/subscriptions/'}),
        ("arg", {"raw": b"<!doctype html><title>Sign in</title>"}),
        ("arg", {"raw": b'{"totalRecords": 99999999999999999999999, "data": []}'}),
    ],
    ids=[
        "html",
        "cut-json",
        "int-above-2^64",
        "blob-html",
        "provider-cut",
        "graph-html",
        "graph-big-int",
    ],
)
def test_a_body_that_is_not_json_is_a_recorded_error(run, live_env, tmp_path, match, fault):
    out, report = tmp_path / "s.json", tmp_path / "r.json"
    with Emulator(DEMO) as emu:
        emu.script(match, status=200, times=200, **fault)
        result = run(
            "scan", "--arm-endpoint", emu.url, *SUB_ARGS, "-q", "--save-snapshot", str(out),
            "--json", str(report),
        )  # fmt: skip
    assert result.code == 3, result.err
    assert "Traceback" not in result.err
    errors = _errors(report)
    assert errors and all(e["status"] == 200 for e in errors)
    assert json.loads(out.read_text())["errors"] == errors


# -- a token echoed back by a server is not stored -------------------------------------------


def test_a_token_in_a_server_error_is_redacted(run, live_env, tmp_path):
    echoed = {
        "error": {
            "code": "InvalidAuthenticationToken",
            "message": f"The access token is invalid: Authorization: Bearer {TOKEN} (token "
            f"{TOKEN}) rejected",
        }
    }
    out, report = tmp_path / "s.json", tmp_path / "r.json"
    with Emulator(DEMO) as emu:
        emu.script("/usages", status=401, body=echoed, times=50)
        result = run(
            "scan", "--arm-endpoint", emu.url, *SUB_ARGS, "-q", "--save-snapshot", str(out),
            "--json", str(report),
        )  # fmt: skip
    assert result.code == 3, result.err
    (first, *_) = [e for e in _errors(report) if "/usages" in e["request"]]
    assert first["message"].endswith(
        "The access token is invalid: Authorization: Bearer <redacted> (token <redacted>) rejected"
    )
    assert "(token <redacted>) rejected" in first["message"]
    for text in (out.read_text(), report.read_text(), result.out, result.err):
        assert TOKEN not in text
        assert "eyJ0eXAi" not in text


# -- a token Azure refuses on every read is one line, not one error per read ----------------


@pytest.mark.parametrize("command", ["scan", "collect"])
def test_a_token_refused_on_every_read_is_one_line(run, live_env, tmp_path, command):
    refused = {
        "error": {
            "code": "ExpiredAuthenticationToken",
            "message": f"The access token expiry UTC time has passed. Bearer {TOKEN}",
        }
    }
    out, report = tmp_path / "s.json", tmp_path / "r.json"
    outputs = ["--json", str(report)] if command == "scan" else ["--output", str(out)]
    with Emulator(DEMO) as emu:
        emu.script("arg", status=401, body=refused, times=500)
        emu.script("arm", status=401, body=refused, times=500)
        result = run(command, "--arm-endpoint", emu.url, *SUB_ARGS, *outputs)
    assert result.code == 3, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "refused the token in AUDITOR_ACCESS_TOKEN on every read" in lines[0]
    assert "401 ExpiredAuthenticationToken" in lines[0]
    assert "Nothing was collected (exit 3)" in lines[0]
    assert TOKEN not in result.err + result.out
    assert not out.exists() and not report.exists()


def test_a_401_beside_answers_stays_the_reads_error(run, live_env, tmp_path):
    """Another tenant's subscription answers 401 while the others answer: the scan goes on."""
    refused = {"error": {"code": "InvalidAuthenticationTokenTenant", "message": "wrong tenant"}}
    report = tmp_path / "r.json"
    with Emulator(DEMO) as emu:
        emu.script("/usages", status=401, body=refused, times=50)
        result = run("scan", "--arm-endpoint", emu.url, *SUB_ARGS, "-q", "--json", str(report))
    assert result.code == 3, result.err
    assert "refused" not in result.err
    assert any(e["code"] == "InvalidAuthenticationTokenTenant" for e in _errors(report))
