"""Orders: BaseLinker's order object (reference §4), its statuses and sources, and the journal."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import currency_choices
from config.stored_messages import MessageCharField, MessageTextField

MONEY = {"max_digits": 14, "decimal_places": 2}


class OrderStatus(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", _("New")
        OTHER = "other", _("Other")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="order_statuses")
    name = models.CharField(_("name"), max_length=100)
    name_for_customer = models.CharField(_("name for the customer"), max_length=100, blank=True)
    color = models.CharField(
        _("colour"), max_length=7, default="#607d8b", validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$")]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = _("order statuses")
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="orders_status_name_unique")]

    def __str__(self) -> str:
        return self.name


class OrderSource(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal / manual")
        SHOP = "shop", _("Shop")
        CONNECT = "connect", _("Connect")

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="order_sources")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSONAL)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


STAR_MAX = 5  # an order's colour marker: 0 (none) to 5, as in BaseLinker


class Order(models.Model):
    """An order with every BaseLinker order field (names as in getOrders)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="orders")
    source = models.ForeignKey(OrderSource, on_delete=models.PROTECT, related_name="orders")
    status = models.ForeignKey(OrderStatus, on_delete=models.PROTECT, related_name="orders")
    date_add = models.DateTimeField(default=timezone.now, db_index=True)
    date_in_status = models.DateTimeField(default=timezone.now)
    confirmed = models.BooleanField(default=False)
    date_confirmed = models.DateTimeField(null=True, blank=True)
    shop_order_id = models.PositiveBigIntegerField(default=0)
    external_order_id = models.CharField(max_length=50, blank=True)
    user_login = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=100, blank=True)
    user_comments = models.CharField(_("buyer comments"), max_length=1000, blank=True)
    admin_comments = models.CharField(_("seller comments"), max_length=1000, blank=True)
    currency = models.CharField(max_length=3, choices=currency_choices)
    payment_method = models.CharField(max_length=100, blank=True)
    payment_method_cod = models.BooleanField(default=False)
    payment_done = models.DecimalField(default=Decimal("0"), validators=[MinValueValidator(0)], **MONEY)
    delivery_method = models.CharField(max_length=100, blank=True)
    delivery_price = models.DecimalField(default=Decimal("0"), validators=[MinValueValidator(0)], **MONEY)
    delivery_package_module = models.CharField(max_length=20, blank=True)
    delivery_package_nr = models.CharField(max_length=40, blank=True)
    delivery_fullname = models.CharField(max_length=100, blank=True)
    delivery_company = models.CharField(max_length=100, blank=True)
    delivery_address = models.CharField(max_length=156, blank=True)
    delivery_city = models.CharField(max_length=100, blank=True)
    delivery_state = models.CharField(max_length=35, blank=True)
    delivery_postcode = models.CharField(max_length=100, blank=True)
    delivery_country_code = models.CharField(max_length=2, blank=True)
    delivery_point_id = models.CharField(max_length=40, blank=True)
    delivery_point_name = models.CharField(max_length=100, blank=True)
    delivery_point_address = models.CharField(max_length=100, blank=True)
    delivery_point_postcode = models.CharField(max_length=100, blank=True)
    delivery_point_city = models.CharField(max_length=100, blank=True)
    invoice_fullname = models.CharField(max_length=200, blank=True)
    invoice_company = models.CharField(max_length=200, blank=True)
    invoice_nip = models.CharField(max_length=100, blank=True)
    invoice_address = models.CharField(max_length=250, blank=True)
    invoice_city = models.CharField(max_length=100, blank=True)
    invoice_state = models.CharField(max_length=35, blank=True)
    invoice_postcode = models.CharField(max_length=20, blank=True)
    invoice_country_code = models.CharField(max_length=2, blank=True)
    want_invoice = models.BooleanField(default=False)
    extra_field_1 = models.CharField(max_length=50, blank=True)
    extra_field_2 = models.CharField(max_length=50, blank=True)
    custom_extra_fields = models.JSONField(default=dict, blank=True)
    star = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(STAR_MAX)])  # 0: none
    is_technical = models.BooleanField(default=False)
    merged_from = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="merged_into")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "status"]),
            models.Index(fields=["account", "-id"]),
            # getOrders pages by date_confirmed_from (reference §5), ordered by date_confirmed.
            models.Index(fields=["account", "date_confirmed"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class OrderLine(models.Model):
    """A line of an order; ``order_product_id`` in BaseLinker's terms is its id."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    warehouse = models.ForeignKey("catalog.Warehouse", null=True, blank=True, on_delete=models.SET_NULL)
    storage = models.CharField(max_length=20, default="db")
    storage_id = models.PositiveIntegerField(default=0)
    # The product of an external storage the line was picked from (a Connect supplier's shared
    # catalog: storage "connect", storage_id the contractor's integration). ``product`` stays the
    # account's own product (or none), so stock reservation never touches another account's rows.
    external_product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    variant_id = models.PositiveBigIntegerField(default=0)
    sku = models.CharField(max_length=50, blank=True)
    ean = models.CharField(max_length=32, blank=True)
    name = models.CharField(max_length=200)
    attributes = models.CharField(max_length=350, blank=True)
    price_brutto = models.DecimalField(validators=[MinValueValidator(0)], **MONEY)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("23"))
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    weight = models.DecimalField(max_digits=10, decimal_places=3, default=Decimal("0"))
    # How many units this line took from stock (0 for free lines or with reservation off).
    reserved = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class JournalEntry(models.Model):
    """Append-only log of order events with BaseLinker's journal type ids (reference §5.8), each with the
    origin of the change (who or what did it: a person, an API token, an automatic action, the WMS...).

    Types BaseLinker does not have are numbered from 100, so its future types never collide with them.
    """

    class Type(models.IntegerChoices):
        ORDER_CREATED = 1, _("Order created")
        ORDER_CONFIRMED = 2, _("Order confirmed")
        ORDER_PAID = 3, _("Order paid")
        ORDER_REMOVED = 4, _("Order removed")
        ORDERS_MERGED = 5, _("Orders merged")
        PACKAGE_CREATED = 9, _("Package created")
        PACKAGE_DELETED = 10, _("Package deleted")
        DELIVERY_EDITED = 11, _("Delivery data edited")
        PRODUCT_ADDED = 12, _("Product added")
        PRODUCT_EDITED = 13, _("Product edited")
        PRODUCT_REMOVED = 14, _("Product removed")
        ORDER_EDITED = 16, _("Order data edited")
        STATUS_CHANGED = 18, _("Status changed")
        INVOICE_EDITED = 21, _("Invoice data edited")
        TRACKING_UPDATED = 100, _("Tracking update")
        ORDER_FORWARDED = 101, _("Forwarded to a supplier")
        FORWARD_REFUSED = 102, _("Forwarding refused")

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="journal")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="journal")
    type = models.PositiveSmallIntegerField(choices=Type.choices)
    object_id = models.BigIntegerField(default=0)
    # The origin of the change (``changes.origin.Origin``): its kind, which one, and how people read it.
    origin_kind = models.CharField(_("origin"), max_length=16)
    origin_id = models.BigIntegerField(null=True, blank=True)
    # A person's name, else an untranslated message (``changes.origin.origin_label_text`` reads it).
    origin_label = MessageCharField(_("by"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = _("journal entries")
        indexes = [models.Index(fields=["account", "id"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} #{self.order_id}"


class OrderExtraField(models.Model):
    """An account-defined order field; values live in ``Order.custom_extra_fields`` keyed by this id."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        SELECT = "select", _("Choice from a list")
        CHECKBOX = "checkbox", _("Checkbox")
        DATE = "date", _("Date")

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="order_extra_fields"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    options = models.JSONField(_("options"), default=list, blank=True, help_text=_("For a choice list."))

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="orders_extrafield_unique")]

    def __str__(self) -> str:
        return self.name


