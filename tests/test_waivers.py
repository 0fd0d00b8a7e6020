"""Waivers as a user meets them: suppressed findings stay visible, expired and stale waivers
are reported, bad files are one clear line; and expired attestations ask for a person again."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from auditor import demo
from auditor.report_file import schema as report_schema

AS_OF = "2026-11-26"
RECSYS_ACR = (
    "/subscriptions/2b9e7c4d-1f3a-4e8b-a6c5-7d9e0f1a2b3c/resourceGroups/RG-RECSYS/providers/"
    "Microsoft.ContainerRegistry/registries/ACRRECSYS"
)


def _waivers(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text)
    return path


def _scan(run, tmp_path: Path, waivers: Path, *extra: str):
    out = tmp_path / "report.json"
    result = run(
        "scan",
        "--demo",
        "--as-of",
        AS_OF,
        "--waivers",
        str(waivers),
        "--json",
        str(out),
        "--no-color",
        *extra,
    )
    document = json.loads(out.read_text())
    jsonschema.Draft202012Validator(report_schema()).validate(document)
    return result, document


def _finding(document: dict, workload: str, rule: str) -> dict:
    return next(f for f in document["findings"] if (f["workload"], f["rule"]) == (workload, rule))


def _workload(document: dict, name: str) -> dict:
    return next(w for w in document["workloads"] if w["name"] == name)


WAIVE_RECSYS = """\
waivers:
  - rule: DR-04
    workload: recsys
    reason: secondary storage account is being created (CHG-1234)
    owner: ml-platform@contoso.example
    expires: 2027-03-31
  - rule: DR-06
    resources: ["{registry}"]
    reason: registry moves to Premium with a replica in northeurope in Q1
    owner: ml-platform@contoso.example
    expires: 2027-03-31
  - rule: dr-09
    resources: ["/SUBSCRIPTIONS/2B9E7C4D-1F3A-4E8B-A6C5-7D9E0F1A2B3C/resourceGroups/rg-recsys/providers/Microsoft.MachineLearningServices/workspaces/MLW-RECSYS-NORTHEUROPE/"]
    reason: quota request 5551 pending with Microsoft
    owner: capacity@contoso.example
    expires: {expires}
  - rule: DR-09-SHARED
    workload: recsys
    reason: quota request 5551 covers the pool in northeurope (recsys alone fails over into it)
    owner: capacity@contoso.example
    expires: 2027-03-31
