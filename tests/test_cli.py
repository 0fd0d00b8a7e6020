"""The CLI as a user runs it: exit codes, outputs, and one-line errors on bad input."""

from __future__ import annotations

import gzip
import json
import shlex
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from auditor import demo
from auditor.render import FORMATS
from auditor.report_file import schema as report_schema


def _report(path: Path) -> dict:
    document = json.loads(path.read_text())
    jsonschema.Draft202012Validator(report_schema()).validate(document)
    return document


def test_demo_scan_shows_the_range(run, tmp_path):
    out = tmp_path / "report.json"
    result = run("scan", "--demo", "--as-of", "2026-11-26", "--json", str(out))
    assert result.code == 1, result.err
    report = _report(out)
    workloads = {w["name"]: w for w in report["workloads"]}
    fraud = workloads["fraud-scoring"]
    assert all(fraud["tiers"][t]["ready"] for t in ("hot/hot", "hot/warm", "hot/cold"))
    churn = workloads["churn-prediction"]
    assert churn["tiers"]["hot/warm"]["ready"] and not churn["tiers"]["hot/hot"]["ready"]
    assert set(churn["tiers"]["hot/hot"]["blocking"]) == {"DR-08", "DR-10-CAPACITY"}
    recsys = workloads["recsys"]
    assert recsys["source"] == "tags"
    assert {"DR-04", "DR-06"} <= set(recsys["tiers"]["hot/cold"]["blocking"])
    assert workloads["mlw-sandbox-uksouth"]["secondary"] is None
    assert report["scan"]["complete"] is True
    assert report["summary"]["exit_code"] == 1
    # the terminal summary names every workload and its verdict
    for name in workloads:
        assert name in result.out
    assert "NOT ready for its target" in result.out


def test_json_to_stdout_is_the_report_and_summary_goes_to_stderr(run):
    result = run("scan", "--demo", "--json", "-")
    document = json.loads(result.out)
    assert document["schema_version"].startswith("2.")
    assert "Readiness per workload" in result.err


