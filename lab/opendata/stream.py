"""Streaming an open dataset's stored Parquet, as is or converted to CSV batch by batch."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from minio import Minio

from lab.datasets.objects import RangedObject, bucket

CHUNK = 1024 * 1024
BATCH_ROWS = 50_000


def parquet_chunks(client: Minio, key: str) -> Iterator[bytes]:
    """The stored object, in chunks of 1 MiB."""
    response = client.get_object(bucket(), key)
    try:
        yield from response.stream(CHUNK)
    finally:
        response.close()
        response.release_conn()


def _plain(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Dictionary-encoded columns decoded (CSV holds values, not codes)."""
    columns: list[Any] = [c.dictionary_decode() if pa.types.is_dictionary(c.type) else c
                          for c in batch.columns]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def csv_chunks(client: Minio, key: str, batch_rows: int = BATCH_ROWS) -> Iterator[bytes]:
    """CSV with a header, one batch of rows at a time: memory follows the batch, not the file."""
    parquet = pq.ParquetFile(RangedObject(client, bucket(), key), pre_buffer=False)
    header = True
    for batch in parquet.iter_batches(batch_size=batch_rows):
        out = io.BytesIO()
        pacsv.write_csv(_plain(batch), out, pacsv.WriteOptions(include_header=header))
        header = False
        yield out.getvalue()
    if header:  # no rows: the header alone
        yield (",".join(f'"{n}"' for n in parquet.schema_arrow.names) + "\n").encode()


__all__ = ["BATCH_ROWS", "csv_chunks", "parquet_chunks"]
