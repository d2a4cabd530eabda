"""The Ongoing WMS bridge: connections, the sync history, and what was written to the WMS.

``WmsConnection`` holds one warehouse connection of an account (several are allowed). What has been
written is remembered per item — ``ArticleState`` (product ↔ article, hash of the last payload written)
and ``OrderExport`` (order ↔ WMS order, exported exactly once) — so a sync only sends what changed and
never sends an order twice. ``SyncRun`` is the history a user sees; ``WebhookEvent`` deduplicates the
WMS's webhook deliveries.
"""

from __future__ import annotations

import secrets

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.crypto import EncryptedSecret
from config.stored_messages import MessageTextField, message_text
from shipments.couriers import COURIERS


def webhook_secret_new() -> str:
    return secrets.token_urlsafe(32)


class SyncKind(models.TextChoices):
    ARTICLES = "articles", _("Articles")
    STOCK = "stock", _("Stock")
    ORDERS = "orders", _("Orders")
    SHIPMENTS = "shipments", _("Shipments")


# The order a full run takes: articles before orders (order lines need their articles); stock after
# orders (the WMS's sellable quantity already counts the orders just written); shipments last.
SYNC_ORDER = (SyncKind.ARTICLES, SyncKind.ORDERS, SyncKind.STOCK, SyncKind.SHIPMENTS)


class WmsConnection(models.Model):
    """One Ongoing WMS goods owner an account syncs with. Writes go through ``wmsbridge.services``."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="wms_connections")
    name = models.CharField(_("name"), max_length=100)
    base_url = models.CharField(
        _("API base URL"),
        max_length=300,
        help_text=_("The warehouse's API address, e.g. https://api.ongoingsystems.se/yourwarehouse/"),
    )
    api_user = models.CharField(_("API user"), max_length=150)
    password_encrypted = models.TextField(editable=False, blank=True)
    goods_owner_id = models.PositiveIntegerField(_("goods owner id"))
    inventory = models.ForeignKey(
        "catalog.Inventory",
        on_delete=models.PROTECT,
        related_name="wms_connections",
        verbose_name=_("catalog"),
        help_text=_("Its products and variants become articles in the WMS."),
    )
    export_statuses = models.ManyToManyField(
        "orders.OrderStatus",
        related_name="wms_export_connections",
        blank=True,
        verbose_name=_("order statuses to export"),
    )
    export_orders_since = models.DateTimeField(
        _("export orders added since"),
        null=True,
        blank=True,
        help_text=_("Older orders are never exported. Empty: every order in the chosen statuses."),
    )
    stock_push = models.BooleanField(
        _("take stock levels from the WMS"),
        default=False,
        help_text=_(
            "Every sync replaces the stock of the chosen warehouse with the WMS's sellable quantity."
        ),
    )
    stock_warehouse = models.ForeignKey(
        "catalog.Warehouse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("warehouse that receives WMS stock"),
    )
    status_after_export = models.ForeignKey(
        "orders.OrderStatus",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status after export"),
        help_text=_("Optional: move an order here once the WMS has it."),
    )
    status_when_sent = models.ForeignKey(
        "orders.OrderStatus",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status when the warehouse sends the order"),
    )
    label_courier = models.CharField(_("courier for labels"), max_length=30, default="hurtlink")
    label_print = models.BooleanField(
        _("print labels in the warehouse automatically"),
        default=False,
        help_text=_(
            "Uploads each label with printing instructions, so the WMS prints it on the chosen workstation "
            "as soon as it arrives."
        ),
    )
    label_print_workstation_id = models.PositiveIntegerField(
        _("printing workstation id"),
        null=True,
        blank=True,
        help_text=_("The WMS's id of the workstation whose printer prints the labels."),
    )
    label_print_report_id = models.PositiveIntegerField(
        _("label report id"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: the WMS's report (layout) to print with; empty uses the workstation's default."
        ),
    )
    enabled = models.BooleanField(_("sync every 15 minutes"), default=True)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_reason = MessageTextField(blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    auth_failures = models.PositiveIntegerField(default=0, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = MessageTextField(blank=True, editable=False)
    webhook_secret = models.CharField(max_length=64, unique=True, default=webhook_secret_new, editable=False)
    # Last successful run per kind: {"articles": "2025-03-01T10:00:00+00:00", ...}
    cursors = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("WMS connection")
        verbose_name_plural = _("WMS connections")
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="wmsbridge_connection_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    # The password is only ever stored encrypted and never rendered back.
    password = EncryptedSecret(
        "password_encrypted",
        unreadable=_(
            "The stored WMS password cannot be decrypted with the configured encryption key; enter the "
            "password again."
        ),
    )

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def label_courier_name(self) -> str:
        """The label courier as people call it ("Hurtlink label"), not its code."""
        courier = COURIERS.get(self.label_courier)
        return str(courier.name) if courier is not None else self.label_courier


class SyncRun(models.Model):
    """One run of one kind for one connection: what it did, in numbers and messages."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", _("OK")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    MAX_MESSAGES = 200

    # What started a run (``trigger`` keeps the machine value), in words; others are shown as stored.
    TRIGGERS = {
        "manual": pgettext_lazy("sync run started", "by hand"),
        "schedule": pgettext_lazy("sync run started", "scheduled"),
        "api": pgettext_lazy("sync run started", "over the API"),
        "command": pgettext_lazy("sync run started", "from the command line"),
        "webhook": pgettext_lazy("sync run started", "by a webhook"),
    }

    connection = models.ForeignKey(WmsConnection, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=10, choices=SyncKind.choices)
    trigger = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    writes = models.PositiveIntegerField(default=0)
    # [{"item": "SKU-1", "message": {"msgid": …, "params": …}}, …] (``config.stored_messages``; older
    # runs: plain text) — at most MAX_MESSAGES, then one line saying how many more.
    messages = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["connection", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.connection} {self.kind} {self.started_at:%Y-%m-%d %H:%M}"

    def messages_shown(self) -> list[dict]:
        """The run's messages in the reader's language: ``[{"item": …, "message": text}]``."""
        return [
            {"item": entry.get("item", ""), "message": message_text(entry.get("message"))}
            for entry in self.messages
            if isinstance(entry, dict)
        ]

    @property
    def trigger_display(self) -> str:
        return str(self.TRIGGERS.get(self.trigger, self.trigger))

    @property
    def duration(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class ArticleState(models.Model):
    """What was last written to the WMS for one product of a connection's catalog."""

    connection = models.ForeignKey(WmsConnection, on_delete=models.CASCADE, related_name="article_states")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="wms_article_states"
    )
    payload_hash = models.CharField(max_length=32, blank=True)  # md5 of the mapped payload; "" = not written
    article_number = models.CharField(max_length=50, blank=True)
    wms_article_id = models.BigIntegerField(null=True, blank=True)
    last_written_at = models.DateTimeField(null=True, blank=True)
    last_error = MessageTextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "product"], name="wmsbridge_articlestate_unique"),
        ]
        indexes = [models.Index(fields=["connection", "article_number"])]

    def __str__(self) -> str:
        return f"{self.article_number} → {self.wms_article_id}"


