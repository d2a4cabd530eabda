"""Change events (an outbox): recorded in the transaction of the change, delivered after commit.

Each event gets one delivery row per consumer registered for its topic, written in the same
transaction. A delivery is done when its consumer's handler has run and the row is marked delivered —
both in one transaction, so a worker killed half-way leaves the delivery pending and it runs again
(at least once), and a handler whose effects are database writes sees them applied exactly once.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.stored_messages import MessageCharField


class ChangeEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(_("topic"), max_length=64)
    # The changed row for single-row changes (an order, a product, a package); set-based changes
    # leave it empty and list their ids in ``payload``.
    subject_id = models.BigIntegerField(_("subject"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    origin_kind = models.CharField(_("origin"), max_length=16)
    origin_id = models.BigIntegerField(null=True, blank=True)
    origin_label = MessageCharField(max_length=200, blank=True)
    # How many automatic reactions in a row led here (``Origin.depth``): consumers that react with changes
    # of their own pass it on plus one, and stop at their limit.
    origin_depth = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("change event")
        indexes = [models.Index(fields=["account", "topic", "id"])]

    def __str__(self) -> str:
        return f"{self.topic} #{self.subject_id or ''} ({self.origin_kind})"

    @property
    def origin(self):
        from changes.origin import Origin

        return Origin(self.origin_kind, self.origin_id, self.origin_label, self.origin_depth)


class ChangeDelivery(models.Model):
    event = models.ForeignKey(ChangeEvent, on_delete=models.CASCADE, related_name="deliveries")
    consumer = models.CharField(_("consumer"), max_length=64)
    attempts = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("change delivery")
        verbose_name_plural = _("change deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "consumer"], name="changes_one_delivery_per_consumer")
        ]
        indexes = [
            models.Index(
                fields=["not_before"], condition=models.Q(delivered_at__isnull=True), name="changes_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consumer} ← {self.event_id}"