def test_plain_output_without_a_terminal_has_no_escape_codes(run, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    result = run("scan", "--demo")
    assert "\x1b[" not in result.out
    forced = run("scan", "--demo", "--color")
    assert "\x1b[" in forced.out


def test_every_format_in_the_table_writes_a_file(run, tmp_path):
    args = ["scan", "--demo", "-q"]
    for fmt in FORMATS:
        args += [fmt.option, str(tmp_path / f"report{fmt.suffix}")]
    assert run(*args).code == 1
    for fmt in FORMATS:
        written = (tmp_path / f"report{fmt.suffix}").read_bytes()
        assert len(written) > 1000, fmt.name


def test_output_is_deterministic_for_the_same_input(run, tmp_path):
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        run("scan", "--demo", "-q", "--as-of", "2026-11-26", "--json", str(path))
    first, second = (json.loads(p.read_text()) for p in paths)
    first.pop("generated_at"), second.pop("generated_at")
    assert first == second
    assert [f["id"] for f in first["findings"]] == [f["id"] for f in second["findings"]]


def test_gzip_snapshot_scans_like_plain(run, tmp_path):
    gz = tmp_path / "estate.json.gz"
    gz.write_bytes(gzip.compress(demo.snapshot_path().read_bytes()))
    plain, zipped = tmp_path / "plain.json", tmp_path / "zipped.json"
    config = str(demo.config_path())
    run(
        "scan",
        "--snapshot",
        str(demo.snapshot_path()),
        "--config",
        config,
        "-q",
        "--json",
        str(plain),
    )
    run("scan", "--snapshot", str(gz), "--config", config, "-q", "--json", str(zipped))
    a, b = _report(plain), _report(zipped)
    assert a["workloads"] == b["workloads"]


@pytest.mark.parametrize(
    ("name", "packed"), [("estate.json", True), ("estate.json.gz", False), ("nightly", True)]
)
def test_a_snapshot_is_read_by_its_content_whatever_its_name(run, tmp_path, name, packed):
    raw = demo.snapshot_path().read_bytes()
    snapshot = tmp_path / name
    snapshot.write_bytes(gzip.compress(raw) if packed else raw)
    config = str(demo.config_path())
    out, expected = tmp_path / "out.json", tmp_path / "expected.json"
    args = ("--config", config, "--as-of", "2026-11-26", "-q", "--json")
    assert run("scan", "--snapshot", str(snapshot), *args, str(out)).code == 1
    assert run("scan", "--snapshot", str(demo.snapshot_path()), *args, str(expected)).code == 1
    assert _report(out)["workloads"] == _report(expected)["workloads"]


def test_a_ready_estate_exits_zero(run, demo_doc, write_json, tmp_path):
    config = tmp_path / "auditor.yaml"
    config.write_text(demo.config_path().read_text())
    # Keep only the workload that is ready for hot/hot.
    demo_doc["resources"] = [r for r in demo_doc["resources"] if "fraud" in r["id"]]
    import yaml

    cfg = yaml.safe_load(config.read_text())
    cfg["workloads"] = [w for w in cfg["workloads"] if w["name"] == "fraud-scoring"]
    config.write_text(yaml.safe_dump(cfg))
    result = run(
        "scan",
        "--snapshot",
        str(write_json(demo_doc)),
        "--config",
        str(config),
        "--as-of",
        "2026-11-26",
    )
    assert result.code == 0, result.out


def test_collection_errors_make_the_scan_incomplete_with_exit_3(
    run, demo_doc, write_json, tmp_path
):
    sub = demo.SUB_PROD
    path = (
        f"/subscriptions/{sub}/providers/Microsoft.MachineLearningServices/locations/westus/usages"
    )
    demo_doc["arm"] = [a for a in demo_doc["arm"] if a["path"].lower() != path.lower()]
    demo_doc["errors"].append(
        {
            "source": "arm",
            "request": f"GET {path}",
            "status": 403,
            "code": "AuthorizationFailed",
            "message": "no access to quota",
            "subscription": sub,
        }
    )
    out = tmp_path / "r.json"
    result = run(
        "scan",
        "--snapshot",
        str(write_json(demo_doc)),
        "--config",
        str(demo.config_path()),
        "--json",
        str(out),
    )
    assert result.code == 3
    report = _report(out)
    assert report["scan"]["complete"] is False
    assert report["scan"]["errors"][0]["code"] == "AuthorizationFailed"
    dr09 = next(
        f for f in report["findings"] if f["rule"] == "DR-09" and f["workload"] == "fraud-scoring"
    )
    assert dr09["status"] == "error"
    assert "403" in dr09["message"] and "usages" in dr09["message"]
    assert "INCOMPLETE SCAN" in result.out


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda p: p.write_text("{not json"), "not valid JSON (line 1"),
        (lambda p: p.write_text(json.dumps({"format": "other"})), "field 'format'"),
        (
            lambda p: p.write_text(json.dumps({"format": "auditor.snapshot", "version": 9})),
            "field 'version'",
        ),
        (
            lambda p: p.write_text(
                json.dumps(
                    {
                        "format": "auditor.snapshot",
                        "version": 1,
                        "collected_at": "2026-11-20T06:00:00Z",
                        "cloud": "AzureCloud",
                        "scope": {"subscriptions": [], "management_groups": []},
                        "resources": {},
                        "arm": [],
                        "errors": [],
                    }
                )
            ),
            "field 'resources'",
        ),
        (lambda p: p.write_bytes(b"\x1f\x8bnot gzip"), "not a valid gzip file"),
        (lambda p: p.write_bytes(b'{"format": "\xff\xfe"}'), "not UTF-8 text"),
        (
            lambda p: p.write_text(
                json.dumps(
                    {
                        "format": "auditor.snapshot",
                        "version": 1,
                        "collected_at": "NaN",
                        "cloud": "AzureCloud",
                        "scope": {"subscriptions": [], "management_groups": []},
                        "resources": [],
                        "arm": [],
                        "errors": [],
                    }
                )
            ),
            "field 'collected_at': 'NaN' is not a 'date-time'",
        ),
        (lambda p: p.write_text('{"n": ' + "9" * 5000 + "}"), "a number has too many digits"),
        (lambda p: p.write_text("[" * 100_000 + "]" * 100_000), "nested too deeply"),
        (
            lambda p: p.with_name("bad.json.gz").write_bytes(
                gzip.compress(b'{"format": "auditor.snapshot"}')[:12] + b"\x00" * 40
            ),
            "not a valid gzip file",
        ),
    ],
)
def test_bad_snapshot_is_one_clear_line_and_exit_2(run, tmp_path, mutate, expected):
    path = tmp_path / "bad.json"
    mutate(path)
    if not path.exists():  # the gzip case writes bad.json.gz
        path = path.with_name("bad.json.gz")
    result = run("scan", "--snapshot", str(path))
    assert result.code == 2
    assert expected in result.err
    assert str(path) in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_missing_snapshot_file(run, tmp_path):
    result = run("scan", "--snapshot", str(tmp_path / "nope.json"))
    assert result.code == 2 and "no such snapshot file" in result.err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("workloads: [1, 2", "not valid YAML"),
        (
            "workloads:\n  - name: a\n    primary: /x\n    target: hot/lukewarm\n",
            "field 'workloads.0.target'",
        ),
        (
            "workloads:\n  - name: a\n    primary: /x\n    colour: red\n",
            "field 'workloads.0.colour'",
        ),
        (
            "workloads:\n  - name: a\n    primary: /x\n    attestations:\n      DR-05: {by: a, date: 2026-01-01, evidence: x, expires: 2027-01-01}\n",
            "cannot be attested",
        ),
        (
            "workloads:\n  - {name: a, primary: /x}\n  - {name: b, primary: /X}\n",
            "in two workloads",
        ),
        ("- just a list\n", "expected a mapping"),
        (
            "workloads:\n  - name: a\n    primary: /x\n    attestations:\n      DR-16: {by: a, date: 2026-01-01, evidence: x, expires: 2027-02-30}\n",
            "(line 5, column 62): '2027-02-30' is not a valid date: day is out of range for month",
        ),
    ],
)
def test_bad_config_is_one_clear_line_and_exit_2(run, tmp_path, text, expected):
    path = tmp_path / "auditor.yaml"
    path.write_text(text)
    result = run("scan", "--demo", "--config", str(path))
    assert result.code == 2, result.out
    assert expected in result.err and str(path) in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


