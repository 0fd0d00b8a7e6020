"""The Log Analytics deployment assets agree with the rows auditor sends: the tables and stream
declarations (deploy/log-analytics), the KQL queries (queries/*.kql) and the workbook."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from auditor.log_analytics.__main__ import tables_document
from auditor.log_analytics.rows import TABLES
from tests.emulator.ingestion import declared_streams

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy" / "log-analytics"
BICEP = (DEPLOY / "main.bicep").read_text()
WORKBOOK = json.loads((DEPLOY / "workbook.json").read_text())
QUERIES = {p.name: p.read_text() for p in sorted((REPO / "queries").glob("*.kql"))}
TABLE_COLUMNS = {
    name: {"TimeGenerated", *(c["name"] for c in table["columns"])}
    for name, table in tables_document().items()
}

# What a query may name besides columns: KQL's operators, functions and keywords used here.
KQL_WORDS = {
    *("let", "where", "summarize", "by", "project", "extend", "join", "kind", "inner"),
    *("leftouter", "on", "order", "asc", "desc", "distinct", "and", "or", "not", "in"),
    *("ago", "now", "startofday", "arg_max", "count", "countif", "case", "isnotempty"),
    *("datetime_diff", "coalesce", "row_number", "prev", "true", "false", "day"),
}


def kql_names(query: str) -> tuple[set[str], set[str]]:
    """The names a query uses, and those it defines itself (let, `name =`)."""
    text = re.sub(r"//[^\n]*", " ", query)
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', " ", text)  # string literals
    text = re.sub(r"\{[A-Za-z]+\}", " ", text)  # workbook parameters: {TimeRange}
    text = re.sub(r"\b\d+[a-z]*\b", " ", text)  # numbers and timespans: 90d
    used = set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", text))
    defined = set(re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*=(?![=~])", text))
    defined |= set(re.findall(r"\blet\s+([A-Za-z_][A-Za-z0-9_]*)", text))
    return used, defined


def unknown_names(query: str) -> set[str]:
    used, defined = kql_names(query)
    tables = {name for name in TABLE_COLUMNS if name in used}
    assert tables, "the query reads none of auditor's tables"
    columns = set().union(*(TABLE_COLUMNS[t] for t in tables))
    return used - columns - defined - KQL_WORDS - tables


def test_the_committed_tables_are_the_rows_columns():
    """deploy/log-analytics/tables.json is what `python -m auditor.log_analytics` writes."""
    committed = json.loads((DEPLOY / "tables.json").read_text())
    assert committed == tables_document()
    assert set(committed) == {"AuditorFinding_CL", "AuditorWorkload_CL", "AuditorRun_CL"}


def test_the_bicep_declares_a_stream_and_a_flow_per_table_from_the_same_columns():
    assert "loadJsonContent('tables.json')" in BICEP
    for table in TABLES.values():
        stream = table.stream
        # the stream declaration takes the table's columns (names and types) from tables.json
        assert re.search(
            rf"'{stream}': \{{\s*columns: streamColumns\(tables\.{table.name}\.columns\)", BICEP
        ), stream
        # one data flow from that stream, through the transformation, to the table
        flow = re.search(
            rf"streams: \[\s*'{stream}'\s*\][^}}]*?transformKql: transformKql\s*"
            rf"outputStream: '{stream}'",
            BICEP,
        )
        assert flow, stream
        assert f"'{table.name}'" in BICEP
    assert "var transformKql = 'source | extend TimeGenerated = now()'" in BICEP
    assert "TimeGenerated" not in {c.name for t in TABLES.values() for c in t.columns}


def test_the_bicep_grants_monitoring_metrics_publisher_on_the_rule_and_outputs_what_the_cli_takes():
    assert "'3913510d-42f4-4e42-8a64-420c390055eb'" in BICEP  # Monitoring Metrics Publisher
    assert re.search(
        r"resource publisher 'Microsoft.Authorization/roleAssignments@[^']+' = "
        r"if \(!empty\(principalId\)\) \{\s*name: [^\n]+\s*scope: rule",
        BICEP,
    )
    assert (
        "output logsIngestionEndpoint string = endpoint.properties.logsIngestion.endpoint" in BICEP
    )
    assert "output dataCollectionRuleId string = rule.properties.immutableId" in BICEP
    assert "loadTextContent('workbook.json')" in BICEP


def test_stream_types_are_those_a_data_collection_rule_accepts():
    allowed = {"string", "int", "long", "real", "boolean", "datetime", "dynamic"}
    for stream, columns in declared_streams().items():
        assert set(columns.values()) <= allowed, stream
        # names Log Analytics would refuse or reserve
        assert not {n for n in columns if n.startswith("_") or n in {"TenantId", "Type", "id"}}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_query_names_only_columns_of_the_tables_it_reads(name):
    assert not unknown_names(QUERIES[name]), name


def test_a_query_deduplicates_each_table_it_reads_on_event_id():
    for name, text in QUERIES.items():
        reads = len(re.findall(r"^(?:\s*let \w+ = )?Auditor\w+_CL\s*$", text, re.M))
        assert reads, name
        assert (
            text.count("summarize arg_max(TimeGenerated, *) by event_id")
            + text.count("distinct scan_id, event_id")
            == reads
        ), name


def test_the_column_check_catches_a_misspelt_column():
    assert unknown_names("AuditorFinding_CL | where stauts == 'fail'") == {"stauts"}
    # a column of another table is not a column of this one
    assert unknown_names("AuditorRun_CL | project tier") == {"tier"}


def test_the_workbook_is_a_gallery_template_whose_queries_name_known_columns():
    assert WORKBOOK["version"] == "Notebook/1.0"
    assert WORKBOOK["$schema"].endswith("/schema/workbook.json")
    queries = [i for i in WORKBOOK["items"] if i["type"] == 3]
    titles = {i["name"]: i["content"]["title"] for i in queries}
    assert {"fleet-trend", "blockers-today", "regressions"} <= set(titles)
    for item in queries:
        content = item["content"]
        assert content["version"] == "KqlItem/1.0"
        assert content["queryType"] == 0
        assert content["resourceType"] == "microsoft.operationalinsights/workspaces"
        assert not unknown_names(content["query"]), item["name"]
        # a query shipped as a file too is the same text
        if f"{item['name']}.kql" in QUERIES:
            assert content["query"] == QUERIES[f"{item['name']}.kql"], item["name"]
    parameters = [i for i in WORKBOOK["items"] if i["type"] == 9]
    names = {p["name"] for i in parameters for p in i["content"]["parameters"]}
    used = set(re.findall(r"\{(\w+)\}", json.dumps([i["content"]["query"] for i in queries])))
    assert used <= names
