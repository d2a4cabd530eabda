"""External storage methods (reference §7): the account's Connect shared catalogs, each an external
storage of type ``warehouse`` (``storage_id`` ``"warehouse_<contractor integration id>"``, see
``blconnector.shared_catalogs``), read through ``connect.shared_catalog``.

They are read-only: ``updateExternalStorageProductsQuantity`` is answered ``ERROR_READ_ONLY`` (and is not
among a storage's ``methods``). A storage id that is not one of the account's open shared catalogs —
unknown, of another kind, another account's, behind a blocked link — is answered exactly as a missing
one. The roles are those of the shared catalog's pages and REST API (products).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from blconnector import shared_catalogs
from blconnector.errors import ApiError, Code, bad_parameter
from blconnector.lookups import read_only, storage_of
from blconnector.params import Args, Bool, Int, IntList, Number, Raw, Str
from blconnector.registry import PRODUCTS, READ, WRITE, Call, method
from catalog.bulk import STOCK_MAX
from connect.shared_catalog import shared_catalogs_for

MAX_PRODUCTS_PER_CALL = 1000
_STORAGE = Str("storage_id", required=True, max_length=40, strip=True)
_PAGE = Int("page", minimum=1, maximum=10**6, default=1)


@method("getExternalStoragesList", area=PRODUCTS, act=READ)
def get_external_storages_list(call: Call, args: Args) -> dict:
    """The Connect shared catalogs open to the account, by name, with the methods each answers."""
    return {
        "storages": [
            shared_catalogs.storage(catalog) for catalog in shared_catalogs_for(account=call.account)
        ]
    }


@method("getExternalStorageCategories", area=PRODUCTS, act=READ, params=(_STORAGE,))
def get_external_storage_categories(call: Call, args: Args) -> dict:
    """The categories holding shared products, and the ones above them."""
    catalog = storage_of(call, args.storage_id)
    return {
        "storage_id": shared_catalogs.storage_key(catalog),
        "categories": shared_catalogs.categories(catalog),
    }


_FILTERS = (
    Int("filter_id"),
    Int("filter_category_id"),
    Str("filter_sku", max_length=50, strip=True),
    Str("filter_ean", max_length=32, strip=True),
    Str("filter_asin", max_length=50, strip=True),
    Str("filter_name", max_length=200, strip=True),
    Number("filter_price_from"),
    Number("filter_price_to"),
    Int("filter_quantity_from", maximum=STOCK_MAX),
    Int("filter_quantity_to", maximum=STOCK_MAX),
    Bool("filter_available"),
)


def _sort(value: str | None) -> tuple[str, bool]:
    """``filter_sort``: ``id``, ``name``, ``quantity`` or ``price``, then ``ASC`` (default) or ``DESC``."""
    words = (value or "id ASC").lower().split()
    if (
        not 1 <= len(words) <= 2
        or words[0] not in shared_catalogs.STORAGE_SORTS
        or words[1:] not in ([], ["asc"], ["desc"])
    ):
        raise bad_parameter("filter_sort", _("“id”, “name”, “quantity” or “price”, then “ASC” or “DESC”."))
    return words[0], words[1:] == ["desc"]


@method(
    "getExternalStorageProductsList",
    area=PRODUCTS,
    act=READ,
    params=(_STORAGE, *_FILTERS, Str("filter_sort", max_length=30, strip=True), _PAGE),
)
def get_external_storage_products_list(call: Call, args: Args) -> dict:
    """Main products, 1000 a page (a shorter page is the last), as a list."""
    catalog = storage_of(call, args.storage_id)
    sort, descending = _sort(args.filter_sort)
    products = shared_catalogs.storage_products_page(
        catalog=catalog,
        page=args.page,
        sort=sort,
        descending=descending,
        **args.pick(param.name for param in _FILTERS),
    )
    return {"storage_id": shared_catalogs.storage_key(catalog), "products": products}


@method(
    "getExternalStorageProductsData",
    area=PRODUCTS,
    act=READ,
    params=(_STORAGE, IntList("products", required=True, max_items=MAX_PRODUCTS_PER_CALL)),
)
def get_external_storage_products_data(call: Call, args: Args) -> dict:
    """Products keyed by id; ids that are not shared with the account are left out."""
    catalog = storage_of(call, args.storage_id)
    return {
        "storage_id": shared_catalogs.storage_key(catalog),
        "products": shared_catalogs.storage_products_data(catalog=catalog, ids=args.products),
    }


@method("getExternalStorageProductsQuantity", area=PRODUCTS, act=READ, params=(_STORAGE, _PAGE))
def get_external_storage_products_quantity(call: Call, args: Args) -> dict:
    """The live stock of main products and their variants, 1000 main products a page."""
    catalog = storage_of(call, args.storage_id)
    return {
        "storage_id": shared_catalogs.storage_key(catalog),
        "products": shared_catalogs.storage_quantity_page(catalog=catalog, page=args.page),
    }


@method("getExternalStorageProductsPrices", area=PRODUCTS, act=READ, params=(_STORAGE, _PAGE))
def get_external_storage_products_prices(call: Call, args: Args) -> dict:
    """The shared gross prices of main products and their variants, 1000 main products a page; an error
    when the supplier shares no prices with the account."""
    catalog = storage_of(call, args.storage_id)
    if not catalog.shows_prices:
        raise ApiError(Code.PRICES_NOT_SHARED, _("This supplier shares no prices with you."))
    return {
        "storage_id": shared_catalogs.storage_key(catalog),
        "products": shared_catalogs.storage_prices_page(catalog=catalog, page=args.page),
    }


@method(
    "updateExternalStorageProductsQuantity",
    area=PRODUCTS,
    act=WRITE,
    params=(_STORAGE, Raw("products")),
)
def update_external_storage_products_quantity(call: Call, args: Args) -> dict:
    """A shared catalog's stock is the supplier's: read-only."""
    raise read_only(storage_of(call, args.storage_id))
