"""Field mapping between Hurtlink and Ongoing WMS (seed 002's two tables; API reference §11).

Articles — one per variant, and one per product without variants (a product that has variants is
only their container). Each item uses its own SKU, id and EAN ("Variant ⇒ Sku or Product ⇒ Sku"):
falling back to the parent's SKU or EAN would give several articles the same number or barcode.

========================  =========================================================  ==================
Ongoing (PostArticleModel) Hurtlink                                                   rule
========================  =========================================================  ==================
articleNumber             item SKU                                                   required; no SKU →
                                                                                     skipped, reported
articleName               parent name + " " + variant name (product name alone)      default language
productCode               item id                                                    as text
barCodeInfo.barCode       item EAN                                                   omitted when empty
weight/height/width/      item's value, a variant without one takes the parent's     kg / cm
length
description               item's description, a variant without one the parent's     default language
isStockArticle            true
========================  =========================================================  ==================

Orders — see :func:`order_payload`. ``orderNumber`` is the Hurtlink order id, the upsert key, so a
repeated write updates the same WMS order and never creates a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

# Changing the mapping? Bump this: every article's hash changes and all are written again once.
ARTICLE_MAPPING_VERSION = "a1"
NAME_MAX = 200


@dataclass(frozen=True)
class ArticleRow:
    """The mapped values of one catalog item, as the articles query returns them."""

    product_id: int
    article_number: str
    article_name: str
    product_code: str
    barcode: str
    weight: Decimal
    height: Decimal
    width: Decimal
    length: Decimal
    description: str
    payload_hash: str


def article_payload(row: ArticleRow) -> dict[str, Any]:
    """PostArticleModel for one item (``goodsOwnerId`` is added by the client)."""
    payload: dict[str, Any] = {
        "articleNumber": row.article_number,
        "articleName": row.article_name,
        "productCode": row.product_code,
        "weight": row.weight,
        "height": row.height,
        "width": row.width,
        "length": row.length,
        "description": row.description,
        "isStockArticle": True,
    }
    if row.barcode:
        payload["barCodeInfo"] = {"barCode": row.barcode}
    return payload


# The mapped values computed in SQL, so that the hash of 100,000 products is one set-based query and
# only changed items travel to Python. ``p`` = the item, ``pp`` = its parent (NULL for a product),
# ``t``/``pt`` = their texts in the catalog's default language (falling back to any language).
ARTICLE_COLUMNS_SQL = f"""
    p.id AS product_id,
    p.sku AS article_number,
    left(CASE WHEN p.parent_id IS NULL THEN coalesce(t.name, '')
              ELSE btrim(coalesce(pt.name, '') || ' ' || coalesce(t.name, '')) END,
         {NAME_MAX}) AS article_name,
    p.id::text AS product_code,
    p.ean AS barcode,
    CASE WHEN p.weight = 0 AND pp.id IS NOT NULL THEN pp.weight ELSE p.weight END AS weight,
    CASE WHEN p.height = 0 AND pp.id IS NOT NULL THEN pp.height ELSE p.height END AS height,
    CASE WHEN p.width = 0 AND pp.id IS NOT NULL THEN pp.width ELSE p.width END AS width,
    CASE WHEN p.length = 0 AND pp.id IS NOT NULL THEN pp.length ELSE p.length END AS length,
    coalesce(nullif(t.description, ''), pt.description, '') AS description
