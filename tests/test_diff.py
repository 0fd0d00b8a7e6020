"""auditor diff: what moved between two JSON reports, and exit 1 when readiness regressed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor import demo, diff

AS_OF = "2026-11-26"


def _report(run, write_json, doc: dict[str, Any], out: Path, *extra: str) -> Path:
    snapshot = write_json(doc, out.stem + "-snapshot.json")
    result = run(
        "scan",
        "--snapshot",
        str(snapshot),
        "--config",
        str(demo.config_path()),
        "--as-of",
        AS_OF,
        "-q",
        "--json",
        str(out),
        *extra,
    )
    assert result.code in (0, 1), result.err
    return out


@pytest.fixture
def reports(run, demo_doc, write_json, tmp_path) -> tuple[Path, Path]:
    """OLD: the demo. NEW: fraud's registry lost its replica, the sandbox workspace is gone."""
    old = _report(run, write_json, demo_doc, tmp_path / "old.json")
    demo_doc["resources"] = [
        r
        for r in demo_doc["resources"]
        if not r["type"].endswith("/replications") or "acrfraud" not in r["id"]
    ]
    demo_doc["resources"] = [r for r in demo_doc["resources"] if "sandbox" not in r["id"]]
    new = _report(run, write_json, demo_doc, tmp_path / "new.json")
    return old, new


def _by(changes: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["workload"], c["rule"]): c for c in changes}


def test_a_regression_is_named_and_exits_1(run, reports, tmp_path):
    old, new = reports
    out = tmp_path / "diff.json"
    result = run("diff", str(old), str(new), "--json", str(out), "--no-color")
    assert result.code == 1, result.err
    document = json.loads(out.read_text())
    assert document["format"] == "auditor.diff" and document["readiness_regressed"] is True
    assert document["exit_code"] == 1

    regressed = _by(document["findings"]["regressed"])
    dr06 = regressed[("fraud-scoring", "DR-06")]
    assert (dr06["old_status"], dr06["new_status"]) == ("pass", "fail")
    assert dr06["severity"] == "critical"
    # the same finding id in both reports: ids are stable across runs
    old_ids = {f["id"] for f in json.loads(old.read_text())["findings"]}
    assert dr06["id"] in old_ids

    readiness = {(c["workload"], c["tier"]): c for c in document["readiness"]}
    for tier in ("hot/hot", "hot/warm", "hot/cold", "target"):
        change = readiness[("fraud-scoring", tier)]
        assert (change["old_ready"], change["new_ready"], change["change"]) == (
            True,
            False,
            "regressed",
        )
    assert readiness[("fraud-scoring", "target")]["new_target"] == "hot/hot"
    scores = {(s["workload"], s["tier"]): s for s in document["scores"]}
    moved = scores[("fraud-scoring", "hot/hot")]
    assert moved["old"] == 100 and moved["new"] < 100 and moved["delta"] == moved["new"] - 100

    assert document["workloads"] == {"added": [], "removed": ["mlw-sandbox-uksouth"]}
    fixed = _by(document["findings"]["fixed"])
    gone = fixed[("mlw-sandbox-uksouth", "DR-01")]
    assert (gone["old_status"], gone["new_status"]) == ("fail", None)
    assert document["findings"]["new"] == []

    # the summary a person reads
    assert "REGRESSED  fraud-scoring hot/hot: ready -> NOT ready" in result.out
    assert "fraud-scoring hot/hot: 100 ->" in result.out
    assert "Workloads removed: mlw-sandbox-uksouth" in result.out
    assert "REGRESSED  DR-06" in result.out and "pass -> fail" in result.out
    assert "readiness regressed for fraud-scoring; exit code 1" in result.out


def test_the_other_way_round_is_a_fix_and_exits_0(run, reports):
    old, new = reports
    result = run("diff", str(new), str(old), "--json", "-")
    assert result.code == 0
    document = json.loads(result.out)
    assert document["readiness_regressed"] is False
    fixed = _by(document["findings"]["fixed"])
    assert (fixed[("fraud-scoring", "DR-06")]["new_status"]) == "pass"
    assert document["workloads"]["added"] == ["mlw-sandbox-uksouth"]
    # a new workload's failures are new findings; its passes are not news
    new = _by(document["findings"]["new"])
    assert new[("mlw-sandbox-uksouth", "DR-01")]["old_status"] is None
    assert all(c["new_status"] in ("fail", "error") for c in document["findings"]["new"])
    assert {c["change"] for c in document["readiness"]} == {"improved"}
    # with --json -, the summary goes to stderr
    assert "no readiness regressed; exit code 0" in result.err


