"""In a real browser: the language switcher turns the pages Polish, a Polish user reads the order card
in Polish date and money formats, and the profile page changes name, language and password."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.models import User
from orders.models import Order
from orders.services import order_create
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD
from tests.origins import TEST_ORIGIN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NBSP = "\xa0"


def test_the_switcher_turns_the_pages_polish_and_remembers_it(page):
    member = MembershipFactory(account__name="Alpha Wholesale")
    log_in(page, member.user.email, TEST_PASSWORD)
    assert page.locator("nav").get_by_role("link", name="Orders").is_visible()
    with page.expect_navigation():
        page.get_by_label("Language").select_option("pl")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "pl"
    nav = page.locator("nav")
    assert nav.get_by_role("link", name="Zamówienia").is_visible()
    assert nav.get_by_role("link", name="Produkty").is_visible()
    assert "Ostatnie zamówienia" in page.content() or "Nie ma jeszcze zamówień." in page.content()
    assert User.objects.get(pk=member.user.pk).language == "pl"
    # Another page, the same language, whatever the browser asks (en-GB).
    page.goto("/orders/")
    assert page.get_by_role("heading", name="Zamówienia").first.is_visible()


def test_a_polish_user_reads_the_order_card_in_polish_formats(page):
    member = MembershipFactory(account__name="Hurtownia Alfa", user__language="pl")
    order = order_create(
        account=member.account,
        lines=[{"name": "Lampka nocna", "price_brutto": Decimal("1075.97"), "quantity": 2}],
        origin=TEST_ORIGIN,
        currency="PLN",
        delivery_price=Decimal("15.00"),
    )
    moment = datetime.datetime(2026, 11, 29, 18, 35, tzinfo=datetime.UTC)
    Order.objects.filter(pk=order.pk).update(date_add=moment, date_in_status=moment)
    page.goto("/login/")
    page.get_by_label("E-mail address").fill(member.user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(f"/orders/{order.pk}/")
    card = page.locator("main").inner_text()
    assert f"Zamówienie #{order.pk}" in card
    assert "29.11.2026, 19:35" in card  # 18:35 UTC in the company's Warsaw time
    assert f"2{NBSP}151,94{NBSP}zł" in card  # the line's value
    assert f"2{NBSP}166,94{NBSP}zł" in card  # the total with delivery
    assert "€" not in card and "p.m." not in card and "PLN" not in card
    # The amount stays on one line in a narrow column too.
    page.set_viewport_size({"width": 390, "height": 844})
    total = page.locator("tfoot th.num").first
    assert total.evaluate("e => e.getClientRects().length") == 1


def test_the_profile_page_changes_name_language_and_password(page):
    member = MembershipFactory(account__name="Alpha Wholesale", user__full_name="Ola Nowak")
    log_in(page, member.user.email, TEST_PASSWORD)
    page.get_by_role("link", name="Ola Nowak").click()
    page.wait_for_url("**/profile/")
    page.get_by_label("Your name").fill("Aleksandra Nowak")
    page.locator("main").get_by_label("Language").select_option("pl")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url("**/profile/")
    assert "Profil zapisany." in page.locator(".messages").inner_text()
    assert page.get_by_role("heading", name="Twój profil").is_visible()
    assert page.locator("header").get_by_role("link", name="Aleksandra Nowak").is_visible()

    # A wrong current password is refused with a message next to it; nothing changes.
    assert (
        page.get_by_text("Stare hasło").is_visible() and page.get_by_text("Nowe hasło (powtórz)").is_visible()
    )
    page.locator("#id_old_password").fill("not-my-password")
    page.locator("#id_new_password1").fill("a-brand-new-password-2026")
    page.locator("#id_new_password2").fill("a-brand-new-password-2026")
    page.get_by_role("button", name="Zmień hasło").click()
    assert "Podane stare hasło jest niepoprawne" in page.locator("main").inner_text()
    page.locator("#id_old_password").fill(TEST_PASSWORD)
    page.locator("#id_new_password1").fill("a-brand-new-password-2026")
    page.locator("#id_new_password2").fill("a-brand-new-password-2026")
    page.get_by_role("button", name="Zmień hasło").click()
    page.wait_for_url("**/profile/")
    assert "Twoje hasło zostało zmienione." in page.locator(".messages").inner_text()

    # Signed out, the login page stays Polish; the new password signs in.
    page.get_by_role("button", name="Wyloguj się").click()
    page.wait_for_url("**/login/")
    page.get_by_label("Adres e-mail").fill(member.user.email)
    page.get_by_label("Hasło").fill("a-brand-new-password-2026")
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(lambda url: not url.endswith("/login/"))
    user = User.objects.get(pk=member.user.pk)
    assert (user.full_name, user.language) == ("Aleksandra Nowak", "pl")
