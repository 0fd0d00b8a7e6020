"""`auditor schema`: the JSON Schemas of the snapshot, the JSON report and an NDJSON line."""

from __future__ import annotations

import json

import click


@click.command("schema")
@click.argument("which", type=click.Choice(["snapshot", "report", "report-v1", "finding-event"]))
def schema_cmd(which: str) -> int:
    """Print the JSON Schema of the snapshot format, of the JSON report (schema version 2;
    report-v1: version 1, still read by report and diff), or of one line of the NDJSON output
    (finding-event)."""
    if which == "snapshot":
        from auditor import snapshot

        document = snapshot.schema()
    elif which == "finding-event":
        from auditor.render import ndjson

        document = ndjson.schema()
    else:
        from auditor import report_file

        document = report_file.schema(1 if which == "report-v1" else 2)
    click.echo(json.dumps(document, indent=2))
    return 0
