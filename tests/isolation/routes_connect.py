"""Connect routes. Connect is the one place where accounts are linked, so the cases here give account
B a real link into A's world before it tries A's objects:

- A provides and **B is A's contractor**: B still gets 404 for A's provider integration, its code and
  its settings (having joined with a code opens nothing of the provider's admin side);
- A provides with another contractor (C) and **B is also A's contractor**: B gets 404 for C (another
  contractor of the same provider) and for A's contractor pages;
- A and B are **both contractors of a third provider**: B gets 404 for A's supplier integration.

Blocked and disconnected links are covered in ``tests/connect/test_isolation_links.py``.
"""

from __future__ import annotations

from decimal import Decimal

from accounts.models import Account
from connect import selectors, services
from connect.models import (
    ConnectIntegration,
    ConnectionCode,
    ContractorLink,
    CreditEntry,
    ForwardedOrder,
    StatusMapping,
)
from orders.models import OrderStatus
from tests.factories.accounts import AccountFactory
from tests.factories.connect import contractor_join, owner_tenant, provider_create
from tests.isolation.framework import RouteCase, Setup, with_kwargs

CODE_NAME = "alpha-secret-code-name"
CONTRACTOR_NAME = "Gamma secret contractor"
SUPPLIER_NAME = "Alpha secret supplier name"


def _partner_of(account) -> Account:
    """The account linked into ``account``'s world: the requester B ("Beta Shop") when the setup makes
    A's objects; a partner of its own when B is absent (the role matrix) or the setup makes B's own."""
    beta = Account.objects.filter(name="Beta Shop").exclude(pk=account.pk).first()
    return beta or AccountFactory(name=f"Partner of {account.name}")


def _provider_of_a(account_a) -> Setup:
    """A's provider integration, and B joined to it as a contractor."""
    integration, code = provider_create(account_a, name="Alpha provider")
    services.provider_update(actor=owner_tenant(account_a), integration=integration, code_name=CODE_NAME)
    contractor_join(_partner_of(account_a), code)
    active_code = ConnectionCode.objects.get(integration=integration, revoked_at__isnull=True).pk

    def unchanged():
        row = ConnectIntegration.objects.get(pk=integration.pk)
        assert row.deleted_at is None and row.code_name == CODE_NAME and row.display_name == "Alpha provider"
        assert not row.send_statuses and not row.receive_statuses
        assert ConnectionCode.objects.get(integration=row, revoked_at__isnull=True).pk == active_code
        assert row.order_settings.payment == "unpaid"

    return Setup(kwargs={"pk": integration.pk}, marker=CODE_NAME, unchanged=unchanged)


def _other_contractor_of_a(account_a, *, b_joins: bool = True) -> Setup:
    """A's provider integration with contractor C; B is A's contractor too (unless ``b_joins`` is off)."""
    integration, code = provider_create(account_a, name="Alpha provider")
    gamma = AccountFactory(name="Gamma Retail")
    link = contractor_join(gamma, code)
    services.contractor_link_update(actor=owner_tenant(account_a), link=link, name=CONTRACTOR_NAME)
    if b_joins:
        contractor_join(_partner_of(account_a), code)

    def unchanged():
        row = ContractorLink.objects.get(pk=link.pk)
        assert row.name == CONTRACTOR_NAME and row.state == "active" and row.disconnected_at is None
        assert row.credit_limit is None and row.range_mode == "all"
        assert not CreditEntry.objects.filter(link=row).exists()

    return Setup(
        kwargs={"pk": integration.pk, "link_pk": link.pk}, marker=CONTRACTOR_NAME, unchanged=unchanged
    )


def _contractor_with_credit(account_a) -> Setup:
    setup = _other_contractor_of_a(account_a)
    link = ContractorLink.objects.get(pk=setup.kwargs["link_pk"])
    services.credit_settings_update(
        actor=owner_tenant(account_a), link=link, credit_limit=Decimal("100"), credit_currency="EUR"
    )
    services.credit_payment_record(
        actor=owner_tenant(account_a), link=link, amount="7", description="Gamma wire"
    )

    def unchanged():
        row = ContractorLink.objects.get(pk=link.pk)
        assert row.credit_limit == Decimal("100.00") and row.state == "active"
        assert CreditEntry.objects.filter(link=row).count() == 1

    return Setup(kwargs={"pk": link.pk}, marker="Gamma wire", unchanged=unchanged)


