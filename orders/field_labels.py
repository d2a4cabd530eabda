"""How people name an order's fields and read their values (the order's timeline, messages).

The field names are BaseLinker's (``payment_done``, ``delivery_city``); pages never show them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config import formats

ORDER_FIELD_LABELS = {
    "source": gettext_lazy("Source"),
    "status": gettext_lazy("Status"),
    "date_add": gettext_lazy("Date added"),
    "confirmed": gettext_lazy("Confirmed"),
    "date_confirmed": gettext_lazy("Date confirmed"),
    "shop_order_id": gettext_lazy("Shop order number"),
    "external_order_id": gettext_lazy("External order number"),
    "user_login": gettext_lazy("Buyer login"),
    "email": gettext_lazy("E-mail"),
    "phone": gettext_lazy("Phone"),
    "user_comments": gettext_lazy("Buyer comments"),
    "admin_comments": gettext_lazy("Seller comments"),
    "currency": gettext_lazy("Currency"),
    "payment_method": gettext_lazy("Payment method"),
    "payment_method_cod": gettext_lazy("Cash on delivery"),
    "payment_done": gettext_lazy("Paid"),
    "delivery_method": gettext_lazy("Delivery method"),
    "delivery_price": gettext_lazy("Delivery price"),
    "delivery_package_module": gettext_lazy("Courier"),
    "delivery_package_nr": gettext_lazy("Tracking number"),
    "delivery_fullname": gettext_lazy("Delivery: name"),
    "delivery_company": gettext_lazy("Delivery: company"),
    "delivery_address": gettext_lazy("Delivery: street and number"),
    "delivery_city": gettext_lazy("Delivery: city"),
    "delivery_state": gettext_lazy("Delivery: region"),
    "delivery_postcode": gettext_lazy("Delivery: postcode"),
    "delivery_country_code": gettext_lazy("Delivery: country"),
    "delivery_point_id": gettext_lazy("Pickup point: id"),
    "delivery_point_name": gettext_lazy("Pickup point: name"),
    "delivery_point_address": gettext_lazy("Pickup point: address"),
    "delivery_point_postcode": gettext_lazy("Pickup point: postcode"),
    "delivery_point_city": gettext_lazy("Pickup point: city"),
    "invoice_fullname": gettext_lazy("Invoice: name"),
    "invoice_company": gettext_lazy("Invoice: company"),
    "invoice_nip": gettext_lazy("Invoice: VAT number"),
    "invoice_address": gettext_lazy("Invoice: street and number"),
    "invoice_city": gettext_lazy("Invoice: city"),
    "invoice_state": gettext_lazy("Invoice: region"),
    "invoice_postcode": gettext_lazy("Invoice: postcode"),
    "invoice_country_code": gettext_lazy("Invoice: country"),
    "want_invoice": gettext_lazy("Invoice wanted"),
    "extra_field_1": gettext_lazy("Extra field 1"),
    "extra_field_2": gettext_lazy("Extra field 2"),
    "custom_extra_fields": gettext_lazy("Extra fields"),
    "star": gettext_lazy("Star"),
}

LINE_FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "sku": gettext_lazy("SKU"),
    "ean": gettext_lazy("EAN"),
    "attributes": gettext_lazy("Attributes"),
    "price_brutto": gettext_lazy("Gross price"),
    "tax_rate": gettext_lazy("VAT rate"),
    "quantity": gettext_lazy("Quantity"),
    "weight": gettext_lazy("Weight"),
    "warehouse": gettext_lazy("Warehouse"),
    "product": gettext_lazy("Product"),
}

MONEY_FIELDS = {"payment_done", "delivery_price", "price_brutto"}
YES_NO_FIELDS = {"confirmed", "payment_method_cod", "want_invoice"}
DATE_FIELDS = {"date_add", "date_confirmed"}


def field_label(name: str, *, line: bool = False) -> str:
    """The human name of an order field (or of an order line's, with ``line``)."""
    labels = LINE_FIELD_LABELS if line else ORDER_FIELD_LABELS
    label = labels.get(name) or ORDER_FIELD_LABELS.get(name) or LINE_FIELD_LABELS.get(name)
    return str(label) if label else name.replace("_", " ").capitalize()


def field_value(name: str, value, *, currency: str, extra_field_names: dict[str, str] | None = None) -> str:
    """A journaled value as people read it: money in the order's currency, yes/no, local dates."""
    if value is None or value == "" or value == {}:
        return "—"
    if name in MONEY_FIELDS:
        return formats.format_money(value, currency)
    if name in YES_NO_FIELDS or isinstance(value, bool):
        return _("yes") if value in (True, "True", "true", 1) else _("no")
    if name in DATE_FIELDS:
        from django.utils.dateparse import parse_datetime

        moment = parse_datetime(str(value))
        return formats.format_datetime(moment) if moment else str(value)
    if name in {"tax_rate"}:
        return formats.format_percent(value)
    if name in {"quantity", "weight"}:
        return formats.format_number(value)
    if name == "custom_extra_fields" and isinstance(value, dict):
        names = extra_field_names or {}
        return ", ".join(f"{names.get(str(key), key)}: {item}" for key, item in value.items()) or "—"
    return str(value)
