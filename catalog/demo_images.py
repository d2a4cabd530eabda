"""Product pictures of the demo, made here rather than fetched from a remote host: the demo works offline
and its product list paints at once.

Each picture is a small square in a colour taken from the product's SKU, with the initials of its name
— a PNG drawn with Pillow, or, where Pillow is not installed, an SVG. Files live under
``MEDIA_ROOT/demo-images/`` and the app serves them at ``/demo-images/<file>`` (:func:`demo_image`);
the products' image rows point there.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

SIZE = 240
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.(png|svg)\Z")
CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "demo-images"


def _pillow_available() -> bool:
    try:
        import PIL.Image  # noqa: F401
    except ImportError:
        return False
    return True


def extension() -> str:
    """``png`` with Pillow, else ``svg``."""
    return "png" if _pillow_available() else "svg"


def file_name(sku: str, position: int) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]", "-", sku) or "product"
    return f"{stem}{'' if position == 0 else f'-{position}'}.{extension()}"


def image_url(name: str) -> str:
    """The picture's address on this site (relative: the demo works at whatever host and port it runs)."""
    return f"/demo-images/{name}"


def _colours(seed: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(seed.encode()).digest()
    hue = digest[0] / 255
    import colorsys

    background = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, 0.88, 0.55))
    ink = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, 0.32, 0.6))
    return background, ink  # type: ignore[return-value]


def _initials(name: str) -> str:
    """Two letters in plain ASCII (Ł → L, Ś → S), which every font draws."""
    plain = unicodedata.normalize("NFKD", name.replace("Ł", "L").replace("ł", "l"))
    plain = "".join(c for c in plain if c.isascii())
    words = [w for w in re.split(r"[^A-Za-z0-9]+", plain) if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def image_write(*, name: str, product_name: str, seed: str) -> Path:
    """Draw one picture (if its file is not there yet) and return its path."""
    path = folder() / name
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    background, ink = _colours(seed)
    text = _initials(product_name)
    if name.endswith(".png"):
        from PIL import Image, ImageDraw, ImageFont

        image = Image.new("RGB", (SIZE, SIZE), background)
        draw = ImageDraw.Draw(image)
        try:
            font = ImageFont.load_default(size=SIZE // 3)
        except TypeError:  # Pillow < 10.1: a bitmap font of one size
            font = ImageFont.load_default()
        draw.rounded_rectangle(
            (SIZE // 6, SIZE // 6, SIZE * 5 // 6, SIZE * 5 // 6), radius=SIZE // 10, outline=ink, width=4
        )
        draw.text((SIZE / 2, SIZE / 2), text, fill=ink, font=font, anchor="mm")
        image.save(path, "PNG", optimize=True)
    else:
        colour = "#%02x%02x%02x"
        third, inset = SIZE // 3, SIZE // 6
        path.write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
            f'viewBox="0 0 {SIZE} {SIZE}"><rect width="100%" height="100%" fill="{colour % background}"/>'
            f'<rect x="{inset}" y="{inset}" width="{2 * third}" height="{2 * third}" rx="{SIZE // 10}" '
            f'fill="none" stroke="{colour % ink}" stroke-width="4"/>'
            f'<text x="50%" y="50%" dominant-baseline="central" text-anchor="middle" '
            f'font-family="sans-serif" font-size="{third}" fill="{colour % ink}">{text}</text></svg>'
        )
    return path


def images_write(rows) -> int:
    """Draw the pictures of ``rows`` — (file name, product name, SKU) — that are missing; returns how many
    files there are."""
    count = 0
    for name, product_name, sku in rows:
        image_write(name=name, product_name=product_name or sku, seed=sku)
        count += 1
    return count


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def demo_image(request, name: str):
    """A demo picture: public (it shows no account's data, only a colour and two letters)."""
    if not FILE_NAME.match(name):
        raise Http404
    path = folder() / name
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]])
