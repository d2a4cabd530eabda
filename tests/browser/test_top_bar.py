"""In a real browser: on a phone the top bar is two rows — every section link in view, the account
switcher, the profile (an icon) and log-out — and the page never scrolls sideways; on a laptop it is one row
with the user's name."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in_polish(page):
    member = MembershipFactory(
        account__name="Hurtownia Demo Sp. z o.o.", user__language="pl", user__full_name="Anna Nowak"
    )
    MembershipFactory(user=member.user, account__name="Sklep Drugi Sp. z o.o.")
    log_in(page, member.user.email, TEST_PASSWORD)
    page.goto("/orders/")
    return member


def test_on_a_phone_the_top_bar_is_two_rows_with_every_section_in_view(phone_page):
    _signed_in_polish(phone_page)
    nav = phone_page.locator("header.topbar nav")
    for name in ("Produkty", "Zamówienia", "Integracje", "Ustawienia"):
        box = nav.get_by_role("link", name=name, exact=True).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, name
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    header = phone_page.locator("header.topbar").bounding_box()
    assert header["height"] < 140  # two rows, not four
    profile = nav.get_by_role("link", name="Twój profil")
    assert profile.bounding_box()["height"] >= 40
    account = phone_page.get_by_label("Aktywne konto")
    assert account.is_visible() and account.bounding_box()["x"] + account.bounding_box()["width"] <= 390
    assert nav.get_by_role("button", name="Wyloguj się").is_visible()
    profile.click()
    phone_page.wait_for_url("**/profile/")


def test_on_a_laptop_the_top_bar_is_one_row_with_the_users_name(page):
    _signed_in_polish(page)
    nav = page.locator("header.topbar nav")
    assert nav.get_by_text("Anna Nowak").is_visible()
    rows = {
        round(nav.get_by_role("link", name=name, exact=True).bounding_box()["y"]) for name in ("Zamówienia",)
    }
    logout = nav.get_by_role("button", name="Wyloguj się").bounding_box()
    assert abs(logout["y"] - min(rows)) < 30


def test_on_a_phone_an_empty_lists_message_wraps_on_the_screen(phone_page):
    _signed_in_polish(phone_page)
    phone_page.goto("/settings/tokens/")
    empty = phone_page.locator("td.empty").first
    box = empty.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
