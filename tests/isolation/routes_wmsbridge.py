from django.utils import timezone

from catalog.models import Inventory
from orders.models import OrderStatus
from tests.isolation.framework import RouteCase, Setup
from wmsbridge.models import SyncRun, WmsConnection
from wmsbridge.services import connection_create

MARKER = "Alpha secret warehouse link"


def _connection_of_a(account_a) -> Setup:
    connection = connection_create(
        account=account_a,
        name=MARKER,
        base_url="http://127.0.0.1:9/alphawarehouse/",
        api_user="alpha-api-user",
        password="alpha-password",
        goods_owner_id=41,
        inventory=Inventory.objects.get(account=account_a, is_default=True),
    )
    password = connection.password_encrypted

    def unchanged():
        row = WmsConnection.objects.get(pk=connection.pk)
        assert row.name == MARKER and row.password_encrypted == password
        assert row.paused_at is None and row.enabled
        assert not SyncRun.objects.filter(connection=row).exists()

    return Setup(kwargs={"pk": connection.pk}, marker=MARKER, unchanged=unchanged)


def _run_of_a(account_a) -> Setup:
    setup = _connection_of_a(account_a)
    now = timezone.now()
    run = SyncRun.objects.create(
        connection_id=setup.kwargs["pk"],
        kind="articles",
        started_at=now,
        finished_at=now,
        status="ok",
        messages=[{"item": "ALPHA-SKU", "message": "Alpha secret run message"}],
    )

    def unchanged():
        assert SyncRun.objects.filter(pk=run.pk, status="ok").exists()

    return Setup(kwargs={"pk": run.pk}, marker="Alpha secret run message", unchanged=unchanged)


def _status_of_a(account_a) -> Setup:
    OrderStatus.objects.create(account=account_a, name="Alpha secret status")
    _connection_of_a(account_a)
    return Setup(marker="Alpha secret status")


CASES = [
    # REST API
    RouteCase("api:wmsconnection-list", "list", setup=_connection_of_a),
    RouteCase(
        "api:wmsconnection-detail",
        "detail",
        setup=_connection_of_a,
        payload={"name": "x", "password": "stolen"},
    ),
    RouteCase("api:wmsconnection-test", "detail", setup=_connection_of_a),
    RouteCase("api:wmsconnection-sync", "detail", setup=_connection_of_a),
    RouteCase("api:wmsconnection-resume", "detail", setup=_connection_of_a),
    RouteCase("api:wmssyncrun-list", "list", setup=_run_of_a),
    RouteCase("api:wmssyncrun-detail", "detail", setup=_run_of_a),
    # Web pages
    RouteCase("wmsbridge:connection-list", "list", setup=_connection_of_a),
    RouteCase("wmsbridge:connection-create", "list", setup=_status_of_a),
    RouteCase("wmsbridge:connection-detail", "detail", setup=_connection_of_a),
    RouteCase(
        "wmsbridge:connection-edit",
        "detail",
        setup=_connection_of_a,
        payload={"name": "x", "password": "stolen"},
    ),
    RouteCase("wmsbridge:connection-runs", "detail", setup=_connection_of_a),
    RouteCase("wmsbridge:connection-test", "detail", setup=_connection_of_a),
    RouteCase("wmsbridge:connection-sync", "detail", setup=_connection_of_a),
    RouteCase("wmsbridge:connection-resume", "detail", setup=_connection_of_a),
    RouteCase("wmsbridge:connection-delete", "detail", setup=_connection_of_a),
    RouteCase(
        "wmsbridge:webhook",
        "public",
        reason="Ongoing's webhook: no session or token; the connection is found only by the unguessable "
        "secret in the URL (a wrong secret is a 404, tested in tests/wmsbridge/test_sync_shipments.py).",
    ),
]
