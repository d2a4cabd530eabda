"""What a first user found trying Connect in a browser: each fix seen on the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import currency_choices
from catalog.models import PriceGroup
from connect import services
from connect.models import ConnectIntegration, ContractorLink, CreditEntry
from tests.factories.accounts import MembershipFactory
from tests.factories.connect import owner_tenant, provider_create

pytestmark = pytest.mark.django_db


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def shop_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def join_data(code: str, **changes) -> dict:
    data = {
        "step": "join",
        "code": code,
        "display_name": "Alpha (supplier)",
        "forwarding": "button",
        "price_multiplier": "1.30",
        "quantity_subtract": "0",
        "quantity_keep_percent": "0",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_invoice_country_is_a_choice_of_countries(account_a, account_b, user_b):
    _integration, code = provider_create(account_a)
    shop = shop_client(user_b)
    form = page(shop.post(reverse("connect:join"), {"step": "verify", "code": code}))
    assert '<select name="invoice_country_code"' in form and ">Germany</option>" in form
    invoice = {
        "overwrite_invoice": "on",
        "invoice_company": "Beta Shop",
        "invoice_address": "Main 1",
        "invoice_city": "Berlin",
        "invoice_postcode": "10115",
    }
    refused = page(
        shop.post(reverse("connect:join"), join_data(code, **invoice, invoice_country_code="Germany"))
    )
    assert "Select a valid choice" in refused
    assert not ConnectIntegration.objects.filter(account=account_b).exists()
    joined = shop.post(reverse("connect:join"), join_data(code, **invoice, invoice_country_code="DE"))
    assert joined.status_code == 302, joined.content.decode()[:2000]
    supplier = ConnectIntegration.objects.get(account=account_b)
    assert supplier.contractor_settings.invoice_country_code == "DE"
    tab = page(shop.get(reverse("connect:supplier-detail", args=[supplier.pk])))
    assert '<option value="DE" selected>Germany</option>' in tab


def test_the_join_form_shows_every_error_at_once_and_keeps_the_input(account_a, account_b, user_b):
    _integration, code = provider_create(account_a)
    shop = shop_client(user_b)
    data = join_data(
        code,
        price_multiplier="abc",  # refused by the form
        price_sync="on",  # without a price group: refused by the service's checks
        overwrite_invoice="on",
        invoice_company="Beta Shop",
        invoice_city="",  # no address, city, postcode
        invoice_fullname="Ann Buyer",
    )
    html = page(shop.post(reverse("connect:join"), data))
    assert "Enter a number." in html or "Enter a decimal number" in html or "Enter a valid" in html
    assert "Choose the price group that receives the supplier" in html
    assert "Enter the street and number." in html and "Enter the city." in html
    assert 'value="Ann Buyer"' in html and 'value="abc"' in html
    assert not ConnectIntegration.objects.filter(account=account_b).exists()


def test_wording_names_languages_and_currencies(client_a, account_a, account_b, user_b):
    account_a.name = "Trial Supplier Sp. z o.o."
    account_a.save()
    integration, code = provider_create(account_a, name="Trial Supplier Sp. z o.o.")
    shop = shop_client(user_b)
    verify = page(shop.post(reverse("connect:join"), {"step": "verify", "code": code}))
    assert "Trial Supplier Sp. z o.o.</strong></header>" in verify  # not "X — X"
    joined = shop.post(reverse("connect:join"), join_data(code), follow=True)
    html = joined.content.decode()
    assert "Connected with Trial Supplier Sp. z o.o." in html and "o.o.." not in html

    detail = page(client_a.get(reverse("connect:provider-detail", args=[integration.pk])))
    language = integration.sharing_settings.language
    assert f'<option value="{language}" selected>{language}</option>' not in detail
    assert ">English</option>" in detail or ">Polish</option>" in detail

    codes = {code for code, _name in currency_choices()}
    assert {"EUR", "PLN", "USD", "GBP"} <= codes
    assert not codes & {"XAU", "XTS", "YUM", "YUD", "XXX", "DEM"}
    credit_form = page(
        client_a.get(
            reverse("connect:contractor-edit", args=[integration.pk, ContractorLink.objects.get().pk])
        )
    )
    assert "Testing Currency Code" not in credit_form and "Yugoslavian" not in credit_form

    home = page(client_a.get(reverse("home")))
    assert "1 integration you provide" in home and reverse("connect:integration-list") in home


def test_a_colleague_on_the_same_address_is_not_locked_out(account_a, account_b, user_b):
    _integration, good_code = provider_create(account_a)
    office = {"REMOTE_ADDR": "198.51.100.20"}
    typist = shop_client(user_b)
    wrong = {"step": "verify", "code": "AAAA-BBBB-CCCC"}
    shown = [page(typist.post(reverse("connect:join"), wrong, **office)) for _ in range(8)]
    assert "attempts left" not in shown[5]
    assert "3 attempts left this hour." in shown[6] and "2 attempts left this hour." in shown[7]
    shown = [page(typist.post(reverse("connect:join"), wrong, **office)) for _ in range(2)]
    assert "1 attempt left this hour." in shown[0]
    refused = page(typist.post(reverse("connect:join"), {"step": "verify", "code": good_code}, **office))
    assert "Too many wrong codes" in refused
    colleague = shop_client(MembershipFactory(account=account_b, role="admin").user)
    offer = page(colleague.post(reverse("connect:join"), {"step": "verify", "code": good_code}, **office))
    assert "Alpha Wholesale" in offer and "Too many wrong codes" not in offer


def test_different_currencies_are_named_on_the_join_form_and_the_prices_tab(account_a, account_b, user_b):
    integration, code = provider_create(account_a)
    supplier_group = integration.sharing_settings.price_group
    supplier_group.currency = "PLN"
    supplier_group.save()
    retail = PriceGroup.objects.create(account=account_b, name="Shop EUR", currency="EUR")
    shop = shop_client(user_b)
    form = page(shop.post(reverse("connect:join"), {"step": "verify", "code": code}))
    assert "Supplier prices are in PLN." in form and "Shop EUR (EUR)</option>" in form
    refused = page(
        shop.post(reverse("connect:join"), join_data(code, price_multiplier="x", price_group=retail.pk))
    )
    assert "Supplier prices are in PLN; your price group “Shop EUR” is in EUR" in refused
    joined = shop.post(reverse("connect:join"), join_data(code, price_sync="on", price_group=retail.pk))
    assert joined.status_code == 302
    supplier = ConnectIntegration.objects.get(account=account_b)
    prices = page(shop.get(reverse("connect:supplier-tab", args=[supplier.pk, "prices"])))
    assert "Supplier prices are in PLN; your price group “Shop EUR” is in EUR — set the multiplier" in prices
    same = PriceGroup.objects.create(account=account_b, name="Zloty", currency="PLN")
    saved = shop.post(
        reverse("connect:supplier-tab", args=[supplier.pk, "prices"]),
        {"price_sync": "on", "price_group": same.pk},
    )
    assert saved.status_code == 302
    prices = page(shop.get(reverse("connect:supplier-tab", args=[supplier.pk, "prices"])))
    assert "Supplier prices are in PLN." in prices and "set the multiplier to convert" not in prices


def test_trade_credit_shows_prepayments_balances_and_the_ledger_on_both_sides(
    client_a, account_a, account_b, user_b, pair
):
    integration, link = pair
    credit_url = reverse("connect:contractor-credit", args=[integration.pk, link.pk])
    edit_url = reverse("connect:contractor-edit", args=[integration.pk, link.pk])
    client_a.post(credit_url, {"credit_limit": "2000", "credit_currency": "EUR"})
    client_a.post(
        reverse("connect:contractor-payment", args=[integration.pk, link.pk]),
        {"payment-amount": "150.00", "payment-description": "paid ahead"},
    )
    edit = page(client_a.get(edit_url))
    assert "-150,00" not in edit and "−150,00" not in edit.split('id="ledger"')[0]
    assert "Prepaid" in edit and "150,00\xa0€" in edit and "in the contractor's favour" in edit

    shop = shop_client(user_b)
    supplier_url = reverse("connect:supplier-detail", args=[link.contractor_integration_id])
    theirs = page(shop.get(supplier_url))
    assert "Prepaid: 150,00\xa0€ in your favour." in theirs and "-150" not in theirs
    assert 'id="ledger"' in theirs and "paid ahead" in theirs

    # A "block stock below" change is logged as such.
    client_a.post(credit_url, {"credit_limit": "2000", "credit_currency": "EUR", "block_stock_below": "100"})
    history = page(client_a.get(edit_url)).split("timeline")[1]
    assert "block stock below — → 100,00\xa0€" in history
    assert "2.000,00\xa0€ → 2.000,00\xa0€" not in history

    # Cleared limit with an outstanding balance: the balance and the ledger stay visible.
    CreditEntry.objects.create(
        link=link, kind="charge", amount=Decimal("400"), currency="EUR", description="order 7"
    )
    client_a.post(credit_url, {"credit_limit": "", "credit_currency": "EUR"})
    edit = page(client_a.get(edit_url))
    assert "Owed" in edit and "250,00\xa0€" in edit and "order 7" in edit
    theirs = page(shop.get(supplier_url))
    assert "Owed: 250,00\xa0€." in theirs and "order 7" in theirs


def test_the_blocked_notice_shows_on_every_supplier_tab(client_a, account_a, account_b, user_b, pair):
    integration, link = pair
    client_a.post(reverse("connect:contractor-state", args=[integration.pk, link.pk]), {"state": "blocked"})
    shop = shop_client(user_b)
    for tab in ("products", "prices", "stock"):
        html = page(shop.get(reverse("connect:supplier-tab", args=[link.contractor_integration_id, tab])))
        assert "has blocked this connection" in html, tab


def test_a_deleted_integration_stays_readable_with_its_ledgers(client_a, account_a, account_b, user_b, pair):
    integration, link = pair
    client_a.post(
        reverse("connect:contractor-credit", args=[integration.pk, link.pk]),
        {"credit_limit": "500", "credit_currency": "EUR"},
    )
    CreditEntry.objects.create(
        link=link, kind="charge", amount=Decimal("120"), currency="EUR", description="order 9"
    )
    assert client_a.post(reverse("connect:provider-delete", args=[integration.pk])).status_code == 302

    listing = page(client_a.get(reverse("connect:integration-list")))
    assert 'id="deleted-integrations"' in listing and "deleted on" in listing
    detail = page(client_a.get(reverse("connect:provider-detail", args=[integration.pk])))
    assert "Deleted on" in detail and "Read-only" in detail and "Save settings" not in detail
    assert 'id="connection-code"' not in detail
    contractors = page(client_a.get(reverse("connect:provider-contractors", args=[integration.pk])))
    assert "Beta Shop" in contractors
    edit = page(client_a.get(reverse("connect:contractor-edit", args=[integration.pk, link.pk])))
    assert "order 9" in edit and "Save trade credit" not in edit and "Record payment" not in edit
    # Still nothing can be written.
    refused = client_a.post(
        reverse("connect:contractor-credit", args=[integration.pk, link.pk]),
        {"credit_limit": "900", "credit_currency": "EUR"},
    )
    assert refused.status_code == 404
    assert client_a.post(reverse("connect:provider-detail", args=[integration.pk]), {}).status_code == 404

    # The contractor's side: read-only with the reason, no Save on any tab.
    shop = shop_client(user_b)
    supplier = link.contractor_integration_id
    for url in (
        reverse("connect:supplier-detail", args=[supplier]),
        reverse("connect:supplier-tab", args=[supplier, "prices"]),
        reverse("connect:supplier-statuses", args=[supplier]),
    ):
        html = page(shop.get(url))
        assert "The supplier has ended this connection" in html, url
        assert ">Save</button>" not in html, url
    refused = page(
        shop.post(
            reverse("connect:supplier-tab", args=[supplier, "prices"]), {"price_sync": "", "price_group": ""}
        )
    )
    assert "its settings are read-only" in refused


def test_the_prices_tab_names_the_currency_of_the_price_group_the_supplier_gives_this_contractor(
    account_a, account_b, user_b
):
    integration, code = provider_create(account_a)
    supplier_group = integration.sharing_settings.price_group
    supplier_group.currency = "PLN"
    supplier_group.save()
    euros_there = PriceGroup.objects.create(account=account_a, name="Retail EUR", currency="EUR")
    euros_here = PriceGroup.objects.create(account=account_b, name="Shop EUR", currency="EUR")
    shop = shop_client(user_b)
    assert (
        shop.post(
            reverse("connect:join"), join_data(code, price_sync="on", price_group=euros_here.pk)
        ).status_code
        == 302
    )
    link = ContractorLink.objects.get(provider_integration=integration)
    services.contractor_link_update(actor=owner_tenant(account_a), link=link, price_group=euros_there)
    supplier = ConnectIntegration.objects.get(account=account_b)

    prices = page(shop.get(reverse("connect:supplier-tab", args=[supplier.pk, "prices"])))

    assert "Supplier prices are in EUR." in prices and "set the multiplier to convert" not in prices
