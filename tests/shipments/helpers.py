"""Shared by the shipments tests: orders to ship and a look inside label PDFs."""

from __future__ import annotations

import base64
import contextlib
import re
import zlib
from decimal import Decimal

from orders.services import order_create
from tests.origins import TEST_ORIGIN


def make_order(account, **fields):
    fields.setdefault("delivery_fullname", "Zażółć Gęślą Jaźń")
    fields.setdefault("delivery_address", "ul. Żółkiewskiego 5")
    fields.setdefault("delivery_postcode", "00-950")
    fields.setdefault("delivery_city", "Gdańsk")
    fields.setdefault("delivery_country_code", "PL")
    return order_create(
        account=account,
        lines=[{"name": "Koszulka", "quantity": 1, "price_brutto": Decimal("10")}],
        **fields,
        origin=TEST_ORIGIN,
    )


def pdf_page_contents(pdf: bytes) -> bytes:
    """Every stream of the PDF, decoded (reportlab writes page contents ASCII85 + Flate encoded)."""
    out = []
    for raw in re.findall(rb">>\s*stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        data = raw.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2])
        with contextlib.suppress(zlib.error):
            data = zlib.decompress(data)
        out.append(data)
    return b"\n".join(out)


def pdf_media_box(pdf: bytes) -> tuple[float, ...]:
    match = re.search(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)
    assert match, "no page size in the PDF"
    return tuple(round(float(v), 1) for v in match.group(1).split())


A6_POINTS = (0.0, 0.0, 297.6, 419.5)
