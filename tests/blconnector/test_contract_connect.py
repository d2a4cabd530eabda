"""Base Connect methods (reference §8.2): documented example requests, fields, types, effects.

Account A provides (a wholesaler with trade credit for its contractors); account B joined A's
integration with its code (a shop)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_noop

from config.stored_messages import Message
from connect import services
from connect.models import ContractorLink, CreditEntry, ForwardedOrder, LinkEvent
from orders.services import order_create
from tests.blconnector.conftest import connector_for
from tests.blconnector.shapes import BOOL, FLOAT, INT, OBJ, STR, assert_keyed, assert_shape
from tests.connect.forwarded_pairs import forwarded_pair
from tests.factories.accounts import AccountFactory
from tests.factories.connect import connected_pair, contractor_join, owner_tenant
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db

INTEGRATION = {"connect_integration_id": INT, "name": STR, "settings": OBJ}
CONTRACTOR = {"connect_contractor_id": INT, "name": STR, "credit_data": OBJ, "settings": OBJ}
CREDIT_ENTRY = {
    "credit_entry_id": INT,
    "date_add": INT,
    "description": STR,
    "currency": STR,
    "type": STR,
    "amount": FLOAT,
    "is_accepted": INT,
}


@pytest.fixture
def pair(account_a, account_b):
    """A's provider integration "Hurt Alpha" and B joined to it, named "Beta Shop" on A's side."""
    integration, link = connected_pair(account_a, account_b, name="Hurt Alpha")
    link = services.contractor_link_update(actor=owner_tenant(account_a), link=link, name="Beta Shop")
    return integration, link


@pytest.fixture
def credit(account_a, pair):
    """B has 1,000 PLN of trade credit at A and owes 300 of it (one forwarded order charged)."""
    _integration, link = pair
    services.credit_settings_update(
        actor=owner_tenant(account_a), link=link, credit_limit=Decimal("1000"), credit_currency="PLN"
    )
    services.credit_charge(link=link, amount=Decimal("300"), currency="PLN", description="Order #1")
    return link


def test_get_connect_integrations_lists_own_and_joined_integrations(bl_a, bl_b, pair, account_a):
    integration, link = pair
    body = bl_a.ok("getConnectIntegrations", "[]")
    assert set(body) == {"status", "integrations"}
    assert set(body["integrations"]) == {"own_integrations", "connected_integrations"}
    own = body["integrations"]["own_integrations"]
    assert body["integrations"]["connected_integrations"] == []
    assert len(own) == 1
    assert_shape(own[0], INTEGRATION, exact=True)
    assert own[0]["connect_integration_id"] == integration.pk and own[0]["name"] == "Hurt Alpha"
    assert_shape(
        own[0]["settings"],
        {"orders": BOOL, "products": BOOL, "code_name": STR, "inventory_id": INT, "send_statuses": BOOL},
    )
    assert own[0]["settings"]["orders"] is True and own[0]["settings"]["products"] is True
    assert own[0]["settings"]["inventory_id"] == account_a.inventories.get(is_default=True).pk

    joined = bl_b.ok("getConnectIntegrations")["integrations"]
    assert joined["own_integrations"] == []
    assert len(joined["connected_integrations"]) == 1
    entry = joined["connected_integrations"][0]
    assert_shape(entry, INTEGRATION, exact=True)
    assert entry["connect_integration_id"] == link.contractor_integration_id
    assert entry["name"] == "My supplier"  # the name B gave it when joining
    assert_shape(entry["settings"], {"orders": BOOL, "state": STR, "active": BOOL, "hide_prices": BOOL})
    assert (entry["settings"]["state"], entry["settings"]["active"]) == ("active", True)

    services.contractor_set_state(actor=owner_tenant(account_a), link=link, state="blocked")
    blocked = bl_b.ok("getConnectIntegrations")["integrations"]["connected_integrations"][0]
    assert (blocked["settings"]["state"], blocked["settings"]["active"]) == ("blocked", False)


def test_an_account_without_connect_gets_empty_lists(account_a):
    body = connector_for(AccountFactory(name="Solo")).ok("getConnectIntegrations", "[]")
    assert body["integrations"] == {"own_integrations": [], "connected_integrations": []}


def test_get_connect_integrations_reads_in_a_constant_number_of_queries(bl_a, bl_b, pair, account_a):
    _integration, link = pair
    with CaptureQueriesContext(connection) as one:
        bl_b.ok("getConnectIntegrations")
    for index in range(3):
        connected_pair(AccountFactory(name=f"Supplier {index}"), link.contractor_account)
    with CaptureQueriesContext(connection) as four:
        body = bl_b.ok("getConnectIntegrations")
    assert len(body["integrations"]["connected_integrations"]) == 4
    assert len(four.captured_queries) <= len(one.captured_queries)


def test_get_connect_integration_contractors_documented_request(bl_a, pair, credit, account_a):
    integration, link = pair
    gamma = contractor_join(AccountFactory(name="Gamma Retail"), _code(integration))
    body = bl_a.ok("getConnectIntegrationContractors", {"connect_integration_id": str(integration.pk)})
    assert set(body) == {"status", "contractors"}
    contractors = body["contractors"]
    assert_keyed(contractors, CONTRACTOR)
    assert set(contractors) == {str(link.pk), str(gamma.pk)}
    beta = contractors[str(link.pk)]
    assert_shape(beta, CONTRACTOR, exact=True)
    assert (beta["connect_contractor_id"], beta["name"]) == (link.pk, "Beta Shop")
    assert beta["credit_data"] == {
        "credit_limit": 1000.0,
        "credit_to_pay": 300.0,
        "credit_available": 700.0,
        "currency": "PLN",
    }
    assert_shape(beta["settings"], {"state": STR, "active": BOOL, "price_group_id": INT, "date_join": INT})
    # A contractor without trade credit: an empty object, as every empty keyed collection.
    assert contractors[str(gamma.pk)]["credit_data"] == {}


def test_contractors_of_an_integration_without_any_and_of_a_joined_one_are_empty(bl_a, bl_b, pair, account_a):
    integration, link = pair
    lonely, _code_text = services.provider_create(
        actor=owner_tenant(account_a), display_name="Second", orders_enabled=True, products_enabled=False
    )
    assert bl_a.ok("getConnectIntegrationContractors", {"connect_integration_id": lonely.pk}) == {
        "status": "SUCCESS",
        "contractors": {},
    }
    joined = bl_b.ok(
        "getConnectIntegrationContractors", {"connect_integration_id": link.contractor_integration_id}
    )
    assert joined["contractors"] == {}


def test_unknown_and_foreign_integrations_and_contractors_are_not_found(bl_a, bl_b, pair, credit):
    integration, link = pair
    for connector, integration_id in ((bl_a, integration.pk + 1000), (bl_b, integration.pk)):
        error = connector.error(
            "getConnectIntegrationContractors", {"connect_integration_id": integration_id}
        )
        assert error["error_code"] == "ERROR_CONNECT_INTEGRATION_NOT_FOUND"
    missing = bl_a.error("getConnectContractorCreditHistory", {"connect_contractor_id": link.pk + 1000})
    # B is the contractor of this link, not its provider: for B it is no contractor of B's.
    foreign = bl_b.error("getConnectContractorCreditHistory", {"connect_contractor_id": link.pk})
    assert missing["error_code"] == foreign["error_code"] == "ERROR_CONNECT_CONTRACTOR_NOT_FOUND"
    assert foreign["error_message"] == missing["error_message"].replace(str(link.pk + 1000), str(link.pk))
    required = bl_a.error("getConnectContractorCreditHistory", "[]")
    assert required["error_code"] == "ERROR_INVALID_PARAMETERS"
    assert "connect_contractor_id" in required["error_message"]
    bad = bl_a.error("getConnectIntegrationContractors", {"connect_integration_id": "first"})
    assert "connect_integration_id" in bad["error_message"]


def test_credit_history_documented_request(bl_a, credit, account_a, user_a):
    link = credit
    order = forwarded_pair(link).provider_order
    owner = owner_tenant(account_a)
    services.credit_payment_record(actor=owner, link=link, amount="120.50", description="Wire 7", order=order)
    services.credit_adjust(actor=owner, link=link, amount="-5", description="Late fee")
    body = bl_a.ok("getConnectContractorCreditHistory", {"connect_contractor_id": link.pk})
    assert set(body) == {"status", "credit_data"}
    entries = body["credit_data"]
    for entry in entries:
        assert_shape(entry, CREDIT_ENTRY)
        assert entry["currency"] == "PLN" and entry["is_accepted"] == 1
    assert [(e["type"], e["amount"], e["description"]) for e in entries] == [
        ("charge", 5.0, "Late fee"),  # an adjustment that takes credit is shown as a charge
        ("payment", 120.5, "Wire 7"),
        ("charge", 300.0, "Order #1"),
    ]
    assert entries[1]["order_id"] == order.pk and entries[0]["order_id"] == 0
    assert entries[0]["date_add"] >= entries[2]["date_add"] > 1_600_000_000


def test_set_credit_limit_documented_request(bl_a, credit):
    link = credit
    body = bl_a.ok(
        "setConnectContractorCreditLimit",
        {"connect_contractor_id": link.pk, "new_limit": 10000, "message": "Sample history message"},
    )
    assert body == {"status": "SUCCESS", "new_limit_set": 10000.0}
    link.refresh_from_db()
    assert link.credit_limit == Decimal("10000.00") and link.credit_currency == "PLN"
    event = LinkEvent.objects.filter(link=link, kind=LinkEvent.Kind.CREDIT_CHANGED).first()
    assert event.data["message"] == "Sample history message"
    assert str(event.actor).startswith("API token")  # shown in the reader's language
    # The older parameter name, a limit as text with a comma.
    assert bl_a.ok(
        "setConnectContractorCreditLimit", {"contractor_id": str(link.pk), "new_limit": "2500,5"}
    ) == {
        "status": "SUCCESS",
        "new_limit_set": 2500.5,
    }
    contractors = bl_a.ok(
        "getConnectIntegrationContractors", {"connect_integration_id": link.provider_integration_id}
    )
    assert contractors["contractors"][str(link.pk)]["credit_data"]["credit_available"] == 2200.5


def test_first_credit_limit_takes_the_account_currency(bl_a, pair, account_a):
    _integration, link = pair
    body = bl_a.ok("setConnectContractorCreditLimit", {"connect_contractor_id": link.pk, "new_limit": "50"})
    assert body["new_limit_set"] == 50.0
    link.refresh_from_db()
    assert link.credit_currency == account_a.default_currency


def test_set_credit_limit_refuses_bad_values_and_writes_nothing(bl_a, credit):
    link = credit
    for value in (-1, "lots", [], True, 10**13):
        error = bl_a.error(
            "setConnectContractorCreditLimit", {"connect_contractor_id": link.pk, "new_limit": value}
        )
        assert error["error_code"] == "ERROR_INVALID_PARAMETERS" and "new_limit" in error["error_message"], (
            value
        )
    assert (
        "new_limit"
        in bl_a.error("setConnectContractorCreditLimit", {"connect_contractor_id": link.pk})["error_message"]
    )
    link.refresh_from_db()
    assert link.credit_limit == Decimal("1000.00")


def test_credit_writes_need_an_admin_token(account_a, credit):
    member = connector_for(account_a, role="member", name="member")
    for name, params in (
        ("setConnectContractorCreditLimit", {"connect_contractor_id": credit.pk, "new_limit": 5}),
        ("addConnectContractorCreditSettlement", {"connect_contractor_id": credit.pk, "amount": 5}),
    ):
        assert member.error(name, params)["error_code"] == "ERROR_PERMISSION_DENIED"
    assert member.ok("getConnectContractorCreditHistory", {"connect_contractor_id": credit.pk})["credit_data"]
    assert CreditEntry.objects.filter(link=credit).count() == 1
    assert ContractorLink.objects.get(pk=credit.pk).credit_limit == Decimal("1000.00")


def test_add_credit_settlement_documented_request(bl_a, credit, account_a):
    link = credit
    order = forwarded_pair(link).provider_order
    body = bl_a.ok(
        "addConnectContractorCreditSettlement",
        {
            "connect_contractor_id": link.pk,
            "amount": "200.00",
            "message": "Bank transfer received - REF: BT2024/001",
            "order_id": order.pk,
        },
    )
    assert_shape(body, {"credit_entry_id": INT, "new_blocked_credit": FLOAT, "new_available_credit": FLOAT})
    assert (body["new_blocked_credit"], body["new_available_credit"]) == (100.0, 900.0)
    entry = CreditEntry.objects.get(pk=body["credit_entry_id"])
    assert (entry.kind, entry.amount, entry.order, entry.link) == ("payment", Decimal("200.00"), order, link)
    assert entry.description == "Bank transfer received - REF: BT2024/001"
    history = bl_a.ok("getConnectContractorCreditHistory", {"connect_contractor_id": link.pk})["credit_data"]
    assert history[0]["credit_entry_id"] == entry.pk and history[0]["type"] == "payment"


def test_a_settlement_cannot_exceed_what_is_owed(bl_a, credit):
    link = credit
    error = bl_a.error(
        "addConnectContractorCreditSettlement", {"connect_contractor_id": link.pk, "amount": 300.01}
    )
    assert error["error_code"] == "ERROR_INVALID_PARAMETERS" and "300.00 PLN" in error["error_message"]
    for amount in (0, -5, "x"):
        error = bl_a.error(
            "addConnectContractorCreditSettlement", {"connect_contractor_id": link.pk, "amount": amount}
        )
        assert error["error_code"] == "ERROR_INVALID_PARAMETERS" and "amount" in error["error_message"]
    body = bl_a.ok("addConnectContractorCreditSettlement", {"connect_contractor_id": link.pk, "amount": 300})
    assert body["new_blocked_credit"] == 0.0 and body["new_available_credit"] == 1000.0
    assert CreditEntry.objects.filter(link=link).count() == 2


def test_a_settlement_names_only_the_account_own_orders(bl_a, credit, account_b):
    link = credit
    theirs = _order(account_b, "Mug", 1)
    error = bl_a.error(
        "addConnectContractorCreditSettlement",
        {"connect_contractor_id": link.pk, "amount": 10, "order_id": theirs.pk},
    )
    assert error["error_code"] == "ERROR_ORDER_NOT_FOUND"
    assert CreditEntry.objects.filter(link=link).count() == 1


def test_a_settlement_names_only_orders_the_contractor_forwarded(bl_a, credit, account_a):
    """The account's own order that this contractor did not forward is answered like a missing one."""
    link = credit
    not_forwarded = _order(account_a, "Pallet", 10)
    refused = bl_a.error(
        "addConnectContractorCreditSettlement",
        {"connect_contractor_id": link.pk, "amount": 10, "order_id": not_forwarded.pk},
    )
    missing = bl_a.error(
        "addConnectContractorCreditSettlement",
        {"connect_contractor_id": link.pk, "amount": 10, "order_id": not_forwarded.pk + 1000},
    )
    assert refused["error_code"] == missing["error_code"] == "ERROR_ORDER_NOT_FOUND"
    assert refused["error_message"] == missing["error_message"].replace(
        str(not_forwarded.pk + 1000), str(not_forwarded.pk)
    )
    assert CreditEntry.objects.filter(link=link).count() == 1


