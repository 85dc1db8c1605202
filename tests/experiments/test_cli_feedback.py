"""`lab analyze nps|sus|likert` on CSV and Parquet files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from experiments.cli import app

runner = CliRunner()


def _run(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def nps_csv(tmp_path: Path) -> Path:
    # web: 10, 9, 9, 8, 7 → 3 promoters, 2 passives; phone: 6, 5, 0, 10, 9 → 3 detractors.
    path = tmp_path / "nps.csv"
    pl.DataFrame({
        "ltr": [10, 9, 9, 8, 7, 6, 5, 0, 10, 9],
        "channel": ["web"] * 5 + ["phone"] * 5,
    }).write_csv(path)
    return path


def test_nps_prints_the_score_and_groups(nps_csv: Path) -> None:
    out = _run("nps", str(nps_csv), "--column", "ltr", "--by", "channel")
    assert out["measure"] == "nps" and out["by"] == "channel"
    assert out["overall"]["score"] == pytest.approx(20.0)  # 50% − 30%
    groups = {g["group"]: g for g in out["groups"]}
    assert groups["web"]["score"] == pytest.approx(60.0)  # 3/5 promoters, no detractor
    assert groups["phone"]["score"] == pytest.approx(-20.0)  # 2/5 − 3/5


def test_likert_reads_parquet(tmp_path: Path) -> None:
    path = tmp_path / "answers.parquet"
    pl.DataFrame({"ease": [1, 2, 2, 3, 3, 3, 4, 4, 5, 5]}).write_parquet(path)
    out = _run("likert", str(path), "--column", "ease")
    assert out["overall"]["mean"] == pytest.approx(3.2)
    assert [d["count"] for d in out["overall"]["distribution"]] == [1, 2, 3, 2, 2]
    assert out["groups"] == []


def test_sus_scores_q1_to_q10(tmp_path: Path) -> None:
    path = tmp_path / "sus.csv"
    rows = [[4, 2, 4, 1, 4, 2, 5, 2, 4, 2], [5, 1] * 5]  # 80 and 100 → mean 90, grade A+
    pl.DataFrame({f"q{i + 1}": [r[i] for r in rows] for i in range(10)}).write_csv(path)
    out = _run("sus", str(path))
    assert out["overall"]["mean"] == pytest.approx(90.0)
    assert out["overall"]["grade"] == "A+" and out["overall"]["n"] == 2


def test_disclose_never_prints_a_small_count(nps_csv: Path) -> None:
    out = _run("nps", str(nps_csv), "--column", "ltr", "--by", "channel", "--disclose")
    assert out["disclosed"] is True
    stack: list[Any] = [out]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            assert item >= 10 and item % 5 == 0
    assert out["groups"][0]["score"] == {"value": None, "reason": "suppressed_small_count"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nps", "{csv}", "--column", "missing"], "missing column"),
        (["nps", "{csv}", "--column", "ltr", "--by", "band"], "band"),
        (["likert", "{csv}", "--column", "ltr"], "outside"),
        (["sus", "{csv}"], "q1"),
        (["nps", "{csv}", "--column", "ltr", "--method", "exact"], "--method"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    nps_csv: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, [a.replace("{csv}", str(nps_csv)) for a in args])
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""


def test_out_of_range_nps_and_unknown_extension_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    pl.DataFrame({"ltr": [3, 12]}).write_csv(bad)
    result = runner.invoke(app, ["nps", str(bad), "--column", "ltr"])
    assert result.exit_code == 2 and "0..10" in result.stderr
    odd = tmp_path / "answers.xlsx"
    odd.write_text("x")
    result = runner.invoke(app, ["nps", str(odd), "--column", "ltr"])
    assert result.exit_code == 2 and ".csv or .parquet" in result.stderr
    text = tmp_path / "text.csv"
    text.write_text("ltr\nten\n")
    result = runner.invoke(app, ["nps", str(text), "--column", "ltr"])
    assert result.exit_code == 2 and "numeric" in result.stderr
