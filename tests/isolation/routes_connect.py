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

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Account
from catalog.models import ImportJob, Inventory, Product, ProductLink
from catalog.services import product_save
from changes.origin import Origin
from connect import selectors, services
from connect.imports import connect_import_create
from connect.models import (
    ConnectImport,
    ConnectIntegration,
    ConnectionCode,
    ConnectionRequest,
    ContractorLink,
    CreditEntry,
    ForwardedOrder,
    Publication,
    StatusMapping,
)
from orders.models import OrderStatus
from tests.actors import admin_of
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


SHARED_PRODUCT = "Alpha secret shared drill"


def _shared_catalog_for_b(account_a) -> Setup:
    """A shares its catalog (with a product only A's data names); B has joined but A has blocked it,
    so B's own integration opens nothing of A's catalog yet."""
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    product = product_save(
        actor=admin_of(account_a),
        product=Product(account=account_a, inventory=inventory, sku="ALPHA-SHARED-1"),
        origin=Origin.system(),
        texts={inventory.default_language: {"name": SHARED_PRODUCT}},
    )
    _integration, code = provider_create(account_a, name="Alpha provider")
    link = contractor_join(_partner_of(account_a), code)
    link = services.contractor_set_state(actor=owner_tenant(account_a), link=link, state="blocked")

    def unchanged():
        assert Product.objects.filter(pk=product.pk, sku="ALPHA-SHARED-1").exists()
        assert not ProductLink.objects.filter(external_product=product).exists()

    return Setup(
        kwargs={"pk": link.contractor_integration_id, "product_pk": product.pk},
        marker=SHARED_PRODUCT,
        unchanged=unchanged,
    )


def _api_kwargs(setup: Callable[[Account], Setup], *, detail: bool) -> Callable[[Account], Setup]:
    def wrapped(account_a) -> Setup:
        result = setup(account_a)
        kwargs = {"integration_pk": result.kwargs["pk"]}
        if detail:
            kwargs["pk"] = result.kwargs["product_pk"]
        result.kwargs = kwargs
        return result

    return wrapped


def _web_catalog_kwargs(setup: Callable[[Account], Setup]) -> Callable[[Account], Setup]:
    def wrapped(account_a) -> Setup:
        result = setup(account_a)
        result.kwargs = {"pk": result.kwargs["pk"]}
        return result

    return wrapped


IMPORT_SUPPLIER = "Alpha secret import supplier"


def _import_of_a(account_a) -> Setup:
    """A imports from a third provider's shared catalog (a saved import of A's)."""
    delta = AccountFactory(name="Delta Distribution")
    _integration, code = provider_create(delta, name="Delta for shops")
    link = contractor_join(account_a, code, name=IMPORT_SUPPLIER)
    saved = connect_import_create(
        actor=owner_tenant(account_a),
        integration=link.contractor_integration,
        inventory=Inventory.objects.get(account=account_a, is_default=True),
    )

    def unchanged():
        row = ConnectImport.objects.get(pk=saved.pk)
        assert not row.keep_importing and row.last_run_at is None
        assert ImportJob.objects.filter(source_id=saved.pk, account=account_a).count() == 1

    return Setup(kwargs={"pk": saved.pk}, marker=IMPORT_SUPPLIER, unchanged=unchanged)


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


def _cases(kind: str, setup: Callable[[Account], Setup], *routes: str | tuple[str, Any]) -> list[RouteCase]:
    """One case of ``kind`` per route, all on ``setup``; a route given as ``(route, payload)`` writes
    ``payload``."""
    cases = []
    for route in routes:
        name, payload = route if isinstance(route, tuple) else (route, None)
        cases.append(RouteCase(name, kind, setup=setup, payload=payload))
    return cases


def _link_grants(*routes: tuple[str, Callable[[Account], Setup]]) -> list[RouteCase]:
    """``grant`` cases read through a Connect link: opened by activating (or joining), closed by blocking."""
    return [
        RouteCase(route, "grant", setup=setup, grant=_open_link, revoke=_block_link, expect=404)
        for route, setup in routes
    ]


PROVIDER_FORM = {"display_name": "hijacked", "code_name": "hijacked", "orders-payment": "paid"}
CREDIT_FORM = {"credit_limit": "999999", "credit_currency": "EUR"}

