"""JUnit XML for CI: a test suite per workload, a test case per workload and rule."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from auditor.model import TIERS, AssetClass, Finding, Status
from auditor.report import Report, WorkloadResult

SKIPPED = (Status.MANUAL, Status.NOT_APPLICABLE, Status.SUPPRESSED)

# Characters XML 1.0 cannot carry at all, even escaped; ElementTree would write them as is and
# the file would not parse. An Azure error message is the likeliest place to find one.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _details(finding: Finding) -> str:
    """The body of a failure or error: what was seen, and how to fix it."""
    lines = [
        finding.message,
        f"severity {finding.severity.value}; level at the target: {finding.target_level.value}; "
        f"blocks: {', '.join(t.value for t in TIERS if finding.blocks(t)) or 'nothing'}",
    ]
    if finding.evidence:
        lines.append("evidence:")
        for item in finding.evidence:
            seen = json.dumps(item.observed, ensure_ascii=False, default=str)
            wanted = item.expected
            expected = (
                ""
                if wanted is None
                else f" (expected {json.dumps(wanted, ensure_ascii=False, default=str)})"
            )
            lines.append(f"  {item.resource} {item.path} = {seen}{expected}")
    lines.extend(f"note: {note}" for note in finding.notes)
    lines.append(f"fix: {finding.remediation.get('summary', '')}")
    if finding.docs:
        lines.append(f"docs: {finding.docs}")
    return _clean("\n".join(lines))


def _case(suite: ET.Element, finding: Finding) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=_clean(finding.workload),
        name=_clean(f"{finding.rule} {finding.title}"),
        time="0",
    )
    if finding.status is Status.FAIL:
        failure = ET.SubElement(
            case,
            "failure",
            message=_clean(finding.message),
            type=f"severity {finding.severity.value}",
        )
        failure.text = _details(finding)
    elif finding.status is Status.ERROR:
        error = ET.SubElement(
            case, "error", message=_clean(finding.message), type="incomplete data"
        )
        error.text = _details(finding)
    elif finding.status in SKIPPED:
        ET.SubElement(case, "skipped", message=_clean(f"{finding.status.value}: {finding.message}"))


def _suite(report: Report, result: WorkloadResult) -> ET.Element:
    findings = result.findings
    suite = ET.Element(
        "testsuite",
        name=_clean(result.name),
        tests=str(len(findings)),
        failures=str(sum(1 for f in findings if f.status is Status.FAIL)),
        errors=str(sum(1 for f in findings if f.status is Status.ERROR)),
        skipped=str(sum(1 for f in findings if f.status in SKIPPED)),
        time="0",
        timestamp=report.generated_at.removesuffix("Z"),
    )
    workload = result.workload
    properties = ET.SubElement(suite, "properties")
    values = [
        ("primary", workload.primary),
        ("secondary", workload.secondary or ""),
        ("primary_region", result.primary_region or ""),
        ("secondary_region", result.secondary_region or ""),
        ("target", workload.target_summary),
        *((f"target.{cls.value}", workload.targets[cls].value) for cls in AssetClass),
        ("ready_for_target", str(result.target.ready).lower()),
        ("score_for_target", str(result.target.score)),
    ]
    for tier in TIERS:
        values.append((f"ready.{tier.value}", str(result.tiers[tier].ready).lower()))
        values.append((f"score.{tier.value}", str(result.tiers[tier].score)))
    for name, value in values:
        ET.SubElement(properties, "property", name=name, value=_clean(value))
    for finding in findings:
        _case(suite, finding)
    return suite


def render(report: Report) -> bytes:
    findings = report.findings
    root = ET.Element(
        "testsuites",
        name="auditor: Azure ML disaster-recovery readiness",
        tests=str(len(findings)),
        failures=str(report.count(Status.FAIL)),
        errors=str(report.count(Status.ERROR)),
        skipped=str(sum(1 for f in findings if f.status in SKIPPED)),
        time="0",
    )
    for result in report.workloads:
        root.append(_suite(report, result))
    ET.indent(root)
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written + b"\n"
