"""Uploads to Azure Monitor Logs through the real azure-monitor-ingestion client, against a local
emulator of the Logs Ingestion API (tests/emulator/ingestion.py)."""

from __future__ import annotations

import copy
import dataclasses
import gzip
import json
import logging

import pytest

from auditor import config, demo, rules, scan, snapshot, waivers
from auditor.collect.auth import StaticTokenCredential
from auditor.errors import LogAnalyticsError
from auditor.log_analytics import upload
from auditor.log_analytics.rows import FINDING, KINDS, MAX_FIELD_BYTES, RUN, TABLES, WORKLOAD, rows
from auditor.model import Evidence, Status
from auditor.render import ndjson
from tests.emulator.ingestion import RULE_ID, IngestionEmulator, declared_streams, row_problems

TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-ingestion-token"
STREAMS = {kind: table.stream for kind, table in TABLES.items()}
FAST = {"backoff": 0.01}


def _report(waived: bool = False, tmp_path=None):
    snap = snapshot.load(demo.snapshot_path())
    cfg = config.load(demo.config_path())
    loaded = rules.load(())
    report = scan.run(snap, cfg, loaded)
    if not waived:
        return report
    failing = next(f for f in report.findings if f.status is Status.FAIL)
    path = tmp_path / "waivers.yaml"
    path.write_text(
        f"waivers:\n  - rule: {failing.rule}\n    workload: {failing.workload}\n"
        "    reason: moving to Premium (CHG-1)\n    owner: ml@contoso.example\n"
        "    expires: 2099-01-31\n"
    )
    return scan.run(snap, cfg, loaded, waivers=waivers.load(str(path)))


REPORT = _report()
ROWS = rows(REPORT)


def _send(emu, data=ROWS, **options):
    dest = upload.destination(emu.url, RULE_ID)
    return upload.send(data, dest, StaticTokenCredential(TOKEN), **{**FAST, **options})


def _many_rows(copies: int) -> dict[str, list[dict]]:
    """The demo's finding rows repeated under other ids: several megabytes."""
    findings = []
    for n in range(copies):
        for row in ROWS[FINDING]:
            row = copy.deepcopy(row)
            row["event_id"] = f"{row['event_id'][:-6]}{n:06d}"
            findings.append(row)
    return {RUN: ROWS[RUN], WORKLOAD: ROWS[WORKLOAD], FINDING: findings}


def test_rows_are_the_ndjson_events_and_fit_their_streams_exactly(tmp_path):
    report = _report(waived=True, tmp_path=tmp_path)
    data = rows(report)
    streams = declared_streams()
    for kind, table in TABLES.items():
        assert data[kind], kind
        for row in data[kind]:
            assert row_problems(row, streams[table.stream]) == [], (kind, row["event_id"])
    # a finding row is its NDJSON event plus the columns the table adds
    events = ndjson.events(report)
    added = {"event_id", "waiver_expires", "waiver_owner", "waiver_reason", "truncated"}
    for event, row in zip(events, data[FINDING], strict=True):
        assert {k: v for k, v in row.items() if k not in added} == event
    waived = [r for r in data[FINDING] if r["waiver_id"]]
    assert waived and waived[0]["waiver_expires"] == "2099-01-31"
    assert waived[0]["waiver_owner"] == "ml@contoso.example" and waived[0]["status"] == "suppressed"
    # one row per workload and tier, one per run, and ids unique per row
    assert len(data[WORKLOAD]) == 3 * len(report.workloads)
    run = data[RUN][0]
    assert (run["finding_rows"], run["workload_rows"]) == (len(events), len(data[WORKLOAD]))
    assert run["waivers_active"] == 1 and run["findings_suppressed"] == 1
    ids = [r["event_id"] for k in KINDS for r in data[k]]
    assert len(set(ids)) == len(ids)
    assert {r["scan_id"] for k in KINDS for r in data[k]} == {events[0]["scan_id"]}