"""


def test_waived_findings_are_suppressed_visible_and_stop_blocking(run, tmp_path):
    _, before = _scan(run, tmp_path, _waivers(tmp_path, "waivers: []\n"))
    recsys_before = _workload(before, "recsys")
    assert recsys_before["blocking_for_target"] == ["DR-04", "DR-06", "DR-09", "DR-09-SHARED"]
    assert before["waivers"] == []

    path = _waivers(tmp_path, WAIVE_RECSYS.format(registry=RECSYS_ACR, expires="2027-01-31"))
    result, after = _scan(run, tmp_path, path)
    dr04 = _finding(after, "recsys", "DR-04")
    assert dr04["status"] == "suppressed"
    assert dr04["blocks"] == []
    assert dr04["waiver"] == {
        "id": "W-1",
        "status": "active",
        "reason": "secondary storage account is being created (CHG-1234)",
        "owner": "ml-platform@contoso.example",
        "expires": "2027-03-31",
        "waived_status": "fail",
    }
    assert any("suppressed by waiver W-1" in note for note in dr04["notes"])
    # the resources scope matched case-insensitively, trailing slash and all
    dr09 = _finding(after, "recsys", "DR-09")
    assert dr09["status"] == "suppressed" and dr09["waiver"]["owner"] == "capacity@contoso.example"
    # the evidence and the message are kept: a waiver hides nothing
    assert dr04["message"] == _finding(before, "recsys", "DR-04")["message"]
    assert dr04["evidence"] == _finding(before, "recsys", "DR-04")["evidence"]

    recsys = _workload(after, "recsys")
    assert recsys["ready_for_target"] is True and recsys["blocking_for_target"] == []
    assert recsys["score_for_target"] > recsys_before["score_for_target"]
    assert after["summary"]["findings"]["suppressed"] == 4
    assert after["summary"]["ready_for_target"] == before["summary"]["ready_for_target"] + 1
    assert [w["status"] for w in after["waivers"]] == ["active", "active", "active", "active"]
    assert after["waivers"][0]["matched"] == [dr04["id"]]
    # other findings are untouched
    assert _finding(after, "recsys", "DR-05")["status"] == "pass"
    assert _finding(after, "mlw-sandbox-uksouth", "DR-04")["status"] == "fail"

    # the terminal summary lists what is suppressed, by whom and until when
    assert "Waivers" in result.out
    assert "SUPPRESSED" in result.out and "W-1 by ml-platform@contoso.example" in result.out
    assert "until 2027-03-31" in result.out
    assert "recsys: ready for its target" in result.out


def test_waivers_can_make_a_scan_pass(run, demo_doc, write_json, tmp_path):
    demo_doc["resources"] = [r for r in demo_doc["resources"] if "recsys" in r["id"]]
    path = _waivers(tmp_path, WAIVE_RECSYS.format(registry=RECSYS_ACR, expires="2027-01-31"))
    argv = ["scan", "--snapshot", str(write_json(demo_doc)), "--as-of", AS_OF, "-q"]
    assert run(*argv).code == 1
    assert run(*argv, "--waivers", str(path)).code == 0


def test_an_expired_waiver_stops_suppressing_and_says_so(run, tmp_path):
    path = _waivers(tmp_path, WAIVE_RECSYS.format(registry=RECSYS_ACR, expires="2026-11-25"))
    result, document = _scan(run, tmp_path, path)
    dr09 = _finding(document, "recsys", "DR-09")
    assert dr09["status"] == "fail"
    assert dr09["blocks"]
    assert dr09["waiver"]["status"] == "expired" and dr09["waiver"]["waived_status"] == "fail"
    assert any("waiver W-3" in n and "expired on 2026-11-25" in n for n in dr09["notes"])
    entry = document["waivers"][2]
    assert entry["status"] == "expired" and entry["matched"] == [dr09["id"]]
    assert _workload(document, "recsys")["blocking_for_target"] == ["DR-09"]
    assert "EXPIRED waiver W-3 (capacity@contoso.example): expired on 2026-11-25" in result.out
    # valid through its expiry date, like an attestation
    path = _waivers(tmp_path, WAIVE_RECSYS.format(registry=RECSYS_ACR, expires=AS_OF))
    _, document = _scan(run, tmp_path, path)
    assert _finding(document, "recsys", "DR-09")["status"] == "suppressed"


def test_a_waiver_that_matches_nothing_is_reported_stale(run, tmp_path):
    path = _waivers(
        tmp_path,
        """\
waivers:
  - {rule: DR-05, workload: fraud-scoring, reason: r, owner: a@contoso.example, expires: 2027-01-01}
  - {rule: DR-06, workload: no-such-workload, reason: r, owner: b@contoso.example, expires: 2027-01-01}