"""  # noqa: S608 - composed of constants; values are parameters

# md5 over the mapped values in a fixed order with a separator that cannot occur in them.
ARTICLE_HASH_SQL = (
    f"md5(concat_ws(chr(31), '{ARTICLE_MAPPING_VERSION}', m.article_number, m.article_name, "
    "m.product_code, m.barcode, m.weight::text, m.height::text, m.width::text, m.length::text, "
    "m.description))"
)


def articles_query(*, counts: bool = False, one_product: bool = False) -> str:
    """SQL over the articles of one catalog (params: connection, account, inventory, language).

    ``counts``: one row ``(total, skipped, changed)`` over the whole catalog. Otherwise the items to
    write — hash differs from the last successful write, or never written — with their hash, in
    product id order, among the products with ``after < id <= upto`` (a window of ids, so each query
    hashes only its window), or ``one_product``: only product ``%(product)s``.
    """
    if counts:
        only = ""
    elif one_product:
        only = "AND p.id = %(product)s"
    else:
        only = "AND p.id > %(after)s AND p.id <= %(upto)s"
    mapped = f"""
        SELECT {ARTICLE_COLUMNS_SQL}
        FROM catalog_product p
        LEFT JOIN catalog_product pp ON pp.id = p.parent_id
        LEFT JOIN LATERAL (
            SELECT x.name, x.description FROM catalog_producttext x
            WHERE x.product_id = p.id ORDER BY (x.language = %(language)s) DESC, x.language LIMIT 1
        ) t ON TRUE
        LEFT JOIN LATERAL (
            SELECT x.name, x.description FROM catalog_producttext x
            WHERE x.product_id = p.parent_id ORDER BY (x.language = %(language)s) DESC, x.language LIMIT 1
        ) pt ON TRUE
        WHERE p.inventory_id = %(inventory)s AND p.account_id = %(account)s
          AND NOT EXISTS (SELECT 1 FROM catalog_product v WHERE v.parent_id = p.id) {only}
    """  # noqa: S608 - composed of constants; values are parameters
    hashed = f"""
        SELECT m.*, {ARTICLE_HASH_SQL} AS payload_hash, s.payload_hash AS written_hash
        FROM ({mapped}) m
        LEFT JOIN wmsbridge_articlestate s
          ON s.connection_id = %(connection)s AND s.product_id = m.product_id
    """  # noqa: S608 - composed of constants; values are parameters
    if counts:
        return f"""
            SELECT count(*),
                   count(*) FILTER (WHERE h.article_number = ''),
                   count(*) FILTER (WHERE h.article_number <> ''
                                    AND h.payload_hash IS DISTINCT FROM h.written_hash)
            FROM ({hashed}) h
        """  # noqa: S608 - composed of constants; values are parameters
    return f"""
        SELECT h.product_id, h.article_number, h.article_name, h.product_code, h.barcode,
               h.weight, h.height, h.width, h.length, h.description, h.payload_hash
        FROM ({hashed}) h
        WHERE h.article_number <> '' AND h.payload_hash IS DISTINCT FROM h.written_hash
        ORDER BY h.product_id
    """  # noqa: S608 - composed of constants; values are parameters


# The id that closes a window of ``window`` products after ``after`` (none: the last window).
WINDOW_END_QUERY = """
    SELECT p.id FROM catalog_product p
    WHERE p.inventory_id = %(inventory)s AND p.account_id = %(account)s AND p.id > %(after)s
    ORDER BY p.id OFFSET %(window)s - 1 LIMIT 1
"""

SKIPPED_QUERY = """
    SELECT p.id, coalesce(
        (SELECT x.name FROM catalog_producttext x WHERE x.product_id = p.id
         ORDER BY (x.language = %(language)s) DESC, x.language LIMIT 1), '')
    FROM catalog_product p
    WHERE p.inventory_id = %(inventory)s AND p.account_id = %(account)s AND p.sku = ''
      AND NOT EXISTS (SELECT 1 FROM catalog_product v WHERE v.parent_id = p.id)
    ORDER BY p.id LIMIT %(limit)s
