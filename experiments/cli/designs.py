"""Commands did, before-after, ab, power: one design on a CSV or Parquet file, as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal, NoReturn, TypeVar

import polars as pl
import typer

from experiments.cli import app
from experiments.did import did_panel, estimate_did_rows
from experiments.inference import Inference
from experiments.panel import TimeGrain, build_panel, post_flag
from experiments.summaries import require_columns, scan_file, unit_group_means

# The designs that need `scipy.stats` (ab, before-after, power, the quality checks) load in
# their commands: importing scipy.stats takes about half a second, which `lab analyze did`
# spends reading the file instead (see `did_command`).

T = TypeVar("T")

FileArg = Annotated[Path, typer.Argument(help="CSV or Parquet file (by extension).")]
Outcome = Annotated[str, typer.Option("--outcome", help="Column with the KPI.")]
Alpha = Annotated[float, typer.Option("--alpha", help="Level of the tests (1 − confidence).")]
Unit = Annotated[str | None, typer.Option("--unit", help="Unit (zone, sensor) column.")]
TimeCol = Annotated[str | None, typer.Option("--time", help="Time column.")]
Start = Annotated[str | None, typer.Option("--pilot-start", help="First time of the pilot.")]
Grain = Annotated[TimeGrain | None, typer.Option(
    "--time-grain", help="Aggregate to unit × hour/day/week means first.")]


def _fail(message: str) -> NoReturn:
    """Print a clear error on stderr and exit with code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def _run(fn: Callable[[], T]) -> T:
    """Run `fn`, turning input errors (missing file or column, bad value) into exit code 2."""
    try:
        return fn()
    except (FileNotFoundError, ValueError, pl.exceptions.PolarsError) as exc:
        _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def _emit(payload: dict[str, object]) -> None:
    """Print JSON to stdout."""
    typer.echo(json.dumps(payload, indent=2, allow_nan=False, default=str))


def _split(values: str | None) -> list[str] | None:
    """Split a comma-separated list."""
    return None if values is None else [v.strip() for v in values.split(",") if v.strip()]


