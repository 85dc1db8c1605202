"""`build_panel`'s run-based reduction gives the same cells as a plain `group_by`.

Without a cluster column, `build_panel` reduces readings by runs of a unit (binary search on
sorted times, `np.unique` on unsorted ones); with one, it takes Polars' `group_by` on
`dt.truncate` buckets. A cluster column equal to the unit changes nothing in the result, so
the two paths must agree exactly on units, periods and counts, and on means to rounding.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experiments import panel as panel_module
from experiments.panel import Panel, build_panel

UNITS = ("a", "b", "c", "d")


def _panels(lf: pl.LazyFrame, **kwargs: object) -> tuple[Panel, Panel]:
    runs = build_panel(lf, unit="zone", time="t", outcome="y", **kwargs)  # type: ignore[arg-type]
    grouped = build_panel(lf.with_columns(pl.col("zone").alias("cl")), unit="zone", time="t",
                          outcome="y", cluster="cl", **kwargs)  # type: ignore[arg-type]
    return runs, grouped


def _assert_same(runs: Panel, grouped: Panel) -> None:
    assert runs.units == grouped.units
    assert runs.periods == grouped.periods
    assert runs.n_readings == grouped.n_readings
    assert runs.warnings == grouped.warnings
    np.testing.assert_array_equal(runs.treated, grouped.treated)
    np.testing.assert_array_equal(runs.post, grouped.post)
    a = sorted(zip(runs.unit_idx.tolist(), runs.time_idx.tolist(), runs.y.tolist(), strict=True))
    b = sorted(zip(grouped.unit_idx.tolist(), grouped.time_idx.tolist(), grouped.y.tolist(),
                   strict=True))
    assert [cell[:2] for cell in a] == [cell[:2] for cell in b]
    np.testing.assert_allclose([cell[2] for cell in a], [cell[2] for cell in b], rtol=1e-12)


@st.composite
def readings(draw: st.DrawFn) -> tuple[pl.DataFrame, str, dt.datetime]:
    n = draw(st.one_of(st.integers(1, 40), st.integers(200, 800)))
    unit = draw(st.sampled_from(("us", "ns", "ms")))
    tz = draw(st.sampled_from((None, "UTC")))
    # around the Unix epoch too (negative times) and across Mondays, midnights, hours
    origin = draw(st.sampled_from((dt.datetime(1969, 12, 20), dt.datetime(2024, 3, 1),
                                   dt.datetime(2026, 10, 24))))
    seconds = draw(st.lists(st.integers(0, 40 * 86_400), min_size=n, max_size=n))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    y = rng.normal(20, 5, n)
    frame = pl.DataFrame({
        "zone": rng.choice(UNITS, n),
        "t": [origin + dt.timedelta(seconds=s) for s in seconds],
        "y": pl.Series(y).scatter(np.flatnonzero(rng.random(n) < 0.05), None),
    }).with_columns(pl.col("t").cast(pl.Datetime(unit, tz)))  # type: ignore[arg-type]
    order = draw(st.sampled_from(("stored", "zone only", "as drawn")))
    if order == "stored":  # sorted by zone then time, as the catalog stores datasets
        frame = frame.sort("zone", "t")
    elif order == "zone only":  # long runs of a unit, times out of order within them
        frame = frame.sort("zone", maintain_order=True)
    grain = draw(st.sampled_from(("hour", "day", "week")))
    start = origin + dt.timedelta(seconds=draw(st.integers(0, 40 * 86_400)))
    return frame, grain, start.replace(tzinfo=dt.UTC) if tz else start


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=readings(), row_group=st.integers(5, 300), listed=st.booleans())
def test_runs_and_group_by_give_the_same_panel(case: tuple[pl.DataFrame, str, dt.datetime],
                                               row_group: int, listed: bool) -> None:
    """With the control units listed, runs are found on unit hashes; otherwise on names."""
    frame, grain, start = case
    with tempfile.TemporaryDirectory() as tmp:
        # small row groups: a unit's bucket is split across streamed batches
        path = Path(tmp) / "readings.parquet"
        frame.write_parquet(path, row_group_size=row_group)
        runs, grouped = _panels(pl.scan_parquet(path), treated_units=["a", "b"],
                                control_units=["c"] if listed else None, pilot_start=start,
                                time_grain=grain)  # type: ignore[arg-type]
    _assert_same(runs, grouped)


@pytest.mark.parametrize("time_order", [False, True], ids=["stored", "time-order"])
@pytest.mark.parametrize("controls", [None, ["z3", "z4"]], ids=["names", "hashes"])
def test_sorted_readings_across_many_batches_match_pandas(controls: list[str] | None,
                                                          time_order: bool,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Minute readings of 30 sensors in 6 zones over 3 weeks, in the stored layout (with the
    control zones listed, runs are found on unit hashes) or in time order as a user's own
    file comes (one streaming `group_by`)."""
    rng = np.random.default_rng(7)
    minutes = np.arange(21 * 1440)
    zones = [f"z{i}" for i in range(6)]
    t0 = np.datetime64("2024-03-01T00:00", "us")
    frame = pl.DataFrame({
        "zone": np.repeat(zones, minutes.size * 5),
        "t": np.tile(np.repeat(t0 + minutes.astype("timedelta64[m]"), 5), len(zones)),
        "y": rng.gamma(4, 5, len(zones) * minutes.size * 5),
    }).with_columns(pl.col("t").dt.replace_time_zone("UTC"))
    if time_order:
        frame = frame.sort("t", maintain_order=True)
    grouped: list[bool] = []
    by_group_by = panel_module._bucket_means_by_group_by
    monkeypatch.setattr(panel_module, "_bucket_means_by_group_by",
                        lambda *a: grouped.append(True) or by_group_by(*a))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "readings.parquet"
        frame.write_parquet(path, row_group_size=50_000)
        panel = build_panel(pl.scan_parquet(path), unit="zone", time="t", outcome="y",
                            treated_units=zones[:3], control_units=controls,
                            pilot_start="2024-03-11T12:00:00Z", time_grain="day")
    assert grouped == ([True] if time_order else [])
    pdf = frame.to_pandas()
    pdf["day"] = pdf["t"].dt.floor("D")
    kept = pdf[(pdf["day"] != "2024-03-11")
               & pdf["zone"].isin(zones[:3] + (controls or zones[3:]))]
    expected = kept.groupby(["zone", "day"])["y"].agg(["mean", "size"])
    assert panel.n_cells == len(expected) == (6 if controls is None else 5) * 20
    assert panel.n_readings == int(expected["size"].sum())
    assert "pilot_start_mid_bucket" in panel.warnings
    got = {(panel.units[u], panel.periods[t]): v
           for u, t, v in zip(panel.unit_idx, panel.time_idx, panel.y, strict=True)}
    for (zone, day), row in expected.iterrows():
        assert got[(zone, day.isoformat())] == pytest.approx(row["mean"], rel=1e-12)


