"""The package's layout holds: no import cycle between auditor's modules (the layers themselves
are import-linter contracts in pyproject.toml, run by CI)."""

from __future__ import annotations

import grimp


def test_no_module_imports_itself_back() -> None:
    graph = grimp.build_graph("auditor")
    cycles = sorted(
        {
            tuple(sorted((module, imported)))
            for module in graph.modules
            for imported in graph.find_modules_directly_imported_by(module)
            if graph.chain_exists(importer=imported, imported=module)
        }
    )
    assert not cycles, f"import cycles: {cycles}"
