"""The demo's WMS connection: the demo account ↔ the sandbox Ongoing WMS the run command starts."""

from __future__ import annotations

import logging
import os

import httpx
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.models import Inventory
from orders.models import OrderStatus
from wmsbridge.models import WmsConnection
from wmsbridge.services import connection_create

logger = logging.getLogger(__name__)

DEMO_CONNECTION_NAME = "Sandbox warehouse"


def demo_connection_create(account) -> WmsConnection | None:
    """Connect ``account`` to the sandbox WMS named by the ``HURTLINK_WMS_SANDBOX_URL`` /
    ``_GOODS_OWNER`` / ``_USER`` / ``_PASSWORD`` environment variables (set by the run command).

    Exports orders in the account's "new" statuses, sends products of its default catalog, labels with
    the Hurtlink courier; stock push stays off (the default). Also registers the sandbox's "status →
    Sent" webhook pointing at this connection, when the sandbox is already up (otherwise the 15-minute
    polling brings shipments back). Returns None when the variables are not set; idempotent.
    """
    url = os.environ.get("HURTLINK_WMS_SANDBOX_URL")
    if not url:
        return None
    existing = WmsConnection.objects.filter(account=account, name=DEMO_CONNECTION_NAME).first()
    if existing is not None:
        return existing
    goods_owner_id = int(os.environ.get("HURTLINK_WMS_SANDBOX_GOODS_OWNER", "1"))
    connection = connection_create(
        account=account,
        name=DEMO_CONNECTION_NAME,
        base_url=url,
        api_user=os.environ.get("HURTLINK_WMS_SANDBOX_USER", ""),
        password=os.environ.get("HURTLINK_WMS_SANDBOX_PASSWORD", ""),
        goods_owner_id=goods_owner_id,
        inventory=Inventory.objects.filter(account=account).order_by("-is_default", "id").first(),
        export_statuses=list(OrderStatus.objects.filter(account=account, kind=OrderStatus.Kind.NEW)),
        label_courier="hurtlink",
    )
    _sandbox_webhook_register(connection, url, goods_owner_id)
    return connection


def _sandbox_webhook_register(connection: WmsConnection, url: str, goods_owner_id: int) -> None:
    root = url.split("://", 1)[0] + "://" + url.split("://", 1)[1].split("/", 1)[0]
    target = settings.SITE_URL.rstrip("/") + reverse("wmsbridge:webhook", args=[connection.webhook_secret])
    try:
        response = httpx.post(
            f"{root}/_sandbox/goodsOwners/{goods_owner_id}/webhooks",
            json={"url": target, "kind": "order", "events": ["status"], "statuses": [450]},
            timeout=3.0,
        )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        logger.info(
            "%s",
            _("Sandbox webhook not registered (%(error)s); shipments come back by polling.") % {"error": exc},
        )