GOOD_RULE = """\
id: {id}
title: Custom rule
requirements: [DR-05]
asset_class: foundation
severity: low
levels: {{hot/hot: recommended, hot/warm: recommended, hot/cold: recommended}}
rationale: House rule.
remediation: {{summary: Do the thing.}}
docs: https://example.com/house-rules
check: {{function: same_key_vault}}
"""


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("X-1.yaml", GOOD_RULE.format(id="X-2"), "must equal the file name"),
        (
            "X-1.yaml",
            GOOD_RULE.format(id="X-1").replace("same_key_vault", "nope"),
            "unknown check function 'nope'",
        ),
        ("X-1.yaml", GOOD_RULE.format(id="X-1").replace("[DR-05]", "[R5]"), "field 'requirements"),
        (
            "X-1.yaml",
            GOOD_RULE.format(id="X-1").replace("hot/hot: recommended", "hot/hot: not_applicable"),
            "levels may only weaken",
        ),
        (
            "X-1.yaml",
            GOOD_RULE.format(id="X-1").replace("severity: low", "severity: huge"),
            "field 'severity'",
        ),
        ("X-1.yaml", "id: [unclosed", "not valid YAML"),
        ("DR-05.yaml", GOOD_RULE.format(id="DR-05"), "is already in"),
        (
            "X-1.yaml",
            GOOD_RULE.format(id="X-1").replace(
                "{function: same_key_vault}",
                "{function: attached_aks_zone_redundant, params: {min_zones: -5}}",
            ),
            "min_zones",
        ),
    ],
)
def test_bad_rule_file_is_one_clear_line_and_exit_2(run, tmp_path, name, text, expected):
    (tmp_path / name).write_text(text)
    for argv in (
        ("scan", "--demo", "--rules", str(tmp_path)),
        ("rules", "list", "--rules", str(tmp_path)),
    ):
        result = run(*argv)
        assert result.code == 2
        assert expected in result.err and name in result.err
        assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_a_users_rule_directory_adds_findings(run, tmp_path):
    (tmp_path / "HOUSE-1.yaml").write_text(GOOD_RULE.format(id="HOUSE-1"))
    out = tmp_path / "r.json"
    run("scan", "--demo", "-q", "--rules", str(tmp_path), "--json", str(out))
    findings = [f for f in _report(out)["findings"] if f["rule"] == "HOUSE-1"]
    assert len(findings) == 7  # one per demo workload
    validated = run("rules", "validate", str(tmp_path))
    assert validated.code == 0 and f"1 rule(s) valid in {tmp_path}" in validated.out


