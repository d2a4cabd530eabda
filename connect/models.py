"""Connect: two accounts trading with each other (BaseLinker Connect, reference §8).

An account's Connect entry is a ``ConnectIntegration`` with a role:

- **provider** (a wholesaler or fulfilment company): generated a connection code. Its two switches,
  *downloading orders* and *sharing products*, are fixed at creation; the settings of each live in
  ``ProviderOrderSettings`` / ``ProviderSharingSettings`` (present exactly when the switch is on). The
  secret itself is a ``ConnectionCode`` row: regenerating adds a new row and revokes the old one, so an
  old code is still recognisable in the history but admits nobody.
- **contractor** (a seller or dropshipper): entered a code. Its settings are ``ContractorSettings``.

``ContractorLink`` ties one contractor integration to one provider integration. It carries what the
provider decides per contractor (state, product range, price group, trade credit) and both accounts, so
either side's rows are found by a plain ``account`` filter. Nothing crosses a link unless it is *open*:
active and not disconnected (``ContractorLink.objects.open()``).

Trade credit is a ledger (``CreditEntry``): the used and available amounts are sums over it, never a
stored counter. Rows are written only by ``connect.services``; the admin shows them read-only.

Integrations and links are never deleted by the app: a deleted integration or a disconnected link keeps
its row (``deleted_at`` / ``disconnected_at``) so the ledger, the history and later the forwarded orders
keep their references.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import currency_choices
from config.crypto import EncryptedSecret
from config.stored_messages import MessageCharField, MessageTextField

MONEY = {"max_digits": 14, "decimal_places": 2}


class AdditionalInfo(models.TextChoices):
    """Order fields that travel with a forwarded order besides its lines and addresses."""

    SELLER_COMMENTS = "admin_comments", _("Seller comments")
    BUYER_COMMENTS = "user_comments", _("Buyer comments")
    EXTRA_FIELD_1 = "extra_field_1", _("Extra field 1")
    EXTRA_FIELD_2 = "extra_field_2", _("Extra field 2")


class IntegrationQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class ConnectIntegration(models.Model):
    """One Connect entry of an account, as provider (code generated) or contractor (code entered)."""

    class Role(models.TextChoices):
        PROVIDER = "provider", _("Provider")
        CONTRACTOR = "contractor", _("Contractor")

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="connect_integrations"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, editable=False)
    display_name = models.CharField(_("display name"), max_length=100)
    # Provider only. The two switches cannot change after creation (BaseLinker: a new integration with a
    # new code is needed); the services refuse it.
    code_name = models.CharField(_("connection code name"), max_length=100, blank=True)
    orders_enabled = models.BooleanField(_("downloading orders"), default=False, editable=False)
    products_enabled = models.BooleanField(_("sharing products"), default=False, editable=False)
    # Both roles: the Statuses tab. The mapping tables are StatusMapping rows (per link).
    send_statuses = models.BooleanField(_("send statuses"), default=False)
    receive_statuses = models.BooleanField(_("receive statuses"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = IntegrationQuerySet.as_manager()

    class Meta:
        ordering = ["display_name", "id"]
        verbose_name = _("Connect integration")
        verbose_name_plural = _("Connect integrations")
        indexes = [models.Index(fields=["account", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="provider") | Q(orders_enabled=False, products_enabled=False),
                name="connect_integration_switches_provider_only",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_provider(self) -> bool:
        return self.role == self.Role.PROVIDER

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ConnectionCode(models.Model):
    """A provider's connection code. At most one per integration admits new contractors (not revoked).

    The code is stored encrypted (Fernet with ``HURTLINK_FIELD_ENCRYPTION_KEY``) so the provider can see
    it again, and as a keyed hash (HMAC-SHA256 with ``SECRET_KEY``) to find it: a database dump alone
    gives neither the code nor a way to test guesses offline.
    """

    integration = models.ForeignKey(ConnectIntegration, on_delete=models.CASCADE, related_name="codes")
    code_encrypted = models.TextField(editable=False)
    # The plain code; unreadable after a key change (its selector then shows none: regenerate it).
    code = EncryptedSecret("code_encrypted")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration"],
                condition=Q(revoked_at__isnull=True),
                name="connect_code_one_active_per_integration",
            ),
        ]

    def __str__(self) -> str:
        return f"code #{self.pk} of {self.integration_id}"


class ProviderOrderSettings(models.Model):
    """How a provider receives forwarded orders (its *downloading orders* settings)."""

    class Payment(models.TextChoices):
        PAID = "paid", _("Paid")
        UNPAID = "unpaid", _("Unpaid")
        FROM_SOURCE = "source", _("As in the source order")

    class DeliveryCost(models.TextChoices):
        COPY = "copy", _("Copied from the source order")
        ZERO = "zero", _("Always 0")

    integration = models.OneToOneField(
        ConnectIntegration, on_delete=models.CASCADE, related_name="order_settings"
    )
    target_status = models.ForeignKey(
        "orders.OrderStatus", on_delete=models.PROTECT, related_name="+", verbose_name=_("target status")
    )
    payment = models.CharField(_("payment status"), max_length=10, choices=Payment.choices, default="unpaid")
    shipments = models.BooleanField(
        _("shipments"), default=True, help_text=_("Two-way transfer of tracking numbers.")
    )
    delivery_cost = models.CharField(
        _("delivery cost"), max_length=10, choices=DeliveryCost.choices, default="copy"
    )
    overwrite_name = models.BooleanField(_("overwrite the product name"), default=False)
    overwrite_price = models.BooleanField(_("overwrite the price"), default=False)
    overwrite_tax_rate = models.BooleanField(_("overwrite the tax rate"), default=False)
    overwrite_weight = models.BooleanField(_("overwrite the weight"), default=False)
    match_inventory = models.ForeignKey(
        "catalog.Inventory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("match products in catalog"),
        help_text=_("Lines that do not come from your shared catalog are matched by SKU, then EAN, here."),
    )
    source_warehouse = models.ForeignKey(
        "catalog.Warehouse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source warehouse"),
    )
    price_group = models.ForeignKey(
        "catalog.PriceGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("price group"),
    )
    omit_unmatched = models.BooleanField(_("omit products that are not matched"), default=False)
    additional_info = ArrayField(
        models.CharField(max_length=20, choices=AdditionalInfo.choices),
        default=list,
        blank=True,
        verbose_name=_("additional information to receive"),
    )

    class Meta:
        verbose_name = _("order-download settings")
        verbose_name_plural = _("order-download settings")

    def __str__(self) -> str:
        return f"orders of {self.integration}"


class ProviderSharingSettings(models.Model):
    """What a provider shares with its contractors (its *sharing products* settings)."""

    class Categories(models.TextChoices):
        ALL = "all", _("All categories")
        ONLY = "only", _("Only the chosen categories")
        EXCEPT = "except", _("All except the chosen categories")

    class Images(models.TextChoices):
        FIRST = "first", _("The first image")
        ALL = "all", _("All images")
        NONE = "none", _("No images")

    integration = models.OneToOneField(
        ConnectIntegration, on_delete=models.CASCADE, related_name="sharing_settings"
    )
    inventory = models.ForeignKey(
        "catalog.Inventory", on_delete=models.PROTECT, related_name="+", verbose_name=_("catalog")
    )
    category_mode = models.CharField(
        _("product categories"), max_length=10, choices=Categories.choices, default="all"
    )
    categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="+", verbose_name=_("chosen categories")
    )
    tags = models.ManyToManyField(
        "catalog.Tag",
        blank=True,
        related_name="+",
        verbose_name=_("product tags"),
        help_text=_("Only products with one of these tags are shared; none chosen: every product."),
    )
    language = models.CharField(_("language"), max_length=2)
    source_warehouse = models.ForeignKey(
        "catalog.Warehouse", on_delete=models.PROTECT, related_name="+", verbose_name=_("source warehouse")
    )
    price_group = models.ForeignKey(
        "catalog.PriceGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("price group"),
        help_text=_("Empty: contractors see no prices."),
    )
    descriptions = models.BooleanField(_("share descriptions"), default=True)
    parameters = models.BooleanField(_("share parameters"), default=True)
    images = models.CharField(_("images"), max_length=10, choices=Images.choices, default="all")
    extra_fields = models.ManyToManyField(
        "catalog.ExtraField",
        blank=True,
        related_name="+",
        verbose_name=_("extra fields"),
        help_text=_("Passed by name to contractors who have an extra field of the same name."),
    )

    class Meta:
        verbose_name = _("product-sharing settings")
        verbose_name_plural = _("product-sharing settings")

    def __str__(self) -> str:
        return f"sharing of {self.integration}"


class ContractorSettings(models.Model):
    """A contractor's side of its integration: how it forwards orders and takes products."""

    class Forwarding(models.TextChoices):
        BUTTON = "button", _("A button on the order card and list")
        AUTOMATIC = "automatic", _("Automatic actions only")

    integration = models.OneToOneField(
        ConnectIntegration, on_delete=models.CASCADE, related_name="contractor_settings"
    )
    # Orders (when the provider downloads orders).
    hide_prices = models.BooleanField(_("hide prices"), default=False)
    overwrite_invoice = models.BooleanField(
        _("overwrite invoice data"),
        default=False,
        help_text=_("Send these invoice data (e.g. your company's) instead of the customer's."),
    )
    invoice_fullname = models.CharField(_("invoice: name"), max_length=200, blank=True)
    invoice_company = models.CharField(_("invoice: company"), max_length=200, blank=True)
    invoice_nip = models.CharField(_("invoice: VAT number"), max_length=100, blank=True)
    invoice_address = models.CharField(_("invoice: address"), max_length=250, blank=True)
    invoice_city = models.CharField(_("invoice: city"), max_length=100, blank=True)
    invoice_postcode = models.CharField(_("invoice: postcode"), max_length=20, blank=True)
    invoice_country_code = models.CharField(_("invoice: country code"), max_length=2, blank=True)
    forwarding = models.CharField(
        _("forwarding orders"), max_length=10, choices=Forwarding.choices, default="button"
    )
    additional_info = ArrayField(
        models.CharField(max_length=20, choices=AdditionalInfo.choices),
        default=list,
        blank=True,
        verbose_name=_("additional information to send"),
    )
    # Products (when the provider shares products): applied to imported and synced values (part 2).
    price_multiplier = models.DecimalField(
        _("price multiplier"),
        max_digits=8,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("1000"))],
    )
    quantity_subtract = models.PositiveIntegerField(
        _("subtract from stock"), default=0, help_text=_("A fixed number taken off each stock level.")
    )
    quantity_keep_percent = models.DecimalField(
        _("keep back (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("A percentage of each stock level kept back; stock never goes below 0."),
    )
    price_sync = models.BooleanField(_("synchronise prices"), default=False)
    price_group = models.ForeignKey(
        "catalog.PriceGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target price group"),
    )
    stock_sync = models.BooleanField(_("synchronise stock"), default=False)
    warehouse = models.ForeignKey(
        "catalog.Warehouse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target warehouse"),
    )

    class Meta:
        verbose_name = _("contractor settings")
        verbose_name_plural = _("contractor settings")

    def __str__(self) -> str:
        return f"settings of {self.integration}"