def test_the_client_sends_gzip_bodies_whose_rows_arrive_once_in_their_streams():
    with IngestionEmulator(TOKEN) as emu:
        outcome = _send(emu)
        requests = list(emu.requests)
        arrived = {kind: emu.rows(stream) for kind, stream in STREAMS.items()}
    assert outcome.complete and not outcome.problems
    assert outcome.sent == {kind: len(ROWS[kind]) for kind in KINDS}
    assert [r.status for r in requests] == [204, 204, 204]
    assert all(r.content_encoding == "gzip" and r.authorization for r in requests)
    assert all(r.content_length < r.decoded_length for r in requests)
    assert [r.stream for r in requests] == [STREAMS[k] for k in (RUN, WORKLOAD, FINDING)]
    assert arrived == json.loads(json.dumps(ROWS))


def test_requests_stay_under_the_1_mb_limit_and_every_row_arrives_once():
    data = _many_rows(12)  # ~4.5 MB of finding rows
    with IngestionEmulator(TOKEN) as emu:
        outcome = _send(emu, data)
        requests = [r for r in emu.requests if r.stream == STREAMS[FINDING]]
        arrived = emu.rows(STREAMS[FINDING])
    assert outcome.complete
    assert len(requests) >= 4
    assert all(r.status == 204 and r.decoded_length <= 1_000_000 for r in requests)
    assert [r["event_id"] for r in arrived] == [r["event_id"] for r in data[FINDING]]


def test_a_row_over_the_limit_is_refused_with_413_kept_and_the_others_sent():
    """A row larger than a request may be (rows are cut to fit their fields, so this one is
    made by hand) is sent alone, refused as the service does, and kept; the rest go."""
    huge = {**ROWS[FINDING][0], "event_id": "huge", "message": "x" * 1_100_000}
    data = {**ROWS, FINDING: [*ROWS[FINDING][:5], huge, *ROWS[FINDING][5:]]}
    with IngestionEmulator(TOKEN) as emu:
        outcome = _send(emu, data)
        refused = [r for r in emu.requests if r.status == 413]
        arrived = emu.rows(STREAMS[FINDING])
    assert [(r.stream, r.rows) for r in refused] == [(STREAMS[FINDING], 0)]
    assert outcome.unsent == {RUN: [], WORKLOAD: [], FINDING: [huge]}
    assert len(arrived) == len(ROWS[FINDING])
    assert outcome.problems == [
        "1 row(s) of Custom-AuditorFinding_CL were refused as too large (413 "
        "ContentLengthLimitExceeded: Maximum allowed content length: 1048576 bytes (1 MB). "
        f"Provided content length: {refused[0].decoded_length} bytes.)"
    ]


def test_a_429_is_retried_after_the_servers_retry_after():
    with IngestionEmulator(TOKEN) as emu:
        emu.fail(429, retry_after="1", code="TooManyRequests")
        outcome = _send(emu)
        requests = list(emu.requests)
    assert outcome.complete
    assert [r.status for r in requests] == [429, 204, 204, 204]
    assert requests[1].time - requests[0].time >= 0.95  # waited what Retry-After said
    assert len(emu.rows(STREAMS[RUN])) == 1


def test_a_500_then_success_lands_every_row_once():
    with IngestionEmulator(TOKEN) as emu:
        emu.fail(500, when=lambda stream, rows: stream == STREAMS[FINDING])
        outcome = _send(emu)
        statuses = [r.status for r in emu.requests]
        arrived = emu.rows(STREAMS[FINDING])
    assert outcome.complete and not outcome.problems
    assert statuses == [204, 204, 500, 204]
    assert len(arrived) == len(ROWS[FINDING])