def test_validating_a_rule_directory_refuses_what_a_scan_would(run, tmp_path):
    """A user rule that reuses a bundled id is refused by `scan --rules`: by `rules validate`
    of the same directory too, not passed as valid."""
    (tmp_path / "DR-06.yaml").write_text(GOOD_RULE.format(id="DR-06"))
    for argv in (
        ("rules", "validate", str(tmp_path)),
        ("scan", "--demo", "--rules", str(tmp_path)),
    ):
        result = run(*argv)
        assert result.code == 2 and "rule 'DR-06' is already in" in result.err, argv


@pytest.mark.parametrize(
    "argv",
    [
        ("scan", "--demo", "--snapshot", "x.json"),
        ("scan", "--demo", "--subscription", "s1"),
        ("scan", "--arm-endpoint", "http://example.com"),
        ("scan", "--demo", "--target", "lukewarm"),
        ("scan", "--demo", "--as-of", "yesterday"),
        ("scan", "--demo", "--json", "-", "--html", "-"),
        ("frobnicate",),
    ],
)
def test_usage_errors_exit_2(run, argv):
    result = run(*argv)
    assert result.code == 2
    assert "Traceback" not in result.err


def test_unwritable_output_is_a_clear_error_and_leaves_nothing(run, tmp_path):
    result = run("scan", "--demo", "--json", str(tmp_path / "missing-dir" / "r.json"))
    assert result.code == 2 and "cannot write report" in result.err


def test_existing_report_is_replaced_whole(run, tmp_path):
    out = tmp_path / "r.json"
    out.write_text("old")
    run("scan", "--demo", "-q", "--json", str(out))
    assert _report(out)["schema_version"]
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_rules_list_show_validate(run):
    listing = run("rules", "list")
    assert listing.code == 0
    for rule in (
        "DR-01",
        "DR-02",
        "DR-04",
        "DR-05",
        "DR-06",
        "DR-07",
        "DR-08",
        "DR-09",
        "DR-10",
        "DR-16",
        "DR-20",
        "DR-21",
        "DR-24",
    ):
        assert rule in listing.out
    shown = run("rules", "show", "DR-06")
    assert shown.code == 0 and "az acr replication create" in shown.out
    by_requirement = run("rules", "show", "DR-10")
    assert "DR-10-CAPACITY" in by_requirement.out or "capacity" in by_requirement.out
    assert run("rules", "show", "NOPE-1").code == 2
    assert "valid" in run("rules", "validate").out


def test_schema_command_prints_valid_schemas(run):
    for which in ("snapshot", "report"):
        result = run("schema", which)
        jsonschema.Draft202012Validator.check_schema(json.loads(result.out))


def test_help_documents_exit_codes(run):
    result = run("scan", "--help")
    assert result.code == 0
    assert "3  the scan is incomplete" in result.out