def _supplier_of_a(account_a) -> Setup:
    """A and B are both contractors of a third account's provider integration."""
    delta = AccountFactory(name="Delta Distribution")
    _integration, code = provider_create(delta, name="Delta for shops")
    link = contractor_join(account_a, code, name=SUPPLIER_NAME)
    contractor_join(_partner_of(account_a), code)

    def unchanged():
        row = ConnectIntegration.objects.get(pk=link.contractor_integration_id)
        assert row.deleted_at is None and row.display_name == SUPPLIER_NAME
        assert not row.contractor_settings.hide_prices and not row.contractor_settings.stock_sync
        assert ContractorLink.objects.get(pk=link.pk).disconnected_at is None
        assert not StatusMapping.objects.filter(link=link).exists()

    return Setup(kwargs={"pk": link.contractor_integration_id}, marker=SUPPLIER_NAME, unchanged=unchanged)


def _forwarded_by_a(account_a):
    """A is a contractor of a third provider (Delta) and has forwarded one order to it; B is Delta's
    contractor too."""
    from connect import forwarding
    from orders.services import order_create
    from tests.origins import TEST_ORIGIN

    delta = AccountFactory(name="Delta Distribution")
    _integration, code = provider_create(delta, name="Delta for shops")
    link = contractor_join(account_a, code, name=SUPPLIER_NAME)
    contractor_join(_partner_of(account_a), code)
    order = order_create(
        account=account_a,
        lines=[{"name": "Alpha secret line", "price_brutto": Decimal("10"), "quantity": 1}],
        origin=TEST_ORIGIN,
    )
    outcome = forwarding.forward(actor=owner_tenant(account_a), order_ids=[order.pk]).outcomes[0]
    assert outcome.state == "forwarded"
    return link, order


def _forward_of_a(account_a) -> Setup:
    link, order = _forwarded_by_a(account_a)
    row = order.connect_forward

    def unchanged():
        assert ForwardedOrder.objects.filter(pk=row.pk, state="forwarded").exists()

    return Setup(kwargs={"pk": row.pk}, marker=SUPPLIER_NAME, unchanged=unchanged)


def _orders_of_a_to_forward(account_a) -> Setup:
    link, order = _forwarded_by_a(account_a)
    from orders.services import order_create
    from tests.origins import TEST_ORIGIN

    waiting = order_create(
        account=account_a,
        lines=[{"name": "Alpha secret line", "price_brutto": Decimal("10"), "quantity": 1}],
        origin=TEST_ORIGIN,
    )

    def unchanged():
        assert not ForwardedOrder.objects.filter(contractor_order=waiting).exists()

    return Setup(
        kwargs={"orders": [waiting.pk, order.pk], "integration": link.contractor_integration_id},
        marker=SUPPLIER_NAME,
        unchanged=unchanged,
    )


def _forwarded_order_of_a(account_a) -> Setup:
    _link, order = _forwarded_by_a(account_a)
    return Setup(kwargs={"pk": order.pk}, marker=SUPPLIER_NAME)


def _mapping_of_a(account_a) -> Setup:
    # B is not linked to A here: a status of a partner B *is* linked to is a valid remote status (the
    # grant), so naming A's statuses is refused only where no link grants them.
    setup = _other_contractor_of_a(account_a, b_joins=False)
    link = ContractorLink.objects.get(pk=setup.kwargs["link_pk"])
    mine = OrderStatus.objects.create(account=account_a, name="Alpha secret status")
    theirs = OrderStatus.objects.filter(account=link.contractor_account).first()
    mapping = services.status_mapping_create(
        actor=owner_tenant(account_a), link=link, direction="send", local_status=mine, remote_status=theirs
    )

    def unchanged():
        assert StatusMapping.objects.filter(pk=mapping.pk).exists()

    return Setup(kwargs={"pk": mapping.pk}, marker="Alpha secret status", unchanged=unchanged)


