"""What a new user noticed on the Connect pages: each fix as the user sees it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.time_zones import time_zone_of
from config import formats
from connect import directory, services
from connect.models import ConnectionRequest, ContractorLink
from tests.factories.connect import listed_publication, owner_tenant, provider_create

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-GB")
    client.force_login(user)
    return client


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ------------------------------------------------------- 1. a request that waits is not "Connected"


def test_a_waiting_request_reads_request_sent_until_the_provider_accepts(
    account_a, account_b, user_a, user_b
):
    by_request = listed_publication(provider_create(account_a)[0], approval_required=True)
    integration = services.integration_join(
        actor=owner_tenant(account_b), publication=by_request, client_ip=None, display_name="Alpha"
    )
    request = ConnectionRequest.objects.get()
    shop = login(user_b)
    zone = time_zone_of(user_b, account_b)

    def when(value, date_only=False):
        with formats.region_override("GB"), timezone.override(zone):
            return formats.format_date(value) if date_only else formats.format_datetime(value)

    sent = when(request.created_at)
    detail = text(shop.get(reverse("connect:supplier-detail", args=[integration.pk])).content.decode())
    assert f"Request sent {sent}, waiting for {account_a.name}" in detail
    assert "Connected " not in detail
    listing = text(shop.get(reverse("connect:integration-list")).content.decode())
    assert "Awaiting approval" in listing and f"request sent {when(request.created_at, True)}" in listing

    directory.request_answer(actor=owner_tenant(account_a), request=request, accept=True)
    request.refresh_from_db()
    detail = text(shop.get(reverse("connect:supplier-detail", args=[integration.pk])).content.decode())
    assert f"Connected {when(request.answered_at)}" in detail
    assert "waiting for" not in detail
    listing = text(shop.get(reverse("connect:integration-list")).content.decode())
    assert "Active" in listing and "request sent" not in listing
    assert ContractorLink.objects.get(contractor_account=account_b).is_open


def test_a_rejected_request_is_not_shown_as_connected_either(account_a, account_b, user_b):
    by_request = listed_publication(provider_create(account_a)[0], approval_required=True)
    integration = services.integration_join(
        actor=owner_tenant(account_b), publication=by_request, client_ip=None, display_name="Alpha"
    )
    directory.request_answer(
        actor=owner_tenant(account_a), request=ConnectionRequest.objects.get(), accept=False
    )
    shop = login(user_b)
    detail = text(shop.get(reverse("connect:supplier-detail", args=[integration.pk])).content.decode())
    assert f"Request not accepted by {account_a.name}" in detail and "Connected " not in detail
    listing = text(shop.get(reverse("connect:integration-list")).content.decode())
    assert "request not accepted" in listing


# ------------------------------------------- 2. a refused trade-credit form says so where it is seen


def credit_page(client, link, what: str, data: dict) -> str:
    url = reverse(f"connect:contractor-{what}", args=[link.provider_integration_id, link.pk])
    response = client.post(url, data)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("amount", ["0", "99999999999999"])
def test_a_refused_payment_is_named_on_top_and_its_panel_opens_in_view_with_the_input(
    pair, account_a, user_a, amount
):
    _provider, link = pair
    services.credit_settings_update(
        actor=owner_tenant(account_a), link=link, credit_limit=Decimal("1000"), credit_currency="EUR"
    )
    html = credit_page(
        login(user_a), link, "payment", {"payment-amount": amount, "payment-description": "wire"}
    )
    toasts = text(html.split('class="messages toasts"')[1][:1500])
    assert "Payment not recorded. Amount paid:" in toasts
    assert re.search(r'<details id="payment"\s+open', html)
    assert f'value="{amount}"' in html and 'value="wire"' in html
    assert 'getElementById("payment")' in html and "scrollIntoView" in html
    assert not link.credit_entries.exists()


def test_refused_adjustments_and_credit_settings_are_named_on_top_too(pair, account_a, user_a):
    _provider, link = pair
    services.credit_settings_update(
        actor=owner_tenant(account_a), link=link, credit_limit=Decimal("1000"), credit_currency="EUR"
    )
    client = login(user_a)
    html = credit_page(client, link, "adjust", {"adjust-amount": "5", "adjust-description": ""})
    assert "Adjustment not recorded. Description: This field is required." in text(html)
    assert re.search(r'<details id="adjust"\s+open', html) and 'getElementById("adjust")' in html
    html = credit_page(client, link, "credit", {"credit_limit": "-1", "credit_currency": "EUR"})
    assert "Trade credit not saved. Credit limit:" in text(html)
    assert 'value="-1"' in html and 'getElementById("credit")' in html


# ----------------------------------------------------- 3. saving a private entry says what it means


def publish(client, integration, **changes):
    data = {
        "is_public": "0",
        "company_name": "Alpha Wholesale",
        "description": "Garden furniture and tools.",
        "countries": ["PL"],
        "industries": ["home_garden"],
        "services": ["wholesaler"],
        "contact_email": "sales@alpha.example.test",
    } | changes
    response = client.post(reverse("connect:provider-publish", args=[integration.pk]), data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def state_badges(html: str) -> str:
    return text(html.split('id="publication-state">')[1].split("</div>")[0]).strip()


def test_saving_a_new_entry_private_says_so_and_it_reads_private_not_draft(account_a, user_a):
    integration = provider_create(account_a)[0]
    client = login(user_a)
    before = client.get(reverse("connect:provider-publish", args=[integration.pk])).content.decode()
    assert state_badges(before) == "Private"
    html = publish(client, integration)
    assert (
        "Saved. The entry is private: it is not listed in the directory and has not been sent for "
        "verification." in text(html)
    )
    assert state_badges(html) == "Private" and "Draft" not in html
    assert "has not been sent for verification. Choose Public and save to send it." in text(html)


def test_a_verified_entry_saved_private_reads_private_and_verified(account_a, user_a):
    integration = provider_create(account_a)[0]
    publication = listed_publication(integration)
    html = publish(
        login(user_a),
        integration,
        company_name=publication.listed_name,
        description=publication.listed_description,
    )
    assert "Saved. The entry is private: it is not listed in the directory. It stays verified" in text(html)
    assert state_badges(html) == "Private Verified"
    assert "choose Public and save to list it again" in text(html)


# ------------------------------------------- 4. the forwarding button of a forwarded order is done


def test_the_forward_button_reads_forwarded_once_the_order_is_forwarded(pair, account_a, account_b, user_b):
    from connect import forwarding
    from orders.models import CustomButton
    from tests.connect.forwarding_setup import free_line, inventory_of, set_order_settings, shop_order

    integration, link = pair
    set_order_settings(integration, match_inventory=inventory_of(account_a))
    button = CustomButton.objects.get(account=account_b)
    order = shop_order(account_b, [free_line("Thing", "10.00")])
    shop = login(user_b)
    card_url = reverse("orders:order-detail", args=[order.pk])
    card = shop.get(card_url).content.decode()
    press = f'name="button" value="{button.pk}"'
    assert press in card and "Forward to My supplier" in card and "Forwarded to My supplier" not in card

    forwarding.forward(actor=owner_tenant(account_b), order_ids=[order.pk])
    card = shop.get(card_url).content.decode()
    assert press not in card
    assert re.search(
        rf'<a href="#order-{order.pk}-connect" class="badge ok forwarded-button">.*'
        r"Forwarded to My supplier</a>",
        card,
    )
    # The Connect part of the card, polled while a forward runs, brings the buttons along when it ends.
    part = shop.get(reverse("connect:order-forward-state", args=[order.pk])).content.decode()
    assert (
        f'id="order-{order.pk}-buttons" class="order-buttons" hx-swap-oob="true"' in part
        and "Forwarded to My supplier</a>" in part
    )

    # Another order, not forwarded, keeps its button.
    other = shop_order(account_b, [free_line("Other", "10.00")])
    assert press in shop.get(reverse("orders:order-detail", args=[other.pk])).content.decode()


# ------------------------------------------------------------------- 5. Polish that reads naturally


def test_the_connect_form_labels_read_naturally_in_polish(account_a):
    from django.utils import translation

    from connect import forms

    with translation.override("pl"):
        order_form = forms.ProviderOrderSettingsForm(account=account_a)
        assert order_form.fields["source_warehouse"].empty_label == "Domyślnie z katalogu dopasowania"
        assert order_form.fields["price_group"].empty_label == "Domyślnie z katalogu dopasowania"
        adjust = forms.AdjustmentForm(account=account_a)
        assert adjust.fields["amount"].help_text == (
            "Kwota dodatnia zwiększa dostępny kredyt, ujemna go zmniejsza."
        )
        assert str(forms.CreditSettingsForm().fields["block_stock_below"].label) == "Próg zerowania stanów"


# ------------------------------------------------------- 6. a failed import says "nothing" once


def test_a_connect_import_that_writes_nothing_says_so_once(account_a, account_b, user_b):
    from catalog.models import Inventory
    from connect.imports import connect_import_create, connect_import_job_run
    from tests.connect.shared_setup import shared_catalog_setup

    shared = shared_catalog_setup(account_a, account_b)
    saved = connect_import_create(
        actor=owner_tenant(account_b),
        integration=shared.contractor_integration,
        inventory=Inventory.objects.get(account=account_b, is_default=True),
        scope="products",
        product_ids=[shared.secret.pk],
    )
    connect_import_job_run(job_id=saved.last_job_id)
    saved.refresh_from_db()
    shop = login(user_b)
    job_page = text(shop.get(reverse("catalog:import-detail", args=[saved.last_job_id])).content.decode())
    assert "Nothing imported: 1 problem." in job_page
    assert job_page.count("Nothing imported") == 1
    assert "Nothing was imported" not in job_page
    saved_page = text(shop.get(reverse("connect:import-detail", args=[saved.pk])).content.decode())
    assert "Nothing imported: 1 problem." in saved_page and "Nothing was imported" not in saved_page


def test_a_csv_import_that_writes_nothing_says_so_once(account_a, user_a):
    import io

    from catalog.imports import import_job_run
    from catalog.models import ImportJob, Inventory

    client = login(user_a)
    upload = io.BytesIO(b"sku,weight\nA-1,-4\n")
    upload.name = "bad.csv"
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    client.post(reverse("catalog:import-create"), {"inventory": inventory.pk, "file": upload})
    job = ImportJob.objects.get(account=account_a)
    import_job_run(job_id=job.pk)
    report = text(client.get(reverse("catalog:import-progress", args=[job.pk])).content.decode())
    assert "Nothing imported: 1 problem." in report
    assert report.count("Nothing imported") == 1 and "Nothing was imported" not in report


# --------------------------------------- 9. an API token in Connect history reads in the reader's language


def test_a_tokens_name_in_link_history_and_request_answers_reads_in_the_readers_language(
    account_a, account_b, user_a
):
    from accounts.tenancy import Tenant
    from connect.models import LinkEvent
    from tests.factories.accounts import ApiTokenFactory

    by_request = listed_publication(provider_create(account_a)[0], approval_required=True)
    services.integration_join(
        actor=owner_tenant(account_b), publication=by_request, client_ip=None, display_name="Alpha"
    )
    token, _secret = ApiTokenFactory.create_with_secret(account=account_a, name="robot")
    robot = Tenant(account=account_a, role="admin", token=token)
    with translation.override("pl"):  # whatever language the token's request came in
        directory.request_answer(actor=robot, request=ConnectionRequest.objects.get(), accept=True)
    link = ContractorLink.objects.get(contractor_account=account_b)
    services.contractor_set_state(actor=robot, link=link, state="blocked")
    LinkEvent.objects.create(link=link, kind="edited", actor="Stary wpis")  # a row kept as text before

    with translation.override("en"):
        assert str(ConnectionRequest.objects.get().answered_by) == "API token “robot”"
    with translation.override("pl"):
        assert str(ConnectionRequest.objects.get().answered_by) == "Token API „robot”"
    english = text(
        login(user_a)
        .get(reverse("connect:contractor-edit", args=[link.provider_integration_id, link.pk]))
        .content.decode()
    )
    assert "Blocked · API token “robot”" in english and "Stary wpis" in english
    user_a.language = "pl"
    user_a.save(update_fields=["language"])
    polish = text(
        login(user_a)
        .get(reverse("connect:contractor-edit", args=[link.provider_integration_id, link.pk]))
        .content.decode()
    )
    assert "Token API „robot”" in polish and "API token" not in polish
