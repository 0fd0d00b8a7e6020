"""Run by the Python of a separate venv holding `azure-cli` from PyPI (never the project's):
reads command names (JSON list on stdin), loads each one's module offline and prints, as JSON,
each command's options (null for a command azure-cli does not have)."""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    os.environ.setdefault("AZURE_CORE_COLLECT_TELEMETRY", "no")
    os.environ.setdefault("AZURE_EXTENSION_DIR", os.devnull)  # core only: no extensions
    from azure.cli.core import get_default_cli

    names = json.load(sys.stdin)
    cli = get_default_cli()
    invocation = cli.invocation_cls(
        cli_ctx=cli,
        parser_cls=cli.parser_cls,
        commands_loader_cls=cli.commands_loader_cls,
        help_cls=cli.help_cls,
    )
    cli.invocation = invocation
    loader = invocation.commands_loader
    found: dict[str, list[str] | None] = {}
    for name in names:
        table = loader.load_command_table(name.split())
        if name not in table:
            found[name] = None
            continue
        invocation.data["command_string"] = name
        loader.command_name = name
        loader.load_arguments(name)
        command = loader.command_table[name]
        options = set()
        for argument in command.arguments.values():
            for option in argument.type.settings.get("options_list") or ():
                if isinstance(option, str):
                    options.add(option)
                elif hasattr(option, "target"):  # a deprecated option is still accepted
                    options.add(option.target)
        found[name] = sorted(options)
    json.dump(found, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
