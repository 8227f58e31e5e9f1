"""QR codes pointing at the registration link (for posters, leaflets and desks)."""

from __future__ import annotations

import io

import segno

# Level M survives a scratched or rain-marked vinyl sign and still fits a short URL in a small code.
_ERROR_LEVEL = "m"


def qr_png(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    segno.make(url, error=_ERROR_LEVEL, boost_error=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    segno.make(url, error=_ERROR_LEVEL, boost_error=False).save(
        out, kind="svg", scale=scale, border=4, xmldecl=False, title="QR", unit="px"
    )
    return out.getvalue()
