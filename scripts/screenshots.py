"""Screenshots of the main pages at phone (390 px) and laptop (1366 px) width, in English and Polish.

    .venv/bin/python scripts/screenshots.py [--base-url http://127.0.0.1:8000] [--out docs/screenshots]

Runs against a running Hurtlink with the demo loaded (`make run`); signs in as the demo wholesaler and
the demo shop and writes one PNG per page, width and language. Uses Debian's Chromium
(`sh scripts/ensure-chromium`).
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
    ("shop", "connect-shop", "/connect/"),
]


def _first_link(page, list_path: str, pattern: str) -> str | None:
    page.goto(list_path)
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if href and re.match(pattern, href):
            return href
    return None


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
                        file = out / f"{name}-{width_name}-{language}.png"
                        page.screenshot(path=str(file), full_page=True)
                        print(f"{file}  ({response.status if response else '?'} {target})")
                    context.close()
        browser.close()


if __name__ == "__main__":
    main()
