"""The demo the run command loads: two accounts, the wholesaler with products, orders and packages."""

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_USERS
from accounts.models import Account
from catalog.models import Product
from orders.models import Order
from shipments.models import Package

pytestmark = pytest.mark.django_db


def test_demo_setup_loads_once_and_the_wholesaler_has_data(client, capsys):
    call_command("demo_setup")
    wholesaler = Account.objects.get(name=DEMO_USERS[0].company)
    products, orders = (
        Product.objects.filter(account=wholesaler).count(),
        Order.objects.filter(account=wholesaler),
    )
    # 150 orders of its own, and the one the demo shop forwarded to it through Connect.
    assert products >= 300 and orders.count() == 151
    assert orders.filter(source__kind="connect").count() == 1
    assert len({o.status_id for o in orders}) >= 5
    assert Package.objects.filter(account=wholesaler).exists()
    call_command("demo_setup")  # the next start reuses what is there
    assert Product.objects.filter(account=wholesaler).count() == products
    assert "demo-wholesaler-2026" in capsys.readouterr().out
    assert client.login(email=DEMO_USERS[0].email, password=DEMO_USERS[0].password)
    # A Polish company: its statuses are named in Polish, whatever the language of the page.
    assert "Nowe zamówienia" in client.get("/").content.decode()
