"""`auditor schema`: the JSON Schemas of the snapshot, the JSON report and an NDJSON line."""

from __future__ import annotations

import json

import click


@click.command("schema")
@click.argument("which", type=click.Choice(["snapshot", "report", "finding-event", "what-if"]))
def schema_cmd(which: str) -> int:
    """Print the JSON Schema of the snapshot format, of the JSON report, or of one line of the
    NDJSON output (finding-event), or of the what-if document (what-if)."""
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

        document = report_file.schema()
    click.echo(json.dumps(document, indent=2))
    return 0