""",
    )
    result, document = _scan(run, tmp_path, path)
    first, second = document["waivers"]
    assert first["status"] == "stale" and first["matched"] == []
    assert "fraud-scoring is pass now; remove the waiver" in first["message"]
    assert second["status"] == "stale"
    assert "matches no finding of DR-06 on workload no-such-workload" in second["message"]
    assert "STALE waiver W-1 (a@contoso.example)" in result.out
    assert "STALE waiver W-2 (b@contoso.example)" in result.out
    assert document["summary"]["findings"]["suppressed"] == 0


def test_waivers_show_in_the_html_report(run, tmp_path):
    path = _waivers(tmp_path, WAIVE_RECSYS.format(registry=RECSYS_ACR, expires="2026-01-01"))
    html = tmp_path / "report.html"
    run("scan", "--demo", "--as-of", AS_OF, "--waivers", str(path), "-q", "--html", str(html))
    page = html.read_text()
    assert "W-1 active" in page and "W-3 expired" in page
    assert "secondary storage account is being created (CHG-1234)" in page


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("waivers: [1, 2", "not valid YAML (line 2, column 1): did not find expected"),
        ("- rule: DR-04\n", "expected a mapping with 'waivers:'"),
        (
            "waivers:\n  - {rule: DR-04, workload: recsys, reason: r, expires: 2027-01-01}\n",
            "field 'waivers.0.owner': is required",
        ),
        (
            "waivers:\n  - {rule: DR-04, workload: recsys, owner: o, reason: r, expires: soon}\n",
            "field 'waivers.0.expires': Input should be a valid date",
        ),
        (
            "waivers:\n  - {rule: DR-04, reason: r, owner: o, expires: 2027-01-01}\n",
            "field 'waivers.0': give the scope as either 'workload: NAME' or 'resources: [ids]'",
        ),
        (
            "waivers:\n  - {rule: DR-04, workload: w, resources: [x], reason: r, owner: o, expires: 2027-01-01}\n",
            "field 'waivers.0': give the scope",
        ),
        (
            "waivers:\n  - {rule: DR-04, workload: w, reason: '', owner: o, expires: 2027-01-01}\n",
            "field 'waivers.0.reason'",
        ),
        (
            "waivers:\n  - {rule: DR-04, workload: w, reason: r, owner: o, expires: 2027-01-01, until: x}\n",
            "field 'waivers.0.until': is not a waiver field",
        ),
        (
            "waivers:\n  - {rule: DR-99, workload: w, reason: r, owner: o, expires: 2027-01-01}\n",
            "field 'waivers.0.rule': no rule 'DR-99'",
        ),
        (
            "waivers:\n  - {rule: DR-04, resources: /x, reason: r, owner: o, expires: 2027-01-01}\n",
            "field 'waivers.0.resources': expected a list of resource ids",
        ),
        ("waivers: 3\n", "field 'waivers': Input should be a valid list"),
        (
            "waivers:\n  - {rule: DR-04, workload: w, reason: ' ', owner: o, expires: 2027-01-01}\n",
            "field 'waivers.0.reason': must say something",
        ),
        (
            "waivers:\n  - {rule: DR-04, workload: w, reason: r, owner: o, expires: 1798761600}\n",
            "field 'waivers.0.expires': expected a date YYYY-MM-DD, found 1798761600",
        ),
    ],
)
def test_bad_waivers_file_is_one_clear_line_and_exit_2(run, tmp_path, text, expected):
    path = _waivers(tmp_path, text)
    result = run("scan", "--demo", "--waivers", str(path))
    assert result.code == 2, result.out
    assert expected in result.err and str(path) in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_missing_waivers_file(run, tmp_path):
    result = run("scan", "--demo", "--waivers", str(tmp_path / "nope.yaml"))
    assert result.code == 2 and "no such waivers file" in result.err


def test_an_expired_attestation_is_manual_again_with_a_message(run, tmp_path):
    """churn-prediction's DR-16 attestation in the demo config expired on 2026-11-01."""
    out = tmp_path / "report.json"
    result = run("scan", "--demo", "--as-of", "2026-10-31", "--json", str(out), "--no-color")
    dr16 = _finding(json.loads(out.read_text()), "churn-prediction", "DR-16")
    assert dr16["status"] == "pass" and "valid until 2026-11-01" in dr16["message"]

    result = run("scan", "--demo", "--as-of", "2026-11-02", "--json", str(out), "--no-color")
    dr16 = _finding(json.loads(out.read_text()), "churn-prediction", "DR-16")
    assert dr16["status"] == "manual"
    assert dr16["message"].startswith(
        "the attestation by ml-platform@contoso.example expired on 2026-11-01; attest again:"
    )
    assert "needs attestation: DR-16 (expired)" in result.out


def test_a_waived_error_still_leaves_the_scan_incomplete(run, demo_doc, write_json, tmp_path):
    """A waiver written for a known failure must not absorb a later data outage: the error
    finding is suppressed (it stops blocking), but the scan cannot see everything, so it
    stays incomplete and exits 3."""
    demo_doc["resources"] = [
        r for r in demo_doc["resources"] if not r["id"].lower().endswith("/appi-fraud-westus")
    ]
    path = _waivers(
        tmp_path,
        "waivers:\n  - rule: DR-07\n    workload: fraud-scoring\n    reason: moving regions\n"
        "    owner: ops@contoso.example\n    expires: 2027-03-31\n",
    )
    out = tmp_path / "r.json"
    snapshot, config = str(write_json(demo_doc)), str(demo.config_path())
    argv = ["--as-of", AS_OF, "-q", "--waivers", str(path), "--json", str(out)]
    result = run("scan", "--snapshot", snapshot, "--config", config, *argv)
    document = json.loads(out.read_text())
    finding = _finding(document, "fraud-scoring", "DR-07")
    assert finding["status"] == "suppressed" and finding["waiver"]["waived_status"] == "error"
    assert document["scan"]["complete"] is False and document["scan"]["error_findings"] >= 1
    assert result.code == 3


