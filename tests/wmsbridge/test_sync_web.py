"""The connection pages and the REST API: create, edit, test, sync now, history; roles; the command."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from orders.models import OrderStatus
from shipments.models import Package
from tests.factories import ApiTokenFactory
from tests.waiting import wait_for
from tests.wmsbridge.test_sync_fixtures import (  # noqa: F401 - fixtures
    GOODS_OWNER_A,
    fast_client_fixture,
    inventory_of,
    make_connection,
    make_order,
    make_product,
    sandbox_fixture,
    status_of,
    sync,
)
from wmsbridge.models import SyncRun, WmsConnection

pytestmark = pytest.mark.django_db(transaction=True)


def form_data(account, sandbox, **changes):
    data = {
        "name": "Main warehouse",
        "base_url": sandbox.base_url,
        "api_user": "alpha",
        "password": "alpha-pass",
        "goods_owner_id": GOODS_OWNER_A,
        "inventory": inventory_of(account).pk,
        "export_statuses": [status_of(account, "new").pk],
        "status_when_sent": status_of(account, "sent").pk,
        "label_courier": "hurtlink",
        "enabled": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_admin_adds_a_connection_and_the_password_is_never_shown_back(account_a, client_a, sandbox):
    response = client_a.post(reverse("wmsbridge:connection-create"), form_data(account_a, sandbox))
    connection = WmsConnection.objects.get(account=account_a)
    assert response.status_code == 302
    assert connection.stock_push is False  # off by default
    assert connection.password == "alpha-pass"

    edit = client_a.get(reverse("wmsbridge:connection-edit", args=[connection.pk])).content.decode()
    detail = client_a.get(reverse("wmsbridge:connection-detail", args=[connection.pk])).content.decode()
    assert "alpha-pass" not in edit and "alpha-pass" not in detail
    assert connection.webhook_secret in detail  # the webhook URL is shown to admins

    # Saving with an empty password keeps the stored one.
    client_a.post(
        reverse("wmsbridge:connection-edit", args=[connection.pk]),
        form_data(account_a, sandbox, name="Renamed", password=""),
    )
    connection.refresh_from_db()
    assert connection.name == "Renamed"
    assert connection.password == "alpha-pass"


def test_stock_push_needs_a_warehouse(account_a, client_a, sandbox):
    response = client_a.post(
        reverse("wmsbridge:connection-create"), form_data(account_a, sandbox, stock_push="on")
    )
    assert response.status_code == 200
    assert "warehouse that receives" in response.content.decode()
    assert not WmsConnection.objects.exists()


def test_label_printing_is_off_by_default_and_needs_a_workstation(account_a, client_a, api_a, sandbox):
    create = reverse("wmsbridge:connection-create")
    assert 'name="label_print"' in client_a.get(create).content.decode()
    response = client_a.post(create, form_data(account_a, sandbox, label_print="on"))
    assert "id of the WMS workstation" in " ".join(
        response.context["form"].errors["label_print_workstation_id"]
    )

    client_a.post(create, form_data(account_a, sandbox))
    connection = WmsConnection.objects.get(account=account_a)
    assert connection.label_print is False

    patched = api_a.patch(
        f"/api/v1/wms-connections/{connection.pk}/",
        {"label_print": True, "label_print_workstation_id": 7, "label_print_report_id": 12},
        format="json",
    )
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert (body["label_print"], body["label_print_workstation_id"], body["label_print_report_id"]) == (
        True,
        7,
        12,
    )
    detail = client_a.get(reverse("wmsbridge:connection-detail", args=[connection.pk])).content.decode()
    assert "on, workstation 7" in detail


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, "Connected"),
        ({"api_user": "alpha", "password": "nope"}, "rejected the API user or password"),
        ({"goods_owner_id": 2}, "no access to goods owner 2"),
        ({"base_url": "WRONG"}, "Wrong address"),
        ({"base_url": "http://127.0.0.1:9/sandbox/"}, "could not be reached"),
    ],
)
def test_test_connection_gives_a_clear_message(account_a, client_a, sandbox, changes, expected):
    if changes.get("base_url") == "WRONG":
        changes["base_url"] = f"{sandbox.root_url}/no-such-warehouse/"
    connection = make_connection(account_a, sandbox, **changes)

    response = client_a.post(reverse("wmsbridge:connection-test", args=[connection.pk]), follow=True)

    page = response.content.decode()
    assert expected in page
    # Each message says what happened once (not "could not be reached at X: Could not reach … at X").
    assert "Could not reach" not in page and "attempt(s)" not in page


def test_members_see_connections_but_cannot_change_or_sync_them(account_a, member_user, client, sandbox):
    connection = make_connection(account_a, sandbox)
    client.force_login(member_user)
    assert client.get(reverse("wmsbridge:connection-list")).status_code == 200
    detail = client.get(reverse("wmsbridge:connection-detail", args=[connection.pk])).content.decode()
    assert connection.webhook_secret not in detail
    for name in ("connection-sync", "connection-test", "connection-delete", "connection-resume"):
        assert client.post(reverse(f"wmsbridge:{name}", args=[connection.pk])).status_code == 403
    assert client.get(reverse("wmsbridge:connection-create")).status_code == 403
    assert WmsConnection.objects.filter(pk=connection.pk).exists()


def test_sync_now_runs_on_a_worker_and_the_history_shows_it_with_a_chart(
    account_a, client_a, sandbox, fast_client, celery_worker
):
    make_product(account_a, "SKU-1")
    make_product(account_a, "")
    connection = make_connection(account_a, sandbox)

    client_a.post(reverse("wmsbridge:connection-sync", args=[connection.pk]), {"kind": ""})

    wait_for(
        lambda: (
            SyncRun.objects.filter(connection=connection, kind="shipments").exclude(status="running").exists()
        ),
        what="the sync to finish on the worker",
    )
    page = client_a.get(reverse("wmsbridge:connection-detail", args=[connection.pk])).content.decode()
    assert "<svg" in page and "wms-chart" in page
    assert "No SKU" in page
    runs = client_a.get(reverse("wmsbridge:connection-runs", args=[connection.pk])).content.decode()
    assert "Articles" in runs and "Orders" in runs
    assert sandbox.state.article_by_number(GOODS_OWNER_A, "SKU-1")


def test_api_creates_a_connection_with_a_write_only_password(account_a, api_a, sandbox):
    payload = {
        "name": "API warehouse",
        "base_url": sandbox.base_url,
        "api_user": "alpha",
        "password": "alpha-pass",
        "goods_owner_id": GOODS_OWNER_A,
        "inventory": inventory_of(account_a).pk,
        "export_statuses": [status_of(account_a, "new").pk],
    }
    created = api_a.post("/api/v1/wms-connections/", payload, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert "password" not in body and "alpha-pass" not in created.content.decode()
    assert body["stock_push"] is False
    assert body["status_when_sent"] == status_of(account_a, "sent").pk
    assert body["webhook_url"].endswith(f"/wms/webhooks/{WmsConnection.objects.get().webhook_secret}/")

    test = api_a.post(f"/api/v1/wms-connections/{body['id']}/test/")
    assert test.json()["ok"] is True

    patched = api_a.patch(f"/api/v1/wms-connections/{body['id']}/", {"name": "Renamed"}, format="json")
    assert patched.status_code == 200
    assert WmsConnection.objects.get().password == "alpha-pass"


def test_api_refuses_another_accounts_status_and_a_missing_password(account_a, account_b, api_a, sandbox):
    foreign = OrderStatus.objects.create(account=account_b, name="Beta status")
    response = api_a.post(
        "/api/v1/wms-connections/",
        {
            "name": "X",
            "base_url": sandbox.base_url,
            "api_user": "alpha",
            "goods_owner_id": 1,
            "inventory": inventory_of(account_a).pk,
            "export_statuses": [foreign.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "export_statuses" in errors
    response = api_a.post(
        "/api/v1/wms-connections/",
        {
            "name": "X",
            "base_url": sandbox.base_url,
            "api_user": "alpha",
            "goods_owner_id": 1,
            "inventory": inventory_of(account_a).pk,
        },
        format="json",
    )
    assert "password" in response.json()["errors"]


def test_api_sync_is_queued_and_runs_are_listed(account_a, api_a, sandbox, fast_client, celery_worker):
    make_product(account_a, "SKU-1")
    connection = make_connection(account_a, sandbox)

    queued = api_a.post(
        f"/api/v1/wms-connections/{connection.pk}/sync/", {"kinds": ["articles"]}, format="json"
    )
    assert queued.status_code == 202

    wait_for(
        lambda: SyncRun.objects.filter(connection=connection, status="ok").exists(), what="the run to finish"
    )
    runs = api_a.get(f"/api/v1/wms-sync-runs/?connection={connection.pk}").json()["results"]
    assert [(r["kind"], r["status"], r["created"]) for r in runs] == [("articles", "ok", 1)]


def test_a_member_token_cannot_sync_over_the_api(account_a, sandbox):
    from rest_framework.test import APIClient

    connection = make_connection(account_a, sandbox)
    _token, secret = ApiTokenFactory.create_with_secret(account=account_a, role="member")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get(f"/api/v1/wms-connections/{connection.pk}/").json()["webhook_url"] is None
    assert api.post(f"/api/v1/wms-connections/{connection.pk}/sync/").status_code == 403


def test_order_card_and_product_page_parts_show_the_wms_state(account_a, sandbox, fast_client, rf):
    from django.template.loader import render_to_string

    product = make_product(account_a, "SKU-1")
    order = make_order(account_a, [product])
    connection = make_connection(account_a, sandbox)
    assert "goes with the next sync" in render_to_string("wmsbridge/_order_state.html", {"order": order})
    assert "changes go with the next sync" in render_to_string(
        "wmsbridge/_product_state.html", {"product": product}
    )
    sync(connection)
    wms_id = sandbox.state.order_by_number(GOODS_OWNER_A, str(order.pk))["orderInfo"]["orderId"]
    sandbox.send_order(wms_id)
    shipments = sync(connection, "shipments")["shipments"]
    assert (shipments.status, shipments.created) == ("ok", 1), shipments.messages

    card = render_to_string("wmsbridge/_order_state.html", {"order": order})
    assert str(wms_id) in card
    assert "450 Sent" in card
    assert "uploaded" in card
    assert "written to the WMS" in card
    page = render_to_string("wmsbridge/_product_state.html", {"product": product})
    assert "up to date" in page
    assert Package.objects.filter(order=order).exists()


def test_the_command_syncs_with_a_progress_bar_on_stderr(account_a, sandbox, fast_client, capsys):
    for i in range(3):
        make_product(account_a, f"SKU-{i}")
    connection = make_connection(account_a, sandbox)

    call_command("wms_sync", "--connection", str(connection.pk), "--kind", "articles")

    out, err = capsys.readouterr()
    assert "articles: ok" in out and "created 3" in out
    assert "[" in err and "3/3" in err


def test_demo_connection_points_at_the_sandbox_and_registers_its_webhook(account_a, sandbox, monkeypatch):
    from wmsbridge.demo import demo_connection_create

    monkeypatch.setenv("HURTLINK_WMS_SANDBOX_URL", sandbox.base_url)
    monkeypatch.setenv("HURTLINK_WMS_SANDBOX_GOODS_OWNER", str(GOODS_OWNER_A))
    monkeypatch.setenv("HURTLINK_WMS_SANDBOX_USER", "alpha")
    monkeypatch.setenv("HURTLINK_WMS_SANDBOX_PASSWORD", "alpha-pass")

    connection = demo_connection_create(account_a)

    assert demo_connection_create(account_a) == connection
    assert connection.stock_push is False
    assert list(connection.export_statuses.all()) == [status_of(account_a, "new")]
    hooks = sandbox.state.goods_owners[GOODS_OWNER_A].webhooks
    assert len(hooks) == 1 and hooks[0]["url"].endswith(f"/wms/webhooks/{connection.webhook_secret}/")
    from wmsbridge.services import connection_test

    assert connection_test(connection=connection).ok


def test_no_demo_connection_without_a_sandbox(account_a, monkeypatch):
    from wmsbridge.demo import demo_connection_create

    monkeypatch.delenv("HURTLINK_WMS_SANDBOX_URL", raising=False)
    assert demo_connection_create(account_a) is None
