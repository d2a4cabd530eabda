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
from connect import services
from connect.models import ConnectIntegration, ConnectionCode, ContractorLink, CreditEntry, StatusMapping
from orders.models import OrderStatus
from tests.factories.accounts import AccountFactory
from tests.factories.connect import contractor_join, owner_tenant, provider_create
from tests.isolation.framework import RouteCase, Setup, with_kwargs

CODE_NAME = "alpha-secret-code-name"
CONTRACTOR_NAME = "Gamma secret contractor"
SUPPLIER_NAME = "Alpha secret supplier name"


def _account_b() -> Account:
    # The framework hands a setup only account A; B (the requester) is the fixture's "Beta Shop". Suites
    # that reuse these setups without a B (the role matrix) get a partner account of their own.
    return Account.objects.filter(name="Beta Shop").first() or AccountFactory(name="Beta partner")


def _provider_of_a(account_a) -> Setup:
    """A's provider integration, and B joined to it as a contractor."""
    integration, code = provider_create(account_a, name="Alpha provider")
    services.provider_update(actor=owner_tenant(account_a), integration=integration, code_name=CODE_NAME)
    contractor_join(_account_b(), code)
    active_code = ConnectionCode.objects.get(integration=integration, revoked_at__isnull=True).pk

    def unchanged():
        row = ConnectIntegration.objects.get(pk=integration.pk)
        assert row.deleted_at is None and row.code_name == CODE_NAME and row.display_name == "Alpha provider"
        assert not row.send_statuses and not row.receive_statuses
        assert ConnectionCode.objects.get(integration=row, revoked_at__isnull=True).pk == active_code
        assert row.order_settings.payment == "unpaid"

    return Setup(kwargs={"pk": integration.pk}, marker=CODE_NAME, unchanged=unchanged)


def _other_contractor_of_a(account_a) -> Setup:
    """A's provider integration with contractor C; B is A's contractor too."""
    integration, code = provider_create(account_a, name="Alpha provider")
    gamma = AccountFactory(name="Gamma Retail")
    link = contractor_join(gamma, code)
    services.contractor_link_update(actor=owner_tenant(account_a), link=link, name=CONTRACTOR_NAME)
    contractor_join(_account_b(), code)

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
    contractor_join(_account_b(), code)

    def unchanged():
        row = ConnectIntegration.objects.get(pk=link.contractor_integration_id)
        assert row.deleted_at is None and row.display_name == SUPPLIER_NAME
        assert not row.contractor_settings.hide_prices and not row.contractor_settings.stock_sync
        assert ContractorLink.objects.get(pk=link.pk).disconnected_at is None
        assert not StatusMapping.objects.filter(link=link).exists()

    return Setup(kwargs={"pk": link.contractor_integration_id}, marker=SUPPLIER_NAME, unchanged=unchanged)


def _mapping_of_a(account_a) -> Setup:
    setup = _other_contractor_of_a(account_a)
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


PROVIDER_FORM = {"display_name": "hijacked", "code_name": "hijacked", "orders-payment": "paid"}
CREDIT_FORM = {"credit_limit": "999999", "credit_currency": "EUR"}