def test_corrupt_gzip_snapshot(run, tmp_path):
    path = tmp_path / "estate.json.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage")
    result = run("scan", "--snapshot", str(path))
    assert result.code == 2 and "not a valid gzip file" in result.err


@pytest.mark.parametrize(
    ("name", "text", "argv"),
    [
        (
            "waivers.yaml",
            "waivers:\n  - rule: DR-06\n    workload: recsys\n    reason: r\n    owner: o\n"
            "    expires: 2027-02-30\n",
            ("scan", "--demo", "--waivers", "{path}"),
        ),
        (
            "rules/X-1.yaml",
            "id: X-1\ntitle: t\nrequirements: [DR-06]\nasset_class: foundation\n"
            "severity: low\ndocs: 2026-02-30\n",
            ("rules", "validate", "{dir}"),
        ),
        ("report.json", "[" * 50_000 + "]" * 50_000, ("report", "{path}")),
        ("report.json", '{"schema_version": ' + "1" * 5000 + "}", ("diff", "{path}", "{path}")),
    ],
    ids=["waiver-date", "rule-date", "report-nesting", "report-number"],
)
def test_dates_that_do_not_exist_and_monstrous_json_are_bad_input(run, tmp_path, name, text, argv):
    path = tmp_path / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    result = run(*(a.format(path=path, dir=path.parent) for a in argv))
    assert result.code == 2, result.err
    assert str(path) in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_names_from_azure_are_printed_as_they_are_never_as_markup_or_control_codes(
    run, demo_doc, write_json, monkeypatch
):
    """A dr-workload tag is text the estate's owners wrote: '[/]' must not crash the summary,
    '[bold]' must not restyle it, and an escape sequence or a newline must not reach the
    terminal (a newline would fake a line of the summary)."""
    name = "recsys[/] [bold]B[/bold] \x1b]0;pwned\x07\nfraud-scoring: ready"
    for row in demo_doc["resources"]:
        if (row.get("tags") or {}).get("dr-workload") == "recsys":
            row["tags"]["dr-workload"] = name
    # the long name on one line (tests/test_terminal.py shows it wrapped)
    monkeypatch.setenv("COLUMNS", "200")
    result = run("scan", "--snapshot", str(write_json(demo_doc)), "--as-of", "2026-11-26")
    assert result.code == 1 and "Traceback" not in result.err
    shown = "recsys[/] [bold]B[/bold] \\x1b]0;pwned\\x07\\x0afraud-scoring: ready"
    assert f"{shown}: NOT ready for its target" in result.out
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "recsys[/] [bold]B" in result.out  # the table cell too, folded or not


def test_a_report_that_cannot_be_written_leaves_every_earlier_output_and_the_history(run, tmp_path):
    json_path, md_path, db = tmp_path / "r.json", tmp_path / "r.md", tmp_path / "h.sqlite"
    first = run("scan", "--demo", "-q", "--json", str(json_path), "--history", str(db))
    assert first.code == 1
    json_path.write_text("the previous report")
    md_path.write_text("the previous summary")
    result = run(
        "scan", "--demo", "-q", "--json", str(json_path), "--markdown", str(md_path),
        "--html", str(tmp_path / "missing" / "r.html"), "--history", str(db),
    )  # fmt: skip
    assert result.code == 2 and "missing/r.html: cannot write report" in result.err
    assert json_path.read_text() == "the previous report"
    assert md_path.read_text() == "the previous summary"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.sqlite", "r.json", "r.md"]
    history = run("history", str(db), "--json")
    assert history.code == 0 and json.loads(history.out)["runs"] == 1


def test_an_empty_output_path_is_a_usage_error(run):
    result = run("scan", "--demo", "--json", "")
    assert result.code == 2 and "--json needs a path ('-' for stdout)" in result.err