def test_a_waivers_file_with_every_waiver_commented_out_waives_nothing(run, tmp_path):
    path = _waivers(tmp_path, "# waivers:\n#   - rule: DR-04\n")
    result, document = _scan(run, tmp_path, path)
    assert result.code == 1 and document["waivers"] == []


def test_a_waiver_names_its_workload_whatever_the_case(run, tmp_path):
    """Workload names from tags are compared case-insensitively: so are waivers' workloads."""
    text = WAIVE_RECSYS.format(registry=RECSYS_ACR, expires="2027-01-31").replace(
        "workload: recsys", "workload: RecSys"
    )
    _, document = _scan(run, tmp_path, _waivers(tmp_path, text))
    assert _finding(document, "recsys", "DR-04")["status"] == "suppressed"


def test_every_failing_finding_names_resources_a_waiver_can_match(run, tmp_path):
    """A resource-scoped waiver matches a finding's resources: every fail or error names the
    resources it looked at, the compute clusters DR-08 compared among them."""
    cluster = (
        "/subscriptions/8f3c2a1e-5b7d-4c9a-9e2f-1a6b3c4d5e6f/resourceGroups/rg-churn/providers/"
        "Microsoft.MachineLearningServices/workspaces/mlw-churn-centralus/computes/cpu-train"
    )
    text = (
        f"waivers:\n  - rule: DR-08\n    resources: [{cluster}]\n    reason: scaling up in Q1\n"
        "    owner: ml-platform@contoso.example\n    expires: 2027-03-31\n"
    )
    _, document = _scan(run, tmp_path, _waivers(tmp_path, text))
    failing = [f for f in document["findings"] if f["status"] in ("fail", "error")]
    assert failing and all(f["resources"] for f in failing)
    assert _finding(document, "churn-prediction", "DR-08")["status"] == "suppressed"
    assert document["waivers"][0]["status"] == "active"


def test_overlapping_waivers_each_say_what_they_did(run, tmp_path):
    """W-1 expired, W-2 suppresses recsys's DR-06 finding, W-3 says the same again: W-1 does
    not claim the finding counts again, W-3 does not claim to suppress it."""
    entry = "  - rule: DR-06\n    {scope}\n    reason: r\n    owner: o@contoso.example\n    expires: {expires}\n"
    text = "waivers:\n" + "".join(
        entry.format(scope=scope, expires=expires)
        for scope, expires in (
            ("workload: recsys", "2026-11-01"),
            (f'resources: ["{RECSYS_ACR}"]', "2027-03-31"),
            ("workload: recsys", "2027-03-31"),
        )
    )
    _, document = _scan(run, tmp_path, _waivers(tmp_path, text))
    assert _finding(document, "recsys", "DR-06")["waiver"]["id"] == "W-2"
    expired, active, duplicate = document["waivers"]
    assert expired["status"] == "expired" and "suppressed by W-2" in expired["message"]
    assert active["status"] == "active" and active["message"].startswith("suppresses 1 finding")
    assert duplicate["status"] == "stale" and "W-2 already suppresses" in duplicate["message"]


def test_the_markdown_summary_lists_the_waivers(run, tmp_path):
    """A reviewer reading the pull-request comment sees what was waived, not only the score."""
    md = tmp_path / "summary.md"
    waivers = _waivers(tmp_path, WAIVE_RECSYS.format(registry=RECSYS_ACR, expires="2027-01-31"))
    _scan(run, tmp_path, waivers, "--markdown", str(md))
    text = md.read_text()
    assert "### Waivers (4 finding(s) suppressed)" in text
    assert (
        "| W-1 | active | DR-04 | workload recsys | ml-platform@contoso.example | 2027-03-31 |"
        in text
    )