def _old_code_of_a(account_a) -> Setup:
    integration, old_code = provider_create(account_a, name="Alpha provider")
    services.code_regenerate(actor=owner_tenant(account_a), integration=integration)

    def unchanged():
        assert not ContractorLink.objects.filter(provider_integration=integration).exists()

    return Setup(kwargs={"code": old_code}, marker="Alpha provider", unchanged=unchanged)


GRANTED_STATUS = "Alpha secret granted status"


def _provider_statuses_for_b(account_a) -> Setup:
    """A provides; B has joined but A has blocked it, so B's own integration opens nothing of A's yet."""
    OrderStatus.objects.create(account=account_a, name=GRANTED_STATUS)
    _integration, code = provider_create(account_a, name="Alpha provider")
    link = contractor_join(_partner_of(account_a), code)
    link = services.contractor_set_state(actor=owner_tenant(account_a), link=link, state="blocked")

    def unchanged():
        assert OrderStatus.objects.filter(account=account_a, name=GRANTED_STATUS).exists()

    return Setup(kwargs={"pk": link.contractor_integration_id}, marker=GRANTED_STATUS, unchanged=unchanged)


def _open_link(setup: Setup, owner, grantee) -> ContractorLink:
    """The grant: the owner (provider) lets the grantee's link through — B's blocked one is activated,
    another account joins with the code."""
    link = ContractorLink.objects.filter(
        provider_account=owner, contractor_account=grantee, disconnected_at__isnull=True
    ).first()
    if link is None:
        provider = ConnectIntegration.objects.alive().get(account=owner, role="provider")
        link = contractor_join(grantee, selectors.provider_code(integration=provider))
    return services.contractor_set_state(actor=owner_tenant(owner), link=link, state="active")


def _block_link(link: ContractorLink) -> None:
    services.contractor_set_state(actor=owner_tenant(link.provider_account), link=link, state="blocked")


PROVIDER_FORM = {"display_name": "hijacked", "code_name": "hijacked", "orders-payment": "paid"}
CREDIT_FORM = {"credit_limit": "999999", "credit_currency": "EUR"}

