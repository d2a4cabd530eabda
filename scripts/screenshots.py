"""Screenshots of the main pages at phone (390 px) and laptop (1366 px) width, in English and Polish.

    .venv/bin/python scripts/screenshots.py [--base-url http://127.0.0.1:8000] [--out docs/screenshots]

Runs against a running Hurtlink with the demo loaded (`make run`); signs in as the demo wholesaler and
the demo shop and writes one JPEG per page, width and language (long pages cut at MAX_HEIGHT). Uses
Debian's Chromium (`sh scripts/ensure-chromium`).
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("HURTLINK_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}
LANGUAGES = ("en", "pl")
USERS = {
    "wholesaler": ("wholesaler@demo.hurtlink.test", "demo-wholesaler-2026"),
    "shop": ("shop@demo.hurtlink.test", "demo-shop-2026"),
}
# (user, name, path or a callable that finds the path on the page)
PAGES = [
    ("wholesaler", "dashboard", "/"),
    ("wholesaler", "product-list", "/catalog/"),
    ("wholesaler", "product-detail", lambda page: _first_link(page, "/catalog/", r"^/catalog/\d+/$")),
    ("wholesaler", "order-list", "/orders/"),
    ("wholesaler", "order-detail", lambda page: _first_link(page, "/orders/", r"^/orders/\d+/$")),
    ("wholesaler", "order-new", "/orders/new/"),
    ("wholesaler", "wms-connections", "/wms/"),
    ("wholesaler", "wms-connection", lambda page: _first_link(page, "/wms/", r"^/wms/connections/\d+/$")),
    ("wholesaler", "connect", "/connect/"),
    (
        "wholesaler",
        "connect-provider",
        lambda page: _first_link(page, "/connect/", r"^/connect/provider/\d+/$"),
    ),
    (
        "wholesaler",
        "connect-contractors",
        lambda page: _first_link(page, "/connect/", r"^/connect/provider/\d+/$", then="contractors/"),
    ),
    (
        "wholesaler",
        "connect-contractor",
        lambda page: _first_link(
            page,
            _first_link(page, "/connect/", r"^/connect/provider/\d+/$", then="contractors/"),
            r"^/connect/provider/\d+/contractors/\d+/$",
        ),
    ),
    ("shop", "connect-shop", "/connect/"),
    ("shop", "connect-supplier", lambda page: _first_link(page, "/connect/", r"^/connect/supplier/\d+/$")),
    ("shop", "profile", "/profile/"),
]
# Long pages are cut at this height (px): the top of a list says what it looks like.
MAX_HEIGHT = 2400


def _first_link(page, list_path: str | None, pattern: str, then: str = "") -> str | None:
    if not list_path:
        return None
    page.goto(list_path)
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if href and re.match(pattern, href):
            return href + then
    return None


def _shoot(page, file: Path) -> None:
    """A JPEG of the whole page, or of its top MAX_HEIGHT pixels when it is longer."""
    height = page.evaluate("() => document.documentElement.scrollHeight")
    width = page.viewport_size["width"]
    options = {"path": str(file), "type": "jpeg", "quality": 72, "full_page": True}
    if height > MAX_HEIGHT:
        options["clip"] = {"x": 0, "y": 0, "width": width, "height": MAX_HEIGHT}
    page.screenshot(**options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--only", default="", help="a comma list of page names")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    only = {name for name in args.only.split(",") if name}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for language in LANGUAGES:
            for width_name, viewport in WIDTHS.items():
                for user in USERS:
                    context = browser.new_context(
                        base_url=args.base_url,
                        viewport=viewport,
                        locale=language,
                        extra_http_headers={"Accept-Language": language},
                    )
                    page = context.new_page()
                    email, password = USERS[user]
                    page.goto("/login/")
                    page.fill("input[name=username]", email)
                    page.fill("input[name=password]", password)
                    page.locator("form button[type=submit]").first.click()
                    page.wait_for_load_state()
                    for page_user, name, path in PAGES:
                        if page_user != user or (only and name not in only):
                            continue
                        target = path(page) if callable(path) else path
                        if not target:
                            print(f"skipped {name}: nothing to open")
                            continue
                        response = page.goto(target)
                        page.wait_for_load_state("networkidle")
                        file = out / f"{name}-{width_name}-{language}.jpg"
                        _shoot(page, file)
                        print(f"{file}  ({response.status if response else '?'} {target})")
                    context.close()
        browser.close()


if __name__ == "__main__":
    main()
