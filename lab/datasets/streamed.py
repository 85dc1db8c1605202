"""Converting an uploaded version from the object store into it, with no full local copy.

The source is read where it is stored when it is Parquet, and downloaded when it is CSV;
`data.parquet` and `rollup.parquet` go into the store as they are written, in multipart
uploads of `PART_SIZE` parts (`storage.upload_stream`); the description (rows, time range,
zones) is gathered from the sorted ranges as they are written, so a file refused for
missing times or zones is never completed in the store. What stays local is what the
out-of-core sort needs: its range files (about the data's size, uncompressed), and a CSV's
download.

Measured by `bench/scale.py --parts conversion --via-s3` on a quiet 2-core machine (the S3
server shares the CPUs): 100 M rows, a Parquet source read in place with its outputs
streamed 31.2 s / 1,224 MiB peak against 18.3 s / 1,067 MiB from and to local files; a
CSV source (downloaded) 46.7 s / 1,227 MiB against 23.8 s / 1,081 MiB. 10 M rows:
Parquet 3.8 s / 1,143 MiB against 2.3 s / 1,017 MiB; CSV 5.2 s / 1,076 MiB against
3.1 s / 904 MiB. Peak memory stays the sort's, whatever the rows.

Why each choice, measured with Polars 2.1 against `weed mini` (a probe of child processes,
peak RSS as VmHWM, 2 CPUs):
- `scan_parquet("s3://…")` reads by ranged GETs, never the whole object: streaming a
  3.2 GiB, 500 M-row Parquet object to a local Parquet file peaked at 416 MiB (300 MiB from
  the local file), 56 s against 52 s; 179 MiB, 25 M rows: 327 against 230 MiB. So a
  Parquet upload is read in place. Its SHA-256 cannot be checked on bytes read out of order
  by Polars, so it is checked in one streamed pass first (`objects.check_in_place`: no
  disk, a few MiB), and the ETag after the conversion must be the one that pass saw.
- `scan_csv("s3://…")` downloads the whole object into Polars' own file cache
  (`/tmp/polars-<hash>/file-cache`: 1,070,226,016 bytes for a 1 GiB CSV) before reading it,
  mapped (1,297 MiB peak to count its rows; 426 MiB to sink it to Parquet): a full local
  copy all the same, unchecked and outside the job's work dir. So a CSV is downloaded by
  the job, its SHA-256 checked as it streams, as before.
- The description was first read back from the stored object (two columns, ranged GETs);
  it is now gathered from the sorted ranges (`convert._Describer`): 1.6 s less at 100 M
  rows, and a refusal comes before the upload completes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, cast

from minio import Minio

from lab.datasets import convert, objects
from storage import PARQUET_CONTENT_TYPE, StoredObject, client_info, polars_options, upload_stream

# Parts of the streamed outputs: memory per output, whatever the version's size.
PART_SIZE = 16 * 1024 * 1024

Progress = Callable[[float, str], None]


def convert_stored(client: Minio, *, bucket: str, dataset_id: uuid.UUID,
                   version_id: uuid.UUID, source: convert.Source, source_size: int | None,
                   source_sha256: str, source_etag: str | None, work_dir: Path,
                   time_column: str, zone_column: str,
                   progress: Progress = lambda _f, _m: None,
                   ) -> tuple[StoredObject, convert.Description]:
    """Convert a stored upload into `data.parquet` and `rollup.parquet` beside it.

    On any failure the outputs' uploads are aborted (or a completed one removed), so the
    version's prefix holds at most what it held before.
    """
    options = polars_options(client_info(client))
    key = objects.source_key(dataset_id, version_id, source.format)
    data_key = objects.data_key(dataset_id, version_id)
    received: StoredObject | None = None
    if source.format == "parquet":
        progress(0.05, "checking the upload where it is stored")
        received = objects.check_in_place(client, bucket, key, size=source_size,
                                          sha256=source_sha256, etag=source_etag)
        reading: Path | str = f"s3://{bucket}/{key}"
    else:
        progress(0.05, "fetching the upload")
        reading = work_dir / f"source.{source.format}"
        objects.download(client, bucket, key, reading, sha256=source_sha256)
    progress(0.2, "sorting by zone and time, writing Parquet to the object store")
    with upload_stream(client, bucket, data_key, content_type=PARQUET_CONTENT_TYPE,
                       part_size=PART_SIZE) as data, \
            upload_stream(client, bucket, objects.rollup_key(dataset_id, version_id),
                          content_type=PARQUET_CONTENT_TYPE, part_size=PART_SIZE) as rollup:
        described = convert.convert(reading, source, cast(BinaryIO, data),
                                    rollup=cast(BinaryIO, rollup),
                                    work_dir=work_dir, time_column=time_column,
                                    zone_column=zone_column,
                                    storage_options=options if received is not None else None)
        if received is not None:
            objects.check_unchanged(client, received)
    if data.stored is None:  # pragma: no cover - set whenever the block ends normally
        raise RuntimeError("the converted version was not stored")
    return data.stored, described


__all__ = ["PART_SIZE", "convert_stored"]
