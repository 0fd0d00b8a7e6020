"""The check functions a rule names, one module each; importing the package registers them all."""

import importlib
import pkgutil

from auditor.checks.kit import CHECKS, CheckSpec, Context, Look, NoParams, Outcome, check

__all__ = ["CHECKS", "CheckSpec", "Context", "Look", "NoParams", "Outcome", "check"]

# Every module here but the kit is one check that registers itself on import: a new check is
# one new file, with no list to keep (tests/test_checks_registry.py holds each module to
# registering exactly its own name).
for _module in sorted(pkgutil.iter_modules(__path__), key=lambda found: found.name):
    if _module.name != "kit":
        importlib.import_module(f"{__name__}.{_module.name}")