def test_local_time_zone_days_follow_local_midnight() -> None:
    """Europe/Paris on the day clocks went back (25 hours): the truncate path is taken."""
    t = pl.datetime_range(dt.datetime(2024, 10, 26, 12), dt.datetime(2024, 10, 28, 12), "1h",
                          time_zone="Europe/Paris", eager=True)
    frame = pl.DataFrame({"zone": ["a"] * t.len() + ["b"] * t.len(), "t": pl.concat([t, t]),
                          "y": [1.0] * (2 * t.len())})
    runs, grouped = _panels(frame.lazy(), treated_units=["a"], pilot_start=None,
                            time_grain="day")
    _assert_same(runs, grouped)
    assert len(runs.periods) == 3
    assert sorted(np.bincount(runs.time_idx[runs.unit_idx == 0], minlength=3)) == [1, 1, 1]
    assert runs.n_readings == 2 * (12 + 25 + 13)


def test_no_readings_give_an_empty_panel() -> None:
    frame = pl.DataFrame({"zone": ["a"], "t": [dt.datetime(2024, 1, 1)], "y": [None]},
                         schema={"zone": pl.String, "t": pl.Datetime("us"), "y": pl.Float64})
    runs, grouped = _panels(frame.lazy(), treated_units=["a"], pilot_start=None,
                            time_grain="day")
    _assert_same(runs, grouped)
    assert runs.n_cells == 0 and runs.units == ()


def test_unordered_readings_with_null_units_times_and_outcomes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-`group_by` pass keeps nulls in the stream and drops them from the cells: the
    same panel as dropping the rows first (the cluster path), including a cell whose every
    outcome is null."""
    rng = np.random.default_rng(5)
    n = 2_000
    t0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    frame = pl.DataFrame({
        "zone": rng.choice(UNITS, n),
        "t": [t0 + dt.timedelta(minutes=int(m)) for m in rng.integers(0, 10 * 1440, n)],
        "y": rng.normal(20, 5, n),
    })
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) % 17 == 0).then(None).otherwise(pl.col("zone"))
        .alias("zone"),
        pl.when(pl.int_range(pl.len()) % 23 == 0).then(None).otherwise(pl.col("t")).alias("t"),
        pl.when((pl.int_range(pl.len()) % 11 == 0)
                | ((pl.col("zone") == "d") & (pl.col("t").dt.day() == 3)))
        .then(None).otherwise(pl.col("y")).alias("y"),
    )
    grouped_calls: list[bool] = []
    by_group_by = panel_module._bucket_means_by_group_by
    monkeypatch.setattr(panel_module, "_bucket_means_by_group_by",
                        lambda *a: grouped_calls.append(True) or by_group_by(*a))
    runs, grouped = _panels(frame.lazy(), treated_units=["a"], pilot_start=t0
                            + dt.timedelta(days=5), time_grain="day")
    assert grouped_calls == [True]
    _assert_same(runs, grouped)
    assert runs.n_cells == 4 * 10 - 1  # zone d has no outcome on March 3