def test_a_batch_that_always_fails_is_spooled_and_sent_later_exactly_once(tmp_path):
    data = _many_rows(6)  # 3 finding batches
    poison = data[FINDING][len(data[FINDING]) // 2]["event_id"]

    def poisoned(stream, rows):
        return any(r["event_id"] == poison for r in rows)

    scan_id = ROWS[RUN][0]["scan_id"]
    with IngestionEmulator(TOKEN) as emu:
        fault = emu.fail(503, times=None, when=poisoned)
        dest = upload.destination(emu.url, RULE_ID)
        outcome = upload.upload_rows(
            data, scan_id, dest, StaticTokenCredential(TOKEN), tmp_path, retries=2, **FAST
        )
        failed_requests = sum(1 for r in emu.requests if r.status == 503)
        first = [r["event_id"] for r in emu.rows(STREAMS[FINDING])]
        assert not outcome.complete
        assert failed_requests == 3  # the first try and two retries
        assert outcome.spool == tmp_path / f"auditor-spool-{scan_id}.ndjson"
        assert outcome.problems == [
            "the endpoint kept failing, retries included (503 ServiceError: scripted fault)"
        ]
        # the batches before the failing one went; it and the ones after wait in the spool
        _, spooled = upload.read_spool(outcome.spool)
        assert first + [r["event_id"] for _, r in spooled] == [r["event_id"] for r in data[FINDING]]
        assert outcome.sent[FINDING] == len(first) > 0
        # the endpoint recovers: `auditor upload` sends exactly what is missing, once
        fault.times = 0
        again = upload.upload_spool(tmp_path, dest, StaticTokenCredential(TOKEN), **FAST)
        assert again.complete and again.sent[FINDING] == len(spooled)
        arrived = [r["event_id"] for r in emu.rows(STREAMS[FINDING])]
        assert sorted(arrived) == sorted(r["event_id"] for r in data[FINDING])
        assert len(emu.rows(STREAMS[RUN])) == 1
        # nothing left: a second upload sends nothing
        assert not outcome.spool.exists()
        assert upload.upload_spool(tmp_path, dest, StaticTokenCredential(TOKEN)).sent_total == 0


def test_a_403_is_one_line_naming_the_role_and_nothing_more_is_tried():
    with IngestionEmulator(TOKEN) as emu:
        emu.forbidden = True
        outcome = _send(emu)
        requests = len(emu.requests)
    assert requests == 1
    assert outcome.problems == [
        "Log Analytics refused the upload (403 OperationFailed): the identity may not send to "
        f"data collection rule {RULE_ID}; grant it the Monitoring Metrics Publisher role on "
        "that data collection rule"
    ]
    assert outcome.unsent_total == sum(len(v) for v in ROWS.values())


def test_a_wrong_rule_id_says_what_to_check():
    with IngestionEmulator(TOKEN, rule_id="dcr-" + "f" * 32) as emu:
        outcome = _send(emu)
    assert len(outcome.problems) == 1
    assert outcome.problems[0].startswith(f"no data collection rule {RULE_ID} with stream ")
    assert "check --dcr" in outcome.problems[0]


def test_an_unreachable_endpoint_is_one_line_and_spooled(tmp_path):
    dest = upload.destination("http://127.0.0.1:9", RULE_ID)
    outcome = upload.upload_rows(
        ROWS, "s", dest, StaticTokenCredential(TOKEN), tmp_path, retries=1, **FAST
    )
    assert not outcome.complete
    assert len(outcome.problems) == 1
    assert outcome.problems[0].startswith("cannot reach http://127.0.0.1:9: ")
    assert len(upload.read_spool(outcome.spool)[1]) == sum(len(v) for v in ROWS.values())


def test_the_token_is_never_in_a_row_a_log_line_a_problem_or_the_spool(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    data = _many_rows(3)
    with IngestionEmulator(TOKEN) as emu:
        emu.fail(500, times=None, when=lambda s, r: s == STREAMS[FINDING])
        dest = upload.destination(emu.url, RULE_ID)
        outcome = upload.upload_rows(
            data, "scan", dest, StaticTokenCredential(TOKEN), tmp_path, retries=1, **FAST
        )
        arrived = json.dumps([emu.rows(s) for s in STREAMS.values()])
    assert not outcome.complete
    secret = "secret-ingestion-token"
    spool = outcome.spool.read_bytes()
    assert secret not in spool.decode() and secret.encode() not in gzip.compress(spool)
    assert secret not in arrived
    assert secret not in "\n".join(outcome.problems)
    # the client logged its requests, headers included, with the token redacted
    assert "'Authorization': 'REDACTED'" in caplog.text
    assert secret not in caplog.text


def test_a_value_too_long_for_a_field_is_cut_and_named():
    huge = [Evidence(f"/subscriptions/x/r{i}", "properties.x", "y" * 200) for i in range(400)]
    first = dataclasses.replace(REPORT.findings[0], evidence=tuple(huge))
    big = dataclasses.replace(REPORT, findings=(first, *REPORT.findings[1:]))
    row = rows(big)[FINDING][0]
    assert row["truncated"] == ["evidence"]
    assert len(json.dumps(row["evidence"])) <= MAX_FIELD_BYTES
    assert 0 < len(row["evidence"]) < 400
    assert row["evidence"][0]["resource"] == "/subscriptions/x/r0"  # the first items are kept


@pytest.mark.parametrize(
    ("endpoint", "rule", "streams", "message"),
    [
        (
            "http://dce.example.com",
            RULE_ID,
            (),
            "--log-analytics: plain http is accepted only on a loopback address, "
            "got 'http://dce.example.com'",
        ),
        ("dce.example.com", RULE_ID, (), "--log-analytics: expected the https:// URL"),
        ("https://dce.example.com", None, (), "--log-analytics needs --dcr"),
        ("https://dce.example.com", "my-rule", (), "--dcr: expected a data collection rule's"),
        ("https://dce.example.com", RULE_ID, ("table=Custom-X",), "--stream: expected NAME"),
        ("https://dce.example.com", RULE_ID, ("AuditorFinding_CL",), "--stream: expected a stream"),
    ],
)
def test_a_bad_destination_is_one_line(endpoint, rule, streams, message):
    with pytest.raises(LogAnalyticsError) as caught:
        upload.destination(endpoint, rule, streams)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_streams_can_be_renamed_per_kind():
    dest = upload.destination(
        "https://dce.example.com/", RULE_ID, ("Custom-Mine_CL", "run=Custom-Runs_CL")
    )
    assert dest.endpoint == "https://dce.example.com"
    assert dest.streams == {
        FINDING: "Custom-Mine_CL",
        RUN: "Custom-Runs_CL",
        WORKLOAD: "Custom-AuditorWorkload_CL",
    }


def test_a_file_that_is_not_a_spool_is_refused_by_name(tmp_path):
    bad = tmp_path / "report.json"
    bad.write_text('{"schema_version": "1.0"}\n')
    with pytest.raises(LogAnalyticsError, match=r"report.json: not an auditor upload spool"):
        upload.read_spool(bad)
    torn = tmp_path / "auditor-spool-x.ndjson"
    torn.write_text(json.dumps({"format": upload.SPOOL_FORMAT, "version": 1}) + '\n{"kind": 1\n')
    with pytest.raises(LogAnalyticsError, match=r"line 2: expected"):
        upload.read_spool(torn)
    with pytest.raises(LogAnalyticsError, match="no such spool"):
        upload.spool_files(tmp_path / "missing")


def test_a_spool_written_twice_for_one_scan_keeps_each_row_once(tmp_path):
    path = upload.spool_path(tmp_path, "scan")
    upload.write_spool(path, "scan", {FINDING: ROWS[FINDING][:5]})
    upload.write_spool(path, "scan", {FINDING: ROWS[FINDING][3:8], RUN: ROWS[RUN]})
    scan_id, spooled = upload.read_spool(path)
    assert scan_id == "scan"
    assert sorted(r["event_id"] for _, r in spooled) == sorted(
        r["event_id"] for r in ROWS[FINDING][:8] + ROWS[RUN]
    )


def test_batches_follow_the_clients_serialisation():
    data = _many_rows(5)[FINDING]
    sizes = [len(json.dumps(b)) for b in upload.batches(data, 300_000)]
    assert max(sizes) <= 300_000 and len(sizes) > 1
    assert [r for b in upload.batches(data, 300_000) for r in b] == data
