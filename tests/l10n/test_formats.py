"""Dates, numbers and money in the reader's locale and the document's currency; machine files keep
machine formats; the order timeline names fields as people do."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from catalog.models import Inventory, Price, Product, ProductText
from config import formats
from orders.models import Order
from orders.services import order_create, order_payment_set, order_update
from tests.origins import TEST_ORIGIN

NBSP = "\xa0"
MOMENT = datetime.datetime(2026, 11, 29, 18, 35, tzinfo=datetime.UTC)


def _in(language: str, region: str, fn, *args):
    with translation.override(language), formats.region_override(region):
        return fn(*args)


@pytest.mark.parametrize(
    ("language", "region", "expected"),
    [
        ("pl", "PL", "29.11.2026, 18:35"),
        ("en", "DE", "29/11/2026, 18:35"),
        ("en", "PL", "29/11/2026, 18:35"),
        ("en", "", "29/11/2026, 18:35"),
        ("en", "US", "11/29/26, 6:35" + NBSP + "PM"),
    ],
)
def test_moments_follow_the_language_and_region_and_never_wrap(language, region, expected):
    assert _in(language, region, formats.format_datetime, MOMENT) == expected


@pytest.mark.parametrize(
    ("language", "region", "currency", "expected"),
    [
        ("pl", "PL", "PLN", f"1{NBSP}075,97{NBSP}zł"),
        ("pl", "PL", "EUR", f"1{NBSP}075,97{NBSP}€"),
        ("en", "GB", "PLN", "PLN\xa01,075.97"),
        ("en", "DE", "EUR", f"1.075,97{NBSP}€"),
        ("en", "US", "USD", "$1,075.97"),
        ("pl", "PL", "JPY", f"1{NBSP}076{NBSP}JPY"),
    ],
)
def test_money_is_in_its_own_currency_with_grouping_and_no_breaking_space(
    language, region, currency, expected
):
    assert _in(language, region, formats.format_money, Decimal("1075.97"), currency) == expected


def test_numbers_group_thousands_and_keep_up_to_three_decimals():
    assert _in("pl", "PL", formats.format_number, Decimal("12345.678")) == f"12{NBSP}345,678"
    assert _in("en", "GB", formats.format_number, Decimal("12345.500")) == "12,345.5"
    assert _in("en", "GB", formats.format_number, 30) == "30"
    assert _in("pl", "PL", formats.format_number, Decimal("2.5"), 2) == "2,50"


def test_what_is_not_a_number_is_shown_as_it_is():
    assert formats.format_money(None, "PLN") == ""
    assert formats.format_money("n/a", "PLN") == "n/a"
    assert formats.format_number(Decimal("Infinity")) == "Infinity"


@pytest.fixture
def polish_order(db, account_a):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    product = Product.objects.create(account=account_a, inventory=inventory, sku="LAMP-1")
    ProductText.objects.create(product=product, language=inventory.default_language, name="Lampka")
    Price.objects.create(
        product=product, price_group=inventory.default_price_group, amount=Decimal("1075.97")
    )
    order = order_create(
        account=account_a,
        lines=[{"name": "Lampka", "price_brutto": Decimal("1075.97"), "quantity": 1}],
        origin=TEST_ORIGIN,
        currency="PLN",
        delivery_city="Kraków",
    )
    Order.objects.filter(pk=order.pk).update(date_add=MOMENT, date_in_status=MOMENT)
    order_update(order=order, origin=TEST_ORIGIN, delivery_city="Gdańsk")
    order_payment_set(
        order=Order.objects.get(pk=order.pk), payment_done=Decimal("1075.97"), origin=TEST_ORIGIN
    )
    return Order.objects.get(pk=order.pk)


def _card(client, user, order, language: str, accept: str = "") -> str:
    User.objects.filter(pk=user.pk).update(language=language)
    client.force_login(User.objects.get(pk=user.pk))
    response = client.get(reverse("orders:order-detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    return response.content.decode()


def test_a_polish_user_reads_the_order_card_in_polish_formats(client, user_a, polish_order):
    card = _card(client, user_a, polish_order, "pl")
    assert "29.11.2026, 19:35" in card  # 18:35 UTC in the company's Warsaw time
    assert f"1{NBSP}075,97{NBSP}zł" in card
    assert "1075.97" not in card.replace('value="1075.97"', "")
    assert "€" not in card and "p.m." not in card and "PM" not in card


def test_an_english_user_of_a_polish_company_sees_day_first_dates_and_the_orders_currency(
    client, user_a, polish_order
):
    card = _card(client, user_a, polish_order, "en", accept="pl-PL,pl;q=0.9,en-US;q=0.8")
    assert "29/11/2026, 19:35" in card and "11/29/2026" not in card  # Warsaw time
    assert f"1.075,97{NBSP}PLN" in card and "€" not in card


def _timeline(card: str) -> str:
    return card[card.index('<ol class="timeline">') :].split("</ol>")[0]


def test_the_timeline_names_fields_as_people_do_with_money_in_the_orders_currency(
    client, user_a, polish_order
):
    timeline = _timeline(_card(client, user_a, polish_order, "en"))
    assert "Delivery: city: Kraków → Gdańsk" in timeline
    assert f"Paid: 0,00{NBSP}PLN → 1.075,97{NBSP}PLN" in timeline
    assert "delivery_city" not in timeline and "payment_done" not in timeline and "€" not in timeline
    polish = _timeline(_card(client, user_a, polish_order, "pl"))
    assert "delivery_city" not in polish and f"1{NBSP}075,97{NBSP}zł" in polish


def test_the_csv_export_keeps_machine_formats_for_a_polish_user(client, user_a, polish_order):
    User.objects.filter(pk=user_a.pk).update(language="pl")
    client.force_login(User.objects.get(pk=user_a.pk))
    response = client.get(reverse("catalog:product-export"))
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "1075.97" in body and "1 075,97" not in body and f"1{NBSP}075,97" not in body


def test_dates_follow_the_active_time_zone(settings):
    with timezone.override("Europe/Warsaw"):
        assert _in("pl", "PL", formats.format_datetime, MOMENT) == "29.11.2026, 19:35"


def test_a_message_ending_on_a_company_name_with_a_full_stop_has_one_full_stop():
    from django.template import engines

    shown = engines["django"].from_string("{{ text|sentence }}")
    assert shown.render({"text": "Request sent to Hurtownia Sp. z o.o.. Nothing crosses."}) == (
        "Request sent to Hurtownia Sp. z o.o. Nothing crosses."
    )
    assert (
        shown.render({"text": "Connected with Hurtownia Sp. z o.o.."})
        == "Connected with Hurtownia Sp. z o.o."
    )
    assert shown.render({"text": "Loading..."}) == "Loading..."  # an ellipsis stays
    assert shown.render({"text": "<b>x</b>.."}) == "&lt;b&gt;x&lt;/b&gt;."  # still escaped


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_price_typed_with_a_decimal_comma_is_taken_on_the_new_order_form(
    client, user_a, account_a, language
):
    User.objects.filter(pk=user_a.pk).update(language=language)
    client.force_login(User.objects.get(pk=user_a.pk))
    fields = {
        "source": account_a.order_sources.order_by("pk").first().pk,
        "currency": "PLN",
        "delivery_price": "0",
        "star": "0",
        "shop_order_id": "0",
        "line-0-name": "Usługa",
        "line-0-quantity": "1",
    }
    created = client.post(reverse("orders:order-create"), {**fields, "line-0-price_brutto": "1,99"})
    assert created.status_code == 302
    assert Order.objects.get(account=account_a).lines.get().price_brutto == Decimal("1.99")
    # "1,000" is a thousand in English and one in Polish: a price is refused rather than guessed.
    thousand = client.post(reverse("orders:order-create"), {**fields, "line-0-price_brutto": "1,000"})
    assert thousand.status_code == 200 and 'aria-invalid="true"' in thousand.content.decode()
    assert Order.objects.filter(account=account_a).count() == 1


def test_a_negative_amount_has_the_typographic_minus_the_ledgers_use_beside_charges():
    assert _in("en", "GB", formats.format_money, Decimal("-10"), "EUR") == "\u2212€10.00"
    assert _in("pl", "PL", formats.format_money, Decimal("-3.5"), "PLN") == f"\u22123,50{NBSP}zł"