_SUM = models.DecimalField(max_digits=16, decimal_places=2)
_ZERO = Decimal("0.00")


def _ledger_total(kind: str):
    """Sum of one kind of a link's ledger entries, as a subquery (no join fan-out in lists)."""
    entries = (
        CreditEntry.objects.filter(link_id=models.OuterRef("pk"), kind=kind)
        .values("link_id")
        .annotate(s=models.Sum("amount"))
        .values("s")
    )
    return Coalesce(models.Subquery(entries, output_field=_SUM), models.Value(_ZERO), output_field=_SUM)


class LinkQuerySet(models.QuerySet):
    def with_credit(self):
        """Each link's ``credit_used`` (charges − payments − adjustments) and ``credit_available``
        (limit − used; None without a limit), summed from the ledger in the same query."""
        used = models.F("credit_charges") - models.F("credit_payments") - models.F("credit_adjustments")
        return (
            self.annotate(
                credit_charges=_ledger_total(CreditEntry.Kind.CHARGE),
                credit_payments=_ledger_total(CreditEntry.Kind.PAYMENT),
                credit_adjustments=_ledger_total(CreditEntry.Kind.ADJUSTMENT),
            )
            .annotate(credit_used=models.ExpressionWrapper(used, output_field=_SUM))
            .annotate(
                credit_available=models.Case(
                    models.When(credit_limit__isnull=True, then=models.Value(None, output_field=_SUM)),
                    default=models.F("credit_limit") - models.F("credit_used"),
                    output_field=_SUM,
                )
            )
        )

    def connected(self):
        return self.filter(disconnected_at__isnull=True)

    def open(self):
        """Links through which something may cross: active and still connected."""
        return self.filter(state=ContractorLink.State.ACTIVE, disconnected_at__isnull=True)


