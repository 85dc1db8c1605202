"""Sorting an upload bigger than memory by zone then time, in two streamed passes.

1. **Partition**: zone-range boundaries are taken at quantiles of the first
   `SAMPLE_ROWS` rows' zones; then one streamed Polars sink (`sink_ipc` to a `PartitionBy`)
   writes each row, in upload order, to the Arrow IPC file of its range: a hash lookup of
   the zone (zones the sample missed go to one more file, split by comparisons after).
   Ranges are ordered: every zone of range i sorts before every zone of range i + 1.
2. **Sort**: consecutive ranges are read back together up to `RANGE_BYTES` of Arrow memory,
   sorted in memory by zone then time (stable), and appended to one Parquet writer in row
   groups of exactly `row_group_rows` rows (a tail is carried over to the next group).
   A range bigger than `RANGE_BYTES` (the sample was not representative, or one zone holds
   more rows than the budget) is partitioned again: by its exact zone counts, or, for a
   single zone, by whole-hour time ranges.

The output is the layout an in-memory `sort(zone, time, maintain_order=True)` writes, row
for row: ranges are ordered, and a zone's rows keep upload order before the stable sort.
Peak memory is the streamed sink's (a few hundred MiB) or a few times `RANGE_BYTES` (the
range, its sorted copy, the Arrow copy written, the rollup's arrays), whatever the rows.

Measured with `bench/scale.py` on a quiet 2-core machine (CSV of minute readings from
1,000 sensors in 50 zones, in time order): at 100 M rows (4 GiB) plain `scan_csv →
sink_parquet` 11.9–12.4 s / 431 MiB, this 21.5–23.0 s / 1,043–1,071 MiB (ratio 1.80–1.86
over four runs); at 10 M rows 1.5 s / 406 MiB against 3.0 s / 800–990 MiB (1.87–2.15,
start-up and the 1 M-row zone sample weigh more there). Peak memory is flat in the rows
(the previous in-memory sort: 1.9 GiB at 10 M). On the same quiet machine this module
first took 35.4 s at 100 M (2.76×); what brought it down: writing and rolling up each
sorted range in two threads while the next is sorted (18.6 s of one-after-the-other work
in the second pass became about 10), a first pass that takes cells untrimmed (`convert`;
the trimming cost a quarter of the partition pass), the description gathered while
writing instead of read back (1.6 s), a rollup path for columns without nulls, and no
min/max on text columns but the zone. `RANGE_BYTES` at 64 MiB was tried: at 100 M rows
ranges overflow it and are partitioned again (2.55×).
Tried and dropped:
- a Python loop over `collect_batches` writing range files with pyarrow: 1.7 GiB peak (the
  batches queue up ahead of the consumer) and slower than the partitioned sink;
- range keys as one comparison per boundary: 35 s instead of 27 s for the sink at 10 M rows,
  growing with the number of ranges; the hash lookup does not;
- hash partitioning by zone: no range is needed up front, but zones are no longer sorted
  across the file, so a row group's zone min/max spans most zones and zone filters skip
  nothing;
- sorted runs with a k-way merge: the merge is a row-at-a-time loop in Python (or one more
  full rewrite per merge level), several times slower than sorting whole ranges.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

SAMPLE_ROWS = 1_000_000
MAX_RANGES = 64
RANGE_BYTES = 128 * 1024 * 1024
_MAX_SPLITS = 4
_OVERFLOW = 1 << 20
HOUR_US = 3_600_000_000
_KEY = "__range"

OnSorted = Callable[[pl.DataFrame], None]


@dataclass
class _Range:
    """One partition file (Arrow IPC): its rows in upload order."""

    path: Path
    rows: int
    nbytes: int

    def scan(self) -> pl.LazyFrame:
        return pl.scan_ipc(self.path)

    def read(self) -> pl.DataFrame:
        return pl.read_ipc(self.path)

    def drop(self) -> None:
        self.path.unlink(missing_ok=True)


def _zone_key(zone: str, boundaries: list[str]) -> pl.Expr:
    # Elementwise (the partitioned sink needs it): the number of boundaries at or below the
    # zone. A null zone sorts first: range 0 (the description refuses it afterwards).
    if not boundaries:
        return pl.lit(0, dtype=pl.UInt32)
    return pl.sum_horizontal([(pl.col(zone) >= b).cast(pl.UInt32) for b in boundaries]
                             ).fill_null(0).cast(pl.UInt32)


def _time_key(time: str, low: int, high: int, parts: int) -> pl.Expr:
    # whole hours (the time column is in microseconds): a zone's hour is never cut in two,
    # so the rollups of the pieces need no merging
    low -= low % HOUR_US
    width = HOUR_US * max(1, math.ceil((high - low + 1) / parts / HOUR_US))
    return ((pl.col(time).dt.epoch("us").fill_null(low) - low) // width).cast(pl.UInt32)


def _quantile_zones(zones: pl.Series, parts: int) -> list[str]:
    """Distinct zones at `parts` quantiles of the (row-weighted) zones given, sorted."""
    ordered = zones.drop_nulls().sort()
    if parts <= 1 or ordered.is_empty():
        return []
    picks = {ordered[len(ordered) * i // parts] for i in range(1, parts)}
    return sorted(picks - {ordered[0]})


def _partition(plan: pl.LazyFrame, key: pl.Expr, tmp: Path) -> dict[int, _Range]:
    """Stream `plan` into one IPC file per key value, rows in upload order."""
    sunk: list[Any] = []
    plan.sink_ipc(pl.PartitionBy(tmp, key=key.alias(_KEY), include_key=False,
                                 approximate_bytes_per_file=None),
                  mkdir=True, maintain_order=True, sinked_paths_callback=sunk.append)
    return {int(Path(p.path).parent.name.removeprefix(f"{_KEY}=")):
            _Range(Path(p.path), p.num_rows, p.num_bytes)
            for args in sunk for p in args.paths}


Unit = list[_Range]  # files of disjoint zones, all in one zone interval


def _size(unit: Unit) -> int:
    return sum(r.nbytes for r in unit)


def _scan(unit: Unit) -> pl.LazyFrame:
    return pl.concat([r.scan() for r in unit]) if len(unit) > 1 else unit[0].scan()


def _split(unit: Unit, *, zone: str, time: str, tmp: Path, depth: int) -> list[Unit]:
    """Partition an oversize unit again, in order; [unit] when it cannot be split."""
    parts = min(MAX_RANGES, 2 * math.ceil(_size(unit) / RANGE_BYTES))
    if depth >= _MAX_SPLITS or parts < 2:
        return [unit]
    rows = sum(r.rows for r in unit)
    counts = _scan(unit).group_by(zone).agg(pl.len()).sort(zone, nulls_last=False).collect()
    if counts.height > 1:
        running, boundaries = 0, list[str]()
        for z, n in counts.iter_rows():
            if z is not None and running >= rows * (len(boundaries) + 1) / parts:
                boundaries.append(z)
            running += n
        key = _zone_key(zone, boundaries)
    else:
        low, high = _scan(unit).select(pl.col(time).dt.epoch("us").min().alias("lo"),
                                       pl.col(time).dt.epoch("us").max().alias("hi")
                                       ).collect().row(0)
        if low is None or high is None or high - low < HOUR_US:
            return [unit]
        key = _time_key(time, low, high, parts)
    pieces = _partition(_scan(unit), key, tmp / f"split-{depth}-{uuid.uuid4().hex[:8]}")
    for r in unit:
        r.drop()
    ordered = [[pieces[i]] for i in sorted(pieces)]
    if len(ordered) < 2:
        return ordered
    return [q for p in ordered
            for q in (_split(p, zone=zone, time=time, tmp=tmp, depth=depth + 1)
                      if _size(p) > RANGE_BYTES else [p])]


Sink = Path | BinaryIO  # a local file, or any writable file (a streamed object upload)


class _RowGroups:
    """A Parquet writer that writes row groups of exactly `rows` rows (but the last)."""

    def __init__(self, out: Sink, rows: int, **options: object) -> None:
        self.out, self.rows, self.options = out, rows, options
        self.writer: pq.ParquetWriter | None = None
        self.pending: list[pa.Table] = []
        self.pending_rows = 0

    def write(self, table: pa.Table) -> None:
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.out, table.schema, **self.options)
        self.pending.append(table)
        self.pending_rows += table.num_rows
        if self.pending_rows >= self.rows:
            whole = pa.concat_tables(self.pending)
            full = whole.num_rows // self.rows * self.rows
            self.writer.write_table(whole.slice(0, full), row_group_size=self.rows)
            self.pending = [whole.slice(full)]
            self.pending_rows = whole.num_rows - full

    def close(self, empty: pa.Schema) -> None:
        if self.writer is None:  # no rows: one empty row group, as Polars writes
            self.writer = pq.ParquetWriter(self.out, empty, **self.options)
            self.writer.write_table(empty.empty_table())
        elif self.pending_rows:
            self.writer.write_table(pa.concat_tables(self.pending), row_group_size=self.rows)
        self.writer.close()


def sort_to_parquet(plan: pl.LazyFrame, out: Sink, tmp: Path, *, zone: str, time: str,
                    row_group_rows: int, on_sorted: OnSorted | None = None,
                    check_zones: Callable[[pl.Series], None] | None = None,
                    finished: Callable[[], object] | None = None,
                    **parquet_options: object) -> None:
    """Write `plan` sorted by zone then time (stable) to `out`, in bounded memory.

    `tmp` holds the partition files (about the size of the data, uncompressed); each sorted
    range is also handed to `on_sorted` (ranges hold disjoint zones, in zone order). `out`
    is written front to back, never sought: a file or a stream into the object store.
    `check_zones` sees every distinct zone (the sample's, then those it missed) before
    anything is written to `out`; it may raise to stop there. `finished` is called once
    every range was handed to `on_sorted`, before `out` is closed; it may raise too.
    """
    schema = pl.DataFrame(schema=plan.collect_schema()).to_arrow().schema
    writer = _RowGroups(out, row_group_rows, **parquet_options)
    sample = plan.head(SAMPLE_ROWS).select(zone).collect()[zone]
    boundaries = _quantile_zones(sample, MAX_RANGES)
    known = sample.drop_nulls().unique().sort()
    if check_zones is not None:
        check_zones(known)
    # A hash lookup per row (a comparison with every boundary costs more as ranges grow);
    # zones the sample missed go to one more file, split by comparisons afterwards.
    index = pl.Series(boundaries, dtype=pl.String).search_sorted(known, side="right")
    key = pl.col(zone).replace_strict(known.to_list(), index.to_list(), default=_OVERFLOW,
                                      return_dtype=pl.UInt32)
    ranges = _partition(plan, key, tmp / "ranges")
    overflow = ranges.pop(_OVERFLOW, None)
    if overflow is not None and check_zones is not None:
        check_zones(overflow.scan().select(pl.col(zone).drop_nulls().unique()).collect()[zone])
    extra = (_partition(overflow.scan(), _zone_key(zone, boundaries), tmp / "overflow")
             if overflow is not None else {})
    units = [[r for r in (ranges.get(i), extra.get(i)) if r is not None]
             for i in range(len(boundaries) + 1)]
    if overflow is not None:
        overflow.drop()
    # The sorted ranges are written and rolled up in two threads while the next range is
    # read and sorted (pyarrow's writer and numpy's reductions release the GIL): 100 M
    # rows, this pass took 18.6 s one step after the other (read 2.3, sort 3.6, rollup 4.6,
    # Arrow 0.8, write 7.3).
    handoff = _Handoff(writer, on_sorted)
    try:
        group: list[Unit] = []
        for unit in filter(None, units):
            pieces = _split(unit, zone=zone, time=time, tmp=tmp, depth=0) \
                if _size(unit) > RANGE_BYTES else [unit]
            for piece in pieces:
                if group and sum(map(_size, group)) + _size(piece) > RANGE_BYTES:
                    handoff.send(_sort_group([r for u in group for r in u], zone, time))
                    group = []
                group.append(piece)
        if group:
            handoff.send(_sort_group([r for u in group for r in u], zone, time))
        handoff.finish()
        if finished is not None:
            finished()
        writer.close(schema)
    finally:
        handoff.stop()
        for path in tmp.rglob("*.ipc"):
            path.unlink(missing_ok=True)


class _Handoff:
    """Writes and rolls up each sorted range in its own thread, one range at a time: the
    next `send` waits for the previous range to be written and rolled up (order kept, at
    most one range in their hands), and re-raises what failed there."""

    def __init__(self, writer: _RowGroups, on_sorted: OnSorted | None) -> None:
        self.writer, self.on_sorted = writer, on_sorted
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sorted-range")
        self.pending: list[Future[None]] = []

    def _wait(self) -> None:
        pending, self.pending = self.pending, []
        for future in pending:
            future.result()

    def send(self, frame: pl.DataFrame | None) -> None:
        self._wait()
        if frame is None:
            return
        self.pending.append(self.pool.submit(lambda: self.writer.write(frame.to_arrow())))
        if self.on_sorted is not None:
            self.pending.append(self.pool.submit(self.on_sorted, frame))

    def finish(self) -> None:
        self._wait()

    def stop(self) -> None:
        """Let running work end (its errors are the caller's to raise, not these)."""
        for future in self.pending:
            future.cancel()
        wait(self.pending)
        self.pending = []
        self.pool.shutdown(wait=True)


def _sort_group(group: list[_Range], zone: str, time: str) -> pl.DataFrame | None:
    frames = [r.read() for r in group if r.rows]
    for r in group:
        r.drop()
    if not frames:
        return None
    frame = pl.concat(frames, rechunk=False) if len(frames) > 1 else frames[0]
    del frames
    return frame.sort([zone, time], maintain_order=True)


__all__ = ["SAMPLE_ROWS", "MAX_RANGES", "RANGE_BYTES", "Sink", "sort_to_parquet"]
