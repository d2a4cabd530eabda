"""REST API of the catalog: warehouses, price groups, catalogs and products with texts, stock and prices."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts import roles
from accounts.api_base import AccountScopedRelatedField, AccountScopedViewSet
from catalog import services
from catalog.filters import CategoryFilter, ProductFilter
from catalog.models import (
    BundleComponent,
    Category,
    ExtraField,
    Inventory,
    Manufacturer,
    Price,
    PriceGroup,
    Product,
    ProductImage,
    ProductText,
    Stock,
    Tag,
    Warehouse,
)
from changes.origin import Origin
from config import fields
from config.api import api_validation_error


class WarehouseSerializer(fields.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "name", "description", "is_default"]
        read_only_fields = ["id", "is_default"]


class PriceGroupSerializer(fields.ModelSerializer):
    class Meta:
        model = PriceGroup
        fields = ["id", "name", "currency", "description", "is_default"]
        read_only_fields = ["id", "is_default"]


class InventorySerializer(fields.ModelSerializer):
    warehouses = AccountScopedRelatedField(queryset=Warehouse.objects.all(), many=True)
    price_groups = AccountScopedRelatedField(queryset=PriceGroup.objects.all(), many=True)
    default_warehouse = AccountScopedRelatedField(queryset=Warehouse.objects.all())
    default_price_group = AccountScopedRelatedField(queryset=PriceGroup.objects.all())
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[a-z]{2}\Z"), allow_empty=False, max_length=50
    )

    class Meta:
        model = Inventory
        fields = [
            "id",
            "name",
            "description",
            "languages",
            "default_language",
            "warehouses",
            "price_groups",
            "default_warehouse",
            "default_price_group",
            "is_default",
        ]
        read_only_fields = ["id", "is_default"]

    def validate_languages(self, languages):
        if len(set(languages)) != len(languages):
            raise serializers.ValidationError(_("Give each language once."))
        return languages

    def validate(self, attrs):
        languages = attrs.get("languages", getattr(self.instance, "languages", []))
        if attrs.get("default_language", getattr(self.instance, "default_language", None)) not in languages:
            raise serializers.ValidationError(
                {"default_language": "The default language must be one of the languages."}
            )
        warehouses = attrs.get("warehouses")
        if warehouses is not None and attrs.get("default_warehouse") not in (None, *warehouses):
            raise serializers.ValidationError(
                {"default_warehouse": "Must be one of the catalog's warehouses."}
            )
        price_groups = attrs.get("price_groups")
        if price_groups is not None and attrs.get("default_price_group") not in (None, *price_groups):
            raise serializers.ValidationError(
                {"default_price_group": "Must be one of the catalog's price groups."}
            )
        return attrs


class ManufacturerSerializer(fields.ModelSerializer):
    class Meta:
        model = Manufacturer
        fields = ["id", "name"]
        validators = []


class TagSerializer(fields.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]
        validators = []


class ExtraFieldSerializer(fields.ModelSerializer):
    class Meta:
        model = ExtraField
        fields = ["id", "name", "kind"]
        validators = []


class CategorySerializer(fields.ModelSerializer):
    inventory = AccountScopedRelatedField(queryset=Inventory.objects.all(), required=False, allow_null=True)
    parent = AccountScopedRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Category
        fields = ["id", "inventory", "parent", "name"]

    def validate(self, attrs):
        inventory = attrs.get("inventory", getattr(self.instance, "inventory", None))
        parent = attrs.get("parent", getattr(self.instance, "parent", None))
        if parent is not None:
            if parent.inventory_id != (inventory.pk if inventory else None):
                raise serializers.ValidationError({"parent": "The parent must be in the same catalog."})
            node = parent
            while node is not None:
                if self.instance is not None and node.pk == self.instance.pk:
                    raise serializers.ValidationError({"parent": "A category cannot be inside itself."})
                node = node.parent
        return attrs


class ImageSerializer(fields.NestedRowSerializer):
    always_required = ("url",)
    url = fields.UriReferenceField(max_length=1000)

    class Meta:
        model = ProductImage
        fields = ["position", "url"]


class ComponentSerializer(fields.NestedRowSerializer):
    component = AccountScopedRelatedField(queryset=Product.objects.all())
    quantity = fields.IntegerField(min_value=1)
    always_required = ("component", "quantity")

    class Meta:
        model = BundleComponent
        fields = ["component", "quantity"]


class _FeaturesField(serializers.ListField):
    def to_representation(self, data):
        # Rows stored before the shape was checked are shown as far as they can be read.
        return [list(pair) for pair in ProductText.pairs_of(data)]


class _ExtraFieldValuesField(serializers.DictField):
    def to_representation(self, value):
        return ProductText.texts_of(value)


class TextSerializer(fields.NestedRowSerializer):
    features = _FeaturesField(
        child=serializers.ListField(
            child=serializers.CharField(max_length=1000, allow_blank=True), min_length=2, max_length=2
        ),
        required=False,
        max_length=500,
        help_text="Name–value pairs: [[name, value], …].",
    )
    extra_fields = _ExtraFieldValuesField(
        child=serializers.CharField(allow_blank=True, max_length=10000),
        required=False,
        help_text="The account's product extra field id → value.",
    )
    always_required = ("language",)

    class Meta:
        model = ProductText
        fields = ["language", "name", "description", "features", "extra_fields"]

    def validate_extra_fields(self, values):
        known = {
            str(pk)
            for pk in ExtraField.objects.filter(account=self.context.get("account")).values_list(
                "pk", flat=True
            )
        }
        unknown = sorted(key for key in values if key not in known)
        if unknown:
            raise serializers.ValidationError(
                _("Not one of this account's extra fields: %(keys)s.") % {"keys": ", ".join(unknown)}
            )
        return values


class StockSerializer(fields.NestedRowSerializer):
    warehouse = AccountScopedRelatedField(queryset=Warehouse.objects.all())
    quantity = fields.IntegerField(min_value=0)
    always_required = ("warehouse", "quantity")

    class Meta:
        model = Stock
        fields = ["warehouse", "quantity"]


class PriceSerializer(fields.NestedRowSerializer):
    price_group = AccountScopedRelatedField(queryset=PriceGroup.objects.all())
    amount = fields.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    always_required = ("price_group", "amount")

    class Meta:
        model = Price
        fields = ["price_group", "amount"]


class ProductSerializer(fields.ModelSerializer):
    inventory = AccountScopedRelatedField(queryset=Inventory.objects.all())
    parent = AccountScopedRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    category = AccountScopedRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    manufacturer = AccountScopedRelatedField(
        queryset=Manufacturer.objects.all(), required=False, allow_null=True
    )
    tags = AccountScopedRelatedField(queryset=Tag.objects.all(), many=True, required=False)
    texts = TextSerializer(many=True, required=False)
    images = ImageSerializer(many=True, required=False)
    components = ComponentSerializer(many=True, required=False)
    stock = StockSerializer(many=True, required=False)
    prices = PriceSerializer(many=True, required=False)
    variants = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "inventory",
            "parent",
            "sku",
            "ean",
            "tax_rate",
            "weight",
            "height",
            "width",
            "length",
            "star",
            "average_cost",
            "is_bundle",
            "category",
            "manufacturer",
            "tags",
            "texts",
            "images",
            "components",
            "stock",
            "prices",
            "variants",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "variants", "created_at", "updated_at"]
        validators = []  # SKU uniqueness is checked in validate() with a message on the field

    def validate(self, attrs):
        inventory = attrs.get("inventory", getattr(self.instance, "inventory", None))
        sku = attrs.get("sku", getattr(self.instance, "sku", ""))
        if sku and inventory is not None:
            clash = Product.objects.filter(inventory=inventory, sku=sku)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(
                    {"sku": "A product with this SKU already exists in the catalog."}
                )
        parent = attrs.get("parent")
        if parent is not None and (parent.parent_id is not None or parent.inventory_id != inventory.pk):
            raise serializers.ValidationError(
                {"parent": "A variant's parent must be a main product of the same catalog."}
            )
        languages = {text["language"] for text in attrs.get("texts", [])}
        if len(languages) != len(attrs.get("texts", [])):
            raise serializers.ValidationError({"texts": "One text per language."})
        category = attrs.get("category")
        if category is not None and category.inventory_id not in (None, inventory.pk):
            raise serializers.ValidationError({"category": "The category belongs to another catalog."})
        components = attrs.get("components")
        if components:
            ids = [c["component"].pk for c in components]
            if len(set(ids)) != len(ids):
                raise serializers.ValidationError({"components": "Each component once."})
            if self.instance is not None and self.instance.pk in ids:
                raise serializers.ValidationError({"components": "A bundle cannot contain itself."})
            if not attrs.get("is_bundle", getattr(self.instance, "is_bundle", False)):
                raise serializers.ValidationError({"components": "Only a bundle (is_bundle) has components."})
        return attrs

    NESTED = ("texts", "stock", "prices", "images", "components")

    def create(self, validated_data):
        # perform_create passes the request's account in validated_data.
        return self._save(Product(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, product: Product, validated_data: dict) -> Product:
        """Texts, stock and prices given are set; those not given stay. Images and components are lists:
        what is given replaces what was there."""
        nested = {key: validated_data.pop(key) for key in self.NESTED if key in validated_data}
        tags = validated_data.pop("tags", None)
        for name, value in validated_data.items():
            setattr(product, name, value)
        texts = {}
        for text in nested.get("texts", []):
            values = dict(text)
            texts[values.pop("language")] = values
        return services.product_save(
            actor=self.context["tenant"],
            product=product,
            origin=Origin.of_tenant(self.context["tenant"]),
            texts=texts,
            images=[dict(row) for row in nested["images"]] if "images" in nested else None,
            tags=tags,
            stock=[(row["warehouse"].pk, row["quantity"]) for row in nested.get("stock", [])],
            prices=[(row["price_group"].pk, row["amount"]) for row in nested.get("prices", [])],
            components=(
                [(row["component"], row["quantity"]) for row in nested["components"]]
                if "components" in nested
                else None
            ),
        )


class SettingsViewSet(AccountScopedViewSet):
    """Account-level catalog settings: the serializer reads the request, ``catalog.services`` writes — the
    same services the settings pages and ``/connector.php`` call, with the request's actor, so the same
    rules and roles hold. ``writers`` names the row's keyword and its save and delete services."""

    area = roles.CATALOG_SETTINGS
    ordering_fields = ["name", "id"]
    writers: tuple[str, Callable, Callable]

    def save_values(self, validated: dict) -> dict:
        """The service's keyword arguments for the serializer's validated data."""
        return validated

    def perform_create(self, serializer):
        self._save(serializer, None)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def _save(self, serializer, instance):
        keyword, save, _delete = self.writers
        values = self.save_values(dict(serializer.validated_data))
        values.pop("account", None)
        try:
            serializer.instance = save(actor=self.tenant, **{keyword: instance}, **values)
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc

    def perform_destroy(self, instance):
        keyword, _save, delete = self.writers
        try:
            delete(actor=self.tenant, **{keyword: instance})
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc


