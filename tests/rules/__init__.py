"""The bundled rules' cases: tests/rules/<RULE-ID>/cases.py, built with tests/rules/kit.py."""