def test_a_disconnected_contractor_cannot_be_settled(bl_a, credit, account_b):
    link = credit
    services.integration_disconnect(actor=owner_tenant(account_b), integration=link.contractor_integration)
    error = bl_a.error(
        "addConnectContractorCreditSettlement", {"connect_contractor_id": link.pk, "amount": 10}
    )
    assert error["error_code"] == "ERROR_INVALID_PARAMETERS" and "disconnected" in error["error_message"]
    # Its history stays readable, and it is no longer listed among the integration's contractors.
    assert (
        len(bl_a.ok("getConnectContractorCreditHistory", {"connect_contractor_id": link.pk})["credit_data"])
        == 1
    )
    listed = bl_a.ok(
        "getConnectIntegrationContractors", {"connect_integration_id": link.provider_integration_id}
    )
    assert listed["contractors"] == {}


def test_get_orders_reports_connect_data_of_forwarded_orders_on_both_sides(
    bl_a, bl_b, credit, account_a, account_b
):
    link = credit
    shop_order = _order(account_b, "Mug", 10)
    supplier_order = _order(account_a, "Mug", 8)
    plain = _order(account_a, "Cup", 1)
    # Forwarding itself is Connect's next part; the row it will write is made here by hand.
    forward = ForwardedOrder.objects.create(
        link=link,
        contractor_account=account_b,
        provider_account=account_a,
        contractor_order=shop_order,
        provider_order=supplier_order,
    )
    orders = {
        o["order_id"]: o
        for o in bl_a.ok("getOrders", {"id_from": supplier_order.pk, "include_connect_data": 1})["orders"]
    }
    assert set(orders) == {supplier_order.pk, plain.pk}
    assert orders[supplier_order.pk]["connect_data"] == {
        "connect_integration_id": link.provider_integration_id,
        "connect_contractor_id": link.pk,
        "connect_sale_id": forward.pk,
    }
    assert list(orders[supplier_order.pk])[-2:] == ["connect_data", "products"]
    assert "connect_data" not in orders[plain.pk]
    assert orders[supplier_order.pk]["products"][0]["name"] == "Mug"
    shop = bl_b.ok("getOrders", {"order_id": shop_order.pk, "include_connect_data": "true"})["orders"][0]
    assert shop["connect_data"] == {
        "connect_integration_id": link.contractor_integration_id,
        "connect_contractor_id": link.pk,
        "connect_sale_id": forward.pk,
    }
    # Without the flag, no connect_data; a refused forwarding is no order that came through Connect.
    assert "connect_data" not in bl_b.ok("getOrders", {"order_id": shop_order.pk})["orders"][0]
    ForwardedOrder.objects.filter(pk=forward.pk).update(state="refused", provider_order=None)
    shop = bl_b.ok("getOrders", {"order_id": shop_order.pk, "include_connect_data": True})["orders"][0]
    assert "connect_data" not in shop


def _order(account, name: str, price: int):
    return order_create(
        account=account,
        lines=[{"name": name, "quantity": 1, "price_brutto": Decimal(price)}],
        confirmed=True,
        origin=TEST_ORIGIN,
    )


def _code(integration) -> str:
    from connect.selectors import provider_code

    return provider_code(integration=integration)


def test_credit_history_shows_entries_written_by_forwarding_as_text(bl_a, credit, account_a):
    """Forwarding and its refunds keep their descriptions untranslated (a message id with its values):
    the ledger answers them as text, not as an internal error."""
    link = credit
    order = _order(account_a, "Pallet", 10)
    CreditEntry.objects.create(
        link=link,
        kind=CreditEntry.Kind.ADJUSTMENT,
        amount=Decimal("300"),
        currency="PLN",
        order=order,
        description=Message(
            gettext_noop("Order #%(id)s cancelled by the supplier: its charge is given back."), id=order.pk
        ),
        actor="Connect",
    )
    body = bl_a.ok("getConnectContractorCreditHistory", {"connect_contractor_id": link.pk})
    assert body["credit_data"][0]["description"] == (
        f"Order #{order.pk} cancelled by the supplier: its charge is given back."
    )