class NamedViewSet(SettingsViewSet):
    """Account-level names (manufacturers, tags, extra fields): unique per account, 400 on a clash."""

    search_fields = ["name"]


class ManufacturerViewSet(NamedViewSet):
    queryset = Manufacturer.objects.all()
    serializer_class = ManufacturerSerializer
    writers = ("manufacturer", services.manufacturer_save, services.manufacturer_delete)


class TagViewSet(NamedViewSet):
    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    writers = ("tag", services.tag_save, services.tag_delete)


class ExtraFieldViewSet(NamedViewSet):
    queryset = ExtraField.objects.all()
    serializer_class = ExtraFieldSerializer
    writers = ("extra_field", services.extra_field_save, services.extra_field_delete)


class CategoryViewSet(SettingsViewSet):
    """The category tree of each catalog (``inventory``); filter with ``?inventory=`` and ``?parent=``.
    A category stays in the catalog it was created in; deleting one deletes its subcategories."""

    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    filterset_class = CategoryFilter
    writers = (
        "category",
        services.category_save,
        partial(services.category_delete, with_subcategories=True),
    )

    def save_values(self, validated: dict) -> dict:
        values = {}
        if "name" in validated:
            values["name"] = validated["name"]
        if validated.get("inventory") is not None:
            values["inventory"] = validated["inventory"].pk
        if "parent" in validated:
            # 0: the top level (None would leave a changed category's parent as it is).
            values["parent"] = validated["parent"].pk if validated["parent"] is not None else 0
        return values