CASES = [
    # REST API: provider integrations
    *_cases(
        "detail",
        _provider_of_a,
        ("api:connect-provider-detail", {"display_name": "hijacked", "order_settings": {"payment": "paid"}}),
        "api:connect-provider-regenerate-code",
    ),
    # REST API: contractor integrations (joining)
    *_cases(
        "detail",
        _supplier_of_a,
        (
            "api:connect-contractor-integration-detail",
            {"display_name": "hijacked", "settings": {"hide_prices": True}},
        ),
        "api:connect-contractor-integration-resync",
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
    *_cases(
        "detail",
        _contractor_with_credit,
        ("api:connect-contractor-detail", {"state": "blocked", "name": "hijacked"}),
        ("api:connect-contractor-credit", {"credit_limit": "999999"}),
        ("api:connect-contractor-credit-limit", {"new_limit": "999999"}),
        "api:connect-contractor-ledger",
        ("api:connect-contractor-payments", {"amount": "5.00"}),
        ("api:connect-contractor-adjustments", {"amount": "5.00", "description": "x"}),
        "api:connect-contractor-statuses",
    ),
    # REST API: status mappings
    *_cases("list", _mapping_of_a, "api:connect-status-mapping-list"),
    *_cases("detail", _mapping_of_a, "api:connect-status-mapping-detail"),
    # REST API: forwarding (part 3) and the contractor's own ledger
    RouteCase(
        "api:connect-forward-list",
        "refs",
        setup=_orders_of_a_to_forward,
        payload=lambda setup: {"orders": setup.kwargs["orders"], "integration": setup.kwargs["integration"]},
    ),
    *_cases("detail", _forward_of_a, "api:connect-forward-detail"),
    *_cases("detail", _supplier_of_a, "api:connect-contractor-integration-ledger"),
    # The Connect part of A's order card
    *_cases("detail", _forwarded_order_of_a, "connect:order-forward-state"),
    # Lists (and forms for new rows) of the requester's own: A's rows never show.
    *_cases(
        "list",
        _provider_of_a,
        "api:connect-provider-list",
        "connect:integration-list",
        "connect:provider-create",
        "connect:join",
    ),
    *_cases("list", _supplier_of_a, "api:connect-contractor-integration-list"),
    *_cases("list", _other_contractor_of_a, "api:connect-contractor-list"),
    # Web pages: provider side
    *_cases(
        "detail",
        _provider_of_a,
        ("connect:provider-detail", PROVIDER_FORM),
        "connect:provider-regenerate",
        "connect:provider-delete",
        (
            "connect:provider-statuses",
            {"action": "switches", "send_statuses": "on", "receive_statuses": "on"},
        ),
        "connect:provider-publish",
        "connect:provider-contractors",
    ),
    *_cases(
        "detail",
        _other_contractor_of_a,
        ("connect:contractor-edit", {"name": "hijacked", "range_mode": "all"}),
        ("connect:contractor-state", {"state": "blocked"}),
        ("connect:contractor-credit", CREDIT_FORM),
        ("connect:contractor-payment", {"payment-amount": "5"}),
        ("connect:contractor-adjust", {"adjust-amount": "5", "adjust-description": "x"}),
    ),
    # Web pages: contractor side
    *_cases(
        "detail",
        _supplier_of_a,
        ("connect:supplier-detail", {"display_name": "hijacked", "forwarding": "automatic"}),
        ("connect:supplier-statuses", {"action": "switches", "send_statuses": "on"}),
        "connect:supplier-disconnect",
        # Stock and price sync: "Synchronise now" on another account's supplier integration is a 404.
        ("connect:supplier-resync", {"tab": "stock"}),
    ),
    *_cases(
        "detail", with_kwargs(_supplier_of_a, tab="stock"), ("connect:supplier-tab", {"stock_sync": "on"})
    ),
    # The shared catalog: a contractor reads its provider's shared products only through an open link
    # (blocked: 404; another contractor let through: still 404 for B; open: the product; blocked
    # again: 404). What the settings and the range let through is in tests/connect/.
    *_link_grants(
        ("connect:shared-catalog", _web_catalog_kwargs(_shared_catalog_for_b)),
        ("connect:shared-product", _shared_catalog_for_b),
        ("api:connect-shared-product-list", _api_kwargs(_shared_catalog_for_b, detail=False)),
        ("api:connect-shared-product-detail", _api_kwargs(_shared_catalog_for_b, detail=True)),
    ),
    # Imports from a supplier: the account's own saved imports only.
    *_cases("list", _import_of_a, "connect:import-list", "connect:import-create", "api:connect-import-list"),
    *_cases(
        "detail",
        _import_of_a,
        ("connect:import-detail", {"action": "keep", "keep": "1"}),
        "api:connect-import-detail",
        "api:connect-import-run",
    ),
]


# -- the partner directory ---------------------------------------------------------------------------

ENTRY_TEXT = "Alpha secret directory text"
REQUESTER_NAME = "Gamma secret requester"


def _png_with(marker: str) -> bytes:
    """A small PNG whose text chunk carries ``marker`` (so a served logo is recognisable)."""
    import io

    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", marker)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def _unlisted_entry_of_a(account_a) -> Setup:
    """A's provider integration with a complete public entry waiting for its first verification: it
    does not exist for other accounts (404 everywhere; lists do not show it)."""
    from connect import directory

    integration, _code = provider_create(account_a, name="Alpha provider")
    publication = directory.publication_save(
        actor=owner_tenant(account_a),
        integration=integration,
        logo=_png_with(ENTRY_TEXT),
        is_public=True,
        company_name="Alpha listed name",
        description=ENTRY_TEXT,
        countries=["PL"],
        industries=["home_garden"],
        services=["wholesaler"],
        contact_email="alpha@example.test",
        approval_required=True,
    )

    def unchanged():
        row = Publication.objects.get(pk=publication.pk)
        assert row.state == "waiting" and row.description == ENTRY_TEXT and row.listed_at is None
        assert not ContractorLink.objects.filter(provider_integration=integration).exists()
        assert not ConnectionRequest.objects.filter(provider_integration=integration).exists()

    return Setup(kwargs={"pk": publication.pk}, marker=ENTRY_TEXT, unchanged=unchanged)


def _entry_to_list(account_a) -> Setup:
    """``_unlisted_entry_of_a`` for the grant: listing it (and a code join of another account) are
    the changes the case makes itself."""
    setup = _unlisted_entry_of_a(account_a)
    return Setup(kwargs=setup.kwargs, marker=setup.marker)


DIRECTORY_PRODUCT = "Alpha secret product seen from the directory"


def _entry_products_to_list(account_a) -> Setup:
    """An unlisted entry that shows products, and a product its integration shares."""
    setup = _entry_to_list(account_a)
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    product_save(
        actor=admin_of(account_a),
        product=Product(account=account_a, inventory=inventory, sku="ALPHA-DIRECTORY-1"),
        origin=Origin.system(),
        texts={inventory.default_language: {"name": DIRECTORY_PRODUCT}},
    )
    assert Publication.objects.get(pk=setup.kwargs["pk"]).show_products
    return Setup(kwargs=setup.kwargs, marker=DIRECTORY_PRODUCT)


def _entry_product_to_list(account_a) -> Setup:
    """``_entry_products_to_list``, addressed with the shared product (its page under the entry)."""
    setup = _entry_products_to_list(account_a)
    product = Product.objects.get(account=account_a, sku="ALPHA-DIRECTORY-1")
    return Setup(kwargs={**setup.kwargs, "product_pk": product.pk}, marker=DIRECTORY_PRODUCT)


def _publication_of_a(account_a) -> Setup:
    """The Publish tab's entry, addressed by A's provider integration."""
    setup = _unlisted_entry_of_a(account_a)
    publication = Publication.objects.get(pk=setup.kwargs["pk"])
    return Setup(kwargs={"pk": publication.integration_id}, marker=ENTRY_TEXT, unchanged=setup.unchanged)


def _request_to_a(account_a) -> Setup:
    """A's listed entry requires approval; C sent a request that waits for A's answer."""
    from connect import directory

    setup = _unlisted_entry_of_a(account_a)
    publication = directory.publication_listing_take(
        publication=Publication.objects.get(pk=setup.kwargs["pk"])
    )
    gamma = AccountFactory(name=REQUESTER_NAME)
    services.integration_join(
        actor=owner_tenant(gamma), publication=publication, client_ip=None, display_name="Alpha"
    )
    request = ConnectionRequest.objects.get(contractor_account=gamma)

    def unchanged():
        row = ConnectionRequest.objects.get(pk=request.pk)
        assert row.state == "pending" and row.answer_message == ""
        assert ContractorLink.objects.get(pk=row.link_id).state == "awaiting"

    return Setup(
        kwargs={"pk": request.pk, "request_pk": request.pk, "integration": publication.integration_id},
        marker=REQUESTER_NAME,
        unchanged=unchanged,
    )


def _request_answer_of_a(account_a) -> Setup:
    setup = _request_to_a(account_a)
    return Setup(
        kwargs={"pk": setup.kwargs["integration"], "request_pk": setup.kwargs["request_pk"]},
        marker=setup.marker,
        unchanged=setup.unchanged,
    )


def _request_api_of_a(account_a) -> Setup:
    setup = _request_to_a(account_a)
    return Setup(kwargs={"pk": setup.kwargs["pk"]}, marker=setup.marker, unchanged=setup.unchanged)


def _rejected_supplier_of_a(account_a) -> Setup:
    """A asked a third provider from the directory and was rejected: its integration awaits."""
    from connect import directory
    from tests.factories.connect import listed_publication

    delta = AccountFactory(name="Delta Distribution")
    publication = listed_publication(provider_create(delta, name="Delta")[0], approval_required=True)
    integration = services.integration_join(
        actor=owner_tenant(account_a), publication=publication, client_ip=None, display_name=SUPPLIER_NAME
    )
    request = ConnectionRequest.objects.get(contractor_account=account_a)
    directory.request_answer(actor=owner_tenant(delta), request=request, accept=False, message="No")
    # The cool-down is over: a resend would go through if the route let B act on A's integration.
    ConnectionRequest.objects.filter(pk=request.pk).update(
        answered_at=timezone.now() - directory.REQUEST_COOLDOWN - timedelta(minutes=1)
    )

    def unchanged():
        assert ConnectionRequest.objects.filter(contractor_account=account_a).count() == 1

    return Setup(kwargs={"pk": integration.pk}, marker=SUPPLIER_NAME, unchanged=unchanged)


def _is_reader(account) -> bool:
    # The isolation suite reads as "Beta Shop" (tests/conftest.py); see _partner_of.
    return account.name == "Beta Shop"


def _list_entry(setup: Setup, owner, grantee):
    """The grant behind a directory entry is its listing: verified, it is every account's to read, so
    it is given only for the reading account itself. For another account A can do only what concerns
    that account alone — connect it to the integration behind the entry with the code — and that must
    not make the unlisted entry readable to anyone."""
    from connect import directory

    publication = Publication.objects.get(pk=setup.kwargs["pk"])
    if _is_reader(grantee):
        if publication.state != "waiting":  # listed before and unpublished: ask again
            publication = directory.publication_save(
                actor=owner_tenant(owner), integration=publication.integration, description=ENTRY_TEXT + " "
            )
            publication = directory.publication_save(
                actor=owner_tenant(owner), integration=publication.integration, description=ENTRY_TEXT
            )
        return directory.publication_listing_take(publication=publication)
    return contractor_join(grantee, selectors.provider_code(integration=publication.integration))


def _unlist_entry(granted) -> None:
    from django.contrib.auth import get_user_model

    from connect import directory

    if isinstance(granted, ContractorLink):
        _block_link(granted)
        return
    staff, _new = get_user_model().objects.get_or_create(
        email="staff@isolation.test", defaults={"is_staff": True}
    )
    directory.publication_unpublish(staff_user=staff, publication=granted, reason="Isolation suite")


ANSWER_FORM = {"answer": "accept", "message": "hijacked"}
DIRECTORY_MESSAGE = {"reply_to": "b@example.test", "message": "hi"}

CASES += [
    # The directory: lists show listed entries only (A's unlisted one never appears to B).
    *_cases("list", _unlisted_entry_of_a, "connect:directory-list", "api:connect-directory-list"),
    # The directory's public entry: B reads it (and its logo) only while it is listed; see products:
    # what the integration behind a listed entry shares, only while it is listed.
    *(
        RouteCase(route, "grant", setup=setup, grant=_list_entry, revoke=_unlist_entry, expect=404)
        for route, setup in (
            ("connect:directory-detail", _entry_to_list),
            ("connect:directory-logo", _entry_to_list),
            ("api:connect-directory-detail", _entry_to_list),
            ("connect:directory-products", _entry_products_to_list),
            ("api:connect-directory-products", _entry_products_to_list),
        )
    ),
    # One product of See products: the same grant, the same 404 before it and after it is revoked.
    RouteCase(
        "connect:directory-product",
        "grant",
        setup=_entry_product_to_list,
        grant=_list_entry,
        revoke=_unlist_entry,
        expect=404,
    ),
    # Writing to, or joining, an entry that is not listed: 404 like an id never used.
    *_cases(
        "detail",
        _unlisted_entry_of_a,
        ("connect:directory-message", DIRECTORY_MESSAGE),
        ("api:connect-directory-message", DIRECTORY_MESSAGE),
        ("connect:directory-connect", {"display_name": "hijacked", "step": "join", "forwarding": "button"}),
    ),
    # The provider's side: its entry, its requests and their answers.
    *_cases(
        "detail",
        _publication_of_a,
        ("api:connect-provider-publication", {"description": "hijacked", "is_public": False}),
    ),
    *_cases("list", _request_to_a, "api:connect-connection-request-list"),
    *_cases(
        "detail",
        _request_api_of_a,
        "api:connect-connection-request-detail",
        ("api:connect-connection-request-accept", {"message": "x"}),
        ("api:connect-connection-request-reject", {"message": "x"}),
    ),
    *_cases("detail", _request_answer_of_a, ("connect:request-answer", ANSWER_FORM)),
    # The contractor's side: sending a rejected request again.
    *_cases(
        "detail",
        _rejected_supplier_of_a,
        "connect:supplier-request",
        "api:connect-contractor-integration-resend-request",
    ),
]
