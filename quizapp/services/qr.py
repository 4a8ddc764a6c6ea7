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


def inline_svg(text: str) -> str:
    """``text`` as a QR code in an SVG element (no XML prolog, no id: several fit one page),
    one path of horizontal runs of dark modules, a quiet zone of two modules, sized by CSS."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    path = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                path.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (f'<svg class="qr-code" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
            f'shape-rendering="crispEdges" aria-hidden="true" focusable="false">'
            f'<rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path fill="#000" d="{"".join(path)}"/></svg>')