class CustomButton(models.Model):
    """A named event a user fires on the order card or for a selection of orders."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="order_buttons")
    name = models.CharField(_("name"), max_length=100)
    color = models.CharField(
        _("colour"), max_length=7, default="#1e88e5", validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$")]
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="orders_button_unique")]

    def __str__(self) -> str:
        return self.name


class AutomationRule(models.Model):
    """Event → conditions → actions, run after commit in Celery.

    ``conditions``: {"statuses": [ids], "sources": [ids], "paid": "paid"|"unpaid"|"",
    "total_min": "…", "total_max": "…", "inventories": [ids]} — empty means "any".
    ``actions``: a list of {"type": key, ...the action's fields} with a key of the action registry
    (``orders.actions``), e.g. {"type": "set_status", "status": id} | {"type": "add_comment", "text": "…"}
    | {"type": "create_package", "courier": code}.
    """

    class Event(models.TextChoices):
        ORDER_CREATED = "order_created", _("Order created")
        STATUS_CHANGED = "status_changed", _("Status changed")
        PAYMENT_RECEIVED = "payment_received", _("Payment received")
        PACKAGE_CREATED = "package_created", _("Package created")
        BUTTON = "button", _("Custom button pressed")

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="automation_rules")
    name = models.CharField(_("name"), max_length=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    event_status = models.ForeignKey(
        OrderStatus,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("to status"),
        help_text=_("For “status changed”: only when the order enters this status (empty: any)."),
    )
    event_button = models.ForeignKey(
        CustomButton, null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    position = models.PositiveSmallIntegerField(default=0)

    # The fields that mean something only for some events, with those events: the rules form shows them
    # for those events only, and a rule of another event keeps none of them (see ``save``).
    EVENT_FIELDS = {
        "event_status": (Event.STATUS_CHANGED,),
        "event_button": (Event.BUTTON,),
    }
    # Conditions an event makes pointless: "payment received" fires only once an order is paid in full.
    CONDITIONS_NOT_FOR = {"paid": (Event.PAYMENT_RECEIVED,)}

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A rule switched to another event forgets what only the old event used (a stale "to status"
        # of a rule that now fires on "order created" would show in lists and mislead).
        if self.event not in self.EVENT_FIELDS["event_status"]:
            self.event_status = None
        if self.event not in self.EVENT_FIELDS["event_button"]:
            self.event_button = None
        if isinstance(self.conditions, dict):
            for key, events in self.CONDITIONS_NOT_FOR.items():
                if self.event in events:
                    self.conditions.pop(key, None)
        super().save(*args, **kwargs)

    def actions_display(self) -> list[str]:
        """The actions in words, for lists ("set status, add a seller comment"); an entry that is not an
        action (stored before actions were checked) shows as "?"."""
        from orders import actions

        entries = self.actions if isinstance(self.actions, list) else []
        labels = [actions.label_of(a.get("type")) if isinstance(a, dict) else "?" for a in entries]
        return [(label[:1].lower() + label[1:]) or "?" for label in labels]


class AutomationRun(models.Model):
    """One run of a rule on an order, shown on the order's timeline."""

    class Outcome(models.TextChoices):
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Conditions not met")
        FAILED = "failed", _("Failed")
        LOOP = "loop", _("Stopped: chain too deep")

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(AutomationRule, null=True, on_delete=models.SET_NULL, related_name="runs")
    rule_name = models.CharField(max_length=100)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="automation_runs")
    event = models.CharField(max_length=20)
    depth = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # Kept untranslated (``config.stored_messages``); runs from before: plain text.
    message = MessageTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.rule_name} on #{self.order_id}: {self.outcome}"
