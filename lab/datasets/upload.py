"""Receive one file from a multipart/form-data request, streamed to disk under a size limit.

The request body is parsed as it arrives: the part named `file` goes to a temporary file,
other parts are dropped, and the upload is refused with 413 the moment the file passes the
limit (or at once, when the declared Content-Length cannot fit under it).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import anyio
from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from lab.datasets.exceptions import UploadTooLarge
from lab.exceptions import InvalidInput

FIELD = "file"
# Room for the boundaries and part headers around the file in a Content-Length.
_ENVELOPE = 64 * 1024


@dataclass(frozen=True, slots=True)
class ReceivedFile:
    """An uploaded file on local disk; the receiver's caller deletes it."""

    path: Path
    filename: str | None
    size: int


def describe_limit(max_bytes: int) -> str:
    """A limit as people read it: `1.0 GiB (1073741824 bytes)`."""
    size, unit = float(max_bytes), "bytes"
    for next_unit in ("KiB", "MiB", "GiB", "TiB"):
        if size < 1024:
            break
        size, unit = size / 1024, next_unit
    shown = f"{max_bytes} bytes" if unit == "bytes" else f"{size:.1f} {unit} ({max_bytes} bytes)"
    return f"{shown}, set by LAB_MAX_UPLOAD_BYTES"


@dataclass
class _Parts:
    """Callbacks for the parser: collect the file part's bytes, count them, drop the rest."""

    max_bytes: int
    header_name: bytes = b""
    header_value: bytes = b""
    disposition: bytes = b""
    in_file: bool = False
    files: int = 0
    filename: str | None = None
    size: int = 0
    pending: list[bytes] = field(default_factory=list)

    def on_part_begin(self) -> None:
        self.disposition, self.in_file = b"", False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        if options.get(b"name") != FIELD.encode():
            return
        self.files += 1
        if self.files > 1:
            raise InvalidInput(f"Send one file in the part {FIELD!r}, not several.", field=FIELD)
        self.in_file = True
        raw = options.get(b"filename")
        self.filename = os.path.basename(raw.decode("utf-8", "replace"))[:255] if raw else None

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self.in_file:
            return
        self.size += end - start
        if self.size > self.max_bytes:
            raise UploadTooLarge(f"The file is larger than the upload limit of "
                                 f"{describe_limit(self.max_bytes)}.")
        self.pending.append(data[start:end])


def _write(fh: IO[bytes], chunks: list[bytes]) -> None:
    for chunk in chunks:
        fh.write(chunk)


async def receive(request: Request, *, directory: Path, max_bytes: int) -> ReceivedFile:
    """Stream the request's `file` part to a new file in `directory`; 413 past `max_bytes`."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InvalidInput(f"Send the file as multipart/form-data in a part named {FIELD!r}.",
                           field=FIELD)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + _ENVELOPE:
        raise UploadTooLarge(f"The upload declares {declared} bytes, more than the upload "
                             f"limit of {describe_limit(max_bytes)}.")
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix="upload-")
    path = Path(name)
    parts = _Parts(max_bytes)
    parser = MultipartParser(boundary, {  # type: ignore[arg-type]
        "on_part_begin": parts.on_part_begin, "on_header_field": parts.on_header_field,
        "on_header_value": parts.on_header_value, "on_header_end": parts.on_header_end,
        "on_headers_finished": parts.on_headers_finished, "on_part_data": parts.on_part_data})
    try:
        with os.fdopen(fd, "wb") as fh:
            async for chunk in request.stream():
                parser.write(chunk)
                if parts.pending:
                    chunks, parts.pending = parts.pending, []
                    await anyio.to_thread.run_sync(_write, fh, chunks)
            parser.finalize()
        if not parts.files:
            raise InvalidInput(f"No file in the request: send it in a part named {FIELD!r}.",
                               field=FIELD)
    except MultipartParseError as exc:
        path.unlink(missing_ok=True)
        raise InvalidInput(f"The multipart/form-data body is malformed: {exc}",
                           field=FIELD) from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return ReceivedFile(path=path, filename=parts.filename, size=parts.size)


__all__ = ["FIELD", "ReceivedFile", "describe_limit", "receive"]
