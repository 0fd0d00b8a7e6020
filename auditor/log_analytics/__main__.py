"""Writes the custom tables' columns that deploy/log-analytics/main.bicep loads:
python -m auditor.log_analytics > deploy/log-analytics/tables.json"""

from __future__ import annotations

import json
import sys

from auditor.log_analytics.rows import TABLES


def tables_document() -> dict[str, object]:
    """Per table: its stream, description and columns (without TimeGenerated, which the data
    collection rule's transformation adds)."""
    return {
        table.name: {
            "stream": table.stream,
            "description": table.description,
            "columns": [
                {"name": c.name, "type": c.type, "description": c.description}
                for c in table.columns
            ],
        }
        for table in TABLES.values()
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(tables_document(), indent=2) + "\n")
