"""`auditor init` (a starter auditor.yaml from a snapshot) and `auditor config validate`."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.model import TIERS, Tier


def _estate_path(demo: bool, snapshot_path: str | None) -> Path:
    from auditor import demo as demo_mod

    return demo_mod.snapshot_path() if demo else Path(str(snapshot_path))


@click.command("init")
@click.option("--snapshot", "snapshot_path", metavar="PATH", help="Propose from this snapshot.")
@click.option("--demo", is_flag=True, help="Propose from the bundled demo estate.")
@click.option(
    "--output",
    "-o",
    metavar="PATH",
    default="auditor.yaml",
    show_default=True,
    help="Config file to write, '-' for stdout.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option(
    "--target",
    type=click.Choice([t.value for t in TIERS]),
    default=Tier.HOT_COLD.value,
    show_default=True,
    help="Target tier proposed for workloads without a dr-target tag.",
)
def init_cmd(snapshot_path: str | None, demo: bool, output: str, force: bool, target: str) -> int:
    """Write a starter auditor.yaml: the workspace pairs a snapshot suggests, and why, for a
    person to confirm."""
    from auditor import config_tools, outputs, snapshot
    from auditor.errors import ConfigError
    from auditor.estate import build

    if demo == bool(snapshot_path):
        raise click.UsageError("give one of --snapshot PATH or --demo")
    source = _estate_path(demo, snapshot_path)
    outputs.check_paths([("--output", output)], [("--snapshot", str(source))])
    estate = build(snapshot.load(source))
    against = "--demo" if demo else f"--snapshot {source}"
    validate = f"auditor config validate {'auditor.yaml' if output == '-' else output} {against}"
    origin = "the demo estate" if demo else str(source)
    text, proposed = config_tools.propose(estate, origin, validate, Tier(target))
    if output == "-":
        outputs.write(output, text.encode())
        return 0
    if Path(output).exists() and not force:
        raise ConfigError(f"{output}: already exists; not replaced (use --force)")
    outputs.write(output, text.encode(), "the configuration")
    kinds = ", ".join(
        f"{n} {kind}"
        for kind in ("tags", "discovered", "standalone")
        if (n := sum(1 for w in proposed if w.source == kind))
    )
    click.echo(
        f"wrote {output}: {len(proposed)} workload(s) proposed ({kinds or 'none'}); review it, "
        f"then run: {validate}",
        err=True,
    )
    return 0


@click.group("config")
def config_group() -> None:
    """Check a configuration file."""


@config_group.command("validate")
@click.argument("config_path", metavar="CONFIG")
@click.option(
    "--snapshot",
    "snapshot_path",
    metavar="PATH",
    help="Also check the config against this estate (workspace ids).",
)
@click.option("--demo", is_flag=True, help="Check against the bundled demo estate.")
def config_validate(config_path: str, snapshot_path: str | None, demo: bool) -> int:
    """Check a config: its schema, and with a snapshot, that every workspace it names exists.
    Exit 0 when valid, 2 on problems (one line each)."""
    from auditor import config as config_mod
    from auditor import config_tools, snapshot
    from auditor.estate import build
    from auditor.report import EXIT_USAGE

    if demo and snapshot_path:
        raise click.UsageError("--demo and --snapshot are exclusive: choose one")
    loaded, problems = config_mod.problems(config_path)
    notes: list[str] = []
    if loaded is not None and (snapshot_path or demo):
        estate = build(snapshot.load(_estate_path(demo, snapshot_path)))
        checked = config_tools.against_estate(loaded, estate, config_path)
        problems, notes = checked.problems, checked.notes
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{config_path}: {len(problems)} problem(s)", err=True)
        return EXIT_USAGE
    assert loaded is not None
    where = "; every workspace it names is in the snapshot" if (snapshot_path or demo) else ""
    click.echo(f"{config_path}: valid ({len(loaded.workloads)} workload(s){where})")
    for note in notes:
        click.echo(f"note: {note}")
    return 0
