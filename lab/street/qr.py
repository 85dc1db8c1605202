"""QR codes of the quick page's address, drawn by segno (SVG and PNG)."""

from __future__ import annotations

import io

import segno


def svg(url: str, *, scale: int = 8, title: str | None = None, fit: bool = False) -> str:
    """The QR code of `url` as a standalone SVG document (dark on white); with `fit`, without
    a fixed size (a viewBox only), to scale to the box it is drawn in."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        out, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True,
        title=title, nl=False, omitsize=fit, light="#fff")
    return out.getvalue().decode()


def png(url: str, *, scale: int = 8) -> bytes:
    """The QR code of `url` as a PNG image (dark on white)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


__all__ = ["png", "svg"]