"""


# ------------------------------------------------------------------------------------------- orders


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


def _join(parts: Iterable[str], separator: str = " / ") -> str:
    return separator.join(p.strip() for p in parts if p and p.strip())


def _contact(value: str, notify: bool) -> dict[str, Any] | None:
    return {"toBeNotified": notify, "value": value} if value else None


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", {}, [])}


def order_payload(order, lines: list) -> dict[str, Any]:
    """PostOrderModel for a Hurtlink order (``goodsOwnerId`` is added by the client).

    Seed 002's table, with the REST paths of reference §11.3:

    * orderNumber, goodsOwnerOrderId, consignee.customerNumber ← order id
    * marketPlace.marketPlaceOrderNumber ← shop order id (else external order id)
    * deliveryDate ← date confirmed (else date added), UTC
    * orderRemark ← buyer comments + " / " + seller comments
    * servicePointCode ← delivery point id
    * consignee name/address1/postCode/city/countryCode/countryStateCode ← delivery_* (company goes to
      address2 when a person's name is also given); vatNumber ← invoice_nip
    * e-mail → emailNotification (order and consignee), phone → smsNotification and
      telephoneNotification (mobile phone and telephone)
    * consignee.invoiceAddress ← invoice_* plus e-mail and phone
    * lines: rowNumber and externalId ← order line id, articleNumber ← SKU, numberOfItems ← quantity,
      prices.customerLinePrice ← gross unit price, lineTotalCustomsValue ← gross price × quantity
    """
    email, phone = order.email.strip(), order.phone.strip()
    name = order.delivery_fullname or order.delivery_company
    company_line = order.delivery_company if order.delivery_fullname and order.delivery_company else ""
    shop_number = str(order.shop_order_id) if order.shop_order_id else order.external_order_id
    consignee = _drop_empty(
        {
            "customerNumber": str(order.pk),
            "name": name,
            "address1": order.delivery_address,
            "address2": company_line,
            "postCode": order.delivery_postcode,
            "city": order.delivery_city,
            "countryCode": order.delivery_country_code,
            "countryStateCode": order.delivery_state,
            "vatNumber": order.invoice_nip,
            "advanced": _drop_empty(
                {
                    "emailNotification": _contact(email, True),
                    "smsNotification": _contact(phone, True),
                    "telephoneNotification": _contact(phone, False),
                }
            ),
            "invoiceAddress": _drop_empty(
                {
                    "name": order.invoice_fullname or order.invoice_company,
                    "address1": order.invoice_address,
                    "postCode": order.invoice_postcode,
                    "city": order.invoice_city,
                    "countryCode": order.invoice_country_code,
                    "countryStateCode": order.invoice_state,
                    "advanced": _drop_empty(
                        {
                            "emailNotification": {"value": email} if email else None,
                            "smsNotification": {"value": phone} if phone else None,
                            "telephoneNotification": {"value": phone} if phone else None,
                        }
                    ),
                }
            ),
        }
    )
    payload: dict[str, Any] = {
        "orderNumber": str(order.pk),
        "goodsOwnerOrderId": str(order.pk),
        "deliveryDate": _utc_iso(order.date_confirmed or order.date_add),
        "consignee": consignee,
        "orderLines": [
            {
                "rowNumber": str(line.pk),
                "externalId": str(line.pk),
                "articleNumber": line.sku,
                "numberOfItems": Decimal(line.quantity),
                "prices": {"customerLinePrice": line.price_brutto, "currencyCode": order.currency},
                "lineTotalCustomsValue": line.price_brutto * line.quantity,
            }
            for line in lines
        ],
        "customsInfo": {"customsValueCurrencyCode": order.currency},
    }
    optional = {
        "orderRemark": _join([order.user_comments, order.admin_comments]),
        "servicePointCode": order.delivery_point_id,
        "marketPlace": {"marketPlaceOrderNumber": shop_number} if shop_number else None,
        "wayOfDelivery": {"code": order.delivery_method[:50], "name": order.delivery_method}
        if order.delivery_method
        else None,
        "emailNotification": _contact(email, True),
        "smsNotification": _contact(phone, True),
        "telephoneNotification": _contact(phone, False),
    }
    payload.update(_drop_empty(optional))
    return payload


def wms_tracking(wms_order: dict[str, Any]) -> tuple[str, str]:
    """The (waybill, tracking URL) a WMS order already carries, or ("", "")."""
    for entry in wms_order.get("tracking") or []:
        if entry.get("waybill"):
            return str(entry["waybill"]), str(entry.get("trackingUrl") or "")
    info = wms_order.get("orderInfo") or {}
    if info.get("wayBill"):
        return str(info["wayBill"]), ""
    for parcel in wms_order.get("parcels") or []:
        if parcel.get("parcelNumber") and not parcel.get("isReturnParcel"):
            return str(parcel["parcelNumber"]), str((parcel.get("tracking") or {}).get("trackingUrl") or "")
    return "", ""
