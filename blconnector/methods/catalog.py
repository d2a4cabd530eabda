"""Catalog ("inventory") methods (reference §3): thin adapters over ``catalog.services``, the bulk
stock and price layer (``catalog.bulk``) and the catalog reads in ``blconnector.selectors``.

The account's Connect shared catalogs are inventories here too (``blconnector.shared_catalogs``): the
reads answer them through ``connect.shared_catalog``, every write naming one is ``ERROR_READ_ONLY``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from blconnector import selectors, shared_catalogs
from blconnector.errors import bad_parameter
from blconnector.lookups import (
    catalog_of,
    category_of,
    inventory_of,
    manufacturer_of,
    price_group_of,
    product_of,
    refuse_shared_catalog,
    warehouse_of,
)
from blconnector.params import (
    MAX_ID,
    Args,
    Bool,
    Int,
    IntList,
    Invalid,
    Number,
    Obj,
    Raw,
    Str,
    StrList,
    read_decimal,
    read_int,
)
from blconnector.registry import CATALOG_SETTINGS, DELETE, PRODUCTS, READ, WRITE, Call, method
from blconnector.render import warehouse_id, warehouse_key
from catalog import services
from catalog.bulk import STOCK_MAX, BulkItemErrors, price_set_many, stock_set_many
from catalog.models import (
    Category,
    ExtraField,
    Inventory,
    Manufacturer,
    PriceGroup,
    Tag,
    Warehouse,
)
from connect import services as connect_services
from connect.shared_catalog import SharedCatalog, shared_catalogs_for

MAX_PRODUCTS_PER_CALL = 1000


@dataclass(frozen=True)
class _Kind:
    """An account-level row the add<Thing>/delete<Thing> methods write: the parameter naming it
    (``inventory_id``), how its id is looked up (another account's id is "not found"), and the catalog
    services that save and delete it (``row`` is their keyword for it)."""

    key: str
    row: str
    lookup: Callable[[Call, Any], Any]
    save: Callable[..., Any]
    delete: Callable[..., Any]


_INVENTORY = _Kind(
    key="inventory_id",
    row="inventory",
    lookup=inventory_of,
    save=services.inventory_save,
    delete=services.inventory_delete,
)
_WAREHOUSE = _Kind(
    key="warehouse_id",
    row="warehouse",
    lookup=warehouse_of,
    save=services.warehouse_save,
    delete=services.warehouse_delete,
)
_PRICE_GROUP = _Kind(
    key="price_group_id",
    row="price_group",
    lookup=price_group_of,
    save=services.price_group_save,
    delete=services.price_group_delete,
)
_MANUFACTURER = _Kind(
    key="manufacturer_id",
    row="manufacturer",
    lookup=manufacturer_of,
    save=services.manufacturer_save,
    delete=services.manufacturer_delete,
)
_CATEGORY = _Kind(
    key="category_id",
    row="category",
    lookup=category_of,
    save=services.category_save,
    delete=services.category_delete,
)


def _add_or_change(call: Call, kind: _Kind, pk, values: Callable[[], dict] = dict) -> dict:
    """The add<Thing> methods: change the account's row ``pk`` names, or create one when ``pk`` is
    absent or 0, with ``values()`` (read after the lookup, so a missing row is reported first); answer
    its id under the kind's key."""
    found = kind.lookup(call, pk) if pk else None
    saved = kind.save(actor=call.tenant, **{kind.row: found}, **values())
    return {kind.key: saved.pk}


def _delete(call: Call, kind: _Kind, pk) -> dict:
    """The delete<Thing> methods: the service deletes the account's row ``pk`` names."""
    kind.delete(actor=call.tenant, **{kind.row: kind.lookup(call, pk)})
    return {}


# -- catalogs -----------------------------------------------------------------------------------------


@method("getInventories", area=CATALOG_SETTINGS, act=READ)
def get_inventories(call: Call, args: Args) -> dict:
    """The account's catalogs, then the Connect shared catalogs open to it ("<supplier> (Connect)")."""
    inventories = (
        Inventory.objects.filter(account=call.account)
        .order_by("id")
        .prefetch_related("warehouses", "price_groups")
    )
    return {
        "inventories": [
            {
                "inventory_id": inventory.pk,
                "name": inventory.name,
                "description": inventory.description,
                "languages": list(inventory.languages),
                "default_language": inventory.default_language,
                "price_groups": sorted(group.pk for group in inventory.price_groups.all()),
                "default_price_group": inventory.default_price_group_id,
                "warehouses": [
                    warehouse_key(w.pk) for w in sorted(inventory.warehouses.all(), key=lambda w: w.pk)
                ],
                "default_warehouse": warehouse_key(inventory.default_warehouse_id),
                # Reservations are an account setting here, so every catalog reports the same.
                "reservations": call.account.stock_reservation,
                "is_default": inventory.is_default,
            }
            for inventory in inventories
        ]
        + [shared_catalogs.inventory(catalog) for catalog in shared_catalogs_for(account=call.account)]
    }


def _warehouse_ids(name: str, keys: list[str]) -> list[int]:
    ids = []
    for index, key in enumerate(keys):
        pk = warehouse_id(key)
        if pk is None:
            raise bad_parameter(f"{name}[{index}]", _("a warehouse of this account (bl_<id>) is required."))
        ids.append(pk)
    return ids


@method(
    "addInventory",
    area=CATALOG_SETTINGS,
    act=WRITE,
    params=(
        Int("inventory_id"),
        Str("name", max_length=100),
        Str("description"),
        StrList("languages", max_length=2),
        Str("default_language", max_length=2, strip=True),
        IntList("price_groups", minimum=1),
        Int("default_price_group", minimum=1),
        StrList("warehouses", max_length=30),
        Str("default_warehouse", max_length=30, strip=True),
        Bool("reservations"),  # an account setting here (see getInventories): accepted, not per catalog
    ),
)
def add_inventory(call: Call, args: Args) -> dict:
    """Create a catalog, or change the one ``inventory_id`` names; what is not given stays."""

    def values() -> dict:
        values = args.pick(
            ("name", "description", "languages", "default_language", "price_groups", "default_price_group")
        )
        if args.given("warehouses"):
            values["warehouses"] = _warehouse_ids("warehouses", args.warehouses)
        if args.given("default_warehouse"):
            values["default_warehouse"] = _warehouse_ids("default_warehouse", [args.default_warehouse])[0]
        return values

    return _add_or_change(call, _INVENTORY, args.inventory_id, values)


@method("deleteInventory", area=CATALOG_SETTINGS, act=DELETE, params=(Int("inventory_id", required=True),))
def delete_inventory(call: Call, args: Args) -> dict:
    """Delete a catalog with its products (not the default catalog)."""
    return _delete(call, _INVENTORY, args.inventory_id)


# -- warehouses, price groups, manufacturers, tags, extra fields ------------------------------------------


@method("getInventoryWarehouses", area=CATALOG_SETTINGS, act=READ)
def get_inventory_warehouses(call: Call, args: Args) -> dict:
    """The account's warehouses (own, "bl": their stock editable anywhere), then the read-only mirror
    ("warehouse") of each Connect shared catalog's stock."""
    return {
        "warehouses": [
            {
                "warehouse_type": "bl",
                "warehouse_id": w.pk,
                "name": w.name,
                "description": w.description,
                "stock_edition": True,
                "is_default": w.is_default,
            }
            for w in Warehouse.objects.filter(account=call.account).order_by("id")
        ]
        + [shared_catalogs.warehouse(catalog) for catalog in shared_catalogs_for(account=call.account)]
    }


@method(
    "addInventoryWarehouse",
    area=CATALOG_SETTINGS,
    act=WRITE,
    params=(
        Str("warehouse_id", max_length=30, strip=True),
        Str("name", max_length=100),
        Str("description"),
        Bool("stock_edition"),  # stock is editable everywhere here: accepted, no effect
    ),
)
def add_inventory_warehouse(call: Call, args: Args) -> dict:
    refuse_shared_catalog(call, warehouse_key=args.warehouse_id)
    pk = None
    if args.warehouse_id not in (None, "", "0"):
        pk = _warehouse_ids("warehouse_id", [args.warehouse_id])[0]
    return _add_or_change(call, _WAREHOUSE, pk, lambda: args.pick(("name", "description")))


@method(
    "deleteInventoryWarehouse",
    area=CATALOG_SETTINGS,
    act=DELETE,
    params=(Str("warehouse_id", required=True, max_length=30, strip=True),),
)
def delete_inventory_warehouse(call: Call, args: Args) -> dict:
    """Delete a warehouse with its stock (not the default one, nor one a catalog defaults to)."""
    refuse_shared_catalog(call, warehouse_key=args.warehouse_id)
    pk = _warehouse_ids("warehouse_id", [args.warehouse_id])[0]
    return _delete(call, _WAREHOUSE, pk)


@method("getInventoryPriceGroups", area=CATALOG_SETTINGS, act=READ)
def get_inventory_price_groups(call: Call, args: Args) -> dict:
    """The account's price groups, then the price each Connect shared catalog shares (if it does)."""
    shared = [shared_catalogs.price_group(catalog) for catalog in shared_catalogs_for(account=call.account)]
    return {
        "price_groups": [
            {
                "price_group_id": group.pk,
                "name": group.name,
                "description": group.description,
                "currency": group.currency,
                "is_default": group.is_default,
            }
            for group in PriceGroup.objects.filter(account=call.account).order_by("id")
        ]
        + [group for group in shared if group is not None]
    }


@method(
    "addInventoryPriceGroup",
    area=CATALOG_SETTINGS,
    act=WRITE,
    params=(
        Int("price_group_id"),
        Str("name", max_length=100),
        Str("description"),
        Str("currency", max_length=3, strip=True),
    ),
)
def add_inventory_price_group(call: Call, args: Args) -> dict:
    def values() -> dict:
        values = args.pick(("name", "description"))
        if args.given("currency"):
            values["currency"] = args.currency.upper()
        return values

    return _add_or_change(call, _PRICE_GROUP, args.price_group_id, values)


@method(
    "deleteInventoryPriceGroup",
    area=CATALOG_SETTINGS,
    act=DELETE,
    params=(Int("price_group_id", required=True),),
)
def delete_inventory_price_group(call: Call, args: Args) -> dict:
    return _delete(call, _PRICE_GROUP, args.price_group_id)


@method("getInventoryManufacturers", area=CATALOG_SETTINGS, act=READ)
def get_inventory_manufacturers(call: Call, args: Args) -> dict:
    return {
        "manufacturers": [
            {"manufacturer_id": m.pk, "name": m.name}
            for m in Manufacturer.objects.filter(account=call.account).order_by("id")
        ]
    }


@method(
    "addInventoryManufacturer",
    area=CATALOG_SETTINGS,
    act=WRITE,
    params=(Int("manufacturer_id"), Str("name", max_length=200)),
)
def add_inventory_manufacturer(call: Call, args: Args) -> dict:
    return _add_or_change(call, _MANUFACTURER, args.manufacturer_id, lambda: args.pick(("name",)))


@method(
    "deleteInventoryManufacturer",
    area=CATALOG_SETTINGS,
    act=DELETE,
    params=(Int("manufacturer_id", required=True),),
)
def delete_inventory_manufacturer(call: Call, args: Args) -> dict:
    return _delete(call, _MANUFACTURER, args.manufacturer_id)


@method("getInventoryTags", area=CATALOG_SETTINGS, act=READ)
def get_inventory_tags(call: Call, args: Args) -> dict:
    return {
        "tags": [
            {"name": name}
            for name in Tag.objects.filter(account=call.account)
            .order_by("name")
            .values_list("name", flat=True)
        ]
    }


@method("getInventoryExtraFields", area=CATALOG_SETTINGS, act=READ)
def get_inventory_extra_fields(call: Call, args: Args) -> dict:
    """Values are kept in ``text_fields`` under ``extra_field_<id>``; every field is a text field here."""
    return {
        "extra_fields": [
            {
                "extra_field_id": field.pk,
                "name": field.name,
                "kind": 1 if field.kind == ExtraField.Kind.LONG else 0,
                "editor_type": "text",
            }
            for field in ExtraField.objects.filter(account=call.account).order_by("id")
        ]
    }


# -- categories ---------------------------------------------------------------------------------------


@method("getInventoryCategories", area=CATALOG_SETTINGS, act=READ, params=(Int("inventory_id"),))
def get_inventory_categories(call: Call, args: Args) -> dict:
    """The categories of one catalog, or (``inventory_id`` omitted) those shared by every catalog. A
    shared catalog's are those holding shared products, and the ones above them."""
    inventory = catalog_of(call, args.inventory_id) if args.inventory_id else None
    if isinstance(inventory, SharedCatalog):
        return {"categories": shared_catalogs.categories(inventory)}
    categories = Category.objects.filter(account=call.account, inventory=inventory).order_by("id")
    return {
        "categories": [
            {"category_id": pk, "name": name, "parent_id": parent_id or 0}
            for pk, name, parent_id in categories.values_list("id", "name", "parent_id")
        ]
    }


@method(
    "addInventoryCategory",
    area=CATALOG_SETTINGS,
    act=WRITE,
    params=(Int("inventory_id"), Int("category_id"), Str("name", max_length=200), Int("parent_id")),
)
def add_inventory_category(call: Call, args: Args) -> dict:
    def values() -> dict:
        values = args.pick(("name",))
        values["inventory"] = inventory_of(call, args.inventory_id).pk if args.inventory_id else None
        if args.given("parent_id"):
            values["parent"] = args.parent_id or 0
        return values

    return _add_or_change(call, _CATEGORY, args.category_id, values)


@method(
    "deleteInventoryCategory", area=CATALOG_SETTINGS, act=DELETE, params=(Int("category_id", required=True),)
)
def delete_inventory_category(call: Call, args: Args) -> dict:
    """Subcategories move to the top level; the products stay in the catalog without a category
    (BaseLinker deletes them)."""
    return _delete(call, _CATEGORY, args.category_id)


# -- products -----------------------------------------------------------------------------------------

_LIST_FILTERS = (
    Int("filter_id"),
    Int("filter_category_id"),
    Str("filter_ean", max_length=32, strip=True),
    Str("filter_sku", max_length=50, strip=True),
    Str("filter_asin", max_length=50, strip=True),
    Str("filter_name", max_length=200, strip=True),
    Number("filter_price_from"),
    Number("filter_price_to"),
    Int("filter_stock_from", maximum=STOCK_MAX),
    Int("filter_stock_to", maximum=STOCK_MAX),
    Str("filter_locations", max_length=20, strip=True),
)


@method(
    "getInventoryProductsList",
    area=PRODUCTS,
    act=READ,
    params=(
        Int("inventory_id", required=True),
        *_LIST_FILTERS,
        Str("filter_sort", max_length=30, strip=True),
        Int("page", minimum=1, maximum=10**6, default=1),
        Bool("include_variants", default=False),
    ),
)
def get_inventory_products_list(call: Call, args: Args) -> dict:
    """1000 products a page (a shorter page is the last); ``filter_sort`` is "id ASC" or "id DESC"."""
    inventory = catalog_of(call, args.inventory_id)
    sort = (args.filter_sort or "id ASC").lower().split()
    if sort not in (["id"], ["id", "asc"], ["id", "desc"]):
        raise bad_parameter("filter_sort", _("“id ASC” or “id DESC”."))
    options = {
        "page": args.page,
        "include_variants": args.include_variants,
        "descending": sort[-1] == "desc",
        **args.pick(param.name for param in _LIST_FILTERS),
    }
    source = (
        shared_catalogs.SharedProductList(inventory)
        if isinstance(inventory, SharedCatalog)
        else selectors.InventoryProductList(inventory)
    )
    return {"products": selectors.products_list_page(source=source, **options)}


@method(
    "getInventoryProductsData",
    area=PRODUCTS,
    act=READ,
    params=(
        Int("inventory_id", required=True),
        IntList("products", required=True, max_items=MAX_PRODUCTS_PER_CALL),
        Bool("include_erp_units", default=False),
        Bool("include_wms_units", default=False),
        Bool("include_additional_eans", default=False),
        Bool("include_suppliers", default=False),
    ),
)
def get_inventory_products_data(call: Call, args: Args) -> dict:
    """Full product objects keyed by id; ids that are not products of the catalog are left out."""
    inventory = catalog_of(call, args.inventory_id)
    # No cost layers, WMS units, additional EANs or suppliers are kept here: asked for, they are empty.
    extras: dict[str, Any] = {}
    if args.include_additional_eans:
        extras["ean_additional"] = []
    if args.include_erp_units:
        extras["stock_erp_units"] = {}
    if args.include_wms_units:
        extras["stock_wms_units"] = {}
    if args.include_suppliers:
        extras["suppliers"] = []
    if isinstance(inventory, SharedCatalog):
        return {
            "products": shared_catalogs.products_data(catalog=inventory, ids=args.products, extras=extras)
        }
    links = shared_catalogs.product_links(account=call.account, product_ids=args.products)
    return {
        "products": selectors.products_data(
            inventory=inventory, ids=args.products, extras=extras, links=links
        )
    }


@method(
    "getInventoryProductsStock",
    area=PRODUCTS,
    act=READ,
    params=(Int("inventory_id", required=True), Int("page", minimum=1, maximum=10**6, default=1)),
)
def get_inventory_products_stock(call: Call, args: Args) -> dict:
    inventory = catalog_of(call, args.inventory_id)
    if isinstance(inventory, SharedCatalog):
        return {"products": shared_catalogs.products_stock_page(catalog=inventory, page=args.page)}
    return {
        "products": selectors.products_stock_page(
            inventory=inventory, page=args.page, reservations=call.account.stock_reservation
        )
    }


@method(
    "getInventoryProductsPrices",
    area=PRODUCTS,
    act=READ,
    params=(Int("inventory_id", required=True), Int("page", minimum=1, maximum=10**6, default=1)),
)
def get_inventory_products_prices(call: Call, args: Args) -> dict:
    inventory = catalog_of(call, args.inventory_id)
    if isinstance(inventory, SharedCatalog):
        return {"products": shared_catalogs.products_prices_page(catalog=inventory, page=args.page)}
    return {"products": selectors.products_prices_page(inventory=inventory, page=args.page)}


class _Warnings(dict):
    """``warnings`` of an answer: what was skipped, keyed by the parameter (``images.3``)."""

    def add(self, key: str, message: str) -> None:
        self[key] = f"{self[key]} {message}" if key in self else message


def _map_entries(name: str, value: dict) -> list[tuple[str, Any]]:
    if not isinstance(value, dict):
        raise bad_parameter(name, _("a JSON object is required."))
    return list(value.items())


def _text_fields(inventory: Inventory, value: dict, warnings: _Warnings) -> dict[str, dict]:
    """``text_fields`` keys ``field[|lang[|source]]`` → texts per language for the catalog service."""
    texts: dict[str, dict] = {}
    for key, text in _map_entries("text_fields", value):
        field, _sep, rest = str(key).partition("|")
        language, _sep, source = rest.partition("|")
        language = language or inventory.default_language
        path = f"text_fields.{key}"
        if source:
            warnings.add(path, _("Texts for one sales channel are not kept; the value was skipped."))
            continue
        if language not in inventory.languages:
            warnings.add(
                path, _("“%(lang)s” is not one of the catalog's languages; skipped.") % {"lang": language}
            )
            continue
        values = texts.setdefault(language, {})
        if field in ("name", "description"):
            if not isinstance(text, str | int | float) or isinstance(text, bool):
                raise bad_parameter(path, _("text is required."))
            values[field] = str(text)
        elif field == "features":
            if isinstance(text, dict):
                values["features"] = [[str(k), str(v)] for k, v in text.items()]
            elif isinstance(text, list) and all(isinstance(p, list | tuple) and len(p) == 2 for p in text):
                values["features"] = [[str(k), str(v)] for k, v in text]
            else:
                raise bad_parameter(path, _("an object of feature name → value is required."))
        elif field.startswith("extra_field_") and field.removeprefix("extra_field_").isdigit():
            if isinstance(text, dict | list):
                warnings.add(path, _("File extra fields are not kept; the value was skipped."))
                continue
            values.setdefault("extra_fields", {})[field.removeprefix("extra_field_")] = (
                "" if text is None else str(text)
            )
        else:
            warnings.add(path, _("This text field is not kept here; the value was skipped."))
    return {language: values for language, values in texts.items() if values}


def _images(value: dict, warnings: _Warnings) -> dict[int, str | None]:
    images: dict[int, str | None] = {}
    for key, image in _map_entries("images", value):
        path = f"images.{key}"
        try:
            position = read_int(key, 0, 15)
        except Invalid:
            raise bad_parameter(path, _("image positions are 0 to 15."))
        if image in ("", None):
            images[position] = None
        elif isinstance(image, str) and image.startswith("url:"):
            images[position] = image.removeprefix("url:")
        elif isinstance(image, str) and image.startswith(("http://", "https://")):
            images[position] = image
        elif isinstance(image, str) and image.startswith("data:"):
            warnings.add(path, _("Uploaded image files are not stored; send the image's address as “url:…”."))
        else:
            raise bad_parameter(path, _("“url:<address>”, “data:<base64>” or “” is required."))
    return images


def _id_map(name: str, value: dict, read_value) -> dict[int, Any]:
    """``{"<id>": value}`` with ids and values read; errors name ``name.<id>``."""
    out = {}
    for key, item in _map_entries(name, value):
        try:
            pk = read_int(key, 1, 2**63 - 1)
            out[pk] = read_value(item)
        except Invalid as exc:
            raise bad_parameter(f"{name}.{key}", str(exc))
    return out


def _stock_map(value: dict, warnings: _Warnings) -> dict[int, int]:
    stock = {}
    for key, quantity in _map_entries("stock", value):
        pk = warehouse_id(key)
        if pk is None:
            warnings.add(f"stock.{key}", _("Only own warehouses (bl_<id>) take stock; skipped."))
            continue
        try:
            stock[pk] = read_int(quantity, 0, STOCK_MAX)
        except Invalid as exc:
            raise bad_parameter(f"stock.{key}", str(exc))
    return stock


def _gross(value) -> Decimal:
    return read_decimal(value, 2, Decimal(0), Decimal(10**12 - 1))


@dataclass(frozen=True)
class _LinkWanted:
    """``links.warehouse_<id>`` of addInventoryProduct: the shared catalog and the shared product
    (``product_id``, or its variant ``variant_id``); both 0 removes the product's link to it."""

    key: str
    integration_id: int
    product_id: int
    variant_id: int


def _link_wanted(value, warnings: _Warnings) -> _LinkWanted | None:
    """The one link to a Connect shared catalog ``links`` asks for; links to other storages are not
    kept (a warning)."""
    if isinstance(value, list | tuple) and not value:
        return None
    wanted = []
    for key, item in _map_entries("links", value):
        integration_id = shared_catalogs.storage_integration_id(key)
        if integration_id is None:
            warnings.add(
                f"links.{key}",
                _("Only links to a Connect supplier's shared catalog (warehouse_<id>) are kept; skipped."),
            )
            continue
        path = f"links.{key}"
        if isinstance(item, list | tuple) and not item:
            item = {}
        if not isinstance(item, dict):
            raise bad_parameter(path, _("an object with product_id and variant_id is required."))
        ids = {}
        for name in ("product_id", "variant_id"):
            try:
                ids[name] = read_int(item.get(name) or 0, 0, MAX_ID)
            except Invalid as exc:
                raise bad_parameter(f"{path}.{name}", str(exc))
        wanted.append(_LinkWanted(key=str(key), integration_id=integration_id, **ids))
    if len(wanted) > 1:
        raise bad_parameter("links", _("a product is linked to one shared catalog at most."))
    return wanted[0] if wanted else None


def _link_apply(call: Call, product, wanted: _LinkWanted) -> None:
    """Set (or, with both ids 0, remove) the product's link through Connect's own service: only a
    product the account may see in that shared catalog can be linked, and any other id — missing,
    another account's, outside the account's range — is refused alike, naming the parameter."""
    path = f"links.{wanted.key}"
    if not wanted.product_id and not wanted.variant_id:
        connect_services.product_link_clear(
            actor=call.tenant, product=product, integration_id=wanted.integration_id
        )
        return
    try:
        connect_services.product_link_set(
            actor=call.tenant,
            product=product,
            integration_id=wanted.integration_id,
            external_product_id=wanted.variant_id or wanted.product_id,
            main_product_id=wanted.product_id if wanted.variant_id and wanted.product_id else None,
        )
    except ValidationError as exc:
        errors = exc.message_dict
        if "integration" in errors:
            raise bad_parameter(path, " ".join(errors["integration"]))
        name = "variant_id" if wanted.variant_id else "product_id"
        raise bad_parameter(f"{path}.{name}", " ".join(errors.get("external_product") or exc.messages))


@method(
    "addInventoryProduct",
    area=PRODUCTS,
    act=WRITE,
    params=(
        Int("inventory_id", required=True),
        Int("product_id"),
        Int("parent_id"),
        Bool("is_bundle"),
        Str("sku", max_length=50),
        Str("ean", max_length=32),
        Str("asin", max_length=50),
        Raw("ean_additional"),
        StrList("tags", max_length=100),
        Number("tax_rate", minimum=-1, maximum=100),
        Number("weight", places=3, maximum=10**7 - 1),
        Number("height", places=3, maximum=10**7 - 1),
        Number("width", places=3, maximum=10**7 - 1),
        Number("length", places=3, maximum=10**7 - 1),
        Number("average_cost"),
        Int("star", maximum=5),
        Int("manufacturer_id"),
        Int("category_id"),
        Obj("prices"),
        Obj("stock"),
        Raw("locations"),
        Obj("text_fields"),
        Obj("images"),
        Raw("links"),
        Obj("bundle_products"),
    ),
)
def add_inventory_product(call: Call, args: Args) -> dict:
    """Create a product (``product_id`` absent, empty or 0; with ``parent_id`` a variant) or change
    the given fields of one. ``links`` with ``warehouse_<id>`` links the product to a product of that
    Connect shared catalog (replacing its link; ids 0 remove it). What cannot be kept here (ASINs,
    additional EANs, locations, links to other storages, uploaded image files, channel texts) is
    reported in ``warnings`` and the rest is saved."""
    inventory = inventory_of(call, args.inventory_id)
    product = product_of(call, args.product_id, inventory=inventory) if args.product_id else None
    warnings = _Warnings()
    for name in ("asin", "ean_additional", "locations"):
        if getattr(args, name):
            warnings.add(name, _("Not kept here; skipped."))
    link = _link_wanted(args.links, warnings) if args.links else None
    fields = args.pick(
        ("is_bundle", "sku", "ean", "tax_rate", "weight", "height", "width", "length", "average_cost", "star")
    )
    for param, field in (
        ("parent_id", "parent"),
        ("category_id", "category"),
        ("manufacturer_id", "manufacturer"),
    ):
        if args.given(param):
            fields[field] = getattr(args, param) or None
    product = services.product_write(
        actor=call.tenant,
        origin=call.origin,
        inventory=inventory,
        product=product,
        fields=fields,
        texts=_text_fields(inventory, args.text_fields, warnings) if args.text_fields else None,
        images=_images(args.images, warnings) if args.images else None,
        tags=args.tags,
        prices=_id_map("prices", args.prices, _gross) if args.prices else None,
        stock=_stock_map(args.stock, warnings) if args.stock else None,
        components=(
            _id_map("bundle_products", args.bundle_products, lambda q: read_int(q, 1, STOCK_MAX))
            if args.given("bundle_products")
            else None
        ),
    )
    if link is not None:
        _link_apply(call, product, link)
    return {"product_id": product.pk, "warnings": dict(warnings)}


@method(
    "deleteInventoryProduct",
    area=PRODUCTS,
    act=DELETE,
    # ``inventory_id`` is not needed (clients send it anyway); naming a shared catalog, it is refused.
    params=(Int("product_id", required=True), Int("inventory_id")),
)
def delete_inventory_product(call: Call, args: Args) -> dict:
    """Delete a product with its variants, or one variant."""
    refuse_shared_catalog(call, inventory_id=args.inventory_id)
    services.product_delete(actor=call.tenant, product=product_of(call, args.product_id), origin=call.origin)
    return {}


# -- stock and prices of many products ------------------------------------------------------------------


def _batch(
    call: Call,
    args: Args,
    *,
    inventory: Inventory,
    targets: set[int],
    read_target,
    read_value,
    writer,
    unknown_target: str,
) -> dict:
    """updateInventoryProducts{Stock,Prices}: ``{product id: {target: value}}`` for up to 1000 products.

    Products with any problem are left out and named in ``warnings``; the others are set in one
    set-based write (``catalog.bulk``). ``counter`` is how many products were updated.
    """
    entries = _map_entries("products", args.products)
    if len(entries) > MAX_PRODUCTS_PER_CALL:
        raise bad_parameter("products", _("at most %(n)s products per call.") % {"n": MAX_PRODUCTS_PER_CALL})
    warnings = _Warnings()
    wanted = {}
    for key, _values in entries:
        try:
            wanted[str(key)] = read_int(key, 1, 2**63 - 1)
        except Invalid:
            warnings.add(str(key), _("Not a product id."))
    known = selectors.inventory_product_ids(inventory=inventory, ids=set(wanted.values()))
    rows, owners = [], []
    for key, values in entries:
        key = str(key)
        if key not in wanted:
            continue
        if wanted[key] not in known:
            warnings.add(key, _("No such product in this catalog."))
            continue
        if isinstance(values, list) and not values:
            values = {}
        if not isinstance(values, dict):
            warnings.add(key, _("An object of values is required."))
            continue
        product_rows = []
        for target_key, value in values.items():
            target = read_target(target_key)
            if target is None or target not in targets:
                warnings.add(key, unknown_target % {"key": target_key})
                continue
            try:
                product_rows.append((wanted[key], target, read_value(value)))
            except Invalid as exc:
                warnings.add(key, f"{target_key}: {exc}")
        if key in warnings:
            continue
        rows.extend(product_rows)
        owners.extend([key] * len(product_rows))
    updated = set(owners)
    if rows:
        try:
            writer(actor=call.tenant, rows=rows, origin=call.origin)
        except BulkItemErrors as exc:
            # Only a concurrent change can get here (everything was checked above): leave those out.
            failed = {owners[index] for index in exc.errors}
            for key in failed:
                warnings.add(key, _("Changed by someone else meanwhile; not updated."))
            keep = [index for index, owner in enumerate(owners) if owner not in failed]
            if keep:
                writer(actor=call.tenant, rows=[rows[i] for i in keep], origin=call.origin)
            updated -= failed
    return {"counter": len(updated), "warnings": dict(warnings)}


@method(
    "updateInventoryProductsStock",
    area=PRODUCTS,
    act=WRITE,
    params=(Int("inventory_id", required=True), Obj("products", required=True)),
)
def update_inventory_products_stock(call: Call, args: Args) -> dict:
    """Set (not add to) the stock of products and variants: ``{id: {"bl_<warehouse>": quantity}}``."""
    inventory = inventory_of(call, args.inventory_id)
    return _batch(
        call,
        args,
        inventory=inventory,
        targets=set(inventory.warehouses.values_list("pk", flat=True)),
        read_target=warehouse_id,
        read_value=lambda value: read_int(value, 0, STOCK_MAX),
        writer=stock_set_many,
        unknown_target=_("“%(key)s” is not a warehouse of this catalog."),
    )


@method(
    "updateInventoryProductsPrices",
    area=PRODUCTS,
    act=WRITE,
    params=(Int("inventory_id", required=True), Obj("products", required=True)),
)
def update_inventory_products_prices(call: Call, args: Args) -> dict:
    """Set the gross prices of products and variants: ``{id: {"<price group>": price}}``."""
    inventory = inventory_of(call, args.inventory_id)

    def group_id(key) -> int | None:
        try:
            return read_int(key, 1, 2**63 - 1)
        except Invalid:
            return None

    return _batch(
        call,
        args,
        inventory=inventory,
        targets=set(inventory.price_groups.values_list("pk", flat=True)),
        read_target=group_id,
        read_value=_gross,
        writer=price_set_many,
        unknown_target=_("“%(key)s” is not a price group of this catalog."),
    )
