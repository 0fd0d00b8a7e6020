"""The formats for SIEMs and CI (NDJSON, OCSF, JUnit, Markdown), the gates, and rendering again
from a saved JSON report."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import ocsf.v1_7_0.events as ocsf_events
import ocsf.v1_7_0.objects as ocsf_objects
import pytest
import yaml
from ocsf._schema_loader import get_schema_loader
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from auditor import config, demo, gates, report_file, rules, scan, snapshot
from auditor.errors import ReportFileError
from auditor.model import Evidence, Severity, Status, Tier
from auditor.render import FORMATS, json_report, junit, markdown, ndjson, ocsf, terminal
from auditor.report import EXIT_INCOMPLETE, EXIT_NOT_READY, EXIT_OK, Report

AS_OF = dt.date(2026, 11, 26)
NOW = dt.datetime(2026, 11, 26, 8, 30, tzinfo=dt.UTC)


def _scan(snapshot_doc: dict[str, Any] | None = None, cfg: Path | None = None) -> Report:
    snap = (
        snapshot.validate(snapshot_doc, "test")
        if snapshot_doc is not None
        else snapshot.load(demo.snapshot_path())
    )
    return scan.run(
        snap, config.load(cfg or demo.config_path()), rules.load(()), as_of=AS_OF, now=NOW
    )


@pytest.fixture(scope="module")
def report() -> Report:
    return _scan()


@pytest.fixture(scope="module")
def incomplete(report: Report) -> Report:
    """The demo with a quota read forbidden: a collection error and a finding in `error`."""
    doc = json.loads(demo.snapshot_path().read_text())
    sub = demo.SUB_PROD
    path = (
        f"/subscriptions/{sub}/providers/Microsoft.MachineLearningServices/locations/westus/usages"
    )
    doc["arm"] = [a for a in doc["arm"] if a["path"].lower() != path.lower()]
    doc["errors"].append(
        {
            "source": "arm",
            "request": f"GET {path}",
            "status": 403,
            "code": "AuthorizationFailed",
            "message": "no access to quota",
            "subscription": sub,
        }
    )
    result = _scan(doc)
    assert result.exit_code == EXIT_INCOMPLETE and result.count(Status.ERROR)
    return result


def _with_finding(report: Report, index: int, **changes: Any) -> Report:
    """The report with one finding changed, everywhere the report holds it."""
    old = report.findings[index]
    new = dataclasses.replace(old, **changes)

    def swap(findings: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(new if f is old else f for f in findings)

    workloads = tuple(
        dataclasses.replace(
            w,
            findings=swap(w.findings),
            target=dataclasses.replace(w.target, blocking=swap(w.target.blocking)),
            tiers={
                t: dataclasses.replace(r, blocking=swap(r.blocking)) for t, r in w.tiers.items()
            },
        )
        for w in report.workloads
    )
    return dataclasses.replace(report, findings=swap(report.findings), workloads=workloads)


# -- the JSON report read back --------------------------------------------------------------


@pytest.mark.parametrize("which", ["report", "incomplete"])
def test_report_from_document_inverts_document(request, which):
    original: Report = request.getfixturevalue(which)
    doc = json_report.document(original)
    rebuilt = report_file.report_from_document(copy.deepcopy(doc))
    assert json_report.document(rebuilt) == doc
    # What no document field shows is rebuilt too: the scan's order of each workload's
    # findings, the blocking findings at the target, the attestations.
    for before, after in zip(original.workloads, rebuilt.workloads, strict=True):
        assert [f.id for f in after.findings] == [f.id for f in before.findings]
        assert [f.id for f in after.target.blocking] == [f.id for f in before.target.blocking]
        assert after.workload.attestations == before.workload.attestations
    assert rebuilt.exit_code == original.exit_code
    for verbose in (False, True):
        assert terminal.render(rebuilt, verbose=verbose) == terminal.render(
            original, verbose=verbose
        )


def _outputs(folder: Path) -> list[str]:
    folder.mkdir()
    args = ["--no-color"]
    for fmt in FORMATS:
        args += [fmt.option, str(folder / f"report{fmt.suffix}")]
    return args


def test_auditor_report_writes_what_the_scan_wrote(run, tmp_path):
    scanned, again = tmp_path / "scan", tmp_path / "again"
    first = run("scan", "--demo", "--as-of", "2026-11-26", *_outputs(scanned))
    assert first.code == EXIT_NOT_READY, first.err
    second = run("report", str(scanned / "report.json"), *_outputs(again))
    assert second.code == 0, second.err
    for fmt in FORMATS:
        name = f"report{fmt.suffix}"
        assert (again / name).read_bytes() == (scanned / name).read_bytes(), fmt.name
    # the terminal summary too (its width follows the terminal, the same for both runs)
    assert second.out == first.out


def test_auditor_report_one_format_to_stdout(run, tmp_path, report):
    saved = tmp_path / "r.json"
    saved.write_bytes(json_report.render(report))
    result = run("report", str(saved), "--markdown", "-")
    assert result.out == markdown.render(report).decode()
    assert "Readiness per workload" in result.err
    quiet = run("report", str(saved), "-q", "--junit", "-")
    assert quiet.out.encode() == junit.render(report) and quiet.err == ""
    both = run("report", str(saved), "--json", "-", "--ocsf", "-")
    assert both.code == 2 and "only one format" in both.err


def _bad_documents() -> list[tuple[str, Any, str]]:
    base = json_report.document(_scan())
    missing = copy.deepcopy(base)
    del missing["workloads"][1]["name"]
    status = copy.deepcopy(base)
    status["findings"][3]["status"] = "passed"
    blocking = copy.deepcopy(base)
    wl = next(i for i, w in enumerate(blocking["workloads"]) if w["tiers"]["hot/hot"]["blocking"])
    blocking["workloads"][wl]["tiers"]["hot/hot"]["blocking_findings"][0] = "F-0000000000000000"
    orphan = copy.deepcopy(base)
    orphan["findings"][0]["workload"] = "nobody"
    version = copy.deepcopy(base)
    version["schema_version"] = "3.0"
    date = copy.deepcopy(base)
    date["scan"]["as_of"] = "26/11/2026"
    return [
        ("missing", missing, "field 'workloads/1': 'name' is a required property"),
        ("status", status, "field 'findings/3/status': 'passed' is not one of"),
        ("blocking", blocking, f"field 'workloads/{wl}/tiers/hot/hot/blocking_findings/0'"),
        ("orphan", orphan, "field 'findings/0/workload': no workload 'nobody'"),
        ("version", version, "field 'schema_version'"),
        ("date", date, "field 'scan/as_of': '26/11/2026' is not a 'date'"),
        ("list", [], "field '(top level)': [] is not of type 'object'"),
    ]


BAD_DOCUMENTS = _bad_documents()


@pytest.mark.parametrize(
    ("name", "doc", "expected"), BAD_DOCUMENTS, ids=[case[0] for case in BAD_DOCUMENTS]
)
def test_a_bad_report_is_one_clear_line_and_exit_2(run, tmp_path, name, doc, expected):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc))
    result = run("report", str(path), "--html", str(tmp_path / "out.html"))
    assert result.code == 2
    assert expected in result.err and str(path) in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    assert not (tmp_path / "out.html").exists()
    with pytest.raises(ReportFileError, match=re.escape(expected)):
        report_file.report_from_document(doc, str(path))


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "no such report file"), (b"{nope", "not valid JSON (line 1"), (b"\xff", "not UTF-8")],
)
def test_an_unreadable_report_file(run, tmp_path, content, expected):
    path = tmp_path / "r.json"
    if content is not None:
        path.write_bytes(content)
    result = run("report", str(path))
    assert result.code == 2 and expected in result.err and str(path) in result.err


# -- NDJSON -----------------------------------------------------------------------------------


def _lines(payload: bytes) -> list[dict[str, Any]]:
    text = payload.decode()
    assert text.endswith("\n") and "\n\n" not in text
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("which", ["report", "incomplete"])
def test_every_ndjson_line_follows_the_shipped_schema(request, which):
    source: Report = request.getfixturevalue(which)
    schema = ndjson.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    lines = _lines(ndjson.render(source))
    assert len(lines) == len(source.findings)
    for line in lines:
        validator.validate(line)
        # the schema documents every field, and every field is flat
        assert set(line) == set(schema["properties"])
        for key, value in line.items():
            assert re.fullmatch(r"[a-z][a-z0-9_]*", key)
            if key != "evidence":
                assert not isinstance(value, dict), key
                if isinstance(value, list):
                    assert all(isinstance(v, str | int | float | bool) for v in value), key
        for item in line["evidence"]:
            assert all(isinstance(v, str | None) for v in item.values())


def test_ndjson_lines_are_self_contained(report):
    lines = _lines(ndjson.render(report))
    assert len({line["scan_id"] for line in lines}) == 1
    assert [line["finding_id"] for line in lines] == [f.id for f in report.findings]
    by_name = {w.name: w for w in report.workloads}
    for line, finding in zip(lines, report.findings, strict=True):
        assert line["event_type"] == "auditor.finding"
        assert line["generated_at"] == report.generated_at
        assert line["collected_at"] == report.scan.collected_at
        assert line["tool_name"] == "auditor" and line["tool_version"] == report.tool_version
        result = by_name[finding.workload]
        assert line["workload"] == result.name
        assert line["primary"] == result.workload.primary
        assert line["secondary"] == result.workload.secondary
        assert line["ready_for_target"] == result.target.ready
        assert line["status"] == finding.status.value
        assert line["blocks_target"] == (finding in result.target.blocking)
        assert line["remediation"] == finding.remediation["summary"]
        assert [json.loads(e["observed"]) for e in line["evidence"]] == [
            e.observed for e in finding.evidence
        ]
    # the same report always gets the same scan id; another scan gets another
    assert _lines(ndjson.render(report))[0]["scan_id"] == lines[0]["scan_id"]
    later = dataclasses.replace(report, generated_at="2026-11-27T08:30:00Z")
    assert _lines(ndjson.render(later))[0]["scan_id"] != lines[0]["scan_id"]
    # the same second, judged at another date: another report, another id
    rejudged = dataclasses.replace(
        report, scan=dataclasses.replace(report.scan, as_of=report.scan.as_of.replace(day=1))
    )
    assert _lines(ndjson.render(rejudged))[0]["scan_id"] != lines[0]["scan_id"]


def test_schema_command_prints_the_finding_event_schema(run):
    result = run("schema", "finding-event")
    assert result.code == 0 and json.loads(result.out) == ndjson.schema()


# -- OCSF -------------------------------------------------------------------------------------


def _unknown_fields(model: Any, path: str = "") -> list[str]:
    """Fields the OCSF schema does not define (pydantic-ocsf keeps them as extras)."""
    found: list[str] = []
    if isinstance(model, BaseModel):
        found += [f"{path}.{key}" for key in model.model_extra or {}]
        for name in type(model).model_fields:
            found += _unknown_fields(getattr(model, name), f"{path}.{name}")
    elif isinstance(model, list):
        for i, item in enumerate(model):
            found += _unknown_fields(item, f"{path}[{i}]")
    return found


def _validate_ocsf(event: dict[str, Any]) -> Any:
    """Validate one event against the official OCSF schema, through the models pydantic-ocsf
    builds from it: types, required attributes, enum values, id/caption pairs, class ids."""
    model = ocsf_events.ComplianceFinding.model_validate(event)
    # The models leave out profile attributes; the `cloud` profile's one is checked on its
    # own. `unmapped` is free-form by definition. Nothing else may be unknown to the schema.
    clouds = [event["cloud"], *(r["cloud"] for r in event["resources"])]
    for cloud in clouds:
        assert _unknown_fields(ocsf_objects.Cloud.model_validate(cloud)) == []
    unknown = [
        f
        for f in _unknown_fields(model)
        if not f.startswith(".unmapped.") and not re.fullmatch(r"(\.resources\[\d+\])?\.cloud", f)
    ]
    assert unknown == []
    # Nothing was coerced or dropped on the way in.
    assert model.model_dump(by_alias=True, exclude_none=True, mode="json") == event
    return model


@pytest.mark.parametrize("which", ["report", "incomplete"])
def test_ocsf_events_are_valid_compliance_findings(request, which):
    source: Report = request.getfixturevalue(which)
    events = json.loads(ocsf.render(source))
    assert isinstance(events, list) and len(events) == len(source.findings)
    for event, finding in zip(events, source.findings, strict=True):
        _validate_ocsf(event)
        assert (event["class_uid"], event["category_uid"], event["type_uid"]) == (2003, 2, 200301)
        assert event["metadata"]["version"] == ocsf.OCSF_VERSION
        assert event["metadata"]["product"]["name"] == "auditor"
        assert event["finding_info"]["uid"] == finding.id
        assert event["finding_info"]["title"] == finding.title
        assert event["compliance"]["control"] == finding.rule
        assert event["compliance"]["requirements"] == list(finding.requirements)
        assert event["compliance"]["standards"] == ["Azure ML failover guidance"]
        assert event["remediation"]["desc"] == finding.remediation["summary"]
        assert event["remediation"]["references"] == [finding.docs]
        assert [r["uid"] for r in event["resources"]] == list(finding.resources)
        assert all(r["cloud"]["provider"] == "Azure" for r in event["resources"])
        assert event["time"] == int(NOW.timestamp() * 1000)


def test_ocsf_constants_are_the_official_schemas():
    official = get_schema_loader().load_schema(ocsf.OCSF_VERSION)
    assert official["version"] == ocsf.OCSF_VERSION
    finding = official["events"]["compliance_finding"]
    category = official["categories_meta"]["attributes"][official["events"]["finding"]["category"]]
    assert (category["uid"], category["caption"]) == (ocsf.CATEGORY_UID, ocsf.CATEGORY_NAME)
    assert (
        category["uid"] * 1000 + finding["uid"],
        finding["caption"],
    ) == (ocsf.CLASS_UID, ocsf.CLASS_NAME)
    statuses = official["objects"]["compliance"]["attributes"]["status_id"]["enum"]
    for mapped in ocsf.COMPLIANCE_STATUS.values():
        if mapped is not None:
            assert statuses[str(mapped[0])]["caption"] == mapped[1]
    severities = official["dictionary"]["attributes"]["severity_id"]["enum"]
    for number, caption in ocsf.SEVERITY.values():
        assert severities[str(number)]["caption"] == caption


def test_ocsf_maps_status_and_severity_to_the_schemas_enums(report, incomplete):
    events = json.loads(ocsf.render(report)) + json.loads(ocsf.render(incomplete))
    findings = report.findings + incomplete.findings
    seen = set()
    for event, finding in zip(events, findings, strict=True):
        compliance = event["compliance"]
        expected = {
            Status.PASS: (1, "Pass"),
            Status.FAIL: (3, "Fail"),
            Status.ERROR: (2, "Warning"),
            Status.MANUAL: (2, "Warning"),
        }.get(finding.status)
        assert (compliance.get("status_id"), compliance.get("status")) == (expected or (None, None))
        assert compliance["status_details"][0].startswith(finding.status.value + ": ")
        assert event["unmapped"]["auditor_status"] == finding.status.value
        severity = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
        assert event["severity_id"] == severity[finding.severity.value]
        seen.add(finding.status)
    assert {Status.PASS, Status.FAIL, Status.ERROR, Status.MANUAL, Status.NOT_APPLICABLE} <= seen


def test_ocsf_suppressed_findings_and_every_severity_validate(report):
    index = next(i for i, f in enumerate(report.findings) if f.status is Status.FAIL)
    for severity in Severity:
        changed = _with_finding(report, index, status=Status.SUPPRESSED, severity=severity)
        event = json.loads(ocsf.render(changed))[index]
        _validate_ocsf(event)
        assert (event["status_id"], event["status"]) == (3, "Suppressed")
        assert "status_id" not in event["compliance"]


def test_the_ocsf_validation_rejects_a_bad_event(report):
    """The check above is only worth something if it can fail."""
    good = json.loads(ocsf.render(report))[0]
    for mutate in (
        lambda e: e.update(severity_id=42),
        lambda e: e["compliance"].update(status="Error"),
        lambda e: e.update(class_uid=2001),
        lambda e: e["finding_info"].pop("uid"),
        lambda e: e.update(time="yesterday"),
        lambda e: e["remediation"].pop("desc"),
    ):
        event = copy.deepcopy(good)
        mutate(event)
        with pytest.raises(PydanticValidationError):
            ocsf_events.ComplianceFinding.model_validate(event)
    stray = copy.deepcopy(good)
    stray["finding_info"]["colour"] = "red"
    with pytest.raises(AssertionError):
        _validate_ocsf(stray)


# -- JUnit ------------------------------------------------------------------------------------


def test_junit_has_a_suite_per_workload_and_a_case_per_rule(report):
    root = ET.fromstring(junit.render(report))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [w.name for w in report.workloads]
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite, result in zip(suites, report.workloads, strict=True):
        cases = suite.findall("testcase")
        assert len(cases) == len(result.findings) == int(suite.get("tests", "-1"))
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["target"] == result.workload.target_summary
        assert props["ready_for_target"] == str(result.target.ready).lower()
        assert props["score.hot/hot"] == str(result.tiers[Tier.HOT_HOT].score)
        for case, finding in zip(cases, result.findings, strict=True):
            assert case.get("classname") == result.name
            assert case.get("name") == f"{finding.rule} {finding.title}"
            children = [c.tag for c in case]
            expected = {
                Status.PASS: [],
                Status.FAIL: ["failure"],
                Status.ERROR: ["error"],
            }.get(finding.status, ["skipped"])
            assert children == expected, finding.status
            if finding.status is Status.FAIL:
                failure = case.find("failure")
                assert failure is not None and failure.get("message") == finding.message
                assert "evidence:" in (failure.text or "") or not finding.evidence
                assert finding.remediation["summary"] in (failure.text or "")
            if children == ["skipped"]:
                skipped = case.find("skipped")
                assert skipped is not None
                assert skipped.get("message", "").startswith(finding.status.value)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    assert totals == {k: int(root.get(k, "-1")) for k in totals}
    assert totals["failures"] == report.count(Status.FAIL)


def test_junit_reports_errors_and_survives_any_text(incomplete):
    index = next(i for i, f in enumerate(incomplete.findings) if f.status is Status.ERROR)
    weird = 'quota "a" <b> & \x00\x1b[31m \ud800 é'
    changed = _with_finding(incomplete, index, message=weird)
    root = ET.fromstring(junit.render(changed))
    errors = [c for c in root.iter("testcase") if c.find("error") is not None]
    assert len(errors) == incomplete.count(Status.ERROR)
    message = errors[0].find("error").get("message")  # type: ignore[union-attr]
    assert message.startswith('quota "a" <b> & ') and "\x00" not in message


# -- Markdown ---------------------------------------------------------------------------------


def _table_rows(text: str, header: str) -> list[list[str]]:
    lines = text.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        # split on pipes that are not escaped
        cells = re.split(r"(?<!\\)\|", line)[1:-1]
        rows.append([c.strip() for c in cells])
    return rows


LADDER = "| Workload | Regions | Target | hot/hot | hot/warm | hot/cold | Target ready |"
BLOCKING = "| Workload | Rule | Severity | Status | Finding | How to fix |"


def test_markdown_summary_has_the_ladder_and_what_blocks(report):
    text = markdown.render(report).decode()
    assert "4 of 7 workloads are not ready" in text
    ladder = _table_rows(text, LADDER)
    assert [r[0] for r in ladder] == [w.name for w in report.workloads]
    for row, result in zip(ladder, report.workloads, strict=True):
        assert len(row) == 7
        assert row[-1] == ("✅ " if result.target.ready else "❌ ") + str(result.target.score)
    blocking = _table_rows(text, BLOCKING)
    assert all(len(row) == 6 for row in blocking)
    rules_named = " ".join(r[1] for r in blocking)
    for result in report.workloads:
        for finding in result.target.blocking:
            assert finding.rule in rules_named
    assert any("docs" in r[5] for r in blocking)


def test_markdown_summary_of_a_ready_and_of_an_incomplete_scan(report, incomplete):
    fraud = next(w for w in report.workloads if w.name == "fraud-scoring")
    ready = dataclasses.replace(report, workloads=(fraud,), findings=fraud.findings)
    text = markdown.render(ready).decode()
    assert "All 1 workloads are ready" in text and "Nothing blocks" in text
    assert "Incomplete scan" in markdown.render(incomplete).decode()


def test_markdown_escapes_names_that_look_like_markup(report):
    nasty = "st|x <img src=x onerror=alert(1)> `code` *bold* [link](http://e.x) ~s~ a\\b\nnext"
    index = next(
        i
        for i, f in enumerate(report.findings)
        if f.message != "there is no secondary workspace to compare with (see DR-01)"
        and any(f in w.target.blocking for w in report.workloads)
    )
    changed = _with_finding(
        report,
        index,
        message=f"default storage {nasty} is in the wrong region",
        remediation={"summary": f"move {nasty}"},
        evidence=(Evidence(nasty, "location", nasty),),
    )
    text = markdown.render(changed).decode()
    assert "<img" not in text and "`code`" not in text and "*bold*" not in text
    assert "[link](" not in text and r"\[link\](http://e.x)" in text
    rows = _table_rows(text, BLOCKING)
    assert all(len(row) == 6 for row in rows)
    row = next(r for r in rows if "wrong region" in r[4])
    assert row[4].startswith(r"default storage st\|x &lt;img src=x onerror=alert(1)&gt; \`code\`")
    assert r"a\\b next" in row[4]


# -- gates ------------------------------------------------------------------------------------


def _only(report: Report, name: str) -> Report:
    result = next(w for w in report.workloads if w.name == name)
    return dataclasses.replace(report, workloads=(result,), findings=result.findings)


def test_gates_are_a_pure_decision_on_the_report(report):
    churn = _only(report, "churn-prediction")  # ready for hot/warm, score 88, DR-08 high fails
    assert churn.exit_code == EXIT_OK
    assert churn.workloads[0].target.score == 88
    cases = [
        (gates.Gates(), EXIT_OK),
        (gates.Gates(fail_under=88), EXIT_OK),
        (gates.Gates(fail_under=89), EXIT_NOT_READY),
        (gates.Gates(fail_on=Severity.CRITICAL), EXIT_OK),
        (gates.Gates(fail_on=Severity.HIGH), EXIT_NOT_READY),
        (gates.Gates(fail_on=Severity.INFO), EXIT_NOT_READY),
    ]
    for gate, code in cases:
        assert gates.exit_code(churn, gate) == code, gate
    assert gates.breaches(churn, gates.Gates(fail_on=Severity.HIGH)) == (
        "churn-prediction: DR-08 is fail (high, recommended at its target)",
    )
    # DR-10-CAPACITY fails too, but is not applicable at churn's hot/warm target
    assert "DR-10-CAPACITY" not in " ".join(
        gates.breaches(report, gates.Gates(fail_on=Severity.INFO))
    )
    with pytest.raises(ValueError, match="between 0 and 100"):
        gates.Gates(fail_under=101)


def test_an_incomplete_scan_still_exits_3_whatever_the_gates(incomplete):
    assert gates.exit_code(incomplete, gates.Gates(100, Severity.INFO)) == EXIT_INCOMPLETE
    assert gates.exit_code(incomplete, gates.Gates()) == EXIT_INCOMPLETE


def test_gates_on_the_command_line(run, demo_doc, write_json, tmp_path):
    demo_doc["resources"] = [r for r in demo_doc["resources"] if "churn" in r["id"]]
    cfg = yaml.safe_load(demo.config_path().read_text())
    cfg["workloads"] = [w for w in cfg["workloads"] if w["name"] == "churn-prediction"]
    config_path = tmp_path / "auditor.yaml"
    config_path.write_text(yaml.safe_dump(cfg))
    base = ["scan", "--snapshot", str(write_json(demo_doc)), "--config", str(config_path)]
    base += ["--as-of", "2026-11-26"]
    assert run(*base).code == 0
    assert run(*base, "--fail-under", "88", "--fail-on", "critical").code == 0
    under = run(*base, "--fail-under", "89")
    assert under.code == 1
    assert "gate: churn-prediction: score 88 for its target" in under.out
    assert under.out.rstrip().endswith("exit code 1: the gate(s) above")
    assert run(*base, "--fail-on", "high").code == 1
    quiet = run(*base, "--fail-on", "high", "-q")
    assert quiet.out == "" and quiet.err.startswith("gate: churn-prediction")  # CI logs say why
    assert run(*base, "--fail-under", "101").code == 2
    assert run(*base, "--fail-on", "severe").code == 2
    help_text = run("scan", "--help").out
    assert "--fail-under SCORE" in help_text and "--fail-on" in help_text
