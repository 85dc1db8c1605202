"""`lab analyze did|before-after|ab|power` on CSV and Parquet files, through CliRunner."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from experiments.cli import app

runner = CliRunner()
FIELDS = {"effect", "relative_effect", "ci_low", "ci_high", "p_value", "n_obs", "n_units",
          "method", "warnings"}


@pytest.fixture(scope="module")
def readings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Hourly readings of 12 zones over 16 days, 3 treated, a −1.5 effect from day 9."""
    rng = np.random.default_rng(0)
    zones = [f"z{i:02d}" for i in range(12)]
    start = dt.datetime(2024, 3, 1)
    stamps = np.array([start + dt.timedelta(hours=h) for h in range(24 * 16)],
                      dtype="datetime64[us]")
    zone = np.repeat(zones, stamps.size)
    ts = np.tile(stamps, len(zones))
    treated = np.isin(zone, ["z00", "z01", "z02"])
    post = ts >= np.datetime64("2024-03-09")
    y = (30 + np.repeat(rng.normal(size=len(zones)), stamps.size)
         + rng.normal(size=zone.size) - 1.5 * (treated & post))
    df = pl.DataFrame({"zone": zone, "ts": ts, "y": y, "treated": treated, "post": post,
                       "arm": np.where(treated, "T", "C")})
    base = tmp_path_factory.mktemp("designs")
    paths = {"csv": base / "r.csv", "parquet": base / "r.parquet"}
    df.write_csv(paths["csv"])
    df.write_parquet(paths["parquet"])
    return paths


def _json(args: list[str]) -> dict:
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.stderr + res.stdout
    return json.loads(res.stdout)


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_did_panel_command(readings, ext) -> None:
    out = _json(["did", str(readings[ext]), "--outcome", "y", "--unit", "zone", "--time", "ts",
                 "--treated-units", "z00,z01,z02", "--pilot-start", "2024-03-09",
                 "--time-grain", "day"])
    assert FIELDS <= out.keys()
    assert out["ci_low"] < -1.5 < out["ci_high"]
    assert out["n_units"] == 12 and out["n_periods"] == 16 and out["n_obs"] == 12 * 16
    assert "few_clusters_randomization" in out["warnings"]
    assert "quality" in out and "flags" in out["quality"]


def test_did_panel_with_control_units_and_week_grain(readings) -> None:
    out = _json(["did", str(readings["parquet"]), "--outcome", "y", "--unit", "zone",
                 "--time", "ts", "--treated-units", "z00,z01", "--control-units",
                 "z05,z06,z07", "--pilot-start", "2024-03-11", "--time-grain", "week",
                 "--inference", "cluster"])
    assert out["n_units"] == 5 and out["n_treated"] == 2
    # two treated zones: an explicit cluster-robust request is refused, with the reason
    assert out["reason"] == "cluster_inference_refused" and out["ci_low"] is None
    assert "refused" in out["reason_message"]


def test_did_row_flags_command(readings) -> None:
    out = _json(["did", str(readings["csv"]), "--outcome", "y", "--treated-col", "treated",
                 "--post-col", "post", "--cluster", "zone"])
    assert FIELDS <= out.keys() and out["design"] == "did_2x2"
    assert out["effect"] == pytest.approx(-1.5, abs=0.3)
    unclustered = _json(["did", str(readings["csv"]), "--outcome", "y", "--treated-col",
                         "treated", "--post-col", "post"])
    assert "no_cluster_hc1" in unclustered["warnings"] and "HC1" in unclustered["method"]


def test_before_after_and_ab_commands(readings) -> None:
    ba = _json(["before-after", str(readings["csv"]), "--outcome", "y", "--time", "ts",
                "--pilot-start", "2024-03-09", "--unit", "zone"])
    assert FIELDS <= ba.keys() and ba["n_units"] == 12
    ab = _json(["ab", str(readings["parquet"]), "--outcome", "y", "--group-col", "arm",
                "--treatment", "T", "--unit", "zone", "--time", "ts",
                "--pilot-start", "2024-03-09"])
    assert ab["design"] == "ab_cuped" and ab["ci_low"] < -1.5 < ab["ci_high"]


def test_power_command(readings) -> None:
    out = _json(["power", str(readings["csv"]), "--outcome", "y", "--unit", "zone", "--time",
                 "ts", "--time-grain", "day", "--pilot-start", "2024-03-09", "--n-treated",
                 "10", "--n-control", "10", "--n-pre", "3", "--n-post", "3"])
    assert out["mde"] > 0 and out["design"] == "did_panel" and out["n_pre"] == 3
    ab = _json(["power", str(readings["csv"]), "--design", "ab", "--outcome", "y", "--unit",
                "zone", "--n-treated", "6", "--n-control", "6"])
    assert ab["mde"] > 0


@pytest.mark.parametrize(
    "args",
    [
        ["did", "{csv}", "--outcome", "nope", "--treated-col", "treated", "--post-col", "post"],
        ["did", "{csv}", "--outcome", "y", "--unit", "zone", "--time", "tss",
         "--treated-units", "z00", "--pilot-start", "2024-03-09"],
        ["before-after", "{csv}", "--outcome", "y", "--post-col", "missing"],
        ["ab", "{csv}", "--outcome", "y", "--group-col", "nope"],
        ["did", "{dir}/absent.csv", "--outcome", "y", "--treated-col", "t", "--post-col", "p"],
        ["did", "{csv}", "--outcome", "y", "--treated-col", "treated"],
    ],
)
def test_bad_input_exits_2_with_message(readings, args) -> None:
    filled = [a.format(csv=readings["csv"], dir=readings["csv"].parent) for a in args]
    res = runner.invoke(app, filled)
    assert res.exit_code == 2
    assert res.stderr.startswith("error:") and res.stdout == ""