@app.command("did")
def did_command(
    file: FileArg, outcome: Outcome,
    treated_col: Annotated[str | None, typer.Option("--treated-col", help="Treated flag.")] = None,
    post_col: Annotated[str | None, typer.Option("--post-col", help="Pilot-period flag.")] = None,
    unit: Unit = None, time: TimeCol = None, pilot_start: Start = None,
    treated_units: Annotated[str | None, typer.Option(
        "--treated-units", help="Comma-separated treated units.")] = None,
    control_units: Annotated[str | None, typer.Option(
        "--control-units", help="Comma-separated controls (default: all other units).")] = None,
    time_grain: Grain = None,
    cluster: Annotated[str | None, typer.Option(
        "--cluster", help="Cluster column (default for panels: the unit).")] = None,
    inference: Annotated[Inference, typer.Option(
        "--inference", help="auto applies the few-clusters rule.")] = "auto",
    alpha: Alpha = 0.05, seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Difference-in-differences: row flags (2×2) or a unit × time panel (TWFE)."""
    lf = _run(lambda: scan_file(file))
    if treated_col is not None or post_col is not None:
        if treated_col is None or post_col is None:
            _fail("--treated-col and --post-col go together")
        tc, pc = treated_col, post_col
        res = _run(lambda: estimate_did_rows(lf, outcome=outcome, treated=tc, post=pc,
                                             cluster=cluster, alpha=alpha,
                                             inference=inference, seed=seed))
        _emit(res.to_dict())
        return
    if unit is None or time is None or treated_units is None or pilot_start is None:
        _fail("give --treated-col and --post-col, or --unit, --time, --treated-units and "
              "--pilot-start")
    u, t, tu, ps = unit, time, _split(treated_units) or [], pilot_start
    panel = _run(lambda: build_panel(lf, unit=u, time=t, outcome=outcome, treated_units=tu,
                                     pilot_start=ps, control_units=_split(control_units),
                                     time_grain=time_grain, cluster=cluster))
    from experiments.quality import check_panel

    res = did_panel(panel, alpha=alpha, inference=inference, seed=seed)
    out = res.to_dict()
    if res.reason is None:
        quality = check_panel(panel, inference=inference, seed=seed)
        out = res.with_warnings(*quality.flags).to_dict()
        out["quality"] = quality.to_dict()
    _emit(out)


@app.command("before-after")
def before_after_command(
    file: FileArg, outcome: Outcome,
    post_col: Annotated[str | None, typer.Option("--post-col", help="Pilot-period flag.")] = None,
    time: TimeCol = None, pilot_start: Start = None, unit: Unit = None, alpha: Alpha = 0.05,
) -> None:
    """Before/after for one group: Welch on readings, or paired on unit means with --unit."""
    from experiments.before_after import estimate_before_after

    lf = _run(lambda: scan_file(file))
    res = _run(lambda: estimate_before_after(lf, outcome=outcome, post=post_col, time=time,
                                             pilot_start=pilot_start, unit=unit, alpha=alpha))
    _emit(res.to_dict())


@app.command("ab")
def ab_command(
    file: FileArg, outcome: Outcome,
    group_col: Annotated[str, typer.Option("--group-col", help="Group column (flag or label).")],
    treatment: Annotated[str | None, typer.Option(
        "--treatment", help="Value of --group-col meaning treated (default: a true flag).")] = None,
    unit: Unit = None,
    covariate: Annotated[str | None, typer.Option(
        "--covariate", help="Pre-period covariate column for CUPED.")] = None,
    time: TimeCol = None, pilot_start: Start = None, alpha: Alpha = 0.05,
) -> None:
    """Randomized comparison (Welch), CUPED with --covariate or --time/--pilot-start."""
    from experiments.ab import estimate_ab

    lf = _run(lambda: scan_file(file))
    res = _run(lambda: estimate_ab(lf, outcome=outcome, group=group_col, treatment=treatment,
                                   unit=unit, covariate=covariate, time=time,
                                   pilot_start=pilot_start, alpha=alpha))
    _emit(res.to_dict())


@app.command("power")
def power_command(
    file: FileArg, outcome: Outcome,
    design: Annotated[Literal["did", "before-after", "ab"], typer.Option(
        "--design", help="Planned design.")] = "did",
    unit: Unit = None, time: TimeCol = None, time_grain: Grain = None,
    pilot_start: Annotated[str | None, typer.Option(
        "--pilot-start", help="Use only data before this time as baseline.")] = None,
    n_treated: Annotated[int, typer.Option("--n-treated", help="Planned treated units.")] = 10,
    n_control: Annotated[int, typer.Option("--n-control", help="Planned control units.")] = 10,
    n_pre: Annotated[int, typer.Option("--n-pre", help="Planned baseline periods.")] = 4,
    n_post: Annotated[int, typer.Option("--n-post", help="Planned pilot periods.")] = 4,
    alpha: Alpha = 0.05, power: Annotated[float, typer.Option("--power")] = 0.8,
) -> None:
    """Minimum detectable effect of a planned design, from the baseline in FILE."""
    from experiments.power import power_before_after, power_did_panel, power_two_sample

    lf = _run(lambda: scan_file(file))
    if unit is None:
        _fail("--unit is required")
    u = unit
    if pilot_start is not None:
        if time is None:
            _fail("--pilot-start needs --time")
        flag = _run(lambda: post_flag(lf, time=time, pilot_start=pilot_start))
        lf = lf.filter(~flag)
    if design == "ab":
        _run(lambda: require_columns(lf, outcome, u))
        vals = _run(lambda: unit_group_means(lf, u, outcome, pl.lit(False)))["y"].to_numpy()
        _emit(power_two_sample(vals, n_treated, n_control, alpha=alpha, power=power).to_dict())
        return
    if time is None:
        _fail("--time is required for did and before-after")
    t = time
    panel = _run(lambda: build_panel(lf, unit=u, time=t, outcome=outcome, treated_units=[],
                                     pilot_start=None, time_grain=time_grain))
    if design == "did":
        res = power_did_panel(panel, n_treated, n_control, n_pre, n_post, alpha=alpha,
                              power=power)
    else:
        res = power_before_after(panel, n_treated, n_pre, n_post, alpha=alpha, power=power)
    _emit(res.to_dict())


__all__ = ["ab_command", "before_after_command", "did_command", "power_command"]
