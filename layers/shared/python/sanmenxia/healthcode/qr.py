"""QR images of a health-code token (PNG and SVG), drawn in the code's colour (绿码/黄码/红码)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

from sanmenxia.holds import CodeColor

#: Module colours, dark enough to scan on a phone screen.
FILL: dict[CodeColor, str] = {CodeColor.GREEN: "#0a8f3c", CodeColor.YELLOW: "#c99a00", CodeColor.RED: "#c62828"}


def _code(token: str) -> qrcode.QRCode:  # type: ignore[type-arg]
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(token)
    code.make(fit=True)
    return code


def qr_png(token: str, color: CodeColor) -> bytes:
    """A PNG of ``token`` with modules in the colour of the code."""
    image = _code(token).make_image(fill_color=FILL[color], back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(token: str, color: CodeColor) -> str:
    """An SVG (one path) of ``token`` with modules in the colour of the code."""
    image = _code(token).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    svg = image.to_string(encoding="unicode")
    return str(svg).replace('fill="#000000"', f'fill="{FILL[color]}"')
