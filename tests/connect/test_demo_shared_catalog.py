"""The demo: the shop sees the wholesaler's shared catalog and has imported part of it."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.demo import DEMO_USERS
from catalog.models import ProductLink
from connect.models import ConnectImport, ContractorLink

pytestmark = pytest.mark.django_db


def test_the_demo_shop_sees_the_wholesalers_catalog_and_imported_part_of_it():
    call_command("demo_setup")
    link = ContractorLink.objects.get()
    saved = ConnectImport.objects.get(account=link.contractor_account)
    assert saved.keep_importing and saved.last_run_at is not None and saved.last_created > 0
    linked = ProductLink.objects.filter(
        account=link.contractor_account, storage_id=link.contractor_integration_id
    )
    assert linked.count() == saved.last_created
    assert linked.count() < link.provider_account.products.count()  # a part, not all

    shop = Client()
    assert shop.login(email=DEMO_USERS[1].email, password=DEMO_USERS[1].password)
    page = shop.get(reverse("connect:shared-catalog", args=[link.contractor_integration_id]))
    assert page.status_code == 200 and "(Connect)" in page.content.decode()