class WarehouseViewSet(SettingsViewSet):
    """The default warehouse, and one a catalog defaults to, cannot be deleted."""

    queryset = Warehouse.objects.all()
    serializer_class = WarehouseSerializer
    writers = ("warehouse", services.warehouse_save, services.warehouse_delete)


class PriceGroupViewSet(SettingsViewSet):
    """The default price group, and one a catalog defaults to, cannot be deleted."""

    queryset = PriceGroup.objects.all()
    serializer_class = PriceGroupSerializer
    writers = ("price_group", services.price_group_save, services.price_group_delete)


class InventoryViewSet(SettingsViewSet):
    """Catalogs; the default catalog cannot be deleted."""

    queryset = Inventory.objects.prefetch_related("warehouses", "price_groups")
    serializer_class = InventorySerializer
    writers = ("inventory", services.inventory_save, services.inventory_delete)

    def save_values(self, validated: dict) -> dict:
        values = dict(validated)
        for name in ("warehouses", "price_groups"):
            if name in values:
                values[name] = [row.pk for row in values[name]]
        for name in ("default_warehouse", "default_price_group"):
            if name in values:
                values[name] = values[name].pk
        return values


class ProductViewSet(AccountScopedViewSet):
    """Products and variants with their texts, stock per warehouse and price per price group.

    Writing ``texts``, ``stock`` or ``prices`` sets the rows given and leaves the others alone.
    """

    area = roles.PRODUCTS
    queryset = Product.objects.prefetch_related(
        "texts",
        "tags",
        "images",
        "components",
        Prefetch("stock", queryset=Stock.objects.order_by("warehouse_id")),
        Prefetch("prices", queryset=Price.objects.order_by("price_group_id")),
        Prefetch("variants", queryset=Product.objects.only("id", "parent_id")),
    )
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    ordering_fields = ["id", "sku", "created_at", "updated_at"]

    def perform_destroy(self, instance):
        services.product_delete(actor=self.tenant, product=instance, origin=Origin.of_tenant(self.tenant))
