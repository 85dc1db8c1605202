"""Commands nps, sus, likert (owned by the feedback work): summaries of a file, as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import polars as pl
import typer

from experiments.cli import app

# `experiments.feedback` (and `scipy`) load inside the commands: every `lab` command imports
# this module, and `lab analyze did` on a large file is timed whole process (bench/scale.py).

FileArg = Annotated[
    Path,
    typer.Argument(help="CSV or Parquet file, one row per response.", exists=True,
                   dir_okay=False, readable=True),
]
By = Annotated[
    str | None, typer.Option("--by", help="Also summarise per value of this column "
                             "(e.g. channel or an age band).")
]
Weight = Annotated[
    str | None, typer.Option("--weight", help="Column of survey weights (e.g. from raking).")
]
Disclose = Annotated[
    bool, typer.Option("--disclose", help="Print only what a startup may see: counts of 7 or "
                       "fewer suppressed, the rest rounded to 5.")
]
Confidence = Annotated[float, typer.Option("--confidence", help="Interval level.")]


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=2)


def _scan(path: Path) -> pl.LazyFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pl.scan_csv(path, infer_schema_length=None)
    if suffix in (".parquet", ".pq"):
        return pl.scan_parquet(path)
    _fail(f"cannot read {path.name}: use a .csv or .parquet file")


def _emit(measure: str, build: Callable[[], Any], disclosed: bool) -> None:
    from experiments.feedback import FeedbackDataError

    try:
        breakdown = build()
    except FeedbackDataError as exc:
        _fail(str(exc))
    except pl.exceptions.PolarsError as exc:
        _fail(f"cannot read the file: {exc}")
    payload = {"measure": measure, "disclosed": disclosed, **breakdown.to_dict()}
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        _fail(f"--confidence must be between 0 and 1, got {confidence}")


@app.command("nps")
def nps_command(
    file: FileArg,
    column: Annotated[str, typer.Option("--column", help="The 0–10 recommendation column.")],
    by: By = None,
    weight: Weight = None,
    method: Annotated[str, typer.Option("--method", help="wald or adjusted_wald.")] = "wald",
    confidence: Confidence = 0.95,
    disclose: Disclose = False,
) -> None:
    """Net Promoter Score with a 95% interval, overall and by group."""
    _check_confidence(confidence)
    if method not in ("wald", "adjusted_wald"):
        _fail(f"--method must be wald or adjusted_wald, got {method!r}")
    lf = _scan(file)

    def build() -> Any:
        from experiments.feedback import disclose_nps, nps, nps_counts

        results = nps_counts(lf, column, by=by, weight=weight).map(
            lambda c: nps(c, confidence=confidence,
                          method="adjusted_wald" if method == "adjusted_wald" else "wald")
        )
        return disclose_nps(results) if disclose else results

    _emit("nps", build, disclose)


@app.command("sus")
def sus_command(
    file: FileArg, by: By = None, weight: Weight = None, confidence: Confidence = 0.95,
    disclose: Disclose = False,
) -> None:
    """System Usability Scale from columns q1…q10 (1–5): mean, interval, grade."""
    _check_confidence(confidence)
    lf = _scan(file)

    def build() -> Any:
        from experiments.feedback import disclose_sus, sus, sus_counts

        results = sus_counts(lf, by=by, weight=weight).map(
            lambda c: sus(c, confidence=confidence)
        )
        return disclose_sus(results) if disclose else results

    _emit("sus", build, disclose)


@app.command("likert")
def likert_command(
    file: FileArg,
    column: Annotated[str, typer.Option("--column", help="The Likert item's column.")],
    by: By = None,
    weight: Weight = None,
    scale_min: Annotated[int, typer.Option("--scale-min", help="Lowest level.")] = 1,
    scale_max: Annotated[int, typer.Option("--scale-max", help="Highest level.")] = 5,
    confidence: Confidence = 0.95,
    disclose: Disclose = False,
) -> None:
    """Likert item: distribution, mean with interval, top-2-box share."""
    _check_confidence(confidence)
    if scale_max - scale_min < 2:
        _fail("a Likert scale needs at least three levels (--scale-min/--scale-max)")
    lf = _scan(file)

    def build() -> Any:
        from experiments.feedback import disclose_likert, likert, likert_counts

        results = likert_counts(
            lf, column, low=scale_min, high=scale_max, by=by, weight=weight
        ).map(lambda c: likert(c, confidence=confidence))
        return disclose_likert(results) if disclose else results

    _emit("likert", build, disclose)