@pytest.mark.parametrize("argv", [["--json", "-", "-q"], []], ids=["json-to-stdout", "summary"])
def test_a_reader_that_stops_early_does_not_change_the_exit_code(argv, demo_doc, write_json):
    """`auditor scan ... | head` in a pipeline with pipefail (here `| true`, gone at once): the
    scan's own exit code (3: a read was refused, the scan is incomplete), not 0, 1 or a
    traceback."""
    demo_doc["errors"].append(
        {"source": "arm", "request": "GET /x", "status": 403, "code": "Forbidden", "message": "no"}
    )
    command = [sys.executable, "-m", "auditor", "scan", "--snapshot", str(write_json(demo_doc))]
    script = f"set -o pipefail; {shlex.join([*command, *argv])} | true"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def _history_with(tmp_path, change: str) -> Path:
    """A real history database (one demo run) with one SQL change applied."""
    import sqlite3

    db = tmp_path / "h.sqlite"
    from auditor import cli

    assert cli.main(["scan", "--demo", "-q", "--history", str(db)]) == 1
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(change)
    conn.close()  # the journal files go with the last connection
    return db


def _foreign_database(tmp_path) -> Path:
    import sqlite3

    db = tmp_path / "foreign.sqlite"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("CREATE TABLE accounts (id INTEGER, balance INTEGER)")
        conn.execute("INSERT INTO accounts VALUES (1, 100)")
    conn.close()
    return db


def _lone_surrogate_snapshot(tmp_path) -> Path:
    document = json.loads(demo.snapshot_path().read_text())
    for row in document["resources"]:
        if (row.get("tags") or {}).get("dr-workload") == "recsys":
            row["tags"]["dr-workload"] = "recsys\ud800"
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(document))  # ensure_ascii: the surrogate as its \ud800 escape
    return path


