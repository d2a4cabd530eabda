"""Work done later by a worker speaks the language of the person who asked for it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from catalog.models import ImportJob, Inventory
from tests.factories import MembershipFactory
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def polish_owner(client, user_a):
    User.objects.filter(pk=user_a.pk).update(language="pl")
    client.force_login(User.objects.get(pk=user_a.pk))
    return user_a


def test_an_invitation_from_a_polish_owner_is_written_in_polish(client, polish_owner, celery_worker):
    response = client.post(
        reverse("settings-members"), {"email": "nowa.osoba@example.test", "role": "member"}
    )
    assert response.status_code == 302
    wait_for(lambda: len(mail.outbox) == 1, what="the invitation e-mail")
    message = mail.outbox[0]
    assert message.subject.startswith("Zaproszenie do ")
    assert "Przyjmij zaproszenie tutaj:" in message.body
    assert "Link jest ważny przez 7 dni." in message.body


def test_an_import_started_by_a_polish_user_reads_in_each_readers_language(
    client, polish_owner, account_a, celery_worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    inventory = Inventory.objects.get(account=account_a, is_default=True)
    upload = SimpleUploadedFile("produkty.csv", b"sku,name_en,tax_rate\nOK-1,Lampka,23\nBAD-1,Zla,abc\n")
    response = client.post(
        reverse("catalog:import-create"), {"inventory": inventory.pk, "file": upload, "valid_rows_only": "on"}
    )
    assert response.status_code == 302
    wait_for(lambda: ImportJob.objects.filter(account=account_a, status="done").exists(), what="the import")
    job = ImportJob.objects.get(account=account_a)
    page = client.get(reverse("catalog:import-detail", args=[job.pk])).content.decode()
    assert "Błędy według wierszy" in page and "„abc” nie jest liczbą." in page
    assert "Zaimportowano 1 wiersz; 1 błąd, te wiersze pominięto." in page

    # A colleague who reads English sees the same report in English.
    colleague = MembershipFactory(account=account_a, role="member", user__language="en").user
    client.force_login(colleague)
    page = client.get(reverse("catalog:import-detail", args=[job.pk])).content.decode()
    assert "“abc” is not a number." in page and "nie jest liczbą" not in page
    assert "1 row imported; 1 problem, those rows were left out." in page
    assert client.get(reverse("api:importjob-detail", args=[job.pk])).json()["errors"] == [
        {"row": 3, "column": "tax_rate", "message": "“abc” is not a number."}
    ]