class ContractorLink(models.Model):
    """A contractor joined a provider's integration. What the provider decides per contractor."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        BLOCKED = "blocked", _("Blocked")
        AWAITING_APPROVAL = "awaiting", _("Awaiting approval")

    class Range(models.TextChoices):
        ALL = "all", _("All products the integration shares")
        CATEGORIES = "categories", _("Only the chosen categories")
        TAGS = "tags", _("Only the chosen tags")
        PRODUCTS = "products", _("Only the chosen products")

    provider_integration = models.ForeignKey(
        ConnectIntegration, on_delete=models.CASCADE, related_name="contractor_links"
    )
    contractor_integration = models.OneToOneField(
        ConnectIntegration, on_delete=models.CASCADE, related_name="provider_link"
    )
    # Both accounts, denormalised from the integrations (set once by the service): every query of
    # either side filters on one column, and the constraints below can say "one open link per pair".
    provider_account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="connect_contractor_links"
    )
    contractor_account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="connect_provider_links"
    )
    code = models.ForeignKey(
        ConnectionCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="links", editable=False
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("How this contractor is listed on your side.")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    # The range of shared products for this contractor, within what the integration shares.
    range_mode = models.CharField(
        _("range of shared products"), max_length=10, choices=Range.choices, default=Range.ALL
    )
    range_categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="+", verbose_name=_("categories")
    )
    range_tags = models.ManyToManyField("catalog.Tag", blank=True, related_name="+", verbose_name=_("tags"))
    range_products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="+", verbose_name=_("products")
    )
    price_group = models.ForeignKey(
        "catalog.PriceGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("price group for this contractor"),
        help_text=_("Empty: the integration's price group."),
    )
    # Trade credit. No limit: the contractor has no trade credit (orders are not charged).
    credit_limit = models.DecimalField(
        _("credit limit"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    credit_currency = models.CharField(
        _("settlement currency"), max_length=3, choices=currency_choices, blank=True
    )
    credit_notes = models.TextField(_("notes"), blank=True)
    block_stock_below = models.DecimalField(
        _("block stock below"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("When the available credit falls under this amount, the contractor sees all stock as 0."),
        **MONEY,
    )
    # The provider's order source "Connect: <name>" of this contractor's forwarded orders (made by the
    # first forward, renamed with the contractor): one per contractor, so the order list filters by it.
    order_source = models.ForeignKey(
        "orders.OrderSource",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("contractor")
        verbose_name_plural = _("contractors")
        indexes = [
            models.Index(fields=["provider_integration", "state"]),
            models.Index(fields=["contractor_account"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_integration", "contractor_account"],
                condition=Q(disconnected_at__isnull=True),
                name="connect_link_once_per_contractor_account",
            ),
            models.CheckConstraint(
                condition=~Q(provider_account=models.F("contractor_account")),
                name="connect_link_two_accounts",
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | ~Q(credit_currency=""),
                name="connect_link_credit_has_currency",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.state == self.State.ACTIVE and self.disconnected_at is None


class LinkEvent(models.Model):
    """What happened to a link, for both sides' history: joined, blocked, limit changed, ..."""

    class Kind(models.TextChoices):
        JOINED = "joined", _("Joined")
        ACTIVATED = "activated", _("Activated")
        BLOCKED = "blocked", _("Blocked")
        DISCONNECTED = "disconnected", _("Disconnected")
        EDITED = "edited", _("Edited")
        CREDIT_CHANGED = "credit", _("Trade credit changed")

    link = models.ForeignKey(ContractorLink, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    # A person's name, or an untranslated message (an API token: ``Origin.label``); older rows: text.
    actor = MessageCharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.link} {self.kind}"


