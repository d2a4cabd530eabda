"""The shared catalog's pages: the supplier's catalog in the product list, a read-only product page,
the import form, saved imports and the product page's link."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from catalog.models import ImportJob, Inventory, Product, ProductLink
from connect import services
from connect.imports import connect_import_job_run
from connect.models import ConnectImport
from tests.connect.shared_setup import shared_catalog_setup, sharing_update
from tests.factories.connect import owner_tenant


@pytest.fixture
def shared(account_a, account_b):
    return shared_catalog_setup(account_a, account_b)


def test_the_product_lists_catalog_selector_offers_the_suppliers_catalog(shared, client_b):
    page = client_b.get(reverse("catalog:product-list"))
    key = f"connect-{shared.contractor_integration.pk}"
    assert f'value="{key}"' in page.content.decode() and "My supplier (Connect)" in page.content.decode()

    chosen = client_b.get(reverse("catalog:product-list"), {"inventory": key})

    assert chosen.status_code == 302
    assert chosen["Location"] == reverse("connect:shared-catalog", args=[shared.contractor_integration.pk])


def test_the_shared_catalog_lists_what_is_shared_read_only(shared, client_b):
    url = reverse("connect:shared-catalog", args=[shared.contractor_integration.pk])

    body = client_b.get(url).content.decode()

    assert "Cordless drill" in body and "Garden saw" in body and re.search(r"100[.,]00", body)
    assert "Unshared prototype" not in body and "Wiertarka" not in body
    assert "Garden saw" not in client_b.get(url, {"search": "drill"}).content.decode()
    assert "Cordless drill" not in client_b.get(url, {"category": shared.garden.pk}).content.decode()


def test_a_shared_product_page_shows_variants_and_hides_what_is_not_shared(shared, client_b):
    url = reverse("connect:shared-product", args=[shared.contractor_integration.pk, shared.drill.pk])
    body = client_b.get(url).content.decode()
    assert "Strong 18V drill" in body and "DRILL-1-RED" in body and "yellow" in body
    assert "buy cheap" not in body

    sharing_update(shared, descriptions=False, price_group=None)
    body = client_b.get(url).content.decode()
    assert "Strong 18V drill" not in body and not re.search(r"100[.,]00", body)
    kit = client_b.get(
        reverse("connect:shared-product", args=[shared.contractor_integration.pk, shared.kit.pk])
    )
    assert "Garden saw" in kit.content.decode()


def test_a_blocked_link_shows_nothing(shared, account_a, client_b):
    services.contractor_set_state(actor=owner_tenant(account_a), link=shared.link, state="blocked")
    pk = shared.contractor_integration.pk
    assert client_b.get(reverse("connect:shared-catalog", args=[pk])).status_code == 404
    assert client_b.get(reverse("connect:shared-product", args=[pk, shared.drill.pk])).status_code == 404
    assert "My supplier (Connect)" not in client_b.get(reverse("catalog:product-list")).content.decode()


def test_the_import_form_starts_a_job_and_the_product_page_shows_and_removes_the_link(
    shared, account_b, client_b, django_capture_on_commit_callbacks
):
    inventory = Inventory.objects.get(account=account_b, is_default=True)
    with django_capture_on_commit_callbacks():
        response = client_b.post(
            reverse("connect:import-create"),
            {
                "integration": shared.contractor_integration.pk,
                "inventory": inventory.pk,
                "scope": "products",
                "product_ids": f"{shared.saw.pk}",
                "keep_importing": "on",
            },
        )
    job = ImportJob.objects.get(account=account_b)
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalog:import-detail", args=[job.pk]
    )
    connect_import_job_run(job_id=job.pk)
    progress = client_b.get(reverse("catalog:import-detail", args=[job.pk])).content.decode()
    assert "My supplier (Connect)" in progress and "1 product created" in progress
    saved = ConnectImport.objects.get(account=account_b)
    detail = client_b.get(reverse("connect:import-detail", args=[saved.pk])).content.decode()
    assert "1 product created" in detail and "checked" in detail

    saw = Product.objects.get(account=account_b, sku="SAW-1")
    page = client_b.get(reverse("catalog:product-detail", args=[saw.pk])).content.decode()
    assert "My supplier (Connect)" in page and "Remove link" in page
    client_b.post(reverse("catalog:product-link-remove", args=[saw.pk]))
    assert not ProductLink.objects.filter(product=saw).exists()


def test_the_import_form_refuses_ids_that_are_not_numbers(shared, account_b, client_b):
    inventory = Inventory.objects.get(account=account_b, is_default=True)
    response = client_b.post(
        reverse("connect:import-create"),
        {
            "integration": shared.contractor_integration.pk,
            "inventory": inventory.pk,
            "scope": "products",
            "product_ids": "12 twelve",
        },
    )
    assert response.status_code == 200 and "twelve" in response.content.decode()
    assert not ConnectImport.objects.exists()


def test_the_saved_imports_link_to_its_last_run_says_problems_only_when_there_were_some(
    shared, account_b, client_b
):
    inventory = Inventory.objects.get(account=account_b, is_default=True)
    saved = services_import(shared, account_b, inventory, [shared.saw.pk])
    url = reverse("connect:import-detail", args=[saved.pk])

    page = client_b.get(url).content.decode()
    assert ">The last run started by a person</a>" in page and "problem" not in page.split('id="last-job"')[1]

    saved = services_import(shared, account_b, inventory, [shared.saw.pk, shared.secret.pk])
    page = client_b.get(reverse("connect:import-detail", args=[saved.pk])).content.decode()
    assert ">The last run started by a person, with problems in 1 product</a>" in page


def services_import(shared, account_b, inventory, product_ids) -> ConnectImport:
    from connect.imports import connect_import_create

    saved = connect_import_create(
        actor=owner_tenant(account_b),
        integration=shared.contractor_integration,
        inventory=inventory,
        scope="products",
        product_ids=product_ids,
        valid_rows_only=True,
    )
    connect_import_job_run(job_id=saved.last_job_id)
    return ConnectImport.objects.select_related("last_job").get(pk=saved.pk)


def test_the_contractors_pages_speak_polish_to_a_polish_user(shared, user_b, client_b):
    """The invoice country list and the breadcrumbs' labels are in the page's language, not the English
    of the moment the form or template was first loaded."""
    user_b.language = "pl"
    user_b.save(update_fields=["language"])
    pk = shared.contractor_integration.pk

    connection = client_b.get(reverse("connect:supplier-detail", args=[pk])).content.decode()
    assert '<option value="DE">Niemcy</option>' in connection and "Germany" not in connection
    for url in (
        reverse("connect:shared-catalog", args=[pk]),
        reverse("connect:shared-product", args=[pk, shared.saw.pk]),
        reverse("connect:import-list"),
        reverse("connect:import-create"),
    ):
        body = client_b.get(url).content.decode()
        assert '<nav aria-label="Ścieżka nawigacji">' in body, url
