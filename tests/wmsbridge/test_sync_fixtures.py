"""Fixtures and builders shared by the WMS sync tests (imported by the other test_sync_* modules),
and the tests of the connection's stored password.

The sync takes its run lock on a second database session, which only sees committed rows: every
test that runs a sync uses ``transactional_db``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import Inventory, Product, ProductText, Stock
from config.crypto import SecretUnreadable
from orders.models import OrderStatus
from orders.services import order_create
from tests.origins import TEST_ORIGIN
from wmsbridge.models import WmsConnection
from wmsbridge.sandbox import SandboxServer
from wmsbridge.services import connection_create, connection_test
from wmsbridge.sync import connection_sync

GOODS_OWNER_A = 1
GOODS_OWNER_B = 2
FAST_CLIENT = {
    "timeout": 3.0,
    "max_retries": 8,
    "backoff_base": 0.01,
    "backoff_max": 0.05,
    "retry_after_max": 0.05,
}


# Named fixtures so that modules can import them without shadowing the names their tests take.
@pytest.fixture(name="sandbox")
def sandbox_fixture():
    with SandboxServer(port=0, warehouse="sandbox") as server:
        server.add_goods_owner(GOODS_OWNER_A, "Alpha")
        server.add_goods_owner(GOODS_OWNER_B, "Beta")
        server.add_user("alpha", "alpha-pass", [GOODS_OWNER_A])
        server.add_user("beta", "beta-pass", [GOODS_OWNER_B])
        server.state.settings.webhook_retry_delays = [0.05, 0.1, 0.2]
        yield server


@pytest.fixture(name="fast_client")
def fast_client_fixture(settings):
    settings.WMSBRIDGE_CLIENT_OPTIONS = dict(FAST_CLIENT)


def inventory_of(account) -> Inventory:
    return Inventory.objects.get(account=account, is_default=True)


def status_of(account, kind: str) -> OrderStatus:
    return OrderStatus.objects.filter(account=account, kind=kind).order_by("position", "id").first()


def make_product(account, sku: str, name: str = "", *, parent=None, stock: int = 1000, **fields) -> Product:
    inventory = inventory_of(account)
    description = fields.pop("description", "")
    product = Product.objects.create(account=account, inventory=inventory, sku=sku, parent=parent, **fields)
    ProductText.objects.create(
        product=product,
        language=inventory.default_language,
        name=name or f"Product {sku}",
        description=description,
    )
    if stock:
        Stock.objects.create(product=product, warehouse=inventory.default_warehouse, quantity=stock)
    return product


def make_order(account, products: list[Product], *, quantity: int = 1, **fields):
    lines = [{"product": p, "quantity": quantity, "price_brutto": Decimal("19.99")} for p in products]
    fields.setdefault("status", status_of(account, "new"))
    return order_create(account=account, lines=lines, **fields, origin=TEST_ORIGIN)


def make_connection(account, sandbox: SandboxServer, *, goods_owner=GOODS_OWNER_A, user="alpha", **values):
    defaults = {
        "name": "Sandbox",
        "base_url": sandbox.base_url,
        "api_user": user,
        "password": f"{user}-pass",
        "goods_owner_id": goods_owner,
        "inventory": inventory_of(account),
        "export_statuses": [status_of(account, "new")],
        "label_courier": "hurtlink",
    }
    return connection_create(account=account, **{**defaults, **values})


def sync(connection: WmsConnection, *kinds: str) -> dict:
    """Run a sync and return its runs by kind."""
    return {run.kind: run for run in connection_sync(connection_id=connection.pk, kinds=list(kinds) or None)}


# ------------------------------------------------------------------------------------------ password


@pytest.mark.django_db
def test_password_is_stored_encrypted_and_reads_back(account_a):
    sandbox_url = "http://127.0.0.1:9/sandbox/"
    connection = connection_create(
        account=account_a,
        name="W",
        base_url=sandbox_url,
        api_user="u",
        password="s3cret-Pass",
        goods_owner_id=1,
        inventory=inventory_of(account_a),
    )
    stored = WmsConnection.objects.values_list("password_encrypted", flat=True).get(pk=connection.pk)
    assert "s3cret" not in stored
    assert WmsConnection.objects.get(pk=connection.pk).password == "s3cret-Pass"


@pytest.mark.django_db
def test_password_encrypted_with_another_key_is_reported_not_crashed(account_a, settings):
    connection = connection_create(
        account=account_a,
        name="W",
        base_url="http://127.0.0.1:9/sandbox/",
        api_user="u",
        password="pw",
        goods_owner_id=1,
        inventory=inventory_of(account_a),
    )
    settings.FIELD_ENCRYPTION_KEY = "hQ0vXv1mHqkN6t3n8JX3c6m7cQ9wqv4Jk0f7d2b8z1A="
    with pytest.raises(SecretUnreadable, match="enter the password again"):
        _ = WmsConnection.objects.get(pk=connection.pk).password
    # "Test connection" says so instead of failing.
    check = connection_test(connection=WmsConnection.objects.get(pk=connection.pk))
    assert (check.ok, check.reason) == (False, "password") and "enter the password again" in check.message
