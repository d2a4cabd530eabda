"""The A6 shipping label of a package, as a PDF made with reportlab."""

from __future__ import annotations

import functools
import io
import os
import unicodedata
from decimal import Decimal

import reportlab
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from config import formats

# DejaVu Sans covers Polish and most European scripts; reportlab's own Vera is the fallback that is
# always there (it lacks some Polish letters, which are then printed without their diacritics).
_FONT_CANDIDATES = (
    ("HurtlinkDejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    ("HurtlinkDejaVu", "/usr/share/fonts/TTF/DejaVuSans.ttf"),
    ("HurtlinkDejaVu", "/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    ("HurtlinkVera", os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")),
)
# The tracking number is plain ASCII: a standard font keeps it readable text inside the PDF.
_NUMBER_FONT = "Helvetica-Bold"

MARGIN = 5 * mm


@functools.cache
def _font() -> tuple[str, frozenset[int]]:
    """Register the label font once; returns its name and the code points it can draw."""
    for name, path in _FONT_CANDIDATES:
        if os.path.exists(path):
            font = TTFont(name, path)
            pdfmetrics.registerFont(font)
            return name, frozenset(font.face.charToGlyph)
    return "Helvetica", frozenset(range(32, 127))


def _printable(text: str, glyphs: frozenset[int]) -> str:
    """``text`` with every character the font cannot draw replaced by its base letter (ą → a)."""
    out = []
    for char in text:
        if ord(char) in glyphs:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        out.append(base if base and all(ord(c) in glyphs for c in base) else "?")
    return "".join(out)


def _number(value) -> str:
    """1.250 → "1.25" (en) / "1,25" (pl), 30.00 → "30" (never "3E+1"), in the label's locale."""
    return formats.format_number(Decimal(value or 0))


def _sender_lines(account) -> list[str]:
    country = account.country.name if account.country else ""
    lines = [
        account.name,
        account.street,
        " ".join(part for part in (account.postcode, account.city) if part),
        str(country),
        account.phone,
    ]
    return [line for line in lines if line]


def _recipient_lines(order) -> list[str]:
    lines = [order.delivery_fullname, order.delivery_company]
    if order.delivery_point_id or order.delivery_point_name:
        point = order.delivery_point_name or ""
        lines.append(_("Pickup point: %(point)s") % {"point": f"{point} {order.delivery_point_id}".strip()})
        lines += [
            order.delivery_point_address,
            " ".join(p for p in (order.delivery_point_postcode, order.delivery_point_city) if p),
        ]
    else:
        lines += [
            order.delivery_address,
            " ".join(p for p in (order.delivery_postcode, order.delivery_city) if p),
            order.delivery_state,
        ]
    lines += [order.delivery_country_code, order.phone]
    return [line for line in lines if line]


class _Writer:
    """Draws wrapped text top-down inside the label's margins."""

    def __init__(self, canvas: Canvas, font: str, glyphs: frozenset[int]):
        self.canvas = canvas
        self.font = font
        self.glyphs = glyphs
        self.width, height = A6
        self.y = height - MARGIN
        # Below this the barcode and the number are drawn; text never runs into them.
        self.floor = MARGIN + 31 * mm

    def text(self, text: str, size: float = 8, max_lines: int = 2, indent: float = 0) -> None:
        usable = self.width - 2 * MARGIN - indent
        lines = simpleSplit(_printable(text, self.glyphs), self.font, size, usable)[:max_lines]
        self.canvas.setFont(self.font, size)
        for line in lines:
            if self.y - size * 1.2 < self.floor:
                return
            self.y -= size * 1.2
            self.canvas.drawString(MARGIN + indent, self.y, line)

    def gap(self, points: float) -> None:
        self.y -= points

    def rule(self) -> None:
        self.gap(3)
        self.canvas.setLineWidth(0.6)
        self.canvas.line(MARGIN, self.y, self.width - MARGIN, self.y)
        self.gap(2)


def label_render(package) -> bytes:
    """The package's A6 label: sender (the account's company data), recipient (delivery address or
    pickup point), order id, weight and the tracking number as a Code 128 barcode with the number
    printed beneath. Characters the font cannot draw are printed without diacritics, never an error.
    """
    order = package.order
    account = order.account
    font, glyphs = _font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A6, invariant=True)
    number = package.courier_package_nr or ""
    canvas.setTitle(f"{_('Label')} {number}".strip())
    canvas.setAuthor(_printable(account.name, glyphs))
    canvas.setSubject(number)
    write = _Writer(canvas, font, glyphs)
    page_width, _page_height = A6

    write.text("Hurtlink", size=12, max_lines=1)
    write.text(_("Order #%(order)s · package %(package)s") % {"order": order.pk, "package": package.pk}, 7)
    write.rule()
    write.text(_("From:"), size=7, max_lines=1)
    for line in _sender_lines(account):
        write.text(line, size=8, max_lines=2, indent=4)
    write.rule()
    write.text(_("To:"), size=8, max_lines=1)
    for i, line in enumerate(_recipient_lines(order)):
        write.text(line, size=12 if i == 0 else 10, max_lines=2, indent=4)
    write.rule()
    # Numbers in the conventions of the sender's country, whoever prints the label.
    with formats.region_override(account.country.code if account.country else ""):
        write.text(_("Weight: %(weight)s kg") % {"weight": _number(package.weight)}, 9)
        if package.length or package.width or package.height:
            dims = " × ".join(_number(v) for v in (package.length, package.width, package.height))
            write.text(_("Dimensions: %(dims)s cm") % {"dims": dims}, 8)

    if number:
        usable = page_width - 2 * MARGIN
        bar_width = 0.42 * mm
        barcode = Code128(number, barHeight=22 * mm, barWidth=bar_width, humanReadable=False, quiet=False)
        if barcode.width > usable:
            barcode = Code128(
                number,
                barHeight=22 * mm,
                barWidth=bar_width * usable / barcode.width,
                humanReadable=False,
                quiet=False,
            )
        x = (page_width - barcode.width) / 2
        barcode.drawOn(canvas, x, MARGIN + 6 * mm)
        canvas.setFont(_NUMBER_FONT, 11)
        canvas.drawCentredString(page_width / 2, MARGIN + 1.5 * mm, number)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
