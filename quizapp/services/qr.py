"""QR codes drawn on the server, as SVG: sharp at any projector size and on paper."""
from __future__ import annotations

import io

import qrcode
import qrcode.constants
import qrcode.image.svg


def svg(text: str, border: int = 2) -> bytes:
    """``text`` as an SVG QR code (error correction M: a smudged print or a projector's glare
    still reads) with a quiet zone of ``border`` modules."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage,
                        error_correction=qrcode.constants.ERROR_CORRECT_M, border=border)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
