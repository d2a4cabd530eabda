"""The Ongoing Goods Owner REST API endpoints the sandbox implements (paths below ``/api/v1``).

Each handler takes ``(state, user, ids, query, body)`` — ``ids`` are the integer path segments,
``query`` maps lower-cased parameter names to lists of values (ASP.NET binds query parameters
case-insensitively; repeated keys form arrays, a comma-joined value stays one value) — and returns
``(http_status, json_body)`` or raises :class:`SandboxError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import Any

from .state import (
    ORDER_STATUS_TEXTS,
    TRANSPORTER_CONTRACTS,
    WAREHOUSE,
    ApiUser,
    Article,
    Order,
    SandboxError,
    SandboxState,
    bad_request,
    parse_bool,
    parse_datetime,
    parse_int,
)

Query = dict[str, list[str]]
Handler = Callable[[SandboxState, ApiUser, list[int], Query, Any], tuple[int, Any]]


# -------------------------------------------------------------------------------------- query helpers


def q_one(query: Query, name: str) -> str | None:
    values = query.get(name.lower())
    return values[-1] if values else None


def q_list(query: Query, name: str) -> list[str]:
    return [v for v in query.get(name.lower(), []) if v != ""]


def q_int(query: Query, name: str) -> int | None:
    value = q_one(query, name)
    if value is None or value == "":
        return None
    try:
        return parse_int(value, name)
    except SandboxError:
        raise bad_request(f"The value '{value}' is not valid for {name}.")


def q_bool(query: Query, name: str) -> bool:
    value = q_one(query, name)
    if value is None or value == "":
        return False
    try:
        return bool(parse_bool(value, name))
    except SandboxError:
        raise bad_request(f"The value '{value}' is not valid for {name}.")


def q_time(query: Query, name: str) -> float | None:
    return parse_datetime(q_one(query, name), name)


def q_limit(query: Query, name: str) -> int | None:
    limit = q_int(query, name)
    if limit is not None and limit < 0:
        raise bad_request(f"{name} must not be negative.")
    return limit


def take(rows: Iterable[Any], limit: int | None) -> list[Any]:
    if limit is None:
        return list(rows)
    out = []
    if limit == 0:
        return out
    for row in rows:
        out.append(row)
        if len(out) >= limit:
            break
    return out


def json_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("The request is invalid: a JSON object is required.")
    return body


# -------------------------------------------------------------------------------------- articles


def put_article(state, user, ids, query, body):
    return 200, state.put_article(user, json_body(body))


def put_article_by_id(state, user, ids, query, body):
    return 200, state.put_article(user, json_body(body), article_system_id=ids[0])


def get_article(state, user, ids, query, body):
    return 200, state.render_article(state.get_article_for(user, ids[0]))


def _article_rows(state: SandboxState, user: ApiUser, query: Query) -> tuple[Iterator[Article], int | None]:
    owner = state.owner_for(user, q_one(query, "goodsOwnerId"))
    numbers = set(q_list(query, "articleNumbers"))
    number = q_one(query, "articleNumber")
    if number:
        numbers.add(number)
    product_codes = set(q_list(query, "productCodes"))
    if q_one(query, "productCode"):
        product_codes.add(q_one(query, "productCode"))
    bar_codes = set(q_list(query, "barCodes"))
    name_parts = [p.lower() for p in q_list(query, "articleNameContains")]
    stock_from = q_time(query, "stockInfoChangedFrom")
    state.check_window(stock_from, "stockInfoChangedFrom", timedelta(hours=24))
    data_from = q_time(query, "articleDataLastUpdatedFrom")
    in_stock = q_bool(query, "onlyArticlesInStock")
    below_limit = q_bool(query, "onlyArticlesBelowStockLimit")
    id_from = q_int(query, "articleSystemIdFrom")
    limit = q_limit(query, "maxArticlesToGet")
    articles = state.articles_by_id

    if numbers and not any((product_codes, bar_codes, name_parts)):
        # Direct lookups instead of a scan (the common "find these SKUs" call).
        found = sorted(owner.article_by_number[n] for n in numbers if n in owner.article_by_number)
        candidates: Iterable[int] = [i for i in found if not id_from or i >= id_from]
        numbers = set()
    else:
        candidates = state.ids_from(owner.article_ids, id_from)

    def rows() -> Iterator[Article]:
        for system_id in candidates:
            article = articles[system_id]
            data = article.data
            if numbers and article.article_number not in numbers:
                continue
            if product_codes and data.get("productCode") not in product_codes:
                continue
            if bar_codes and (data.get("barCodeInfo") or {}).get("barCode") not in bar_codes:
                continue
            if name_parts and not any(p in (data.get("articleName") or "").lower() for p in name_parts):
                continue
            if stock_from is not None and article.stock_changed < stock_from:
                continue
            if data_from is not None and article.data_updated < data_from:
                continue
            if in_stock and article.physical <= 0:
                continue
            if below_limit and article.physical >= (data.get("stockLimit") or 0):
                continue
            yield article

    return rows(), limit


def list_articles(state, user, ids, query, body):
    rows, limit = _article_rows(state, user, query)
    return 200, [state.render_article(a) for a in take(rows, limit)]


def list_inventory_per_warehouse(state, user, ids, query, body):
    warehouse_ids = {parse_int(v, "warehouseIds") for v in q_list(query, "warehouseIds")}
    rows, limit = _article_rows(state, user, query)
    if warehouse_ids and WAREHOUSE["id"] not in warehouse_ids:
        return 200, []
    return 200, [state.render_inventory_per_warehouse(a) for a in take(rows, limit)]


# -------------------------------------------------------------------------------------- orders


def put_order(state, user, ids, query, body):
    return state.put_order(user, json_body(body))


def put_order_by_id(state, user, ids, query, body):
    return state.put_order(user, json_body(body), order_id=ids[0])


def get_order(state, user, ids, query, body):
    return 200, state.render_order(state.get_order_for(user, ids[0]))


def list_orders(state, user, ids, query, body):
    owner = state.owner_for(user, q_one(query, "goodsOwnerId"))
    numbers = set(q_list(query, "orderNumbers"))
    if q_one(query, "orderNumber"):
        numbers.add(q_one(query, "orderNumber"))
    status_from = q_int(query, "orderStatusFrom")
    status_to = q_int(query, "orderStatusTo")
    status_changed_from = q_time(query, "orderStatusChangedTimeFrom")
    created_from = q_time(query, "orderCreatedTimeFrom")
    created_to = q_time(query, "orderCreatedTimeTo")
    updated_from = q_time(query, "orderUpdatedTimeFrom")
    state.check_window(updated_from, "orderUpdatedTimeFrom", timedelta(days=2))
    shipped_from = q_time(query, "shippedTimeFrom")
    shipped_to = q_time(query, "shippedTimeTo")
    returned_from = q_time(query, "lastReturnedFrom")
    article_numbers = set(q_list(query, "articleNumbers"))
    market_place = q_one(query, "marketPlace")
    parcel_number = q_one(query, "parcelNumber")
    shipment_id = q_int(query, "shipmentId")
    id_from = q_int(query, "orderIdFrom")
    limit = q_limit(query, "maxOrdersToGet")
    orders = state.orders_by_id

    if numbers:
        found = sorted(owner.order_by_number[n] for n in numbers if n in owner.order_by_number)
        candidates: Iterable[int] = [i for i in found if not id_from or i >= id_from]
    else:
        candidates = state.ids_from(owner.order_ids, id_from)

    def rows() -> Iterator[Order]:
        for order_id in candidates:
            order = orders[order_id]
            if status_from is not None and order.status < status_from:
                continue
            if status_to is not None and order.status > status_to:
                continue
            if status_changed_from is not None and order.status_changed < status_changed_from:
                continue
            if created_from is not None and order.created < created_from:
                continue
            if created_to is not None and order.created > created_to:
                continue
            if updated_from is not None and order.updated < updated_from:
                continue
            if shipped_from is not None and (order.shipped_time or 0) < shipped_from:
                continue
            if shipped_to is not None and (order.shipped_time is None or order.shipped_time > shipped_to):
                continue
            if returned_from is not None and (order.returned_time or 0) < returned_from:
                continue
            if article_numbers and not any(line["articleNumber"] in article_numbers for line in order.lines):
                continue
            if market_place and (order.data.get("marketPlace") or {}).get("marketPlace") != market_place:
                continue
            if parcel_number and not any(p["parcelNumber"] == parcel_number for p in order.parcels):
                continue
            if shipment_id is not None and order.shipment_id != shipment_id:
                continue
            yield order

    return 200, [state.render_order(o) for o in take(rows(), limit)]


def cancel_order(state, user, ids, query, body):
    return 200, state.cancel_order(user, state.get_order_for(user, ids[0]))


def cancel_order_by_number(state, user, ids, query, body):
    owner = state.owner_for(user, q_one(query, "goodsOwnerId"))
    number = q_one(query, "orderNumber")
    if not number:
        raise bad_request("orderNumber is required.")
    order_id = owner.order_by_number.get(number)
    if order_id is None:
        raise SandboxError(404, f"Order {number} was not found.")
    return 200, state.cancel_order(user, state.orders_by_id[order_id])


def order_statuses(state, user, ids, query, body):
    texts = ORDER_STATUS_TEXTS["en"]
    return 200, {"orderStatuses": [{"number": n, "text": t} for n, t in texts.items()]}


def patch_waybill(state, user, ids, query, body):
    return 200, state.patch_waybill(state.get_order_for(user, ids[0]), body)


def patch_return_waybill(state, user, ids, query, body):
    return 200, state.patch_waybill(state.get_order_for(user, ids[0]), body, key="returnWaybill")


def put_order_tracking(state, user, ids, query, body):
    return 200, state.put_tracking(state.get_order_for(user, ids[0]), body)


def put_order_parcel(state, user, ids, query, body):
    return 200, state.put_parcel(state.get_order_for(user, ids[0]), body)


def list_order_files(state, user, ids, query, body):
    order = state.get_order_for(user, ids[0])
    return 200, [state.render_file(order, f) for f in order.files]


def post_order_file(state, user, ids, query, body):
    return 200, state.put_file(state.get_order_for(user, ids[0]), body, file_name=None, replace=False)


def put_order_file(state, user, ids, query, body):
    order = state.get_order_for(user, ids[0])
    file_name = q_one(query, "fileName")
    if not file_name:
        raise bad_request("fileName is required.")
    return 200, state.put_file(order, body, file_name=file_name, replace=True)


def list_warehouses(state, user, ids, query, body):
    return 200, [dict(WAREHOUSE)]


def list_transporter_contracts(state, user, ids, query, body):
    state.owner_for(user, q_one(query, "goodsOwnerId"))
    return 200, [dict(c) for c in TRANSPORTER_CONTRACTS]


# -------------------------------------------------------------------------------------- routing

# (method, path shape) → handler; "{id}" stands for an integer segment.
ROUTES: dict[tuple[str, str], Handler] = {
    ("PUT", "articles"): put_article,
    ("GET", "articles"): list_articles,
    ("GET", "articles/inventoryPerWarehouse"): list_inventory_per_warehouse,
    ("PUT", "articles/{id}"): put_article_by_id,
    ("GET", "articles/{id}"): get_article,
    ("PUT", "orders"): put_order,
    ("GET", "orders"): list_orders,
    ("DELETE", "orders"): cancel_order_by_number,
    ("GET", "orders/statuses"): order_statuses,
    ("PUT", "orders/{id}"): put_order_by_id,
    ("GET", "orders/{id}"): get_order,
    ("DELETE", "orders/{id}"): cancel_order,
    ("PATCH", "orders/{id}/waybill"): patch_waybill,
    ("PATCH", "orders/{id}/returnWaybill"): patch_return_waybill,
    ("PUT", "orders/{id}/orderTracking"): put_order_tracking,
    ("PUT", "orders/{id}/parcels"): put_order_parcel,
    ("GET", "orders/{id}/files"): list_order_files,
    ("POST", "orders/{id}/files"): post_order_file,
    ("PUT", "orders/{id}/files"): put_order_file,
    ("GET", "warehouses"): list_warehouses,
    ("GET", "transporterContracts"): list_transporter_contracts,
}
KNOWN_SHAPES = {shape for _, shape in ROUTES}


def resolve(method: str, segments: list[str]) -> tuple[Handler | None, str, list[int], bool]:
    """Map path segments after ``/api/v1`` to (handler, shape, ids, shape_exists).

    Path segments are matched case-insensitively, as IIS/ASP.NET routing does.
    """
    ids: list[int] = []
    parts = []
    for segment in segments:
        if segment.isdigit():
            ids.append(int(segment))
            parts.append("{id}")
        else:
            parts.append(_CANONICAL.get(segment.lower(), segment))
    shape = "/".join(parts)
    handler = ROUTES.get((method, shape))
    return handler, shape, ids, handler is not None or shape in KNOWN_SHAPES


_CANONICAL = {part.lower(): part for shape in KNOWN_SHAPES for part in shape.split("/") if part != "{id}"}