def _copy(source: Path, name: str):
    def make(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_bytes(source.read_bytes())
        return path

    return make


def _empty(name: str):
    def make(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_text("{}")
        return path

    return make


def _linked_snapshot(tmp_path: Path) -> Path:
    target = _copy(demo.snapshot_path(), "s.json")(tmp_path)
    (tmp_path / "link.json").symlink_to(target)
    return target


# Each case: a fixture that makes the adversarial file, the command (PATH: that file), and what
# the one line must say. The file must come out as it went in.
HOSTILE = [
    ("snapshot-as-report", _copy(demo.snapshot_path(), "s.json"),
     ("scan", "--snapshot", "{path}", "--json", "{path}"), "the same file as --snapshot"),
    ("config-as-report", _copy(demo.config_path(), "auditor.yaml"),
     ("scan", "--demo", "--config", "{path}", "--json", "{path}"), "the same file as --config"),
    ("history-as-report", lambda t: _history_with(t, "SELECT 1"),
     ("scan", "--demo", "--json", "{path}", "--history", "{path}"), "the same file as --history"),
    ("report-read-and-written", _empty("r.json"),
     ("report", "{path}", "--html", "{path}"), "the same file as FROM.json"),
    ("diff-old-as-output", _empty("old.json"),
     ("diff", "{path}", "{path}", "--json", "{path}"), "the same file as OLD.json"),
    ("saved-snapshot-as-report", _empty("x"),
     ("scan", "--save-snapshot", "{path}", "--json", "{path}"), "each output needs its own file"),
    ("two-formats-one-file", _empty("a"),
     ("scan", "--demo", "--json", "{path}", "--html", "{path}"), "each output needs its own file"),
    ("a-link-to-the-snapshot", _linked_snapshot,
     ("scan", "--snapshot", "{path}", "--json", "{dir}/link.json"), "the same file as --snapshot"),
    ("init-over-its-snapshot", _copy(demo.snapshot_path(), "s.json"),
     ("init", "--snapshot", "{path}", "-o", "{path}", "--force"), "the same file as --snapshot"),
    ("report-is-a-directory", lambda t: t,
     ("scan", "--demo", "--json", "{path}"), "is a directory"),
    ("history-version-not-a-number",
     lambda t: _history_with(t, "UPDATE schema_version SET version = 'abc'"),
     ("history", "{path}"), "column 'schema_version.version' holds 'abc'"),
    ("history-version-not-a-number-on-record",
     lambda t: _history_with(t, "UPDATE schema_version SET version = 'abc'"),
     ("scan", "--demo", "-q", "--history", "{path}"), "column 'schema_version.version'"),
    ("history-score-not-a-number",
     lambda t: _history_with(t, "UPDATE workloads SET score = 'xx'"),
     ("history", "{path}"), "column 'workloads.score' holds 'xx'"),
    ("history-of-another-application", _foreign_database,
     ("history", "{path}"), "not an auditor history"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "argv", "expected"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE]
)
def test_hostile_input_is_one_clear_line_exit_2_and_changes_nothing(
    run, tmp_path, make, argv, expected
):
    path = make(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = run(*(a.format(path=path, dir=path.parent) for a in argv))
    assert result.code == 2, result.err
    assert expected in result.err and str(path) in result.err, result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before  # nothing of the user's overwritten, created or switched to WAL


def test_a_device_a_fifo_and_a_link_to_one_are_written_through_never_replaced(run, tmp_path):
    import os
    import stat
    import threading

    result = run("scan", "--demo", "-q", "--json", "/dev/null")
    assert result.code == 1, result.err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    received: list[bytes] = []
    for target in (fifo, link):
        received.clear()
        reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
        reader.start()
        result = run("scan", "--demo", "-q", "--json", str(target))
        reader.join(30)
        assert result.code == 1, result.err
        assert json.loads(received[0])["summary"]["workloads"] == 7
        assert stat.S_ISFIFO(os.stat(fifo).st_mode) and link.is_symlink()


def test_json_to_dev_stdout_is_the_report(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", "--demo", "-q", "--json", "/dev/stdout"],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["summary"]["workloads"] == 7


def test_reports_get_the_umasks_mode_and_a_replaced_file_keeps_its_own(tmp_path):
    script = (
        "import os, sys; os.umask(0o077); from auditor.cli import main; "
        "sys.exit(main(sys.argv[1:]))"
    )
    new, kept = tmp_path / "new.json", tmp_path / "kept.md"
    kept.write_text("old")
    kept.chmod(0o640)
    command = [sys.executable, "-c", script, "scan", "--demo", "-q", "--json", str(new)]
    done = subprocess.run([*command, "--markdown", str(kept)], capture_output=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert new.stat().st_mode & 0o777 == 0o600
    assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_text() != "old"


def test_a_link_to_a_report_is_kept_and_the_file_it_points_to_replaced(run, tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert run("scan", "--demo", "-q", "--json", str(link)).code == 1
    assert link.is_symlink() and json.loads(real.read_text())["summary"]["workloads"] == 7


INJECTED = (
    "recsys\n  - name: a\n    primary: /x\n    attestations:\n"
    "      DR-16: {by: a, date: 2026-01-01, evidence: x, expires: 2030-01-01}\n#"
)


def test_init_writes_tag_values_as_inert_yaml_and_what_validates_is_what_it_shows(
    run, demo_doc, write_json, tmp_path
):
    """A dr-workload tag holding a newline and YAML must not break out of the generated
    comment: no injected workload, no attestation, DR-16 not passed as 'attested by a'."""
    name = INJECTED + "\u202e\x1b]52;c;aGk=\x07"
    for row in demo_doc["resources"]:
        if (row.get("tags") or {}).get("dr-workload") == "recsys":
            row["tags"]["dr-workload"] = name
    snapshot_path = write_json(demo_doc)
    config_path = tmp_path / "auditor.yaml"
    assert run("init", "--snapshot", str(snapshot_path), "-o", str(config_path)).code == 0
    text = config_path.read_text()
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert any("dr-workload=recsys\\x0a  - name: a" in line for line in comments)
    import yaml

    proposed = yaml.safe_load(text)["workloads"]
    assert len(proposed) == 7 and all("attestations" not in w for w in proposed)
    assert name in [w["name"] for w in proposed]  # the name itself, whole, as a value
    validated = run("config", "validate", str(config_path), "--snapshot", str(snapshot_path))
    assert validated.code == 0 and "valid (7 workload(s)" in validated.out
    out = tmp_path / "r.json"
    scanned = run(
        "scan", "--snapshot", str(snapshot_path), "--config", str(config_path), "-q",
        "--json", str(out),
    )  # fmt: skip
    assert scanned.code == 1
    dr16 = [f for f in json.loads(out.read_text())["findings"] if f["rule"] == "DR-16"]
    assert dr16 and all(f["status"] != "pass" for f in dr16)


def test_text_from_azure_reaches_markdown_and_terminal_inert(run, demo_doc, write_json, tmp_path):
    name = "recsys\u202eevil\x1b]52;c;aGk=\x07\x00"
    for row in demo_doc["resources"]:
        if (row.get("tags") or {}).get("dr-workload") == "recsys":
            row["tags"]["dr-workload"] = name
    md = tmp_path / "r.md"
    result = run("scan", "--snapshot", str(write_json(demo_doc)), "--markdown", str(md))
    assert result.code == 1, result.err
    for text in (md.read_text(), result.out):
        assert not any(ch in text for ch in "\u202e\x1b\x07\x00"), repr(text[:200])
    assert "recsys\\\\u202eevil\\\\x1b" in md.read_text()  # escaped, then backslash-escaped
    assert "recsys\\u202eevil\\x1b" in result.out


def test_a_history_database_one_may_only_read_can_be_read(run, tmp_path, monkeypatch):
    import os

    from auditor import history

    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "h.sqlite"
    assert run("scan", "--demo", "-q", "--history", str(db)).code == 1
    content = db.read_bytes()
    db.chmod(0o444)
    folder.chmod(0o555)
    if os.geteuid() == 0:  # root may write anything: be the user who may not
        monkeypatch.setattr(history.os, "access", lambda path, mode: mode != os.W_OK)
    try:
        result = run("history", str(db), "--json")
        assert result.code == 0, result.err
        assert json.loads(result.out)["runs"] == 1
        assert db.read_bytes() == content
    finally:
        folder.chmod(0o755)


def test_ctrl_c_after_the_reports_were_committed_records_the_run(run, tmp_path, monkeypatch):
    from auditor.render import terminal

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(terminal, "render", interrupted)  # while the summary is printed
    out, db = tmp_path / "r.json", tmp_path / "h.sqlite"
    result = run("scan", "--demo", "--json", str(out), "--history", str(db))
    assert result.code == 130 and "aborted" in result.err
    assert json.loads(out.read_text())["summary"]["workloads"] == 7
    monkeypatch.undo()
    assert json.loads(run("history", str(db), "--json").out)["runs"] == 1


def test_a_lone_surrogate_in_a_snapshot_is_kept_as_its_escape_not_a_traceback(run, tmp_path):
    """ "\\ud800" is half a UTF-16 pair, no character: no output could encode it (it was a
    UnicodeEncodeError even with no output option). The scan reads it as its escape."""
    path = _lone_surrogate_snapshot(tmp_path)
    out, md = tmp_path / "r.json", tmp_path / "r.md"
    more = [(f"--{name}", str(tmp_path / f"r.{name}")) for name in ("html", "ndjson", "ocsf")]
    result = run(
        "scan", "--snapshot", str(path), "--json", str(out), "--markdown", str(md),
        *[arg for pair in more for arg in pair],
    )  # fmt: skip
    assert result.code == 1, result.err
    html, ndjson, ocsf = (Path(written).read_text(encoding="utf-8") for _, written in more)
    assert "recsys\\ud800" in html
    assert "recsys\\ud800" in {json.loads(line)["workload"] for line in ndjson.splitlines()}
    assert "recsys\\ud800" in {e["unmapped"]["workload"] for e in json.loads(ocsf)}
    assert "Traceback" not in result.err
    names = [w["name"] for w in json.loads(out.read_text())["workloads"]]
    assert "recsys\\ud800" in names
    assert "recsys\\ud800" in result.out
