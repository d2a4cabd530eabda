"""What background work writes down — WMS runs, automatic-action results, refused forwards, import
problems — reads in the language of whoever looks at it, not of whoever (or whatever) ran it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import Inventory
from config import formats
from config.stored_messages import (
    Joined,
    Message,
    Money,
    message_encode,
    message_from_error,
    message_json,
    message_load,
    message_text,
    plural_message,
)
from connect import forwarding
from connect.models import ForwardedOrder
from orders.automation import rules_run
from orders.models import AutomationRule, AutomationRun, OrderStatus
from orders.services import order_create
from tests.connect.forwarding_setup import free_line, set_credit, shop_order
from tests.factories import MembershipFactory
from tests.factories.connect import connected_pair, owner_tenant
from tests.factories.wms import wms_connection
from tests.origins import TEST_ORIGIN
from wmsbridge.models import OrderExport, SyncKind, SyncRun

NBSP = "\xa0"


def _reader(client, account, language: str):
    member = MembershipFactory(account=account, role="owner", user__language=language)
    client.force_login(member.user)
    return member.user


# -- the messages themselves -------------------------------------------------------------------------


def test_a_message_reads_in_the_active_language_with_its_parameters():
    held = Message("Held: line(s) without a SKU cannot go to the WMS: %(names)s.", names="Gift wrapping")
    with translation.override("en"):
        assert str(held) == "Held: line(s) without a SKU cannot go to the WMS: Gift wrapping."
    with translation.override("pl"):
        assert str(held) == "Wstrzymane: pozycje bez SKU nie mogą trafić do WMS: Gift wrapping."


def test_plural_messages_choose_the_readers_form():
    created = plural_message("%(n)s product created", "%(n)s products created", 5, n=5)
    with translation.override("pl"):
        assert str(created) == "Utworzono 5 produktów"
    with translation.override("en"):
        assert str(created) == "5 products created"


def test_money_in_a_message_is_formatted_for_the_reader():
    short = Message(
        "Not enough trade credit: %(amount)s needed, %(available)s available.",
        amount=Money("1075.97", "PLN"),
        available=Money("20", "PLN"),
    )
    with translation.override("pl"), formats.region_override("PL"):
        assert (
            str(short)
            == f"Za mało kredytu kupieckiego: potrzeba 1{NBSP}075,97{NBSP}zł, dostępne 20,00{NBSP}zł."
        )


def test_a_message_survives_json_and_a_text_column_and_old_text_stays_as_it_was():
    message = Joined(
        "; ",
        [
            Message("status set to %(name)s", name="Wysłane"),
            Message("%(amount)s charged to the trade credit", amount=Money("12.5", "EUR")),
        ],
    )
    assert message_load(message_json(message)) == message
    assert message_load(message_encode(message)) == message
    assert message_text("Sent by hand (written before messages were kept untranslated).") == (
        "Sent by hand (written before messages were kept untranslated)."
    )
    # Too long for its column: the text in the active language, cut to fit.
    with translation.override("en"):
        assert message_encode(message, max_length=20) == "status set to Wysłan"


def test_a_services_error_becomes_a_message_when_its_text_is_a_message_id():
    error = ValidationError(_("Choose one of the offered languages."))
    with translation.override("pl"):
        assert str(message_from_error(error)) == "Wybierz jeden z dostępnych języków."
    with_params = ValidationError(_("At most %(n)s characters."), params={"n": 5})
    with translation.override("pl"):
        assert str(message_from_error(with_params)) == "Najwyżej 5 znaków."
    # Text that is no message id (already formatted, or someone else's words) stays as it is.
    assert message_from_error(ValueError("WMS said: no")) == "WMS said: no"


# -- the pages -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_wms_run_and_a_held_order_read_in_the_readers_language(client, account_a):
    # What a sync run writes (see tests/wmsbridge for the runs themselves), read back by two people.
    connection = wms_connection(account_a)
    order = order_create(
        account=account_a,
        lines=[{"name": "Gift wrapping", "quantity": 1, "price_brutto": Decimal("3")}],
        origin=TEST_ORIGIN,
    )
    held = Message("Held: line(s) without a SKU cannot go to the WMS: %(names)s.", names="Gift wrapping")
    OrderExport.objects.create(connection=connection, order=order, state="held", last_error=held)
    now = timezone.now()
    SyncRun.objects.create(
        connection=connection,
        kind=SyncKind.ORDERS,
        started_at=now,
        finished_at=now,
        status="ok",
        messages=[
            {"item": f"#{order.pk}", "message": message_json(held)},
            {"item": "", "message": "An old run's words, kept as they were."},
        ],
    )
    _reader(client, account_a, "pl")
    page = client.get(reverse("wmsbridge:connection-detail", args=[connection.pk])).content.decode()
    assert "Wstrzymane: pozycje bez SKU nie mogą trafić do WMS: Gift wrapping." in page
    assert "An old run&#x27;s words, kept as they were." in page
    card = client.get(reverse("orders:order-detail", args=[order.pk])).content.decode()
    assert "Wstrzymane: pozycje bez SKU nie mogą trafić do WMS: Gift wrapping." in card

    _reader(client, account_a, "en")
    card = client.get(reverse("orders:order-detail", args=[order.pk])).content.decode()
    assert "Held: line(s) without a SKU cannot go to the WMS: Gift wrapping." in card


@pytest.mark.django_db
def test_an_automatic_actions_result_reads_in_the_readers_language_whoever_ran_it(client, account_a):
    sent = OrderStatus.objects.get(account=account_a, kind="sent")
    AutomationRule.objects.create(
        account=account_a,
        name="Wyślij",
        event=AutomationRule.Event.ORDER_CREATED,
        actions=[{"type": "set_status", "status": sent.pk}],
    )
    order = order_create(
        account=account_a, lines=[{"name": "Lampka", "quantity": 1, "price_brutto": "10"}], origin=TEST_ORIGIN
    )
    with translation.override("pl"):  # a worker that happened to speak Polish
        rules_run(order_id=order.pk, event=AutomationRule.Event.ORDER_CREATED)
    assert AutomationRun.objects.get(order=order).outcome == "done"

    _reader(client, account_a, "en")
    card = client.get(reverse("orders:order-detail", args=[order.pk])).content.decode()
    assert f"status set to {sent.name}" in card
    _reader(client, account_a, "pl")
    card = client.get(reverse("orders:order-detail", args=[order.pk])).content.decode()
    assert f"ustawiono status {sent.name}" in card


@pytest.mark.django_db
def test_a_refused_forward_reads_in_the_readers_language_with_its_amounts(client, account_a, account_b):
    MembershipFactory(account=account_a, role="owner")
    _integration, link = connected_pair(account_a, account_b)
    set_credit(link, "10")
    order = shop_order(account_b, [free_line("Thing", "50.00")])
    with translation.override("en"):
        forwarding.forward(actor=owner_tenant(account_b), order_ids=[order.pk])
    assert ForwardedOrder.objects.get(contractor_order=order).state == "refused"

    _reader(client, account_b, "pl")
    card = client.get(reverse("orders:order-detail", args=[order.pk])).content.decode()
    with translation.override("pl"), formats.region_override(account_b.country.code):
        needed, available = (
            formats.format_money(Decimal("60"), "EUR"),
            formats.format_money(Decimal("10"), "EUR"),
        )
    reason = f"Za mało kredytu kupieckiego: potrzeba {needed}, dostępne {available}."
    assert reason in card  # on the card and in the timeline
    assert card.count(reason) == 2


@pytest.mark.django_db
def test_a_connect_imports_problems_read_in_the_readers_language(client, account_a, account_b):
    from connect.imports import connect_import_create, connect_import_job_run
    from tests.connect.shared_setup import shared_catalog_setup

    shared = shared_catalog_setup(account_a, account_b)
    saved = connect_import_create(
        actor=owner_tenant(account_b),
        integration=shared.contractor_integration,
        inventory=Inventory.objects.get(account=account_b, is_default=True),
        scope="products",
        product_ids=[shared.saw.pk, 999999],
    )
    with translation.override("en"):
        connect_import_job_run(job_id=saved.last_job_id)

    _reader(client, account_b, "pl")
    page = client.get(reverse("catalog:import-detail", args=[saved.last_job_id])).content.decode()
    assert "Ten produkt nie jest Ci udostępniony (albo nie istnieje)." in page
    assert "Niczego nie zaimportowano: 1 błąd." in page
    _reader(client, account_b, "en")
    page = client.get(reverse("catalog:import-detail", args=[saved.last_job_id])).content.decode()
    assert "This product is not shared with you (or does not exist)." in page
    # The API gives the reader's language too.
    api = client.get(reverse("api:importjob-detail", args=[saved.last_job_id])).json()
    assert api["errors"][0]["message"] == "This product is not shared with you (or does not exist)."