CASES = [
    # REST API: provider integrations
    RouteCase("api:connect-provider-list", "list", setup=_provider_of_a),
    RouteCase(
        "api:connect-provider-detail",
        "detail",
        setup=_provider_of_a,
        payload={"display_name": "hijacked", "order_settings": {"payment": "paid"}},
    ),
    RouteCase("api:connect-provider-regenerate-code", "detail", setup=_provider_of_a),
    # REST API: contractor integrations (joining)
    RouteCase("api:connect-contractor-integration-list", "list", setup=_supplier_of_a),
    RouteCase(
        "api:connect-contractor-integration-detail",
        "detail",
        setup=_supplier_of_a,
        payload={"display_name": "hijacked", "settings": {"hide_prices": True}},
    ),
    # The one read across accounts in part 1: a contractor reads its provider's statuses (for its
    # mapping tables) through an open link only. Closed (blocked, or another contractor let through):
    # an empty list; open: the provider's statuses; blocked again: empty.
    RouteCase(
        "api:connect-contractor-integration-provider-statuses",
        "grant",
        setup=_provider_statuses_for_b,
        grant=_open_link,
        revoke=_block_link,
        expect=200,
    ),
    RouteCase(
        "api:connect-contractor-integration-verify",
        "refs",
        setup=_old_code_of_a,
        payload=lambda setup: {"code": setup.kwargs["code"]},
    ),
    # REST API: a provider's contractors and their credit
    RouteCase("api:connect-contractor-list", "list", setup=_other_contractor_of_a),
    RouteCase(
        "api:connect-contractor-detail",
        "detail",
        setup=_contractor_with_credit,
        payload={"state": "blocked", "name": "hijacked"},
    ),
    RouteCase(
        "api:connect-contractor-credit",
        "detail",
        setup=_contractor_with_credit,
        payload={"credit_limit": "999999"},
    ),
    RouteCase(
        "api:connect-contractor-credit-limit",
        "detail",
        setup=_contractor_with_credit,
        payload={"new_limit": "999999"},
    ),
    RouteCase("api:connect-contractor-ledger", "detail", setup=_contractor_with_credit),
    RouteCase(
        "api:connect-contractor-payments",
        "detail",
        setup=_contractor_with_credit,
        payload={"amount": "5.00"},
    ),
    RouteCase(
        "api:connect-contractor-adjustments",
        "detail",
        setup=_contractor_with_credit,
        payload={"amount": "5.00", "description": "x"},
    ),
    RouteCase("api:connect-contractor-statuses", "detail", setup=_contractor_with_credit),
    # REST API: status mappings
    RouteCase("api:connect-status-mapping-list", "list", setup=_mapping_of_a),
    RouteCase(
        "api:connect-status-mapping-detail",
        "detail",
        setup=_mapping_of_a,
    ),
    # REST API: forwarding (part 3) and the contractor's own ledger
    RouteCase(
        "api:connect-forward-list",
        "refs",
        setup=_orders_of_a_to_forward,
        payload=lambda setup: {"orders": setup.kwargs["orders"], "integration": setup.kwargs["integration"]},
    ),
    RouteCase("api:connect-forward-detail", "detail", setup=_forward_of_a),
    RouteCase("api:connect-contractor-integration-ledger", "detail", setup=_supplier_of_a),
    # The Connect part of A's order card
    RouteCase("connect:order-forward-state", "detail", setup=_forwarded_order_of_a),
    # Web pages: provider side
    RouteCase("connect:integration-list", "list", setup=_provider_of_a),
    RouteCase("connect:provider-create", "list", setup=_provider_of_a),
    RouteCase(
        "connect:provider-detail",
        "detail",
        setup=_provider_of_a,
        payload=PROVIDER_FORM,
    ),
    RouteCase("connect:provider-regenerate", "detail", setup=_provider_of_a),
    RouteCase("connect:provider-delete", "detail", setup=_provider_of_a),
    RouteCase(
        "connect:provider-statuses",
        "detail",
        setup=_provider_of_a,
        payload={"action": "switches", "send_statuses": "on", "receive_statuses": "on"},
    ),
    RouteCase("connect:provider-publish", "detail", setup=_provider_of_a),
    RouteCase("connect:provider-contractors", "detail", setup=_provider_of_a),
    RouteCase(
        "connect:contractor-edit",
        "detail",
        setup=_other_contractor_of_a,
        payload={"name": "hijacked", "range_mode": "all"},
    ),
    RouteCase(
        "connect:contractor-state",
        "detail",
        setup=_other_contractor_of_a,
        payload={"state": "blocked"},
    ),
    RouteCase(
        "connect:contractor-credit",
        "detail",
        setup=_other_contractor_of_a,
        payload=CREDIT_FORM,
    ),
    RouteCase(
        "connect:contractor-payment",
        "detail",
        setup=_other_contractor_of_a,
        payload={"payment-amount": "5"},
    ),
    RouteCase(
        "connect:contractor-adjust",
        "detail",
        setup=_other_contractor_of_a,
        payload={"adjust-amount": "5", "adjust-description": "x"},
    ),
    # Web pages: contractor side
    RouteCase("connect:join", "list", setup=_provider_of_a),
    RouteCase(
        "connect:supplier-detail",
        "detail",
        setup=_supplier_of_a,
        payload={"display_name": "hijacked", "forwarding": "automatic"},
    ),
    RouteCase(
        "connect:supplier-tab",
        "detail",
        setup=with_kwargs(_supplier_of_a, tab="stock"),
        payload={"stock_sync": "on"},
    ),
    RouteCase(
        "connect:supplier-statuses",
        "detail",
        setup=_supplier_of_a,
        payload={"action": "switches", "send_statuses": "on"},
    ),
    RouteCase("connect:supplier-disconnect", "detail", setup=_supplier_of_a),
]