CASES = [
    # REST API: provider integrations
    RouteCase("api:connect-provider-list", "list", setup=_provider_of_a, api=True),
    RouteCase(
        "api:connect-provider-detail",
        "detail",
        setup=_provider_of_a,
        methods=("GET", "PATCH", "DELETE"),
        api=True,
        payload={"display_name": "hijacked", "order_settings": {"payment": "paid"}},
    ),
    RouteCase(
        "api:connect-provider-regenerate-code", "detail", setup=_provider_of_a, methods=("POST",), api=True
    ),
    # REST API: contractor integrations (joining)
    RouteCase("api:connect-contractor-integration-list", "list", setup=_supplier_of_a, api=True),
    RouteCase(
        "api:connect-contractor-integration-detail",
        "detail",
        setup=_supplier_of_a,
        methods=("GET", "PATCH", "DELETE"),
        api=True,
        payload={"display_name": "hijacked", "settings": {"hide_prices": True}},
    ),
    RouteCase(
        "api:connect-contractor-integration-provider-statuses", "detail", setup=_supplier_of_a, api=True
    ),
    RouteCase(
        "api:connect-contractor-integration-verify",
        "refs",
        setup=_old_code_of_a,
        methods=("POST",),
        api=True,
        payload=lambda setup: {"code": setup.kwargs["code"]},
    ),
    # REST API: a provider's contractors and their credit
    RouteCase("api:connect-contractor-list", "list", setup=_other_contractor_of_a, api=True),
    RouteCase(
        "api:connect-contractor-detail",
        "detail",
        setup=_contractor_with_credit,
        methods=("GET", "PATCH"),
        api=True,
        payload={"state": "blocked", "name": "hijacked"},
    ),
    RouteCase(
        "api:connect-contractor-credit",
        "detail",
        setup=_contractor_with_credit,
        methods=("PATCH",),
        api=True,
        payload={"credit_limit": "999999"},
    ),
    RouteCase(
        "api:connect-contractor-credit-limit",
        "detail",
        setup=_contractor_with_credit,
        methods=("POST",),
        api=True,
        payload={"new_limit": "999999"},
    ),
    RouteCase("api:connect-contractor-ledger", "detail", setup=_contractor_with_credit, api=True),
    RouteCase(
        "api:connect-contractor-payments",
        "detail",
        setup=_contractor_with_credit,
        methods=("POST",),
        api=True,
        payload={"amount": "5.00"},
    ),
    RouteCase(
        "api:connect-contractor-adjustments",
        "detail",
        setup=_contractor_with_credit,
        methods=("POST",),
        api=True,
        payload={"amount": "5.00", "description": "x"},
    ),
    RouteCase("api:connect-contractor-statuses", "detail", setup=_contractor_with_credit, api=True),
    # REST API: status mappings
    RouteCase("api:connect-status-mapping-list", "list", setup=_mapping_of_a, api=True),
    RouteCase(
        "api:connect-status-mapping-detail",
        "detail",
        setup=_mapping_of_a,
        methods=("GET", "DELETE"),
        api=True,
    ),
    # Web pages: provider side
    RouteCase("connect:integration-list", "list", setup=_provider_of_a),
    RouteCase("connect:provider-create", "list", setup=_provider_of_a),
    RouteCase(
        "connect:provider-detail",
        "detail",
        setup=_provider_of_a,
        methods=("GET", "POST"),
        payload=PROVIDER_FORM,
    ),
    RouteCase("connect:provider-regenerate", "detail", setup=_provider_of_a, methods=("POST",)),
    RouteCase("connect:provider-delete", "detail", setup=_provider_of_a, methods=("POST",)),
    RouteCase(
        "connect:provider-statuses",
        "detail",
        setup=_provider_of_a,
        methods=("GET", "POST"),
        payload={"action": "switches", "send_statuses": "on", "receive_statuses": "on"},
    ),
    RouteCase("connect:provider-publish", "detail", setup=_provider_of_a),
    RouteCase("connect:provider-contractors", "detail", setup=_provider_of_a),
    RouteCase(
        "connect:contractor-edit",
        "detail",
        setup=_other_contractor_of_a,
        methods=("GET", "POST"),
        payload={"name": "hijacked", "range_mode": "all"},
    ),
    RouteCase(
        "connect:contractor-state",
        "detail",
        setup=_other_contractor_of_a,
        methods=("POST",),
        payload={"state": "blocked"},
    ),
    RouteCase(
        "connect:contractor-credit",
        "detail",
        setup=_other_contractor_of_a,
        methods=("POST",),
        payload=CREDIT_FORM,
    ),
    RouteCase(
        "connect:contractor-payment",
        "detail",
        setup=_other_contractor_of_a,
        methods=("POST",),
        payload={"payment-amount": "5"},
    ),
    RouteCase(
        "connect:contractor-adjust",
        "detail",
        setup=_other_contractor_of_a,
        methods=("POST",),
        payload={"adjust-amount": "5", "adjust-description": "x"},
    ),
    # Web pages: contractor side
    RouteCase("connect:join", "list", setup=_provider_of_a),
    RouteCase(
        "connect:supplier-detail",
        "detail",
        setup=_supplier_of_a,
        methods=("GET", "POST"),
        payload={"display_name": "hijacked", "forwarding": "automatic"},
    ),
    RouteCase(
        "connect:supplier-tab",
        "detail",
        setup=with_kwargs(_supplier_of_a, tab="stock"),
        methods=("GET", "POST"),
        payload={"stock_sync": "on"},
    ),
    RouteCase(
        "connect:supplier-statuses",
        "detail",
        setup=_supplier_of_a,
        methods=("GET", "POST"),
        payload={"action": "switches", "send_statuses": "on"},
    ),
    RouteCase("connect:supplier-disconnect", "detail", setup=_supplier_of_a, methods=("POST",)),
]
