"""A year of realistic readings for the demo's datasets, with planted pilot effects.

Each series has a daily and a weekly cycle, a season, French public holidays (quieter
streets, more light left on), a level per district, noise, and sensor gaps (whole hours
missing). Effects planted during a pilot are multiplicative on the treated districts.
Generated with NumPy from fixed seeds and written with Polars: a year of hourly readings for
a dozen districts takes well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

# Fixed-date French public holidays (the movable ones are left out: close enough for a demo).
HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


@dataclass(frozen=True)
class Effect:
    """A multiplicative change on some districts during a period: value × (1 + relative)."""

    zones: tuple[str, ...]
    start: datetime
    end: datetime
    relative: float


@dataclass(frozen=True)
class Series:
    """How one dataset's readings are generated."""

    name: str
    zones: tuple[str, ...]
    columns: dict[str, str]  # column -> profile: energy, traffic, parking, no2, pm25, boardings
    step: timedelta = timedelta(hours=1)
    effects: tuple[Effect, ...] = field(default_factory=tuple)
    seed: int = 0


def _profile(kind: str, hours: np.ndarray, dow: np.ndarray, day_of_year: np.ndarray,
             holiday: np.ndarray) -> np.ndarray:
    night = (hours >= 19) | (hours < 7)
    season = 1 + 0.25 * np.cos(2 * np.pi * day_of_year / 365.25)  # longer nights in winter
    weekend = dow >= 5
    rush = np.exp(-((hours - 8.5) ** 2) / 3) + np.exp(-((hours - 17.5) ** 2) / 4)
    quiet = weekend | holiday
    if kind == "energy":  # kWh per district per hour: lights at night, longer in winter
        return np.where(night, 1.0, 0.04) * season * np.where(holiday, 1.05, 1.0)
    if kind == "lamps":
        return np.where(night, 1.0, 0.0)
    if kind == "traffic":  # vehicles per hour
        base = 0.15 + np.where(quiet, 0.45, 1.0) * rush + 0.35 * ((hours >= 7) & (hours < 21))
        return base * (1 - 0.1 * np.cos(2 * np.pi * (day_of_year - 15) / 365.25))
    if kind == "parking":  # occupancy rate
        return np.clip(0.35 + 0.45 * ((hours >= 8) & (hours < 19)) * np.where(quiet, 0.6, 1.0)
                       + 0.1 * rush, 0, 1)
    if kind == "no2":  # µg/m³: traffic-driven, higher in winter
        return (18 + 22 * rush * np.where(quiet, 0.5, 1.0)) * (0.8 + 0.4 * (season - 0.75))
    if kind == "pm25":
        return (8 + 6 * rush) * (0.7 + 0.6 * (season - 0.75))
    if kind == "boardings":  # per day
        return np.where(quiet, 0.55, 1.0) * (1 - 0.25 * ((day_of_year > 195) & (day_of_year < 240)))
    raise ValueError(f"unknown profile {kind!r}")


_SCALE = {"energy": 55.0, "lamps": 40.0, "traffic": 420.0, "parking": 1.0, "no2": 1.0,
          "pm25": 1.0, "boardings": 1800.0}
_NOISE = {"energy": 0.05, "lamps": 0.0, "traffic": 0.08, "parking": 0.06, "no2": 0.15,
          "pm25": 0.2, "boardings": 0.07}


def frame(series: Series, start: datetime, end: datetime) -> pl.DataFrame:
    """The readings of one dataset between start and end (exclusive), gaps removed."""
    step_us = int(series.step / timedelta(microseconds=1))
    times = np.arange(np.datetime64(start.replace(tzinfo=None), "us"),
                      np.datetime64(end.replace(tzinfo=None), "us"), np.timedelta64(step_us, "us"))
    steps = len(times)
    stamps = pl.Series(times)
    hours = stamps.dt.hour().to_numpy().astype(float)
    dow = stamps.dt.weekday().to_numpy() - 1  # Monday 0 … Sunday 6
    day_of_year = stamps.dt.ordinal_day().to_numpy().astype(float)
    month_day = (stamps.dt.month() * 100 + stamps.dt.day()).to_numpy()
    holiday = np.isin(month_day, [m * 100 + d for m, d in HOLIDAYS])
    rng = np.random.default_rng(series.seed)
    parts = []
    for zone in series.zones:
        level = 0.8 + 0.4 * rng.random()
        columns: dict[str, np.ndarray] = {}
        for column, kind in series.columns.items():
            values = _profile(kind, hours, dow, day_of_year, holiday) * _SCALE[kind] * level
            values = values * rng.normal(1.0, _NOISE[kind], steps)
            for effect in series.effects:
                if zone in effect.zones:
                    inside = (times >= np.datetime64(effect.start.replace(tzinfo=None), "us")) & (
                        times < np.datetime64(effect.end.replace(tzinfo=None), "us"))
                    values = np.where(inside, values * (1 + effect.relative), values)
            columns[column] = np.round(np.clip(values, 0, None), 0 if kind == "lamps" else 3)
        keep = np.ones(steps, dtype=bool)
        for _ in range(int(rng.integers(1, 4))):  # one to three sensor outages per district
            at, length = int(rng.integers(0, steps)), int(rng.integers(3, 40))
            keep[at:at + length] = False
        parts.append(pl.DataFrame({"time": times[keep], "zone": [zone] * int(keep.sum()),
                                   **{c: v[keep] for c, v in columns.items()}}))
    return pl.concat(parts).with_columns(pl.col("time").dt.replace_time_zone("UTC"))


def write_csv(series: Series, start: datetime, end: datetime, path: Path) -> int:
    """Write the readings as CSV (as a city would upload them); returns the row count."""
    data = frame(series, start, end)
    data.write_csv(path, datetime_format="%Y-%m-%dT%H:%M:%S%z")
    return data.height


__all__ = ["HOLIDAYS", "Effect", "Series", "frame", "write_csv"]
