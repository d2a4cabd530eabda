"""The catalog: BaseLinker's inventory model (reference §2.1), scoped to an account.

Account-level dictionaries (warehouses, price groups, manufacturers, tags, extra fields), catalogs
("inventories") that choose among them, a category tree, and products — a variant is a product with a
parent and stands wherever a product can — with texts per language, ordered images, bundle components,
stock per warehouse and price per price group.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import currency_choices
from config.stored_messages import MessageCharField, MessageTextField

MONEY = {"max_digits": 14, "decimal_places": 2}
MEASURE = {"max_digits": 10, "decimal_places": 3, "default": 0, "validators": [MinValueValidator(0)]}


class Warehouse(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="warehouses")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="catalog_warehouse_name_unique"),
            models.UniqueConstraint(
                fields=["account"], condition=Q(is_default=True), name="catalog_warehouse_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceGroup(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="price_groups")
    name = models.CharField(_("name"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3, choices=currency_choices)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="catalog_pricegroup_name_unique"),
            models.UniqueConstraint(
                fields=["account"], condition=Q(is_default=True), name="catalog_pricegroup_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class Manufacturer(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="manufacturers")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="catalog_manufacturer_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="catalog_tag_unique")]

    def __str__(self) -> str:
        return self.name


class ExtraField(models.Model):
    class Kind(models.TextChoices):
        SHORT = "short", _("Short text")
        LONG = "long", _("Long text")

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="product_extra_fields"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.SHORT)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="catalog_extrafield_unique")]

    def __str__(self) -> str:
        return self.name


class Inventory(models.Model):
    """A catalog: the languages its texts come in, and which warehouses and price groups it uses."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="inventories")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    languages = ArrayField(models.CharField(max_length=2), default=list, verbose_name=_("languages"))
    default_language = models.CharField(_("default language"), max_length=2, default="en")
    warehouses = models.ManyToManyField(Warehouse, related_name="inventories", blank=True)
    price_groups = models.ManyToManyField(PriceGroup, related_name="inventories", blank=True)
    default_warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    default_price_group = models.ForeignKey(PriceGroup, on_delete=models.PROTECT, related_name="+")
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("catalog")
        verbose_name_plural = _("catalogs")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="catalog_inventory_name_unique"),
            models.UniqueConstraint(
                fields=["account"], condition=Q(is_default=True), name="catalog_inventory_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A category of one catalog, or of the whole account when ``inventory`` is empty; a tree."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="categories")
    inventory = models.ForeignKey(
        Inventory, null=True, blank=True, on_delete=models.CASCADE, related_name="categories"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name_plural = _("categories")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product, or a variant of one (``parent`` set). SKUs are unique within a catalog."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="products")
    inventory = models.ForeignKey(Inventory, on_delete=models.CASCADE, related_name="products")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="variants"
    )
    sku = models.CharField(_("SKU"), max_length=50, blank=True)
    ean = models.CharField(_("EAN"), max_length=32, blank=True)
    tax_rate = models.DecimalField(
        _("tax rate"), max_digits=5, decimal_places=2, default=23, validators=[MinValueValidator(-1)]
    )
    weight = models.DecimalField(_("weight (kg)"), **MEASURE)
    height = models.DecimalField(_("height (cm)"), **MEASURE)
    width = models.DecimalField(_("width (cm)"), **MEASURE)
    length = models.DecimalField(_("length (cm)"), **MEASURE)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    manufacturer = models.ForeignKey(
        Manufacturer, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")
    star = models.PositiveSmallIntegerField(_("star"), default=0, validators=[MaxValueValidator(5)])
    average_cost = models.DecimalField(
        _("average cost"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    is_bundle = models.BooleanField(_("bundle"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inventory", "sku"], condition=~Q(sku=""), name="catalog_product_sku_unique"
            ),
        ]
        indexes = [models.Index(fields=["account", "ean"]), models.Index(fields=["account", "sku"])]

    def __str__(self) -> str:
        return self.sku or f"#{self.pk}"


class ProductText(models.Model):
    """Name, description, features (name–value pairs) and extra field values in one language."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=2)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    features = models.JSONField(_("features"), default=list, blank=True)
    extra_fields = models.JSONField(_("extra field values"), default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "language"], name="catalog_text_unique")]

    def __str__(self) -> str:
        return self.name

    # Rows written before the API checked these shapes may hold anything; pages and the API read them
    # through these.
    @staticmethod
    def pairs_of(features) -> list[tuple[str, str]]:
        """``features`` as (name, value) pairs, skipping entries that are not a pair."""
        if not isinstance(features, list):
            return []
        return [
            (str(item[0]), str(item[1])) for item in features if isinstance(item, list) and len(item) == 2
        ]

    @staticmethod
    def texts_of(extra_fields) -> dict[str, str]:
        """``extra_fields`` as extra field id → text ({} when it is not an object)."""
        if not isinstance(extra_fields, dict):
            return {}
        return {str(key): "" if value is None else str(value) for key, value in extra_fields.items()}

    def feature_pairs(self) -> list[tuple[str, str]]:
        return self.pairs_of(self.features)

    def extra_field_values(self) -> dict[str, str]:
        return self.texts_of(self.extra_fields)


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=0)
    url = models.URLField(max_length=1000)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.url


class BundleComponent(models.Model):
    bundle = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="in_bundles")
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="catalog_bundle_component_unique"),
            models.CheckConstraint(
                condition=~Q(bundle=models.F("component")), name="catalog_bundle_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.component}"


class Stock(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock")
    quantity = models.IntegerField(_("quantity"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="catalog_stock_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="catalog_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product} @ {self.warehouse}: {self.quantity}"


class Price(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    price_group = models.ForeignKey(PriceGroup, on_delete=models.CASCADE, related_name="prices")
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "price_group"], name="catalog_price_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="catalog_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product} @ {self.price_group}: {self.amount}"


class ProductLink(models.Model):
    """A product tied to its counterpart in an external storage (reference §3: ``storage``).

    Today the only external storage is a Connect supplier's shared catalog: ``storage`` is
    ``"connect"`` and ``storage_id`` the contractor's Connect integration id (catalog never imports
    ``connect``; the pair is how BaseLinker names an external storage). ``external_product`` is the
    provider's product; ``external_id`` keeps its id after the provider deletes it, so the link can
    say "no longer shared" instead of vanishing. Stock and price sync and order-line matching read
    these rows; ``connect`` writes them. A product has at most one link.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="external_link")
    storage = models.CharField(max_length=20, default="connect")
    storage_id = models.PositiveBigIntegerField()
    external_product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="linked_copies"
    )
    external_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    unshared_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the provider stopped sharing the product.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["storage", "storage_id", "external_id"], name="catalog_productlink_once_per_storage"
            ),
        ]
        indexes = [
            models.Index(fields=["external_product"]),
            models.Index(fields=["account", "storage", "storage_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ← {self.storage}:{self.storage_id}/{self.external_id}"


def _import_upload_to(job: ImportJob, filename: str) -> str:
    return f"imports/{job.account_id}/{filename}"


class ImportJob(models.Model):
    """A CSV import into one catalog, run by a Celery task; its progress and per-row report.

    ``errors`` keeps the first ``ERRORS_KEPT`` problems as ``[row, column, message]`` lists (row 1 is the
    header line; a Connect import's rows are the supplier's product ids and its messages are kept
    untranslated, ``config.stored_messages``); ``error_count`` is the total. A Connect import counts
    every product it read once: ``total_rows`` = created + updated + unchanged + ``error_count`` (the
    products with problems), plus ``not_imported_count`` when its problems stopped it writing anything.
    """

    ERRORS_KEPT = 1000

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="import_jobs")
    inventory = models.ForeignKey(
        Inventory, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("catalog")
    )
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who started the import (``changes.origin.Origin``): its change events carry it.
    origin_kind = models.CharField(max_length=20, blank=True)
    origin_id = models.BigIntegerField(null=True, blank=True)
    origin_label = MessageCharField(max_length=200, blank=True)
    # Where the products come from: a CSV file, or an external storage (a Connect supplier's shared
    # catalog: ``source_id`` is the saved import that ran, ``source_label`` names the supplier).
    source = models.CharField(_("source"), max_length=20, default="csv")
    source_id = models.BigIntegerField(null=True, blank=True)
    source_label = MessageCharField(_("from"), max_length=200, blank=True)  # untranslated; older rows: text
    file = models.FileField(_("file"), upload_to=_import_upload_to, max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    valid_rows_only = models.BooleanField(_("import the valid rows"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    message = MessageTextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.title} → {self.inventory}"

    @property
    def title(self) -> str:
        """What is imported, in words: the file name, or the supplier."""
        if self.source != "csv":
            return str(self.source_label)
        return self.file_name or self.file.name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def outcome(self) -> tuple[str, str]:
        """How the import ended, in words, and its badge kind: a finished import that wrote nothing is
        not "Done"."""
        if self.status == self.Status.DONE:
            wrote = self.created_count + self.updated_count
            if self.error_count and not wrote:
                return str(_("Nothing imported")), "bad"
            if self.error_count:
                return str(_("Partly imported")), "warn"
            return str(self.Status.DONE.label), "ok"
        if self.status == self.Status.FAILED:
            return str(self.Status.FAILED.label), "bad"
        return str(self.get_status_display()), "info"

    @property
    def not_imported_count(self) -> int:
        """A finished Connect import's rows that were neither written nor a problem: the valid products
        an import without "import the valid rows" left out because others had problems."""
        if self.source == "csv" or self.status != self.Status.DONE:
            return 0
        counted = self.created_count + self.updated_count + self.unchanged_count + self.error_count
        return max(0, self.total_rows - counted)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