def test_identical_reports_move_nothing(run, reports):
    old, _ = reports
    result = run("diff", str(old), str(old))
    assert result.code == 0
    assert "nothing moved" in result.out


def test_waived_findings_are_changed_not_fixed(run, demo_doc, write_json, tmp_path):
    old = _report(run, write_json, demo_doc, tmp_path / "old.json")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - {rule: DR-06, workload: recsys, reason: r, owner: o, expires: 2027-01-01}\n"
    )
    new = _report(run, write_json, demo_doc, tmp_path / "new.json", "--waivers", str(waivers))
    document = diff.document(diff.compare(diff.load_report(old), diff.load_report(new)))
    changed = _by(document["findings"]["changed"])
    assert (
        changed[("recsys", "DR-06")]["old_status"],
        changed[("recsys", "DR-06")]["new_status"],
    ) == (
        "fail",
        "suppressed",
    )
    assert document["findings"]["fixed"] == []


def test_compare_is_a_pure_function_of_two_reports(reports):
    old, new = (diff.load_report(p) for p in reports)
    first = diff.document(diff.compare(old, new))
    assert diff.document(diff.compare(old, new)) == first
    assert first["summary"]["regressed"] > 0 and first["readiness_regressed"] is True


def test_a_report_is_read_once_and_diffed_in_the_models_vocabulary(reports, monkeypatch):
    """The report file is validated once (not once by diff and again to build a Report it
    throws away), and the Report model is what is compared."""
    from auditor import report_file

    calls = []
    real = report_file.from_valid_document
    monkeypatch.setattr(
        report_file,
        "from_valid_document",
        lambda d, s, **kw: calls.append(s) or real(d, s, **kw),
    )
    monkeypatch.setattr(
        report_file,
        "report_from_document",
        lambda *a: pytest.fail("the schema was checked a second time"),
    )
    old = diff.load_report(reports[0])
    assert calls == [str(reports[0])] and old.workloads
    # a diff compares verdicts: the evidence is left out of the model it reads
    assert old.findings and all(f.evidence == () for f in old.findings)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such report file"),
        ("{not json", "not valid JSON (line 1"),
        ('{"schema_version": "1.0"}', "not an auditor JSON report: field '(top level)': 'tool'"),
        ("[1, 2]", "not an auditor JSON report"),
    ],
)
def test_a_bad_report_file_is_one_clear_line_and_exit_2(run, reports, tmp_path, content, expected):
    old, _ = reports
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    for argv in (("diff", str(old), str(bad)), ("diff", str(bad), str(old))):
        result = run(*argv)
        assert result.code == 2
        assert expected in result.err and str(bad) in result.err
        assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_a_report_with_a_wrong_field_names_the_field(run, reports, tmp_path):
    old, _ = reports
    document = json.loads(old.read_text())
    document["findings"][3]["status"] = "maybe"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    result = run("diff", str(old), str(bad))
    assert result.code == 2
    assert "field 'findings.3.status'" in result.err and "'maybe'" in result.err


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["findings"][3].update(workload="nobody"), "field 'findings/3/workload'"),
        (lambda d: d["findings"][3].update(id=d["findings"][2]["id"]), "is used twice"),
    ],
    ids=["unknown-workload", "duplicate-id"],
)
def test_a_schema_valid_but_inconsistent_report_is_refused_as_auditor_report_refuses_it(
    run, reports, tmp_path, change, expected
):
    """A diff matches findings by id and workload: a finding of no workload, or an id used
    twice, would be matched wrongly. Both commands refuse the file alike."""
    old, _ = reports
    document = json.loads(old.read_text())
    change(document)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    for argv in (("diff", str(old), str(bad)), ("report", str(bad))):
        result = run(*argv)
        assert result.code == 2 and expected in result.err, argv