class CreditEntry(models.Model):
    """One line of a contractor's trade-credit ledger, in the link's settlement currency.

    ``charge`` and ``payment`` amounts are positive; an ``adjustment`` is signed (+ gives credit back,
    − takes it). Available = limit − charges + payments + adjustments (``connect.selectors``).
    """

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Charge")
        PAYMENT = "payment", _("Payment")
        ADJUSTMENT = "adjustment", _("Adjustment")

    # Rows are never deleted by the app (links are disconnected, not deleted); the cascade only serves
    # the removal of a whole account.
    link = models.ForeignKey(ContractorLink, on_delete=models.CASCADE, related_name="credit_entries")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=currency_choices)
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="connect_credit_entries",
        verbose_name=_("order"),
    )
    # A person's words (payments, adjustments) or, for what Hurtlink records itself, a message kept
    # untranslated (``config.stored_messages``).
    description = MessageCharField(_("description"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A person's name, or an untranslated message (an automatic action, an API token: ``Origin.label``).
    actor = MessageCharField(_("who"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit entries")
        indexes = [models.Index(fields=["link", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="adjustment") | Q(amount__gt=0),
                name="connect_credit_charge_payment_positive",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="connect_credit_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"

    @property
    def effect(self) -> Decimal:
        """What this entry does to the available amount."""
        return -self.amount if self.kind == self.Kind.CHARGE else self.amount


class StatusMapping(models.Model):
    """One row of a status mapping table, kept by one side (``account``) of one link.

    ``send``: when this side's order enters ``local_status``, the partner's order is set to
    ``remote_status``. ``receive``: when the partner's order enters ``remote_status``, this side's order
    is set to ``local_status``. Unmapped statuses are not carried (part 3 applies them).
    """

    class Direction(models.TextChoices):
        SEND = "send", _("Send")
        RECEIVE = "receive", _("Receive")

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(ContractorLink, on_delete=models.CASCADE, related_name="status_mappings")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    local_status = models.ForeignKey(
        "orders.OrderStatus", on_delete=models.CASCADE, related_name="+", verbose_name=_("your status")
    )
    remote_status = models.ForeignKey(
        "orders.OrderStatus", on_delete=models.CASCADE, related_name="+", verbose_name=_("partner's status")
    )

    class Meta:
        ordering = ["direction", "local_status__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "link", "local_status"],
                condition=Q(direction="send"),
                name="connect_statusmap_send_once",
            ),
            models.UniqueConstraint(
                fields=["account", "link", "remote_status"],
                condition=Q(direction="receive"),
                name="connect_statusmap_receive_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction}: {self.local_status_id} ↔ {self.remote_status_id}"


class ForwardedOrder(models.Model):
    """A contractor's order forwarded through a link, and the provider order made from it.

    The unique ``contractor_order`` decides "exactly once": two workers forwarding one order race on
    the insert, and the loser reads the winner's row. ``provider_order`` is null until the provider's
    order exists (and again if the provider deletes it: a database trigger then sets the state to
    "deleted by the supplier", whatever deleted the order, and the contractor's card says so; see
    migration 0003). ``charge`` is the ledger entry paid with trade credit, if any; ``refund`` the entry
    that gave it back when the provider cancelled or deleted its order (once, whichever came first). A
    refused forward keeps its row with the ``reason`` (the contractor's card shows it) and may be tried
    again.
    """

    class State(models.TextChoices):
        FORWARDED = "forwarded", _("Forwarded")
        REFUSED = "refused", _("Refused")
        PROVIDER_DELETED = "deleted", _("Deleted by the supplier")

    link = models.ForeignKey(ContractorLink, on_delete=models.PROTECT, related_name="forwarded_orders")
    contractor_account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    provider_account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    contractor_order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, related_name="connect_forward"
    )
    provider_order = models.OneToOneField(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="connect_source"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.FORWARDED)
    charge = models.ForeignKey(
        CreditEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refund = models.ForeignKey(
        CreditEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = MessageCharField(_("reason"), max_length=500, blank=True)  # untranslated; older rows: text
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["link", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.contractor_order_id} → {self.provider_order_id}"

    @property
    def shown_state(self) -> str:
        """The state as the cards show it: a forwarded order whose provider order is gone is "deleted by
        the supplier" (the trigger of migration 0003 also says so in ``state``)."""
        if self.state == self.State.FORWARDED and self.provider_order_id is None:
            return self.State.PROVIDER_DELETED
        return self.state


class PackageCopy(models.Model):
    """A package carried across a link (the provider's "shipments" on): the package it was copied from
    (``source_package_id``, on one side) and the copy (``copy``, on the other side's order).

    The unique ``source_package_id`` decides "each package once": the propagation claims the source
    with an insert that does nothing on conflict before it creates the copy, so a redelivered change
    or two workers carrying the same package make one copy. It is a plain id, not a foreign key: when
    the source package is deleted the row stays, to find the copy and delete it in turn. A copy is
    never carried back over the link it came through.
    """

    link = models.ForeignKey(ContractorLink, on_delete=models.CASCADE, related_name="package_copies")
    forwarded_order = models.ForeignKey(
        ForwardedOrder, on_delete=models.CASCADE, related_name="package_copies"
    )
    source_account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    source_package_id = models.BigIntegerField(unique=True)
    # Null once the copy is deleted on its side: the row stays, so the package is not carried again.
    copy = models.OneToOneField(
        "shipments.Package", null=True, blank=True, on_delete=models.SET_NULL, related_name="connect_copy"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("package carried by Connect")
        verbose_name_plural = _("packages carried by Connect")

    def __str__(self) -> str:
        return f"package {self.source_package_id} → {self.copy_id}"


class ProductSync(models.Model):
    """How a contractor integration's stock and prices follow its provider (Connect part 2): when a
    provider change was last carried, when the reconciliation last checked every linked product and
    what it last had to repair. One row per contractor integration, written only by ``connect.sync``."""

    integration = models.OneToOneField(
        ConnectIntegration, on_delete=models.CASCADE, related_name="product_sync", editable=False
    )
    stock_synced_at = models.DateTimeField(_("stock last synchronised"), null=True, blank=True)
    prices_synced_at = models.DateTimeField(_("prices last synchronised"), null=True, blank=True)
    resynced_at = models.DateTimeField(_("last full synchronisation"), null=True, blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    repaired_at = models.DateTimeField(_("last repair"), null=True, blank=True)
    repaired_stock = models.PositiveIntegerField(_("stock levels repaired"), default=0)
    repaired_prices = models.PositiveIntegerField(_("prices repaired"), default=0)

    class Meta:
        verbose_name = _("product synchronisation")
        verbose_name_plural = _("product synchronisations")

    def __str__(self) -> str:
        return f"sync of {self.integration_id}"


class ConnectImport(models.Model):
    """A saved import from a supplier's shared catalog into one of the contractor's catalogs.

    Every run (the first one, "run again", and — with ``keep_importing`` — each change the supplier
    makes and the periodic pass) imports what the scope names among the products shared *now*: new
    ones are created, linked ones updated (``catalog.ProductLink``), products no longer shared are
    marked, never deleted. A run started by a person is an ``ImportJob`` with its progress and report;
    what the last run of any kind did is kept here.
    """

    class Scope(models.TextChoices):
        ALL = "all", _("All shared products")
        CATEGORIES = "categories", _("The products of chosen categories")
        PRODUCTS = "products", _("A list of product ids")

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(
        ConnectIntegration, on_delete=models.CASCADE, related_name="imports", verbose_name=_("supplier")
    )
    inventory = models.ForeignKey(
        "catalog.Inventory", on_delete=models.CASCADE, related_name="+", verbose_name=_("target catalog")
    )
    scope = models.CharField(_("import"), max_length=12, choices=Scope.choices, default=Scope.ALL)
    # The supplier's category and product ids (ids of the other account: read only through the shared
    # catalog, which lets through only what is shared now).
    category_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    product_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    keep_importing = models.BooleanField(
        _("keep importing"),
        default=False,
        help_text=_(
            "Newly shared products are added and changes of names, texts and images follow, "
            "without a click; products no longer shared are marked."
        ),
    )
    valid_rows_only = models.BooleanField(_("import the valid rows"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_job = models.ForeignKey(
        "catalog.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_trigger = models.CharField(_("started by"), max_length=20, blank=True)
    last_created = models.PositiveIntegerField(_("created"), default=0)
    last_updated = models.PositiveIntegerField(_("updated"), default=0)
    last_unshared = models.PositiveIntegerField(_("no longer shared"), default=0)
    last_problems = models.PositiveIntegerField(_("problems"), default=0)
    last_message = MessageTextField(_("result"), blank=True)  # untranslated (config.stored_messages)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Connect import")
        verbose_name_plural = _("Connect imports")
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.integration} → {self.inventory}"


# ------------------------------------------------------------------------ the partner directory


class Industry(models.TextChoices):
    """The directory's fixed list of industries (a provider chooses one or more)."""

    AUTOMOTIVE = "automotive", _("Automotive")
    BOOKS_MEDIA = "books_media", _("Books and media")
    ELECTRONICS = "electronics", _("Electronics")
    FASHION = "fashion", _("Fashion, clothing and shoes")
    FOOD = "food", _("Food and drinks")
    HEALTH_BEAUTY = "health_beauty", _("Health and beauty")
    HOME_GARDEN = "home_garden", _("Home and garden")
    INDUSTRIAL = "industrial", _("Industry and tools")
    KIDS_TOYS = "kids_toys", _("Kids and toys")
    OFFICE = "office", _("Office supplies")
    PETS = "pets", _("Pet supplies")
    SPORTS = "sports", _("Sports and outdoors")
    OTHER = "other", _("Other")


class ServiceType(models.TextChoices):
    """What a provider offers its partners (BaseLinker's service types)."""

    DROPSHIPPING = "dropshipping", _("Dropshipping")
    FULFILMENT = "fulfilment", _("Fulfilment")
    WHOLESALER = "wholesaler", _("Wholesaler")
    OTHER = "other", _("Other")


class PublicationQuerySet(models.QuerySet):
    def listed(self):
        """Entries the directory shows: public, with a verified listed copy, of a live integration."""
        return self.filter(is_public=True, listed_at__isnull=False, integration__deleted_at__isnull=True)


class Publication(models.Model):
    """A provider integration's entry in the public B2B partner directory (the Publish tab).

    The provider edits the working copy (name, description, logo and the rest); *Save* asks staff to
    verify it. The directory shows the **listed copy** (``listed_*``): the name, description and logo
    staff last verified. Changing the name, description or logo of a verified entry sends it back to
    verification while the listed copy stays in the directory; verification copies the working copy
    over the listed one. The other fields (countries, industries, services, contact, switches) take
    effect at once. Only ``connect.directory`` writes these rows.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        WAITING = "waiting", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="connect_publications"
    )
    integration = models.OneToOneField(
        ConnectIntegration, on_delete=models.CASCADE, related_name="publication", editable=False
    )
    is_public = models.BooleanField(_("public"), default=False)
    company_name = models.CharField(_("company name as listed"), max_length=200)
    description = models.TextField(_("description"), max_length=4000)
    countries = ArrayField(models.CharField(max_length=2), default=list, verbose_name=_("countries served"))
    industries = ArrayField(
        models.CharField(max_length=20, choices=Industry.choices), default=list, verbose_name=_("industries")
    )
    services = ArrayField(
        models.CharField(max_length=20, choices=ServiceType.choices), default=list, verbose_name=_("services")
    )
    contact_email = models.EmailField(_("contact e-mail"))
    website = models.URLField(_("website"), blank=True)
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    show_products = models.BooleanField(
        _("show products"),
        default=False,
        help_text=_("Visitors from the directory may browse the products this integration shares."),
    )
    approval_required = models.BooleanField(
        _("approval required"),
        default=False,
        help_text=_("Each new contractor from the directory waits until you accept it."),
    )
    show_prices = models.BooleanField(
        _("show prices publicly"),
        default=False,
        help_text=_("Visitors browsing your products see their prices too."),
    )
    state = models.CharField(_("verification"), max_length=10, choices=State.choices, default=State.DRAFT)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # The copy the directory shows: what staff last verified. Null ``listed_at``: not listed.
    listed_name = models.CharField(_("listed name"), max_length=200, blank=True, editable=False)
    listed_description = models.TextField(_("listed description"), blank=True, editable=False)
    listed_logo = models.BinaryField(null=True, blank=True, editable=False)
    listed_logo_type = models.CharField(max_length=20, blank=True, editable=False)
    listed_at = models.DateTimeField(_("listed since"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["listed_name", "id"]
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")
        indexes = [
            models.Index(fields=["is_public", "listed_at"]),
            GinIndex(fields=["countries"], name="connect_pub_countries_gin"),
            GinIndex(fields=["industries"], name="connect_pub_industries_gin"),
            GinIndex(fields=["services"], name="connect_pub_services_gin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(rejection_reason=""),
                name="connect_publication_rejected_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.listed_name or self.company_name

    @property
    def is_listed(self) -> bool:
        return self.is_public and self.listed_at is not None

    @property
    def industry_labels(self) -> list[str]:
        labels = dict(Industry.choices)
        return [str(labels.get(code, code)) for code in self.industries]

    @property
    def service_labels(self) -> list[str]:
        labels = dict(ServiceType.choices)
        return [str(labels.get(code, code)) for code in self.services]

    @property
    def has_changes_to_verify(self) -> bool:
        """The working copy differs from the listed one in what staff check."""
        return (
            self.listed_at is None
            or self.company_name != self.listed_name
            or self.description != self.listed_description
            or bytes(self.logo or b"") != bytes(self.listed_logo or b"")
        )


class ConnectionRequest(models.Model):
    """A contractor from the directory asks to be let through by a provider that requires approval.

    Its contractor integration and link exist from the start (the link *awaiting approval*, so nothing
    crosses); accepting activates the link, rejecting leaves it waiting and says why. A rejected
    request may be sent again after ``connect.directory.REQUEST_COOLDOWN``. One pending request per
    provider integration and contractor account (a unique constraint decides, so two tabs give one).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    link = models.ForeignKey(ContractorLink, on_delete=models.CASCADE, related_name="requests")
    provider_integration = models.ForeignKey(
        ConnectIntegration, on_delete=models.CASCADE, related_name="connection_requests"
    )
    provider_account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    contractor_account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_message = models.TextField(_("message"), blank=True, max_length=2000)
    # A person's name, or an untranslated message (an API token: ``Origin.label``); older rows: text.
    answered_by = MessageCharField(_("answered by"), max_length=200, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("connection request")
        verbose_name_plural = _("connection requests")
        indexes = [
            models.Index(fields=["provider_account", "state"]),
            models.Index(fields=["contractor_account", "provider_integration", "-answered_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_integration", "contractor_account"],
                condition=Q(state="pending"),
                name="connect_request_one_pending",
            ),
            models.CheckConstraint(
                condition=~Q(provider_account=models.F("contractor_account")),
                name="connect_request_two_accounts",
            ),
        ]

    def __str__(self) -> str:
        return f"request #{self.pk} ({self.state})"
