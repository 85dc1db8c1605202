"""Photos sent with feedback: judged by their bytes, stripped of metadata, stored, deleted.

A photo is decoded fully and re-encoded from its pixels, so nothing but the pixels survives:
no EXIF (camera, time, GPS position), no XMP, no text chunks, no ICC profile. The EXIF
orientation is applied first, so the stripped photo still shows the right way up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

from lab.exceptions import InvalidInput, ServiceUnavailable
from lab.feedback.models import MAX_PHOTO_BYTES
from lab.objectstore import bucket_prefix
from storage import bucket_name, delete_prefix, put_bytes

_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
# Far above any phone camera, far below what would exhaust the worker's memory.
_MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str
    extension: str
    original_sha256: str


def decode(encoded: str) -> bytes:
    """The bytes of a base64 photo, or a refusal naming `photo`."""
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("The photo is not valid base64.", field="photo") from exc
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"The photo is {len(data)} bytes; at most {MAX_PHOTO_BYTES} "
                           "(5 MB) are accepted.", field="photo")
    if not data:
        raise InvalidInput("The photo is empty.", field="photo")
    return data


def clean(data: bytes) -> CleanPhoto:
    """Check a JPEG or PNG by its bytes and re-encode it without any metadata."""
    from PIL import Image, ImageOps

    if data.startswith(_JPEG):
        fmt, content_type, ext = "JPEG", "image/jpeg", "jpg"
    elif data.startswith(_PNG):
        fmt, content_type, ext = "PNG", "image/png", "png"
    else:
        raise InvalidInput("The photo must be a JPEG or a PNG (judged by its content, not "
                           "its name).", field="photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                if image.width * image.height > _MAX_PIXELS:
                    raise InvalidInput("The photo has too many pixels.", field="photo")
                image.load()
                pixels: Any = ImageOps.exif_transpose(image)
    except InvalidInput:
        raise
    except Exception as exc:  # Pillow raises many kinds for broken or hostile files
        raise InvalidInput("The photo cannot be read: the file is damaged or not a real "
                           f"{fmt}.", field="photo") from exc
    pixels = _plain(pixels, fmt)
    out = io.BytesIO()
    if fmt == "JPEG":
        pixels.save(out, format="JPEG", quality=88, optimize=True)
    else:
        pixels.save(out, format="PNG", optimize=True)
    return CleanPhoto(out.getvalue(), content_type, ext, hashlib.sha256(data).hexdigest())


def _plain(image: Any, fmt: str) -> Any:
    """A copy carrying pixels only (no `info`: no EXIF, XMP, ICC, text chunks)."""
    mode = image.mode
    if fmt == "JPEG" and mode not in ("RGB", "L", "CMYK"):
        image, mode = image.convert("RGB"), "RGB"
    from PIL import Image

    plain = Image.new(mode, image.size)
    if mode == "P":
        plain.putpalette(image.getpalette() or [])
    plain.paste(image)
    return plain


def bucket() -> str:
    """The attachments bucket."""
    return bucket_name("attachments", bucket_prefix())


def key_for(pilot_id: uuid.UUID, feedback_id: uuid.UUID, extension: str) -> str:
    """Where a feedback's photo lives: `<pilot>/<feedback>/photo.<ext>`."""
    return f"{pilot_id}/{feedback_id}/photo.{extension}"


def store(client: Any, key: str, photo: CleanPhoto) -> None:
    """Write the cleaned photo; a failure is a 503, and the caller stores no row."""
    if client is None:
        raise ServiceUnavailable("The object store is not configured; photos cannot be kept.")
    try:
        put_bytes(client, bucket(), key, photo.data, content_type=photo.content_type)
    except Exception as exc:
        raise ServiceUnavailable("The photo could not be stored; nothing was saved. "
                                 "Try again later.") from exc


def remove(client: Any, pilot_id: uuid.UUID, feedback_id: uuid.UUID) -> int:
    """Delete every object of one feedback; returns how many."""
    if client is None:
        raise ServiceUnavailable("The object store is not configured; photos cannot be "
                                 "deleted now. Try again later.")
    return delete_prefix(client, bucket(), f"{pilot_id}/{feedback_id}/")


__all__ = ["CleanPhoto", "bucket", "clean", "decode", "key_for", "remove", "store"]
