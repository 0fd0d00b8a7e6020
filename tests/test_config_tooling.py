"""auditor init proposes a config from an estate; auditor config validate checks one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from auditor import config, demo

SUB = "/subscriptions/8f3c2a1e-5b7d-4c9a-9e2f-1a6b3c4d5e6f"
FRAUD_EUS = f"{SUB}/resourceGroups/rg-fraud/providers/Microsoft.MachineLearningServices/workspaces/mlw-fraud-eastus"
FRAUD_WUS = f"{SUB}/resourceGroups/rg-fraud/providers/Microsoft.MachineLearningServices/workspaces/mlw-fraud-westus"
FRAUD_ST = (
    f"{SUB}/resourceGroups/rg-fraud/providers/Microsoft.Storage/storageAccounts/stfraudeastus"
)


def test_init_proposes_a_commented_config_that_scans_like_discovery(run, tmp_path):
    out = tmp_path / "auditor.yaml"
    result = run("init", "--snapshot", str(demo.snapshot_path()), "--output", str(out))
    assert result.code == 0, result.err
    assert f"wrote {out}: 7 workload(s) proposed (3 tags, 3 discovered, 1 standalone)" in result.err
    text = out.read_text()
    # the why, for a person to confirm
    assert "# discovered: names differ only by a region token." in text
    assert "# primary: mlw-fraud-eastus in eastus; secondary: mlw-fraud-westus in westus." in text
    assert "# from tags: workspaces tagged dr-workload=recsys." in text
    assert "# standalone: mlw-sandbox-uksouth in uksouth has no configured" in text
    assert "target: hot/cold  # the default: set the tier this workload aims at" in text
    assert "#   DR-16: {by: <owner>" in text
    assert f"auditor config validate {out} --snapshot" in text

    proposed = config.load(out)
    pairs = {(w.name, w.primary, w.secondary) for w in proposed.workloads}
    assert ("mlw-fraud", FRAUD_EUS, FRAUD_WUS) in pairs
    assert yaml.safe_load(text)["workloads"][0]["name"] == "recsys"

    # scanning with the proposal finds the same pairs as discovery did, now from the config
    with_config, without = tmp_path / "a.json", tmp_path / "b.json"
    base = ["scan", "--snapshot", str(demo.snapshot_path()), "-q", "--as-of", "2026-11-26"]
    run(*base, "--config", str(out), "--json", str(with_config))
    run(*base, "--json", str(without))
    a, b = (json.loads(p.read_text())["workloads"] for p in (with_config, without))
    assert {w["source"] for w in a} == {"config"}
    assert [(w["name"], w["primary"], w["secondary"]) for w in a] == [
        (w["name"], w["primary"], w["secondary"]) for w in b
    ]
    assert run("config", "validate", str(out), "--demo").code == 0


def test_init_never_overwrites_without_force(run, tmp_path):
    out = tmp_path / "auditor.yaml"
    out.write_text("# mine\n")
    result = run("init", "--demo", "--output", str(out))
    assert result.code == 2
    assert f"{out}: already exists; not replaced (use --force)" in result.err
    assert out.read_text() == "# mine\n"
    assert run("init", "--demo", "--output", str(out), "--force").code == 0
    assert out.read_text().startswith("# auditor.yaml proposed by `auditor init`")
    assert [p.name for p in tmp_path.iterdir()] == ["auditor.yaml"]  # no temporary file left


def test_init_writes_to_stdout_and_in_the_current_folder(run, tmp_path, monkeypatch):
    result = run("init", "--demo", "--output", "-")
    assert result.code == 0 and "workloads:" in result.out
    assert "auditor config validate auditor.yaml --demo" in result.out
    monkeypatch.chdir(tmp_path)
    assert run("init", "--demo").code == 0
    assert (tmp_path / "auditor.yaml").is_file()


@pytest.mark.parametrize(
    "argv",
    [("init",), ("init", "--demo", "--snapshot", "x.json"), ("init", "--demo", "--target", "warm")],
)
def test_init_usage_errors(run, argv):
    result = run(*argv)
    assert result.code == 2 and "Traceback" not in result.err


def test_init_with_a_bad_snapshot_is_one_clear_line(run, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = run("init", "--snapshot", str(bad), "--output", str(tmp_path / "a.yaml"))
    assert result.code == 2 and str(bad) in result.err and "not valid JSON" in result.err
    assert not (tmp_path / "a.yaml").exists()


def test_validate_a_good_config(run):
    alone = run("config", "validate", str(demo.config_path()))
    assert alone.code == 0
    assert alone.out.startswith(f"{demo.config_path()}: valid (2 workload(s))")
    against = run("config", "validate", str(demo.config_path()), "--demo")
    assert against.code == 0
    assert "valid (2 workload(s); every workspace it names is in the snapshot)" in against.out
    assert (
        "9 workspace(s) not in the config come from tags, discovery or stand alone" in against.out
    )
    snap = run(
        "config", "validate", str(demo.config_path()), "--snapshot", str(demo.snapshot_path())
    )
    assert snap.code == 0


def _validate(run, tmp_path: Path, workloads: list[dict], *extra: str):
    path = tmp_path / "auditor.yaml"
    path.write_text(yaml.safe_dump({"workloads": workloads}))
    return path, run("config", "validate", str(path), *extra)


def test_unknown_workspaces_are_named_with_a_hint(run, tmp_path):
    typo = FRAUD_WUS.replace("rg-fraud", "rg-fraud-dr")
    path, result = _validate(
        run,
        tmp_path,
        [
            {"name": "fraud", "primary": FRAUD_EUS, "secondary": typo},
            {"name": "store", "primary": FRAUD_ST},
            {"name": "ghost", "primary": f"{SUB}/resourceGroups/x/providers/y/z/mlw-nope"},
        ],
        "--demo",
    )
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert lines == [
        f"{path}: workloads.0 (fraud): secondary {typo} is not in the snapshot "
        f"(a workspace of that name: {FRAUD_WUS})",
        f"{path}: workloads.1 (store): primary {FRAUD_ST} is a "
        "microsoft.storage/storageaccounts, not an Azure ML workspace",
        f"{path}: workloads.2 (ghost): primary {SUB}/resourceGroups/x/providers/y/z/mlw-nope "
        "is not in the snapshot",
        f"{path}: 3 problem(s)",
    ]
    # without a snapshot, only the schema is checked
    assert run("config", "validate", str(path)).code == 0


@pytest.mark.parametrize(
    ("workloads", "expected"),
    [
        (
            [{"name": "a", "primary": FRAUD_EUS, "secondary": FRAUD_EUS.upper() + "/"}],
            "field 'workloads.0': primary and secondary are the same workspace",
        ),
        (
            [
                {"name": "a", "primary": FRAUD_EUS},
                {"name": "b", "primary": FRAUD_WUS, "secondary": FRAUD_EUS},
            ],
            f"workspace {FRAUD_EUS} is in two workloads ('a' and 'b')",
        ),
        (
            [{"name": "a", "primary": FRAUD_EUS, "target": "hot/lukewarm"}],
            "field 'workloads.0.target': Input should be 'hot/hot', 'hot/warm' or 'hot/cold'",
        ),
        (
            [{"name": "a", "primary": FRAUD_EUS, "targets": {"inference": "tepid"}}],
            "field 'workloads.0.targets.inference': Input should be 'hot/hot'",
        ),
        (
            [
                {
                    "name": "a",
                    "primary": FRAUD_EUS,
                    "attestations": {
                        "DR-05": {
                            "by": "a",
                            "date": "2026-01-01",
                            "evidence": "x",
                            "expires": "2027-01-01",
                        }
                    },
                }
            ],
            "'DR-05' cannot be attested: attestations are for the manual requirements DR-16, DR-20, DR-21",
        ),
    ],
)
def test_config_problems_are_clear_and_exit_2(run, tmp_path, workloads, expected):
    path, result = _validate(run, tmp_path, workloads, "--demo")
    assert result.code == 2
    assert expected in result.err and str(path) in result.err
    assert "Traceback" not in result.err
    # scan refuses the same config with the same message
    scan = run("scan", "--demo", "--config", str(path))
    assert scan.code == 2 and expected.split(": ", 1)[-1][:40] in scan.err


def test_every_schema_problem_is_listed_at_once(run, tmp_path):
    path, result = _validate(
        run,
        tmp_path,
        [
            {"name": "a", "primary": FRAUD_EUS, "target": "warm"},
            {"name": "b", "primary": FRAUD_WUS, "colour": "red"},
        ],
    )
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert any("field 'workloads.0.target'" in line for line in lines)
    assert any("field 'workloads.1.colour'" in line for line in lines)
    assert lines[-1] == f"{path}: 2 problem(s)"


def test_validate_bad_files(run, tmp_path):
    missing = run("config", "validate", str(tmp_path / "nope.yaml"))
    assert missing.code == 2 and "no such configuration file" in missing.err
    broken = tmp_path / "broken.yaml"
    broken.write_text("workloads: [1, 2")
    result = run("config", "validate", str(broken))
    assert result.code == 2 and "not valid YAML" in result.err
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n")
    result = run("config", "validate", str(listed))
    assert result.code == 2 and "expected a mapping at the top level" in result.err
