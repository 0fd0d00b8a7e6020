"""The options of every command that scans an estate first (plan, what-if): where the estate
comes from and what shapes the verdicts, turned into the scan workflow's request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor.cli.common import live as common_live
from auditor.cli.common import live_options, max_snapshot_option, rules_option

if TYPE_CHECKING:  # not imported for --help
    from auditor.scan import Request


def source_options(command: Callable[..., Any]) -> Any:
    """--demo, --snapshot, --config, --rules, --as-of, --waivers and the live options."""
    command = max_snapshot_option(live_options(command))
    for option in reversed(
        [
            click.option("--demo", is_flag=True, help="The bundled demo estate (and its config)."),
            click.option(
                "--snapshot",
                "snapshot_path",
                metavar="PATH",
                help="A saved snapshot (.json or .json.gz), offline.",
            ),
            click.option(
                "--config", "config_path", metavar="PATH", help="Workloads, targets, attestations."
            ),
            rules_option,
            click.option(
                "--as-of",
                "as_of",
                metavar="DATE",
                type=click.DateTime(formats=["%Y-%m-%d"]),
                help="Judge attestation and waiver expiry at this date, YYYY-MM-DD (default: "
                "today).",
            ),
            click.option(
                "--waivers", "waivers_path", metavar="PATH", help="Accepted risks (YAML)."
            ),
        ]
    ):
        command = option(command)
    return command


def request(options: dict[str, Any], outputs: dict[str, str | None]) -> Request:
    """The scan request of a command's source options (popped from `options`)."""
    from auditor import scan
    from auditor.model import Tier

    as_of: dt.datetime | None = options.pop("as_of")
    live = common_live(options)
    rule_dirs: tuple[Path, ...] = options.pop("rule_dirs")
    return scan.Request(
        demo=options.pop("demo"),
        snapshot=options.pop("snapshot_path"),
        live=live,
        config=options.pop("config_path"),
        rule_dirs=rule_dirs,
        waivers=options.pop("waivers_path"),
        target=Tier(options.pop("default_target", Tier.HOT_COLD.value)),
        as_of=as_of.date() if as_of else None,
        outputs=outputs,
        max_snapshot_bytes=options.pop("max_snapshot_bytes"),
    )


def write_files(files: list[tuple[str, str | None]], render: Callable[[str], bytes]) -> None:
    """The command's own output files (option, path), replaced together: `render(option)` is
    each one's content (gzip-compressed when its name ends in .gz)."""
    from auditor.atomic import Staging, gzip_name
    from auditor.outputs import cannot_write

    with Staging() as staging:
        for option, path in files:
            if path:
                try:
                    staging.write(path, render(option), compress=gzip_name(path))
                except OSError as exc:
                    raise cannot_write(path, exc, option.lstrip("-")) from None
