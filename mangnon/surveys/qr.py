"""QR codes of the schools' links (segno: pure Python, no image library), for the printed sheet and the
downloads. The SVG is inline-safe (no XML declaration) and scales with CSS; the PNG is for slides and chat."""

from __future__ import annotations

from io import BytesIO

import segno

# Error correction "M" (15 %): survives a smudged or folded printout while keeping the code small.
_ERROR = "m"


def svg(url: str, *, scale: int = 4) -> str:
    """The QR code of `url` as an <svg> element to put in a page (no XML declaration, sized by viewBox)."""
    out = BytesIO()
    segno.make(url, error=_ERROR, micro=False).save(
        out, kind="svg", scale=scale, border=2, xmldecl=False, svgclass="qr", omitsize=True
    )
    return out.getvalue().decode("utf-8")


def svg_file(url: str, *, scale: int = 8) -> bytes:
    """The QR code of `url` as a standalone SVG file."""
    out = BytesIO()
    segno.make(url, error=_ERROR, micro=False).save(out, kind="svg", scale=scale, border=4)
    return out.getvalue()


def png(url: str, *, scale: int = 10) -> bytes:
    """The QR code of `url` as a PNG image, large enough to print."""
    out = BytesIO()
    segno.make(url, error=_ERROR, micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
