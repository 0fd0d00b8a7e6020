"""`auditor init` (a starter auditor.yaml from a snapshot) and `auditor config validate`."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.model import TIERS, Tier


def _estate_path(demo: bool, snapshot_path: str | None) -> Path:
    from auditor import demo as demo_mod

    return demo_mod.snapshot_path() if demo else Path(str(snapshot_path))


INIT_EPILOG = """\b
Exit codes:
  0  the config was written
  2  bad input or usage (a snapshot that is not valid, an existing file without --force)

\b
Examples:
  auditor init --demo -o -
  auditor init --snapshot estate.json.gz
  auditor init --snapshot estate.json.gz --target hot/warm -o auditor.yaml --force"""


@click.command(
    "init",
    epilog=INIT_EPILOG,
    short_help="Write a starter auditor.yaml from the pairs a snapshot suggests.",
)
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
    metavar="TIER",
    default=Tier.HOT_COLD.value,
    show_default=True,
    help="Target tier (hot/hot, hot/warm or hot/cold) proposed for workloads without a "
    "dr-target tag.",
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


@click.group(
    "config",
    short_help="Check a configuration file (auditor.yaml).",
    epilog="""\b
Examples:
  auditor config validate auditor.yaml
  auditor config validate auditor.yaml --snapshot estate.json.gz""",
)
def config_group() -> None:
    """Check a configuration file (auditor.yaml): workloads, targets, attestations."""


@config_group.command(
    "validate",
    short_help="Check a config: its schema, and the workspaces it names.",
    epilog="""\b
Exit codes:
  0  the config is valid
  2  problems: every one listed, one line each (the field and what was expected)

\b
Examples:
  auditor config validate auditor.yaml
  auditor config validate auditor.yaml --snapshot estate.json.gz
  auditor config validate auditor.yaml --demo""",
)
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
    Every problem is listed in one run, the estate's too (for the workloads that are valid on
    their own)."""
    from auditor import config as config_mod
    from auditor import config_tools, snapshot
    from auditor.estate import build
    from auditor.report import EXIT_USAGE

    if demo and snapshot_path:
        raise click.UsageError("--demo and --snapshot are exclusive: choose one")
    loaded, problems = config_mod.problems(config_path)
    notes: list[str] = []
    if snapshot_path or demo:
        estate = build(snapshot.load(_estate_path(demo, snapshot_path)))
        if loaded is not None:
            checked = config_tools.against_estate(loaded, estate, config_path)
        else:  # the workloads that are valid on their own are checked too: all in one run
            partial, indices = config_mod.salvage(config_path)
            checked = config_tools.against_estate(partial, estate, config_path, indices)
        problems = problems + checked.problems
        notes = checked.notes
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
