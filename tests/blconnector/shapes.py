"""Type checks of BaseLinker's documented fields (reference §3–§6)."""

from __future__ import annotations

INT, FLOAT, STR, BOOL, OBJ, LIST = "int", "float", "str", "bool", "object", "list"


def _is(value, kind: str) -> bool:
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == FLOAT:  # a JSON number: 49.9, or 0 (floats without a fraction may print as integers)
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == STR:
        return isinstance(value, str)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == OBJ:
        return isinstance(value, dict)
    if kind == LIST:
        return isinstance(value, list)
    raise ValueError(kind)


def assert_shape(value: dict, shape: dict[str, str], *, exact: bool = False) -> None:
    """Every field of ``shape`` is in ``value`` with its type (``exact``: and no other field)."""
    assert isinstance(value, dict), value
    missing = sorted(set(shape) - set(value))
    assert not missing, f"missing fields {missing} in {value}"
    wrong = {name: value[name] for name, kind in shape.items() if not _is(value[name], kind)}
    assert not wrong, f"wrong types {wrong} (want {[shape[n] for n in wrong]})"
    if exact:
        assert set(value) == set(shape), sorted(set(value) - set(shape))


def assert_keyed(value, shape: dict[str, str] | None = None) -> None:
    """A keyed collection: a JSON object whose keys are ids (digit strings)."""
    assert isinstance(value, dict), f"a keyed collection must be an object, got {value!r}"
    for key, item in value.items():
        assert isinstance(key, str) and key.isdigit(), key
        if shape is not None:
            assert_shape(item, shape)


ORDER = {
    "order_id": INT,
    "shop_order_id": INT,
    "external_order_id": STR,
    "order_source": STR,
    "order_source_id": INT,
    "order_source_info": STR,
    "order_status_id": INT,
    "confirmed": BOOL,
    "date_confirmed": INT,
    "date_add": INT,
    "date_in_status": INT,
    "user_login": STR,
    "phone": STR,
    "email": STR,
    "user_comments": STR,
    "admin_comments": STR,
    "currency": STR,
    "payment_method": STR,
    "payment_method_cod": STR,
    "payment_done": FLOAT,
    "delivery_method_id": INT,
    "delivery_method": STR,
    "delivery_price": FLOAT,
    "delivery_package_module": STR,
    "delivery_package_nr": STR,
    "delivery_fullname": STR,
    "delivery_company": STR,
    "delivery_address": STR,
    "delivery_city": STR,
    "delivery_state": STR,
    "delivery_postcode": STR,
    "delivery_country_code": STR,
    "delivery_point_id": STR,
    "delivery_point_name": STR,
    "delivery_point_address": STR,
    "delivery_point_postcode": STR,
    "delivery_point_city": STR,
    "invoice_fullname": STR,
    "invoice_company": STR,
    "invoice_nip": STR,
    "invoice_address": STR,
    "invoice_city": STR,
    "invoice_state": STR,
    "invoice_postcode": STR,
    "invoice_country_code": STR,
    "want_invoice": STR,
    "extra_field_1": STR,
    "extra_field_2": STR,
    "order_page": STR,
    "pick_state": INT,
    "pack_state": INT,
    "delivery_country": STR,
    "invoice_country": STR,
    "star": INT,
    "crm_client_id": INT,
    "products": LIST,
}

ORDER_LINE = {
    "storage": STR,
    "storage_id": INT,
    "order_product_id": INT,
    "product_id": STR,
    "variant_id": STR,
    "name": STR,
    "attributes": STR,
    "sku": STR,
    "ean": STR,
    "location": STR,
    "warehouse_id": INT,
    "auction_id": STR,
    "price_brutto": FLOAT,
    "tax_rate": FLOAT,
    "quantity": INT,
    "weight": FLOAT,
    "bundle_id": INT,
}

INVENTORY_PRODUCT = {
    "is_bundle": BOOL,
    "parent_id": INT,
    "sku": STR,
    "ean": STR,
    "asin": STR,
    "tags": LIST,
    "tax_rate": FLOAT,
    "weight": FLOAT,
    "height": FLOAT,
    "width": FLOAT,
    "length": FLOAT,
    "star": INT,
    "category_id": INT,
    "manufacturer_id": INT,
    "prices": OBJ,
    "stock": OBJ,
    "locations": OBJ,
    "average_cost": FLOAT,
    "text_fields": OBJ,
    "images": OBJ,
    "links": OBJ,
    "bundle_products": OBJ,
    "variants": OBJ,
}

PACKAGE = {
    "package_id": INT,
    "courier_package_nr": STR,
    "courier_inner_number": STR,
    "courier_code": STR,
    "courier_other_name": STR,
    "account_id": INT,
    "tracking_status_date": INT,
    "tracking_delivery_days": INT,
    "tracking_status": INT,
    "package_type": INT,
    "tracking_url": STR,
    "is_return": BOOL,
}