class OrderExport(models.Model):
    """An order's life in one WMS: held or failed until it is exported — exactly once — then its
    status there, and the shipment (package, label, tracking) that came back."""

    class State(models.TextChoices):
        HELD = "held", _("Held")
        FAILED = "failed", _("Failed")
        EXPORTED = "exported", _("Exported")

    connection = models.ForeignKey(WmsConnection, on_delete=models.CASCADE, related_name="order_exports")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="wms_exports")
    state = models.CharField(max_length=10, choices=State.choices, default=State.HELD)
    wms_order_id = models.BigIntegerField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    last_error = MessageTextField(blank=True)
    wms_status = models.PositiveIntegerField(null=True, blank=True)
    wms_status_at = models.DateTimeField(null=True, blank=True)
    package_id = models.BigIntegerField(null=True, blank=True)
    label_uploaded = models.BooleanField(default=False)
    tracking_written = models.BooleanField(default=False)
    shipped_back_at = models.DateTimeField(null=True, blank=True)
    # The order was cancelled in Hurtlink after its export: cancelled in the WMS too, or refused there
    # (the warehouse had started on it) — either way it is not tried again.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_refused = MessageTextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "order"], name="wmsbridge_orderexport_unique"),
        ]
        indexes = [
            models.Index(
                fields=["connection", "state"],
                condition=Q(shipped_back_at__isnull=True),
                name="wmsbridge_export_pending",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.order_id} → {self.wms_order_id}"


class WebhookEvent(models.Model):
    """A webhook delivery from the WMS, kept once per ``webhookEventId`` (retries reuse the id)."""

    class Outcome(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    connection = models.ForeignKey(WmsConnection, on_delete=models.CASCADE, related_name="webhook_events")
    event_id = models.BigIntegerField(validators=[MinValueValidator(0)])
    received_at = models.DateTimeField(auto_now_add=True)
    wms_order_id = models.BigIntegerField(null=True, blank=True)
    order_number = models.CharField(max_length=100, blank=True)
    wms_status = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.QUEUED)
    message = MessageTextField(blank=True)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "event_id"], name="wmsbridge_webhookevent_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.connection} event {self.event_id}"
