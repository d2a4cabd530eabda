"""A seller who reads Hurtlink in Polish sees no English on the pages of their day: who changed an order
(the timeline's origins), what started a WMS run, the WMS history chart and statuses, and a CSV import's
report — each kept as a machine value or a message id, and put into words when a page shows it."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from accounts.tenancy import Tenant
from catalog.imports import import_job_create, import_job_run
from catalog.models import ImportJob, Inventory
from changes.origin import Origin, OriginKind
from orders.models import JournalEntry, OrderStatus
from orders.services import order_create, order_set_status, order_update
from tests.factories import MembershipFactory
from tests.factories.wms import wms_connection
from wmsbridge.models import OrderExport, SyncKind, SyncRun, WebhookEvent, WmsConnection

pytestmark = pytest.mark.django_db


def _reader(client, account, language: str):
    member = MembershipFactory(account=account, role="owner", user__language=language)
    client.force_login(member.user)
    return member.user


def _connection(account) -> WmsConnection:
    return wms_connection(account)


def test_the_order_timeline_names_who_changed_it_in_the_readers_language(client, account_a, token_a):
    with translation.override("en"):  # as a worker writes them: in no one's language in particular
        order = order_create(
            account=account_a,
            lines=[{"name": "Kubek", "quantity": 1, "price_brutto": Decimal("20")}],
            origin=Origin.system(gettext_noop("Demo data")),
        )
        sent = OrderStatus.objects.get(account=account_a, name="Sent")
        order_set_status(order=order, status=sent, origin=Origin.automation(7, "Priorytet"))
        order_update(order=order, origin=Origin.wms(3, "Główny"), admin_comments="z WMS")
        order_update(order=order, origin=Origin.connect(5, "Sklep Beta"), admin_comments="z Connect")
        token_tenant = Tenant(account=account_a, role="admin", token=token_a[0])
        order_update(order=order, origin=Origin.of_tenant(token_tenant), admin_comments="z API")
    # Rows written before origins were kept untranslated: Hurtlink's own names are still translated,
    # anything else is shown as it was stored.
    old_rows = [
        (OriginKind.SYSTEM, None, "Demo data"),
        (OriginKind.AUTOMATION, 8, "Automatic action “Old rule”"),
    ]
    for kind, origin_id, label in old_rows:
        JournalEntry.objects.create(
            account=account_a,
            order=order,
            type=JournalEntry.Type.ORDER_EDITED,
            origin_kind=kind,
            origin_id=origin_id,
            origin_label=label,
            data={"fields": {"admin_comments": ["", "x"]}},
        )

    _reader(client, account_a, "pl")
    card = client.get(reverse("orders:order-detail", args=[order.pk])).content.decode()
    for polish in (
        "Dane demonstracyjne",
        "Akcja automatyczna „Priorytet”",
        "WMS „Główny”",
        "Connect „Sklep Beta”",
        "Token API „test token”",
    ):
        assert polish in card
    assert "Demo data" not in card and "Automatic action “Priorytet”" not in card
    assert "API token" not in card
    assert "Automatic action “Old rule”" in card  # an old row, as stored

    _reader(client, account_a, "en")
    card = client.get(reverse("orders:order-detail", args=[order.pk])).content.decode()
    for english in ("Demo data", "Automatic action “Priorytet”", "WMS “Główny”", "API token “test token”"):
        assert english in card


def test_the_journal_api_names_the_origin_in_words_not_as_stored(api_a, account_a):
    order = order_create(
        account=account_a,
        lines=[{"name": "Kubek", "quantity": 1, "price_brutto": Decimal("20")}],
        origin=Origin.automation(7, "Priorytet"),
    )
    entries = api_a.get(reverse("api:journal-list")).json()
    entries = entries["results"] if isinstance(entries, dict) else entries
    mine = [e for e in entries if e["order_id"] == order.pk]
    assert mine and all(e["actor"] == "Automatic action “Priorytet”" for e in mine)
    assert {e["origin_kind"] for e in mine} == {"automation"}


def test_the_wms_page_says_what_started_each_run_and_draws_its_chart_in_polish(client, account_a):
    connection = _connection(account_a)
    started = timezone.now() - timedelta(hours=1)
    for i, trigger in enumerate(("manual", "schedule", "api", "command")):
        SyncRun.objects.create(
            connection=connection,
            kind=SyncKind.ORDERS,
            trigger=trigger,
            started_at=started + timedelta(minutes=i),
            finished_at=started + timedelta(minutes=i, milliseconds=1500 if i == 3 else 400),
            status="ok",
            created=12345,
        )
    WebhookEvent.objects.create(connection=connection, event_id=1, wms_order_id=50003, wms_status=450)

    _reader(client, account_a, "pl")
    page = client.get(reverse("wmsbridge:connection-detail", args=[connection.pk])).content.decode()
    runs = page[page.index('id="wms-runs"') :]
    for said in ("ręcznie", "według harmonogramu", "przez API", "z wiersza poleceń"):
        assert f"<small>{said}</small>" in runs
    for machine in ("manual", "schedule", ">api<", "command"):
        assert machine not in runs
    # The chart: its label, its axes and its tooltips in Polish conventions.
    assert 'aria-label="Wykres historii synchronizacji"' in page
    assert ">1,5 s</span>" in page and ">12\xa0345</span>" in page  # the axis labels
    tooltip = (
        r"\d{1,2}\.\d{2}\.\d{4}, \d{2}:\d{2} Zamówienia: zapisano 12\xa0345, błędy 0, bez zmian 0, 0,4 s"
    )
    assert re.search(tooltip, page), re.findall(r"<title>([^<]*)</title>", page)
    # The settings and the webhooks: the label courier by name, the WMS status in words.
    assert "Etykieta Hurtlink" in page and "<dd>hurtlink</dd>" not in page
    assert "450 Wysłane" in page

    _reader(client, account_a, "en")
    page = client.get(reverse("wmsbridge:connection-detail", args=[connection.pk])).content.decode()
    assert "<small>by hand</small>" in page and "<small>scheduled</small>" in page
    assert 'aria-label="Sync history chart"' in page


def test_the_order_card_names_the_wms_status_in_polish(client, account_a):
    connection = _connection(account_a)
    order = order_create(
        account=account_a,
        lines=[{"name": "Kubek", "quantity": 1, "price_brutto": Decimal("20")}],
        origin=Origin.system(),
    )
    OrderExport.objects.create(
        connection=connection, order=order, state="exported", wms_order_id=50003, wms_status=200
    )
    _reader(client, account_a, "pl")
    card = client.get(reverse("orders:order-detail", args=[order.pk])).content.decode()
    assert "200 Otwarte" in card and "200 Open" not in card


def test_a_csv_imports_report_reads_in_each_readers_language(
    client, account_a, user_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    upload = SimpleUploadedFile(
        "produkty.csv", b"sku,name_en,tax_rate,weight\nOK-1,Lampka,23,1\nBAD-1,Zla,abc,-2\n,Bez SKU,23,1\n"
    )
    polish = Tenant(account=account_a, role="owner", user=user_a)
    with translation.override("pl"):  # started by a Polish user…
        job = import_job_create(actor=polish, inventory=inventory, file=upload, origin=Origin.of_user(user_a))
        job.valid_rows_only = True
        job.save(update_fields=["valid_rows_only"])
    with django_capture_on_commit_callbacks(execute=False), translation.override("pl"):
        import_job_run(job_id=job.pk)  # …and run in their language, as the task does
    detail = reverse("catalog:import-detail", args=[job.pk])

    _reader(client, account_a, "en")  # …read by a colleague in English
    page = client.get(detail).content.decode()
    for english in (
        "1 row imported; 3 problems, those rows were left out.",
        "“abc” is not a number.",
        "Must not be negative.",
        "The SKU is required.",
    ):
        assert english in page
    assert "nie jest liczbą" not in page and "Zaimportowano" not in page

    _reader(client, account_a, "pl")
    page = client.get(detail).content.decode()
    for polish in (
        "Zaimportowano 1 wiersz; 3 błędy, te wiersze pominięto.",
        "„abc” nie jest liczbą.",
        "SKU jest wymagane.",
    ):
        assert polish in page


def test_an_import_report_kept_as_text_before_is_shown_as_it_was(client, account_a):
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    job = ImportJob.objects.create(
        account=account_a,
        inventory=inventory,
        file_name="stary.csv",
        status=ImportJob.Status.DONE,
        total_rows=2,
        processed_rows=2,
        created_count=1,
        error_count=1,
        errors=[[3, "weight", "Nie może być ujemne (zapisane tekstem)."]],
        message="Zaimportowano 1 wiersz (zapisane tekstem).",
    )
    _reader(client, account_a, "en")
    page = client.get(reverse("catalog:import-detail", args=[job.pk])).content.decode()
    assert "Nie może być ujemne (zapisane tekstem)." in page
    assert "Zaimportowano 1 wiersz (zapisane tekstem)." in page
