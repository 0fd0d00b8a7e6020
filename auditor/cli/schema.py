"""`auditor schema`: the JSON Schemas of the snapshot, the JSON report and an NDJSON line."""

from __future__ import annotations

import json

import click


@click.command(
    "schema",
    short_help="Print the JSON Schema of the snapshot, the report, an NDJSON line, a what-if.",
    epilog="""\b
Examples:
  auditor schema report > report.schema.json
  auditor schema snapshot
  auditor schema what-if""",
)
@click.argument(
    "which",
    metavar="WHICH",
    type=click.Choice(["snapshot", "report", "report-v1", "finding-event", "what-if"]),
)
def schema_cmd(which: str) -> int:
    """Print the JSON Schema of WHICH: snapshot (the snapshot format), report (the JSON
    report, schema version 2), report-v1 (version 1, still read by report and diff),
    finding-event (one line of the NDJSON output) or what-if (the what-if document)."""
    if which == "snapshot":
        from auditor import snapshot

        document = snapshot.schema()
    elif which == "what-if":
        from auditor import whatif

        document = whatif.schema()
    elif which == "finding-event":
        from auditor.render import ndjson

        document = ndjson.schema()
    else:
        from auditor import report_file

        document = report_file.schema(1 if which == "report-v1" else 2)
    click.echo(json.dumps(document, indent=2))
    return 0
