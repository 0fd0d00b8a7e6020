"""The JSON report's schema version 2 (each rule's texts once) and reading version 1 files."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from auditor import report_file
from auditor.errors import ReportFileError
from auditor.render import FORMATS, json_report
from auditor.report import Report

ROOT = Path(__file__).resolve().parent.parent
# A report written by the code before schema version 2 (`auditor scan --demo --as-of
# 2026-11-26 --workload fraud-scoring --workload 'churn*' --json`): what a scheduled run kept.
V1_FIXTURE = ROOT / "tests" / "fixtures" / "reports" / "demo-v1.json"


@pytest.fixture(scope="module")
def v1_report() -> Report:
    return report_file.load(V1_FIXTURE)


def _outputs(folder: Path) -> list[str]:
    folder.mkdir()
    args = ["--no-color", "-q"]
    for fmt in FORMATS:
        args += [fmt.option, str(folder / f"report{fmt.suffix}")]
    return args


def test_the_report_says_each_rule_text_once(run, tmp_path):
    out = tmp_path / "r.json"
    run("scan", "--demo", "--as-of", "2026-11-26", "-q", "--json", str(out))
    text = out.read_text()
    doc = json.loads(text)
    assert doc["schema_version"] == "2.0"
    jsonschema.Draft202012Validator(report_file.schema(2)).validate(doc)
    rules = doc["rules"]
    assert set(rules) == {f["rule"] for f in doc["findings"]}
    for rule in rules.values():
        # a rationale or a Bicep template is written once per rule that says it, however many
        # findings the rule has (a few attestation rules share one rationale)
        sharing = [r for r in rules.values() if r["rationale"] == rule["rationale"]]
        assert text.count(json.dumps(rule["rationale"], ensure_ascii=False)) == len(sharing)
        if "bicep" in rule["remediation"]:
            assert text.count(json.dumps(rule["remediation"]["bicep"], ensure_ascii=False)) == 1
    for finding in doc["findings"]:
        assert list(finding) == [
            "id", "rule", "requirements", "workload", "status", "severity", "target_level",
            "blocks", "resources", "evidence", "message", "notes", "remediation", "waiver",
        ]  # fmt: skip
        assert finding["remediation"] == {
            "summary": rules[finding["rule"]]["remediation"]["summary"]
        }


def test_auditor_report_writes_what_the_scan_wrote_on_a_generated_estate(run, tmp_path):
    """Every format rendered again from a v2 file is the scan's bytes, on an estate with
    configured, tagged and discovered workloads, errors and unreadable reads."""
    estate = tmp_path / "estate.json"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "40", str(estate)],
        check=True,
        capture_output=True,
    )
    config = tmp_path / "estate.config.yaml"
    scanned, again = tmp_path / "scan", tmp_path / "again"
    first = run("scan", "--snapshot", str(estate), "--config", str(config), *_outputs(scanned))
    assert first.code == 3, first.err  # the generated estate has unreadable reads
    second = run("report", str(scanned / "report.json"), *_outputs(again))
    assert second.code == 0, second.err
    for fmt in FORMATS:
        name = f"report{fmt.suffix}"
        assert (again / name).read_bytes() == (scanned / name).read_bytes(), fmt.name


def test_a_v1_report_renders_every_format_as_its_v2_rendering_does(run, tmp_path, v1_report):
    from_v1, from_v2 = tmp_path / "from-v1", tmp_path / "from-v2"
    assert run("report", str(V1_FIXTURE), *_outputs(from_v1)).code == 0
    v2 = from_v1 / "report.json"
    assert json.loads(v2.read_text())["schema_version"] == "2.0"
    assert run("report", str(v2), *_outputs(from_v2)).code == 0
    for fmt in FORMATS:
        name = f"report{fmt.suffix}"
        assert (from_v2 / name).read_bytes() == (from_v1 / name).read_bytes(), fmt.name
    # nothing of the v1 file is lost on the way: written as v1 again, it is the same document
    assert json_report.document_v1(report_file.load(v2)) == json.loads(V1_FIXTURE.read_text())
    assert json_report.document_v1(v1_report) == json.loads(V1_FIXTURE.read_text())


def test_a_v1_baseline_diffs_against_a_v2_run(run, tmp_path):
    v2 = tmp_path / "v2.json"
    assert run("report", str(V1_FIXTURE), "-q", "--json", str(v2)).code == 0
    same = run("diff", str(V1_FIXTURE), str(v2), "--json", "-")
    assert same.code == 0, same.err
    moved = json.loads(same.out)
    assert moved["summary"] == {
        "workloads_added": 0, "workloads_removed": 0, "new": 0, "fixed": 0, "regressed": 0,
        "changed": 0, "readiness_lost": 0, "readiness_gained": 0,
    }  # fmt: skip
    # a fresh v2 scan of the whole demo against the two-workload v1 baseline
    fresh = tmp_path / "fresh.json"
    run("scan", "--demo", "--as-of", "2026-11-26", "-q", "--json", str(fresh))
    both = run("diff", str(V1_FIXTURE), str(fresh), "--json", "-")
    assert both.code in (0, 1), both.err
    added = set(json.loads(both.out)["workloads"]["added"])
    fresh_names = {w["name"] for w in json.loads(fresh.read_text())["workloads"]}
    assert added == fresh_names - {"fraud-scoring", "churn-prediction"}
    # and the other way round: the v2 file as the baseline
    back = run("diff", str(v2), str(V1_FIXTURE), "--json", "-")
    assert back.code == 0 and json.loads(back.out)["findings"]["new"] == []


def test_findings_of_one_rule_that_disagree_keep_their_own_texts(v1_report):
    """A v1 file whose findings of one rule say different things (edited, or written by
    another version) loses nothing in v2: the finding says where it differs from its rule."""
    first = v1_report.findings[0]
    other = next(f for f in v1_report.findings[1:] if f.rule == first.rule)
    odd = dataclasses.replace(
        other,
        title="Another title",
        rationale="Another rationale",
        remediation={**other.remediation, "bicep": "// another template"},
    )
    findings = tuple(odd if f is other else f for f in v1_report.findings)
    report = dataclasses.replace(v1_report, findings=findings)
    doc = json_report.document(report)
    written = next(f for f in doc["findings"] if f["id"] == odd.id)
    assert written["title"] == "Another title" and written["rationale"] == "Another rationale"
    assert written["remediation"] == {
        "summary": odd.remediation["summary"],
        "bicep": "// another template",
    }
    assert "title" not in next(f for f in doc["findings"] if f["id"] == first.id)
    rebuilt = report_file.report_from_document(copy.deepcopy(doc))
    assert json_report.document_v1(rebuilt) == json_report.document_v1(report)


def test_a_finding_of_a_rule_the_report_does_not_hold_is_one_clear_error(tmp_path, run):
    doc = json.loads(json_report.render(report_file.load(V1_FIXTURE)))
    doc["findings"][2]["rule"] = "DR-99"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    expected = "field 'findings/2/rule': no rule 'DR-99' in 'rules'"
    with pytest.raises(ReportFileError, match=re.escape(expected)):
        report_file.load(path)
    result = run("report", str(path), "-q")
    assert result.code == 2 and expected in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["rules"].clear(), "no rule"),
        (lambda d: d.pop("rules"), "'rules' is a required property"),
        (lambda d: d["findings"][0].pop("remediation"), "'remediation' is a required property"),
        (lambda d: d["findings"][0].update(status="passed"), "'passed' is not one of"),
    ],
    ids=["no-rules", "rules-missing", "remediation-missing", "bad-status"],
)
def test_a_bad_v2_report_is_refused_by_report_and_diff(run, tmp_path, edit, expected):
    doc = json.loads(json_report.render(report_file.load(V1_FIXTURE)))
    edit(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    for argv in (["report", str(path), "-q"], ["diff", str(V1_FIXTURE), str(path), "-q"]):
        result = run(*argv)
        assert result.code == 2, argv
        assert expected in result.err and "Traceback" not in result.err
        assert len(result.err.strip().splitlines()) == 1


def test_a_topology_says_each_resource_id_once(tmp_path):
    report = report_file.load(V1_FIXTURE)
    doc = json_report.document(report)
    for workload, result in zip(doc["workloads"], report.workloads, strict=True):
        topology = workload["topology"]
        nodes = topology["nodes"]
        assert result.topology is not None
        for edge, original in zip(topology["edges"], result.topology.edges, strict=True):
            assert "id" not in edge
            assert (nodes[edge["from"]]["id"], nodes[edge["to"]]["id"]) == (
                original.source,
                original.target,
            )
        for mark, original in zip(topology["marks"], result.topology.marks, strict=True):
            pool = nodes if mark["type"] == "node" else result.topology.as_dict()["edges"]
            assert pool[mark["id"]]["id"] == original.id
    wl = next(i for i, w in enumerate(doc["workloads"]) if w["topology"]["edges"])
    doc["workloads"][wl]["topology"]["edges"][0]["to"] = 999
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ReportFileError, match=f"field 'workloads/{wl}/topology/edges/0/to'"):
        report_file.load(path)


def test_the_compiled_validator_and_jsonschema_agree_on_the_fixtures():
    v1 = json.loads(V1_FIXTURE.read_text())
    v2 = json.loads(json_report.render(report_file.load(V1_FIXTURE)))
    for doc, version in ((v1, 1), (v2, 2)):
        assert report_file.version_of(doc) == version
        assert list(report_file.schema_errors(doc)) == []
        jsonschema.Draft202012Validator(report_file.schema(version)).validate(doc)
    # a v1 document is not a v2 one, nor the other way round
    assert list(report_file.schema_errors({**v2, "schema_version": "1.0"}))
    assert list(report_file.schema_errors({**v1, "schema_version": "2.0"}))


def test_auditor_schema_prints_v2_and_keeps_v1(run):
    current = json.loads(run("schema", "report").out)
    assert current["$id"].endswith("report-v2.schema.json") and "rules" in current["required"]
    old = json.loads(run("schema", "report-v1").out)
    assert old["$id"].endswith("report-v1.schema.json")
